import EgideCore
import Fluent
import Vapor

/// The case file page, built from `CaseFileReader`'s read: what the reader may see, already
/// trimmed to their view; the typed contexts the template renders; the forms their role may use.
enum CaseFilePage {
    struct PersonView: Encodable {
        var id: String
        /// The same person, probably, in other cases the reader may see; and how many in cases they may not.
        var links: [CasePeopleLinks.Link] = []
        var hiddenLinks: String?
        var name: String
        var role: String
        var roleCode: String
        var isOrganisation: Bool
        var facts: [Fact]
        var sensitive: [Fact]
        var consent: String?
        var action: String
        var aliases: String
        var dateOfBirth: String
        var contacts: String
        var address: String
        var hasConsent: Bool
    }

    struct ChartPoint: Encodable { var x: Int; var y: Int; var label: String }
    struct Chart: Encodable {
        var computed: String
        var judged: String
        var computedPoints: [ChartPoint]
        var judgedPoints: [ChartPoint]
        var gridLines: [ChartPoint]
        /// Where the level lines start and end and where their labels sit: mirrored on a
        /// right-to-left page, whose time runs right to left.
        var gridFrom: Int
        var gridTo: Int
        var labelX: Int
        /// `first → last`, in the page's reading order.
        var span: String
        var description: String
    }

    struct ThreatView: Encodable { var actor: String; var space: String; var description: String; var likelihood: Int; var impact: Int; var score: Int }
    struct FactorView: Encodable { var description: String; var weight: Int }
    struct AssessmentView: Encodable {
        var version: Int
        var when: String
        var who: String
        var trigger: String
        var computed: String
        var computedTone: String
        var judged: String
        var judgedTone: String
        var differs: Bool
        var score: String
        var working: String
        var justification: String
        var nextReview: String?
        var threats: [ThreatView]
        var vulnerabilities: [FactorView]
        var capacities: [FactorView]
    }

    struct ItemView: Encodable {
        var id: String
        var title: String
        var state: String
        var stateCode: String
        var tone: String
        var meta: String
        var body: String?
        var extra: String?
        var action: String
        var isOpen: Bool
        var options: [SelectOption]
    }

    struct StageView: Encodable { var stage: String; var measures: [ItemView] }
    struct TimelineItem: Encodable { var when: String; var who: String; var what: String }

    struct ShowContext: Encodable {
        var id: String
        var code: String
        var status: String
        var statusCode: String
        var isOpen: Bool
        var limited: Bool
        var opened: Bool
        var problems: [FieldProblem]
        var summary: String
        var facts: [Fact]
        var closure: String?
        var people: [PersonView]
        var chart: Chart?
        var latest: AssessmentView?
        var assessments: [AssessmentView]
        var reviewDue: Bool
        var plan: [StageView]
        var planReviews: [ItemView]
        var support: [ItemView]
        var referrals: [ItemView]
        var followUps: [ItemView]
        var reviews: [ItemView]
        var impacts: [ItemView]
        var timeline: [TimelineItem]
        /// Other modules' parts of the case (grants…), from their declarations.
        var panels: [CasePanel]
        var can: Can
        var options: Options
        var actions: [String: String]
    }

    struct Can: Encodable {
        var edit: Bool, assess: Bool, plan: Bool, support: Bool, refer: Bool, followUp: Bool, note: Bool, review: Bool
        var close: Bool, reopen: Bool, team: Bool, accessLog: Bool, sensitive: Bool
    }

    struct Options: Encodable {
        var roles: [SelectOption]
        var stages: [SelectOption]
        var domains: [SelectOption]
        var owners: [SelectOption]
        var staff: [SelectOption]
        var supportTypes: [SelectOption]
        var providers: [SelectOption]
        var currencies: [SelectOption]
        var partners: [SelectOption]
        var shares: [SelectOption]
        var reviewKinds: [SelectOption]
        var outcomes: [SelectOption]
        var statuses: [SelectOption]
        var questions: [SelectOption]
        var answers: [SelectOption]
        var moments: [SelectOption]
        var team: [SelectOption]
        var grants: [SelectOption]
    }

    /// The page context for `read`: every part of the case, the actions `actor` may take, the forms' options.
    static func build(_ read: CaseFileRead, actor: Actor, problems: [FieldProblem], request: Request, now: Date) async throws -> ShowContext {
        let record = read.record, access = read.access, id = try record.requireID()
        let limited = read.view == .limited
        let directory = StaffDirectory(request)
        let team = try await CaseTeamRecord.query(on: request.db).filter(\.$caseID == id).all()
        let entries = try await CaseEntryRecord.query(on: request.db).filter(\.$caseID == id).sort(\.$createdAt, .descending).limit(300).all()
        // Every name the page shows, read in one query for the people and one for the organisations.
        let items = read.assessments.map(\.item.record) + read.measures.map(\.record) + read.planReviews.map(\.record) + read.support.map(\.record)
            + read.referrals.map(\.record) + read.followUps.map(\.record) + read.reviews.map(\.record)
        try await directory.preload(
            users: [record.leadID] + team.map(\.userID) + items.flatMap { [$0.createdBy] + ($0.assigneeID.map { [$0] } ?? []) } + entries.compactMap(\.actorID),
            organisations: Array(access.grantedOrganisationIDs) + items.compactMap(\.targetOrganisationID))
        let facts = try await facts(read, team: team, request: request, directory: directory)
        var people = read.people.map { person(id, $0, request: request) }
        if !limited {
            let found = try await CasePeopleLinks.find(for: read.people, in: id, actor: actor, on: request.db, vault: request.application.vault)
            for (index, person) in read.people.enumerated() {
                people[index].links = found.shown[person.id] ?? []
                people[index].hiddenLinks = found.hidden[person.id].map { request.t("case.person.hiddenLinks", String($0)) }
            }
        }
        var assessments: [AssessmentView] = []
        for assessment in read.assessments { assessments.append(try await self.assessment(assessment, request: request, directory: directory)) }
        let chart = riskChart(read.assessments.map(\.item.record), request: request)
        let plan = try await self.plan(read, request: request, directory: directory, now: now)
        var planReviews: [ItemView] = []
        for review in read.planReviews {
            planReviews.append(simple(review.record, title: request.day(review.record.createdAt), meta: try await directory.user(review.record.createdBy),
                                      body: review.content.summary))
        }
        let support = try await self.support(read, request: request, directory: directory)
        let referrals = try await self.referrals(read, request: request, directory: directory)
        let followUps = try await self.followUps(read, request: request, directory: directory, now: now)
        var reviews: [ItemView] = []
        for review in read.reviews {
            var view = simple(review.record, title: request.t(review.content.kind.labelKey) + " — " + request.day(review.record.createdAt),
                              meta: try await directory.user(review.record.createdBy), body: review.content.findings)
            view.extra = review.content.actions
            reviews.append(view)
        }
        let impacts = read.impacts.map { impact in
            let answers = ImpactQuestion.allCases.map { question in
                request.t(question.labelKey) + " " + request.t((impact.content.answers[question.rawValue] ?? .unknown).labelKey)
            }
            return simple(impact.record, title: request.t((ImpactMoment(rawValue: impact.record.state) ?? .closure).labelKey) + " — "
                              + request.day(impact.record.createdAt), meta: answers.joined(separator: " · "), body: impact.content.notes)
        }

        // The timeline: everything that happened, newest first, the other modules' steps included.
        let panels = try await Modules.casePanels(id, for: actor, on: request)
        var dated: [(at: Date, item: TimelineItem)] = []
        for entry in entries {
            dated.append((entry.createdAt, TimelineItem(when: request.moment(entry.createdAt), who: try await directory.user(entry.actorID),
                                                        what: describe(entry, request: request))))
        }
        for event in panels.flatMap(\.events) {
            dated.append((event.at, TimelineItem(when: request.moment(event.at), who: try await directory.user(event.actorID), what: event.what)))
        }
        let timeline = dated.sorted { $0.at > $1.at }.map(\.item)

        let isOpen = record.status.isOpen
        let can = self.can(read, actor: actor)
        let options = try await self.options(read, team: team, request: request, directory: directory)
        let actions = Dictionary(uniqueKeysWithValues: Self.actionPaths.map { ($0.key, SiteURL.caseAction(id, $0.form).href) })
        return ShowContext(
            id: SiteURL.id(id), code: record.code, status: request.t(record.status.labelKey), statusCode: record.status.rawValue,
            isOpen: isOpen, limited: limited, opened: (try? request.query.get(String.self, at: "opened")) == "1", problems: problems,
            summary: read.summary ?? "", facts: facts, closure: read.closure, people: people, chart: chart,
            latest: assessments.last, assessments: assessments.reversed(),
            reviewDue: isOpen && (record.nextReviewAt.map { $0 <= now } ?? assessments.isEmpty),
            plan: plan, planReviews: planReviews.reversed(), support: support, referrals: referrals, followUps: followUps,
            reviews: reviews.reversed(), impacts: impacts, timeline: timeline, panels: panels, can: can, options: options, actions: actions)
    }

    /// What `actor` may do on the page, from `CasePolicy` (the template only reads these).
    static func can(_ read: CaseFileRead, actor: Actor) -> Can {
        let record = read.record, isOpen = record.status.isOpen
        func allowed(_ action: CaseAction) -> Bool { CasePolicy.evaluate(actor, action, read.access).isAllowed }
        return Can(
            edit: allowed(.editCase), assess: allowed(.assessRisk) && isOpen, plan: allowed(.editPlan) && isOpen,
            support: allowed(.manageSupport) && isOpen, refer: allowed(.refer) && isOpen, followUp: allowed(.addFollowUp) && isOpen,
            note: read.view == .limited && allowed(.addPartnerNote), review: allowed(.recordReview),
            close: allowed(.closeCase) && CaseLifecycle.canMove(from: record.status, to: .closed),
            reopen: allowed(.reopenCase) && CaseLifecycle.canMove(from: record.status, to: .reopened),
            team: allowed(.manageTeam), accessLog: allowed(.viewAccessLog), sensitive: !read.sensitiveFields.isEmpty)
    }

    /// The forms' addresses, by the key the template names them with.
    static let actionPaths: [(key: String, form: CaseForm)] = [
        ("people", .people), ("assess", .newAssessment), ("measures", .measures), ("planReviews", .planReviews),
        ("support", .support), ("referrals", .referrals), ("followUps", .followUps), ("notes", .notes),
        ("reviews", .reviews), ("status", .status), ("close", .close), ("impact", .impact), ("reopen", .reopen),
        ("team", .team), ("grants", .grants), ("access", .access),
    ]

    /// The choices of the page's forms: vocabularies, the organisation's case handlers, the partners.
    static func options(_ read: CaseFileRead, team: [CaseTeamRecord], request: Request, directory: StaffDirectory) async throws -> Options {
        let record = read.record, access = read.access
        let staffMembers = try await directory.members(of: record.organisationID, roles: CasePolicy.handlerRoles)
        let partners = try await OrganisationRecord.query(on: request.db).filter(\.$type ~~ OrganisationType.partnering).sort(\.$slug).all()
        try await directory.preload(users: staffMembers, organisations: partners.compactMap(\.id))
        var partnerOptions: [SelectOption] = []
        for partner in partners {
            partnerOptions.append(SelectOption(value: SiteURL.id(try partner.requireID()), label: try await directory.organisation(partner.id!), selected: false))
        }
        let staffOptions = try await directory.options(staffMembers) { $0 == record.leadID }
        let teamIDs = Set(team.map(\.userID))
        return Options(
            roles: PersonRole.allCases.map { option($0.rawValue, $0.labelKey, request) },
            stages: MeasureStage.allCases.map { option($0.rawValue, $0.labelKey, request) },
            domains: MeasureDomain.allCases.map { option($0.rawValue, $0.labelKey, request) },
            owners: MeasureOwnerKind.allCases.map { option($0.rawValue, $0.labelKey, request) },
            staff: staffOptions,
            supportTypes: SupportType.allCases.map { option($0.rawValue, $0.labelKey, request) },
            providers: SupportProvider.allCases.map { option($0.rawValue, $0.labelKey, request) },
            currencies: Currency.offered.map { SelectOption(value: $0.code, label: $0.code, selected: $0.code == "EUR") },
            partners: partnerOptions,
            shares: ReferralShare.allCases.filter { !$0.isAlwaysShared }.map { option($0.rawValue, $0.labelKey, request) },
            reviewKinds: CaseReviewKind.allCases.map { option($0.rawValue, $0.labelKey, request) },
            outcomes: CaseOutcome.allCases.map { option($0.rawValue, $0.labelKey, request) },
            // The current status first and preselected: pressing the button unchanged changes nothing.
            statuses: ([record.status] + [CaseStatus.open, .active, .monitoring].filter { $0 != record.status && CaseLifecycle.canMove(from: record.status, to: $0) })
                .map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == record.status) },
            questions: ImpactQuestion.allCases.map { option($0.rawValue, $0.labelKey, request) },
            answers: ImpactAnswer.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == .unknown) },
            moments: [ImpactMoment.threeMonths, .twelveMonths, .closure].map { option($0.rawValue, $0.labelKey, request) },
            team: staffOptions.map { SelectOption(value: $0.value, label: $0.label, selected: UUID(uuidString: $0.value).map(teamIDs.contains) ?? false) },
            grants: partnerOptions.map { SelectOption(value: $0.value, label: $0.label,
                                                      selected: UUID(uuidString: $0.value).map(access.grantedOrganisationIDs.contains) ?? false) })
    }

    /// The facts at the top of the page: country, region, field of work, lead, team, grants, dates, alert, outcome.
    static func facts(_ read: CaseFileRead, team: [CaseTeamRecord], request: Request, directory: StaffDirectory) async throws -> [Fact] {
        let record = read.record
        var facts = [Fact(label: request.t("case.field.country"), value: Countries.name(record.country, in: request.language))]
        if let region = read.region { facts.append(Fact(label: request.t("case.field.region"), value: region)) }
        if let work = record.fieldOfWork { facts.append(Fact(label: request.t("case.field.fieldOfWork"), value: request.t(work.labelKey))) }
        facts.append(Fact(label: request.t("case.field.lead"), value: try await directory.user(record.leadID)))
        if !team.isEmpty {
            var names: [String] = []
            for member in team { names.append(try await directory.user(member.userID)) }
            facts.append(Fact(label: request.t("case.field.team"), value: request.list(names)))
        }
        if !read.access.grantedOrganisationIDs.isEmpty {
            var names: [String] = []
            for organisation in read.access.grantedOrganisationIDs { names.append(try await directory.organisation(organisation)) }
            facts.append(Fact(label: request.t("case.field.grants"), value: request.list(names.sorted())))
        }
        facts.append(Fact(label: request.t("case.field.opened"), value: request.day(record.openedAt)))
        if let alertID = record.alertID, let alert = try await AlertRecord.find(alertID, on: request.db) {
            facts.append(Fact(label: request.t("case.field.alert"), value: alert.reference))
        }
        if let closed = record.closedAt { facts.append(Fact(label: request.t("case.field.closed"), value: request.day(closed))) }
        if let outcome = record.outcome { facts.append(Fact(label: request.t("case.field.outcome"), value: request.t(outcome.labelKey))) }
        return facts
    }

    /// A person concerned, as the read gives it (a partner's limited view: the name and role only).
    static func person(_ caseID: UUID, _ person: CaseFileRead.Person, request: Request) -> PersonView {
        let identity = person.identity
        var facts: [Fact] = []
        for (key, value) in [("case.person.aliases", identity.aliases), ("case.person.dateOfBirth", identity.dateOfBirth),
                             ("case.person.contacts", identity.contacts), ("case.person.address", identity.address),
                             ("case.person.notes", identity.notes)] {
            if let value, !value.isEmpty { facts.append(Fact(label: request.t(key), value: value)) }
        }
        var sensitive: [Fact] = []
        for (field, value) in [(SensitiveField.genderIdentity, person.sensitive?.genderIdentity),
                               (.sexualOrientation, person.sensitive?.sexualOrientation)] {
            if let value, !value.isEmpty { sensitive.append(Fact(label: request.t(field.labelKey), value: value)) }
        }
        return PersonView(
            id: SiteURL.id(person.id), name: identity.name, role: request.t(person.role.labelKey), roleCode: person.role.rawValue,
            isOrganisation: person.isOrganisation, facts: facts, sensitive: sensitive,
            consent: person.consentAt.map { request.t("case.person.consentRecorded", request.day($0)) },
            action: SiteURL.caseItemAction(caseID, .people, person.id).href,
            aliases: identity.aliases ?? "", dateOfBirth: identity.dateOfBirth ?? "", contacts: identity.contacts ?? "",
            address: identity.address ?? "", hasConsent: person.consentAt != nil)
    }

    /// One version of the risk assessment (its details are empty in a limited view: the read left them out).
    static func assessment(_ assessment: CaseFileRead.Assessment, request: Request, directory: StaffDirectory) async throws -> AssessmentView {
        let item = assessment.item.record, content = assessment.item.content, score = assessment.score
        let computed = item.level.flatMap(RiskLevel.init(value:)) ?? .low
        let judged = item.judgedLevel.flatMap(RiskLevel.init(value:)) ?? computed
        return AssessmentView(
            version: item.version, when: request.day(item.createdAt), who: try await directory.user(item.createdBy),
            trigger: request.t("case.assessment.trigger.\(item.category)"),
            computed: request.t(computed.labelKey), computedTone: CaseListPage.tone(computed),
            judged: request.t(judged.labelKey), judgedTone: CaseListPage.tone(judged), differs: computed != judged,
            score: score.map { request.decimal($0.score, digits: 1) } ?? "—",
            working: score.map { request.t("case.assessment.working", request.decimal($0.threatFactor, digits: 1),
                                          request.decimal($0.vulnerabilityFactor, digits: 2), request.decimal($0.capacityFactor, digits: 2),
                                          request.decimal($0.score, digits: 1)) } ?? "",
            justification: content.justification, nextReview: item.dueAt.map { request.day($0) },
            threats: content.threats.map {
                ThreatView(actor: request.t($0.actor.labelKey), space: request.t($0.space.labelKey), description: $0.description,
                           likelihood: $0.likelihood, impact: $0.impact, score: $0.likelihood * $0.impact)
            },
            vulnerabilities: content.vulnerabilities.map { FactorView(description: $0.description, weight: $0.weight) },
            capacities: content.capacities.map { FactorView(description: $0.description, weight: $0.weight) })
    }

    /// The security plan, by stage.
    static func plan(_ read: CaseFileRead, request: Request, directory: StaffDirectory, now: Date) async throws -> [StageView] {
        let caseID = try read.record.requireID()
        var plan: [StageView] = []
        for stage in MeasureStage.allCases {
            var views: [ItemView] = []
            for item in read.measures where item.record.category == stage.rawValue {
                let measure = item.content
                let state = MeasureState(rawValue: item.record.state) ?? .planned
                var owner = request.t(measure.ownerKind.labelKey)
                if measure.ownerKind == .staff, let assignee = item.record.assigneeID { owner = try await directory.user(assignee) }
                else if let name = measure.ownerName, !name.isEmpty { owner += " — " + name }
                var meta = [request.t(measure.domain.labelKey), owner]
                if let due = item.record.dueAt { meta.append(request.t("case.due", request.day(due))) }
                let overdue = state.isOpen && (item.record.dueAt.map { $0 < now } ?? false)
                views.append(ItemView(
                    id: SiteURL.id(item.id), title: measure.description, state: request.t(state.labelKey), stateCode: state.rawValue,
                    tone: overdue ? "danger" : state == .done ? "ok" : "", meta: meta.joined(separator: " · "), body: measure.note, extra: nil,
                    action: SiteURL.caseItemAction(caseID, .measures, item.id).href, isOpen: state.isOpen,
                    options: MeasureState.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == state) }))
            }
            plan.append(StageView(stage: request.t(stage.labelKey), measures: views))
        }
        return plan
    }

    static func support(_ read: CaseFileRead, request: Request, directory: StaffDirectory) async throws -> [ItemView] {
        let caseID = try read.record.requireID()
        var support: [ItemView] = []
        for item in read.support {
            let content = item.content
            let state = SupportState(rawValue: item.record.state) ?? .requested
            var meta = [request.t(content.provider.labelKey)]
            if let name = content.providerName, !name.isEmpty { meta.append(name) }
            if let partner = item.record.targetOrganisationID { meta.append(try await directory.organisation(partner)) }
            if let minor = item.record.amountMinor, let currency = item.record.currency {
                meta.append(Money(minorUnits: minor, currency: currency).formatted(language: request.language))
            }
            support.append(ItemView(
                id: SiteURL.id(item.id), title: request.t(SupportType(rawValue: item.record.category)?.labelKey ?? item.record.category) + " — " + content.description,
                state: request.t(state.labelKey), stateCode: state.rawValue, tone: state == .delivered ? "ok" : state.isOpen ? "warn" : "",
                meta: meta.joined(separator: " · "), body: content.outcome, extra: nil,
                action: SiteURL.caseItemAction(caseID, .support, item.id).href, isOpen: state.isOpen,
                options: ([state] + SupportState.allCases.filter { $0 != state && SupportLifecycle.canMove(from: state, to: $0) })
                    .map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == state) }))
        }
        return support
    }

    /// The referrals the read kept (a partner: only those addressed to it, without their texts).
    static func referrals(_ read: CaseFileRead, request: Request, directory: StaffDirectory) async throws -> [ItemView] {
        let caseID = try read.record.requireID()
        var referrals: [ItemView] = []
        for item in read.referrals {
            let content = item.content
            let state = ReferralState(rawValue: item.record.state) ?? .proposed
            let partner = try await item.record.targetOrganisationID.asyncFlatMap { try await directory.organisation($0) } ?? "—"
            var body = [content.message].filter { !$0.isEmpty }
            if let response = content.response { body.append(request.t("case.referral.response") + " " + response) }
            if let report = content.report { body.append(request.t("case.referral.report") + " " + report) }
            referrals.append(ItemView(
                id: SiteURL.id(item.id), title: partner, state: request.t(state.labelKey), stateCode: state.rawValue,
                tone: state == .accepted || state == .reported ? "ok" : state == .declined ? "danger" : "warn",
                meta: request.day(item.record.createdAt) + " · " + request.list(content.shared.map { request.t($0.labelKey) }),
                body: body.isEmpty ? nil : body.joined(separator: "\n\n"), extra: nil,
                action: SiteURL.caseItemAction(caseID, .referrals, item.id).href,
                isOpen: ReferralLifecycle.canMove(from: state, to: .withdrawn), options: []))
        }
        return referrals
    }

    /// Follow-ups and partner notes, the latest due first.
    static func followUps(_ read: CaseFileRead, request: Request, directory: StaffDirectory, now: Date) async throws -> [ItemView] {
        let caseID = try read.record.requireID()
        var followUps: [ItemView] = []
        for item in read.followUps.sorted(by: { ($0.record.dueAt ?? $0.record.createdAt) > ($1.record.dueAt ?? $1.record.createdAt) }) {
            let content = item.content, record = item.record
            let state = FollowUpState(rawValue: record.state) ?? .scheduled
            let overdue = state == .scheduled && (record.dueAt.map { $0 < now } ?? false)
            var meta: [String] = []
            if let due = record.dueAt { meta.append(request.t("case.due", request.day(due))) }
            if let assignee = record.assigneeID { meta.append(try await directory.user(assignee)) }
            if record.category == "partner_note", let partner = record.targetOrganisationID { meta.append(try await directory.organisation(partner)) }
            if content.newThreat { meta.append(request.t("case.followUp.newThreat")) }
            followUps.append(ItemView(
                id: SiteURL.id(item.id),
                title: record.category == "partner_note" ? request.t("case.followUp.partnerNote") : content.purpose,
                state: overdue ? request.t("case.followUp.overdue") : request.t(state.labelKey), stateCode: state.rawValue,
                tone: overdue ? "danger" : state == .done ? "ok" : state == .missed ? "warn" : "",
                meta: meta.joined(separator: " · "), body: content.notes, extra: nil,
                action: SiteURL.caseItemAction(caseID, .followUps, item.id).href, isOpen: state == .scheduled,
                options: [FollowUpState.done, .missed, .cancelled].map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: false) }))
        }
        return followUps
    }

    static func option(_ value: String, _ key: String, _ request: Request) -> SelectOption {
        SelectOption(value: value, label: request.t(key), selected: false)
    }

    static func simple(_ item: CaseItemRecord, title: String, meta: String, body: String?) -> ItemView {
        ItemView(id: SiteURL.id(item.id!), title: title, state: "", stateCode: item.state, tone: "", meta: meta, body: body, extra: nil,
                 action: "", isOpen: false, options: [])
    }

    /// A timeline line from its codes, in the reader's language.
    static func describe(_ entry: CaseEntryRecord, request: Request) -> String {
        let details = entry.detailValues
        var text = request.t("case.timeline.\(entry.kind)")
        if let status = details["to"].flatMap(CaseStatus.init(rawValue:)) { text += " — " + request.t(status.labelKey) }
        if let level = details["level"].flatMap(RiskLevel.init(rawValue:)) {
            text += " — " + request.t("case.assessment.computed") + " " + request.t(level.labelKey)
            if let judged = details["judged"].flatMap(RiskLevel.init(rawValue:)) {
                text += ", " + request.t("case.assessment.judged") + " " + request.t(judged.labelKey)
            }
        }
        if let state = details["state"], entry.kind.hasPrefix("measure") { text += " — " + request.t("case.measure.state.\(state)") }
        if let state = details["state"], entry.kind.hasPrefix("support") { text += " — " + request.t("case.support.state.\(state)") }
        if let type = details["type"].flatMap(SupportType.init(rawValue:)) { text += " — " + request.t(type.labelKey) }
        if let outcome = details["outcome"].flatMap(CaseOutcome.init(rawValue:)) { text += " — " + request.t(outcome.labelKey) }
        if let moment = details["moment"].flatMap(ImpactMoment.init(rawValue:)) { text += " — " + request.t(moment.labelKey) }
        if let role = details["role"].flatMap(PersonRole.init(rawValue:)) { text += " — " + request.t(role.labelKey) }
        return text
    }

    /// The risk history as chart coordinates (a 420×200 drawing: levels 1–5 bottom to top, time
    /// in the reading direction), the computed level as a solid line and the judged level dashed.
    static func riskChart(_ items: [CaseItemRecord], request: Request) -> Chart? {
        guard !items.isEmpty else { return nil }
        let start = items.first!.createdAt.timeIntervalSince1970, end = items.last!.createdAt.timeIntervalSince1970
        let span = max(end - start, 1)
        let mirrored = request.language.isRightToLeft
        func across(_ x: Int) -> Int { mirrored ? 420 - x : x }
        func x(_ item: CaseItemRecord) -> Int { across(items.count == 1 ? 250 : 100 + Int((item.createdAt.timeIntervalSince1970 - start) / span * 300)) }
        func y(_ level: Int) -> Int { 180 - (level - 1) * 40 }
        let computed = items.map { ChartPoint(x: x($0), y: y($0.level ?? 1), label: request.t(RiskLevel(value: $0.level ?? 1)!.labelKey)) }
        let judged = items.map { ChartPoint(x: x($0), y: y($0.judgedLevel ?? $0.level ?? 1), label: request.t(RiskLevel(value: $0.judgedLevel ?? $0.level ?? 1)!.labelKey)) }
        let grid = RiskLevel.allCases.map { ChartPoint(x: 0, y: y($0.value), label: request.t($0.labelKey)) }
        let description = request.t("case.chart.description", String(items.count), judged.last?.label ?? "")
        return Chart(computed: computed.map { "\($0.x),\($0.y)" }.joined(separator: " "), judged: judged.map { "\($0.x),\($0.y)" }.joined(separator: " "),
                     computedPoints: computed, judgedPoints: judged, gridLines: grid,
                     gridFrom: across(92), gridTo: across(412), labelX: across(86),
                     span: request.t("period.span", request.day(items.first!.createdAt), request.day(items.last!.createdAt)),
                     description: description)
    }
}
