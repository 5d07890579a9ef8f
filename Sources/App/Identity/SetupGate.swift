import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The first-run claim: while no administrator exists, each start of `egide serve` makes a new
/// random setup token (single use, valid one hour) and prints its link. Only its hash is kept, in
/// memory. There is no other way to claim a fresh instance.
final class SetupGate: Sendable {
    static let lifetime: TimeInterval = 3600

    private struct Pending { var hash: Data; var expires: Date }
    private let pending = NIOLockedValueBox<Pending?>(nil)

    /// Whether the instance still has no administrator.
    static func isUnclaimed(on db: any Database) async throws -> Bool {
        try await UserRoleRecord.query(on: db).filter(\.$role == .administrator).count() == 0
    }

    /// Makes a new token (replacing any previous one) and returns it.
    func issue(now: Date) -> String {
        let token = Secrets.token()
        pending.withLockedValue { $0 = Pending(hash: Secrets.hash(token), expires: now.addingTimeInterval(Self.lifetime)) }
        return token
    }

    /// Whether `token` is the current, unexpired setup token.
    func isValid(_ token: String, now: Date) -> Bool {
        pending.withLockedValue { pending in
            guard let pending, now < pending.expires else { return false }
            return Secrets.constantTimeEqual(pending.hash, Secrets.hash(token))
        }
    }

    /// Uses the token up: it can never serve again.
    func consume() { pending.withLockedValue { $0 = nil } }
}

extension Application {
    private struct SetupGateKey: StorageKey { typealias Value = SetupGate }

    var setupGate: SetupGate {
        get { storage[SetupGateKey.self]! }
        set { storage[SetupGateKey.self] = newValue }
    }
}
