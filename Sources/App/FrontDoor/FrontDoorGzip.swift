import CZlib
import NIOCore

/// Kept pages compressed once, with their holes left outside the compressed data.
///
/// A gzip member (RFC 1952) is a header, DEFLATE blocks (RFC 1951) and a trailer holding the
/// CRC-32 and length of what was compressed. Each run of a page's fixed bytes is deflated once,
/// ending with a full flush (byte-aligned, no reference to anything before it); each hole is sent
/// per visitor as a *stored* block — its bytes as they are, after a 5-byte block header — so the
/// CSRF token is never compressed (no length can reveal a guess of it, BREACH-style), and the
/// trailer is computed per answer by combining the runs' CRCs (`crc32_combine`) with the holes'.
/// Vapor's compressor deflated the 33 KB form on every answer (0.4 ms of processor time); this costs
/// a few microseconds. zlib itself (the system's) does the deflating: only the framing is written here.
enum FrontDoorGzip {
    /// Below this a page is sent as it is (as small as compressing would make it worth).
    static let minimumLength = 1024

    enum Piece: Sendable {
        /// Deflated bytes, with the CRC-32 and length of what they hold.
        case deflated(ByteBuffer, crc: UInt, length: Int)
        case hole(FrontDoorAnswer.Hole)
    }

    /// The gzip header: no name, no time, "Unix".
    static let header: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]

    /// `text/*`, JSON, XML, Atom, SVG, JavaScript: what compresses.
    static func isCompressible(_ contentType: String) -> Bool {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type.hasPrefix("text/") || ["application/json", "application/xml", "application/atom+xml", "image/svg+xml",
                                           "application/javascript", "application/problem+json"].contains(type)
    }

    /// `parts` deflated run by run; nil if zlib refused (the answer is then sent uncompressed).
    static func compress(_ parts: [FrontDoorAnswer.Part]) -> (pieces: [Piece], length: Int)? {
        var stream = z_stream()
        guard deflateInit2_(&stream, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        var pieces: [Piece] = [.deflated(ByteBuffer(bytes: header), crc: 0, length: 0)]
        var length = header.count + 8
        for (index, part) in parts.enumerated() {
            switch part {
            case .hole(let hole):
                pieces.append(.hole(hole))
                length += 5 + markerLength(hole)
            case .bytes(let bytes):
                let last = index == parts.count - 1
                guard let out = deflate(&stream, bytes, flush: last ? Z_FINISH : Z_FULL_FLUSH) else { return nil }
                length += out.readableBytes
                let crc = bytes.withUnsafeReadableBytes { raw in
                    crc32(0, raw.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(raw.count))
                }
                pieces.append(.deflated(out, crc: crc, length: bytes.readableBytes))
            }
        }
        // A page ending with a hole still needs a last block.
        if case .hole = parts.last {
            let final: [UInt8] = [0x01, 0x00, 0x00, 0xFF, 0xFF]
            pieces.append(.deflated(ByteBuffer(bytes: final), crc: 0, length: 0))
            length += final.count
        }
        return (pieces, length)
    }

    private static func markerLength(_ hole: FrontDoorAnswer.Hole) -> Int {
        hole == .csrf ? FrontDoorAnswer.csrfMarker.utf8.count : FrontDoorAnswer.formKeyMarker.utf8.count
    }

    private static func deflate(_ stream: inout z_stream, _ input: ByteBuffer, flush: Int32) -> ByteBuffer? {
        var source = Array(buffer: input)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        let status: Int32 = source.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            var status = Z_OK
            repeat {
                status = chunk.withUnsafeMutableBufferPointer { chunk in
                    stream.next_out = chunk.baseAddress
                    stream.avail_out = uInt(chunk.count)
                    let status = CZlib.deflate(&stream, flush)
                    output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                    return status
                }
            } while status == Z_OK && stream.avail_out == 0
            stream.next_in = nil
            return status
        }
        // A flush ends with Z_OK (or Z_BUF_ERROR once nothing is left to do); the finish must end the stream.
        guard flush == Z_FINISH ? status == Z_STREAM_END : (status == Z_OK || status == Z_BUF_ERROR) else { return nil }
        return ByteBuffer(bytes: output)
    }

    /// `value` as a stored (uncompressed) block that is not the last.
    static func storedBlock(_ value: String) -> ByteBuffer {
        let bytes = Array(value.utf8)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(5 + bytes.count)
        buffer.writeInteger(UInt8(0x00))
        buffer.writeInteger(UInt16(bytes.count), endianness: .little)
        buffer.writeInteger(~UInt16(bytes.count), endianness: .little)
        buffer.writeBytes(bytes)
        return buffer
    }

    /// The trailer for `pieces` with `values` in their holes, in order: CRC-32 and length.
    static func trailer(_ pieces: [Piece], values: [String]) -> ByteBuffer {
        var crc: UInt = 0
        var length = 0
        var next = values.makeIterator()
        for piece in pieces {
            switch piece {
            case .deflated(_, let pieceCRC, let pieceLength):
                guard pieceLength > 0 else { continue }
                crc = crc32_combine(crc, pieceCRC, off_t(pieceLength))
                length += pieceLength
            case .hole:
                let value = Array((next.next() ?? "").utf8)
                crc = value.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) }
                length += value.count
            }
        }
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(truncatingIfNeeded: crc), endianness: .little)
        buffer.writeInteger(UInt32(truncatingIfNeeded: length), endianness: .little)
        return buffer
    }
}
