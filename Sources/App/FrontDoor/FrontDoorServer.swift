import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// The server `egide serve` runs: Vapor's own HTTP server on a loopback port of the system's
/// choosing, and the front door (`FrontDoor`) listening where `serve` was asked to listen.
/// `EGIDE_FRONT_DOOR=off` runs Vapor's server alone, where `serve` was asked to listen.
final class FrontDoorServer: Server, Sendable {
    private let app: Application
    /// The front door's own threads: a page it answers never waits behind a form Vapor is
    /// handling on the same thread (during a flood of posts the processor's scheduler wakes these
    /// first, as they have had little time). Made at start, stopped at shutdown.
    private let threads = NIOLockedValueBox<MultiThreadedEventLoopGroup?>(nil)
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
    /// Made when first asked for (an application configured but never served must not leave a promise unfulfilled).
    private let stopped = NIOLockedValueBox<EventLoopPromise<Void>?>(nil)

    init(app: Application) {
        self.app = app
    }

    private var stoppedPromise: EventLoopPromise<Void> {
        stopped.withLockedValue { promise in
            if let promise { return promise }
            let made = app.eventLoopGroup.any().makePromise(of: Void.self)
            promise = made
            return made
        }
    }

    var onShutdown: EventLoopFuture<Void> { stoppedPromise.futureResult }

    private var vapor: HTTPServer { app.http.server.shared }

    func start(address: BindAddress?) throws {
        try app.eventLoopGroup.any().makeFutureWithTask { try await self.start(address: address) }.wait()
    }

    func start(address: BindAddress?) async throws {
        let configuration = vapor.configuration
        // Vapor on loopback; its "started" notice would name that port, which is nobody's to use.
        var quiet = Logger(label: "codes.vapor.server")
        quiet.logLevel = .warning
        vapor.configuration.logger = quiet
        try await vapor.start(address: .hostname("127.0.0.1", port: 0))
        guard let upstream = vapor.localAddress else { throw FrontDoorUnanswerable() }
        let door = FrontDoor(app: app, upstream: upstream)
        app.frontDoor = door
        let idle = configuration.idleTimeout ?? .seconds(75)
        let connections = self.connections
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        threads.withLockedValue { $0 = group }
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Int32(configuration.backlog))
            .serverChannelOption(ChannelOptions.socket(SocketOptionLevel(SOL_SOCKET), SO_REUSEADDR), value: 1)
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                connections.withLockedValue { $0[id] = channel }
                channel.closeFuture.whenComplete { _ in _ = connections.withLockedValue { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([IdleStateHandler(allTimeout: idle), FrontDoorConnection(door: door)])
                }
            }
            .childChannelOption(ChannelOptions.socket(IPPROTO_TCP, TCP_NODELAY), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 4)
        let channel: any Channel
        do {
            switch address {
            case .unixDomainSocket(let path):
                channel = try await bootstrap.bind(unixDomainSocketPath: path).get()
            case .hostname(let host, let port):
                channel = try await bootstrap.bind(host: host ?? configuration.hostname, port: port ?? configuration.port).get()
            case nil:
                channel = try await bootstrap.bind(host: configuration.hostname, port: configuration.port).get()
            }
        } catch {
            // The address is taken (or not ours): stop what was started, and say why.
            await vapor.shutdown()
            try? await group.shutdownGracefully()
            threads.withLockedValue { $0 = nil }
            stoppedPromise.succeed(())
            throw error
        }
        listener.withLockedValue { $0 = channel }
        app.logger.notice("Server started on \(Self.describe(channel.localAddress))")
    }

    /// Where the front door listens, once started.
    var localAddress: SocketAddress? { listener.withLockedValue { $0?.localAddress } }

    static func describe(_ address: SocketAddress?) -> String {
        guard let address else { return "(unknown)" }
        if let path = address.pathname { return "http+unix: \(path)" }
        let host = address.ipAddress ?? "?"
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(address.port ?? 0)"
    }

    func shutdown() {
        try? app.eventLoopGroup.any().makeFutureWithTask { await self.shutdown() }.wait()
    }

    /// Stops listening, lets Vapor finish what it is answering (its connections close, and with them
    /// the clients' handed over), then closes the connections left.
    func shutdown() async {
        guard let channel = listener.withLockedValue({ value in defer { value = nil }; return value }) else { return }
        try? await channel.close()
        await vapor.shutdown()
        for connection in connections.withLockedValue({ Array($0.values) }) { try? await connection.close() }
        try? await threads.withLockedValue({ $0 })?.shutdownGracefully()
        stoppedPromise.succeed(())
    }
}
