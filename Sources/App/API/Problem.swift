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

extension ProblemError {
    /// A 422 naming each invalid field of an API body or query.
    static func invalid(_ errors: [Problem.FieldError]) -> ProblemError {
        ProblemError(status: .unprocessableEntity, detail: "Some fields are missing or invalid.", errors: errors.isEmpty ? nil : errors)
    }
}

/// Reading a JSON API body, for every module: a field of the wrong type is named in the 422
/// problem (`threats[0].likelihood`).
enum APIBody {
    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) throws -> T {
        do {
            return try request.content.decode(T.self)
        } catch let error as DecodingError {
            let (path, detail): ([any CodingKey], String) = switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context): (context.codingPath, "has the wrong type.")
            case .keyNotFound(let key, let context): (context.codingPath + [key], "is required.")
            case .dataCorrupted(let context): (context.codingPath, "could not be read.")
            @unknown default: ([], "could not be read.")
            }
            let field = path.reduce("") { text, key in key.intValue.map { "\(text)[\($0)]" } ?? (text.isEmpty ? key.stringValue : "\(text).\(key.stringValue)") }
            throw ProblemError(status: .unprocessableEntity, detail: "The body must be a JSON object with the documented fields; one has the wrong type.",
                               errors: [.init(field: field.isEmpty ? "body" : field, detail: detail)])
        }
    }
}
