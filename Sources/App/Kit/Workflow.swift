import EgideCore
import Fluent
import Vapor

/// A record that workflows change: owned by an organisation, stamped with its last change, and
/// named in audit events as `auditObjectType` ("alert", "case").
protocol WorkflowRecord: Model where IDValue == UUID {
    var organisationID: UUID { get }
    var updatedAt: Date { get set }
    static var auditObjectType: String { get }
}

/// The one shape of every state change of every module: in one transaction, lock the record's
/// row (PostgreSQL; SQLite serialises writers), re-read it — so two people acting at once each
/// see the other's result —, let the feature authorise the step against the record as it is now,
/// run the step, stamp and save the record, and write the audit event. A step that the protocol
/// does not allow throws `Refusal`; a record that is gone, or that the actor may not know of,
/// answers 404 like a missing one.
enum Workflow {
    @discardableResult
    static func change<Record: WorkflowRecord, Result: Sendable>(
        _ type: Record.Type, _ id: UUID, by actor: AuditActor, action: String, app: Application,
        authorize: @escaping @Sendable (Record, any Database) async throws -> Void = { _, _ in },
        _ step: @escaping @Sendable (Record, any Database, Date) async throws -> (details: [String: String], result: Result)
    ) async throws -> Result {
        let now = app.clock.now()
        return try await app.transaction { db in
            try await lockRow(Record.schema, id: id, on: db)
            guard let record = try await Record.find(id, on: db) else { throw Abort(.notFound) }
            try await authorize(record, db)
            let (details, result) = try await step(record, db, now)
            record.updatedAt = now
            try await record.save(on: db)
            try await AuditRecorder.record(.init(actor: actor, organisation: record.organisationID, action: action,
                                                 objectType: Record.auditObjectType, objectID: SiteURL.id(id), details: details),
                                           at: now, on: db)
            return result
        }
    }
}
