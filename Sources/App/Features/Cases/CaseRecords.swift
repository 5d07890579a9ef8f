import EgideCore
import Fluent
import Foundation
import SQLKit

/// One protection case. Outside the case file it is known only by its pseudonymous code
/// (`CMR-2026-0042`). The columns in clear are the codes lists and filters need (country, status,
/// risk level, dates); everything that could identify someone is encrypted under the owning
/// organisation's key and bound to this row.
package final class CaseRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    package static let schema = "cases"

    @ID(key: .id) package var id: UUID?
    /// The organisation running the protection work (host or consortium member; its key encrypts the case).
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "code") package var code: String
    @Field(key: "year") package var year: Int
    @Field(key: "sequence") package var sequence: Int
    /// ISO 3166-1 alpha-2.
    @Field(key: "country") package var country: String
    @OptionalField(key: "region_ct") package var regionCiphertext: Data?
    /// What the case is about, in the officer's words.
    @Field(key: "summary_ct") package var summaryCiphertext: Data
    @OptionalField(key: "field_of_work") package var fieldOfWork: FieldOfWork?
    @Field(key: "status") package var status: CaseStatus
    @Field(key: "lead_id") package var leadID: UUID
    @OptionalField(key: "alert_id") package var alertID: UUID?
    /// The latest assessment's computed and judged levels (1–5), for lists and filters.
    @OptionalField(key: "risk_level") package var riskLevel: Int?
    @OptionalField(key: "judged_level") package var judgedLevel: Int?
    @OptionalField(key: "next_review_at") package var nextReviewAt: Date?
    @Field(key: "opened_at") package var openedAt: Date
    @OptionalField(key: "closed_at") package var closedAt: Date?
    @OptionalField(key: "outcome") package var outcome: CaseOutcome?
    @OptionalField(key: "closure_ct") package var closureCiphertext: Data?
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    var owner: String { Accounts.owner(organisationID) }
    package static func ref(_ id: UUID, _ field: String) -> FieldRef { FieldRef(schema, id, field) }
}

/// A person or organisation concerned by a case: the defender, relatives at risk, colleagues.
/// Identity is one encrypted document; gender identity and sexual orientation are a second one,
/// written only with the person's recorded consent and opened only for holders of each field's
/// permission.
package final class CasePersonRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    package static let schema = "case_people"

    @ID(key: .id) package var id: UUID?
    @Field(key: "case_id") package var caseID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "role") package var role: PersonRole
    @Field(key: "is_organisation") package var isOrganisation: Bool
    @Field(key: "identity_ct") package var identityCiphertext: Data
    @OptionalField(key: "sensitive_ct") package var sensitiveCiphertext: Data?
    @OptionalField(key: "consent_at") package var consentAt: Date?
    @OptionalField(key: "consent_by") package var consentBy: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    package static func ref(_ id: UUID, _ field: String) -> FieldRef { FieldRef(schema, id, field) }
}

/// Keyed blind indexes of the name words of a case's people (and aliases), for search: a typed
/// name is normalised, indexed with the same key, and matched here — no name in clear on disk.
package final class CaseNameTokenRecord: Model, @unchecked Sendable {
    package static let schema = "case_name_tokens"

    @ID(key: .id) package var id: UUID?
    @Field(key: "case_id") package var caseID: UUID
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "token") package var token: Int

    package init() {}

    init(caseID: UUID, personID: UUID, organisationID: UUID, token: Int) {
        self.id = UUID()
        self.caseID = caseID
        self.personID = personID
        self.organisationID = organisationID
        self.token = token
    }
}

/// A member of a case's team (the lead is on `cases.lead_id`).
package final class CaseTeamRecord: Model, @unchecked Sendable {
    package static let schema = "case_team"

    @ID(key: .id) package var id: UUID?
    @Field(key: "case_id") package var caseID: UUID
    @Field(key: "user_id") package var userID: UUID
    @Field(key: "added_at") package var addedAt: Date

    package init() {}

    init(caseID: UUID, userID: UUID, addedAt: Date) {
        self.id = UUID()
        self.caseID = caseID
        self.userID = userID
        self.addedAt = addedAt
    }
}

/// A partner organisation granted access to a case (need-to-know).
package final class CaseGrantRecord: Model, @unchecked Sendable {
    package static let schema = "case_grants"

    @ID(key: .id) package var id: UUID?
    @Field(key: "case_id") package var caseID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "granted_by") package var grantedBy: UUID
    @Field(key: "granted_at") package var grantedAt: Date

    package init() {}

    init(caseID: UUID, organisationID: UUID, grantedBy: UUID, grantedAt: Date) {
        self.id = UUID()
        self.caseID = caseID
        self.organisationID = organisationID
        self.grantedBy = grantedBy
        self.grantedAt = grantedAt
    }
}

/// One part of a case file: a risk assessment, a security-plan measure or review, a support
/// request, a referral, a follow-up, a case review, an impact record. Its words are one encrypted
/// JSON document (`content_ct`, a `CaseContent` type per kind); the columns in clear hold only
/// what lists, deadlines and counts need — codes, dates, levels, amounts.
package final class CaseItemRecord: Model, EncryptedRecord, @unchecked Sendable {
    /// Its `…_ct` fields are sealed for the organisation in this column (`EncryptedRecord`).
    static let encryptionOwnerColumn: String? = "organisation_id"

    package static let schema = "case_items"

    package enum Kind: String, Codable, Sendable, CaseIterable {
        case assessment, measure, planReview = "plan_review", support, referral, followUp = "follow_up", review, impact
    }

    @ID(key: .id) package var id: UUID?
    @Field(key: "case_id") package var caseID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "kind") package var kind: Kind
    /// The assessment's number (1, 2, …), the impact moment's order; 0 otherwise.
    @Field(key: "version") package var version: Int
    /// The kind's state code (`MeasureState`, `SupportState`, `ReferralState`, `FollowUpState`, `ImpactMoment`…).
    @Field(key: "state") package var state: String
    /// A secondary code: the measure's stage, the support type, the assessment's trigger.
    @Field(key: "category") package var category: String
    /// The due date of a measure or follow-up; an assessment's next review.
    @OptionalField(key: "due_at") package var dueAt: Date?
    /// The staff member a follow-up or measure is assigned to.
    @OptionalField(key: "assignee_id") package var assigneeID: UUID?
    /// The partner organisation a referral is sent to (or providing support).
    @OptionalField(key: "target_organisation_id") package var targetOrganisationID: UUID?
    /// An assessment's computed and judged levels.
    @OptionalField(key: "level") package var level: Int?
    @OptionalField(key: "judged_level") package var judgedLevel: Int?
    /// A support request's estimated cost, in minor units of `currency`.
    @OptionalField(key: "amount_minor") package var amountMinor: Int64?
    @OptionalField(key: "currency") package var currency: String?
    @Field(key: "content_ct") package var contentCiphertext: Data
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    static func ref(_ id: UUID) -> FieldRef { FieldRef(schema, id, "content") }
}

/// One line of a case's timeline: what happened, by whom, when — codes only (the words are in the
/// item it points to), so the timeline itself holds no personal data.
final class CaseEntryRecord: Model, @unchecked Sendable {
    static let schema = "case_entries"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "item_id") var itemID: UUID?
    @OptionalField(key: "actor_id") var actorID: UUID?
    /// Codes only (`{"state":"done"}`), never personal data.
    @Field(key: "details") var details: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(caseID: UUID, kind: String, itemID: UUID? = nil, actorID: UUID?, details: [String: String] = [:], createdAt: Date) {
        self.id = UUID()
        self.caseID = caseID
        self.kind = kind
        self.itemID = itemID
        self.actorID = actorID
        self.details = AuditEventModel.encode(details)
        self.createdAt = createdAt
    }

    var detailValues: [String: String] { AuditEventModel.decode(details) }
}

/// A permission held by one user beyond their roles: today, seeing one sensitive field of the
/// people in the cases they may read (`SensitiveField.permission`). Granted by host administrators.
final class UserPermissionRecord: Model, @unchecked Sendable {
    static let schema = "user_permissions"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "permission") var permission: String
    @Field(key: "granted_by") var grantedBy: UUID
    @Field(key: "granted_at") var grantedAt: Date

    init() {}

    init(userID: UUID, permission: String, grantedBy: UUID, grantedAt: Date) {
        self.id = UUID()
        self.userID = userID
        self.permission = permission
        self.grantedBy = grantedBy
        self.grantedAt = grantedAt
    }
}

extension CaseRecord: WorkflowRecord {
    static let auditObjectType = "case"
}
