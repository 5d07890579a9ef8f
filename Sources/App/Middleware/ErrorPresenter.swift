import Vapor

/// Turns every error into a response in the user's language: an HTML error page, or an RFC 9457
/// problem document under `/api/`. Internal messages and stack traces never reach the client:
/// only 4xx reasons that the code chose to show are passed on; a 5xx says nothing but its status.
///
/// The middlewares on every request's way answer with futures rather than `async`: Vapor runs each
/// `AsyncMiddleware` as a task of its own, and nine of them were most of the cost of a public page.
/// The asynchronous work (rendering an error page, reading a session) starts a task only when needed.
struct ErrorPresenter: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { await present(error, for: request) }
        }
    }

    func present(_ error: any Error, for request: Request) async -> Response {
        let (status, detail, fields) = Self.classify(error)
        let pageFamily = error is CSRFFailure ? "csrf" : error is QueryParameterError ? "query" : error is UnreadableForm ? "form"
            : error is PublicWorkBusy ? "busy" : nil
        let response = await page(error, status: status, detail: detail, fields: fields, family: pageFamily, for: request)
        if error is PublicWorkBusy { response.headers.replaceOrAdd(name: .retryAfter, value: String(PublicWorkBusy.retryAfterSeconds)) }
        return response
    }

    func page(_ error: any Error, status: HTTPResponseStatus, detail: String?, fields: [Problem.FieldError]?, family pageFamily: String?,
              for request: Request) async -> Response {
        // 503 is expected while sealed; anything else at 5xx is a fault worth an error line.
        if status.code >= 500, status != .serviceUnavailable {
            // The route pattern, not the path, query or body: those may carry tokens or personal data.
            request.logger.error("\(request.method) \(request.routePattern) failed: \(String(reflecting: error))")
        }
        if request.path.hasPrefix("/api/") {
            // The API reports a refused query parameter like any refused field: 422 naming it.
            let apiStatus = error is QueryParameterError ? .unprocessableEntity : status
            return problemResponse(status: apiStatus, detail: detail, fields: fields)
        }
        // Framework reasons are English and technical; on a page only our own messages are shown.
        let pageDetail = error is ProblemError ? detail : nil
        let context = ErrorPageContext(status: status, detail: pageDetail, family: pageFamily)
        do {
            // The page says only its status and family: the same for every visitor, kept rendered
            // (`SharedPages`), so a flood of bad addresses or refused forms costs no rendering.
            if pageDetail == nil {
                return try await request.renderShared(.error, titleKey: context.titleKey, variant: pageFamily ?? "", status: status) { _ in context }
            }
            return try await request.render(.error, titleKey: context.titleKey, context, status: status)
        } catch {
            request.logger.error("error page could not be rendered: \(String(reflecting: error))")
            let response = Response(status: status, body: .init(string: "\(status.code) \(status.reasonPhrase)\n"))
            response.headers.contentType = .plainText
            return response
        }
    }

    /// Status and client-safe detail for an error.
    static func classify(_ error: any Error) -> (HTTPResponseStatus, String?, [Problem.FieldError]?) {
        switch error {
        case let problem as ProblemError:
            return (problem.status, problem.detail, problem.errors)
        case let abort as any AbortError where abort.status.code < 500:
            let reason = abort.reason == abort.status.reasonPhrase ? nil : abort.reason
            return (abort.status, reason, nil)
        case let abort as any AbortError:
            return (abort.status, nil, nil)
        case is CSRFFailure:
            return (.forbidden, "The form's CSRF token is missing or wrong.", nil)
        case is UnreadableForm:
            return (.badRequest, "The body could not be read as a form.", nil)
        case is PublicWorkBusy:
            return (.serviceUnavailable, "Too many requests of this kind are being handled; try again in \(PublicWorkBusy.retryAfterSeconds) seconds.", nil)
        case let invalid as QueryParameterError:
            return (.badRequest, "The query parameter `\(invalid.field)` \(invalid.detail)", [.init(field: invalid.field, detail: invalid.detail)])
        case let error as Vault.VaultError:
            if case .sealed = error { return (.serviceUnavailable, nil, nil) }
            return (.internalServerError, nil, nil)
        case is DecodingError:
            return (.badRequest, "The request body could not be read.", nil)
        default:
            return (.internalServerError, nil, nil)
        }
    }

    func problemResponse(status: HTTPResponseStatus, detail: String?, fields: [Problem.FieldError]?) -> Response {
        let problem = Problem(title: status.reasonPhrase, status: Int(status.code), detail: detail, errors: fields)
        let response = Response(status: status)
        do {
            // Sorted keys: the same problem is always the same bytes (a case outside the actor's
            // scope must answer exactly like a missing one).
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try response.content.encode(problem, using: encoder)
        } catch {
            response.body = .init(string: #"{"type":"about:blank","status":\#(status.code)}"#)
        }
        response.headers.contentType = Problem.mediaType
        return response
    }
}

/// The error page: which message to show, in the user's language.
struct ErrorPageContext: Encodable {
    var statusText: String
    var titleKey: String
    var bodyKey: String
    var detail: String?

    /// Statuses with a message of their own; others use the 400 or 500 message.
    static let explained: [UInt] = [400, 401, 403, 404, 405, 413, 415, 422, 429, 500, 503]
    /// Message families that are not a status of their own.
    static let special = ["csrf", "query", "form", "busy"]

    init(status: HTTPResponseStatus, detail: String?, family special: String? = nil) {
        let family = special ?? String(Self.explained.contains(status.code) ? status.code : (status.code >= 500 ? 500 : 400))
        statusText = String(status.code)
        titleKey = "error.\(family).title"
        bodyKey = "error.\(family).body"
        self.detail = detail
    }

    /// Every catalogue key this page can ask for (the template names them only indirectly).
    static var catalogueKeys: [String] {
        (explained.map(String.init) + special).flatMap { ["error.\($0).title", "error.\($0).body"] }
    }
}
