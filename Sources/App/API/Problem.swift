import Vapor

/// An RFC 9457 problem document, the body of every error under `/api/`.
struct Problem: Content, Equatable {
    /// One invalid input field, named as the client sent it.
    struct FieldError: Content, Equatable {
        var field: String
        var detail: String
    }

    var type: String = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    var errors: [FieldError]?

    static let mediaType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
}

/// An error a handler throws when it wants a specific problem (and HTML message) returned,
/// e.g. 422 with the invalid fields. Its texts must be safe to show to the client.
struct ProblemError: Error {
    var status: HTTPResponseStatus
    var detail: String?
    var errors: [Problem.FieldError]?
}
