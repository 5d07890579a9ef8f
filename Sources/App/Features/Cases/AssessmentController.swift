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
        var form = FormChecker(request)
        func field(_ name: String) -> String? {
            (try? request.content.get(String.self, at: name))?.trimmedWhitespace.nonEmpty
        }
        var threats: [CaseContent.Threat] = []
        for index in 0..<40 {
            let description = form.text("threat_description_\(index)", required: false, max: 2_000)
            let actorType = field("threat_actor_\(index)"), space = field("threat_space_\(index)")
            let likelihood = field("threat_likelihood_\(index)"), impact = field("threat_impact_\(index)")
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
            guard let impact = impact.flatMap(Int.init), (1...5).contains(impact) else { form.fail("threat_impact_\(index)", "case.risk.error.threat_impact"); continue }
            threats.append(.init(actor: actorType.flatMap(ThreatActorType.init(rawValue:)) ?? .unknown,
                                 space: space.flatMap(ThreatSpace.init(rawValue:)) ?? .offline,
                                 description: description, likelihood: likelihood, impact: impact))
        }
        func factors(_ prefix: String, _ errorKey: String) -> [CaseContent.Factor] {
            var result: [CaseContent.Factor] = []
            for index in 0..<40 {
                let description = form.text("\(prefix)_description_\(index)", required: false, max: 2_000)
                guard let description else { continue }
                guard let weight = field("\(prefix)_weight_\(index)").flatMap(Int.init), (1...5).contains(weight) else {
                    form.fail("\(prefix)_weight_\(index)", errorKey); continue
                }
                result.append(.init(description: description, weight: weight))
            }
            return result
        }
        let vulnerabilities = factors("vulnerability", "case.risk.error.vulnerability")
        let capacities = factors("capacity", "case.risk.error.capacity")
        let judged = field("judgedLevel").flatMap(RiskLevel.init(rawValue:))
        if judged == nil { form.fail("judgedLevel", "case.form.judgedLevel") }
        let justification = form.text("justification", max: 10_000)
        let trigger = field("trigger").flatMap { ["initial", "scheduled", "new_threat", "change"].contains($0) ? $0 : nil } ?? "change"
        let reviewText = field("nextReview")
        var nextReview: Date?
        if let reviewText {
            nextReview = Day.parse(reviewText)
            if nextReview == nil { form.fail("nextReview", "case.form.date") }
        }
        let draft = CaseContent.Assessment(threats: threats, vulnerabilities: vulnerabilities, capacities: capacities,
                                           justification: justification ?? "", trigger: trigger)
        guard form.isValid, let judged, justification != nil else {
            return try await render(request, record: record, draft: draft, judged: judged, nextReview: reviewText ?? "", problems: form.problems)
        }
        do {
            try await CaseWorkflow.assess(id, draft, judged: judged, nextReview: nextReview, by: actor, app: request.application)
        } catch let refusal as Refusal {
            return try await render(request, record: record, draft: draft, judged: judged, nextReview: reviewText ?? "",
                                    problems: [FieldProblem(field: "judgedLevel", message: request.t(refusal.key))])
        }
        return request.redirect(to: SiteURL.caseFile(id).href + "#risk", flash: "flash.case.assessed")
    }
}

