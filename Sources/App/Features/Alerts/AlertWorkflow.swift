import EgideCore
import Fluent
import Foundation
import Vapor

/// Every change to an alert after intake: each one writes the change, a history entry and the
/// audit event in one transaction, and refuses a move the protocol does not allow.
package enum AlertWorkflow {
    /// Runs `body` on the alert through `Workflow.change` (re-read and locked in the transaction),
    /// then records its history entry beside the audit event.
    static func change(
        _ alertID: UUID, by actor: AuditActor, action: String, app: Application,
        _ body: @escaping @Sendable (AlertRecord, any Database, Date) async throws -> (entry: AlertEntryRecord?, details: [String: String])
    ) async throws {
        try await Workflow.change(AlertRecord.self, alertID, by: actor, action: action, app: app) { alert, db, now in
            let (entry, details) = try await body(alert, db, now)
            try await entry?.create(on: db)
            return (details, ())
        }
    }

    static func entry(_ alert: AlertRecord, _ kind: AlertEntryRecord.Kind, actor: UUID?, body: String? = nil,
                      details: [String: String] = [:], at now: Date, vault: Vault) throws -> AlertEntryRecord {
        let id = UUID()
        let sealed = try body.map { try vault.seal($0, owner: alert.owner, AlertEntryRecord.ref(id)) }
        return AlertEntryRecord(id: id, alertID: try alert.requireID(), organisationID: alert.organisationID, kind: kind,
                                actorID: actor, bodyCiphertext: sealed, details: details, createdAt: now)
    }

    static func move(_ alert: AlertRecord, to status: AlertStatus) throws {
        guard AlertLifecycle.canMove(from: alert.status, to: status) else { throw Refusal(key: "alert.refused.transition") }
        alert.status = status
    }

    // MARK: The sender

    /// Information and files the sender adds with their receipt and passphrase.
    package static func addSenderInformation(_ text: String?, uploads: [AlertUpload], to alert: AlertRecord, app: Application) async throws {
        let vault = app.vault
        try await change(try alert.requireID(), by: .publicSender, action: "alert.sender_update", app: app) { alert, db, now in
            for upload in uploads {
                let fileID = try await FileStore.store(Data(upload.bytes), name: upload.name, mediaType: upload.kind.mediaType,
                                                       organisation: alert.organisationID, purpose: "alert", at: now, on: db, vault: vault)
                try await AlertAttachmentRecord(alertID: try alert.requireID(), fileID: fileID, source: "sender", createdAt: now).create(on: db)
            }
            let details = ["files": String(uploads.count)]
            return (try entry(alert, .senderUpdate, actor: nil, body: text, details: details, at: now, vault: vault), details)
        }
    }

    // MARK: Staff

    package static func triage(_ alertID: UUID, urgency: Urgency, note: String?, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        let deadlines = try await AlertSettingsRecord.deadlines(on: app.db)
        try await change(alertID, by: .user(actor.userID), action: "alert.triage", app: app) { alert, _, now in
            if alert.status != .triaged || alert.urgency == nil { try move(alert, to: .triaged) }
            alert.urgency = urgency
            alert.triagedAt = now
            alert.deadlineAt = deadlines.deadline(received: alert.receivedAt, urgency: urgency)
            if alert.assigneeID == nil { alert.assigneeID = actor.userID }
            let details = ["urgency": urgency.rawValue]
            return (try entry(alert, .triage, actor: actor.userID, body: note, details: details, at: now, vault: vault), details)
        }
    }

    package static func assign(_ alertID: UUID, to assignee: UUID?, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(alertID, by: .user(actor.userID), action: "alert.assign", app: app) { alert, _, now in
            alert.assigneeID = assignee
            let details = ["assignee": assignee.map(SiteURL.id) ?? "none"]
            return (try entry(alert, .assignment, actor: actor.userID, details: details, at: now, vault: vault), details)
        }
    }

    package static func comment(_ alertID: UUID, text: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(alertID, by: .user(actor.userID), action: "alert.comment", app: app) { alert, _, now in
            (try entry(alert, .comment, actor: actor.userID, body: text, at: now, vault: vault), [:])
        }
    }

    /// Asks verifiers (users with the verifier role in partner organisations) to verify.
    package static func requestVerification(_ alertID: UUID, verifiers: [UserRecord], message: String?, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(alertID, by: .user(actor.userID), action: "alert.verification_request", app: app) { alert, db, now in
            guard alert.urgency != nil else { throw Refusal(key: "alert.refused.triageFirst") }
            if alert.status != .inVerification { try move(alert, to: .inVerification) }
            let alertID = try alert.requireID()
            var asked: [String] = []
            for verifier in verifiers {
                let verifierID = try verifier.requireID()
                let open = try await VerificationRequestRecord.query(on: db).filter(\.$alertID == alertID)
                    .filter(\.$verifierID == verifierID).filter(\.$state == .pending).count()
                guard open == 0 else { continue }
                let request = VerificationRequestRecord()
                let requestID = UUID()
                request.id = requestID
                request.alertID = alertID
                request.alertOrganisationID = alert.organisationID
                request.verifierID = verifierID
                request.verifierOrganisationID = verifier.$organisation.id
                request.requestedBy = actor.userID
                request.messageCiphertext = try message.map { try vault.seal($0, owner: alert.owner, VerificationRequestRecord.ref(requestID)) }
                request.state = .pending
                request.createdAt = now
                try await request.create(on: db)
                asked.append(SiteURL.id(requestID))
            }
            guard !asked.isEmpty else { throw Refusal(key: "alert.refused.alreadyAsked") }
            if alert.answeredAt == nil { alert.answeredAt = now }
            let details = ["requests": asked.joined(separator: " ")]
            return (try entry(alert, .verificationRequested, actor: actor.userID, body: message, details: details, at: now, vault: vault), details)
        }
    }

    /// The outcome an officer records: verified, not verified, rejected (with a reason), closed.
    package enum Decision: Sendable, Equatable {
        case verified, notVerified, rejected(RejectionReason), closed, reopen

        var status: AlertStatus {
            switch self {
            case .verified: .verified
            case .notVerified: .notVerified
            case .rejected: .rejected
            case .closed: .closed
            case .reopen: .triaged
            }
        }
    }

    package static func decide(_ alertID: UUID, _ decision: Decision, grounds: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        let deadlines = try await AlertSettingsRecord.deadlines(on: app.db)
        try await change(alertID, by: .user(actor.userID), action: "alert.decision", app: app) { alert, db, now in
            if decision == .verified || decision == .notVerified, alert.urgency == nil { throw Refusal(key: "alert.refused.triageFirst") }
            guard alert.mergedInto == nil else { throw Refusal(key: "alert.refused.alreadyMerged") }
            try move(alert, to: decision.status)
            let id = try alert.requireID()
            alert.rejectionReason = if case .rejected(let reason) = decision { reason } else { nil }
            alert.decidedAt = decision == .reopen ? nil : now
            if decision == .reopen {
                // A reopened alert waits on the team again, with a fresh deadline.
                alert.answeredAt = nil
                alert.deadlineAt = now.addingTimeInterval(TimeInterval(deadlines.hours(for: alert.urgency ?? ResponseDeadlines.untriaged) * 3600))
            } else if alert.answeredAt == nil {
                alert.answeredAt = now
            }
            alert.decisionGroundsCiphertext = try vault.seal(grounds, owner: alert.owner, AlertRecord.ref(id, "decision_grounds"))
            if decision != .reopen {
                // Requests still open are withdrawn: the verifier no longer sees the alert.
                try await withdrawPendingRequests(of: id, at: now, on: db)
            }
            var details = ["status": decision.status.rawValue]
            if let reason = alert.rejectionReason { details["reason"] = reason.rawValue }
            return (try entry(alert, .decision, actor: actor.userID, body: grounds, details: details, at: now, vault: vault), details)
        }
    }

    /// Merges `duplicateID` into `primaryID`: the duplicate is rejected as a duplicate and points to
    /// the primary; both keep their history, and the primary's page shows the duplicate's.
    package static func merge(_ duplicateID: UUID, into primaryID: UUID, by actor: Actor, app: Application) async throws {
        guard duplicateID != primaryID else { throw Refusal(key: "alert.refused.mergeSelf") }
        let vault = app.vault
        let now = app.clock.now()
        try await app.transaction { db in
            try await lockRow(AlertRecord.schema, id: duplicateID, on: db)
            try await lockRow(AlertRecord.schema, id: primaryID, on: db)
            guard let duplicate = try await AlertRecord.find(duplicateID, on: db),
                  let primary = try await AlertRecord.find(primaryID, on: db),
                  duplicate.organisationID == primary.organisationID else { throw Abort(.notFound) }
            guard duplicate.mergedInto == nil, primary.mergedInto == nil else { throw Refusal(key: "alert.refused.alreadyMerged") }
            duplicate.mergedInto = primaryID
            duplicate.status = .rejected
            duplicate.rejectionReason = .duplicate
            duplicate.decidedAt = now
            duplicate.updatedAt = now
            primary.updatedAt = now
            try await duplicate.save(on: db)
            try await primary.save(on: db)
            try await withdrawPendingRequests(of: duplicateID, at: now, on: db)
            try await entry(duplicate, .merged, actor: actor.userID, details: ["into": primary.reference], at: now, vault: vault).create(on: db)
            try await entry(primary, .mergedFrom, actor: actor.userID, details: ["from": duplicate.reference], at: now, vault: vault).create(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: primary.organisationID, action: "alert.merge", objectType: "alert",
                      objectID: SiteURL.id(primaryID), details: ["duplicate": SiteURL.id(duplicateID)]), at: now, on: db)
        }
    }

    static func withdrawPendingRequests(of alertID: UUID, at now: Date, on db: any Database) async throws {
        for request in try await VerificationRequestRecord.query(on: db).filter(\.$alertID == alertID).filter(\.$state == .pending).all() {
            request.state = .withdrawn
            request.answeredAt = now
            try await request.save(on: db)
        }
    }

    // MARK: Verifiers

    package struct FindingInput: Sendable {
        var reliability: SourceReliability
        var credibility: InformationCredibility
        var notes: String
        var uploads: [AlertUpload]
        package init(reliability: SourceReliability, credibility: InformationCredibility, notes: String, uploads: [AlertUpload]) {
            self.reliability = reliability
            self.credibility = credibility
            self.notes = notes
            self.uploads = uploads
        }
    }

    /// A verifier's graded finding on a request addressed to them.
    package static func respond(_ requestID: UUID, finding: FindingInput, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        let now = app.clock.now()
        try await app.transaction { db in
            try await lockRow(VerificationRequestRecord.schema, id: requestID, on: db)
            guard let request = try await VerificationRequestRecord.find(requestID, on: db), request.verifierID == actor.userID else {
                throw Abort(.notFound)
            }
            guard request.state == .pending else { throw Refusal(key: "verification.refused.closed") }
            guard let alert = try await AlertRecord.find(request.alertID, on: db) else { throw Abort(.notFound) }
            let findingID = UUID()
            let record = VerificationFindingRecord()
            record.id = findingID
            record.requestID = requestID
            record.alertID = request.alertID
            record.alertOrganisationID = request.alertOrganisationID
            record.organisationID = actor.organisationID
            record.verifierID = actor.userID
            record.reliability = finding.reliability
            record.credibility = finding.credibility
            record.notesCiphertext = try vault.seal(finding.notes, owner: alert.owner, VerificationFindingRecord.ref(findingID))
            record.createdAt = now
            try await record.create(on: db)
            for upload in finding.uploads {
                let fileID = try await FileStore.store(Data(upload.bytes), name: upload.name, mediaType: upload.kind.mediaType,
                                                       organisation: alert.organisationID, purpose: "verification", at: now, on: db, vault: vault)
                try await AlertAttachmentRecord(alertID: request.alertID, fileID: fileID, source: "finding", findingID: findingID,
                                                createdAt: now).create(on: db)
            }
            request.state = .answered
            request.answeredAt = now
            try await request.save(on: db)
            alert.updatedAt = now
            try await alert.save(on: db)
            let details = ["reliability": finding.reliability.rawValue, "credibility": String(finding.credibility.rawValue),
                           "files": String(finding.uploads.count)]
            try await entry(alert, .finding, actor: actor.userID, details: details, at: now, vault: vault).create(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: actor.organisationID, action: "verification.finding",
                      objectType: "verification_request", objectID: SiteURL.id(requestID), details: details), at: now, on: db)
        }
    }

    /// A verifier declines a request (not able to verify; conflict of interest…), saying why.
    package static func decline(_ requestID: UUID, reason: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        let now = app.clock.now()
        try await app.transaction { db in
            try await lockRow(VerificationRequestRecord.schema, id: requestID, on: db)
            guard let request = try await VerificationRequestRecord.find(requestID, on: db), request.verifierID == actor.userID,
                  let alert = try await AlertRecord.find(request.alertID, on: db) else { throw Abort(.notFound) }
            guard request.state == .pending else { throw Refusal(key: "verification.refused.closed") }
            request.state = .declined
            request.answeredAt = now
            try await request.save(on: db)
            try await entry(alert, .declined, actor: actor.userID, body: reason, at: now, vault: vault).create(on: db)
            try await AuditRecorder.record(
                .init(actor: .user(actor.userID), organisation: actor.organisationID, action: "verification.decline",
                      objectType: "verification_request", objectID: SiteURL.id(requestID)), at: now, on: db)
        }
    }
}
