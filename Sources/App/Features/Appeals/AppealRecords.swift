import EgideCore
import Fluent
import Foundation

/// A document: an urgent appeal, a statement, a letter, a press release, a report or an analysis
/// note, with its language versions (`AppealVersionRecord`). It takes its reference when its
/// first version is approved; a follow-up takes its original's with a suffix.
package final class AppealRecord: Model, WorkflowRecord, @unchecked Sendable {
    package static let schema = "appeals"
    static let auditObjectType = "appeal"

    @ID(key: .id) package var id: UUID?
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "kind") package var kind: AppealKind
    /// ISO 3166-1 alpha-2.
    @Field(key: "country") package var country: String
    /// `AppealTheme.store`.
    @Field(key: "themes") package var themes: String
    @Field(key: "original_language") package var originalLanguage: AppealLanguage
    /// `TUN 003 / 0725 / OBS 045`, once issued.
    @OptionalField(key: "reference") package var reference: String?
    /// The public address's last segment, unique on the instance (`tun-003-0725-obs-045`).
    @OptionalField(key: "slug") package var slug: String?
    @OptionalField(key: "year") package var year: Int?
    @OptionalField(key: "yearly_sequence") package var yearlySequence: Int?
    @OptionalField(key: "country_sequence") package var countrySequence: Int?
    /// The original this document follows up.
    @OptionalField(key: "parent_id") package var parentID: UUID?
    @OptionalField(key: "follow_up_kind") package var followUpKind: FollowUpKind?
    @OptionalField(key: "follow_up_number") package var followUpNumber: Int?
    @OptionalField(key: "issued_at") package var issuedAt: Date?
    /// Who declared that the document names no defender at risk (a document linked to no case
    /// publishes only after such a declaration, by someone who wrote none of it), and when.
    @OptionalField(key: "no_defender_by") package var noDefenderBy: UUID?
    @OptionalField(key: "no_defender_at") package var noDefenderAt: Date?
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}
}

/// One language version of a document, with its own state. `revision` is the number of its latest
/// text; `publishedRevision` the one the public sees (kept online while an update is prepared).
package final class AppealVersionRecord: Model, WorkflowRecord, @unchecked Sendable {
    package static let schema = "appeal_versions"
    static let auditObjectType = "appeal_version"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "language") package var language: AppealLanguage
    @Field(key: "state") package var state: AppealState
    @Field(key: "revision") package var revision: Int
    /// The revision submitted for review (the diff shows what changed since).
    @OptionalField(key: "submitted_revision") package var submittedRevision: Int?
    @OptionalField(key: "approved_revision") package var approvedRevision: Int?
    @OptionalField(key: "approved_by") package var approvedBy: UUID?
    @OptionalField(key: "published_revision") package var publishedRevision: Int?
    @OptionalField(key: "first_published_at") package var firstPublishedAt: Date?
    @OptionalField(key: "published_at") package var publishedAt: Date?
    /// Whether it was ever published (an update is published as such).
    @Field(key: "was_published") package var wasPublished: Bool
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    /// Whether the public sees it now: on the page, in the feed.
    var isOnline: Bool { publishedRevision != nil }
}

/// One text of a language version: every revision is kept. Title and body (Markdown) are one
/// document sealed under the organisation's key — a draft names defenders before they consent.
package final class AppealRevisionRecord: Model, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "appeal_revisions"

    @ID(key: .id) package var id: UUID?
    @Field(key: "version_id") package var versionID: UUID
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "number") package var number: Int
    @Field(key: "text_ct") package var textCiphertext: Data
    @Field(key: "author_id") package var authorID: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}

    package static func ref(_ id: UUID) -> FieldRef { FieldRef(schema, id, "text") }
}

/// What a revision says.
package struct AppealText: Codable, Sendable, Equatable {
    package var title: String
    /// Markdown.
    package var body: String
    package init(title: String, body: String) {
        self.title = title
        self.body = body
    }
}

/// A reviewer's comment on a version, on the revision they read.
package final class AppealCommentRecord: Model, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "appeal_comments"

    @ID(key: .id) package var id: UUID?
    @Field(key: "version_id") package var versionID: UUID
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "revision") package var revision: Int
    @Field(key: "author_id") package var authorID: UUID
    @Field(key: "body_ct") package var bodyCiphertext: Data
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A case a document is about (and so the defenders whose consent it needs).
package final class AppealCaseRecord: Model, @unchecked Sendable {
    package static let schema = "appeal_cases"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "case_id") package var caseID: UUID

    package init() {}
    init(appealID: UUID, caseID: UUID) {
        self.id = UUID()
        self.appealID = appealID
        self.caseID = caseID
    }
}

/// A defender's word on one channel of one document: granted or withdrawn, by whom recorded,
/// with how it was given (sealed). The latest row per person and channel is in force.
package final class AppealConsentRecord: Model, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "appeal_consents"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    /// The case person (a defender of a linked case).
    @Field(key: "person_id") package var personID: UUID
    @Field(key: "channel") package var channel: AppealChannel
    @Field(key: "granted") package var granted: Bool
    @OptionalField(key: "note_ct") package var noteCiphertext: Data?
    @Field(key: "recorded_by") package var recordedBy: UUID
    @Field(key: "recorded_at") package var recordedAt: Date

    package init() {}
}

/// An authority or institution the document asks readers to write to.
package final class AppealTargetRecord: Model, @unchecked Sendable {
    package static let schema = "appeal_targets"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "name") package var name: String
    /// Their office or institution.
    @Field(key: "institution") package var institution: String
    /// Postal address, e-mail, fax, as one would write them in the document.
    @Field(key: "address") package var address: String
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A reply received from an authority (what it said is sealed).
package final class AppealReplyRecord: Model, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "appeal_replies"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "target_id") package var targetID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    /// `YYYY-MM-DD`.
    @Field(key: "received_on") package var receivedOn: String
    @Field(key: "summary_ct") package var summaryCiphertext: Data
    @Field(key: "recorded_by") package var recordedBy: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A step in a document's history, for its page and the case timeline (`kind` names the step).
package final class AppealEventRecord: Model, @unchecked Sendable {
    package static let schema = "appeal_events"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @OptionalField(key: "language") package var language: AppealLanguage?
    @Field(key: "kind") package var kind: String
    @Field(key: "actor_id") package var actorID: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// How an organisation numbers its documents (`ReferencePattern`); absent: the Observatory's.
package final class AppealSettingsRecord: Model, @unchecked Sendable {
    package static let schema = "appeal_settings"

    @ID(key: .id) package var id: UUID?
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "reference_pattern") package var referencePattern: String
    @Field(key: "updated_by") package var updatedBy: UUID
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}
}

// MARK: - Mailing

/// Someone who receives the organisation's appeals by e-mail: a subscriber, or a member of the
/// network's staff added as one. The address is sealed; `emailIndex` (a short keyed blind index,
/// shared by chance with other addresses) finds candidates for duplicates; the unsubscribe token
/// is sealed too, and found by its hash.
package final class AppealSubscriberRecord: Model, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "appeal_subscribers"

    @ID(key: .id) package var id: UUID?
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "email_ct") package var emailCiphertext: Data
    @Field(key: "email_index") package var emailIndex: Int
    @OptionalField(key: "name_ct") package var nameCiphertext: Data?
    /// The document languages they read, `fr,en`.
    @Field(key: "languages") package var languages: String
    /// `subscriber` or `network` (staff of a partner or network member).
    @Field(key: "kind") package var kind: String
    @Field(key: "token_ct") package var tokenCiphertext: Data
    @Field(key: "token_hash") package var tokenHash: Data
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "unsubscribed_at") package var unsubscribedAt: Date?

    package init() {}

    var languageList: [AppealLanguage] { languages.split(separator: ",").compactMap { AppealLanguage(rawValue: String($0)) } }
}

/// One mailing of one published text (a language version at a revision): never two for the same
/// text (unique), so a second click or a second node cannot send a batch twice.
package final class AppealMailingRecord: Model, @unchecked Sendable {
    package static let schema = "appeal_mailings"

    @ID(key: .id) package var id: UUID?
    @Field(key: "appeal_id") package var appealID: UUID
    @Field(key: "version_id") package var versionID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "language") package var language: AppealLanguage
    @Field(key: "revision") package var revision: Int
    /// `sending`, `done`, `cancelled`.
    @Field(key: "state") package var state: String
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date
    @OptionalField(key: "finished_at") package var finishedAt: Date?

    package init() {}
}

/// One recipient of one mailing and what became of their message.
package final class AppealRecipientRecord: Model, @unchecked Sendable {
    package static let schema = "appeal_mailing_recipients"

    /// `pending` (to send, at `nextAttemptAt`), `sending` (handed to the server now), `sent`,
    /// `refused` (the server refused the address for good), `failed` (temporary failures, given
    /// up), `uncertain` (the sender stopped while handing it over: not sent again, to never send
    /// twice), `cancelled` (consent withdrawn before it left).
    package enum State: String, Codable, CaseIterable, Sendable { case pending, sending, sent, refused, failed, uncertain, cancelled }

    @ID(key: .id) package var id: UUID?
    @Field(key: "mailing_id") package var mailingID: UUID
    @Field(key: "subscriber_id") package var subscriberID: UUID
    @Field(key: "state") package var state: State
    @Field(key: "attempts") package var attempts: Int
    @Field(key: "next_attempt_at") package var nextAttemptAt: Date
    @OptionalField(key: "claimed_at") package var claimedAt: Date?
    /// The server's reply code to the last attempt (`550 5.1.1`), never its text (it may hold the address).
    @OptionalField(key: "last_code") package var lastCode: String?
    @OptionalField(key: "sent_at") package var sentAt: Date?

    package init() {}
}
