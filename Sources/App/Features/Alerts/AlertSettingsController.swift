import EgideCore
import Fluent
import Vapor

/// Host administrators: response deadlines, the verification rule and the category taxonomy.
enum AlertSettingsController {
    struct CategoryRow: Encodable {
        var code: String
        var labelEN: String
        var labelFR: String
        var labelAR: String
        var active: Bool
        var action: String
    }

    struct Context: Encodable {
        var problems: [FieldProblem]
        var saved: Bool
        var hours: [HourField]
        var independent: Int
        var credibilities: [SelectOption]
        var reliabilities: [SelectOption]
        var categories: [CategoryRow]
        var action: String
        var categoryAction: String
    }

    struct HourField: Encodable { var name: String; var label: String; var value: Int }

    @Sendable static func show(_ request: Request) async throws -> Response {
        try request.authorize(AlertPolicy.evaluate(try request.actor(), .configureAlerts))
        let settings = try await AlertSettingsRecord.current(on: request.db)
        return try await render(request, deadlines: settings.deadlines, rule: settings.rule, problems: [])
    }

    static func render(_ request: Request, deadlines: ResponseDeadlines, rule: VerificationRule, problems: [FieldProblem]) async throws -> Response {
        let categories = try await AlertQueries.categories(on: request.db, includeInactive: true)
        let context = Context(
            problems: problems, saved: (try? request.query.get(String.self, at: "saved")) != nil,
            hours: Urgency.allCases.map { HourField(name: $0.rawValue, label: request.t($0.labelKey), value: deadlines.hours(for: $0)) },
            independent: rule.independentFindings,
            credibilities: InformationCredibility.allCases.map {
                SelectOption(value: String($0.rawValue), label: String($0.rawValue) + " — " + request.t($0.labelKey), selected: $0 == rule.credibleAtMost)
            },
            reliabilities: [SelectOption(value: "", label: request.t("alert.settings.single.never"), selected: rule.singleSourceReliabilityAtMost == nil)]
                + SourceReliability.allCases.map {
                    SelectOption(value: $0.rawValue, label: $0.rawValue + " — " + request.t($0.labelKey), selected: $0 == rule.singleSourceReliabilityAtMost)
                },
            categories: try categories.map { CategoryRow(code: $0.code, labelEN: $0.labelEN, labelFR: $0.labelFR, labelAR: $0.labelAR ?? "", active: $0.active,
                                                         action: SiteURL.alertCategory(try $0.requireID()).href) },
            action: SiteURL.alertSettings.href, categoryAction: SiteURL.alertCategories.href)
        return try await request.render(.alertSettings, titleKey: "alert.settings.title", context,
                                        status: problems.isEmpty ? .ok : .unprocessableEntity, forms: true)
    }

    @Sendable static func save(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .configureAlerts))
        var form = FormChecker(request)
        var hours: [Urgency: Int] = [:]
        for urgency in Urgency.allCases {
            if let value = form.text(urgency.rawValue, max: 6) {
                if let number = Int(value) { hours[urgency] = number } else { form.fail(urgency.rawValue, "alert.settings.deadline.range") }
            }
        }
        let deadlines = ResponseDeadlines(hours: hours)
        if form.isValid { for (urgency, key) in deadlines.problems.sorted(by: { $0.key < $1.key }) { form.fail(urgency.rawValue, key) } }
        let independent = form.text("independent", max: 2).flatMap(Int.init)
        let credible = form.text("credible", max: 1).flatMap(Int.init).flatMap(InformationCredibility.init(rawValue:))
        if credible == nil, form.isValid { form.fail("credible", "alert.form.choice.invalid") }
        let singleRaw = form.text("single", required: false, max: 1)
        let single = singleRaw.flatMap(SourceReliability.init(rawValue:))
        if singleRaw != nil && single == nil { form.fail("single", "alert.form.choice.invalid") }
        let rule = VerificationRule(independentFindings: independent ?? 0, credibleAtMost: credible ?? .probablyTrue,
                                    singleSourceReliabilityAtMost: single)
        if !rule.isValid { form.fail("independent", "alert.settings.rule.range") }
        guard form.isValid else { return try await render(request, deadlines: deadlines, rule: rule, problems: form.problems) }
        let now = request.application.clock.now()
        try await request.transaction { db in
            let settings = try await AlertSettingsRecord.current(on: db)
            settings.apply(deadlines, rule)
            settings.updatedAt = now
            try await settings.save(on: db)
            var details = Dictionary(uniqueKeysWithValues: Urgency.allCases.map { ($0.rawValue + "_hours", String(deadlines.hours(for: $0))) })
            details["rule"] = "\(rule.independentFindings)x<=\(rule.credibleAtMost.rawValue) single<=\(rule.singleSourceReliabilityAtMost?.rawValue ?? "-")"
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "alert.settings.update",
                                                 objectType: "alert_settings", objectID: nil, details: details), at: now, on: db)
        }
        return request.redirect(to: SiteURL.alertSettings.href + "?saved=1")
    }

    @Sendable static func addCategory(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .configureAlerts))
        var form = FormChecker(request)
        let code = form.text("code", max: 40)?.lowercased()
        if let code, !AlertCategories.isValidCode(code) { form.fail("code", "alert.settings.category.codeInvalid") }
        let en = form.text("labelEN", max: 120)
        let fr = form.text("labelFR", max: 120)
        let ar = form.text("labelAR", required: false, max: 120)
        if let code, form.isValid, try await AlertCategoryRecord.query(on: request.db).filter(\.$code == code).count() > 0 {
            form.fail("code", "alert.settings.category.taken")
        }
        guard form.isValid, let code, let en, let fr else {
            let settings = try await AlertSettingsRecord.current(on: request.db)
            return try await render(request, deadlines: settings.deadlines, rule: settings.rule, problems: form.problems)
        }
        let now = request.application.clock.now()
        try await request.transaction { db in
            let position = (try await AlertCategoryRecord.query(on: db).max(\.$position) ?? 0) + 1
            let category = AlertCategoryRecord(code: code, labelEN: en, labelFR: fr, position: position)
            category.labelAR = ar
            try await category.create(on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "alert.category.create",
                                                 objectType: "alert_category", objectID: code), at: now, on: db)
            try await ChangeCounters.bump(.categories, on: db)
        }
        request.application.categoriesChanged()
        return request.redirect(to: SiteURL.alertSettings.href + "?saved=1")
    }

    @Sendable static func updateCategory(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .configureAlerts))
        guard let category = try await AlertCategoryRecord.find(try request.requireUUID("id"), on: request.db) else { throw Abort(.notFound) }
        var form = FormChecker(request)
        let en = form.text("labelEN", max: 120)
        let fr = form.text("labelFR", max: 120)
        let ar = form.text("labelAR", required: false, max: 120)
        let active = (try? request.content.get(String.self, at: "active")) == "yes"
        guard form.isValid, let en, let fr else {
            let settings = try await AlertSettingsRecord.current(on: request.db)
            return try await render(request, deadlines: settings.deadlines, rule: settings.rule, problems: form.problems)
        }
        let now = request.application.clock.now()
        try await request.transaction { db in
            category.labelEN = en
            category.labelFR = fr
            category.labelAR = ar
            category.active = active
            try await category.save(on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "alert.category.update",
                                                 objectType: "alert_category", objectID: category.code, details: ["active": String(active)]),
                                           at: now, on: db)
            try await ChangeCounters.bump(.categories, on: db)
        }
        request.application.categoriesChanged()
        return request.redirect(to: SiteURL.alertSettings.href + "?saved=1")
    }
}
