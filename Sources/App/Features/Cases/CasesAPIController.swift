import EgideCore
import Fluent
import Foundation
import Vapor

/// The JSON API of protection cases (`/api/v1/cases…`, bearer tokens with `cases:read` or
/// `cases:write`). Every decision is `CasePolicy`'s, through `CaseQueries`: a case outside the
/// account's scope answers 404 exactly like a missing one. Errors are RFC 9457 problems naming each
/// invalid field; every read of one case file is in the audit log (`case.read`, like the page).
enum CasesAPIController {
    static let defaultLimit = 50
    static let maximumLimit = 100

    // MARK: Reading

    /// `GET /api/v1/cases` — the cases the account may see, newest activity first, with the filters
    /// `status`, `country` (alpha-2), `q` (a case code, or words of a person's name), `page` (from 0)
    /// and `limit` (1–100). Codes and dates only: no personal data in the list.
    @Sendable static func list(_ request: Request) async throws -> CaseList {
        let actor = try request.actor()
        try request.authorize(CasePolicy.evaluate(actor, .listCases, nil))
        let filters = try ListFilters(request)
        let query = try await CaseQueries.visible(to: actor, on: request.db)
        if let status = filters.status { query.filter(\.$status == status) }
        if let country = filters.country { query.filter(\.$country == country) }
        if let code = filters.code {
            query.filter(\.$code == code.description)
        } else if let words = filters.words {
            // Host handlers only see their organisation's cases: narrow the index scan to it.
            let organisations = CasePolicy.isHandler(actor) ? [actor.organisationID] : nil
            let ids = try await CaseQueries.matchingNames(words, organisations: organisations, vault: request.application.vault, on: request.db)
            query.filter(\.$id ~~ ids)
        }
        let total = try await query.copy().count()
        let page = try await query.sort(\.$updatedAt, .descending).sort(\.$code).range(filters.page.range).all()
        return CaseList(total: total, page: filters.page.number, limit: filters.page.size, items: try page.map(CaseSummary.init))
    }

    /// `GET /api/v1/cases/{id}` — one case file, as much of it as `CasePolicy` lets the account
    /// see (a partner's limited view has no sensitive fields and no contacts). The read is audited.
    @Sendable static func show(_ request: Request) async throws -> CaseDetail {
        let actor = try request.actor()
        let (record, access) = try await CaseQueries.authorized(try request.requireUUID("id"), for: actor, .viewCase, on: request.db)
        let caseID = try record.requireID(), organisation = record.organisationID
        let now = request.application.clock.now()
        // Reading a case file is an access to personal data: logged before anything is opened.
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: organisation, action: "case.read",
                                                 objectType: "case", objectID: SiteURL.id(caseID), details: ["via": "api"]), at: now, on: db)
        }
        return try await CaseDetail(record, access: access, actor: actor, on: request.db, vault: request.application.vault)
    }

    // MARK: Writing

    /// `POST /api/v1/cases` — opens a case led by the account (a handler of a host or consortium
    /// member); 201 with the case. 422 names each invalid field; 409 when the alert cannot be used.
    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        guard CasePolicy.evaluate(actor, .createCase, nil).isAllowed else {
            throw ProblemError(status: .forbidden, detail: "Only protection officers and coordinators of a host or consortium-member organisation open cases.")
        }
        let opening = try OpenInput.validated(try decode(OpenInput.self, request))
        let caseID: UUID
        do {
            caseID = try await refusing { try await CaseWorkflow.open(opening, by: actor, app: request.application) }
        } catch let abort as any AbortError where abort.status == .notFound && opening.alertID != nil {
            throw invalid([.init(field: "alertId", detail: "No alert of your organisation has this id.")])
        }
        guard let record = try await CaseRecord.find(caseID, on: request.db) else { throw Abort(.internalServerError) }
        let access = try await CaseQueries.access(record, on: request.db)
        return try await CaseDetail(record, access: access, actor: actor, on: request.db, vault: request.application.vault)
            .encodeResponse(status: .created, for: request)
    }

    /// `POST /api/v1/cases/{id}/assessments` — a new version of the risk assessment; 201 with the
    /// computed level (and its working) beside the officer's judged level.
    @Sendable static func assess(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let (record, _) = try await CaseQueries.authorized(try request.requireUUID("id"), for: actor, .assessRisk, on: request.db)
        let caseID = try record.requireID()
        let input = try decode(AssessmentInput.self, request)
        let previous = try await CaseItemRecord.query(on: request.db).filter(\.$caseID == caseID).filter(\.$kind == .assessment).count()
        let valid = try input.validated(today: today(request), firstVersion: previous == 0)
        let assessed = try await refusing {
            try await CaseWorkflow.assess(caseID, valid.assessment, judged: valid.judged, nextReview: valid.nextReview, by: actor, app: request.application)
        }
        return try await AssessmentResult(version: assessed.version, computed: Computed(assessed.score), judgedLevel: Level(valid.judged))
            .encodeResponse(status: .created, for: request)
    }

    /// `POST /api/v1/cases/{id}/follow-ups` — schedules a follow-up `{due, purpose}`; 201 with it.
    @Sendable static func scheduleFollowUp(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let (record, _) = try await CaseQueries.authorized(try request.requireUUID("id"), for: actor, .addFollowUp, on: request.db)
        let caseID = try record.requireID()
        let input = try decode(FollowUpInput.self, request)
        var check = Check()
        let due = check.day(input.due, "due", required: true, notBefore: today(request))
        let purpose = check.text(input.purpose, "purpose", required: true, max: 2_000)
        try check.done()
        guard let due, let purpose else { throw invalid([]) }
        let itemID = try await refusing {
            try await CaseWorkflow.scheduleFollowUp(caseID, due: due, purpose: purpose, assignee: nil, by: actor, app: request.application)
        }
        guard let item = try await CaseItemRecord.find(itemID, on: request.db) else { throw Abort(.internalServerError) }
        return try await FollowUp(item, vault: request.application.vault).encodeResponse(status: .created, for: request)
    }

    // MARK: Problems

    static func invalid(_ errors: [Problem.FieldError]) -> ProblemError { ProblemError.invalid(errors) }

    /// The JSON body as `T`; a field of the wrong type is named (`threats[0].likelihood`).
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) throws -> T { try APIBody.decode(type, request) }

    /// Runs a workflow step, turning its refusals into problems with a plain English detail.
    @discardableResult
    static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as Refusal {
            switch refusal.key {
            case "case.refused.country":
                throw invalid([.init(field: "country", detail: "Cases cannot be numbered for this country code.")])
            case "case.refused.alertNotVerified":
                throw ProblemError(status: .conflict, detail: "The alert must be verified, and not yet linked to a case, before a case is opened from it.",
                                   errors: [.init(field: "alertId", detail: "The alert is not verified or already linked to a case.")])
            case "case.refused.closed":
                throw ProblemError(status: .conflict, detail: "The case is closed: reopen it before recording anything new.")
            default:
                throw ProblemError(status: .conflict, detail: "The case's protocol does not allow this change now (\(refusal.key)).")
            }
        }
    }

    /// Midnight UTC today, on the instance's clock (dates in bodies are `YYYY-MM-DD`, UTC).
    static func today(_ request: Request) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.startOfDay(for: request.application.clock.now())
    }

    /// Collects the invalid fields of a body, each with an English detail.
    struct Check {
        var errors: [Problem.FieldError] = []

        mutating func fail(_ field: String, _ detail: String) { errors.append(.init(field: field, detail: detail)) }

        /// The text cleaned by `TextInput`; `nil` when empty (a problem if `required`), too long, or
        /// carrying characters its `kind` refuses.
        mutating func text(_ value: String?, _ field: String, required: Bool, max: Int, kind: TextInput.Kind = .text) -> String? {
            switch TextInput.clean(value, kind, max: max) {
            case .success(let text?):
                return text
            case .success(nil):
                if required { fail(field, "is required.") }
                return nil
            case .failure(let problem):
                fail(field, TextInput.detail(problem, max: max))
                return nil
            }
        }

        /// A `YYYY-MM-DD` day (midnight UTC), not before `notBefore`.
        mutating func day(_ value: String?, _ field: String, required: Bool, notBefore: Date) -> Date? {
            guard let value = text(value, field, required: required, max: 10) else { return nil }
            guard let day = Day.parse(value) else { fail(field, "must be a date written YYYY-MM-DD."); return nil }
            guard day >= notBefore else { fail(field, "must be today or later."); return nil }
            return day
        }

        /// A value among `allowed` (raw values), or a problem listing them.
        mutating func choice<T: RawRepresentable & CaseIterable>(_ value: String?, _ field: String, required: Bool, _ type: T.Type) -> T?
        where T.RawValue == String {
            guard let value, !value.isEmpty else {
                if required { fail(field, "is required.") }
                return nil
            }
            guard let chosen = T(rawValue: value) else {
                fail(field, "must be one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
                return nil
            }
            return chosen
        }

        /// An integer from 1 to 5 (likelihood, impact, weight).
        mutating func scale(_ value: Int?, _ field: String) -> Int {
            guard let value else { fail(field, "is required."); return 1 }
            if !RiskScoring.scale.contains(value) { fail(field, "must be between 1 and 5.") }
            return value
        }

        func done() throws { if !errors.isEmpty { throw CasesAPIController.invalid(errors) } }
    }
}

// MARK: - Inputs

extension CasesAPIController {
    /// The list's query string.
    struct ListFilters {
        var status: CaseStatus?
        var country: String?
        var code: CaseCode?
        var words: String?
        var page = ListPage(size: CasesAPIController.defaultLimit)

        init(_ request: Request) throws {
            let get = { (key: String) in (try? request.query.get(String.self, at: key)).flatMap { $0.isEmpty ? nil : $0 } }
            var check = Check()
            status = check.choice(get("status"), "status", required: false, CaseStatus.self)
            if let raw = get("country") {
                if Countries.isValid(raw) && raw.count == 2 { country = raw.uppercased() } else { check.fail("country", "must be an ISO 3166-1 alpha-2 country code.") }
            }
            if let q = get("q")?.trimmedWhitespace, !q.isEmpty {
                if let parsed = CaseCode(parsing: q) { code = parsed } else { words = q }
            }
            var number = 0, limit = CasesAPIController.defaultLimit
            for (field, range) in [("page", 0...ListPage.maximumNumber), ("limit", 1...CasesAPIController.maximumLimit)] {
                switch ListPage.bounded(get(field), in: range) {
                case .success(let value?): if field == "page" { number = value } else { limit = value }
                case .success(nil): break
                case .failure(let problem): check.fail(field, QueryParameterError(field: field, problem: problem).detail)
                }
            }
            page = ListPage(number: number, size: limit)
            try check.done()
        }
    }

    /// `POST /api/v1/cases`: every field optional at decoding, so a missing one is named in the 422.
    struct OpenInput: Content {
        struct Defender: Content {
            var name: String?
            var aliases: String?
            var dateOfBirth: String?
            var contacts: String?
            var address: String?
        }

        var country: String?
        var region: String?
        var summary: String?
        var fieldOfWork: String?
        var alertId: String?
        var defender: Defender?

        static func validated(_ input: OpenInput) throws -> CaseWorkflow.Opening {
            var check = Check()
            var country: String?
            if let raw = check.text(input.country, "country", required: true, max: 100) {
                if raw.count == 2, Countries.isValid(raw), Countries.alpha3(raw) != nil { country = raw.uppercased() } else {
                    check.fail("country", "must be an ISO 3166-1 alpha-2 country code.")
                }
            }
            let region = check.text(input.region, "region", required: false, max: 200)
            let summary = check.text(input.summary, "summary", required: true, max: 20_000)
            let field = check.choice(input.fieldOfWork, "fieldOfWork", required: false, FieldOfWork.self)
            var alertID: UUID?
            if let raw = input.alertId, !raw.isEmpty {
                alertID = UUID(uuidString: raw)
                if alertID == nil { check.fail("alertId", "must be an alert id (a UUID).") }
            }
            var defender: CaseContent.Identity?
            if let given = input.defender {
                let name = check.text(given.name, "defender.name", required: true, max: 300, kind: .name)
                let identity = CaseContent.Identity(
                    name: name ?? "", aliases: check.text(given.aliases, "defender.aliases", required: false, max: 500, kind: .name),
                    dateOfBirth: check.text(given.dateOfBirth, "defender.dateOfBirth", required: false, max: 40),
                    contacts: check.text(given.contacts, "defender.contacts", required: false, max: 2_000),
                    address: check.text(given.address, "defender.address", required: false, max: 2_000), notes: nil)
                if name != nil { defender = identity }
            }
            try check.done()
            return CaseWorkflow.Opening(country: country ?? "", region: region, summary: summary ?? "", fieldOfWork: field,
                                        alertID: alertID, defender: defender)
        }
    }

    /// `POST /api/v1/cases/{id}/assessments`.
    struct AssessmentInput: Content {
        struct Threat: Content { var actor: String?; var space: String?; var description: String?; var likelihood: Int?; var impact: Int? }
        struct Factor: Content { var description: String?; var weight: Int? }

        var threats: [Threat]?
        var vulnerabilities: [Factor]?
        var capacities: [Factor]?
        var judgedLevel: String?
        var justification: String?
        var nextReview: String?
        var trigger: String?

        static let triggers = ["initial", "scheduled", "new_threat", "change"]
        static let maximumItems = 50

        struct Valid { var assessment: CaseContent.Assessment; var judged: RiskLevel; var nextReview: Date? }

        func validated(today: Date, firstVersion: Bool) throws -> Valid {
            var check = Check()
            var threats: [CaseContent.Threat] = []
            for (index, threat) in (self.threats ?? []).enumerated() {
                let at = "threats[\(index)]"
                let actor = check.choice(threat.actor, "\(at).actor", required: true, ThreatActorType.self)
                let space = check.choice(threat.space, "\(at).space", required: true, ThreatSpace.self)
                let description = check.text(threat.description, "\(at).description", required: true, max: 5_000)
                let likelihood = check.scale(threat.likelihood, "\(at).likelihood"), impact = check.scale(threat.impact, "\(at).impact")
                if let actor, let space, let description {
                    threats.append(.init(actor: actor, space: space, description: description, likelihood: likelihood, impact: impact))
                }
            }
            func factors(_ list: [Factor]?, _ name: String) -> [CaseContent.Factor] {
                (list ?? []).enumerated().compactMap { index, factor in
                    let description = check.text(factor.description, "\(name)[\(index)].description", required: true, max: 2_000)
                    let weight = check.scale(factor.weight, "\(name)[\(index)].weight")
                    return description.map { CaseContent.Factor(description: $0, weight: weight) }
                }
            }
            let vulnerabilities = factors(self.vulnerabilities, "vulnerabilities"), capacities = factors(self.capacities, "capacities")
            for (name, count) in [("threats", self.threats?.count), ("vulnerabilities", self.vulnerabilities?.count), ("capacities", self.capacities?.count)]
            where (count ?? 0) > Self.maximumItems {
                check.fail(name, "must list at most \(Self.maximumItems) items.")
            }
            let judged = check.choice(judgedLevel, "judgedLevel", required: true, RiskLevel.self)
            let justification = check.text(self.justification, "justification", required: true, max: 20_000)
            let nextReview = check.day(self.nextReview, "nextReview", required: false, notBefore: today)
            var trigger = firstVersion ? "initial" : "scheduled"
            if let given = self.trigger, !given.isEmpty {
                if Self.triggers.contains(given) { trigger = given } else { check.fail("trigger", "must be one of: \(Self.triggers.joined(separator: ", ")).") }
            }
            try check.done()
            guard let judged, let justification else { throw CasesAPIController.invalid([]) }
            return Valid(assessment: .init(threats: threats, vulnerabilities: vulnerabilities, capacities: capacities,
                                           justification: justification, trigger: trigger),
                         judged: judged, nextReview: nextReview)
        }
    }

    /// `POST /api/v1/cases/{id}/follow-ups`.
    struct FollowUpInput: Content {
        var due: String?
        var purpose: String?
    }
}
