import EgideCrypto
import Fluent
import Foundation
import Vapor

/// The state of the audit chain shown on the audit page. Walking the whole chain on every visit
/// made the page take seconds; instead the last verified head is kept in memory and only the
/// entries written since are walked, with a full walk again every `fullEvery` (and after every
/// restart). `egide audit verify` and signed checkpoints remain the proof; this is the warning light.
enum AuditChainState {
    /// How often the page walks the whole chain again.
    static let fullEvery: TimeInterval = 10 * 60
    /// Above this many entries a full walk is left to `egide audit verify`.
    static let verifyLimit = 20_000

    actor Memory {
        var head: AuditChainHead?
        var fullAt: Date?
        func remember(_ head: AuditChainHead?, full: Date?) {
            self.head = head
            if let full { fullAt = full }
        }
        func read() -> (AuditChainHead?, Date?) { (head, fullAt) }
    }

    struct MemoryKey: StorageKey { typealias Value = Memory }

    /// Set up once in `configure` (storage is not for writing from concurrent requests).
    static func prepare(_ app: Application) {
        app.storage[MemoryKey.self] = Memory()
    }

    /// The memory `prepare` set up (without it, each visit walks the whole chain).
    static func memory(_ app: Application) -> Memory {
        app.storage[MemoryKey.self] ?? Memory()
    }

    /// The message to show and whether the chain is broken.
    static func current(on request: Request) async throws -> (message: String?, broken: Bool) {
        let memory = memory(request.application)
        let now = request.application.clock.now()
        let (known, fullAt) = await memory.read()
        let incremental = known != nil && (fullAt.map { now.timeIntervalSince($0) < fullEvery } ?? false)
        let anchor = incremental ? known! : .genesis
        let pending = try await AuditEventModel.query(on: request.db).filter(\.$id > anchor.sequence).count()
        guard pending <= verifyLimit else { return (nil, false) }
        let events = try await AuditEventModel.query(on: request.db).filter(\.$id > anchor.sequence).sort(\.$id).all()
        switch AuditChainVerifier.verify(events.map(\.stored), startingAfter: anchor) {
        case .intact(let head):
            await memory.remember(head, full: incremental ? nil : now)
            let hex = head.hash.prefix(8).map { String(format: "%02x", $0) }.joined()
            return (request.t("audit.chain.ok", String(head.sequence), hex), false)
        case .broken(let failure):
            await memory.remember(nil, full: nil)
            return (request.t("audit.chain.broken", String(failure.sequence)), true)
        }
    }
}
