import Foundation

/// Raised when a `MailAddress` or `MailMessage` cannot be built.
///
/// Validation happens when a message is constructed, so a `MailMessage` that exists can always be
/// rendered, and nothing reaches the SMTP server for a message that failed it.
public enum MailMessageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The address is not a plain `local@domain` (see `MailAddress`).
    case invalidAddress(String)
    /// A header (or the display name / subject that goes in one) cannot be written safely.
    case invalidHeader(name: String, reason: String)

    public var description: String {
        switch self {
        // `debugDescription` escapes CR/LF, so the error text itself cannot inject log lines.
        case .invalidAddress(let address): "invalid e-mail address \(address.debugDescription)"
        case .invalidHeader(let name, let reason): "invalid header \(name.debugDescription): \(reason)"
        }
    }
}

/// An e-mail address with an optional display name, e.g. `Égide <noreply@egide.example>`.
///
/// Validation is deliberately minimal: exactly one `@`, a non-empty local part and domain, and no
/// whitespace, control characters, angle brackets or other characters that would let the address
/// escape its place in a header or in `MAIL FROM:<…>` / `RCPT TO:<…>`. Addresses are ASCII only
/// (the client does not use SMTPUTF8).
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public let address: String
    public let displayName: String?

    public init(_ address: String, displayName: String? = nil) throws {
        guard Self.isAcceptable(address) else { throw MailMessageError.invalidAddress(address) }
        if let displayName { try HeaderWriter.validateText(displayName, header: "display name") }
        self.address = address
        self.displayName = (displayName?.isEmpty ?? true) ? nil : displayName
    }

    /// The domain part, used to build Message-IDs.
    public var domain: Substring { address[address.index(after: address.lastIndex(of: "@")!)...] }

    public var description: String { displayName.map { "\($0) <\(address)>" } ?? address }

    static func isAcceptable(_ address: String) -> Bool {
        let bytes = Array(address.utf8)
        guard (3...254).contains(bytes.count) else { return false }
        let forbidden = Set("<>()[],;:\\\"".utf8)
        guard !bytes.contains(where: { $0 <= 0x20 || $0 >= 0x7F || forbidden.contains($0) }) else { return false }
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].utf8.count) else { return false }
        let domain = parts[1]
        return !domain.isEmpty && !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }
}

/// An extra header such as `List-Unsubscribe`. Validated when the `MailMessage` is built.
public struct MailHeader: Sendable, Hashable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A single-recipient message: UTF-8 plain text, optionally with an HTML alternative.
///
/// `rendered()` produces an RFC 5322 / MIME message that is pure 7-bit ASCII with CRLF line endings:
/// non-ASCII header text becomes RFC 2047 encoded-words, bodies are quoted-printable, and every line
/// stays well under the 998-octet limit. The envelope (MAIL FROM / RCPT TO) is taken from `from`
/// and `to`; there is no Bcc.
public struct MailMessage: Sendable {
    public let from: MailAddress
    public let to: MailAddress
    public let subject: String
    public let textBody: String
    public let htmlBody: String?
    /// Extra headers, in order. Headers the renderer writes itself (From, To, Subject, Date,
    /// Message-ID, MIME and content headers) and address headers (Cc, Bcc, Reply-To…) are refused.
    public let headers: [MailHeader]
    /// The Message-ID including angle brackets, e.g. `<3f9c…@egide.example>`.
    public let messageID: String
    public let date: Date

    /// The header block (without the MIME part headers), built and checked once in `init`.
    private let headerBlock: String
    /// The multipart boundary. It starts with `=_`, which quoted-printable output can never contain.
    private let boundary: String

    /// Headers the renderer owns, or that would add recipients; refused in `headers`.
    static let reservedHeaders: Set<String> = [
        "from", "to", "cc", "bcc", "subject", "date", "message-id", "sender", "reply-to",
        "mime-version", "content-type", "content-transfer-encoding", "resent-to", "resent-cc", "resent-bcc",
    ]

    /// - Parameters:
    ///   - messageID: An existing id (with or without angle brackets) to reuse, e.g. on a retry.
    ///     When nil a random one is generated on the sender's domain.
    /// - Throws: `MailMessageError` when a header value contains CR, LF or another control
    ///   character, when an extra header name is malformed or reserved, or when a header line
    ///   could not be kept under 998 octets.
    public init(
        from: MailAddress,
        to: MailAddress,
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        headers: [MailHeader] = [],
        messageID: String? = nil,
        date: Date = Date()
    ) throws {
        try HeaderWriter.validateText(subject, header: "Subject")
        for header in headers {
            guard HeaderWriter.isValidFieldName(header.name) else {
                throw MailMessageError.invalidHeader(name: header.name, reason: "not a valid header name")
            }
            guard !Self.reservedHeaders.contains(header.name.lowercased()) else {
                throw MailMessageError.invalidHeader(name: header.name, reason: "set by the message itself")
            }
            try HeaderWriter.validateText(header.value, header: header.name)
        }
        let id = try messageID.map(Self.normalizedMessageID) ?? Self.generateMessageID(domain: from.domain)

        let boundary = "=_egide_" + Self.randomHex(bytes: 12)
        let lines = [
            try HeaderWriter.address(name: "From", from),
            try HeaderWriter.address(name: "To", to),
            try HeaderWriter.unstructured(name: "Subject", subject),
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: " + id,
        ] + (try headers.map { try HeaderWriter.unstructured(name: $0.name, $0.value) }) + [
            "MIME-Version: 1.0",
            htmlBody == nil
                ? "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
                : "Content-Type: multipart/alternative; boundary=\"\(boundary)\"",
        ]

        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.headers = headers
        self.messageID = id
        self.date = date
        self.boundary = boundary
        self.headerBlock = lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The complete message as it goes after `DATA` (before dot-stuffing): 7-bit ASCII, CRLF
    /// line endings, ending with CRLF.
    public func rendered() -> String {
        guard let htmlBody else {
            let body = QuotedPrintable.encode(textBody)
            return headerBlock + "\r\n" + body + (body.hasSuffix("\r\n") ? "" : "\r\n")
        }
        // The CRLF before each delimiter belongs to the delimiter (RFC 2046 §5.1.1), so a body's
        // own final line break survives.
        func part(_ type: String, _ body: String) -> String {
            "\r\n--\(boundary)\r\n"
                + "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + QuotedPrintable.encode(body)
        }
        return headerBlock + "\r\n"
            + "This is a multi-part message in MIME format."
            + part("text/plain", textBody)
            + part("text/html", htmlBody)
            + "\r\n--\(boundary)--\r\n"
    }

    // MARK: - Helpers

    static func normalizedMessageID(_ raw: String) throws -> String {
        var id = Substring(raw)
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 { id = id.dropFirst().dropLast() }
        let ok = id.contains("@") && id.utf8.count <= 250
            && id.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
        guard ok else { throw MailMessageError.invalidHeader(name: "Message-ID", reason: "expected <id@domain>") }
        return "<\(id)>"
    }

    static func generateMessageID(domain: Substring) -> String {
        "<\(randomHex(bytes: 16))@\(domain)>"
    }

    static func randomHex(bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }

    /// `Tue, 04 Mar 2025 09:05:00 +0000` (always UTC).
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { String(n ?? 0).leftPadded(to: 2) }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}

// MARK: - Header encoding

/// Writes header fields: RFC 2047 encoded-words for non-ASCII text and RFC 5322 folding.
enum HeaderWriter {
    /// Lines are folded where possible at 78 characters (RFC 5322's recommendation), or 76 for
    /// lines carrying encoded-words (RFC 2047's limit), and never allowed past the hard limit of 998.
    static let foldWidth = 78
    static let encodedFoldWidth = 76
    static let hardLimit = 998
    /// Bytes of UTF-8 per encoded-word: 36 bytes → 48 base64 chars → a 60-char word, which fits
    /// on the first line after a header name of up to 14 characters ("Subject: " is 9).
    static let bytesPerEncodedWord = 36

    /// Refuses CR, LF and every other control character except TAB: this is what makes header
    /// injection impossible, so nothing is silently stripped.
    static func validateText(_ text: String, header: String) throws {
        for scalar in text.unicodeScalars where scalar.value < 0x20 && scalar != "\t" || scalar.value == 0x7F {
            let reason = scalar == "\r" || scalar == "\n"
                ? "contains a line break (header injection)" : "contains a control character"
            throw MailMessageError.invalidHeader(name: header, reason: reason)
        }
    }

    /// RFC 5322 field name: printable ASCII except ':'.
    static func isValidFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 76 && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
    }

    /// An unstructured field (Subject, List-Unsubscribe…). ASCII text is folded at spaces;
    /// anything else is written as a run of UTF-8 base64 encoded-words.
    static func unstructured(name: String, _ value: String) throws -> String {
        if needsEncoding(value) { return try fold(name: name, tokens: encodedWords(value), width: encodedFoldWidth) }
        return try fold(name: name, tokens: value.split(separator: " ", omittingEmptySubsequences: false).map(String.init))
    }

    /// `From` / `To`: `"Display Name" <local@domain>` or `=?UTF-8?B?…?= <local@domain>`.
    static func address(name: String, _ address: MailAddress) throws -> String {
        guard let displayName = address.displayName else { return try fold(name: name, tokens: [address.address]) }
        if needsEncoding(displayName) {
            return try fold(name: name, tokens: encodedWords(displayName) + ["<\(address.address)>"], width: encodedFoldWidth)
        }
        let escaped = displayName.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return try fold(name: name, tokens: ["\"\(escaped)\"", "<\(address.address)>"])
    }

    /// Non-ASCII text, and ASCII text containing `=?` (which a reader could mistake for an
    /// encoded-word), is encoded.
    static func needsEncoding(_ text: String) -> Bool {
        text.unicodeScalars.contains { !$0.isASCII } || text.contains("=?")
    }

    /// Splits `text` into `=?UTF-8?B?…?=` words of at most `bytesPerEncodedWord` UTF-8 bytes each,
    /// never splitting a character's bytes across two words (RFC 2047 §5).
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > bytesPerEncodedWord { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// `Name: tok tok…`, folding (CRLF + space) before a token that would push the line past
    /// `width`. Unfolding restores the original single space, so ASCII text is unchanged.
    static func fold(name: String, tokens: [String], width: Int = foldWidth) throws -> String {
        var lines: [String] = []
        var line = name + ":"
        var lineHasContent = false
        for token in tokens {
            if lineHasContent && !token.isEmpty && line.utf8.count + 1 + token.utf8.count > width {
                lines.append(line)
                line = " " + token
            } else {
                line += " " + token
            }
            lineHasContent = lineHasContent || !token.isEmpty
        }
        lines.append(line)
        guard lines.allSatisfy({ $0.utf8.count <= hardLimit }) else {
            throw MailMessageError.invalidHeader(name: name, reason: "a word is too long to fit in a 998-octet line")
        }
        return lines.joined(separator: "\r\n")
    }
}

// MARK: - Body encoding

/// Quoted-printable (RFC 2045 §6.7) for UTF-8 text bodies.
enum QuotedPrintable {
    /// Encoded lines are at most 76 characters, soft breaks (`=` at end of line) included.
    static let maxLineLength = 76

    /// Line breaks in `text` (LF, CRLF or CR) become CRLF hard breaks; the text is otherwise kept
    /// exactly, including whether it ends with a line break.
    static func encode(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        return normalized.split(separator: "\n", omittingEmptySubsequences: false)
            .map { encodeLine(Array($0.utf8)) }
            .joined(separator: "\r\n")
    }

    private static func encodeLine(_ bytes: [UInt8]) -> String {
        var output = ""
        var column = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal: Bool
            switch byte {
            case 0x20, 0x09: literal = !isLast  // trailing whitespace would be stripped in transit
            case 33...126: literal = byte != UInt8(ascii: "=")
            default: literal = false
            }
            let token = literal ? String(UnicodeScalar(byte)) : "=" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            // Keep room for the "=" of a soft line break; never split an "=XX" escape.
            let room = isLast ? maxLineLength : maxLineLength - 1
            if column + token.count > room {
                output += "=\r\n"
                column = 0
            }
            output += token
            column += token.count
        }
        return output
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
