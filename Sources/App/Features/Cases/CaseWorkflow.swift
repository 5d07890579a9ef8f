import EgideCore
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// Every change to a case file. Each one writes the change, a timeline entry and the audit event
/// in one transaction, re-reading the case inside it, and refuses what the protocol does not allow
/// (`Refusal` carries the catalogue key of the message). Each step is authorised here, against
/// the case as re-read in the transaction (`CaseQueries.require`): the web form and the API call
/// the same step, so neither door can allow what the other refuses. Handlers may check earlier
/// (to answer 404 before reading a form), never instead.
package enum CaseWorkflow {
    /// Serialises case numbering per instance (PostgreSQL advisory lock; SQLite serialises writers).
    static let sequenceLockKey: Int64 = 0x4567_6964_6543_6173

    // MARK: Opening a case

    package struct Opening: Sendable {
        var country: String
        var region: String?
        var summary: String
        var fieldOfWork: FieldOfWork?
        var alertID: UUID?
        var defender: CaseContent.Identity?
        var defenderIsOrganisation = false

        package init(country: String, region: String? = nil, summary: String, fieldOfWork: FieldOfWork? = nil, alertID: UUID? = nil,
                     defender: CaseContent.Identity? = nil, defenderIsOrganisation: Bool = false) {
            self.country = country
            self.region = region
            self.summary = summary
            self.fieldOfWork = fieldOfWork
            self.alertID = alertID
            self.defender = defender
            self.defenderIsOrganisation = defenderIsOrganisation
        }
    }

    /// Opens a case led by `actor` (a handler of their organisation), from a verified alert or
    /// directly; its code is `{ISO3}-{year}-{sequence}`, numbered per country and year.
    package static func open(_ opening: Opening, by actor: Actor, app: Application) async throws -> UUID {
        guard CasePolicy.evaluate(actor, .createCase, nil).isAllowed else { throw Abort(.forbidden) }
        guard let alpha3 = Countries.alpha3(opening.country) else { throw Refusal(key: "case.refused.country") }
        let vault = app.vault
        let now = app.clock.now()
        let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: now).year!
        let organisation = actor.organisationID
        let owner = Accounts.owner(organisation)
        return try await app.transaction { db in
            try await lockNamed(sequenceLockKey, on: db)
            if let alertID = opening.alertID {
                try await lockRow(AlertRecord.schema, id: alertID, on: db)
                guard let alert = try await AlertRecord.find(alertID, on: db), alert.organisationID == organisation else {
                    throw Abort(.notFound)
                }
                guard AlertLifecycle.canMove(from: alert.status, to: .caseOpened) else { throw Refusal(key: "case.refused.alertNotVerified") }
            }
            let last = try await CaseRecord.query(on: db).filter(\.$country == opening.country).filter(\.$year == year)
                .max(\.$sequence) ?? 0
            guard let code = CaseCode(country: alpha3, year: year, sequence: last + 1) else { throw Refusal(key: "case.refused.country") }
            let id = UUID()
            let record = CaseRecord()
            record.id = id
            record.organisationID = organisation
            record.code = code.description
            record.year = year
            record.sequence = last + 1
            record.country = opening.country
            record.regionCiphertext = try opening.region.map { try vault.seal($0, owner: owner, CaseRecord.ref(id, "region")) }
            record.summaryCiphertext = try vault.seal(opening.summary, owner: owner, CaseRecord.ref(id, "summary"))
            record.fieldOfWork = opening.fieldOfWork
            record.status = .open
            record.leadID = actor.userID
            record.alertID = opening.alertID
            record.openedAt = now
            record.updatedAt = now
            try await record.create(on: db)
            try await CaseEntryRecord(caseID: id, kind: "opened", actorID: actor.userID,
                                      details: opening.alertID.map { ["alert": SiteURL.id($0)] } ?? [:], createdAt: now).create(on: db)
            if let defender = opening.defender {
                try await insertPerson(caseID: id, organisation: organisation, role: .defender, isOrganisation: opening.defenderIsOrganisation,
                                       identity: defender, sensitive: nil, consent: false, actor: actor.userID, now: now, db: db, vault: vault)
            }
            if let alertID = opening.alertID, let alert = try await AlertRecord.find(alertID, on: db) {
                alert.status = .caseOpened
                alert.updatedAt = now
                try await alert.save(on: db)
                try await AlertEntryRecord(alertID: alertID, organisationID: organisation, kind: .status, actorID: actor.userID,
                                           details: ["status": AlertStatus.caseOpened.rawValue, "case": code.description], createdAt: now).create(on: db)
                try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: organisation, action: "alert.case_opened",
                                                     objectType: "alert", objectID: SiteURL.id(alertID), details: ["case": SiteURL.id(id)]),
                                               at: now, on: db)
            }
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: organisation, action: "case.open",
                                                 objectType: "case", objectID: SiteURL.id(id),
                                                 details: ["country": opening.country, "from_alert": opening.alertID == nil ? "no" : "yes"]),
                                           at: now, on: db)
            return id
        }
    }

    /// Attaches a verified alert to an existing case (the same defender, a new incident).
    package static func attach(alert alertID: UUID, to caseID: UUID, by actor: Actor, app: Application) async throws {
        try await change(caseID, .editCase, by: actor, action: "case.alert_attached", app: app) { record, db, now in
            try await lockRow(AlertRecord.schema, id: alertID, on: db)
            guard let alert = try await AlertRecord.find(alertID, on: db), alert.organisationID == record.organisationID else {
                throw Abort(.notFound)
            }
            guard AlertLifecycle.canMove(from: alert.status, to: .attachedToCase) else { throw Refusal(key: "case.refused.alertNotVerified") }
            alert.status = .attachedToCase
            alert.updatedAt = now
            try await alert.save(on: db)
            try await AlertEntryRecord(alertID: alertID, organisationID: alert.organisationID, kind: .status, actorID: actor.userID,
                                       details: ["status": AlertStatus.attachedToCase.rawValue, "case": record.code], createdAt: now).create(on: db)
            return (["alert_attached"], ["alert": SiteURL.id(alertID)], nil)
        }
    }

    // MARK: The common shape of a change

    /// Runs `body` on the case re-read (and, on PostgreSQL, locked) inside the transaction, once
    /// `CasePolicy` allows `actor` the `permission` on it (404 or 403 otherwise; for a referral's
    /// answer, `referral` names the item whose addressee decides), then writes its timeline
    /// entries and the audit event. `body` returns the entry kinds, the codes
    /// recorded with them, and the item they are about.
    @discardableResult
    static func change(
        _ caseID: UUID, _ permission: CaseAction, by actor: Actor, action: String, referral: UUID? = nil, app: Application,
        _ body: @escaping @Sendable (CaseRecord, any Database, Date) async throws -> (entries: [String], details: [String: String], item: UUID?)
    ) async throws -> UUID? {
        try await Workflow.change(CaseRecord.self, caseID, by: .user(actor.userID), action: action, app: app, authorize: { record, db in
            // The policy decides on the case as it is now, inside the transaction that changes it.
            let target = try await referral.asyncFlatMap { id in
                try await CaseItemRecord.find(id, on: db).flatMap { $0.caseID == caseID ? $0.targetOrganisationID : nil }
            }
            try CaseQueries.require(permission, by: actor, on: try await CaseQueries.access(record, referralTarget: target, on: db))
        }) { record, db, now in
            let (kinds, details, item) = try await body(record, db, now)
            for kind in kinds {
                try await CaseEntryRecord(caseID: caseID, kind: kind, itemID: item, actorID: actor.userID, details: details, createdAt: now)
                    .create(on: db)
            }
            var audited = details
            if let item { audited["item"] = SiteURL.id(item) }
            return (audited, item)
        }
    }

    /// Reads one item of `kind` belonging to the case (404 otherwise).
    static func item(_ id: UUID, of caseID: UUID, kind: CaseItemRecord.Kind, on db: any Database) async throws -> CaseItemRecord {
        guard let item = try await CaseItemRecord.find(id, on: db), item.caseID == caseID, item.kind == kind else { throw Abort(.notFound) }
        return item
    }

    static func newItem(_ record: CaseRecord, kind: CaseItemRecord.Kind, state: String, category: String, by actor: UUID,
                        at now: Date) throws -> CaseItemRecord {
        let item = CaseItemRecord()
        item.id = UUID()
        item.caseID = try record.requireID()
        item.organisationID = record.organisationID
        item.kind = kind
        item.version = 0
        item.state = state
        item.category = category
        item.createdBy = actor
        item.createdAt = now
        item.updatedAt = now
        return item
    }

    static func seal<T: Encodable>(_ content: T, in item: CaseItemRecord, vault: Vault) throws {
        item.contentCiphertext = try CaseContent.seal(content, owner: Accounts.owner(item.organisationID), CaseItemRecord.ref(try item.requireID()),
                                                      vault: vault)
    }

    static func content<T: Decodable>(_ type: T.Type, of item: CaseItemRecord, vault: Vault) throws -> T {
        try CaseContent.open(type, item.contentCiphertext, owner: Accounts.owner(item.organisationID), CaseItemRecord.ref(try item.requireID()),
                             vault: vault)
    }

    static func requireOpen(_ record: CaseRecord) throws {
        guard record.status.isOpen else { throw Refusal(key: "case.refused.closed") }
    }

    // MARK: People concerned

    /// Adds (or, with `personID`, updates) a person or organisation concerned by the case.
    /// Gender identity and sexual orientation are refused without the person's recorded consent.
    package static func savePerson(_ personID: UUID?, in caseID: UUID, role: PersonRole, isOrganisation: Bool, identity: CaseContent.Identity,
                           sensitive: CaseContent.Sensitive?, consent: Bool, by actor: Actor, app: Application) async throws {
        if let sensitive, !sensitive.isEmpty, !consent { throw Refusal(key: "case.refused.consent") }
        let vault = app.vault
        try await change(caseID, .editCase, by: actor, action: personID == nil ? "case.person_add" : "case.person_update", app: app) { record, db, now in
            if let personID {
                guard let person = try await CasePersonRecord.find(personID, on: db), person.caseID == record.id else { throw Abort(.notFound) }
                try await CaseNameTokenRecord.query(on: db).filter(\.$personID == personID).delete()
                try await write(person: person, role: role, isOrganisation: isOrganisation, identity: identity, sensitive: sensitive,
                                consent: consent, actor: actor.userID, now: now, db: db, vault: vault)
                return (["person_updated"], ["role": role.rawValue], personID)
            }
            let id = try await insertPerson(caseID: try record.requireID(), organisation: record.organisationID, role: role,
                                            isOrganisation: isOrganisation, identity: identity, sensitive: sensitive, consent: consent,
                                            actor: actor.userID, now: now, db: db, vault: vault)
            return (["person_added"], ["role": role.rawValue], id)
        }
    }

    @discardableResult
    static func insertPerson(caseID: UUID, organisation: UUID, role: PersonRole, isOrganisation: Bool, identity: CaseContent.Identity,
                             sensitive: CaseContent.Sensitive?, consent: Bool, actor: UUID, now: Date, db: any Database,
                             vault: Vault) async throws -> UUID {
        let person = CasePersonRecord()
        person.id = UUID()
        person.caseID = caseID
        person.organisationID = organisation
        person.createdAt = now
        try await write(person: person, role: role, isOrganisation: isOrganisation, identity: identity, sensitive: sensitive,
                        consent: consent, actor: actor, now: now, db: db, vault: vault)
        return try person.requireID()
    }

    private static func write(person: CasePersonRecord, role: PersonRole, isOrganisation: Bool, identity: CaseContent.Identity,
                              sensitive: CaseContent.Sensitive?, consent: Bool, actor: UUID, now: Date, db: any Database, vault: Vault) async throws {
        let id = try person.requireID()
        let owner = Accounts.owner(person.organisationID)
        person.role = role
        person.isOrganisation = isOrganisation
        person.identityCiphertext = try CaseContent.seal(identity, owner: owner, CasePersonRecord.ref(id, "identity"), vault: vault)
        if consent {
            if person.consentAt == nil { person.consentAt = now; person.consentBy = actor }
            if let sensitive {
                person.sensitiveCiphertext = sensitive.isEmpty ? nil
                    : try CaseContent.seal(sensitive, owner: owner, CasePersonRecord.ref(id, "sensitive"), vault: vault)
            }
        } else {
            // Consent withdrawn (or never given): what it covered is erased.
            person.consentAt = nil
            person.consentBy = nil
            person.sensitiveCiphertext = nil
        }
        person.updatedAt = now
        try await person.save(on: db)
        for token in try CaseQueries.nameTokens(identity, vault: vault) {
            try await CaseNameTokenRecord(caseID: person.caseID, personID: id, organisationID: person.organisationID, token: token).create(on: db)
        }
    }

    // MARK: Risk assessment

    /// Records a new version of the risk assessment: the computed level from the threats,
    /// vulnerabilities and capacities, the officer's judged level beside it, the next review.
    /// The assessment just recorded: its item, its version number and the computed score.
    package struct Assessed: Sendable { var itemID: UUID; var version: Int; var score: RiskScore }

    @discardableResult
    package static func assess(_ caseID: UUID, _ assessment: CaseContent.Assessment, judged: RiskLevel, nextReview: Date?, by actor: Actor,
                       app: Application) async throws -> Assessed {
        let score = try score(of: assessment)
        let vault = app.vault
        let itemID = try await change(caseID, .assessRisk, by: actor, action: "case.assess", app: app) { record, db, now in
            try requireOpen(record)
            let version = try await CaseItemRecord.query(on: db).filter(\.$caseID == record.requireID()).filter(\.$kind == .assessment).count() + 1
            let item = try newItem(record, kind: .assessment, state: "recorded", category: assessment.trigger, by: actor.userID, at: now)
            item.version = version
            item.level = score.level.value
            item.judgedLevel = judged.value
            let review = nextReview ?? Calendar(identifier: .gregorian).date(byAdding: .day, value: judged.suggestedReviewDays, to: now)
            item.dueAt = review
            try seal(assessment, in: item, vault: vault)
            try await item.create(on: db)
            record.riskLevel = score.level.value
            record.judgedLevel = judged.value
            record.nextReviewAt = review
            if record.status == .open { record.status = .active }
            return (["assessed"], ["version": String(version), "level": score.level.rawValue, "judged": judged.rawValue], try item.requireID())
        }
        guard let itemID, let item = try await CaseItemRecord.find(itemID, on: app.db) else { throw Abort(.internalServerError) }
        return Assessed(itemID: itemID, version: item.version, score: score)
    }

    package static func score(of assessment: CaseContent.Assessment) throws(RiskInputError) -> RiskScore {
        try RiskScoring.score(threats: assessment.threats.map { RiskScoring.Threat(likelihood: $0.likelihood, impact: $0.impact) },
                              vulnerabilities: assessment.vulnerabilities.map(\.weight), capacities: assessment.capacities.map(\.weight))
    }

    // MARK: Security plan

    package static func addMeasure(_ caseID: UUID, stage: MeasureStage, _ measure: CaseContent.Measure, assignee: UUID?, due: Date?, by actor: Actor,
                           app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .editPlan, by: actor, action: "case.measure_add", app: app) { record, db, now in
            try requireOpen(record)
            let item = try newItem(record, kind: .measure, state: MeasureState.planned.rawValue, category: stage.rawValue, by: actor.userID, at: now)
            item.dueAt = due
            item.assigneeID = measure.ownerKind == .staff ? (assignee ?? actor.userID) : nil
            try seal(measure, in: item, vault: vault)
            try await item.create(on: db)
            return (["measure_added"], ["stage": stage.rawValue, "domain": measure.domain.rawValue], try item.requireID())
        }
    }

    package static func updateMeasure(_ itemID: UUID, in caseID: UUID, state: MeasureState, note: String?, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .editPlan, by: actor, action: "case.measure_update", app: app) { _, db, now in
            let item = try await item(itemID, of: caseID, kind: .measure, on: db)
            var measure = try content(CaseContent.Measure.self, of: item, vault: vault)
            if let note, !note.isEmpty { measure.note = note }
            item.state = state.rawValue
            item.updatedAt = now
            try seal(measure, in: item, vault: vault)
            try await item.save(on: db)
            return (["measure_updated"], ["state": state.rawValue], itemID)
        }
    }

    package static func reviewPlan(_ caseID: UUID, summary: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .editPlan, by: actor, action: "case.plan_review", app: app) { record, db, now in
            let item = try newItem(record, kind: .planReview, state: "recorded", category: "plan", by: actor.userID, at: now)
            try seal(CaseContent.PlanReview(summary: summary), in: item, vault: vault)
            try await item.create(on: db)
            return (["plan_reviewed"], [:], try item.requireID())
        }
    }

    // MARK: Support

    package static func addSupport(_ caseID: UUID, type: SupportType, _ support: CaseContent.Support, cost: Money?, partner: UUID?, by actor: Actor,
                           app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .manageSupport, by: actor, action: "case.support_add", app: app) { record, db, now in
            try requireOpen(record)
            let item = try newItem(record, kind: .support, state: SupportState.requested.rawValue, category: type.rawValue, by: actor.userID, at: now)
            item.amountMinor = cost?.minorUnits
            item.currency = cost?.currency
            item.targetOrganisationID = support.provider == .partnerReferral ? partner : nil
            try seal(support, in: item, vault: vault)
            try await item.create(on: db)
            return (["support_added"], ["type": type.rawValue, "provider": support.provider.rawValue], try item.requireID())
        }
    }

    package static func updateSupport(_ itemID: UUID, in caseID: UUID, state: SupportState, outcome: String?, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .manageSupport, by: actor, action: "case.support_update", app: app) { _, db, now in
            let item = try await item(itemID, of: caseID, kind: .support, on: db)
            // The same state records an outcome without moving the support on.
            guard let current = SupportState(rawValue: item.state), current == state || SupportLifecycle.canMove(from: current, to: state) else {
                throw Refusal(key: "case.refused.transition")
            }
            var support = try content(CaseContent.Support.self, of: item, vault: vault)
            if let outcome, !outcome.isEmpty { support.outcome = outcome }
            item.state = state.rawValue
            item.updatedAt = now
            try seal(support, in: item, vault: vault)
            try await item.save(on: db)
            return (["support_updated"], ["state": state.rawValue], itemID)
        }
    }

    // MARK: Referrals

    /// Refers the case to a partner organisation, sharing only what the officer chose (names and
    /// contacts only with the person's consent recorded). The partner reads a copy of what was
    /// shared, frozen at this moment, never the case file.
    package static func refer(_ caseID: UUID, to partner: UUID, shares: Set<ReferralShare>, consentRecorded: Bool, message: String,
                      by actor: Actor, app: Application) async throws {
        if case .deny = ReferralShare.check(shares, consentRecorded: consentRecorded) { throw Refusal(key: "case.refused.referralConsent") }
        let chosen = ReferralShare.shared(shares)
        let vault = app.vault
        try await change(caseID, .refer, by: actor, action: "case.refer", app: app) { record, db, now in
            try requireOpen(record)
            guard let organisation = try await OrganisationRecord.find(partner, on: db), organisation.id != record.organisationID else { throw Refusal(key: "case.refused.partner") }
            let opened = try CaseQueries.open(record, vault: vault)
            let people = try await CaseQueries.people(of: record, on: db, vault: vault)
            var plan: [String] = []
            if chosen.contains(.securityPlan) {
                for item in try await CaseItemRecord.query(on: db).filter(\.$caseID == record.requireID()).filter(\.$kind == .measure).all()
                where MeasureState(rawValue: item.state)?.isOpen ?? false {
                    plan.append(try content(CaseContent.Measure.self, of: item, vault: vault).description)
                }
            }
            let content = CaseContent.Referral(
                shared: ReferralShare.allCases.filter(chosen.contains), consentRecorded: consentRecorded, message: message,
                summary: chosen.contains(.situationSummary) ? opened.summary : nil,
                riskLevel: chosen.contains(.riskLevel) ? record.judgedLevel ?? record.riskLevel : nil,
                people: chosen.contains(.peopleNames) ? people.map(\.identity.name) : [],
                contacts: chosen.contains(.contacts) ? people.compactMap(\.identity.contacts).filter { !$0.isEmpty } : [],
                plan: plan, response: nil, report: nil)
            let item = try newItem(record, kind: .referral, state: ReferralState.proposed.rawValue, category: "referral", by: actor.userID, at: now)
            item.targetOrganisationID = partner
            try seal(content, in: item, vault: vault)
            try await item.create(on: db)
            return (["referral_made"], ["organisation": SiteURL.id(partner), "shared": content.shared.map(\.rawValue).joined(separator: ",")],
                    try item.requireID())
        }
    }

    /// The partner's answer (accept or decline), its report back, or the officer's withdrawal.
    package static func answerReferral(_ itemID: UUID, in caseID: UUID, state: ReferralState, text: String?, by actor: Actor,
                               app: Application) async throws {
        let vault = app.vault
        try await change(caseID, state == .withdrawn ? .refer : .answerReferral, by: actor, action: "case.referral_\(state.rawValue)",
                         referral: itemID, app: app) { _, db, now in
            let item = try await item(itemID, of: caseID, kind: .referral, on: db)
            guard let current = ReferralState(rawValue: item.state), ReferralLifecycle.canMove(from: current, to: state) else {
                throw Refusal(key: "case.refused.transition")
            }
            var referral = try content(CaseContent.Referral.self, of: item, vault: vault)
            if let text, !text.isEmpty {
                if state == .reported { referral.report = text } else { referral.response = text }
            }
            item.state = state.rawValue
            item.updatedAt = now
            try seal(referral, in: item, vault: vault)
            try await item.save(on: db)
            return (["referral_\(state.rawValue)"], ["state": state.rawValue], itemID)
        }
    }

    // MARK: Follow-ups

    @discardableResult
    package static func scheduleFollowUp(_ caseID: UUID, due: Date, purpose: String, assignee: UUID?, by actor: Actor, app: Application) async throws -> UUID {
        let vault = app.vault
        return try await change(caseID, .addFollowUp, by: actor, action: "case.follow_up_schedule", app: app) { record, db, now in
            try requireOpen(record)
            let item = try newItem(record, kind: .followUp, state: FollowUpState.scheduled.rawValue, category: "contact", by: actor.userID, at: now)
            item.dueAt = due
            item.assigneeID = assignee ?? actor.userID
            try seal(CaseContent.FollowUp(purpose: purpose, notes: nil, newThreat: false), in: item, vault: vault)
            try await item.create(on: db)
            return (["follow_up_scheduled"], [:], try item.requireID())
        }!
    }

    /// Records how a follow-up went. A new threat prompts a risk reassessment: the case's review
    /// date becomes now, so it shows as due on the case and in "needs my attention".
    package static func completeFollowUp(_ itemID: UUID, in caseID: UUID, state: FollowUpState, notes: String, newThreat: Bool, by actor: Actor,
                                 app: Application) async throws {
        guard state != .scheduled else { throw Refusal(key: "case.refused.transition") }
        let vault = app.vault
        try await change(caseID, .addFollowUp, by: actor, action: "case.follow_up_record", app: app) { record, db, now in
            let item = try await item(itemID, of: caseID, kind: .followUp, on: db)
            guard item.state == FollowUpState.scheduled.rawValue else { throw Refusal(key: "case.refused.transition") }
            var followUp = try content(CaseContent.FollowUp.self, of: item, vault: vault)
            followUp.notes = notes
            followUp.newThreat = newThreat
            item.state = state.rawValue
            item.updatedAt = now
            try seal(followUp, in: item, vault: vault)
            try await item.save(on: db)
            var kinds = ["follow_up_\(state.rawValue)"]
            if newThreat {
                record.nextReviewAt = now
                kinds.append("reassessment_prompted")
            }
            return (kinds, ["state": state.rawValue, "new_threat": newThreat ? "yes" : "no"], itemID)
        }
    }

    /// A follow-up note added by a partner granted access to the case.
    package static func addPartnerNote(_ caseID: UUID, notes: String, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .addPartnerNote, by: actor, action: "case.partner_note", app: app) { record, db, now in
            let item = try newItem(record, kind: .followUp, state: FollowUpState.done.rawValue, category: "partner_note", by: actor.userID, at: now)
            item.dueAt = now
            item.targetOrganisationID = actor.organisationID
            try seal(CaseContent.FollowUp(purpose: "", notes: notes, newThreat: false), in: item, vault: vault)
            try await item.create(on: db)
            return (["partner_note"], ["organisation": SiteURL.id(actor.organisationID)], try item.requireID())
        }
    }

    // MARK: Reviews, status, closure and impact

    package static func recordReview(_ caseID: UUID, _ review: CaseContent.Review, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .recordReview, by: actor, action: "case.review", app: app) { record, db, now in
            let item = try newItem(record, kind: .review, state: "recorded", category: review.kind.rawValue, by: actor.userID, at: now)
            try seal(review, in: item, vault: vault)
            try await item.create(on: db)
            return (["review_recorded"], ["kind": review.kind.rawValue], try item.requireID())
        }
    }

    /// Moves an open case between open, active and monitoring, or reopens a closed one.
    package static func setStatus(_ caseID: UUID, to status: CaseStatus, by actor: Actor, app: Application) async throws {
        guard status != .closed else { throw Refusal(key: "case.refused.transition") }
        try await change(caseID, status == .reopened ? .reopenCase : .editCase, by: actor, action: status == .reopened ? "case.reopen" : "case.status", app: app) { record, _, _ in
            guard CaseLifecycle.canMove(from: record.status, to: status) else { throw Refusal(key: "case.refused.transition") }
            let previous = record.status
            record.status = status
            if status == .reopened { record.closedAt = nil }
            return ([status == .reopened ? "reopened" : "status_changed"], ["from": previous.rawValue, "to": status.rawValue], nil)
        }
    }

    /// Closes the case with its outcome and the defender's situation, and records the impact at closure.
    package static func close(_ caseID: UUID, outcome: CaseOutcome, situation: String, impact: CaseContent.Impact, by actor: Actor,
                      app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .closeCase, by: actor, action: "case.close", app: app) { record, db, now in
            guard CaseLifecycle.canMove(from: record.status, to: .closed) else { throw Refusal(key: "case.refused.transition") }
            record.status = .closed
            record.closedAt = now
            record.outcome = outcome
            record.closureCiphertext = try vault.seal(situation, owner: record.owner, CaseRecord.ref(try record.requireID(), "closure"))
            let item = try await impactItem(record, moment: .closure, impact: impact, actor: actor.userID, now: now, db: db, vault: vault)
            return (["closed"], ["outcome": outcome.rawValue], item)
        }
    }

    /// The impact record at 3 or 12 months after closure (or a corrected one at closure).
    package static func recordImpact(_ caseID: UUID, moment: ImpactMoment, _ impact: CaseContent.Impact, by actor: Actor, app: Application) async throws {
        let vault = app.vault
        try await change(caseID, .closeCase, by: actor, action: "case.impact", app: app) { record, db, now in
            guard record.closedAt != nil else { throw Refusal(key: "case.refused.notClosed") }
            let item = try await impactItem(record, moment: moment, impact: impact, actor: actor.userID, now: now, db: db, vault: vault)
            return (["impact_recorded"], ["moment": moment.rawValue], item)
        }
    }

    private static func impactItem(_ record: CaseRecord, moment: ImpactMoment, impact: CaseContent.Impact, actor: UUID, now: Date,
                                   db: any Database, vault: Vault) async throws -> UUID {
        let item = try newItem(record, kind: .impact, state: moment.rawValue, category: moment.rawValue, by: actor, at: now)
        item.version = ImpactMoment.allCases.firstIndex(of: moment)!
        try seal(impact, in: item, vault: vault)
        try await item.create(on: db)
        return try item.requireID()
    }

    // MARK: Team and partner access

    /// Sets the lead and the team (handlers of the owning organisation only).
    package static func setTeam(_ caseID: UUID, lead: UUID, team: Set<UUID>, by actor: Actor, app: Application) async throws {
        try await change(caseID, .manageTeam, by: actor, action: "case.team", app: app) { record, db, now in
            let handlers = Set(try await StaffDirectory.members(of: record.organisationID, roles: CasePolicy.handlerRoles, on: db))
            guard handlers.contains(lead), team.isSubset(of: handlers) else { throw Refusal(key: "case.refused.team") }
            record.leadID = lead
            let caseID = try record.requireID()
            try await CaseTeamRecord.query(on: db).filter(\.$caseID == caseID).delete()
            for member in team.subtracting([lead]) { try await CaseTeamRecord(caseID: caseID, userID: member, addedAt: now).create(on: db) }
            return (["team_changed"], ["team": String(team.subtracting([lead]).count)], nil)
        }
    }

    /// Grants a partner organisation access to the case (`grant`), or takes it back.
    package static func setGrant(_ caseID: UUID, organisation: UUID, granted: Bool, by actor: Actor, app: Application) async throws {
        try await change(caseID, .manageTeam, by: actor, action: granted ? "case.grant" : "case.revoke", app: app) { record, db, now in
            let caseID = try record.requireID()
            if granted {
                guard let partner = try await OrganisationRecord.find(organisation, on: db), partner.id != record.organisationID,
                      partner.type.isPartnering else { throw Refusal(key: "case.refused.partner") }
                if try await CaseGrantRecord.query(on: db).filter(\.$caseID == caseID).filter(\.$organisationID == organisation).first() == nil {
                    try await CaseGrantRecord(caseID: caseID, organisationID: organisation, grantedBy: actor.userID, grantedAt: now).create(on: db)
                }
            } else {
                try await CaseGrantRecord.query(on: db).filter(\.$caseID == caseID).filter(\.$organisationID == organisation).delete()
            }
            return ([granted ? "access_granted" : "access_revoked"], ["organisation": SiteURL.id(organisation)], nil)
        }
    }
}
