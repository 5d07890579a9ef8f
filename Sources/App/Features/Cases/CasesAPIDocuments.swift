import EgideCore
import Fluent
import Foundation
import Vapor

// MARK: - Documents

extension CasesAPIController {
    /// A risk level: 1 (low) … 5 (critical), and its name.
    struct Level: Content, Equatable {
        var value: Int
        var name: String

        init(_ level: RiskLevel) {
            value = level.value
            name = level.rawValue
        }

        init?(_ value: Int?) {
            guard let value, let level = RiskLevel(value: value) else { return nil }
            self.init(level)
        }
    }

    /// A case in a list: codes and dates, never a name.
    struct CaseSummary: Content {
        var id: UUID
        var code: String
        var country: String
        var status: String
        /// The latest assessment's computed level, and the officer's judged level.
        var riskLevel: Level?
        var judgedLevel: Level?
        var nextReviewAt: Date?
        var openedAt: Date
        var closedAt: Date?
        var updatedAt: Date
        /// The lead officer's user id.
        var leadId: UUID

        init(_ record: CaseRecord) throws {
            id = try record.requireID()
            code = record.code
            country = record.country
            status = record.status.rawValue
            riskLevel = Level(record.riskLevel)
            judgedLevel = Level(record.judgedLevel)
            nextReviewAt = record.nextReviewAt
            openedAt = record.openedAt
            closedAt = record.closedAt
            updatedAt = record.updatedAt
            leadId = record.leadID
        }
    }

    struct CaseList: Content {
        var total: Int
        var page: Int
        var limit: Int
        var items: [CaseSummary]
    }

    /// The computed risk with its working (see docs/RISK-SCORING.md).
    struct Computed: Content {
        var level: Level
        var score: Double
        var threatFactor: Double
        var vulnerabilityFactor: Double
        var capacityFactor: Double

        init(_ score: RiskScore) {
            level = Level(score.level)
            self.score = score.score
            threatFactor = score.threatFactor
            vulnerabilityFactor = score.vulnerabilityFactor
            capacityFactor = score.capacityFactor
        }
    }

    struct AssessmentResult: Content {
        var version: Int
        var computed: Computed
        var judgedLevel: Level
    }

    struct FollowUp: Content {
        var id: UUID
        /// `contact` (scheduled by the team) or `partner_note`.
        var kind: String
        var state: String
        var dueAt: Date?
        var purpose: String
        var notes: String?
        var newThreat: Bool
        var assigneeId: UUID?
        /// The partner organisation that wrote a partner note.
        var organisationId: UUID?
        var createdAt: Date

        init(_ item: CaseItemRecord, vault: Vault) throws {
            self.init(.init(record: item, content: try CaseWorkflow.content(CaseContent.FollowUp.self, of: item, vault: vault)))
        }

        init(_ read: CaseFileRead.Item<CaseContent.FollowUp>) {
            let item = read.record, content = read.content
            id = read.id
            kind = item.category
            state = item.state
            dueAt = item.dueAt
            purpose = content.purpose
            notes = content.notes
            newThreat = content.newThreat
            assigneeId = item.assigneeID
            organisationId = item.targetOrganisationID
            createdAt = item.createdAt
        }
    }
}

// MARK: - The case file

extension CasesAPIController {
    /// One case: the list's fields and the file's parts, in one flat object.
    struct CaseDetail: Content {
        var header: CaseSummary
        var file: CaseFile

        init(from decoder: any Decoder) throws {
            header = try CaseSummary(from: decoder)
            file = try CaseFile(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            try header.encode(to: encoder)
            try file.encode(to: encoder)
        }

        /// Opens what `actor` may see of `record` (`CasePolicy.view`; sensitive fields only where
        /// `CasePolicy.maySee` allows). The caller has authorized `viewCase` and audited the read.
        init(_ record: CaseRecord, access: CaseAccess, actor: Actor, on db: any Database, vault: Vault) async throws {
            header = try CaseSummary(record)
            file = try await CaseFile(record, access: access, actor: actor, on: db, vault: vault)
        }
    }

    /// The parts of a case file.
    struct CaseFile: Content {
        /// `full`, or `limited` (a partner organisation granted access).
        var view: String
        /// The situation (full view only).
        var summary: String?
        var region: String?
        var fieldOfWork: String?
        var alertId: UUID?
        var outcome: String?
        /// The defender's situation at closure (full view only).
        var closure: String?
        /// The team beside the lead officer (user ids).
        var teamIds: [UUID]
        var people: [Person]
        /// The latest risk assessment, and the earlier ones, newest first.
        var assessment: Assessment?
        var pastAssessments: [Assessment]
        var measures: [Measure]
        var planReviews: [PlanReview]
        var support: [Support]
        var referrals: [Referral]
        var followUps: [FollowUp]
        var reviews: [Review]
        var impacts: [Impact]
        var timeline: [Entry]

        /// What `CaseFileReader` lets the reader see, nothing more: the page is built from the same read.
        init(_ record: CaseRecord, access: CaseAccess, actor: Actor, on db: any Database, vault: Vault) async throws {
            let read = try await CaseFileReader.read(record, access: access, actor: actor, on: db, vault: vault)
            let caseID = try record.requireID()
            view = read.view.rawValue
            summary = read.summary
            region = read.region
            fieldOfWork = record.fieldOfWork?.rawValue
            alertId = record.alertID
            outcome = record.outcome?.rawValue
            closure = read.closure
            teamIds = access.teamMemberIDs.sorted { $0.uuidString < $1.uuidString }
            people = read.people.map { Person($0, details: read.disclosure.personDetails) }
            if read.view != .limited {
                // The same people the page links (`CasePeopleLinks`): one read, both doors.
                let found = try await CasePeopleLinks.find(for: read.people, in: caseID, actor: actor, on: db, vault: vault)
                for index in people.indices {
                    people[index].possibleMatches = found.shown[people[index].id] ?? []
                    people[index].matchesInCasesYouCannotSee = found.hidden[people[index].id] ?? 0
                }
            }
            let assessments = read.assessments.map { Assessment($0, details: read.disclosure.assessmentDetails) }
            assessment = assessments.last
            pastAssessments = Array(assessments.dropLast().reversed())
            measures = read.measures.map(Measure.init)
            planReviews = read.planReviews.map(PlanReview.init)
            support = read.support.map(Support.init)
            referrals = read.referrals.map { Referral($0, messages: read.disclosure.referralMessages) }
            followUps = read.followUps.map(FollowUp.init)
            reviews = read.reviews.map(Review.init)
            impacts = read.impacts.map(Impact.init)
            timeline = try await CaseEntryRecord.query(on: db).filter(\.$caseID == caseID).sort(\.$createdAt).all().map(Entry.init)
        }
    }

    /// A person concerned. The limited view has no contacts, address or notes; gender identity and
    /// sexual orientation appear only where `CasePolicy.maySee` allows each.
    struct Person: Content {
        var id: UUID
        var role: String
        var isOrganisation: Bool
        var name: String
        var aliases: String?
        var dateOfBirth: String?
        var contacts: String?
        var address: String?
        var notes: String?
        var consentRecorded: Bool
        var genderIdentity: String?
        var sexualOrientation: String?
        /// Probably the same person in other cases the reader may see (full view only).
        var possibleMatches: [CasePeopleLinks.Link]?
        /// How many other cases the reader may not see probably concern the same person (full view only).
        var matchesInCasesYouCannotSee: Int?

        init(_ person: CaseFileRead.Person, details: Bool) {
            id = person.id
            role = person.role.rawValue
            isOrganisation = person.isOrganisation
            name = person.identity.name
            aliases = person.identity.aliases
            dateOfBirth = person.identity.dateOfBirth
            contacts = person.identity.contacts
            address = person.identity.address
            notes = person.identity.notes
            consentRecorded = person.consentAt != nil
            genderIdentity = person.sensitive?.genderIdentity
            sexualOrientation = person.sensitive?.sexualOrientation
        }
    }

    /// One version of the risk assessment. A limited view has the levels and the computed score,
    /// not the threats, vulnerabilities, capacities or justification.
    struct Assessment: Content {
        var id: UUID
        var version: Int
        /// `initial`, `scheduled`, `new_threat` or `change`.
        var trigger: String
        var computed: Computed?
        var judgedLevel: Level?
        var justification: String?
        var threats: [CaseContent.Threat]?
        var vulnerabilities: [CaseContent.Factor]?
        var capacities: [CaseContent.Factor]?
        var nextReviewAt: Date?
        var recordedAt: Date
        var recordedBy: UUID

        init(_ assessment: CaseFileRead.Assessment, details: Bool) {
            let item = assessment.item.record, content = assessment.item.content
            id = assessment.item.id
            version = item.version
            trigger = content.trigger
            computed = assessment.score.map(Computed.init)
            judgedLevel = Level(item.judgedLevel)
            justification = details ? content.justification : nil
            threats = details ? content.threats : nil
            vulnerabilities = details ? content.vulnerabilities : nil
            capacities = details ? content.capacities : nil
            nextReviewAt = item.dueAt
            recordedAt = item.createdAt
            recordedBy = item.createdBy
        }
    }

    /// A security-plan measure.
    struct Measure: Content {
        var id: UUID
        var stage: String
        var domain: String
        var state: String
        var ownerKind: String
        var ownerName: String?
        var description: String
        var note: String?
        var dueAt: Date?
        var assigneeId: UUID?
        var createdAt: Date

        init(_ read: CaseFileRead.Item<CaseContent.Measure>) {
            let item = read.record, content = read.content
            id = read.id
            stage = item.category
            domain = content.domain.rawValue
            state = item.state
            ownerKind = content.ownerKind.rawValue
            ownerName = content.ownerName
            description = content.description
            note = content.note
            dueAt = item.dueAt
            assigneeId = item.assigneeID
            createdAt = item.createdAt
        }
    }

    struct PlanReview: Content {
        var id: UUID
        var summary: String
        var recordedAt: Date
        var recordedBy: UUID

        init(_ read: CaseFileRead.Item<CaseContent.PlanReview>) {
            let item = read.record
            id = read.id
            summary = read.content.summary
            recordedAt = item.createdAt
            recordedBy = item.createdBy
        }
    }

    /// A support request; its estimated cost in integer minor units of an ISO 4217 currency.
    struct Support: Content {
        var id: UUID
        var type: String
        var provider: String
        var providerName: String?
        var state: String
        var description: String
        var outcome: String?
        var amount: Money?
        var partnerId: UUID?
        var createdAt: Date

        init(_ read: CaseFileRead.Item<CaseContent.Support>) {
            let item = read.record, content = read.content
            id = read.id
            type = item.category
            provider = content.provider.rawValue
            providerName = content.providerName
            state = item.state
            description = content.description
            outcome = content.outcome
            if let minor = item.amountMinor, let currency = item.currency { amount = Money(minorUnits: minor, currency: currency) }
            partnerId = item.targetOrganisationID
            createdAt = item.createdAt
        }
    }

    /// A referral to a partner organisation: what was chosen to be shared, and the answers (the
    /// frozen copy sent to the partner stays out: the case file itself is here).
    struct Referral: Content {
        var id: UUID
        var organisationId: UUID?
        var state: String
        var shared: [String]
        var consentRecorded: Bool
        /// The message, answer and report: full view only.
        var message: String?
        var response: String?
        var report: String?
        var createdAt: Date
        var updatedAt: Date

        init(_ read: CaseFileRead.Item<CaseContent.Referral>, messages: Bool) {
            let item = read.record, content = read.content
            id = read.id
            organisationId = item.targetOrganisationID
            state = item.state
            shared = content.shared.map(\.rawValue)
            consentRecorded = content.consentRecorded
            message = messages ? content.message : nil
            response = content.response
            report = content.report
            createdAt = item.createdAt
            updatedAt = item.updatedAt
        }
    }

    /// A case conference or audit.
    struct Review: Content {
        var id: UUID
        var kind: String
        var findings: String
        var actions: String
        var recordedAt: Date
        var recordedBy: UUID

        init(_ read: CaseFileRead.Item<CaseContent.Review>) {
            let item = read.record, content = read.content
            id = read.id
            kind = content.kind.rawValue
            findings = content.findings
            actions = content.actions
            recordedAt = item.createdAt
            recordedBy = item.createdBy
        }
    }

    /// The impact of the protection, at closure, 3 or 12 months after.
    struct Impact: Content {
        var id: UUID
        var moment: String
        var answers: [String: String]
        var notes: String?
        var recordedAt: Date

        init(_ read: CaseFileRead.Item<CaseContent.Impact>) {
            let item = read.record, content = read.content
            id = read.id
            moment = item.state
            answers = content.answers.mapValues(\.rawValue)
            notes = content.notes
            recordedAt = item.createdAt
        }
    }

    /// A line of the timeline: codes only.
    struct Entry: Content {
        var kind: String
        var at: Date
        var actorId: UUID?
        var itemId: UUID?
        var details: [String: String]

        init(_ entry: CaseEntryRecord) {
            kind = entry.kind
            at = entry.createdAt
            actorId = entry.actorID
            itemId = entry.itemID
            details = entry.detailValues
        }
    }
}
