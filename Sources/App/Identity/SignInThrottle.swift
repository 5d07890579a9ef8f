import Crypto
import Foundation
import Vapor

/// Failed sign-in counters, kept **in memory only** and keyed by an HMAC under a per-process random
/// key — so neither an IP address nor an email is ever written anywhere, and an account that does
/// not exist is throttled exactly like one that does (no account enumeration).
///
/// - per account: after 5 failures within 15 minutes, each new attempt must wait 30 s, then 1, 2, 4…
///   minutes (at most 15) after the last failure;
/// - per client: more than 30 failures within 15 minutes are refused until the window passes.
///
/// The counters reset when the process restarts and are per node; see docs/SECURITY.md.
actor SignInThrottle {
    struct Counter { var failures: Int; var first: Date; var last: Date }

    static let window: TimeInterval = 15 * 60
    static let accountFreeFailures = 5
    static let clientLimit = 30

    private let key = SymmetricKey(size: .bits256)
    private var accounts: [Data: Counter] = [:]
    private var clients: [Data: Counter] = [:]

    private func tag(_ kind: String, _ value: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data((kind + ":" + value).utf8), using: key))
    }

    /// How long the caller must still wait before trying `account` from `client`, or `nil`.
    func wait(account: String, client: String?, now: Date) -> TimeInterval? {
        if let client, let counter = live(clients[tag("client", client)], now), counter.failures >= Self.clientLimit {
            return counter.first.addingTimeInterval(Self.window).timeIntervalSince(now)
        }
        guard let counter = live(accounts[tag("account", account)], now), counter.failures >= Self.accountFreeFailures else {
            return nil
        }
        let delay = Self.delay(afterFailures: counter.failures)
        let remaining = counter.last.addingTimeInterval(delay).timeIntervalSince(now)
        return remaining > 0 ? remaining : nil
    }

    /// A wait as whole minutes (at least one), for the "try again in N minutes" message.
    nonisolated static func minutes(_ wait: TimeInterval) -> String {
        String(max(1, Int((wait / 60).rounded(.up))))
    }

    /// The wait imposed after `failures` failures in the window (0 below the free allowance).
    static func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= accountFreeFailures else { return 0 }
        return min(15 * 60, 30 * pow(2, Double(failures - accountFreeFailures)))
    }

    func recordFailure(account: String, client: String?, now: Date) {
        bump(&accounts, tag("account", account), now)
        if let client { bump(&clients, tag("client", client), now) }
        if accounts.count + clients.count > 100_000 { prune(now) }
    }

    func recordSuccess(account: String) {
        accounts[tag("account", account)] = nil
    }

    private func bump(_ table: inout [Data: Counter], _ key: Data, _ now: Date) {
        if var counter = live(table[key], now) {
            counter.failures += 1
            counter.last = now
            table[key] = counter
        } else {
            table[key] = Counter(failures: 1, first: now, last: now)
        }
    }

    private func live(_ counter: Counter?, _ now: Date) -> Counter? {
        guard let counter else { return nil }
        // The window runs from the last failure, so a slow steady guesser stays throttled.
        return now.timeIntervalSince(counter.last) < Self.window ? counter : nil
    }

    private func prune(_ now: Date) {
        accounts = accounts.filter { live($0.value, now) != nil }
        clients = clients.filter { live($0.value, now) != nil }
    }
}

extension Application {
    private struct ThrottleKey: StorageKey { typealias Value = SignInThrottle }

    var signInThrottle: SignInThrottle {
        get { storage[ThrottleKey.self]! }
        set { storage[ThrottleKey.self] = newValue }
    }
}

extension Request {
    /// The peer address, for in-memory throttling only: never logged, stored or compared in clear.
    var throttleClient: String? { remoteAddress?.ipAddress }
}
