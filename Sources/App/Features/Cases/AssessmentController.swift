import EgideCore
import Fluent
import Vapor

/// The risk assessment form: threats, vulnerabilities and capacities (prefilled from the previous
/// version, with blank rows to add more — no JavaScript needed), the officer's judged level and
/// its justification, and the next review. The computed level is shown once saved.
enum AssessmentController {
    /// Blank rows offered after the filled ones (a form without JavaScript cannot add rows).
    static let blankThreats = 3, blankFactors = 2

    struct ThreatRow: Encodable { var index: Int; var number: Int; var actors: [SelectOption]; var spaces: [SelectOption]; var description: String; var likelihood: [SelectOption]; var impact: [SelectOption] }
    struct FactorRow: Encodable { var index: Int; var number: Int; var description: String; var weights: [SelectOption] }

    struct FormContext: Encodable {
        var code: String
        var caseHref: String
        var action: String
        var problems: [FieldProblem]
        var threats: [ThreatRow]
        var vulnerabilities: [FactorRow]
        var capacities: [FactorRow]
        var levels: [SelectOption]
        var triggers: [SelectOption]
        var justification: String
        var nextReview: String
        var previous: String?
    }

    static func scale(_ selected: Int?) -> [SelectOption] {
        (1...5).map { SelectOption(value: String($0), label: String($0), selected: $0 == selected) }
    }

    static func render(_ request: Request, record: CaseRecord, draft: CaseContent.Assessment, judged: RiskLevel?, nextReview: String,
                       problems: [FieldProblem]) async throws -> Response {
        let id = try record.requireID()
        func threatRow(_ index: Int, _ threat: CaseContent.Threat?) -> ThreatRow {
            ThreatRow(index: index, number: index + 1,
                      actors: ThreatActorType.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == threat?.actor) },
                      spaces: ThreatSpace.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == threat?.space) },
                      description: threat?.description ?? "", likelihood: scale(threat?.likelihood), impact: scale(threat?.impact))
        }
        func factorRows(_ factors: [CaseContent.Factor]) -> [FactorRow] {
            (0..<max(3, factors.count + blankFactors)).map { index in
                let factor = index < factors.count ? factors[index] : nil
                return FactorRow(index: index, number: index + 1, description: factor?.description ?? "", weights: scale(factor?.weight))
            }
        }
        let previous = record.judgedLevel.flatMap(RiskLevel.init(value:)).map { request.t($0.labelKey) }
        let context = FormContext(
            code: record.code, caseHref: SiteURL.caseFile(id).href, action: SiteURL.caseAction(id, .assessments).href, problems: problems,
            threats: (0..<max(4, draft.threats.count + blankThreats)).map { threatRow($0, $0 < draft.threats.count ? draft.threats[$0] : nil) },
            vulnerabilities: factorRows(draft.vulnerabilities), capacities: factorRows(draft.capacities),
            levels: RiskLevel.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == judged) },
            triggers: ["initial", "scheduled", "new_threat", "change"].map {
                SelectOption(value: $0, label: request.t("case.assessment.trigger.\($0)"), selected: $0 == draft.trigger)
            },
            justification: draft.justification, nextReview: nextReview, previous: previous)
        return try await request.render(.caseAssessment, titleKey: "case.assessment.title", context,
                                        status: problems.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable static func new(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let (record, _) = try await CaseQueries.authorized(try request.requireUUID("id"), for: actor, .assessRisk, on: request.db)
        // The previous version is the starting point: risk changes, it rarely starts from nothing.
        var draft = CaseContent.Assessment(threats: [], vulnerabilities: [], capacities: [], justification: "", trigger: "initial")
        if let last = try await CaseQueries.items(of: record.requireID(), kind: .assessment, on: request.db).last {
            draft = try CaseWorkflow.content(CaseContent.Assessment.self, of: last, vault: request.application.vault)
            draft.justification = ""
            draft.trigger = record.nextReviewAt.map { $0 <= request.application.clock.now() } == true ? "scheduled" : "change"
        }
        return try await render(request, record: record, draft: draft, judged: nil, nextReview: "", problems: [])
    }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        let (record, _) = try await CaseQueries.authorized(id, for: actor, .assessRisk, on: request.db)
        let posted = AssessmentForm(request)
        guard posted.form.isValid, let judged = posted.judged, posted.justification != nil else {
            return try await render(request, record: record, draft: posted.draft, judged: posted.judged, nextReview: posted.reviewText ?? "",
                                    problems: posted.form.problems)
        }
        do {
            try await CaseWorkflow.assess(id, posted.draft, judged: judged, nextReview: posted.nextReview, by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, record: record, draft: posted.draft, judged: judged, nextReview: posted.reviewText ?? "",
                                    problems: [FieldProblem(field: "judgedLevel", message: request.t(refusal.key))])
        }
        return request.redirect(to: SiteURL.caseFile(id).href + "#risk", flash: "flash.case.assessed")
    }
}

/// The assessment form as posted: up to 40 threats, vulnerabilities and capacities (a row counts
/// when any of its fields is filled), the judged level and its justification, the next review.
struct AssessmentForm {
    var form: FormChecker
    var draft: CaseContent.Assessment
    var judged: RiskLevel?
    var justification: String?
    var reviewText: String?
    var nextReview: Date?

    init(_ request: Request) {
        var form = FormChecker(request)
        let threats = Self.threats(request, &form)
        let vulnerabilities = Self.factors("vulnerability", "case.risk.error.vulnerability", request, &form)
        let capacities = Self.factors("capacity", "case.risk.error.capacity", request, &form)
        judged = Self.field("judgedLevel", request).flatMap(RiskLevel.init(rawValue:))
        if judged == nil { form.fail("judgedLevel", "case.form.judgedLevel") }
        justification = form.text("justification", max: 10_000)
        let trigger = Self.field("trigger", request).flatMap { ["initial", "scheduled", "new_threat", "change"].contains($0) ? $0 : nil } ?? "change"
        reviewText = Self.field("nextReview", request)
        if let reviewText {
            nextReview = Day.parse(reviewText)
            if nextReview == nil { form.fail("nextReview", "case.form.date") }
        }
        draft = CaseContent.Assessment(threats: threats, vulnerabilities: vulnerabilities, capacities: capacities,
                                       justification: justification ?? "", trigger: trigger)
        self.form = form
    }

    static func field(_ name: String, _ request: Request) -> String? {
        (try? request.content.get(String.self, at: name))?.trimmedWhitespace.nonEmpty
    }

    static func threats(_ request: Request, _ form: inout FormChecker) -> [CaseContent.Threat] {
        var threats: [CaseContent.Threat] = []
        for index in 0..<40 {
            let description = form.text("threat_description_\(index)", required: false, max: 2_000)
            let actorType = field("threat_actor_\(index)", request), space = field("threat_space_\(index)", request)
            let likelihood = field("threat_likelihood_\(index)", request), impact = field("threat_impact_\(index)", request)
            guard description != nil || likelihood != nil || impact != nil else { continue }
            guard let description else {
                // Unless the text itself was refused (too long, control characters), it is missing.
                if !form.problems.contains(where: { $0.field == "threat_description_\(index)" }) {
                    form.fail("threat_description_\(index)", "case.form.threatDescription")
                }
                continue
            }
            guard let likelihood = likelihood.flatMap(Int.init), (1...5).contains(likelihood) else {
                form.fail("threat_likelihood_\(index)", "case.risk.error.threat_likelihood"); continue
            }
            guard let impact = impact.flatMap(Int.init), (1...5).contains(impact) else {
                form.fail("threat_impact_\(index)", "case.risk.error.threat_impact"); continue
            }
            threats.append(.init(actor: actorType.flatMap(ThreatActorType.init(rawValue:)) ?? .unknown,
                                 space: space.flatMap(ThreatSpace.init(rawValue:)) ?? .offline,
                                 description: description, likelihood: likelihood, impact: impact))
        }
        return threats
    }

    static func factors(_ prefix: String, _ errorKey: String, _ request: Request, _ form: inout FormChecker) -> [CaseContent.Factor] {
        var result: [CaseContent.Factor] = []
        for index in 0..<40 {
            guard let description = form.text("\(prefix)_description_\(index)", required: false, max: 2_000) else { continue }
            guard let weight = field("\(prefix)_weight_\(index)", request).flatMap(Int.init), (1...5).contains(weight) else {
                form.fail("\(prefix)_weight_\(index)", errorKey); continue
            }
            result.append(.init(description: description, weight: weight))
        }
        return result
    }
}
