import EgideCore
import Fluent
import Foundation
import SQLKit

/// One alert: the same record whatever the channel. Everything that could identify someone —
/// names, region, date, narrative, contact — is encrypted under the owning organisation's key and
/// bound to this row; the codes used for filtering (country, categories, urgency, status) are not.
package final class AlertRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    package static let schema = "alerts"

    @ID(key: .id) package var id: UUID?
    /// The organisation whose protection team handles the alert (and whose key encrypts it).
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "year") package var year: Int
    @Field(key: "sequence") package var sequence: Int
    /// Keyed hash of the sender's receipt code (the code itself is never stored).
    @Field(key: "receipt_tag") package var receiptTag: Data
    /// Keyed hash of the sender's passphrase.
    @Field(key: "passphrase_tag") package var passphraseTag: Data
    @OptionalField(key: "idempotency_tag") package var idempotencyTag: Data?
    /// Keyed fingerprint of the submitted content, to refuse an idempotency key reused for another alert.
    @OptionalField(key: "payload_tag") package var payloadTag: Data?
    @Field(key: "channel") package var channel: AlertChannel
    @Field(key: "status") package var status: AlertStatus
    @OptionalField(key: "urgency") package var urgency: Urgency?
    @OptionalField(key: "rejection_reason") package var rejectionReason: RejectionReason?
    /// ISO 3166-1 alpha-2.
    @Field(key: "country") package var country: String
    /// Category codes as `,code,code,` (so one `LIKE '%,code,%'` filters).
    @Field(key: "categories") package var categoryList: String
    @Field(key: "needs") package var needList: String
    @OptionalField(key: "field_of_work") package var fieldOfWork: FieldOfWork?
    @Field(key: "sender_is_defender") package var senderIsDefender: Bool
    @Field(key: "consent_to_contact") package var consentToContact: Bool
    @OptionalField(key: "contact_channel") package var contactChannel: ContactChannel?
    @Field(key: "language") package var language: String
    @OptionalField(key: "defender_name_ct") package var defenderNameCiphertext: Data?
    @OptionalField(key: "defender_index") package var defenderIndex: Int?
    @OptionalField(key: "organisation_name_ct") package var organisationNameCiphertext: Data?
    @OptionalField(key: "organisation_index") package var organisationIndex: Int?
    @OptionalField(key: "region_ct") package var regionCiphertext: Data?
    @OptionalField(key: "incident_date_ct") package var incidentDateCiphertext: Data?
    @Field(key: "narrative_ct") package var narrativeCiphertext: Data
    @OptionalField(key: "contact_ct") package var contactCiphertext: Data?
    @OptionalField(key: "recorded_by") package var recordedBy: UUID?
    @OptionalField(key: "recorded_by_organisation") package var recordedByOrganisation: UUID?
    @OptionalField(key: "assignee_id") package var assigneeID: UUID?
    @Field(key: "received_at") package var receivedAt: Date
    @OptionalField(key: "triaged_at") package var triagedAt: Date?
    @Field(key: "deadline_at") package var deadlineAt: Date
    /// When the team first answered (triage with a decision, a verification request, a rejection):
    /// after it, the deadline no longer counts.
    @OptionalField(key: "answered_at") package var answeredAt: Date?
    @OptionalField(key: "decided_at") package var decidedAt: Date?
    @OptionalField(key: "decision_grounds_ct") package var decisionGroundsCiphertext: Data?
    @OptionalField(key: "merged_into") package var mergedInto: UUID?
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    var reference: String { AlertReference.format(year: year, sequence: sequence) }
    var categories: [String] { categoryList.split(separator: ",").map(String.init) }
    var needs: [AlertNeed] { needList.split(separator: ",").compactMap { AlertNeed(rawValue: String($0)) } }
    var owner: String { Accounts.owner(organisationID) }

    static func ref(_ id: UUID, _ field: String) -> FieldRef { FieldRef(schema, id, field) }

    static func list(_ codes: [String]) -> String { codes.isEmpty ? "" : "," + codes.joined(separator: ",") + "," }
}

/// What a list row, a deadline and the names read of an alert: an `AlertRecord`, or the columns of
/// one read for the queue (`AlertQueuePage.Listed`).
protocol AlertSummary {
    var reference: String { get }
    var owner: String { get }
    var status: AlertStatus { get }
    var urgency: Urgency? { get }
    var country: String { get }
    var defenderNameCiphertext: Data? { get }
    var organisationNameCiphertext: Data? { get }
    var assigneeID: UUID? { get }
    var receivedAt: Date { get }
    var deadlineAt: Date { get }
    var answeredAt: Date? { get }
    var mergedInto: UUID? { get }
    func requireID() throws -> UUID
}

extension AlertRecord: AlertSummary {}

/// The staff-facing reference of an alert: `AL-2026-0042`.
enum AlertReference {
    static func format(year: Int, sequence: Int) -> String {
        "AL-\(year)-" + String(repeating: "0", count: max(0, 4 - String(sequence).count)) + String(sequence)
    }

    /// `(year, sequence)` of a typed reference, tolerant of case and spaces.
    static func parse(_ text: String) -> (year: Int, sequence: Int)? {
        let parts = text.trimmingCharacters(in: .whitespaces).uppercased().split(separator: "-")
        guard parts.count == 3, parts[0] == "AL", let year = Int(parts[1]), let sequence = Int(parts[2]) else { return nil }
        return (year, sequence)
    }
}

/// One line of an alert's history: a comment, a status change, information added by the sender,
/// an assignment, a merge. The body, when there is one, is encrypted.
final class AlertEntryRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    static let schema = "alert_entries"

    enum Kind: String, Codable, Sendable, CaseIterable {
        case received, comment, senderUpdate = "sender_update", triage, assignment, status
        case verificationRequested = "verification_requested", finding, decision, merged, mergedFrom = "merged_from"
        case declined
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "alert_id") var alertID: UUID
    /// The alert's owner (whose key encrypts the body).
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "kind") var kind: Kind
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "body_ct") var bodyCiphertext: Data?
    /// Codes only (`{"urgency":"p1"}`), never personal data.
    @Field(key: "details") var details: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(id: UUID = UUID(), alertID: UUID, organisationID: UUID, kind: Kind, actorID: UUID?, bodyCiphertext: Data? = nil,
         details: [String: String] = [:], createdAt: Date) {
        self.id = id
        self.alertID = alertID
        self.organisationID = organisationID
        self.kind = kind
        self.actorID = actorID
        self.bodyCiphertext = bodyCiphertext
        self.details = AuditEventModel.encode(details)
        self.createdAt = createdAt
    }

    static func ref(_ id: UUID) -> FieldRef { FieldRef(schema, id, "body") }
}

/// A file attached to an alert: by the sender, by staff, or as evidence of a verification finding.
final class AlertAttachmentRecord: Model, @unchecked Sendable {
    static let schema = "alert_attachments"

    @ID(key: .id) var id: UUID?
    @Field(key: "alert_id") var alertID: UUID
    @Field(key: "file_id") var fileID: UUID
    @Field(key: "source") var source: String
    @OptionalField(key: "finding_id") var findingID: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(alertID: UUID, fileID: UUID, source: String, findingID: UUID? = nil, createdAt: Date) {
        self.id = UUID()
        self.alertID = alertID
        self.fileID = fileID
        self.source = source
        self.findingID = findingID
        self.createdAt = createdAt
    }
}

/// A violation category of the taxonomy (a label per language; administrators edit them).
package final class AlertCategoryRecord: Model, @unchecked Sendable {
    package static let schema = "alert_categories"

    @ID(key: .id) package var id: UUID?
    @Field(key: "code") package var code: String
    @Field(key: "label_en") package var labelEN: String
    @Field(key: "label_fr") package var labelFR: String
    /// Empty until an administrator writes it (or `AddArabicCategoryLabels` did, for the seeded
    /// categories); Arabic pages show the English label meanwhile.
    @OptionalField(key: "label_ar") package var labelAR: String?
    @Field(key: "active") package var active: Bool
    @Field(key: "position") package var position: Int

    package init() {}

    init(code: String, labelEN: String, labelFR: String, position: Int) {
        self.id = UUID()
        self.code = code
        self.labelEN = labelEN
        self.labelFR = labelFR
        self.active = true
        self.position = position
    }

    func label(in language: Language) -> String {
        AlertCategory.label(in: language, en: labelEN, fr: labelFR, ar: labelAR)
    }
}

/// A category as pages name it, kept in memory (`CategoryCache`).
struct AlertCategory: Sendable, Equatable {
    var code: String
    var labelEN: String
    var labelFR: String
    var labelAR: String?
    var active: Bool

    func label(in language: Language) -> String { Self.label(in: language, en: labelEN, fr: labelFR, ar: labelAR) }

    /// Arabic pages show the English label until an administrator writes the Arabic one.
    static func label(in language: Language, en: String, fr: String, ar: String?) -> String {
        switch language {
        case .fr: fr
        case .en: en
        case .ar: ar ?? en
        }
    }
}

/// The instance's alert settings: response deadlines and the verification rule (one row).
final class AlertSettingsRecord: Model, @unchecked Sendable {
    static let schema = "alert_settings"
    static let singletonID = UUID(uuidString: "00000000-0000-0000-0000-0000000a1e27")!

    @ID(key: .id) var id: UUID?
    @Field(key: "p1_hours") var p1Hours: Int
    @Field(key: "p2_hours") var p2Hours: Int
    @Field(key: "p3_hours") var p3Hours: Int
    @Field(key: "p4_hours") var p4Hours: Int
    @Field(key: "rule_independent") var ruleIndependent: Int
    @Field(key: "rule_credible_at_most") var ruleCredibleAtMost: Int
    /// `A`…`F`, or empty: a single source never suffices.
    @Field(key: "rule_single_reliability") var ruleSingleReliability: String
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var deadlines: ResponseDeadlines {
        ResponseDeadlines(hours: [.p1: p1Hours, .p2: p2Hours, .p3: p3Hours, .p4: p4Hours])
    }

    var rule: VerificationRule {
        VerificationRule(independentFindings: ruleIndependent,
                         credibleAtMost: InformationCredibility(rawValue: ruleCredibleAtMost) ?? .probablyTrue,
                         singleSourceReliabilityAtMost: SourceReliability(rawValue: ruleSingleReliability))
    }

    func apply(_ deadlines: ResponseDeadlines, _ rule: VerificationRule) {
        p1Hours = deadlines.hours(for: .p1); p2Hours = deadlines.hours(for: .p2)
        p3Hours = deadlines.hours(for: .p3); p4Hours = deadlines.hours(for: .p4)
        ruleIndependent = rule.independentFindings
        ruleCredibleAtMost = rule.credibleAtMost.rawValue
        ruleSingleReliability = rule.singleSourceReliabilityAtMost?.rawValue ?? ""
    }

    /// The response deadlines alone, read as columns (the alert queue's every row needs them).
    static func deadlines(on db: any Database) async throws -> ResponseDeadlines {
        guard let row = try await query(on: db).filter(\.$id == singletonID).columns(deadlineColumns).first else { return .standard }
        return ResponseDeadlines(hours: [.p1: try row(\.$p1Hours), .p2: try row(\.$p2Hours), .p3: try row(\.$p3Hours), .p4: try row(\.$p4Hours)])
    }

    private static let deadlineColumns = [key(\.$p1Hours), key(\.$p2Hours), key(\.$p3Hours), key(\.$p4Hours)]

    /// The settings (the standard ones until an administrator changes them).
    static func current(on db: any Database) async throws -> AlertSettingsRecord {
        if let found = try await find(singletonID, on: db) { return found }
        let settings = AlertSettingsRecord()
        settings.id = singletonID
        settings.apply(.standard, .standard)
        settings.updatedAt = Date(timeIntervalSince1970: 0)
        return settings
    }
}

/// A protection officer's request to a partner verifier to verify an alert.
package final class VerificationRequestRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "alert_organisation_id"

    package static let schema = "verification_requests"

    package enum State: String, Codable, Sendable, CaseIterable {
        case pending, answered, declined, withdrawn
        var labelKey: String { "verification.state.\(rawValue)" }
    }

    @ID(key: .id) package var id: UUID?
    @Field(key: "alert_id") package var alertID: UUID
    /// The alert's owner (the key the message is encrypted under).
    @Field(key: "alert_organisation_id") package var alertOrganisationID: UUID
    @Field(key: "verifier_id") package var verifierID: UUID
    @Field(key: "verifier_organisation_id") package var verifierOrganisationID: UUID
    @Field(key: "requested_by") package var requestedBy: UUID
    @OptionalField(key: "message_ct") package var messageCiphertext: Data?
    @Field(key: "state") package var state: State
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "answered_at") package var answeredAt: Date?

    package init() {}

    static func ref(_ id: UUID) -> FieldRef { FieldRef(schema, id, "message") }
}

/// A verifier's finding, graded on the Admiralty scale.
package final class VerificationFindingRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "alert_organisation_id"

    package static let schema = "verification_findings"

    @ID(key: .id) package var id: UUID?
    @Field(key: "request_id") package var requestID: UUID
    @Field(key: "alert_id") package var alertID: UUID
    @Field(key: "alert_organisation_id") package var alertOrganisationID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "verifier_id") package var verifierID: UUID
    @Field(key: "reliability") package var reliability: SourceReliability
    @Field(key: "credibility") package var credibility: InformationCredibility
    @Field(key: "notes_ct") package var notesCiphertext: Data
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    static func ref(_ id: UUID) -> FieldRef { FieldRef(schema, id, "notes") }

    var graded: GradedFinding { GradedFinding(organisationID: organisationID, reliability: reliability, credibility: credibility) }
}

extension AlertRecord: WorkflowRecord {
    static let auditObjectType = "alert"
}
