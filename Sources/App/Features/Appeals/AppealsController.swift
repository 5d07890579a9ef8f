import EgideCore
import Fluent
import Vapor

/// The appeals pages: the list, a new document (from a case file, or as a follow-up), a
/// document's page per language, its text's editor, each step, consents, targets and replies,
/// and the organisation's reference pattern.
enum AppealsController {
    @Sendable static func list(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .view, nil))
        return try await request.render(.appealList, titleKey: "appeal.list.title", try await AppealListPage.build(for: actor, on: request))
    }

    // MARK: Writing

    @Sendable static func new(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .write, nil))
        let caseID = (try? request.query.get(String.self, at: "case")).flatMap(UUID.init(uuidString:))
        let parentID = (try? request.query.get(String.self, at: "parent")).flatMap(UUID.init(uuidString:))
        var values = ["kind": AppealKind.urgentAppeal.rawValue, "language": request.language.rawValue]
        if let kind = (try? request.query.get(String.self, at: "kind")).flatMap(AppealKind.init(rawValue:)) { values["kind"] = kind.rawValue }
        return try await AppealFormPage.render(request, actor: actor, caseID: caseID, parentID: parentID, values: values, problems: [])
    }

    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .write, nil))
        let read = AppealFormPage.read(request)
        let caseID = read.values["case"].flatMap(UUID.init(uuidString:))
        let parentID = read.values["parent"].flatMap(UUID.init(uuidString:))
        // A case or an original named but unreadable is not silently dropped.
        if (read.values["case"] ?? "").isEmpty == false && caseID == nil || (read.values["parent"] ?? "").isEmpty == false && parentID == nil {
            throw Abort(.notFound)
        }
        guard var draft = read.draft else {
            return try await AppealFormPage.render(request, actor: actor, caseID: caseID, parentID: parentID, values: read.values, problems: read.problems,
                                                   status: .unprocessableEntity)
        }
        draft.caseIDs = caseID.map { [$0] } ?? []
        draft.parentID = parentID
        do {
            let id = try await AppealWorkflow.create(draft, by: actor, app: request.application)
            return request.redirect(to: SiteURL.appeal(id, language: draft.language).href, flash: "flash.appeal.created")
        } catch let refusal as Refusal {
            return try await AppealFormPage.render(request, actor: actor, caseID: caseID, parentID: parentID, values: read.values,
                                                   problems: [FieldProblem(field: "kind", message: request.t(refusal.key))], status: .conflict)
        }
    }

    /// The editor of one language version's text.
    @Sendable static func edit(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        try request.authorize(AppealPolicy.evaluate(actor, .write, AppealTarget(organisationID: appeal.organisationID)))
        let language = try requestedLanguage(request) ?? appeal.originalLanguage
        let id = try appeal.requireID()
        guard let version = try await AppealVersionRecord.query(on: request.db).filter(\.$appealID == id).filter(\.$language == language).first(),
              let text = try await AppealQueries.text(of: try version.requireID(), revision: version.revision, on: request.db, vault: request.application.vault)
        else { throw Abort(.notFound) }
        return try await AppealFormPage.renderEditor(request, appeal: appeal, version: version,
                                                     values: ["title": text.title, "body": text.body, "language": language.rawValue], problems: [])
    }

    @Sendable static func revise(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        let language = try requiredLanguage(request)
        let id = try appeal.requireID()
        var form = FormChecker(request)
        let title = form.text("title", max: 300, kind: .line)
        let body = form.text("body", max: 100_000)
        guard form.isValid, let title, let body else {
            guard let version = try await AppealVersionRecord.query(on: request.db).filter(\.$appealID == id).filter(\.$language == language).first() else {
                throw Abort(.notFound)
            }
            let values = ["title": (try? request.content.get(String.self, at: "title")) ?? "", "body": (try? request.content.get(String.self, at: "body")) ?? "",
                          "language": language.rawValue]
            return try await AppealFormPage.renderEditor(request, appeal: appeal, version: version, values: values, problems: form.problems,
                                                         status: .unprocessableEntity)
        }
        return try await perform(request, appeal, language: language, field: "body", done: "flash.appeal.revised") { actor in
            try await AppealWorkflow.revise(id, language, AppealText(title: title, body: body), by: actor, app: request.application)
        }
    }

    /// A new language version (a translation), started from the template of its language.
    @Sendable static func addVersion(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        let language = try requiredLanguage(request)
        let id = try appeal.requireID()
        let original = try await AppealQueries.versions(of: id, on: request.db).first { $0.language == appeal.originalLanguage }
        let title = try await original.asyncFlatMap {
            try await AppealQueries.text(of: try $0.requireID(), revision: $0.revision, on: request.db, vault: request.application.vault)?.title
        } ?? ""
        let text = AppealText(title: title, body: request.application.appealTemplates.body(appeal.kind, language))
        return try await perform(request, appeal, language: language, field: "language", done: "flash.appeal.versionAdded", showing: language) { actor in
            try await AppealWorkflow.addVersion(id, language, text, by: actor, app: request.application)
        }
    }

    // MARK: Steps

    static func step(_ step: AppealStep, done: String) -> @Sendable (Request) async throws -> Response {
        { request in
            let actor = try request.actor()
            let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
            let language = try requiredLanguage(request)
            let id = try appeal.requireID()
            return try await perform(request, appeal, language: language, field: "steps", done: done) { actor in
                let app = request.application
                switch step {
                case .submit: try await AppealWorkflow.submit(id, language, by: actor, app: app)
                case .returnToDraft:
                    var form = FormChecker(request)
                    let comment = form.text("comment", required: false, max: 10_000)
                    guard form.isValid else { throw FormProblems(problems: form.problems) }
                    try await AppealWorkflow.returnToDraft(id, language, comment: comment, by: actor, app: app)
                case .approve:
                    // The revision the approver read: approving what changed since is refused.
                    guard let read = (try? request.content.get(Int.self, at: "revision")) else { throw Abort(.badRequest, reason: "The form names no revision.") }
                    try await AppealWorkflow.approve(id, language, read: read, by: actor, app: app)
                case .publish, .withdraw: try await AppealWorkflow.publish(id, language, by: actor, app: app)
                case .close: try await AppealWorkflow.close(id, language, by: actor, app: app)
                case .revise: throw Abort(.notFound)
                }
            }
        }
    }

    @Sendable static func comment(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        let language = try requiredLanguage(request)
        return try await perform(request, appeal, language: language, field: "comment", done: "flash.appeal.commented") { actor in
            var form = FormChecker(request)
            let body = form.text("comment", max: 10_000)
            guard form.isValid, let body else { throw FormProblems(problems: form.problems) }
            try await AppealWorkflow.comment(try appeal.requireID(), language, body, by: actor, app: request.application)
        }
    }

    @Sendable static func consent(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        return try await perform(request, appeal, language: try requestedLanguage(request), field: "person", done: "flash.appeal.consentRecorded") { actor in
            var form = FormChecker(request)
            let person = form.text("person", max: 40).flatMap(UUID.init(uuidString:))
            if person == nil { form.fail("person", "form.choice.invalid") }
            let channel = form.choice("channel", AppealChannel.self)
            let answer = form.choice("answer", ConsentAnswer.self)
            let note = form.text("note", required: false, max: 2000)
            guard form.isValid, let person, let channel, let answer else { throw FormProblems(problems: form.problems) }
            if let refusal = AppealSteps.refusal(kind: appeal.kind, channel: channel) { throw Refusal(key: refusal) }
            try await AppealWorkflow.recordConsent(try appeal.requireID(), person: person, channel: channel, granted: answer == .granted, note: note,
                                                   by: actor, app: request.application)
        }
    }

    enum ConsentAnswer: String { case granted, withdrawn }

    @Sendable static func linkCase(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        return try await perform(request, appeal, language: try requestedLanguage(request), field: "caseCode", done: "flash.appeal.caseLinked") { actor in
            var form = FormChecker(request)
            let code = form.text("caseCode", max: 40, kind: .line)
            guard form.isValid, let code else { throw FormProblems(problems: form.problems) }
            try await AppealWorkflow.linkCase(try appeal.requireID(), code: code, by: actor, app: request.application)
        }
    }

    @Sendable static func declareNoDefender(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        return try await perform(request, appeal, language: try requestedLanguage(request), field: "declaration", done: "flash.appeal.declared") { actor in
            try await AppealWorkflow.declareNoDefender(try appeal.requireID(), by: actor, app: request.application)
        }
    }

    /// Queues the mailing of the published version (sent in the background).
    @Sendable static func mail(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        let language = try requiredLanguage(request)
        return try await perform(request, appeal, language: language, field: "mailing", done: "flash.appeal.mailingQueued") { actor in
            try await AppealMailings.send(try appeal.requireID(), language, by: actor, app: request.application)
        }
    }

    @Sendable static func target(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        return try await perform(request, appeal, language: try requestedLanguage(request), field: "targetName", done: "flash.appeal.targetAdded") { actor in
            var form = FormChecker(request)
            let name = form.text("targetName", max: 300, kind: .name)
            let institution = form.text("institution", max: 300)
            let address = form.text("address", required: false, max: 2000)
            guard form.isValid, let name, let institution else { throw FormProblems(problems: form.problems) }
            try await AppealWorkflow.addTarget(try appeal.requireID(), name: name, institution: institution, address: address ?? "", by: actor, app: request.application)
        }
    }

    @Sendable static func reply(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        return try await perform(request, appeal, language: try requestedLanguage(request), field: "summary", done: "flash.appeal.replyRecorded") { actor in
            var form = FormChecker(request)
            let target = form.text("target", max: 40).flatMap(UUID.init(uuidString:))
            if target == nil { form.fail("target", "form.choice.invalid") }
            let received = form.text("receivedOn", max: 10)
            if let received, Day.parse(received) == nil { form.fail("receivedOn", "case.form.date") }
            let summary = form.text("summary", max: 20_000)
            guard form.isValid, let target, let received, let summary else { throw FormProblems(problems: form.problems) }
            try await AppealWorkflow.recordReply(try appeal.requireID(), target: target, receivedOn: received, summary: summary, by: actor, app: request.application)
        }
    }

    // MARK: The page

    @Sendable static func show(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let appeal = try await AppealQueries.appeal(try request.requireUUID("id"), for: actor, on: request.db)
        return try await render(request, appeal, actor: actor, language: try requestedLanguage(request), problems: [])
    }

    static func render(_ request: Request, _ appeal: AppealRecord, actor: Actor, language: AppealLanguage?, problems: [FieldProblem],
                       status: HTTPStatus = .ok) async throws -> Response {
        try request.authorize(AppealPolicy.evaluate(actor, .view, AppealTarget(organisationID: appeal.organisationID)))
        let read = try await AppealReader.read(appeal, for: actor, on: request.db, vault: request.application.vault)
        try await read.auditNames(by: actor, via: "web", on: request)
        let context = try await AppealPage.build(read, for: actor, language: language, problems: problems, on: request)
        return try await request.render(.appealShow, titleKey: "appeal.show.title", context, status: status, forms: true,
                                        title: [context.reference, context.title].compactMap { $0 }.joined(separator: " — "))
    }

    /// Runs one change; a refusal re-renders the document with the reason (409), a form problem
    /// with it (422); success returns to the document with a confirmation.
    static func perform(_ request: Request, _ appeal: AppealRecord, language: AppealLanguage?, field: String, done: String, showing: AppealLanguage? = nil,
                        _ body: (Actor) async throws -> Void) async throws -> Response {
        let actor = try request.actor()
        do {
            try await body(actor)
        } catch let refusal as Refusal {
            return try await render(request, appeal, actor: actor, language: language,
                                    problems: [FieldProblem(field: field, message: request.t(refusal.key))], status: .conflict)
        } catch let problems as FormProblems {
            return try await render(request, appeal, actor: actor, language: language, problems: problems.problems, status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.appeal(try appeal.requireID(), language: showing ?? language).href, flash: done)
    }

    /// `language` from the query or the form, if given (an unknown one is a missing page).
    static func requestedLanguage(_ request: Request) throws -> AppealLanguage? {
        let raw = (try? request.content.get(String.self, at: "language")) ?? (try? request.query.get(String.self, at: "language"))
        guard let raw, !raw.isEmpty else { return nil }
        guard let language = AppealLanguage(rawValue: raw) else { throw Abort(.notFound) }
        return language
    }

    /// A form about one language version names it; a form without one is malformed (400).
    static func requiredLanguage(_ request: Request) throws -> AppealLanguage {
        guard let language = try requestedLanguage(request) else { throw Abort(.badRequest, reason: "The form names no language version.") }
        return language
    }

    // MARK: Settings

    @Sendable static func settings(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .configure, nil))
        let pattern = try await AppealQueries.pattern(for: actor.organisationID, on: request.db)
        return try await renderSettings(request, pattern: pattern.text, problems: [])
    }

    static func renderSettings(_ request: Request, pattern: String, problems: [FieldProblem], status: HTTPStatus = .ok) async throws -> Response {
        let example = (try? ReferencePattern(pattern)).map {
            $0.format(.init(countryAlpha3: "TUN", countrySequence: 3, yearlySequence: 45, year: 2025, month: 7))
        }
        return try await request.render(.appealSettings, titleKey: "appeal.settings.title",
                                        AppealSettingsContext(pattern: pattern, example: example, problems: problems, listHref: SiteURL.appeals.href),
                                        status: status, forms: true)
    }

    struct AppealSettingsContext: Encodable {
        var pattern: String
        var example: String?
        var problems: [FieldProblem]
        var listHref: String
    }

    @Sendable static func saveSettings(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .configure, nil))
        let typed = (try? request.content.get(String.self, at: "pattern")) ?? ""
        do {
            try await AppealWorkflow.savePattern(try ReferencePattern(typed), by: actor, app: request.application)
        } catch let problem as ReferencePattern.Problem {
            return try await renderSettings(request, pattern: String(typed.prefix(200)),
                                            problems: [FieldProblem(field: "pattern", message: request.t(problem.labelKey))], status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.appealSettings.href, flash: "flash.appeal.settingsSaved")
    }
}

