import NIOCore

/// A server reply: a 3-digit code and one or more text lines (`250-…` continuations merged).
public struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    public let code: Int
    /// The text of each line, without the code and separator. An enhanced status code
    /// (RFC 3463, e.g. `5.1.1`) is kept at the start of the text.
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    /// The enhanced status code (`class.subject.detail`) at the start of the first line, if any.
    public var enhancedStatusCode: String? {
        guard let first = lines.first?.split(separator: " ", maxSplits: 1).first else { return nil }
        let parts = first.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, ["2", "4", "5"].contains(parts[0]),
              parts.dropFirst().allSatisfy({ (1...3).contains($0.count) && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        return String(first)
    }

    /// 4xx: the command may succeed later.
    public var isTransientFailure: Bool { (400..<500).contains(code) }
    /// 5xx: the command will not succeed as sent.
    public var isPermanentFailure: Bool { (500..<600).contains(code) }

    public var description: String { "\(code) " + lines.joined(separator: " / ") }
}

/// What the decoder passes up the pipeline: a reply, plus how many bytes were already received
/// after it. The STARTTLS upgrade requires zero, otherwise plaintext injected before the TLS
/// handshake would be read as if it had come over TLS.
struct SMTPReplyFrame: Sendable {
    let reply: SMTPReply
    let trailingBytes: Int
}

/// Decodes CRLF-terminated reply lines (RFC 5321 §4.2) and merges multi-line replies.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReplyFrame

    /// RFC 5321 limits reply lines to 512 octets; be lenient but bounded.
    static let maxLineLength = 4096
    static let maxLinesPerReply = 256

    private var code: Int?
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if view.count > Self.maxLineLength { throw SMTPError.protocolError(reason: "reply line too long") }
            return .needMoreData
        }
        let length = view.distance(from: view.startIndex, to: newline)
        guard length <= Self.maxLineLength else { throw SMTPError.protocolError(reason: "reply line too long") }
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)  // the "\n"
        if line.hasSuffix("\r") { line.removeLast() }  // String treats "\r" alone as a Character here

        let (code, isLast, text) = try Self.parse(line)
        if let current = self.code, current != code {
            throw SMTPError.protocolError(reason: "multi-line reply mixes codes \(current) and \(code)")
        }
        self.code = code
        lines.append(text)
        guard lines.count <= Self.maxLinesPerReply else { throw SMTPError.protocolError(reason: "reply has too many lines") }
        guard isLast else { return .continue }

        let reply = SMTPReply(code: code, lines: lines)
        self.code = nil
        lines = []
        context.fireChannelRead(wrapInboundOut(SMTPReplyFrame(reply: reply, trailingBytes: buffer.readableBytes)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // Deliver the complete replies; a partial line at EOF is dropped (the handler reports the
        // closed connection).
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// `250-text` (continuation), `250 text` or `250` (last line).
    static func parse(_ line: String) throws -> (code: Int, isLast: Bool, text: String) {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ (0x30...0x39).contains($0) }),
              (2...5).contains(bytes[0] - 0x30)
        else { throw SMTPError.protocolError(reason: "malformed reply line \(line.prefix(80).debugDescription)") }
        let code = Int(bytes[0] - 0x30) * 100 + Int(bytes[1] - 0x30) * 10 + Int(bytes[2] - 0x30)
        guard bytes.count > 3 else { return (code, true, "") }
        switch bytes[3] {
        case UInt8(ascii: "-"): return (code, false, String(decoding: bytes[4...], as: UTF8.self))
        case UInt8(ascii: " "): return (code, true, String(decoding: bytes[4...], as: UTF8.self))
        default: throw SMTPError.protocolError(reason: "malformed reply line \(line.prefix(80).debugDescription)")
        }
    }
}
