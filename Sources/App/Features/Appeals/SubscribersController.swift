import EgideCore
import Fluent
import Vapor

/// The organisation's mailing list, for communications officers and coordinators.
enum SubscribersController {
    struct Row: Encodable {
        var email: String
        var name: String?
        var languages: String
        var kind: String
        var since: String
        var unsubscribed: String?
        var removeAction: String?
    }

    struct Context: Encodable {
        var rows: [Row]
        var active: Int
        var languages: [SelectOption]
        var values: [String: String]
        var problems: [FieldProblem]
        var action: String
        var kinds: [SelectOption]
        var mailConfigured: Bool
        var listHref: String
    }

    @Sendable static func list(_ request: Request) async throws -> Response {
        try await render(request, values: [:], problems: [])
    }

    static func render(_ request: Request, values: [String: String], problems: [FieldProblem], status: HTTPStatus = .ok) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .manageMailing, nil))
        let vault = request.application.vault
        let records = try await AppealSubscriberRecord.query(on: request.db).filter(\.$organisationID == actor.organisationID)
            .sort(\.$createdAt, .descending).limit(2000).all()
        let rows = records.map { record in
            Row(email: (try? AppealSubscribers.email(of: record, vault: vault)) ?? request.t("user.unreadable"),
                name: try? AppealSubscribers.name(of: record, vault: vault),
                languages: record.languageList.map(\.endonym).joined(separator: request.language.listSeparator),
                kind: request.t("appeal.subscriber.kind.\(record.kind)"), since: request.day(record.createdAt),
                unsubscribed: record.unsubscribedAt.map { request.day($0) },
                removeAction: record.unsubscribedAt == nil ? SiteURL.appealSubscriberRemove(try! record.requireID()).href : nil)
        }
        let chosen = Set((values["languages"] ?? "fr,en").split(separator: ",").map(String.init))
        let context = Context(rows: rows, active: records.filter { $0.unsubscribedAt == nil }.count,
                              languages: AppealLanguage.allCases.map { SelectOption(value: $0.rawValue, label: $0.endonym, selected: chosen.contains($0.rawValue)) },
                              values: values, problems: problems, action: SiteURL.appealSubscribers.href, kinds: ["subscriber", "network"].map { SelectOption(value: $0, label: request.t("appeal.subscriber.kind.\($0)"), selected: (values["kind"] ?? "subscriber") == $0) },
                              mailConfigured: request.application.egideConfig.mail != nil, listHref: SiteURL.appeals.href)
        return try await request.render(.appealSubscribers, titleKey: "appeal.subscribers.title", context, status: status, forms: true)
    }

    @Sendable static func add(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .manageMailing, nil))
        var form = FormChecker(request)
        let email = form.text("email", max: 254)
        let name = form.text("name", required: false, max: 200, kind: .name)
        let languages = ((try? request.content.get([String].self, at: "languages")) ?? []).prefix(4).compactMap(AppealLanguage.init(rawValue:))
        if languages.isEmpty { form.fail("languages", "appeal.subscriber.noLanguage") }
        let kind = form.choice("kind", SubscriberKind.self, required: false) ?? .subscriber
        let values = ["email": (try? request.content.get(String.self, at: "email")) ?? "", "name": (try? request.content.get(String.self, at: "name")) ?? "",
                      "languages": languages.map(\.rawValue).joined(separator: ","), "kind": kind.rawValue]
        guard form.isValid, let email else { return try await render(request, values: values, problems: form.problems, status: .unprocessableEntity) }
        do {
            guard try await AppealSubscribers.add(email: email, name: name, languages: Array(languages), kind: kind.rawValue, by: actor,
                                                  app: request.application) else {
                return try await render(request, values: values, problems: [FieldProblem(field: "email", message: request.t("appeal.subscriber.exists"))],
                                        status: .conflict)
            }
        } catch let refusal as Refusal {
            return try await render(request, values: values, problems: [FieldProblem(field: "email", message: request.t(refusal.key))],
                                    status: .unprocessableEntity)
        }
        return request.redirect(to: SiteURL.appealSubscribers.href, flash: "flash.appeal.subscriberAdded")
    }

    @Sendable static func remove(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        try request.authorize(AppealPolicy.evaluate(actor, .manageMailing, nil))
        try await AppealSubscribers.remove(id, by: actor, app: request.application)
        return request.redirect(to: SiteURL.appealSubscribers.href, flash: "flash.appeal.subscriberRemoved")
    }
}

/// Who an address on the list is: someone who asked to receive the appeals, or the staff of a
/// partner or network member (added with their agreement, like anyone else: no account's address
/// is ever copied onto the list).
enum SubscriberKind: String { case subscriber, network }

/// The link at the foot of every appeal mail: a page that asks to confirm (a mail scanner that
/// follows links unsubscribes no one), and the confirmation, which mail programs also post by
/// themselves (RFC 8058 one-click).
enum UnsubscribeController {
    struct Context: Encodable {
        var action: String?
        var done: Bool
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        guard let subscriber = try await AppealSubscribers.find(token: token, on: request.db) else { throw Abort(.notFound) }
        return try await request.render(.unsubscribe, titleKey: "appeal.unsubscribe.title",
                                        Context(action: subscriber.unsubscribedAt == nil ? SiteURL.unsubscribe(token: token).href : nil,
                                                done: subscriber.unsubscribedAt != nil), forms: true)
    }

    @Sendable static func submit(_ request: Request) async throws -> Response {
        let token = request.parameters.get("token") ?? ""
        guard let subscriber = try await AppealSubscribers.find(token: token, on: request.db) else { throw Abort(.notFound) }
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await AppealSubscribers.unsubscribe(subscriber, at: now, on: db, audit: .system)
        }
        return try await request.render(.unsubscribe, titleKey: "appeal.unsubscribe.title", Context(action: nil, done: true))
    }
}
