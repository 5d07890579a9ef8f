import NIOConcurrencyHelpers
import Vapor

/// The work anyone can ask of Egide without an account, by what it costs: forms that check a
/// secret (a password, a passphrase, a setup or invitation token: scrypt, ~0.1 s of processor time
/// and 128 MiB each) and forms that send or add to an alert (validation, files, a write).
///
/// A route declares its kind in the route table (`.publicWork(.credentials)`); `PublicWorkGate`
/// lets at most `limit` requests of a kind be handled at once on this node and answers the next
/// ones at once with a short 503 (the error page is kept rendered), so a flood of sign-in attempts
/// or of alert posts queues no work and leaves the processor to the pages — the alert form above
/// all, which costs almost nothing to serve (`SharedPages`). Each kind has its own budget: a flood
/// of passwords or of receipt lookups never refuses an alert. Nothing about the client is looked at or kept:
/// no address, no cookie (docs/SECURITY.md, "Floods").
enum PublicWork: String, CaseIterable, Sendable {
    case credentials
    case alerts
    /// Looking an alert up by receipt and passphrase: cheap, but never allowed to crowd out alerts.
    case lookups

    static let userInfoKey = "egide.publicWork"
}

extension Route {
    /// Declares the kind of public work this route does (see `PublicWork`).
    @discardableResult
    func publicWork(_ kind: PublicWork) -> Route {
        userInfo[PublicWork.userInfoKey] = kind
        return self
    }

    /// The kind of public work the route declared, if any.
    var declaredPublicWork: PublicWork? { userInfo[PublicWork.userInfoKey] as? PublicWork }
}

/// In-flight counts per kind of public work, on this node (the processor it protects is this node's).
final class PublicWorkGate: Sendable {
    /// Requests of one kind handled at once before the next are refused.
    let limit: Int
    private let inFlight = NIOLockedValueBox<[PublicWork: Int]>([:])

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a place for `kind`; false when all are taken (the caller answers 503).
    func enter(_ kind: PublicWork) -> Bool {
        inFlight.withLockedValue { counts in
            guard counts[kind, default: 0] < limit else { return false }
            counts[kind, default: 0] += 1
            return true
        }
    }

    func leave(_ kind: PublicWork) {
        inFlight.withLockedValue { $0[kind, default: 1] -= 1 }
    }

    func count(_ kind: PublicWork) -> Int { inFlight.withLockedValue { $0[kind, default: 0] } }
}

/// Refused because too many requests of the same kind are being handled: 503 with `Retry-After`.
struct PublicWorkBusy: Error {
    static let retryAfterSeconds = 30
}

/// Applies `PublicWorkGate` to the routes that declared a kind. The body is read whole first (up to
/// the route's limit) and only then is a place taken: the gate counts work, not uploads, so clients
/// sending a body a byte at a time hold no place (they hold only their own connection, which the
/// server's idle timeout and the proxy's body buffering bound; docs/DEPLOYMENT.md).
struct PublicWorkMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        guard let kind = request.route?.declaredPublicWork else { return next.respond(to: request) }
        let collected = request.body.data != nil ? request.eventLoop.makeSucceededVoidFuture()
            : request.body.collect(max: request.bodyLimit).map { _ in }
        return collected.flatMap {
            let gate = request.application.publicWorkGate
            guard gate.enter(kind) else { return request.eventLoop.makeFailedFuture(PublicWorkBusy()) }
            return next.respond(to: request).always { _ in gate.leave(kind) }
        }
    }
}

extension Application {
    private struct PublicWorkGateKey: StorageKey { typealias Value = PublicWorkGate }

    var publicWorkGate: PublicWorkGate {
        get { storage[PublicWorkGateKey.self]! }
        set { storage[PublicWorkGateKey.self] = newValue }
    }
}
