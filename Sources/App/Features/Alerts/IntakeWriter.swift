import EgideCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Writes submitted alerts with group commit.
///
/// Each alert must be on disk (`synchronous=FULL`, or PostgreSQL's synchronous commit) before its
/// receipt is returned, and a disk flush costs far more than the rows themselves. So the alerts
/// that arrive while a transaction is committing wait together, and the next transaction writes
/// them all: one lock, one read of the state, one multi-row statement per table, one flush. Every
/// submitter is answered only after the transaction holding its own alert has committed — the
/// durability promise is the same as one transaction per alert; only the flush is shared.
///
/// An alert that cannot be written (its idempotency key was used for other content, no host yet)
/// is answered with its error without holding back the others. If a whole batch fails (a database
/// error), each of its alerts is retried alone, so one bad alert cannot sink its neighbours.
final class IntakeWriter: Sendable {
    /// Everything about one alert computed before it joins a batch: the keyed tags and blind
    /// indexes (the hashing is done by the submitting request, in parallel with the others).
    struct Job: Sendable {
        var id: UUID
        var draft: AlertDraft
        var uploads: [AlertUpload]
        var origin: AlertIntake.Origin
        /// The owning organisation when staff of a consortium member record it; nil: the host.
        var owner: UUID?
        var payloadTag: Data
        var idempotencyTag: Data?
        var receiptTag: Data
        var passphraseTag: Data
        var defenderIndex: Int?
        var organisationIndex: Int?
    }

    struct Outcome: Sendable {
        var id: UUID
        /// False when an earlier submission with the same idempotency key and content is answered.
        var created: Bool
    }

    /// The most alerts one transaction writes (31 bound values a row keeps a batch well under
    /// SQLite's and PostgreSQL's limits on bound parameters).
    static let maximumBatch = 64

    private typealias Waiter = (job: Job, continuation: CheckedContinuation<Outcome, any Error>)

    private struct State {
        var waiting: [Waiter] = []
        var writing = false
    }

    private let state = NIOLockedValueBox(State())

    /// Queues `job` and returns once the transaction holding it has committed.
    func submit(_ job: Job, app: Application) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let startWriter = state.withLockedValue { state -> Bool in
                state.waiting.append((job, continuation))
                guard !state.writing else { return false }
                state.writing = true
                return true
            }
            guard startWriter else { return }
            // On SQLite the drain runs on the direct writer's thread: a batch's transaction starts
            // there and the next batch is taken there, without a hop to an event loop in between.
            Task(executorPreference: app.directSQLiteWriter?.executor) { await self.drain(app: app) }
        }
    }

    /// Writes batches until nobody is waiting. Only one drain runs at a time.
    private func drain(app: Application) async {
        while true {
            let batch = state.withLockedValue { state -> [Waiter] in
                let batch = Array(state.waiting.prefix(Self.maximumBatch))
                state.waiting.removeFirst(batch.count)
                if batch.isEmpty { state.writing = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                let results = try await Self.write(batch.map(\.job), app: app)
                for (waiter, result) in zip(batch, results) { waiter.continuation.resume(with: result) }
            } catch where batch.count > 1 {
                for waiter in batch {
                    do {
                        waiter.continuation.resume(with: try await Self.write([waiter.job], app: app)[0])
                    } catch {
                        waiter.continuation.resume(throwing: error)
                    }
                }
            } catch {
                batch[0].continuation.resume(throwing: error)
            }
        }
    }

    /// Writes `jobs` in one transaction; each gets its own result, in order.
    ///
    /// On SQLite, a batch without files runs on the direct writer (`DirectSQLiteWriter`: the whole
    /// transaction on one thread, no hop per statement); files are stored through Fluent, so a
    /// batch with files, and every batch on PostgreSQL, runs in `Application.transaction`. Both
    /// run the same statements (`insert`).
    static func write(_ jobs: [Job], app: Application) async throws -> [Result<Outcome, any Error>] {
        let now = app.clock.now(), cap = app.egideConfig.publicAlertsPerMinute
        if let direct = app.directSQLiteWriter, jobs.allSatisfy({ $0.uploads.isEmpty }) {
            return try await app.writeLock.withLock {
                try await direct.transaction { sql in try await insert(jobs, at: now, cap: cap, vault: app.vault, on: sql, files: nil) }
            }
        }
        return try await app.transaction { db in
            try await lockNamed(AuditRecorder.chainLockKey, on: db)
            return try await insert(jobs, at: now, cap: cap, vault: app.vault, on: try AuditRecorder.sqlDatabase(db), files: db)
        }
    }

    /// The statements of one batch, inside its transaction (and, on PostgreSQL, the chain lock):
    /// `files` is the Fluent database that stores the attachments, needed only when a job has some.
    /// A public alert beyond `cap` public alerts in the last minute (0: no cap) is refused with
    /// `SubmitError.busy`: the count is read under the chain lock, so it holds for the instance
    /// however many nodes take alerts, and survives a restart.
    private static func insert(_ jobs: [Job], at now: Date, cap: Int, vault: Vault, on sql: any SQLDatabase,
                               files: (any Database)?) async throws -> [Result<Outcome, any Error>] {
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).year!
        // Everything the batch needs to know, in one statement under the chain lock.
        let capped = cap > 0 && jobs.contains { $0.origin.recordedBy == nil }
        let known = try await IntakeState.read(idempotencyTags: jobs.compactMap(\.idempotencyTag), year: year,
                                               recentPublic: capped ? (since: now.addingTimeInterval(-60), cap: cap) : nil, on: sql)
        var stored = known.existing
        var recentPublic = known.recentPublic
        var sequence = known.lastSequence
        var results: [Result<Outcome, any Error>] = []
        var created: [(job: Job, owner: UUID)] = []
        let alerts = sql.insert(into: AlertRecord.schema)
            .columns("id", "organisation_id", "year", "sequence", "receipt_tag", "passphrase_tag", "idempotency_tag", "payload_tag",
                     "channel", "status", "country", "categories", "needs", "field_of_work", "sender_is_defender",
                     "consent_to_contact", "contact_channel", "language", "defender_name_ct", "defender_index",
                     "organisation_name_ct", "organisation_index", "region_ct", "incident_date_ct", "narrative_ct", "contact_ct",
                     "recorded_by", "recorded_by_organisation", "received_at", "deadline_at", "updated_at")
        for job in jobs {
            if let tag = job.idempotencyTag, let existing = stored[tag] {
                results.append(existing.payloadTag == job.payloadTag
                    ? .success(Outcome(id: existing.id, created: false))
                    : .failure(AlertIntake.SubmitError.idempotencyConflict))
                continue
            }
            guard let ownerID = job.owner ?? known.host else {
                results.append(.failure(AlertIntake.SubmitError.noHost))
                continue
            }
            if capped, job.origin.recordedBy == nil {
                guard recentPublic < cap else {
                    results.append(.failure(AlertIntake.SubmitError.busy))
                    continue
                }
                recentPublic += 1
            }
            sequence += 1
            let draft = job.draft, owner = Accounts.owner(ownerID)
            func seal(_ value: String?, _ field: String) throws -> Data? {
                try value.map { try vault.seal($0, owner: owner, AlertRecord.ref(job.id, field)) }
            }
            // The columns and values `AlertRecord.create(on:)` writes (the fields left unset
            // stay NULL), without Fluent's reflection over the model's ~40 properties.
            alerts.values(
                SQLBind(job.id), SQLBind(ownerID), SQLBind(year), SQLBind(sequence), SQLBind(job.receiptTag),
                SQLBind(job.passphraseTag), SQLBind.orNull(job.idempotencyTag), SQLBind(job.payloadTag),
                SQLBind(job.origin.channel), SQLBind(AlertStatus.received), SQLBind(draft.country),
                SQLBind(AlertRecord.list(draft.categories)), SQLBind(AlertRecord.list(draft.needs.map(\.rawValue))),
                SQLBind.orNull(draft.fieldOfWork), SQLBind(draft.senderIsDefender), SQLBind(draft.consentToContact),
                SQLBind.orNull(draft.contactChannel), SQLBind(draft.language.rawValue),
                SQLBind.orNull(try seal(draft.defenderName, "defender_name")), SQLBind.orNull(job.defenderIndex),
                SQLBind.orNull(try seal(draft.organisationName, "organisation_name")), SQLBind.orNull(job.organisationIndex),
                SQLBind.orNull(try seal(draft.region, "region")), SQLBind.orNull(try seal(draft.incidentDate, "incident_date")),
                SQLBind(try seal(draft.narrative, "narrative")!), SQLBind.orNull(try seal(draft.contact, "contact")),
                SQLBind.orNull(job.origin.recordedBy), SQLBind.orNull(job.origin.recordedByOrganisation), SQLBind(now),
                SQLBind(known.deadlines.deadline(received: now, urgency: nil)), SQLBind(now))
            if let tag = job.idempotencyTag { stored[tag] = .init(id: job.id, payloadTag: job.payloadTag) }
            created.append((job, ownerID))
            results.append(.success(Outcome(id: job.id, created: true)))
        }
        guard !created.isEmpty else { return results }
        try await alerts.run()
        var events: [AuditEvent] = []
        // The columns `AlertEntryRecord(...).create(on:)` writes.
        let entries = sql.insert(into: AlertEntryRecord.schema)
            .columns("id", "alert_id", "organisation_id", "kind", "actor_id", "body_ct", "details", "created_at")
        for (job, ownerID) in created {
            if !job.uploads.isEmpty {
                guard let db = files else { preconditionFailure("IntakeWriter: files reached the direct writer") }
                for upload in job.uploads {
                    let fileID = try await FileStore.store(Data(upload.bytes), name: upload.name, mediaType: upload.kind.mediaType,
                                                           organisation: ownerID, purpose: "alert", at: now, on: db, vault: vault)
                    try await AlertAttachmentRecord(alertID: job.id, fileID: fileID, source: "sender", createdAt: now).create(on: db)
                }
            }
            let details = ["channel": job.origin.channel.rawValue, "files": String(job.uploads.count)]
            entries.values(SQLBind(UUID.timeOrdered(at: now)), SQLBind(job.id), SQLBind(ownerID), SQLBind(AlertEntryRecord.Kind.received),
                           SQLBind.orNull(job.origin.recordedBy), SQLLiteral.null, SQLBind(AuditEventModel.encode(details)), SQLBind(now))
            events.append(.init(actor: job.origin.audit, organisation: ownerID, action: "alert.receive", objectType: "alert",
                                objectID: SiteURL.id(job.id), details: details))
        }
        try await entries.run()
        try await AuditRecorder.append(events, at: now, after: known.auditHead, on: sql)
        return results
    }
}

extension Application {
    private struct IntakeWriterKey: StorageKey { typealias Value = IntakeWriter }

    /// The group-commit writer every alert submission goes through.
    var intakeWriter: IntakeWriter {
        get { storage[IntakeWriterKey.self]! }
        set { storage[IntakeWriterKey.self] = newValue }
    }
}

/// What a batch of `IntakeWriter` reads before it writes, in one statement of scalar subqueries
/// (each reads only the columns it needs): run inside the write transaction, after the chain lock.
struct IntakeState: Sendable {
    struct Existing: Sendable {
        var id: UUID
        var payloadTag: Data?
    }

    /// Alerts already stored under the batch's idempotency keys, by key tag.
    var existing: [Data: Existing]
    /// The host organisation (nil until the instance is set up).
    var host: UUID?
    /// The highest sequence number of the year (0 for the year's first alert).
    var lastSequence: Int
    var auditHead: AuditRecorder.Head?
    var deadlines: ResponseDeadlines
    /// Public alerts (no staff member recorded them) received since `recentPublic.since`, counted
    /// up to `recentPublic.cap` only (0 when not asked).
    var recentPublic: Int

    static func read(idempotencyTags: [Data], year: Int, recentPublic: (since: Date, cap: Int)?,
                     on sql: any SQLDatabase) async throws -> IntakeState {
        var query: SQLQueryString = """
            SELECT (SELECT id FROM organisations WHERE type = \(bind: OrganisationType.host) LIMIT 1) AS host,
            (SELECT MAX(sequence) FROM alerts WHERE year = \(bind: year)) AS last_sequence,
            (SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1) AS audit_seq,
            (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1) AS audit_hash,
            (SELECT p1_hours FROM alert_settings WHERE id = \(bind: AlertSettingsRecord.singletonID)) AS p1,
            (SELECT p2_hours FROM alert_settings WHERE id = \(bind: AlertSettingsRecord.singletonID)) AS p2,
            (SELECT p3_hours FROM alert_settings WHERE id = \(bind: AlertSettingsRecord.singletonID)) AS p3,
            (SELECT p4_hours FROM alert_settings WHERE id = \(bind: AlertSettingsRecord.singletonID)) AS p4
            """
        if let recentPublic {
            // Public alerts go to the host: the (organisation_id, received_at) index serves, and the
            // LIMIT bounds the work to the cap however fast alerts arrive.
            query += """
                , (SELECT COUNT(*) FROM (SELECT 1 FROM alerts WHERE organisation_id = (SELECT id FROM organisations WHERE type = \(bind: OrganisationType.host) LIMIT 1)
                AND received_at > \(bind: recentPublic.since) AND recorded_by IS NULL LIMIT \(bind: recentPublic.cap)) AS recent) AS recent_public
                """
        }
        guard let row = try await sql.raw(query).first() else { throw AlertIntake.SubmitError.noHost }
        var existing: [Data: Existing] = [:]
        if !idempotencyTags.isEmpty {
            for row in try await sql.raw(existingStatement(idempotencyTags, dialect: sql.dialect.name)).all() {
                existing[try row.decode(column: "idempotency_tag", as: Data.self)] = Existing(
                    id: try row.decode(column: "id", as: UUID.self), payloadTag: try row.decode(column: "payload_tag", as: Data?.self))
            }
        }
        var auditHead: AuditRecorder.Head?
        if let sequence = try row.decode(column: "audit_seq", as: Int64?.self) {
            auditHead = AuditRecorder.Head(sequence: sequence, hash: try row.decode(column: "audit_hash", as: Data.self))
        }
        var hours: [Urgency: Int] = [:]
        for (urgency, column) in [(Urgency.p1, "p1"), (.p2, "p2"), (.p3, "p3"), (.p4, "p4")] {
            if let value = try row.decode(column: column, as: Int?.self) { hours[urgency] = value }
        }
        return IntakeState(
            existing: existing,
            host: try row.decode(column: "host", as: UUID?.self),
            lastSequence: try row.decode(column: "last_sequence", as: Int?.self) ?? 0,
            auditHead: auditHead,
            deadlines: hours.isEmpty ? .standard : ResponseDeadlines(hours: hours),
            recentPublic: recentPublic == nil ? 0 : try row.decode(column: "recent_public", as: Int.self))
    }

    /// On SQLite, the index of the unique constraint on `alerts.idempotency_tag`: SQLite names a
    /// constraint's index after its table and its place in `CREATE TABLE` (the primary key, the
    /// receipt, then this one). `AlertIntakeTests` checks that it indexes exactly that column.
    static let idempotencyIndex = "sqlite_autoindex_alerts_3"

    /// The alerts already stored under `tags`. On SQLite it names the unique index of the tags:
    /// the planner's statistics count the many alerts without a key (web form, staff intake) as one
    /// repeated value, and without the name it judged the index poor and read the whole table —
    /// once per batch. Named, it is one lookup per tag, whatever the statistics say. PostgreSQL's
    /// statistics tell NULLs apart (`null_frac`) and need no such help.
    static func existingStatement(_ tags: [Data], dialect: String) -> SQLQueryString {
        var statement: SQLQueryString = "SELECT id, payload_tag, idempotency_tag FROM \(ident: AlertRecord.schema)"
        if dialect == "sqlite" { statement.appendInterpolation(unsafeRaw: " INDEXED BY \(idempotencyIndex)") }
        statement.appendLiteral(" WHERE idempotency_tag IS NOT NULL AND idempotency_tag IN (")
        for (position, tag) in tags.enumerated() {
            if position > 0 { statement.appendLiteral(", ") }
            statement.appendInterpolation(bind: tag)
        }
        statement.appendLiteral(")")
        return statement
    }
}
