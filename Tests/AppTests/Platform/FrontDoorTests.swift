@testable import App
import CZlib
import EgideCore
import Foundation
import NIOCore
import NIOPosix
import Testing
import Vapor
import VaporTesting

/// The front door (`Sources/App/FrontDoor`): what it answers itself is what Vapor would have
/// answered, byte for byte but the visitor's own values; everything else reaches Vapor unchanged,
/// on the same connection, in order.
@Suite struct FrontDoorTests {
    static let names = FrontDoorRequest.CookieNames(csrf: "__Host-egide-csrf", language: "egide-lang")

    static func parse(_ text: String) -> FrontDoorRequest.Parse {
        FrontDoorRequest.parse(ByteBuffer(string: text), cookies: names)
    }

    static let browser = "GET /en/alert HTTP/1.1\r\nHost: egide.example\r\nUser-Agent: Mozilla/5.0\r\n"
        + "Accept: text/html\r\nAccept-Language: fr-FR,fr;q=0.9\r\nAccept-Encoding: gzip, deflate, br\r\n"
        + "Cookie: __Host-egide-csrf=abc; egide-lang=ar\r\nConnection: keep-alive\r\n\r\n"

    // MARK: - Reading a head

    @Test func a_browser_asking_for_the_form_is_read_whole() throws {
        guard case .request(let request) = Self.parse(Self.browser + "GET /next") else { Issue.record("not read"); return }
        #expect(request.path == "/en/alert" && !request.headOnly && !request.close)
        #expect(request.csrfCookie == "abc" && request.languageCookie == "ar" && request.acceptLanguage == "fr-FR,fr;q=0.9")
        #expect(request.acceptsGzip)
        #expect(request.length == Self.browser.utf8.count, "the next request starts after the blank line")
        guard case .request(let head) = Self.parse("HEAD / HTTP/1.1\r\nConnection: close\r\n\r\n") else { Issue.record("HEAD"); return }
        #expect(head.headOnly && head.close && head.path == "/")
    }

    @Test func anything_but_a_plain_signed_out_get_goes_to_vapor() {
        let passed = [
            "POST /en/alert HTTP/1.1\r\n", "PUT / HTTP/1.1\r\n\r\n", "get / HTTP/1.1\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.0\r\n\r\n", "GET / HTTP/2\r\n\r\n", "GET /en/alert?lang=fr HTTP/1.1\r\n\r\n", "GET /%65n/alert HTTP/1.1\r\n\r\n",
            "GET /en/../alert HTTP/1.1\r\n\r\n", "GET //en/alert HTTP/1.1\r\n\r\n", "GET /en/./alert HTTP/1.1\r\n\r\n",
            "GET http://egide.example/ HTTP/1.1\r\n\r\n", "GET * HTTP/1.1\r\n\r\n", "GET /é HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "GET / HTTP/1.1\r\ncontent-LENGTH: 5\r\n\r\nhello",
            "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n Folded: b\r\n\r\n",
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n", "GET / HTTP/1.1\r\nX-A: b\u{0}c\r\n\r\n", "GET / HTTP/1.1\r\nX-A: é\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\n\n", "GET / HTTP/1.1\r\nHost: a\n\r\n", "GET / HTTP/1.1\r\nCookie: egide-session=x\r\n\r\n",
            "GET / HTTP/1.1\r\nCookie: __Host-egide-csrf=a; __Host-egide-csrf=b\r\n\r\n",
            "GET / HTTP/1.1\r\nCookie: egide-lang=fr\r\nCookie: egide-lang=en\r\n\r\n",
            "GET / HTTP/1.1\r\nAuthorization: Bearer x\r\n\r\n", "GET /css/egide.css HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n",
            "GET / HTTP/1.1\r\nRange: bytes=0-1\r\n\r\n", "GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
            "GET / HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
            // Cookies Vapor's parser reads otherwise (commas, quotes, spaces, empty pairs).
            "GET / HTTP/1.1\r\nCookie: egide-lang=x, __Host-egide-csrf=AAAA\r\n\r\n", "GET / HTTP/1.1\r\nCookie: egide-lang=\"fr\"\r\n\r\n",
            "GET / HTTP/1.1\r\nCookie: egide-lang=f r\r\n\r\n", "GET / HTTP/1.1\r\nCookie: egide-lang=fr;\r\n\r\n",
            "GET / HTTP/1.1\r\nCookie: egide-lang\r\n\r\n", "GET / HTTP/1.1\r\n" + String(repeating: "X-Pad: aaaaaaaa\r\n", count: 600),
        ]
        for text in passed { #expect(Self.parse(text) == .pass, "\(text.debugDescription)") }
        for text in ["", "G", "GE", "GET", "HEA", "GET /en/al", "GET / HTTP/1.1\r\nHost: a\r\n"] {
            #expect(Self.parse(text) == .incomplete, "\(text.debugDescription)")
        }
    }

    @Test func gzip_is_taken_as_nios_compressor_reads_accept_encoding() {
        let cases: [(String, Bool)] = [("gzip", true), ("gzip, deflate, br", true), ("br, GZIP;q=0.5", true), ("gzip;q=0", false),
                                       ("*;q=0.1", true), ("*", true), ("identity", false), ("br", false), ("gzip;q", false),
                                       ("*, gzip;q=0", false), ("x-gzip", true)]
        for (header, expected) in cases { #expect(FrontDoorRequest.acceptsGzip(header) == expected, "\(header)") }
    }

    /// Whatever the bytes, the parser answers, and never lets a head that names a body through.
    @Test func random_heads_never_pass_a_body_through() {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["GET ", "HEAD ", "/", "en", "alert", "?", "%", " HTTP/1.1", "\r\n", "\r", "\n", ": ", "Content-Length", "content-length",
                      "Transfer-Encoding", "chunked", "Cookie", "__Host-egide-csrf=", "egide-lang=", "; ", "Host", "x", " ", "\t", "0", "\u{0}", "é"]
        for _ in 0..<20_000 {
            var text = Bool.random(using: &generator) ? "GET / HTTP/1.1\r\n" : ""
            for _ in 0..<Int.random(in: 1...30, using: &generator) { text += pieces.randomElement(using: &generator)! }
            if Bool.random(using: &generator) { text += "\r\n\r\n" }
            if case .request(let request) = Self.parse(text) {
                let head = String(text.utf8.prefix(request.length))!.lowercased()
                let names = head.components(separatedBy: "\r\n").dropFirst().map { $0.split(separator: ":", maxSplits: 1).first ?? "" }
                #expect(!names.contains { ["content-length", "transfer-encoding"].contains($0.trimmingCharacters(in: .whitespaces)) },
                        "\(text.debugDescription)")
                #expect(head.hasSuffix("\r\n\r\n") && !head.dropLast(4).contains("\r\n\r\n"))
                #expect(!request.path.contains("?") && !request.path.contains("%"))
            }
        }
    }

    // MARK: - Compressing with holes

    static func gunzip(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 31, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: 1 << 20)
        let status = input.withUnsafeMutableBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                stream.next_in = input.baseAddress
                stream.avail_in = uInt(input.count)
                stream.next_out = output.baseAddress
                stream.avail_out = uInt(output.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        // Z_STREAM_END only when the trailer's CRC-32 and length match what was inflated.
        guard status == Z_STREAM_END, stream.avail_in == 0 else { return nil }
        return Array(output[0..<Int(stream.total_out)])
    }

    @Test func a_page_compressed_once_inflates_with_each_visitors_values() throws {
        let csrf = FrontDoorAnswer.csrfMarker, key = FrontDoorAnswer.formKeyMarker
        let pages = [
            "<!DOCTYPE html><form><input name=_csrf value=\"\(csrf)\"><input name=k value=\"\(key)\">"
                + String(repeating: "<option>Tunisie</option>", count: 300) + "</form>",
            csrf + String(repeating: "début ", count: 400),
            String(repeating: "fin — ", count: 400) + key,
            String(repeating: "x", count: 2000),
        ]
        for page in pages {
            let answer = try #require(FrontDoorAnswer(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"],
                                                      body: ByteBuffer(string: page), until: nil, compress: true))
            let gzip = try #require(answer.gzip)
            for _ in 0..<3 {
                var values: [String] = []
                var bytes: [UInt8] = []
                for piece in gzip.pieces {
                    switch piece {
                    case .deflated(let buffer, _, _): bytes += Array(buffer: buffer)
                    case .hole(let hole):
                        values.append(hole == .csrf ? Secrets.token() : Secrets.token(bytes: FrontDoorAnswer.formKeyBytes))
                        bytes += Array(buffer: FrontDoorGzip.storedBlock(values.last!))
                    }
                }
                bytes += Array(buffer: FrontDoorGzip.trailer(gzip.pieces, values: values))
                #expect(bytes.count == gzip.length, "the length announced is the length sent")
                var expected = page
                for value in values {
                    let marker = value.count == 43 ? csrf : key
                    expected = expected.replacingOccurrences(of: marker, with: value, options: [], range: expected.range(of: marker))
                }
                let inflated = try #require(Self.gunzip(bytes), "a valid gzip member, CRC and length included")
                #expect(String(decoding: inflated, as: UTF8.self) == expected)
                #expect(bytes.count < page.utf8.count / 2)
                // The token travels uncompressed, as itself, in a stored block.
                if let first = values.first { #expect(String(decoding: bytes, as: UTF8.self).contains(first)) }
            }
        }
    }

    // MARK: - Serving

    /// Runs `body` with a front door in front of `app`, on a port of the system's choosing.
    static func withFrontDoor(_ app: Application, _ body: (Int) async throws -> Void) async throws {
        let server = FrontDoorServer(app: app)
        try await server.start(address: .hostname("127.0.0.1", port: 0))
        do {
            try await body(try #require(server.localAddress?.port))
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test func kept_answers_are_vapors_own_but_for_each_visitors_values() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let paths = ["/en/alert", "/fr/alerte", "/alert", "/ar/alert/follow-up", "/", "/sign-in", "/no-such-page", "/css/egide.css", "/healthz"]
                for path in paths {
                    for round in 0..<3 {  // made by Vapor in the process, then kept
                        let connection = try await RawConnection(port: port)
                        let answers = try await connection.exchange("GET \(path) HTTP/1.1\r\nHost: x\r\nAccept-Language: fr\r\n\r\n", answers: 1)
                        let direct = try await app.send(.GET, path, headers: ["Accept-Language": "fr"])
                        let answer = try #require(answers.first)
                        #expect(answer.status == Int(direct.status.code), "\(path)")
                        let ignored: Set<String> = ["date", "set-cookie", "content-length", "vary", "connection"]
                        func fields(_ pairs: [(String, String)]) -> [String] {
                            pairs.filter { !ignored.contains($0.0.lowercased()) }.map { "\($0.0.lowercased()): \($0.1)" }.sorted()
                        }
                        #expect(fields(answer.headers) == fields(direct.headers.map { ($0.name, $0.value) }), "\(path), round \(round)")
                        let tokens = /value="[A-Za-z0-9_-]{24,43}"/
                        #expect(answer.body.replacing(tokens, with: "") == direct.text.replacing(tokens, with: ""), "\(path)")
                        #expect(!answer.body.contains("egide-hole"))
                        if let token = PublicPagesTests.hidden("_csrf", in: answer.body) {
                            #expect(answer.headers.contains { $0.0 == "Set-Cookie" && $0.1.hasPrefix("__Host-egide-csrf=\(token);") && $0.1.contains("HttpOnly") })
                        }
                        await connection.close()
                    }
                }
                let connection = try await RawConnection(port: port)
                _ = try await connection.exchange("GET /en/alert HTTP/1.1\r\n\r\nGET /css/egide.css HTTP/1.1\r\n\r\nGET /no-such-page HTTP/1.1\r\n\r\n", answers: 3)
                // Kept, so the next visitors are answered without Vapor.
                for key in ["/en/alert\u{0}en", "/css/egide.css\u{0}en", "/no-such-page\u{0}en"] {
                    #expect(app.sharedPages.answer(key, now: .now) != nil, "\(key) is kept")
                }
                await connection.close()
            }
        }
    }

    @Test func a_visitor_keeps_their_token_and_gets_the_compressed_form() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                let token = Secrets.token()
                let request = "GET /en/alert HTTP/1.1\r\nAccept-Encoding: gzip\r\nCookie: __Host-egide-csrf=\(token)\r\n\r\n"
                let answers = try await connection.exchange(request + request, answers: 2)
                for answer in answers {
                    #expect(answer.header("Content-Encoding") == "gzip" && answer.header("Set-Cookie") == nil)
                    let html = String(decoding: try #require(Self.gunzip(answer.raw)), as: UTF8.self)
                    #expect(PublicPagesTests.hidden("_csrf", in: html) == token)
                    #expect(html.contains("</html>"))
                }
                let keys = try answers.map { String(decoding: try #require(Self.gunzip($0.raw)), as: UTF8.self) }
                    .map { PublicPagesTests.hidden("idempotencyKey", in: $0) }
                #expect(keys[0] != nil && keys[0] != keys[1], "each answer has a form key of its own")
                await connection.close()
            }
        }
    }

    @Test func one_connection_is_answered_in_order_and_handed_to_vapor_at_the_first_form() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                _ = try await connection.exchange("GET /en/alert HTTP/1.1\r\n\r\n", answers: 1)  // kept from now on
                let post = "POST /en/alert HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n\r\na=b"
                let pipelined = "GET /en/alert HTTP/1.1\r\n\r\nHEAD /healthz HTTP/1.1\r\n\r\n" + post + "GET /healthz HTTP/1.1\r\n\r\nGET /cases HTTP/1.1\r\n\r\n"
                let answers = try await connection.exchange(pipelined, answers: 5)
                #expect(answers.map(\.status) == [200, 200, 403, 200, 303])
                #expect(answers[1].raw.isEmpty && answers[1].header("Content-Length") == "3", "HEAD: the head only")
                #expect(answers[3].body == "ok\n")
                await connection.close()
            }
        }
    }

    @Test func a_head_sent_a_byte_at_a_time_is_answered_once_whole() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                for byte in "GET /sign-in HTTP/1.1\r\nHost: x\r\n\r\n".utf8 { try await connection.send(String(UnicodeScalar(byte))) }
                let answers = try await connection.exchange("", answers: 1)
                #expect(answers.map(\.status) == [200])
                await connection.close()
            }
        }
    }

    /// A visitor's headers cannot put their token, or their language, into the page others get.
    @Test func no_visitor_can_poison_a_kept_page() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let forged = String(repeating: "A", count: 43)
                for cookie in ["egide-lang=x, __Host-egide-csrf=\(forged)", "__Host-egide-csrf=\(forged), egide-lang=ar", "egide-lang=\"fr\""] {
                    let attacker = try await RawConnection(port: port)
                    _ = try await attacker.exchange("GET /en/alert HTTP/1.1\r\nCookie: \(cookie)\r\n\r\nGET / HTTP/1.1\r\nCookie: \(cookie)\r\n\r\n", answers: 2)
                    await attacker.close()
                }
                let visitor = try await RawConnection(port: port)
                let pages = try await visitor.exchange("GET /en/alert HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nAccept-Language: en\r\n\r\n", answers: 2)
                let token = try #require(PublicPagesTests.hidden("_csrf", in: pages[0].body))
                #expect(token != forged && pages[0].header("Set-Cookie")?.contains("=\(token);") == true)
                #expect(pages[1].header("Content-Language") == "en")
                await visitor.close()
            }
        }
    }

    /// Files that are not pages go out byte for byte (a hole is cut in HTML only).
    @Test func a_binary_file_is_sent_as_it_is() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let file = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Public/favicon.ico"))
                let connection = try await RawConnection(port: port)
                let answers = try await connection.exchange("GET /favicon.ico HTTP/1.1\r\n\r\nGET /favicon.ico HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n", answers: 3)
                #expect(answers[0].raw == Array(file) && answers[1].raw == Array(file))
                #expect(answers[2].body == "ok\n", "the connection is still in step")
                await connection.close()
            }
        }
    }

    @Test func connection_close_is_honoured() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                let answers = try await connection.exchange("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", answers: 1)
                #expect(answers.first?.header("Connection") == "close")
                #expect(try await connection.readsEndOfStream())
            }
        }
    }

    @Test func a_signed_in_visitor_is_never_answered_from_memory() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                _ = try await connection.exchange("GET /en/alert HTTP/1.1\r\n\r\n", answers: 1)
                let signedIn = try await connection.exchange("GET /en/alert HTTP/1.1\r\nCookie: __Host-egide-session=whatever\r\n\r\n", answers: 1)
                #expect(signedIn.first?.status == 200)
                #expect(signedIn.first?.header("Set-Cookie")?.contains("egide-csrf") == true, "Vapor's own answer, which sets its cookie")
                await connection.close()
            }
        }
    }

    @Test func a_category_change_reaches_the_kept_form_at_once() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                let before = try await connection.exchange("GET /en/alert HTTP/1.1\r\n\r\n", answers: 1)
                #expect(before.first?.body.contains("Seizure of equipment") == false)
                try await AlertCategoryRecord(code: "equipment_seizure", labelEN: "Seizure of equipment", labelFR: "Saisie de matériel", position: 99)
                    .create(on: app.db)
                app.categoriesChanged()
                let after = try await connection.exchange("GET /en/alert HTTP/1.1\r\n\r\n", answers: 1)
                #expect(after.first?.body.contains("Seizure of equipment") == true)
                await connection.close()
            }
        }
    }

    @Test func vapor_knows_which_client_a_handed_over_connection_came_from() async throws {
        try await withApp { app in
            try await Self.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                _ = try await connection.exchange("POST /sign-in HTTP/1.1\r\nContent-Length: 0\r\n\r\n", answers: 1)
                let door = try #require(app.frontDoor)
                let clientPort = try #require(connection.localPort)
                // The handed-over connection's loopback port names this client.
                #expect(door.peers.all.values.contains { $0.port == clientPort })
                await connection.close()
            }
        }
    }
}

/// A plain TCP connection that reads HTTP/1.1 answers framed by `Content-Length`.
final class RawConnection: @unchecked Sendable {
    struct Answer {
        var status: Int
        var headers: [(String, String)]
        /// The body's bytes as sent (compressed or not).
        var raw: [UInt8]
        var body: String { String(decoding: raw, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var received: [UInt8] = []
    let localPort: Int?

    init(port: Int) async throws {
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
        localPort = channel.channel.localAddress?.port
        iterator = channel.inbound.makeAsyncIterator()
    }

    func send(_ text: String) async throws {
        try await channel.outbound.write(ByteBuffer(string: text))
    }

    /// Sends `text` and reads `answers` answers; a HEAD request must be the only one if sent.
    func exchange(_ text: String, answers count: Int) async throws -> [Answer] {
        if !text.isEmpty { try await send(text) }
        var answers: [Answer] = []
        // Which of the requests sent are HEAD (their answers have no body).
        var headsLeft = text.components(separatedBy: "\r\n").filter { $0.hasPrefix("GET ") || $0.hasPrefix("HEAD ") || $0.hasPrefix("POST ") }
            .map { $0.hasPrefix("HEAD ") }
        while answers.count < count {
            let isHead = headsLeft.isEmpty ? false : headsLeft.removeFirst()
            answers.append(try await readAnswer(headOnly: isHead))
        }
        return answers
    }

    private func readAnswer(headOnly: Bool) async throws -> Answer {
        let separator: [UInt8] = [13, 10, 13, 10]
        var end: Int?
        while end == nil {
            if received.count >= 4 { end = (0...(received.count - 4)).first { received[$0..<($0 + 4)].elementsEqual(separator) } }
            if end == nil { try await more() }
        }
        let head = String(decoding: received[0..<end!], as: UTF8.self)
        received.removeFirst(end! + 4)
        var lines = head.components(separatedBy: "\r\n")
        let status = Int(lines.removeFirst().split(separator: " ")[1])!
        let headers = lines.map { line -> (String, String) in
            let colon = line.firstIndex(of: ":")!
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headOnly ? 0 : Int(headers.first { $0.0.lowercased() == "content-length" }?.1 ?? "0")!
        while received.count < length { try await more() }
        let body = Array(received[0..<length])
        received.removeFirst(length)
        return Answer(status: status, headers: headers, raw: body)
    }

    private func more() async throws {
        guard let buffer = try await iterator.next() else { throw ChannelError.eof }
        received += Array(buffer: buffer)
    }

    /// The server closed the connection (after what it had sent).
    func readsEndOfStream() async throws -> Bool {
        while true {
            guard let buffer = try await iterator.next() else { return true }
            if buffer.readableBytes > 0 { return false }
        }
    }

    func close() async {
        try? await channel.channel.close()
    }
}

/// The weight budget of the public pages (docs/DEPLOYMENT.md, "Speed"): what a defender on a 2G line
/// downloads before the form shows. Their time budget is the bench's (`egide bench pages`).
@Suite struct PublicPageBudgetTests {
    /// Bytes as sent to a browser (gzip), and as the page is.
    static let compressedBudget = 8 * 1024
    static let plainBudget = 32 * 1024

    @Test func every_public_page_keeps_its_weight_budget_and_asks_nothing_of_anyone_else() async throws {
        try await withApp { app in
            try await FrontDoorTests.withFrontDoor(app) { port in
                let connection = try await RawConnection(port: port)
                for path in PublicPagesTests.sharedPaths {
                    let plain = try #require(try await connection.exchange("GET \(path) HTTP/1.1\r\n\r\n", answers: 1).first)
                    let compressed = try #require(try await connection.exchange("GET \(path) HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n", answers: 1).first)
                    #expect(plain.raw.count <= Self.plainBudget, "\(path): \(plain.raw.count) bytes")
                    #expect(compressed.header("Content-Encoding") == "gzip" && compressed.raw.count <= Self.compressedBudget,
                            "\(path): \(compressed.raw.count) bytes compressed")
                    let html = plain.body
                    #expect(!html.contains("<script") && !html.contains("<iframe") && !html.contains("<img"), "\(path)")
                    let external = html.matches(of: /(?:src|href|action)="(?:https?:)?\/\/[^"]*"/).map { String($0.0) }
                    #expect(external.isEmpty, "\(path) asks another site for \(external)")
                }
                await connection.close()
            }
        }
    }
}
