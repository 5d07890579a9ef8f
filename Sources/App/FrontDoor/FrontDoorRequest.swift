import NIOCore

/// A request head the front door may answer itself: `GET` or `HEAD` of a plain path over
/// HTTP/1.1, with no body, no query, no credentials and no condition. Anything else — a form, a
/// signed-in visitor's cookie, `If-None-Match`, a percent sign, an odd byte — is `pass`: the front
/// door then hands the connection to Vapor, which parses it in full.
///
/// The parser is strict on purpose and never decides anything risky: it answers only pages that are
/// the same for every signed-out visitor. Its one duty towards the rest is framing — where this
/// request ends and the next begins — and a request without `Content-Length` or
/// `Transfer-Encoding` has no body (RFC 9112 §6.3), so it ends at its blank line; a head naming
/// either is passed on, whatever its value.
struct FrontDoorRequest: Sendable, Equatable {
    /// `HEAD`: the answer's head only.
    var headOnly: Bool
    var path: String
    /// The client asked to close the connection after this answer.
    var close: Bool
    /// The CSRF cookie's value, when the request carried one (well-formed or not).
    var csrfCookie: String?
    /// The language preference cookie's value.
    var languageCookie: String?
    var acceptLanguage: String?
    /// The client takes gzip (`Accept-Encoding`, q-values respected).
    var acceptsGzip: Bool
    /// Bytes of the head, blank line included: where the next request starts.
    var length: Int

    enum Parse: Sendable, Equatable {
        /// The head is not complete yet.
        case incomplete
        /// Not for the front door: hand the connection to Vapor.
        case pass
        case request(FrontDoorRequest)
    }

    /// The longest head the front door reads; a longer one goes to Vapor (which has its own limit).
    static let maximumHeadLength = 8192

    /// The cookies a signed-out visitor may carry and still be answered here.
    struct CookieNames: Sendable {
        var csrf: String
        var language: String
    }

    /// `searchFrom`: how far the blank line was already looked for in these bytes (a head arriving
    /// a byte at a time is not searched again from its start on every byte).
    static func parse(_ buffer: ByteBuffer, cookies: CookieNames, searchFrom: Int = 0) -> Parse {
        buffer.withUnsafeReadableBytes { bytes in parse(bytes, cookies: cookies, searchFrom: searchFrom) }
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, cookies: CookieNames, searchFrom: Int = 0) -> Parse {
        let count = bytes.count
        // Only GET and HEAD: anything else is passed as soon as its first bytes show it.
        let get = Self.getPrefix, head = Self.headPrefix
        let headOnly: Bool
        if count >= 4, bytes.starts(with: get) {
            headOnly = false
        } else if count >= 5, bytes.starts(with: head) {
            headOnly = true
        } else if count < 5, get.starts(with: bytes.prefix(4)) || head.starts(with: bytes) {
            return .incomplete
        } else {
            return .pass
        }
        // The blank line that ends the head.
        let limit = min(count, maximumHeadLength)
        var end = -1
        var index = max(3, searchFrom)
        while index < limit {
            if bytes[index] == 0x0A {
                if bytes[index - 1] == 0x0D, bytes[index - 2] == 0x0A, bytes[index - 3] == 0x0D {
                    end = index + 1
                    break
                }
                // A line ended by a bare LF: lenient parsers take it, this one does not (Vapor decides).
                if bytes[index - 1] != 0x0D { return .pass }
            }
            index += 1
        }
        guard end > 0 else { return count >= maximumHeadLength ? .pass : .incomplete }

        // Request line: METHOD SP path SP HTTP/1.1 CRLF.
        var position = headOnly ? 5 : 4
        let pathStart = position
        while position < end, bytes[position] != 0x20 {
            guard isPathByte(bytes[position]) else { return .pass }
            position += 1
        }
        guard position > pathStart, bytes[pathStart] == UInt8(ascii: "/") else { return .pass }
        let path = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[pathStart..<position]), as: UTF8.self)
        guard isPlainPath(path) else { return .pass }
        let version = Self.versionSuffix
        guard position + version.count <= end, bytes[position..<(position + version.count)].elementsEqual(version) else { return .pass }
        position += version.count

        var request = FrontDoorRequest(headOnly: headOnly, path: path, close: false, csrfCookie: nil, languageCookie: nil,
                                       acceptLanguage: nil, acceptsGzip: false, length: end)
        var seen = Set<HeaderName>()
        // Header lines until the blank line.
        while position < end - 2 {
            var lineEnd = position
            while lineEnd < end, bytes[lineEnd] != 0x0D { lineEnd += 1 }
            guard lineEnd + 1 < end, bytes[lineEnd + 1] == 0x0A else { return .pass }
            var colon = position
            while colon < lineEnd, bytes[colon] != UInt8(ascii: ":") {
                guard isTokenByte(bytes[colon]) else { return .pass }  // also refuses obs-fold (a leading space)
                colon += 1
            }
            guard colon > position, colon < lineEnd else { return .pass }
            var valueStart = colon + 1, valueEnd = lineEnd
            for byte in bytes[valueStart..<valueEnd] where !(byte == 0x09 || (byte >= 0x20 && byte <= 0x7E)) { return .pass }
            while valueStart < valueEnd, bytes[valueStart] == 0x20 || bytes[valueStart] == 0x09 { valueStart += 1 }
            while valueEnd > valueStart, bytes[valueEnd - 1] == 0x20 || bytes[valueEnd - 1] == 0x09 { valueEnd -= 1 }
            let value = { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self) }
            guard let name = HeaderName.named(UnsafeRawBufferPointer(rebasing: bytes[position..<colon])) else {
                position = lineEnd + 2
                continue
            }
            switch name {
            case .refused:
                return .pass
            case .connection:
                for option in value().lowercased().split(separator: ",") {
                    switch option.trimmingCharacters(in: .whitespaces) {
                    case "close": request.close = true
                    case "keep-alive", "": break
                    default: return .pass
                    }
                }
            case .cookie, .acceptLanguage, .acceptEncoding:
                guard seen.insert(name).inserted else { return .pass }
                switch name {
                case .cookie:
                    // Only `name=value; name=value` with plain values: Vapor's cookie parser also
                    // splits on commas, unquotes and lets the last of two win, so anything it could
                    // read differently — a comma, a quote, a space inside, a name twice — is Vapor's.
                    for pair in value().split(separator: ";", omittingEmptySubsequences: false) {
                        let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isPlainCookieByte) }) else { return .pass }
                        let cookieName = String(parts[0]), cookieValue = String(parts[1])
                        if cookieName == cookies.csrf, request.csrfCookie == nil {
                            request.csrfCookie = cookieValue
                        } else if cookieName == cookies.language, request.languageCookie == nil {
                            request.languageCookie = cookieValue
                        } else {
                            return .pass  // a session, a message to show, or a cookie twice
                        }
                    }
                case .acceptLanguage: request.acceptLanguage = value()
                default: request.acceptsGzip = acceptsGzip(value())
                }
            }
            position = lineEnd + 2
        }
        return .request(request)
    }

    /// The head's header lines as Vapor would see them, for a request the front door asks Vapor to
    /// answer in the process (`FrontDoor.answer`). Called only for heads `parse` accepted.
    static func headers(of buffer: ByteBuffer, length: Int) -> [(String, String)] {
        let text = buffer.getString(at: buffer.readerIndex, length: length) ?? ""
        return text.split(separator: "\r\n").dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
    }

    /// `Accept-Encoding` allows gzip: listed (or `*`) with a q-value above 0, as NIO's compressor reads it.
    static func acceptsGzip(_ header: String) -> Bool {
        var gzip: Bool?, any: Bool?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            var quality: Float = 1
            if parts.count == 2 {
                let q = parts[1].split(separator: "=", maxSplits: 1)
                quality = q.count == 2 && q[0] == "q" ? Float(q[1]) ?? 0 : 0
            }
            if parts[0] == "gzip" || parts[0] == "x-gzip" { gzip = quality > 0 } else if parts[0] == "*" { any = quality > 0 }
        }
        return gzip ?? any ?? false
    }

    /// Letters, digits, `-._~/`: no percent-encoding to decode, no query, nothing two parsers could
    /// read differently.
    static func isPathByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            || byte == UInt8(ascii: "/")
    }

    /// Letters, digits, `-` and `_`: what Egide's cookie names and values are made of.
    static func isPlainCookieByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// No empty, `.` or `..` segment: the path is the one Vapor's router would see, unnormalised.
    static func isPlainPath(_ path: String) -> Bool {
        guard path.count <= 512 else { return false }
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        return segments.enumerated().allSatisfy { offset, segment in
            segment != "." && segment != ".." && (!segment.isEmpty || offset == segments.count - 1)
        }
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || tokenSymbols.contains(byte)
    }

    private static let tokenSymbols: [UInt8] = Array("!#$%&'*+-.^_`|~".utf8)
    private static let getPrefix: [UInt8] = Array("GET ".utf8)
    private static let headPrefix: [UInt8] = Array("HEAD ".utf8)
    private static let versionSuffix: [UInt8] = Array(" HTTP/1.1\r\n".utf8)

    /// The header fields the front door reads; every other field is ignored.
    enum HeaderName: Hashable, Sendable {
        /// A body, credentials, a condition or a protocol switch: Vapor's to answer.
        case refused
        case connection, cookie, acceptLanguage, acceptEncoding

        private static let names: [(String, HeaderName)] = [
            ("content-length", .refused), ("transfer-encoding", .refused), ("upgrade", .refused), ("expect", .refused),
            ("authorization", .refused), ("proxy-authorization", .refused), ("range", .refused), ("if-range", .refused),
            ("if-none-match", .refused), ("if-modified-since", .refused), ("if-match", .refused),
            ("if-unmodified-since", .refused), ("te", .refused), ("trailer", .refused),
            ("connection", .connection), ("cookie", .cookie), ("accept-language", .acceptLanguage),
            ("accept-encoding", .acceptEncoding),
        ]
        private static let table: [([UInt8], HeaderName)] = names.map { (Array($0.0.utf8), $0.1) }

        /// The field `bytes` names, compared without regard to case.
        static func named(_ bytes: UnsafeRawBufferPointer) -> HeaderName? {
            for (name, kind) in table where name.count == bytes.count {
                var index = 0
                while index < name.count, bytes[index] | 0x20 == name[index] { index += 1 }
                if index == name.count { return kind }
            }
            return nil
        }
    }
}
