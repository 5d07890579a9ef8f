import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// An answer as the front door sends it: the status line and headers Vapor's middlewares gave it,
/// and the body cut where a visitor's own values go (the CSRF token, a form's key). Made by
/// asking Vapor once, in the process, with markers in place of those values; each visitor then
/// gets the same bytes with the markers replaced by fresh values (`write`).
///
/// Answers Vapor declared the same for every signed-out visitor (`Response.keptUntil`: the shared
/// pages, the style sheet, `/healthz`) are kept in `SharedPages` until then; the others are used once.
struct FrontDoorAnswer: Sendable {
    enum Hole: Sendable, Equatable {
        case csrf
        case formKey
    }

    enum Part: Sendable {
        case bytes(ByteBuffer)
        case hole(Hole)
    }

    /// Status line and header lines, without `Date`, `Content-Length` or `Connection`.
    var head: ByteBuffer
    var body: [Part]
    /// The body's length once filled (every value has its marker's length).
    var bodyLength: Int
    /// The body carries the CSRF token: a visitor without the cookie gets one.
    var usesCSRF: Bool
    /// The same answer gzip-compressed, its holes outside the compressed stream, for clients that take it.
    var gzip: (head: ByteBuffer, pieces: [FrontDoorGzip.Piece], length: Int)?
    /// Kept until then (`SharedPages`); nil for an answer used once.
    var until: ContinuousClock.Instant?
    var status: HTTPResponseStatus

    /// What stands in a page for the CSRF token while the front door has it made: a token as
    /// `CSRFMiddleware.isWellFormed` accepts it, so the page is made as for a visitor who has one.
    /// Drawn at start, so no text anyone writes (a published appeal) can hold it.
    static let csrfMarker = "egide-hole-csrf-" + Secrets.token().prefix(27)
    /// What stands for a form's idempotency key (`SharedPages.Hole.formKey`).
    static let formKeyMarker = SharedPages.Hole.formKey.marker
    /// Bytes of a form key (`Secrets.token(bytes:)`): 24 characters, as long as its marker.
    static let formKeyBytes = 18

    /// The answer Vapor gave, cut at its markers; nil when it cannot be replayed (a cookie set for
    /// this one visitor is never kept — `keep` false — but may be sent once).
    init?(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer, until: ContinuousClock.Instant?, compress: Bool) {
        if until != nil, headers.contains(name: .setCookie) { return nil }
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        var compressible = false, html = false
        for (name, value) in headers {
            switch name.lowercased() {
            case "content-length", "date", "transfer-encoding", "connection": continue
            case "content-type":
                compressible = FrontDoorGzip.isCompressible(value)
                html = value.lowercased().hasPrefix("text/html")
            case "content-encoding": compressible = false  // already encoded: sent as it is
            default: break
            }
            guard !name.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return nil }
            head += "\(name): \(value)\r\n"
        }
        // Holes are cut in pages only, and only in valid UTF-8: any other body (an icon, a feed
        // that is not HTML) is sent byte for byte.
        var parts: [Part] = []
        var usesCSRF = false
        let text = html ? String(decoding: body.readableBytesView, as: UTF8.self) : ""
        if html, text.utf8.elementsEqual(body.readableBytesView) {
            var rest = Substring(text)
            let markers: [(String, Hole)] = [(Self.csrfMarker, .csrf), (Self.formKeyMarker, .formKey)]
            while let (hole, range) = markers.compactMap({ marker, hole in rest.range(of: marker).map { (hole, $0) } })
                .min(by: { $0.1.lowerBound < $1.1.lowerBound }) {
                parts.append(.bytes(ByteBuffer(string: String(rest[..<range.lowerBound]))))
                parts.append(.hole(hole))
                if hole == .csrf { usesCSRF = true }
                rest = rest[range.upperBound...]
            }
            if !rest.isEmpty || parts.isEmpty { parts.append(.bytes(ByteBuffer(string: String(rest)))) }
        } else {
            parts = [.bytes(body)]
        }
        self.body = parts
        self.bodyLength = parts.reduce(0) { total, part in
            switch part {
            case .bytes(let bytes): total + bytes.readableBytes
            case .hole(let hole): total + (hole == .csrf ? Self.csrfMarker.utf8.count : Self.formKeyMarker.utf8.count)
            }
        }
        self.status = status
        self.usesCSRF = usesCSRF
        self.until = until
        if compress, compressible, body.readableBytes >= FrontDoorGzip.minimumLength, let (pieces, length) = FrontDoorGzip.compress(parts) {
            // Both forms say that the answer depends on Accept-Encoding, for any cache on the way.
            head += "Vary: Accept-Encoding\r\n"
            self.gzip = (ByteBuffer(string: head + "Content-Encoding: gzip\r\n"), pieces, length)
        } else {
            self.gzip = nil
        }
        self.head = ByteBuffer(string: head)
    }

    /// Writes the answer for `request` to `context` (not flushed).
    func write(_ request: FrontDoorRequest, context: ChannelHandlerContext, config: AppConfig) {
        let csrf = request.csrfCookie.flatMap { CSRFMiddleware.isWellFormed($0) ? $0 : nil }
        let token = usesCSRF ? csrf ?? Secrets.token() : ""
        let compressed = request.acceptsGzip ? gzip : nil
        var extra = context.channel.allocator.buffer(capacity: 256)
        extra.writeString("Date: ")
        extra.writeString(HTTPDate.now())
        if usesCSRF, csrf == nil {
            extra.writeString("\r\nSet-Cookie: ")
            extra.writeString(CSRFMiddleware.cookie(token, config).serialize(name: CSRFMiddleware.cookieName(config)))
        }
        extra.writeString("\r\nContent-Length: ")
        extra.writeString(String(compressed?.length ?? bodyLength))
        extra.writeString(request.close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n")
        context.write(NIOAny(compressed?.head ?? head), promise: nil)
        context.write(NIOAny(extra), promise: nil)
        guard !request.headOnly else { return }
        let value = { (hole: Hole) in hole == .csrf ? token : Secrets.token(bytes: Self.formKeyBytes) }
        if let compressed {
            var values: [String] = []
            for piece in compressed.pieces {
                switch piece {
                case .deflated(let bytes, _, _):
                    context.write(NIOAny(bytes), promise: nil)
                case .hole(let hole):
                    values.append(value(hole))
                    context.write(NIOAny(FrontDoorGzip.storedBlock(values[values.count - 1])), promise: nil)
                }
            }
            context.write(NIOAny(FrontDoorGzip.trailer(compressed.pieces, values: values)), promise: nil)
        } else {
            for part in body {
                switch part {
                case .bytes(let bytes): context.write(NIOAny(bytes), promise: nil)
                case .hole(let hole): context.write(NIOAny(ByteBuffer(string: value(hole))), promise: nil)
                }
            }
        }
    }
}

extension Response {
    private struct KeptUntilKey: StorageKey { typealias Value = ContinuousClock.Instant }

    /// Set by whoever made this answer when it is the same for every signed-out visitor until then
    /// (once its per-visitor values are filled): the front door may replay it without asking again.
    var keptUntil: ContinuousClock.Instant? {
        get { storage[KeptUntilKey.self] }
        set { storage[KeptUntilKey.self] = newValue }
    }
}

extension Request {
    private struct FrontDoorKey: StorageKey { typealias Value = Bool }

    /// The front door is having this page made: its per-visitor values must be left as markers.
    var isFrontDoorTemplate: Bool {
        get { storage[FrontDoorKey.self] ?? false }
        set { storage[FrontDoorKey.self] = newValue }
    }
}

/// `Date` header values, made once a second.
enum HTTPDate {
    private static let cache = NIOLockedValueBox<(second: Int, text: String)>((-1, ""))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String {
        var time = time_t()
        time_t_now(&time)
        let second = Int(time)
        return cache.withLockedValue { cached in
            if cached.second == second { return cached.text }
            var parts = tm()
            gmtime_r(&time, &parts)
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
            cached = (second, text)
            return text
        }
    }

    private static func time_t_now(_ time: inout time_t) { _ = Foundation.time(&time) }
}
