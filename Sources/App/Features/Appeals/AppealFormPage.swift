import EgideCore
import Fluent
import Vapor

/// The form that starts a document, and the editor of a language version's text.
enum AppealFormPage {
    struct Context: Encodable {
        var problems: [FieldProblem]
        var action: String
        var templateAction: String
        var kinds: [SelectOption]
        var languages: [SelectOption]
        var countries: String
        var countryFixed: String?
        var themes: [SelectOption]
        var followUpKinds: [SelectOption]
        var caseCode: String?
        var caseID: String?
        var parentReference: String?
        var parentID: String?
        var values: [String: String]
        var dir: String
        var cancelHref: String
    }

    struct EditorContext: Encodable {
        var problems: [FieldProblem]
        var action: String
        var reference: String?
        var language: String
        var languageName: String
        var dir: String
        var state: String
        var values: [String: String]
        var updatingPublished: Bool
        var cancelHref: String
    }

    static func render(_ request: Request, actor: Actor, caseID: UUID?, parentID: UUID?, values: [String: String], problems: [FieldProblem],
                       status: HTTPStatus = .ok) async throws -> Response {
        let db = request.db
        var values = values
        var caseCode: String?, parentReference: String?, countryFixed: String?
        if let caseID {
            guard let record = try await CaseQueries.visible(to: actor, on: db).filter(\.$id == caseID).first() else { throw Abort(.notFound) }
            caseCode = record.code
            if values["country"] == nil { values["country"] = record.country }
        }
        if let parentID {
            let parent = try await AppealQueries.appeal(parentID, for: actor, on: db)
            guard let reference = parent.reference else { throw Abort(.notFound) }
            parentReference = reference
            countryFixed = Countries.name(parent.country, in: request.language)
            if values["followUpKind"] == nil { values["followUpKind"] = FollowUpKind.newInformation.rawValue }
        }
        let kind = values["kind"].flatMap(AppealKind.init(rawValue:)) ?? .urgentAppeal
        let language = values["language"].flatMap(AppealLanguage.init(rawValue:)) ?? AppealLanguage(rawValue: request.language.rawValue) ?? .en
        if values["body"] == nil { values["body"] = request.application.appealTemplates.body(kind, language) }
        let chosenThemes = Set((values["themes"] ?? "").split(separator: ",").map(String.init))
        let context = Context(
            problems: problems, action: SiteURL.appeals.href,
            templateAction: SiteURL.newAppeal(case: caseID, parent: parentID).href,
            kinds: AppealKind.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0 == kind) },
            languages: AppealLanguage.allCases.map { SelectOption(value: $0.rawValue, label: $0.endonym, selected: $0 == language) },
            countries: request.countryOptions(selected: values["country"]), countryFixed: countryFixed,
            themes: AppealTheme.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: chosenThemes.contains($0.rawValue)) },
            followUpKinds: parentID == nil ? [] : FollowUpKind.allCases.map {
                SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: values["followUpKind"] == $0.rawValue)
            },
            caseCode: caseCode, caseID: caseID.map(SiteURL.id), parentReference: parentReference, parentID: parentID.map(SiteURL.id),
            values: values, dir: language.direction,
            cancelHref: parentID.map { SiteURL.appeal($0, language: nil).href } ?? caseID.map { SiteURL.caseFile($0).href } ?? SiteURL.appeals.href)
        return try await request.render(.appealForm, titleKey: parentID == nil ? "appeal.new.title" : "appeal.followUp.title", context, status: status, forms: true)
    }

    /// Reads the new-document form: the draft, or the problems with what was typed kept.
    static func read(_ request: Request) -> (draft: AppealWorkflow.Draft?, problems: [FieldProblem], values: [String: String]) {
        var form = FormChecker(request)
        var values: [String: String] = [:]
        for key in ["kind", "language", "country", "title", "body", "case", "parent", "followUpKind"] {
            values[key] = (try? request.content.get(String.self, at: key)) ?? ""
        }
        let themes = ((try? request.content.get([String].self, at: "themes")) ?? []).prefix(20).compactMap(AppealTheme.init(rawValue:))
        values["themes"] = themes.map(\.rawValue).joined(separator: ",")
        let kind = form.choice("kind", AppealKind.self)
        let language = form.choice("language", AppealLanguage.self)
        let isFollowUp = !(values["parent"] ?? "").isEmpty
        var country = form.text("country", required: !isFollowUp, max: 2)?.uppercased()
        if let typed = country, !Countries.isValid(typed) { form.fail("country", "form.choice.invalid"); country = nil }
        let followUp = isFollowUp ? form.choice("followUpKind", FollowUpKind.self) : nil
        let title = form.text("title", max: 300, kind: .line)
        let body = form.text("body", max: 100_000)
        guard form.isValid, let kind, let language, let title, let body else { return (nil, form.problems, values) }
        return (AppealWorkflow.Draft(kind: kind, country: country ?? "ZZ", themes: Array(themes), language: language,
                                     text: AppealText(title: title, body: body), followUpKind: followUp), [], values)
    }

    static func renderEditor(_ request: Request, appeal: AppealRecord, version: AppealVersionRecord, values: [String: String], problems: [FieldProblem],
                             status: HTTPStatus = .ok) async throws -> Response {
        let id = try appeal.requireID()
        let context = EditorContext(
            problems: problems, action: SiteURL.appealAction(id, .edit).href, reference: appeal.reference,
            language: version.language.rawValue, languageName: version.language.endonym, dir: version.language.direction,
            state: request.t(version.state.labelKey), values: values, updatingPublished: version.publishedRevision != nil,
            cancelHref: SiteURL.appeal(id, language: version.language).href)
        return try await request.render(.appealEditor, titleKey: "appeal.edit.title", context, status: status, forms: true)
    }
}

/// The starting text of each kind of document in each language (`Resources/Appeals/<kind>.<language>.md`):
/// the usual structure — what the organisation has been informed of, the requested actions, the
/// addresses of the authorities — for the author to complete.
struct AppealTemplates: Sendable {
    var bodies: [String: String]

    func body(_ kind: AppealKind, _ language: AppealLanguage) -> String { bodies["\(kind.rawValue).\(language.rawValue)"] ?? "" }

    static func load(fromResources directory: String) throws -> AppealTemplates {
        var bodies: [String: String] = [:]
        for kind in AppealKind.allCases {
            for language in AppealLanguage.allCases {
                let path = directory + "/Resources/Appeals/\(kind.rawValue).\(language.rawValue).md"
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ConfigurationError(problems: ["appeal template \(path) is missing"])
                }
                bodies["\(kind.rawValue).\(language.rawValue)"] = String(decoding: data, as: UTF8.self)
            }
        }
        return AppealTemplates(bodies: bodies)
    }
}

extension Application {
    private struct AppealTemplatesKey: StorageKey { typealias Value = AppealTemplates }

    var appealTemplates: AppealTemplates {
        get { storage[AppealTemplatesKey.self] ?? AppealTemplates(bodies: [:]) }
        set { storage[AppealTemplatesKey.self] = newValue }
    }
}
