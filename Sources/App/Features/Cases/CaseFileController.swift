import EgideCore
import Fluent
import Vapor

/// The case file: one page with every part of the case, the forms that change it, and the
/// timeline. Reading it writes an access event (`case.read`) in the audit log; what the page shows
/// is `CaseFileReader`'s read, built into a page by `CaseFilePage`.
enum CaseFileController {
    @Sendable static func show(_ request: Request) async throws -> Response {
        try await render(request, id: try request.requireUUID("id"), problems: [])
    }

    static func render(_ request: Request, id: UUID, problems: [FieldProblem], status: HTTPStatus? = nil) async throws -> Response {
        let actor = try request.actor()
        let (record, access) = try await CaseQueries.authorized(id, for: actor, .viewCase, on: request.db)
        let app = request.application
        let now = app.clock.now()
        // Reading a case file is an access to personal data: every read is in the audit log, and
        // the case's "who viewed" page lists them.
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: record.organisationID, action: "case.read",
                                                 objectType: "case", objectID: SiteURL.id(id), details: ["via": "web"]), at: now, on: db)
        }
        // What the page may show comes from the same read as the API's: nothing withheld is loaded into it.
        let read = try await CaseFileReader.read(record, access: access, actor: actor, on: request.db, vault: app.vault)
        let context = try await CaseFilePage.build(read, actor: actor, problems: problems, request: request, now: now)
        return try await request.render(.caseShow, titleKey: "case.show.title", context, status: status ?? (problems.isEmpty ? .ok : .unprocessableEntity))
    }
}
