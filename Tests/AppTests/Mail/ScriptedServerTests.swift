import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import App

/// A fake SMTP server on 127.0.0.1 for misbehaviour aiosmtpd will not produce: it sends
/// `greeting` on connect (nothing if empty), then answers each received line with
/// `respond(line)`, written as is (CRLFs included; nil = no answer). Received lines are recorded.
final class ScriptedServer: Sendable {
    private let channel: any Channel
    private let lines: NIOLockedValueBox<[String]>
    let port: Int

    var receivedLines: [String] { lines.withLockedValue { $0 } }

    private init(channel: any Channel, lines: NIOLockedValueBox<[String]>) {
        self.channel = channel
        self.lines = lines
        self.port = channel.localAddress!.port!
    }

    static func start(greeting: String, respond: @escaping @Sendable (String) -> String?) async throws -> ScriptedServer {
        let lines = NIOLockedValueBox<[String]>([])
        let channel = try await ServerBootstrap(group: NIOSingletons.posixEventLoopGroup)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        Handler(greeting: greeting, respond: { line in
                            lines.withLockedValue { $0.append(line) }
                            return respond(line)
                        }))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedServer(channel: channel, lines: lines)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let greeting: String
        let respond: (String) -> String?
        var pending: [UInt8] = []

        init(greeting: String, respond: @escaping (String) -> String?) {
            self.greeting = greeting
            self.respond = respond
        }

        func channelActive(context: ChannelHandlerContext) {
            if !greeting.isEmpty { send(greeting, context: context) }
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending += unwrapInboundIn(data).readableBytesView
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline].filter { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
                pending.removeSubrange(...newline)
                if let reply = respond(line) { send(reply, context: context) }
            }
        }

        private func send(_ text: String, context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        }
    }
}

/// Protocol edge cases against `ScriptedServer`.
@Suite struct ScriptedServerTests {
    func config(_ server: ScriptedServer, security: SMTPConfiguration.Security = .plain,
                timeout: Duration = .seconds(10)) -> SMTPConfiguration {
        SMTPConfiguration(host: "127.0.0.1", port: server.port, security: security, commandTimeout: timeout)
    }

    func connectError(_ configuration: SMTPConfiguration) async -> SMTPError? {
        do {
            let connection = try await SMTPConnection.connect(configuration: configuration)
            await connection.close()
            Issue.record("connect succeeded")
        } catch let error as SMTPError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
        }
        return nil
    }

    /// A well-behaved EHLO answer followed by per-command replies.
    static func basic(_ extra: @escaping @Sendable (String) -> String?) -> @Sendable (String) -> String? {
        { line in
            if line.hasPrefix("EHLO ") { return "250-fake.test greets you\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250 HELP\r\n" }
            if line == "QUIT" { return "221 bye\r\n" }
            return extra(line)
        }
    }

    @Test func silentServerTimesOutWaitingForTheGreeting() async throws {
        let server = try await ScriptedServer.start(greeting: "") { _ in nil }
        let error = await connectError(config(server, timeout: .milliseconds(300)))
        guard case .timeout(let command)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(command == "greeting")
        #expect(error?.isTransient == true)
        await server.stop()
    }

    @Test func refusedConnectionIsAConnectionError() async throws {
        let server = try await ScriptedServer.start(greeting: "") { _ in nil }
        await server.stop()  // nothing listens on that port any more
        let error = await connectError(config(server))
        guard case .connectionFailed? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(error?.isTransient == true)
    }

    @Test func unansweredCommandTimesOut() async throws {
        let server = try await ScriptedServer.start(greeting: "220 fake.test ESMTP\r\n") { _ in nil }
        let error = await connectError(config(server, timeout: .milliseconds(300)))
        guard case .timeout("EHLO")? = error else { Issue.record("got \(String(describing: error))"); return }
        await server.stop()
    }

    @Test func greeting421IsATemporaryFailure() async throws {
        let server = try await ScriptedServer.start(greeting: "421 4.3.2 too busy\r\n") { _ in nil }
        let error = await connectError(config(server))
        guard case .temporaryFailure("greeting", let reply)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(reply.code == 421)
        await server.stop()
    }

    @Test func malformedRepliesAreProtocolErrors() async throws {
        for greeting in ["hello there\r\n", "220-first\r\n221 mixed codes\r\n", "2x0 nope\r\n"] {
            let server = try await ScriptedServer.start(greeting: greeting) { _ in nil }
            let error = await connectError(config(server))
            await server.stop()
            guard case .protocolError? = error else { Issue.record("\(greeting.debugDescription): got \(String(describing: error))"); continue }
        }
    }

    @Test func dataInjectedAfterTheSTARTTLSReplyIsRefused() async throws {
        let server = try await ScriptedServer.start(greeting: "220 fake.test\r\n") { line in
            if line.hasPrefix("EHLO ") { return "250-fake.test\r\n250 STARTTLS\r\n" }
            if line == "STARTTLS" { return "220 2.0.0 go ahead\r\n250-AUTH PLAIN\r\n" }  // plaintext smuggled before TLS
            return nil
        }
        let error = await connectError(config(server, security: .startTLS))
        guard case .protocolError? = error else { Issue.record("got \(String(describing: error))"); return }
        await server.stop()
    }

    @Test func multiLineEHLOIsParsedAndARefusedSenderIsNotARecipientRefusal() async throws {
        let server = try await ScriptedServer.start(greeting: "220-fake.test ESMTP\r\n220 second line\r\n", respond: Self.basic { line in
            if line.hasPrefix("MAIL FROM:") { return "553 5.7.1 sender not allowed\r\n" }
            if line == "RSET" { return "250 2.0.0 reset\r\n" }
            return "500 unexpected\r\n"
        })
        let connection = try await SMTPConnection.connect(configuration: config(server))
        #expect(await connection.extensions == ["SIZE": "1000000", "8BITMIME": "", "HELP": ""])
        let message = try MailMessage(from: MailAddress("a@egide.test"), to: MailAddress("b@example.test"), subject: "x", textBody: "x")
        for _ in 0..<2 {  // the RSET keeps the connection usable
            do {
                _ = try await connection.send(message)
                Issue.record("send succeeded")
            } catch let error as SMTPError {
                guard case .unexpectedReply("MAIL FROM", let reply) = error else { Issue.record("got \(error)"); continue }
                #expect(reply.enhancedStatusCode == "5.7.1")
                #expect(!error.isPermanent)
            }
        }
        await connection.close()
        #expect(server.receivedLines.filter { $0 == "RSET" }.count == 2)
        await server.stop()
    }

    @Test func rejectionAtTheEndOfDataIsPermanentAndDotsAreStuffed() async throws {
        let server = try await ScriptedServer.start(greeting: "220 fake.test\r\n", respond: Self.basic { line in
            switch line {
            case _ where line.hasPrefix("MAIL FROM:"), _ where line.hasPrefix("RCPT TO:"): "250 ok\r\n"
            case "DATA": "354 go ahead\r\n"
            case ".": "554 5.7.1 rejected as spam\r\n"
            default: nil
            }
        })
        let connection = try await SMTPConnection.connect(configuration: config(server))
        let message = try MailMessage(from: MailAddress("a@egide.test"), to: MailAddress("b@example.test"),
                                      subject: "x", textBody: "one\n.\n.two\n")
        do {
            _ = try await connection.send(message)
            Issue.record("send succeeded")
        } catch let error as SMTPError {
            guard case .recipientRefused("b@example.test", let reply) = error else { Issue.record("got \(error)"); return }
            #expect(reply.code == 554 && error.isPermanent)
        }
        await connection.close()
        let lines = server.receivedLines
        #expect(lines.contains("..") && lines.contains("..two") && !lines.contains(".two"))
        #expect(lines.filter { $0 == "." }.count == 1)
        #expect(!lines.contains("RSET"))
        await server.stop()
    }
}
