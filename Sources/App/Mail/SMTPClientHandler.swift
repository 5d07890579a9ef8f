import NIOCore
import NIOSSL
import NIOTLS

/// One command written into the channel. The handler sends it and completes `promise` with the
/// server's reply (or an `SMTPError`).
struct SMTPRequest: Sendable {
    enum Action: Sendable {
        /// Bytes to send as they are (a command line with its CRLF, or the dot-stuffed message).
        case send(ByteBuffer)
        /// Send `STARTTLS`; on a 220 reply, insert TLS at the front of the pipeline and complete
        /// the promise once the handshake has succeeded.
        case startTLS(NIOSSLContext, serverHostname: String?)
    }

    var action: Action
    /// Used in errors; never contains credentials.
    var label: String
    var timeout: TimeAmount
    var promise: EventLoopPromise<SMTPReply>
}

/// Matches requests to replies, one at a time (no pipelining), enforces the per-reply timeout and
/// performs the STARTTLS upgrade on the event loop so that no plaintext can slip in between the
/// 220 reply and the TLS handshake.
///
/// Pipeline: [NIOSSLClientHandler (implicit TLS or after STARTTLS)] → ByteToMessageHandler(SMTPReplyDecoder) → SMTPClientHandler
///
/// Every method runs on the channel's event loop, which is what makes the mutable state safe.
final class SMTPClientHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReplyFrame
    typealias OutboundIn = SMTPRequest
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        var label: String
        var promise: EventLoopPromise<SMTPReply>
        var timeout: TimeAmount
        var timer: Scheduled<Void>?
        var tls: (context: NIOSSLContext, serverHostname: String?)?
        /// The 220 to STARTTLS, held until the TLS handshake completes.
        var upgradeReply: SMTPReply?
    }

    /// The request awaiting its reply. Starts as the server greeting, which arrives unasked.
    private var pending: Pending?
    /// Set once the connection is unusable; later requests fail with it.
    private var failure: SMTPError?

    init(greeting: EventLoopPromise<SMTPReply>, timeout: TimeAmount) {
        pending = Pending(label: "greeting", promise: greeting, timeout: timeout)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { armTimer(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        armTimer(context: context)  // the greeting's timeout starts once connected
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, .connectionFailed(reason: "connection closed by the server"))
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Never leave a promise unfulfilled.
        fail(context: context, .connectionFailed(reason: "connection closed"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        fail(context: context, Self.smtpError(from: error))
    }

    // MARK: Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        guard pending == nil else {
            let error = SMTPError.protocolError(reason: "\(request.label) issued while another command awaits its reply")
            request.promise.fail(error)
            promise?.fail(error)
            return
        }

        let bytes: ByteBuffer
        var tls: (NIOSSLContext, String?)?
        switch request.action {
        case .send(let buffer):
            bytes = buffer
        case .startTLS(let sslContext, let serverHostname):
            bytes = context.channel.allocator.buffer(string: "STARTTLS\r\n")
            tls = (sslContext, serverHostname)
        }
        pending = Pending(label: request.label, promise: request.promise, timeout: request.timeout, tls: tls)
        armTimer(context: context)
        context.write(wrapOutboundOut(bytes), promise: promise)
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard var current = pending, current.upgradeReply == nil else {
            fail(context: context, .protocolError(reason: "unsolicited reply: \(frame.reply)"))
            return
        }
        guard let tls = current.tls, frame.reply.code == 220 else {
            complete(with: frame.reply)
            return
        }
        // STARTTLS accepted. Anything already received after the 220 was sent in plaintext
        // before the handshake: refuse it rather than read it as part of the TLS session.
        guard frame.trailingBytes == 0 else {
            fail(context: context, .protocolError(reason: "data received after the STARTTLS reply, before TLS"))
            return
        }
        do {
            let sslHandler = try NIOSSLClientHandler(context: tls.context, serverHostname: tls.serverHostname)
            try context.pipeline.syncOperations.addHandler(sslHandler, position: .first)
        } catch {
            fail(context: context, .tlsFailed(reason: String(describing: error)))
            return
        }
        current.upgradeReply = frame.reply
        pending = current
        armTimer(context: context)  // the handshake gets its own full timeout
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent, let reply = pending?.upgradeReply {
            complete(with: reply)
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Helpers

    private func armTimer(context: ChannelHandlerContext) {
        guard let current = pending else { return }
        current.timer?.cancel()
        let label = current.label
        pending?.timer = context.eventLoop.assumeIsolated().scheduleTask(in: current.timeout) {
            self.fail(context: context, .timeout(command: label))
        }
    }

    private func complete(with reply: SMTPReply) {
        guard let current = pending else { return }
        pending = nil
        current.timer?.cancel()
        current.promise.succeed(reply)
    }

    /// Fails the pending request (if any) and closes the connection. The first error wins.
    private func fail(context: ChannelHandlerContext, _ error: SMTPError) {
        if failure == nil { failure = error }
        if let current = pending {
            pending = nil
            current.timer?.cancel()
            current.promise.fail(error)
        }
        if context.channel.isActive { context.close(promise: nil) }
    }

    /// Maps NIO / NIOSSL errors to `SMTPError`.
    static func smtpError(from error: any Error) -> SMTPError {
        switch error {
        case let error as SMTPError:
            return error
        case NIOSSLError.uncleanShutdown:
            return .connectionFailed(reason: "connection closed by the server without TLS close_notify")
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return .tlsFailed(reason: String(describing: error))
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof:
            return .connectionFailed(reason: "connection closed")
        default:
            return .connectionFailed(reason: String(describing: error))
        }
    }
}
