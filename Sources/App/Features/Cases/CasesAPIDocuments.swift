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
            let content = try CaseWorkflow.content(CaseContent.FollowUp.self, of: item, vault: vault)
            id = try item.requireID()
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
        var summary: String
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

        init(_ record: CaseRecord, access: CaseAccess, actor: Actor, on db: any Database, vault: Vault) async throws {
            let caseID = try record.requireID()
            let isFull = CasePolicy.view(actor, context: access) == .full
            let opened = try CaseQueries.open(record, vault: vault)
            view = isFull ? CaseView.full.rawValue : CaseView.limited.rawValue
            summary = opened.summary
            region = opened.region
            fieldOfWork = record.fieldOfWork?.rawValue
            alertId = record.alertID
            outcome = record.outcome?.rawValue
            closure = isFull ? opened.closure : nil
            teamIds = access.teamMemberIDs.sorted { $0.uuidString < $1.uuidString }
            // Each sensitive field needs its own permission (`case.sensitive.*`) on top of the full view.
            let grantedPermissions = try await CaseQueries.permissions(of: actor.userID, on: db)
            let visibleFields = Set(SensitiveField.allCases.filter {
                CasePolicy.maySee($0, actor: actor, grantedPermissions: grantedPermissions, context: access).isAllowed
            })
            people = try await CaseQueries.people(of: record, on: db, vault: vault).map {
                try Person($0, full: isFull, sensitiveFields: visibleFields, vault: vault)
            }
            let items = try await CaseItemRecord.query(on: db).filter(\.$caseID == caseID).sort(\.$createdAt).sort(\.$version).all()
            func of(_ kind: CaseItemRecord.Kind) -> [CaseItemRecord] { items.filter { $0.kind == kind } }
            let assessments = try of(.assessment).sorted { $0.version < $1.version }.map { try Assessment($0, vault: vault) }
            assessment = assessments.last
            pastAssessments = Array(assessments.dropLast().reversed())
            measures = try of(.measure).map { try Measure($0, vault: vault) }
            planReviews = try of(.planReview).map { try PlanReview($0, vault: vault) }
            support = try of(.support).map { try Support($0, vault: vault) }
            // A partner sees only the referrals addressed to its own organisation.
            referrals = try of(.referral).filter { isFull || $0.targetOrganisationID == actor.organisationID }.map { try Referral($0, vault: vault) }
            followUps = try of(.followUp).map { try FollowUp($0, vault: vault) }
            reviews = try of(.review).map { try Review($0, vault: vault) }
            impacts = try of(.impact).map { try Impact($0, vault: vault) }
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

        init(_ person: CaseQueries.Person, full: Bool, sensitiveFields: Set<SensitiveField>, vault: Vault) throws {
            id = person.id
            role = person.role.rawValue
            isOrganisation = person.isOrganisation
            name = person.identity.name
            aliases = person.identity.aliases
            dateOfBirth = person.identity.dateOfBirth
            contacts = full ? person.identity.contacts : nil
            address = full ? person.identity.address : nil
            notes = full ? person.identity.notes : nil
            consentRecorded = person.consentAt != nil
            if full, !sensitiveFields.isEmpty, let sensitive = try CaseQueries.sensitive(of: person.record, vault: vault) {
                genderIdentity = sensitiveFields.contains(.genderIdentity) ? sensitive.genderIdentity : nil
                sexualOrientation = sensitiveFields.contains(.sexualOrientation) ? sensitive.sexualOrientation : nil
            }
        }
    }

    /// One version of the risk assessment.
    struct Assessment: Content {
        var id: UUID
        var version: Int
        /// `initial`, `scheduled`, `new_threat` or `change`.
        var trigger: String
        var computed: Computed
        var judgedLevel: Level?
        var justification: String
        var threats: [CaseContent.Threat]
        var vulnerabilities: [CaseContent.Factor]
        var capacities: [CaseContent.Factor]
        var nextReviewAt: Date?
        var recordedAt: Date
        var recordedBy: UUID

        init(_ item: CaseItemRecord, vault: Vault) throws {
            let content = try CaseWorkflow.content(CaseContent.Assessment.self, of: item, vault: vault)
            id = try item.requireID()
            version = item.version
            trigger = content.trigger
            computed = Computed(try CaseWorkflow.score(of: content))
            judgedLevel = Level(item.judgedLevel)
            justification = content.justification
            threats = content.threats
            vulnerabilities = content.vulnerabilities
            capacities = content.capacities
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

        init(_ item: CaseItemRecord, vault: Vault) throws {
            let content = try CaseWorkflow.content(CaseContent.Measure.self, of: item, vault: vault)
            id = try item.requireID()
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

        init(_ item: CaseItemRecord, vault: Vault) throws {
            id = try item.requireID()
            summary = try CaseWorkflow.content(CaseContent.PlanReview.self, of: item, vault: vault).summary
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

        init(_ item: CaseItemRecord, vault: Vault) throws {
            let content = try CaseWorkflow.content(CaseContent.Support.self, of: item, vault: vault)
            id = try item.requireID()
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
        var message: String
        var response: String?
        var report: String?
        var createdAt: Date
        var updatedAt: Date

        init(_ item: CaseItemRecord, vault: Vault) throws {
            let content = try CaseWorkflow.content(CaseContent.Referral.self, of: item, vault: vault)
            id = try item.requireID()
            organisationId = item.targetOrganisationID
            state = item.state
            shared = content.shared.map(\.rawValue)
            consentRecorded = content.consentRecorded
            message = content.message
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

        init(_ item: CaseItemRecord, vault: Vault) throws {
            let content = try CaseWorkflow.content(CaseContent.Review.self, of: item, vault: vault)
            id = try item.requireID()
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

        init(_ item: CaseItemRecord, vault: Vault) throws {
            let content = try CaseWorkflow.content(CaseContent.Impact.self, of: item, vault: vault)
            id = try item.requireID()
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
