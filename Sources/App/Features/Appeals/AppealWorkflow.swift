import EgideCore
import Fluent
import Foundation
import Vapor

/// Every change of a document and its language versions, each in one transaction with its
/// history entry and audit event: drafting, revisions, review, four-eyes approval (which issues
/// the reference), publication (which needs each defender's consent for the channel), closure,
/// consents (a withdrawal takes the document offline), targets and replies.
package enum AppealWorkflow {
    static let sequenceLockKey: Int64 = 0x4567_6964_6541_7070

    package struct Draft: Sendable {
        package var kind: AppealKind
        /// ISO 3166-1 alpha-2.
        package var country: String
        package var themes: [AppealTheme]
        package var language: AppealLanguage
        package var text: AppealText
        package var caseIDs: [UUID]
        package var parentID: UUID?
        package var followUpKind: FollowUpKind?
        package init(kind: AppealKind, country: String, themes: [AppealTheme], language: AppealLanguage, text: AppealText,
                     caseIDs: [UUID] = [], parentID: UUID? = nil, followUpKind: FollowUpKind? = nil) {
            self.kind = kind
            self.country = country
            self.themes = themes
            self.language = language
            self.text = text
            self.caseIDs = caseIDs
            self.parentID = parentID
            self.followUpKind = followUpKind
        }
    }

    // MARK: Documents

    /// Starts a document (or a follow-up of an issued one) with its first language version as a draft.
    package static func create(_ draft: Draft, by actor: Actor, app: Application) async throws -> UUID {
        guard AppealPolicy.evaluate(actor, .write, nil).isAllowed else { throw Abort(.forbidden) }
        // A follow-up takes its original's country.
        guard draft.parentID != nil || Countries.isValid(draft.country) else { throw Refusal(key: "form.choice.invalid") }
        let vault = app.vault
        let now = app.clock.now()
        return try await app.transaction { db in
            var inherited: [UUID] = []
            var country = draft.country, themes = draft.themes
            if let parentID = draft.parentID {
                let parent = try await AppealQueries.appeal(parentID, for: actor, on: db)
                guard parent.reference != nil else { throw Refusal(key: "appeal.refusal.parentNotIssued") }
                guard parent.parentID == nil else { throw Refusal(key: "appeal.refusal.followUpOfFollowUp") }
                // A follow-up carries its original's reference: a closed letter's must stay unknown.
                guard parent.kind.isPublic else { throw Refusal(key: "appeal.refusal.followUpOfClosedLetter") }
                inherited = try await AppealQueries.caseIDs(of: parentID, on: db)
                country = parent.country
                if themes.isEmpty { themes = AppealTheme.list(parent.themes) }
            }
            // A document names the cases its author may see; a follow-up inherits its original's.
            let own = Set(draft.caseIDs).subtracting(inherited)
            let caseIDs = Array(own.union(inherited))
            if !own.isEmpty {
                let visible = try await CaseQueries.visible(to: actor, on: db).filter(\.$id ~~ Array(own)).all()
                guard visible.count == own.count else { throw Abort(.notFound) }
            }
            let appeal = AppealRecord()
            let id = UUID()
            appeal.id = id
            appeal.organisationID = actor.organisationID
            appeal.kind = draft.kind
            appeal.country = country
            appeal.themes = AppealTheme.store(themes)
            appeal.originalLanguage = draft.language
            appeal.parentID = draft.parentID
            appeal.followUpKind = draft.parentID == nil ? nil : (draft.followUpKind ?? .newInformation)
            appeal.createdBy = actor.userID
            appeal.createdAt = now
            appeal.updatedAt = now
            try await appeal.create(on: db)
            for caseID in caseIDs { try await AppealCaseRecord(appealID: id, caseID: caseID).create(on: db) }
            try await addVersion(appeal, draft.language, draft.text, by: actor, at: now, on: db, vault: vault)
            try await event(appeal, nil, "created", actor: actor, at: now, on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "appeal.create",
                                                 objectType: "appeal", objectID: SiteURL.id(id),
                                                 details: ["kind": draft.kind.rawValue, "language": draft.language.rawValue, "cases": String(caseIDs.count)]),
                                           at: now, on: db)
            return id
        }
    }

    /// Adds a language version (a translation) to a document.
    package static func addVersion(_ appealID: UUID, _ language: AppealLanguage, _ text: AppealText, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: "appeal.version", app: app, authorize: { appeal, db in
            try await authorize(appeal, .write, actor, on: db)
        }) { appeal, db, now in
            guard try await AppealVersionRecord.query(on: db).filter(\.$appealID == appealID).filter(\.$language == language).first() == nil else {
                throw Refusal(key: "appeal.refusal.versionExists")
            }
            try await addVersion(appeal, language, text, by: actor, at: now, on: db, vault: vault)
            return (["language": language.rawValue], ())
        }
    }

    private static func addVersion(_ appeal: AppealRecord, _ language: AppealLanguage, _ text: AppealText, by actor: Actor, at now: Date,
                                   on db: any Database, vault: Vault) async throws {
        let version = AppealVersionRecord()
        let versionID = UUID()
        version.id = versionID
        version.appealID = try appeal.requireID()
        version.organisationID = appeal.organisationID
        version.language = language
        version.state = .draft
        version.revision = 1
        version.wasPublished = false
        version.createdBy = actor.userID
        version.createdAt = now
        version.updatedAt = now
        try await version.create(on: db)
        try await writeRevision(version, number: 1, text, by: actor, at: now, on: db, vault: vault)
        try await event(appeal, language, "version", actor: actor, at: now, on: db)
    }

    private static func writeRevision(_ version: AppealVersionRecord, number: Int, _ text: AppealText, by actor: Actor, at now: Date,
                                      on db: any Database, vault: Vault) async throws {
        let revision = AppealRevisionRecord()
        let id = UUID()
        revision.id = id
        revision.versionID = try version.requireID()
        revision.appealID = version.appealID
        revision.organisationID = version.organisationID
        revision.number = number
        revision.textCiphertext = try AppealQueries.seal(text, revisionID: id, organisation: version.organisationID, vault: vault)
        revision.authorID = actor.userID
        revision.createdAt = now
        try await revision.create(on: db)
    }

    // MARK: A version's steps

    /// Writes a new revision: in a draft or in review (a reviewer's suggested edit, which makes
    /// them an author), or an update of an approved or published text, which goes back to draft.
    package static func revise(_ appealID: UUID, _ language: AppealLanguage, _ text: AppealText, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await step(appealID, language, .revise, permission: .write, by: actor, app: app) { appeal, version, db, now in
            version.revision += 1
            if version.state != .draft && version.state != .inReview {
                version.approvedRevision = nil
                version.approvedBy = nil
            }
            try await writeRevision(version, number: version.revision, text, by: actor, at: now, on: db, vault: vault)
            return ["revision": String(version.revision)]
        }
    }

    package static func submit(_ appealID: UUID, _ language: AppealLanguage, by actor: Actor, app: Application) async throws {
        try await step(appealID, language, .submit, permission: .write, by: actor, app: app) { _, version, _, _ in
            version.submittedRevision = version.revision
            return ["revision": String(version.revision)]
        }
    }

    /// Sends a version in review back to its authors, with the reviewer's comment if any.
    package static func returnToDraft(_ appealID: UUID, _ language: AppealLanguage, comment: String?, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await step(appealID, language, .returnToDraft, permission: .review, by: actor, app: app) { _, version, db, now in
            if let comment { try await writeComment(version, comment, by: actor, at: now, on: db, vault: vault) }
            return [:]
        }
    }

    /// Approves the version as it is now: by a communications officer or coordinator who wrote
    /// none of it. The document's first approval issues its reference.
    /// `read`: the revision the approver read (the page and the API send it); approving refuses
    /// (409) when the text changed since, so nobody approves words they have not seen.
    package static func approve(_ appealID: UUID, _ language: AppealLanguage, read: Int?, by actor: Actor, app: Application) async throws {
        try await step(appealID, language, .approve, permission: .approve, by: actor, app: app) { appeal, version, db, now in
            if let read, read != version.revision { throw Refusal(key: "appeal.refusal.changedSinceRead") }
            version.approvedRevision = version.revision
            version.approvedBy = actor.userID
            if appeal.reference == nil { try await issueReference(appeal, at: now, on: db) }
            return ["revision": String(version.revision), "reference": appeal.reference ?? ""]
        }
    }

    /// Publishes the approved revision: on the public page and in the feed, or — for a closed
    /// letter — records it as sent to the authorities. Each defender named must have consented
    /// to this channel for this document.
    package static func publish(_ appealID: UUID, _ language: AppealLanguage, by actor: Actor, app: Application) async throws {
        try await step(appealID, language, .publish, permission: .publish, by: actor, app: app) { appeal, version, db, now in
            let channel: AppealChannel = appeal.kind.isPublic ? .publicPage : .authorities
            if let refusal = try await AppealQueries.channelRefusal(appeal, channel, on: db) { throw Refusal(key: refusal) }
            guard let approved = version.approvedRevision, approved == version.revision else { throw Refusal(key: "appeal.refusal.notApproved") }
            if appeal.kind.isPublic {
                // An update replaces the text: what was still waiting to be mailed of the old one does not leave.
                if version.publishedRevision != nil { try await AppealMailings.cancelPending(appeal.requireID(), on: db) }
                version.publishedRevision = approved
                version.publishedAt = now
                if version.firstPublishedAt == nil { version.firstPublishedAt = now }
            }
            version.wasPublished = true
            return ["revision": String(approved), "channel": channel.rawValue]
        }
    }

    package static func close(_ appealID: UUID, _ language: AppealLanguage, by actor: Actor, app: Application) async throws {
        try await step(appealID, language, .close, permission: .publish, by: actor, app: app) { _, _, _, _ in [:] }
    }

    /// A reviewer's comment on the revision they read.
    package static func comment(_ appealID: UUID, _ language: AppealLanguage, _ body: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await versionChange(appealID, language, action: "appeal.comment", permission: .review, by: actor, app: app) { _, version, db, now in
            try await writeComment(version, body, by: actor, at: now, on: db, vault: vault)
            return (["revision": String(version.revision)], ())
        }
    }

    private static func writeComment(_ version: AppealVersionRecord, _ body: String, by actor: Actor, at now: Date, on db: any Database, vault: Vault) async throws {
        let comment = AppealCommentRecord()
        let id = UUID()
        comment.id = id
        comment.versionID = try version.requireID()
        comment.appealID = version.appealID
        comment.organisationID = version.organisationID
        comment.revision = version.revision
        comment.authorID = actor.userID
        comment.bodyCiphertext = try vault.seal(body, owner: Accounts.owner(version.organisationID), FieldRef(AppealCommentRecord.schema, id, "body"))
        comment.createdAt = now
        try await comment.create(on: db)
        try await eventRecord(version.appealID, version.organisationID, version.language, "commented", actor: actor, at: now, on: db)
    }

    /// One change of one language version, in one transaction: the document's row locked first
    /// (so consents, references and the versions of one document are decided one at a time, always
    /// in the same order: document, then version), the document through the actor's scope (404
    /// outside), the version's row locked and re-read, the policy with the version's authors (403,
    /// or 409 for an author asked to approve), then `body`; the audit event names the document and
    /// the language.
    @discardableResult
    static func versionChange<Result: Sendable>(
        _ appealID: UUID, _ language: AppealLanguage, action: String, permission: AppealAction, by actor: Actor, app: Application,
        _ body: @escaping @Sendable (AppealRecord, AppealVersionRecord, any Database, Date) async throws -> (details: [String: String], result: Result)
    ) async throws -> Result {
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: action, app: app, authorize: { appeal, db in
            _ = try await AppealQueries.appeal(appealID, for: actor, on: db)
        }) { appeal, db, now in
            guard let found = try await AppealVersionRecord.query(on: db).filter(\.$appealID == appealID).filter(\.$language == language).first() else {
                throw Abort(.notFound)
            }
            try await lockRow(AppealVersionRecord.schema, id: try found.requireID(), on: db)
            guard let version = try await AppealVersionRecord.find(try found.requireID(), on: db) else { throw Abort(.notFound) }
            try await authorize(appeal, permission, actor, version: version, on: db)
            var (details, result) = try await body(appeal, version, db, now)
            version.updatedAt = now
            try await version.save(on: db)
            details["language"] = language.rawValue
            return (details, result)
        }
    }

    /// One step of one language version (`versionChange`), taken only where the protocol
    /// (`AppealSteps`) opens it (409 otherwise).
    @discardableResult
    static func step(_ appealID: UUID, _ language: AppealLanguage, _ step: AppealStep, permission: AppealAction, by actor: Actor, app: Application,
                     _ body: @escaping @Sendable (AppealRecord, AppealVersionRecord, any Database, Date) async throws -> [String: String]) async throws -> AppealState {
        try await versionChange(appealID, language, action: "appeal.\(step.rawValue)", permission: permission, by: actor, app: app) { appeal, version, db, now in
            guard let next = AppealSteps.next(version.state, step, wasPublished: version.wasPublished) else { throw Refusal(key: "appeal.refusal.step") }
            var details = try await body(appeal, version, db, now)
            version.state = next
            try await event(appeal, language, step.rawValue, actor: actor, at: now, on: db)
            details["state"] = next.rawValue
            details["version"] = SiteURL.id(try version.requireID())
            return (details, next)
        }
    }

    static func versionID(_ appealID: UUID, _ language: AppealLanguage, actor: Actor, app: Application) async throws -> UUID {
        _ = try await AppealQueries.appeal(appealID, for: actor, on: app.db)
        guard let version = try await AppealVersionRecord.query(on: app.db).filter(\.$appealID == appealID).filter(\.$language == language).first(),
              let id = version.id else { throw Abort(.notFound) }
        return id
    }

    /// The policy on the document (and, for approval, the version's authors); an author asked
    /// to approve is told why (409), anyone else refused gets 403.
    static func authorize(_ appeal: AppealRecord, _ permission: AppealAction, _ actor: Actor, version: AppealVersionRecord? = nil,
                          on db: any Database) async throws {
        var target = AppealTarget(organisationID: appeal.organisationID)
        if permission == .approve, let version { target.authors = try await AppealQueries.authors(of: try version.requireID(), on: db) }
        guard AppealPolicy.evaluate(actor, permission, target).isAllowed else {
            if permission == .approve, AppealPolicy.evaluate(actor, permission, AppealTarget(organisationID: appeal.organisationID)).isAllowed {
                throw Refusal(key: "appeal.refusal.ownText")
            }
            throw Abort(.forbidden)
        }
    }

    // MARK: References

    /// Gives the document its reference: the next of the organisation's year and of the country's
    /// year, formatted by its pattern; a follow-up its original's with the next suffix. Under one
    /// lock for the instance, so two approvals at once never share a number or an address.
    static func issueReference(_ appeal: AppealRecord, at now: Date, on db: any Database) async throws {
        try await lockNamed(sequenceLockKey, on: db)
        let date = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now)
        let year = date.year!, month = date.month!
        if let parentID = appeal.parentID {
            guard let parent = try await AppealRecord.find(parentID, on: db), let original = parent.reference else {
                throw Refusal(key: "appeal.refusal.parentNotIssued")
            }
            let number = (try await AppealRecord.query(on: db).filter(\.$parentID == parentID).max(\.$followUpNumber) ?? 0) + 1
            appeal.followUpNumber = number
            appeal.reference = ReferencePattern.followUp(of: original, number: number)
        } else {
            let organisation = appeal.organisationID
            let yearly = (try await AppealRecord.query(on: db).filter(\.$organisationID == organisation).filter(\.$year == year)
                .filter(\.$parentID == nil).max(\.$yearlySequence) ?? 0) + 1
            let countrySequence = (try await AppealRecord.query(on: db).filter(\.$organisationID == organisation).filter(\.$year == year)
                .filter(\.$country == appeal.country).filter(\.$parentID == nil).max(\.$countrySequence) ?? 0) + 1
            let pattern = try await AppealQueries.pattern(for: organisation, on: db)
            appeal.year = year
            appeal.yearlySequence = yearly
            appeal.countrySequence = countrySequence
            appeal.reference = pattern.format(.init(countryAlpha3: Countries.alpha3(appeal.country) ?? "ZZZ", countrySequence: countrySequence,
                                                    yearlySequence: yearly, year: year, month: month))
        }
        // The public address: the reference's slug, made unique on the instance.
        let base = ReferencePattern.slug(appeal.reference!)
        var slug = base.isEmpty ? "appeal" : base
        var suffix = 1
        while try await AppealRecord.query(on: db).filter(\.$slug == slug).first() != nil {
            suffix += 1
            slug = "\(base)-\(suffix)"
        }
        appeal.slug = slug
        appeal.issuedAt = now
        try await appeal.save(on: db)
    }

    // MARK: Consent

    /// Records a defender's consent, or its withdrawal, for one channel of the document. A
    /// withdrawal for the public page takes every language version offline at once (the page and
    /// the feed), with a trace in the history and the audit trail.
    package static func recordConsent(_ appealID: UUID, person: UUID, channel: AppealChannel, granted: Bool, note: String?,
                                      by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: granted ? "appeal.consent" : "appeal.consentWithdrawn",
                                  app: app, authorize: { appeal, db in
            _ = try await AppealQueries.appeal(appealID, for: actor, on: db)
            try await authorize(appeal, .recordConsent, actor, on: db)
        }) { appeal, db, now in
            guard try await AppealQueries.defenders(of: appealID, on: db).contains(where: { $0.id == person }) else { throw Abort(.notFound) }
            let consent = AppealConsentRecord()
            let id = UUID()
            consent.id = id
            consent.appealID = appealID
            consent.organisationID = appeal.organisationID
            consent.personID = person
            consent.channel = channel
            consent.granted = granted
            consent.noteCiphertext = try note.map { try vault.seal($0, owner: Accounts.owner(appeal.organisationID), FieldRef(AppealConsentRecord.schema, id, "note")) }
            consent.recordedBy = actor.userID
            consent.recordedAt = now
            try await consent.create(on: db)
            try await event(appeal, nil, granted ? "consent.\(channel.rawValue)" : "consentWithdrawn.\(channel.rawValue)", actor: actor, at: now, on: db)
            var details = ["channel": channel.rawValue, "person": SiteURL.id(person)]
            if !granted, channel == .publicPage {
                details["unpublished"] = String(try await unpublish(appeal, by: actor, at: now, on: db))
            }
            if !granted, channel == .mailing { try await AppealMailings.cancelPending(appealID, on: db) }
            return (details, ())
        }
    }

    /// Takes every online version of `appeal` off the public page and the feed; how many.
    static func unpublish(_ appeal: AppealRecord, by actor: Actor, at now: Date, on db: any Database) async throws -> Int {
        let online = try await AppealVersionRecord.query(on: db).filter(\.$appealID == appeal.requireID()).filter(\.$publishedRevision != nil).all()
        for version in online {
            try await lockRow(AppealVersionRecord.schema, id: version.requireID(), on: db)
            version.publishedRevision = nil
            if let next = AppealSteps.next(version.state, .withdraw, wasPublished: true) { version.state = next }
            version.updatedAt = now
            try await version.save(on: db)
            try await event(appeal, version.language, "withdrawn", actor: actor, at: now, on: db)
            try await AppealMailings.cancelPending(try appeal.requireID(), on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: appeal.organisationID, action: "appeal.unpublish",
                                                 objectType: "appeal_version", objectID: SiteURL.id(try version.requireID()),
                                                 details: ["appeal": SiteURL.id(try appeal.requireID()), "language": version.language.rawValue,
                                                           "reason": "consent withdrawn"]),
                                           at: now, on: db)
        }
        return online.count
    }

    // MARK: Cases and the no-defender declaration

    /// Links a case the actor may see (by its code) to the document, while no version is online:
    /// its defenders' consent is then needed before anything is published.
    package static func linkCase(_ appealID: UUID, code: String, by actor: Actor, app: Application) async throws {
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: "appeal.case", app: app, authorize: { appeal, db in
            _ = try await AppealQueries.appeal(appealID, for: actor, on: db)
            try await authorize(appeal, .write, actor, on: db)
        }) { appeal, db, now in
            guard let record = try await CaseQueries.visible(to: actor, on: db).filter(\.$code == code.uppercased()).first(), let caseID = record.id else {
                throw Refusal(key: "appeal.refusal.unknownCase")
            }
            guard try await AppealVersionRecord.query(on: db).filter(\.$appealID == appealID).filter(\.$publishedRevision != nil).count() == 0 else {
                throw Refusal(key: "appeal.refusal.linkWhileOnline")
            }
            if try await AppealCaseRecord.query(on: db).filter(\.$appealID == appealID).filter(\.$caseID == caseID).first() == nil {
                try await AppealCaseRecord(appealID: appealID, caseID: caseID).create(on: db)
            }
            appeal.noDefenderBy = nil
            appeal.noDefenderAt = nil
            try await event(appeal, nil, "caseLinked", actor: actor, at: now, on: db)
            return (["case": SiteURL.id(caseID)], ())
        }
    }

    /// Declares that a document linked to no case names no defender at risk: by a communications
    /// officer or coordinator who wrote none of its versions.
    package static func declareNoDefender(_ appealID: UUID, by actor: Actor, app: Application) async throws {
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: "appeal.noDefender", app: app, authorize: { appeal, db in
            _ = try await AppealQueries.appeal(appealID, for: actor, on: db)
            let authors = Set(try await AppealRevisionRecord.query(on: db).filter(\.$appealID == appealID).all().map(\.authorID))
            guard AppealPolicy.evaluate(actor, .approve, AppealTarget(organisationID: appeal.organisationID, authors: authors)).isAllowed else {
                if AppealPolicy.evaluate(actor, .approve, AppealTarget(organisationID: appeal.organisationID)).isAllowed { throw Refusal(key: "appeal.refusal.ownText") }
                throw Abort(.forbidden)
            }
        }) { appeal, db, now in
            guard try await AppealQueries.caseIDs(of: appealID, on: db).isEmpty else { throw Refusal(key: "appeal.refusal.hasCases") }
            appeal.noDefenderBy = actor.userID
            appeal.noDefenderAt = now
            try await event(appeal, nil, "noDefender", actor: actor, at: now, on: db)
            return ([:], ())
        }
    }

    // MARK: Targets and replies

    package static func addTarget(_ appealID: UUID, name: String, institution: String, address: String, by actor: Actor, app: Application) async throws {
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: "appeal.target", app: app, authorize: { appeal, db in
            _ = try await AppealQueries.appeal(appealID, for: actor, on: db)
            try await authorize(appeal, .write, actor, on: db)
        }) { appeal, db, now in
            let target = AppealTargetRecord()
            target.id = UUID()
            target.appealID = appealID
            target.organisationID = appeal.organisationID
            target.name = name
            target.institution = institution
            target.address = address
            target.createdBy = actor.userID
            target.createdAt = now
            try await target.create(on: db)
            try await event(appeal, nil, "target", actor: actor, at: now, on: db)
            return ([:], ())
        }
    }

    package static func recordReply(_ appealID: UUID, target targetID: UUID, receivedOn: String, summary: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await Workflow.change(AppealRecord.self, appealID, by: .user(actor.userID), action: "appeal.reply", app: app, authorize: { appeal, db in
            _ = try await AppealQueries.appeal(appealID, for: actor, on: db)
            try await authorize(appeal, .write, actor, on: db)
        }) { appeal, db, now in
            guard try await AppealTargetRecord.query(on: db).filter(\.$id == targetID).filter(\.$appealID == appealID).first() != nil else {
                throw Abort(.notFound)
            }
            let reply = AppealReplyRecord()
            let id = UUID()
            reply.id = id
            reply.appealID = appealID
            reply.targetID = targetID
            reply.organisationID = appeal.organisationID
            reply.receivedOn = receivedOn
            reply.summaryCiphertext = try vault.seal(summary, owner: Accounts.owner(appeal.organisationID), FieldRef(AppealReplyRecord.schema, id, "summary"))
            reply.recordedBy = actor.userID
            reply.createdAt = now
            try await reply.create(on: db)
            try await event(appeal, nil, "reply", actor: actor, at: now, on: db)
            return (["target": SiteURL.id(targetID)], ())
        }
    }

    // MARK: Settings

    package static func savePattern(_ pattern: ReferencePattern, by actor: Actor, app: Application) async throws {
        guard AppealPolicy.evaluate(actor, .configure, nil).isAllowed else { throw Abort(.forbidden) }
        let now = app.clock.now()
        try await app.transaction { db in
            let settings = try await AppealSettingsRecord.query(on: db).filter(\.$organisationID == actor.organisationID).first() ?? {
                let record = AppealSettingsRecord()
                record.id = UUID()
                record.organisationID = actor.organisationID
                return record
            }()
            settings.referencePattern = pattern.text
            settings.updatedBy = actor.userID
            settings.updatedAt = now
            try await settings.save(on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "appeal.settings",
                                                 objectType: "organisation", objectID: SiteURL.id(actor.organisationID), details: ["pattern": pattern.text]),
                                           at: now, on: db)
        }
    }

    // MARK: History

    static func event(_ appeal: AppealRecord, _ language: AppealLanguage?, _ kind: String, actor: Actor, at now: Date, on db: any Database) async throws {
        try await eventRecord(try appeal.requireID(), appeal.organisationID, language, kind, actor: actor, at: now, on: db)
    }

    static func eventRecord(_ appealID: UUID, _ organisation: UUID, _ language: AppealLanguage?, _ kind: String, actor: Actor, at now: Date,
                            on db: any Database) async throws {
        let event = AppealEventRecord()
        event.id = UUID()
        event.appealID = appealID
        event.organisationID = organisation
        event.language = language
        event.kind = kind
        event.actorID = actor.userID
        event.createdAt = now
        try await event.create(on: db)
    }
}
