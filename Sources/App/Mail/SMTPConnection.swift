import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// One SMTP session: connect once, send many messages, then `close()`.
///
/// ```swift
/// let connection = try await SMTPConnection.connect(configuration: config)
/// for message in batch {
///     do {
///         let receipt = try await connection.send(message)
///     } catch let error as SMTPError where error.isPermanent {
///         // refused for good: record it
///     } catch {
///         // retry later; if `await connection.isOpen` is false, reconnect first
///     }
/// }
/// await connection.close()
/// ```
///
/// Calls are serialized: concurrent `send`s wait their turn, so each transaction
/// (MAIL FROM / RCPT TO / DATA) runs alone. After a connection-level error (lost connection,
/// timeout, protocol error) every later call fails with that error class; open a new connection.
/// A refused or temporarily failed recipient does not spoil the connection: the transaction is
/// reset with RSET and the next `send` proceeds.
public actor SMTPConnection {
    public nonisolated let configuration: SMTPConfiguration
    /// The EHLO extensions last announced by the server: keyword (upper-cased) → parameters,
    /// e.g. `["STARTTLS": "", "AUTH": "PLAIN LOGIN", "SIZE": "33554432"]`.
    public private(set) var extensions: [String: String] = [:]
    /// True once the session runs over TLS (implicit TLS or after STARTTLS).
    public private(set) var isEncrypted: Bool
    public private(set) var isAuthenticated = false
    /// False once the connection has failed at the connection level or been closed: open a new one.
    public var isOpen: Bool { isUsable }

    private let channel: any Channel
    private let sslContext: NIOSSLContext?
    /// False after a connection-level error or `close()`.
    private var isUsable = true
    private var isBusy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    private init(channel: any Channel, configuration: SMTPConfiguration, sslContext: NIOSSLContext?) {
        self.channel = channel
        self.configuration = configuration
        self.sslContext = sslContext
        self.isEncrypted = configuration.security == .implicitTLS
    }

    deinit {
        channel.close(promise: nil)  // in case close() was never called
    }

    // MARK: - Opening

    /// Connects, reads the greeting, says EHLO, upgrades with STARTTLS (then EHLO again) and
    /// authenticates, as the configuration asks.
    ///
    /// Credentials are only ever sent over TLS, or in `.plain` mode to a loopback host.
    public static func connect(
        configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = NIOSingletons.posixEventLoopGroup
    ) async throws -> SMTPConnection {
        try configuration.validate()
        let sslContext = configuration.security == .plain ? nil : try makeSSLContext(configuration.trustRoots)

        let eventLoop = eventLoopGroup.next()
        let greeting = eventLoop.makePromise(of: SMTPReply.self)
        let implicitTLS = configuration.security == .implicitTLS ? sslContext : nil
        let serverHostname = configuration.tlsServerHostname
        let timeout = configuration.commandTimeout.timeAmount

        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: eventLoop)
                .connectTimeout(configuration.connectTimeout.timeAmount)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        if let implicitTLS {
                            try pipeline.addHandler(NIOSSLClientHandler(context: implicitTLS, serverHostname: serverHostname))
                        }
                        try pipeline.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        try pipeline.addHandler(SMTPClientHandler(greeting: greeting, timeout: timeout))
                    }
                }
                .connect(host: configuration.host.trimmingBrackets, port: configuration.port)
                .get()
        } catch {
            greeting.fail(error)
            if let error = error as? SMTPError { throw error }
            if case ChannelError.connectTimeout? = error as? ChannelError { throw SMTPError.timeout(command: "connect") }
            throw SMTPError.connectionFailed(reason: "cannot connect to \(configuration.host):\(configuration.port): \(error)")
        }

        let connection = SMTPConnection(channel: channel, configuration: configuration, sslContext: sslContext)
        do {
            try await connection.open(greeting: greeting.futureResult)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    private func open(greeting: EventLoopFuture<SMTPReply>) async throws {
        let reply = try await reply(to: greeting)
        guard reply.code == 220 else { throw Self.error(for: reply, command: "greeting") }
        try await hello()

        if configuration.security == .startTLS {
            guard extensions["STARTTLS"] != nil, let sslContext else { throw SMTPError.startTLSUnavailable }
            let reply = try await execute(
                .startTLS(sslContext, serverHostname: configuration.tlsServerHostname), label: "STARTTLS")
            guard reply.code == 220 else { throw Self.error(for: reply, command: "STARTTLS") }
            isEncrypted = true
            try await hello()  // RFC 3207: forget what was learned before TLS
        }

        if let credentials = configuration.credentials {
            guard isEncrypted || configuration.isLoopbackHost else {
                throw SMTPError.invalidConfiguration(reason: "refusing to send credentials without TLS")
            }
            try await authenticate(credentials)
        }
    }

    private func hello() async throws {
        let reply = try await command("EHLO \(configuration.ehloName)", label: "EHLO")
        guard reply.code == 250 else { throw Self.error(for: reply, command: "EHLO") }
        var extensions: [String: String] = [:]
        for line in reply.lines.dropFirst() {  // the first line is the server's name
            let parts = line.split(separator: " ", maxSplits: 1)
            guard let keyword = parts.first?.uppercased() else { continue }
            extensions[keyword] = parts.count > 1 ? String(parts[1]) : ""
        }
        self.extensions = extensions
    }

    /// AUTH PLAIN (RFC 4616) when offered, else AUTH LOGIN.
    private func authenticate(_ credentials: SMTPCredentials) async throws {
        let mechanisms = Set((extensions["AUTH"] ?? "").uppercased().split(separator: " "))
        let reply: SMTPReply
        if mechanisms.contains("PLAIN") {
            let token = Self.base64("\u{0}\(credentials.username)\u{0}\(credentials.password)")
            reply = try await command("AUTH PLAIN \(token)", label: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            let start = try await command("AUTH LOGIN", label: "AUTH LOGIN")
            guard start.code == 334 else { throw Self.authenticationError(start) }
            let user = try await command(Self.base64(credentials.username), label: "AUTH LOGIN username")
            guard user.code == 334 else { throw Self.authenticationError(user) }
            reply = try await command(Self.base64(credentials.password), label: "AUTH LOGIN password")
        } else {
            throw SMTPError.authenticationFailed(reply: nil)
        }
        guard reply.code == 235 else { throw Self.authenticationError(reply) }
        isAuthenticated = true
    }

    // MARK: - Sending

    /// Sends one message in its own transaction and returns once the server has accepted it.
    ///
    /// - Throws: `SMTPError.recipientRefused` (permanent: 5xx to RCPT TO / DATA / the message),
    ///   `.temporaryFailure` (4xx), `.unexpectedReply` (e.g. sender refused), or a
    ///   connection-level error. After a refusal the transaction is reset and the connection
    ///   stays usable.
    public func send(_ message: MailMessage) async throws -> SMTPReceipt {
        await acquire()
        defer { release() }

        let recipient = message.to.address
        let mailFrom = try await command("MAIL FROM:<\(message.from.address)>", label: "MAIL FROM")
        guard mailFrom.code == 250 else {
            await resetTransaction()
            throw Self.error(for: mailFrom, command: "MAIL FROM")
        }
        let rcptTo = try await command("RCPT TO:<\(recipient)>", label: "RCPT TO")
        guard rcptTo.code == 250 || rcptTo.code == 251 else {
            await resetTransaction()
            throw Self.error(for: rcptTo, command: "RCPT TO", recipient: recipient)
        }
        let data = try await command("DATA", label: "DATA")
        guard data.code == 354 else {
            await resetTransaction()
            throw Self.error(for: data, command: "DATA", recipient: recipient)
        }
        let payload = Self.dotStuffed(message.rendered(), allocator: channel.allocator)
        let accepted: SMTPReply
        do {
            accepted = try await execute(.send(payload), label: "end of DATA")
        } catch let error as SMTPError {
            // The data left: without the final reply nobody knows whether the server kept it.
            switch error {
            case .timeout, .connectionFailed, .protocolError: throw SMTPError.deliveryUncertain(reason: error.description)
            default: throw error
            }
        }
        // After the final reply the server has ended the transaction either way: no RSET needed.
        guard accepted.code == 250 else { throw Self.error(for: accepted, command: "end of DATA", recipient: recipient) }
        return SMTPReceipt(messageID: message.messageID, recipient: recipient, reply: accepted)
    }

    /// Says QUIT (if the connection is still usable) and closes it. Never throws; safe to call twice.
    public func close() async {
        await acquire()
        defer { release() }
        if isUsable {
            _ = try? await command("QUIT", label: "QUIT", timeout: min(configuration.commandTimeout, .seconds(5)))
        }
        isUsable = false
        try? await channel.close()
    }

    // MARK: - Commands

    private func command(_ line: String, label: String, timeout: Duration? = nil) async throws -> SMTPReply {
        try await execute(.send(channel.allocator.buffer(string: line + "\r\n")), label: label, timeout: timeout)
    }

    /// Writes one request and waits for its reply. Any failure here is connection-level: the
    /// connection is marked unusable and closed.
    private func execute(_ action: SMTPRequest.Action, label: String, timeout: Duration? = nil) async throws -> SMTPReply {
        guard isUsable else { throw SMTPError.connectionFailed(reason: "the connection is closed") }
        let promise = channel.eventLoop.makePromise(of: SMTPReply.self)
        let request = SMTPRequest(
            action: action, label: label,
            timeout: (timeout ?? configuration.commandTimeout).timeAmount, promise: promise)
        // If the channel is already closed the request never reaches the handler: fail it here.
        // (A promise completed twice keeps its first result.)
        channel.writeAndFlush(request).whenFailure { promise.fail($0) }
        return try await reply(to: promise.futureResult)
    }

    private func reply(to future: EventLoopFuture<SMTPReply>) async throws -> SMTPReply {
        do {
            let reply = try await future.get()
            if reply.code == 421 {  // "service not available, closing transmission channel"
                isUsable = false
                channel.close(promise: nil)
            }
            return reply
        } catch {
            isUsable = false
            channel.close(promise: nil)
            throw SMTPClientHandler.smtpError(from: error)
        }
    }

    /// RSET after a refused command so the next transaction starts clean. If even that fails,
    /// the connection is given up.
    private func resetTransaction() async {
        guard isUsable else { return }
        if let reply = try? await command("RSET", label: "RSET"), reply.code == 250 { return }
        isUsable = false
        channel.close(promise: nil)
    }

    // MARK: - Serialization

    /// Waits until no other call is running on this connection.
    private func acquire() async {
        guard isBusy else {
            isBusy = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }  // ownership is handed over by release()
    }

    private func release() {
        if waiters.isEmpty {
            isBusy = false
        } else {
            waiters.removeFirst().resume()
        }
    }

    // MARK: - Helpers

    /// Classifies a negative reply: 4xx → temporary; 5xx about a recipient → refused; else unexpected.
    static func error(for reply: SMTPReply, command: String, recipient: String? = nil) -> SMTPError {
        if reply.isTransientFailure { return .temporaryFailure(command: command, reply: reply) }
        if reply.isPermanentFailure, let recipient { return .recipientRefused(recipient: recipient, reply: reply) }
        return .unexpectedReply(command: command, reply: reply)
    }

    static func authenticationError(_ reply: SMTPReply) -> SMTPError {
        reply.isTransientFailure ? .temporaryFailure(command: "AUTH", reply: reply) : .authenticationFailed(reply: reply)
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// The DATA payload: a "." is doubled at the start of every line (RFC 5321 §4.5.2) and the
    /// terminating `CRLF.CRLF` is appended. `text` uses CRLF line endings.
    static func dotStuffed(_ text: String, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: text.utf8.count + text.utf8.count / 64 + 5)
        var atLineStart = true
        for byte in text.utf8 {
            if atLineStart && byte == UInt8(ascii: ".") { buffer.writeInteger(UInt8(ascii: ".")) }
            buffer.writeInteger(byte)
            atLineStart = byte == UInt8(ascii: "\n")
        }
        if !atLineStart { buffer.writeString("\r\n") }
        buffer.writeString(".\r\n")
        return buffer
    }

    static func makeSSLContext(_ trustRoots: SMTPConfiguration.TrustRoots) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()  // full verification, hostname included
        tls.minimumTLSVersion = .tlsv12
        do {
            if case .systemAndPEMFile(let path) = trustRoots {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(path))]
            }
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw SMTPError.tlsFailed(reason: "cannot set up TLS: \(error)")
        }
    }
}
