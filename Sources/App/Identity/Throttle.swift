import Crypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Failed-attempt counters for the instance, kept **in the database** so that they hold across every
/// node and survive a restart. A counter is keyed by an HMAC tag under a key derived from the key
/// file (which every node holds and which is kept apart from the database and its backups), so
/// neither an address nor an email nor a receipt is ever written, nor can be recovered from a copy
/// of the database by trying every address,
/// and an account that does not exist is throttled exactly like one that does (no enumeration).
/// A counter is deleted once it has lapsed (`Throttle.prune`, a scheduled job).
///
/// - per account: after 5 failures within 15 minutes, each new attempt must wait 30 s, then 1, 2, 4…
///   minutes (at most 15) after the last failure;
/// - per client: more than 30 failures within 15 minutes are refused until the window passes.
///
/// `scope` keeps apart the counters of different doors (staff sign-in, the alert follow-up).
struct Throttle: Sendable {
    static let schema = "throttles"
    static let window: TimeInterval = 15 * 60
    static let accountFreeFailures = 5
    static let clientLimit = 30

    struct Counter { var failures: Int; var first: Date; var last: Date }

    let scope: String
    let app: Application

    /// How long the caller must still wait before trying `account` from `client`, or `nil`.
    func wait(account: String, client: String?, now: Date) async throws -> TimeInterval? {
        let key = try await Self.key(app)
        let accountTag = tag("account", account, key)
        let clientTag = client.map { tag("client", $0, key) }
        let counters = try await read([accountTag] + (clientTag.map { [$0] } ?? []), now: now)
        if let clientTag, let counter = counters[clientTag], counter.failures >= Self.clientLimit {
            return counter.first.addingTimeInterval(Self.window).timeIntervalSince(now)
        }
        guard let counter = counters[accountTag], counter.failures >= Self.accountFreeFailures else { return nil }
        let remaining = counter.last.addingTimeInterval(Self.delay(afterFailures: counter.failures)).timeIntervalSince(now)
        return remaining > 0 ? remaining : nil
    }

    /// A wait as whole minutes (at least one), for the "try again in N minutes" message.
    static func minutes(_ wait: TimeInterval) -> String {
        String(max(1, Int((wait / 60).rounded(.up))))
    }

    /// The wait imposed after `failures` failures in the window (0 below the free allowance).
    static func delay(afterFailures failures: Int) -> TimeInterval {
        guard failures >= accountFreeFailures else { return 0 }
        return min(15 * 60, 30 * pow(2, Double(failures - accountFreeFailures)))
    }

    /// Counts one failure for `account` and `client`, atomically on every node: a counter whose
    /// last failure is older than the window starts again at one.
    func recordFailure(account: String, client: String?, now: Date) async throws {
        let key = try await Self.key(app)
        let tags = [tag("account", account, key)] + (client.map { [tag("client", $0, key)] } ?? [])
        let at = Int64(now.timeIntervalSince1970), lapsed = at - Int64(Self.window)
        try await app.transaction { db in
            let sql = db as! any SQLDatabase
            for tag in tags {
                try await sql.raw("""
                    INSERT INTO \(ident: Self.schema) (tag, failures, first_at, last_at) VALUES (\(bind: tag), 1, \(bind: at), \(bind: at))
                    ON CONFLICT (tag) DO UPDATE SET
                    failures = CASE WHEN \(ident: Self.schema).last_at <= \(bind: lapsed) THEN 1 ELSE \(ident: Self.schema).failures + 1 END,
                    first_at = CASE WHEN \(ident: Self.schema).last_at <= \(bind: lapsed) THEN excluded.first_at ELSE \(ident: Self.schema).first_at END,
                    last_at = excluded.last_at
                    """).run()
            }
        }
    }

    /// Forgets the account's failures after a success (the client's count stays).
    func recordSuccess(account: String) async throws {
        let tag = tag("account", account, try await Self.key(app))
        try await app.transaction { db in
            try await (db as! any SQLDatabase).delete(from: Self.schema).where("tag", .equal, SQLBind(tag)).run()
        }
    }

    /// Deletes every counter that has lapsed: nothing about a failure outlives its window.
    static func prune(_ app: Application, now: Date) async throws {
        let lapsed = Int64(now.timeIntervalSince1970) - Int64(window)
        try await app.transaction { db in
            try await (db as! any SQLDatabase).delete(from: schema).where("last_at", .lessThanOrEqual, SQLBind(lapsed)).run()
        }
    }

    private func tag(_ kind: String, _ value: String, _ key: SymmetricKey) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data((scope + ":" + kind + ":" + value).utf8), using: key))
    }

    /// The live counters among `tags` (a counter lapses once its last failure is a window old, so a
    /// slow steady guesser stays throttled).
    private func read(_ tags: [Data], now: Date) async throws -> [Data: Counter] {
        let lapsed = Int64(now.timeIntervalSince1970) - Int64(Self.window)
        let rows = try await (app.db as! any SQLDatabase).select().columns("tag", "failures", "first_at", "last_at")
            .from(Self.schema).where(SQLIdentifier("tag"), .in, SQLGroupExpression(tags.map { SQLBind($0) })).where("last_at", .greaterThan, SQLBind(lapsed)).all()
        var counters: [Data: Counter] = [:]
        for row in rows {
            counters[try row.decode(column: "tag", as: Data.self)] = Counter(
                failures: try row.decode(column: "failures", as: Int.self),
                first: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "first_at", as: Int64.self))),
                last: Date(timeIntervalSince1970: TimeInterval(try row.decode(column: "last_at", as: Int64.self))))
        }
        return counters
    }

    /// The tag key, derived once per process from the key file's bytes (plain or sealed: the same on
    /// every node, and readable while the instance is sealed, for the unseal throttle).
    private static func key(_ app: Application) async throws -> SymmetricKey {
        if let key = app.throttleKey.withLockedValue({ $0 }) { return key }
        guard let material = FileManager.default.contents(atPath: app.egideConfig.kekFile), !material.isEmpty else {
            throw Abort(.serviceUnavailable, reason: "the key file cannot be read")
        }
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: material), info: Data("egide-throttle-v1".utf8),
                                         outputByteCount: 32)
        app.throttleKey.withLockedValue { $0 = key }
        return key
    }
}

extension Application {
    private struct ThrottleKeyKey: StorageKey { typealias Value = NIOLockedValueBox<SymmetricKey?> }

    /// The throttle tag key once read (see `Throttle`); set empty by `configure`.
    var throttleKey: NIOLockedValueBox<SymmetricKey?> {
        get { storage[ThrottleKeyKey.self]! }
        set { storage[ThrottleKeyKey.self] = newValue }
    }

    /// Failed sign-ins, second factors, re-authentications and unseal attempts (staff doors).
    var signInThrottle: Throttle { Throttle(scope: "sign-in", app: self) }

    /// Failed receipt/passphrase attempts on the alert follow-up, per receipt.
    var followUpThrottle: Throttle { Throttle(scope: "follow-up", app: self) }
}

extension Request {
    /// The client's address, for the staff sign-in throttle only: never logged, and stored only as a
    /// keyed tag deleted when its window lapses. Behind a proxy listed in `EGIDE_TRUSTED_PROXIES`,
    /// the address that proxy puts in `X-Real-IP` (without it, every failure would count against the
    /// proxy's one address, and 30 failures would lock every staff member out). Public routes never call it.
    var throttleClient: String? {
        // Behind the front door, Vapor's peer is the front door's own loopback connection, which
        // names its client. A connection it cannot name (never expected) shares one tag: failures
        // still count per client, all such "clients" together.
        var address = remoteAddress
        if let door = application.frontDoor {
            guard let client = remoteAddress?.port.flatMap(door.peers.client(port:)) else { return "front-door-unnamed" }
            address = client
        }
        guard let peer = address?.ipAddress else { return nil }
        guard application.egideConfig.trustedProxies.contains(peer),
              let forwarded = headers.first(name: "X-Real-IP")?.trimmingCharacters(in: .whitespaces), !forwarded.isEmpty else { return peer }
        return forwarded
    }
}
