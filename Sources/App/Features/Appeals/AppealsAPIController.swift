import EgideCore
import Fluent
import Foundation
import Vapor

/// The JSON API of appeals (`/api/v1/appeals…`; bearer tokens with `appeals:read` or
/// `appeals:write`): the same workflow steps, policy and reader as the pages. Another
/// organisation's document answers 404; a step the protocol refuses, 409 with the reason.
enum AppealsAPIController {
    struct VersionSummary: Content {
        var language: String
        var state: String
        var revision: Int
        var publishedRevision: Int?
        var publishedAt: Date?
    }

    struct Summary: Content {
        var id: UUID
        var reference: String?
        var kind: String
        var country: String
        var themes: [String]
        var originalLanguage: String
        var parentId: UUID?
        var followUpKind: String?
        var versions: [VersionSummary]
        var updatedAt: Date
    }

    struct List: Content { var items: [Summary] }

    struct Version: Content {
        var language: String
        var state: String
        var revision: Int
        var publishedRevision: Int?
        var publicUrl: String?
        var title: String
        var body: String
        var authors: [UUID]
        var comments: [Comment]
    }

    struct Comment: Content { var authorId: UUID; var revision: Int; var body: String; var createdAt: Date }
    struct Consent: Content { var channel: String; var granted: Bool; var recordedAt: Date }
    /// `caseCode` and `name` only when the account may see the case.
    struct Defender: Content { var personId: UUID; var caseCode: String?; var name: String?; var consents: [Consent] }
    struct Reply: Content { var receivedOn: String; var summary: String }
    struct Target: Content { var id: UUID; var name: String; var institution: String; var address: String; var replies: [Reply] }

    struct Detail: Content {
        var appeal: Summary
        var cases: [String]
        var versions: [Version]
        var defenders: [Defender]
        var targets: [Target]
        var followUps: [UUID]
    }

    /// `GET /api/v1/appeals` — the organisation's documents, latest change first (at most 200).
    @Sendable static func list(_ request: Request) async throws -> List {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .view, nil))
        let page = try request.listPage(size: 200)
        let records = try await AppealQueries.visible(to: actor, on: request.db).sort(\.$updatedAt, .descending).range(page.range).all()
        let versions = Dictionary(grouping: try await AppealVersionRecord.query(on: request.db).filter(\.$appealID ~~ records.compactMap(\.id)).all(), by: \.appealID)
        return List(items: try records.map { try summary($0, versions: versions[$0.requireID()] ?? []) })
    }

    static func summary(_ appeal: AppealRecord, versions: [AppealVersionRecord]) throws -> Summary {
        Summary(id: try appeal.requireID(), reference: appeal.reference, kind: appeal.kind.rawValue, country: appeal.country,
                themes: AppealTheme.list(appeal.themes).map(\.rawValue), originalLanguage: appeal.originalLanguage.rawValue,
                parentId: appeal.parentID, followUpKind: appeal.followUpKind?.rawValue,
                versions: versions.sorted { $0.language < $1.language }.map {
                    VersionSummary(language: $0.language.rawValue, state: $0.state.rawValue, revision: $0.revision,
                                   publishedRevision: $0.publishedRevision, publishedAt: $0.publishedAt)
                },
                updatedAt: appeal.updatedAt)
    }

    /// `GET /api/v1/appeals/{id}` — the document as the page shows it to this account.
    @Sendable static func show(_ request: Request) async throws -> Detail {
        let actor = try request.actor()
        try request.authorize(AppealPolicy.evaluate(actor, .view, nil))
        return try await detail(try request.requireUUID("id"), actor: actor, on: request)
    }

    static func detail(_ id: UUID, actor: Actor, on request: Request) async throws -> Detail {
        let appeal = try await AppealQueries.appeal(id, for: actor, on: request.db)
        let read = try await AppealReader.read(appeal, for: actor, on: request.db, vault: request.application.vault)
        try await read.auditNames(by: actor, via: "api", on: request)
        return Detail(
            appeal: try summary(appeal, versions: read.versions.map(\.record)),
            cases: read.cases.filter(\.readable).map(\.code),
            versions: read.versions.map { version in
                Version(language: version.record.language.rawValue, state: version.record.state.rawValue, revision: version.record.revision,
                        publishedRevision: version.record.publishedRevision,
                        publicUrl: version.record.isOnline ? appeal.slug.map { SiteURL.publicAppeal(version.record.language, slug: $0).href } : nil,
                        title: version.text.title, body: version.text.body, authors: Array(version.authors).sorted { $0.uuidString < $1.uuidString },
                        comments: version.comments.map { Comment(authorId: $0.record.authorID, revision: $0.record.revision, body: $0.body, createdAt: $0.record.createdAt) })
            },
            defenders: read.defenders.map { defender in
                Defender(personId: defender.personID, caseCode: defender.name == nil ? nil : defender.caseCode, name: defender.name,
                         consents: defender.consents.values.sorted { $0.channel.rawValue < $1.channel.rawValue }
                            .map { Consent(channel: $0.channel.rawValue, granted: $0.granted, recordedAt: $0.recordedAt) })
            },
            targets: read.targets.map { target in
                Target(id: target.id!, name: target.name, institution: target.institution, address: target.address,
                       replies: read.replies.filter { $0.record.targetID == target.id }.map { Reply(receivedOn: $0.record.receivedOn, summary: $0.summary) })
            },
            followUps: read.followUps.compactMap(\.id))
    }

    struct Input: Content {
        var kind: String
        var country: String?
        var themes: [String]?
        var language: String
        var title: String
        var body: String
        var caseIds: [UUID]?
        var parentId: UUID?
        var followUpKind: String?
    }

    /// `POST /api/v1/appeals` — a new document (or follow-up) as a draft; 201 with the document.
    @Sendable static func create(_ request: Request) async throws -> Response {
        let actor = try request.actor()
        guard AppealPolicy.evaluate(actor, .write, nil).isAllowed else {
            throw ProblemError(status: .forbidden, detail: "Only communications officers, coordinators and protection officers write appeals.")
        }
        let input = try APIBody.decode(Input.self, request)
        var errors: [Problem.FieldError] = []
        let kind = AppealKind(rawValue: input.kind)
        if kind == nil { errors.append(.init(field: "kind", detail: "must be one of \(AppealKind.allCases.map(\.rawValue).joined(separator: ", ")).")) }
        let language = AppealLanguage(rawValue: input.language)
        if language == nil { errors.append(.init(field: "language", detail: "must be one of \(AppealLanguage.allCases.map(\.rawValue).joined(separator: ", ")).")) }
        let country = input.country?.uppercased() ?? ""
        if input.parentId == nil, !(country.count == 2 && Countries.isValid(country)) {
            errors.append(.init(field: "country", detail: "must be an ISO 3166-1 alpha-2 country code."))
        }
        var themes: [AppealTheme] = []
        for theme in (input.themes ?? []).prefix(20) {
            if let known = AppealTheme(rawValue: theme) { themes.append(known) } else { errors.append(.init(field: "themes", detail: "holds an unknown theme.")) }
        }
        var followUp: FollowUpKind?
        if let raw = input.followUpKind {
            followUp = FollowUpKind(rawValue: raw)
            if followUp == nil { errors.append(.init(field: "followUpKind", detail: "must be one of \(FollowUpKind.allCases.map(\.rawValue).joined(separator: ", ")).")) }
        }
        let title = clean(input.title, "title", 300, &errors, kind: .line)
        let body = clean(input.body, "body", 100_000, &errors)
        if (input.caseIds ?? []).count > 20 { errors.append(.init(field: "caseIds", detail: "holds at most 20 cases.")) }
        guard errors.isEmpty, let kind, let language, let title, let body else { throw ProblemError.invalid(errors) }
        let draft = AppealWorkflow.Draft(kind: kind, country: input.parentId == nil ? country : "ZZ", themes: themes, language: language,
                                         text: AppealText(title: title, body: body), caseIDs: input.caseIds ?? [], parentID: input.parentId, followUpKind: followUp)
        let id = try await request.refusing { try await AppealWorkflow.create(draft, by: actor, app: request.application) }
        return try await detail(id, actor: actor, on: request).encodeResponse(status: .created, for: request)
    }

    static func clean(_ text: String, _ field: String, _ max: Int, _ errors: inout [Problem.FieldError], kind: TextInput.Kind = .text) -> String? {
        switch TextInput.clean(text, kind, max: max) {
        case .success(let value?): return value
        case .success(nil): errors.append(.init(field: field, detail: "is required.")); return nil
        case .failure: errors.append(.init(field: field, detail: "must be plain text of at most \(max) characters.")); return nil
        }
    }

    struct StepInput: Content {
        var language: String
        var step: String
        var comment: String?
        /// With `approve`: the revision the approver read (409 if the text changed since).
        var revision: Int?
    }

    /// `POST /api/v1/appeals/{id}/steps` — one step of a language version (`submit`, `return`,
    /// `approve`, `publish`, `close`); 200 with the document, 409 when refused.
    @Sendable static func step(_ request: Request) async throws -> Detail {
        let actor = try request.actor()
        let id = try request.requireUUID("id")
        _ = try await AppealQueries.appeal(id, for: actor, on: request.db)
        let input = try APIBody.decode(StepInput.self, request)
        let steps: [AppealStep] = [.submit, .returnToDraft, .approve, .publish, .close]
        guard let language = AppealLanguage(rawValue: input.language) else {
            throw ProblemError.invalid([.init(field: "language", detail: "must be one of \(AppealLanguage.allCases.map(\.rawValue).joined(separator: ", ")).")])
        }
        guard let step = AppealStep(rawValue: input.step), steps.contains(step) else {
            throw ProblemError.invalid([.init(field: "step", detail: "must be one of \(steps.map(\.rawValue).joined(separator: ", ")).")])
        }
        var errors: [Problem.FieldError] = []
        let comment = input.comment.flatMap { clean($0, "comment", 10_000, &errors) }
        if step == .approve, input.revision == nil { errors.append(.init(field: "revision", detail: "is required with approve: the revision read.")) }
        guard errors.isEmpty else { throw ProblemError.invalid(errors) }
        let app = request.application
        try await request.refusing {
            switch step {
            case .submit: try await AppealWorkflow.submit(id, language, by: actor, app: app)
            case .returnToDraft: try await AppealWorkflow.returnToDraft(id, language, comment: comment, by: actor, app: app)
            case .approve: try await AppealWorkflow.approve(id, language, read: input.revision, by: actor, app: app)
            case .publish: try await AppealWorkflow.publish(id, language, by: actor, app: app)
            default: try await AppealWorkflow.close(id, language, by: actor, app: app)
            }
        }
        return try await detail(id, actor: actor, on: request)
    }
}
