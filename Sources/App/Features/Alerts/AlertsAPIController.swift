import EgideCore
import Fluent
import Vapor

/// The JSON API of alerts: public intake and follow-up (no account), and reading for handlers
/// (token with `alerts:read`). Errors are RFC 9457 problem documents naming each invalid field.
enum AlertsAPIController {
    static func problem(_ status: HTTPStatus, _ detail: String, _ problems: AlertIntake.Problems = [], request: Request) -> ProblemError {
        ProblemError(status: status, detail: detail, errors: problems.isEmpty ? nil : problems.map {
            Problem.FieldError(field: $0.field, detail: request.application.catalogue.text($0.key, in: .en, []))
        })
    }

    /// `POST /api/v1/public/alerts` → 201 `{receipt, passphrase}` (200 with the same pair when the
    /// idempotency key was already used for the same alert).
    @Sendable static func submit(_ request: Request) async throws -> Response {
        let input: AlertInput
        do { input = try request.content.decode(AlertInput.self) } catch {
            throw problem(.unprocessableEntity, "The body must be a JSON object with the alert's fields; one has the wrong type.", request: request)
        }
        let app = request.application
        let categories = try await app.alertCategories.codes(on: request.db)
        let draft: AlertDraft
        switch AlertIntake.validate(input, categories: categories, now: app.clock.now(), fallbackLanguage: .en) {
        case .failure(let list): throw problem(.unprocessableEntity, "Some fields are missing or invalid.", list.items, request: request)
        case .success(let valid): draft = valid
        }
        do {
            let result = try await AlertIntake.submit(draft, uploads: [], origin: .init(channel: .api, audit: .publicSender), app: app)
            return try await result.receipt.encodeResponse(status: result.created ? .created : .ok, for: request)
        } catch AlertIntake.SubmitError.busy {
            throw problem(.tooManyRequests, "Too many alerts are arriving right now. Nothing was saved: please send again in a minute.", request: request)
        } catch AlertIntake.SubmitError.noHost {
            throw problem(.serviceUnavailable, "This Egide instance is not set up yet: no organisation receives alerts. Nothing was saved.", request: request)
        } catch AlertIntake.SubmitError.idempotencyConflict {
            throw problem(.conflict, "This idempotencyKey was already used for a different alert. Use a new key for a new alert.",
                          [("idempotencyKey", "alert.form.idempotency.reused")], request: request)
        }
    }

    struct StatusQuery: Content { var receipt: String?; var passphrase: String?; var information: String? }

    struct PublicStatus: Content {
        var status: String
        var received: Date
        var updated: Date
    }

    static func lookUp(_ request: Request) async throws -> (AlertRecord, StatusQuery) {
        let query: StatusQuery
        do { query = try request.content.decode(StatusQuery.self) } catch {
            throw problem(.unprocessableEntity, "The body must be a JSON object with receipt and passphrase.", request: request)
        }
        var missing: AlertIntake.Problems = []
        if (query.receipt ?? "").isEmpty || (query.receipt ?? "").count > 40 { missing.append(("receipt", "form.required")) }
        if (query.passphrase ?? "").isEmpty || (query.passphrase ?? "").count > 60 { missing.append(("passphrase", "form.required")) }
        guard missing.isEmpty, let receipt = query.receipt, let passphrase = query.passphrase else {
            throw problem(.unprocessableEntity, "receipt and passphrase are required.", missing, request: request)
        }
        switch try await AlertQueries.forSender(receipt: receipt, passphrase: passphrase, app: request.application) {
        case .found(let alert): return (alert, query)
        case .notFound: throw problem(.notFound, "No alert matches this receipt and passphrase.", request: request)
        case .throttled(let wait):
            throw problem(.tooManyRequests, "Too many wrong attempts for this receipt. Try again in \(Throttle.minutes(wait)) minutes.", request: request)
        }
    }

    /// `POST /api/v1/public/alerts/status` with `{receipt, passphrase}`.
    @Sendable static func status(_ request: Request) async throws -> PublicStatus {
        let (alert, _) = try await lookUp(request)
        return PublicStatus(status: alert.status.publicStatus.rawValue, received: alert.receivedAt, updated: alert.updatedAt)
    }

    /// `POST /api/v1/public/alerts/updates` with `{receipt, passphrase, information}`.
    @Sendable static func addInformation(_ request: Request) async throws -> Response {
        let (alert, query) = try await lookUp(request)
        let text = query.information?.trimmedWhitespace ?? ""
        if text.isEmpty { throw problem(.unprocessableEntity, "information is required.", [("information", "form.required")], request: request) }
        if text.count > AlertIntake.maximumNarrative {
            throw problem(.unprocessableEntity, "information is too long.", [("information", "form.tooLong")], request: request)
        }
        try await AlertWorkflow.addSenderInformation(text, uploads: [], to: alert, app: request.application)
        let fresh = try await AlertRecord.find(try alert.requireID(), on: request.db) ?? alert
        return try await PublicStatus(status: fresh.status.publicStatus.rawValue, received: fresh.receivedAt, updated: fresh.updatedAt)
            .encodeResponse(status: .created, for: request)
    }

    // MARK: Handlers

    struct AlertSummary: Content {
        var id: UUID
        var reference: String
        var status: String
        var urgency: String?
        var country: String
        var categories: [String]
        var receivedAt: Date
        var deadlineAt: Date
        var overdue: Bool
        var answeredAt: Date?
        var assigneeId: UUID?
    }

    struct AlertDetail: Content {
        var summary: AlertSummary
        var defenderName: String?
        var organisationName: String?
        var region: String?
        var incidentDate: String?
        var narrative: String
        var fieldOfWork: String?
        var needs: [String]
        var channel: String
        var senderIsDefender: Bool
    }

    struct AlertList: Content { var total: Int; var items: [AlertSummary] }

    static func summary(_ alert: AlertRecord, now: Date) throws -> AlertSummary {
        AlertSummary(id: try alert.requireID(), reference: alert.reference, status: alert.status.rawValue, urgency: alert.urgency?.rawValue,
                     country: alert.country, categories: alert.categories, receivedAt: alert.receivedAt, deadlineAt: alert.deadlineAt,
                     overdue: alert.status.isOpen && alert.answeredAt == nil && alert.deadlineAt < now, answeredAt: alert.answeredAt, assigneeId: alert.assigneeID)
    }

    /// `GET /api/v1/alerts` — the queue, with the page's filters (`status`, `urgency`, `country`,
    /// `category`, `assignee`, `overdue=1`, `page`).
    @Sendable static func list(_ request: Request) async throws -> AlertList {
        let actor = try request.actor()
        try request.authorize(AlertPolicy.evaluate(actor, .listAlerts))
        let now = request.application.clock.now()
        let filters = try AlertQueuePage.Filters(request)
        // The page shows the open alerts with a notice; a program is told, not answered something else.
        if filters.unknownStatus != nil {
            throw ProblemError(status: .unprocessableEntity,
                               detail: "status must be one of: \(AlertQueuePage.Filters.statusValues.joined(separator: ", ")), or new.")
        }
        let base = { filters.apply(AlertQueries.visible(to: actor, on: request.db), actor: actor, now: now) }
        let total = try await base().count()
        let page = try await base().sort(\.$deadlineAt).sort(\.$receivedAt, .descending).range(filters.page.range).all()
        return AlertList(total: total, items: try page.map { try summary($0, now: now) })
    }

    /// `GET /api/v1/alerts/{id}` — one alert the token's account handles (never the sender's contact).
    @Sendable static func show(_ request: Request) async throws -> AlertDetail {
        let actor = try request.actor()
        let alert = try await AlertQueries.alert(try request.requireUUID("id"), for: actor, on: request.db)
        try request.authorize(AlertPolicy.evaluate(actor, .viewAlert, AlertTarget(organisation: alert.organisationID)), orNotFound: true)
        let opened = try AlertQueries.open(alert, vault: request.application.vault)
        let now = request.application.clock.now()
        try await request.transaction { db in
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: alert.organisationID, action: "alert.read",
                                                 objectType: "alert", objectID: SiteURL.id(try alert.requireID()), details: ["via": "api"]), at: now, on: db)
        }
        return AlertDetail(summary: try summary(alert, now: now), defenderName: opened.defenderName, organisationName: opened.organisationName,
                           region: opened.region, incidentDate: opened.incidentDate, narrative: opened.narrative,
                           fieldOfWork: alert.fieldOfWork?.rawValue, needs: alert.needs.map(\.rawValue), channel: alert.channel.rawValue,
                           senderIsDefender: alert.senderIsDefender)
    }
}
