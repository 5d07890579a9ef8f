import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The time as Egide sees it. Real time, plus an offset that only tests move, so session expiry,
/// TOTP steps and deadlines are tested without sleeping.
final class EgideClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)

    func now() -> Date { Date().addingTimeInterval(offset.withLockedValue { $0 }) }

    /// Moves the clock forward (tests only).
    func advance(by interval: TimeInterval) { offset.withLockedValue { $0 += interval } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = EgideClock }

    var clock: EgideClock {
        get { storage[ClockKey.self]! }
        set { storage[ClockKey.self] = newValue }
    }
}
