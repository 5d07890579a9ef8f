import EgideCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// What the front door's connections share: the application, where Vapor listens, the kept answers
/// (in `SharedPages`), and which client each connection handed to Vapor came from.
///
/// `egide serve` listens with the front door (`FrontDoorServer`). It answers, on its own, the
/// requests that need nothing of Vapor but a page kept for every signed-out visitor — the public
/// alert form above all, then the home, sign-in and follow-up pages, the error pages, the style
/// sheet and `/healthz` — and hands every other connection, byte for byte, to Vapor listening on
/// loopback. So a crowd on the alert form costs microseconds a visit, and the rest of Egide is
/// served exactly as before. See docs/DEVELOPMENT.md, "Public pages: benchmark".
final class FrontDoor: Sendable {
    let app: Application
    let config: AppConfig
    let cookies: FrontDoorRequest.CookieNames
    /// Where Vapor listens (loopback, a port of the system's choosing).
    let upstream: SocketAddress
    let peers = FrontDoorPeers()

    init(app: Application, upstream: SocketAddress) {
        self.app = app
        self.config = app.egideConfig
        self.cookies = .init(csrf: CSRFMiddleware.cookieName(app.egideConfig), language: LanguageMiddleware.cookieName)
        self.upstream = upstream
    }

    /// The language `request` is answered in, as `LanguageMiddleware` decides it.
    func language(of request: FrontDoorRequest) -> Language {
        LanguageMiddleware.language(path: request.path, preference: request.languageCookie, acceptLanguage: request.acceptLanguage)
    }

    func key(_ request: FrontDoorRequest) -> String {
        request.path + "\u{0}" + language(of: request).rawValue
    }

    /// The kept answer for `request`, if there is one and Egide is open (a sealed node answers
    /// nothing from memory: Vapor says it is sealed).
    func keptAnswer(for request: FrontDoorRequest) -> FrontDoorAnswer? {
        guard !config.reloadTemplates, app.vault.isOpen else { return nil }
        return app.sharedPages.answer(key(request), now: .now)
    }

    /// Asks Vapor for `request`'s answer in the process — the whole middleware chain, as for any
    /// request — with markers for the visitor's CSRF token and form keys; keeps it if Vapor said
    /// it may be kept. Fails only if the answer cannot be replayed (the request then goes to Vapor
    /// over the connection).
    func answer(_ request: FrontDoorRequest, headers: [(String, String)], remote: SocketAddress?) -> EventLoopFuture<FrontDoorAnswer> {
        // One of Vapor's own threads: its database pools and Leaf know only those (the front door
        // has threads of its own, `FrontDoorServer`).
        let eventLoop = app.eventLoopGroup.any()
        var fields = HTTPHeaders(headers.filter { $0.0.lowercased() != "cookie" })
        // The marker for the CSRF token, and the language preference only in its canonical form.
        var cookie = "\(cookies.csrf)=\(FrontDoorAnswer.csrfMarker)"
        if let language = request.languageCookie.flatMap(Language.init(preference:)) { cookie += "; \(cookies.language)=\(language.rawValue)" }
        fields.add(name: .cookie, value: cookie)
        let vaporRequest = Request(application: app, method: .GET, url: URI(path: request.path), headersNoUpdate: fields,
                                   remoteAddress: remote, logger: app.logger, on: eventLoop)
        vaporRequest.isFrontDoorTemplate = true
        let pages = app.sharedPages
        let generation = pages.generation
        let language = language(of: request)
        let key = request.path + "\u{0}" + language.rawValue
        let vault = app.vault
        let responder = app.responder.current
        return eventLoop.flatSubmit { responder.respond(to: vaporRequest) }.flatMap { response in
            response.body.collect(on: eventLoop).flatMapThrowing { body in
                // The page must have been made as the front door asked: with the marker for the
                // token (not a token the visitor's headers smuggled in) and in the language of the
                // key it is kept under. Otherwise Vapor answers this request over the connection.
                // (A file from `Public/` is answered before the CSRF middleware runs: it has no token.)
                if let token = vaporRequest.storage[CSRFMiddleware.TokenKey.self], token.cookieToken != FrontDoorAnswer.csrfMarker {
                    throw FrontDoorUnanswerable()
                }
                guard vaporRequest.language == language else { throw FrontDoorUnanswerable() }
                // Kept: pages and the not-found page, made while Egide was open; never an error
                // of the moment (a database that did not answer) served to everyone for seconds.
                let keep = !self.config.reloadTemplates && [.ok, .notFound].contains(response.status) && vault.isOpen
                guard let answer = FrontDoorAnswer(status: response.status, headers: response.headers, body: body ?? ByteBuffer(),
                                                   until: keep ? response.keptUntil : nil, compress: true) else {
                    throw FrontDoorUnanswerable()
                }
                if answer.until != nil { pages.storeAnswer(answer, as: key, renderedAt: generation) }
                return answer
            }
        }
    }
}

struct FrontDoorUnanswerable: Error {}

/// Which client each connection the front door handed to Vapor came from, by the loopback port of
/// that connection: the staff sign-in throttle counts failures per client (`Request.throttleClient`),
/// and behind the front door Vapor sees only loopback. Entries live as long as their connection.
final class FrontDoorPeers: Sendable {
    private let byPort = NIOLockedValueBox<[Int: (client: SocketAddress?, connection: ObjectIdentifier)]>([:])
    /// How long a closed connection's client is remembered: Vapor may still be checking a password
    /// for a client that went away (and must count its failure against that client).
    static let lingering: TimeAmount = .seconds(120)

    func register(port: Int, client: SocketAddress?, connection: ObjectIdentifier) {
        byPort.withLockedValue { $0[port] = (client, connection) }
    }

    /// Forgets `port`'s client, unless another connection has taken the port since.
    func remove(port: Int, connection: ObjectIdentifier) {
        byPort.withLockedValue { if $0[port]?.connection == connection { $0[port] = nil } }
    }

    func client(port: Int) -> SocketAddress? {
        byPort.withLockedValue { $0[port]?.client }
    }

    var all: [Int: SocketAddress] { byPort.withLockedValue { $0.compactMapValues(\.client) } }
}

extension Application {
    private struct FrontDoorKey: StorageKey { typealias Value = FrontDoor }

    /// The front door this process listens with, when it does (`egide serve`; not in tests that
    /// talk to Vapor directly).
    var frontDoor: FrontDoor? {
        get { storage[FrontDoorKey.self] }
        set { storage[FrontDoorKey.self] = newValue }
    }
}

/// One client connection: answers what it can from kept answers, asks Vapor in the process for the
/// rest of what it may answer, and hands the connection to Vapor at the first request it may not
/// (then only copies bytes both ways, as long as the connection lasts).
final class FrontDoorConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case reading
        /// Vapor is making an answer in the process.
        case asking
        case connecting
        case tunnel(any Channel)
        case closing
    }

    private let door: FrontDoor
    private var state = State.reading
    /// Bytes read and not yet answered.
    private var pending: ByteBuffer?
    /// How far the blank line ending the next head was looked for in `pending`.
    private var searched = 0

    init(door: FrontDoor) { self.door = door }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        switch state {
        case .tunnel(let upstream):
            upstream.write(NIOAny(bytes), promise: nil)
        case .closing:
            return
        case .reading, .asking, .connecting:
            if pending == nil { pending = bytes } else { pending!.writeBuffer(&bytes) }
            if case .reading = state { process(context) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .tunnel(let upstream) = state { upstream.flush() } else { context.flush() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        switch state {
        case .tunnel(let upstream):
            // The client reads slowly: stop reading from Vapor until it catches up.
            upstream.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        case .reading:
            if context.channel.isWritable {
                context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
                process(context)
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if case .tunnel(let upstream) = state { upstream.close(promise: nil) }
        state = .closing
        pending = nil
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // A connection silent for the idle time is closed, as Vapor closes its own.
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Answers the complete requests read so far, in order, while each is one the front door answers.
    private func process(_ context: ChannelHandlerContext) {
        while case .reading = state, let buffer = pending, buffer.readableBytes > 0 {
            // A client that does not read its answers is not read either, until it does.
            guard context.channel.isWritable else {
                context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
                return
            }
            switch FrontDoorRequest.parse(buffer, cookies: door.cookies, searchFrom: searched) {
            case .incomplete:
                searched = max(0, buffer.readableBytes - 3)
                return
            case .pass:
                handOver(context)
                return
            case .request(let request):
                if let answer = door.keptAnswer(for: request) {
                    send(answer, for: request, context: context)
                } else {
                    ask(request, context: context)
                    return
                }
            }
        }
    }

    private func send(_ answer: FrontDoorAnswer, for request: FrontDoorRequest, context: ChannelHandlerContext) {
        answer.write(request, context: context, config: door.config)
        searched = 0
        pending!.moveReaderIndex(forwardBy: request.length)
        if pending!.readableBytes == 0 { pending = nil }
        if request.close {
            state = .closing
            context.writeAndFlush(NIOAny(ByteBuffer())).whenComplete { _ in context.close(promise: nil) }
        }
    }

    private func ask(_ request: FrontDoorRequest, context: ChannelHandlerContext) {
        state = .asking
        // Nothing more is read while Vapor makes the answer: a client pipelining requests faster
        // than they are answered fills its socket, not this process's memory.
        context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        let headers = FrontDoorRequest.headers(of: pending!, length: request.length)
        door.answer(request, headers: headers, remote: context.channel.remoteAddress)
            .hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                guard case .asking = self.state else { return }  // the client left meanwhile
                context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
                switch result {
                case .success(let answer):
                    self.state = .reading
                    self.send(answer, for: request, context: context)
                    self.process(context)  // requests sent meanwhile (pipelined)
                    context.flush()
                case .failure:
                    self.state = .reading
                    self.handOver(context)
                }
            }
    }

    /// From the first request the front door does not answer, the connection is Vapor's: what was
    /// read and not answered goes to Vapor as it came, and so does everything after.
    private func handOver(_ context: ChannelHandlerContext) {
        state = .connecting
        let client = context.channel
        let peers = door.peers
        client.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        ClientBootstrap(group: context.eventLoop)
            .channelOption(ChannelOptions.socket(IPPROTO_TCP, TCP_NODELAY), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FrontDoorUpstream(client: client)) }
            }
            .connect(to: door.upstream)
            .hop(to: context.eventLoop).assumeIsolated().whenComplete { result in
                guard case .connecting = self.state else {
                    if case .success(let upstream) = result { upstream.close(promise: nil) }
                    return
                }
                switch result {
                case .success(let upstream):
                    if let port = upstream.localAddress?.port {
                        let connection = ObjectIdentifier(upstream)
                        peers.register(port: port, client: client.remoteAddress, connection: connection)
                        let loop = upstream.eventLoop
                        upstream.closeFuture.whenComplete { _ in
                            _ = loop.scheduleTask(in: FrontDoorPeers.lingering) { peers.remove(port: port, connection: connection) }
                        }
                    }
                    self.state = .tunnel(upstream)
                    if let pending = self.pending, pending.readableBytes > 0 { upstream.writeAndFlush(NIOAny(pending), promise: nil) }
                    self.pending = nil
                    client.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
                case .failure:
                    context.close(promise: nil)
                }
            }
    }
}

/// Vapor's side of a connection handed over: copies Vapor's answers to the client, and closes the
/// client once Vapor closes (after what it sent has left).
final class FrontDoorUpstream: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let client: any Channel

    init(client: any Channel) { self.client = client }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        client.flush()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Vapor reads slowly (a large upload): stop reading from the client until it catches up.
        client.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let client = client
        client.writeAndFlush(NIOAny(ByteBuffer())).whenComplete { _ in client.close(promise: nil) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
