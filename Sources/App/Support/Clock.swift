import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The time as Egide sees it. Real time, plus an offset that only tests move, so session expiry,
/// TOTP steps and deadlines are tested without sleeping. Tests also stop it (`freeze`): on a busy
/// machine a test can take a minute of real time, which would otherwise leak into a 30-minute idle
/// limit or carry a TOTP code across a step boundary.
package final class EgideClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)
    private let frozenAt = NIOLockedValueBox<Date?>(nil)

    package func now() -> Date { (frozenAt.withLockedValue { $0 } ?? Date()).addingTimeInterval(offset.withLockedValue { $0 }) }

    /// Stops real time (tests only) one second into a 30-second TOTP step, so a code computed by
    /// a test stays in its step however long the server takes to check it.
    func freeze() {
        let seconds = Date().timeIntervalSince1970
        frozenAt.withLockedValue { $0 = Date(timeIntervalSince1970: (seconds / 30).rounded(.down) * 30 + 31) }
    }

    /// Moves the clock forward (tests only).
    package func advance(by interval: TimeInterval) { offset.withLockedValue { $0 += interval } }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = EgideClock }

    package var clock: EgideClock {
        get { storage[ClockKey.self]! }
        set { storage[ClockKey.self] = newValue }
    }
}
