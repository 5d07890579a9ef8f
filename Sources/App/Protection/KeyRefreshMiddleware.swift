import EgideCrypto
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Keys made on another node reach this one within a second (`ChangeWatcher`). A request that meets
/// such a key inside that second — the first case of an organisation created a moment ago on
/// another node — must not fail: when a request fails because this node does not hold a key, the
/// keys are read again from the database and the request is answered once more. Every write runs
/// in one transaction, so the failed attempt left nothing behind. Reloads are at most one a second.
struct KeyRefreshMiddleware: Middleware {
    private let lastReload = NIOLockedValueBox<ContinuousClock.Instant?>(nil)

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            guard Self.isMissingKey(error), takeReloadSlot() else { return request.eventLoop.makeFailedFuture(error) }
            return request.eventLoop.makeFutureWithTask {
                try await request.application.vault.reload(on: request.db)
                return try await next.respond(to: request).get()
            }
        }
    }

    /// Whether `error` says that a key is not in this node's ring.
    static func isMissingKey(_ error: any Error) -> Bool {
        switch error {
        case FieldCipher.CipherError.unknownKey, FieldCipher.CipherError.noActiveKey: true
        case KeyRing.RingError.unknownKey, KeyRing.RingError.noActiveKey: true
        default: false
        }
    }

    private func takeReloadSlot() -> Bool {
        let now = ContinuousClock.now
        return lastReload.withLockedValue { last in
            if let last, now - last < .seconds(1) { return false }
            last = now
            return true
        }
    }
}
