import Vapor

/// The JSON API takes JSON bodies only: a POST, PUT or PATCH whose content type is not
/// `application/json` (a form, a multipart body, none at all) answers 415 with a problem document
/// before any handler decodes it, so the API never reads input the OpenAPI document does not describe.
struct RequireJSONBody: Gate {
    func decide(_ request: Request) throws -> Response? {
        if [.POST, .PUT, .PATCH].contains(request.method) {
            // Media types compare case-insensitively (RFC 9110 §8.3.1); parameters such as charset are ignored.
            guard let type = request.headers.contentType, type.type.lowercased() == "application", type.subType.lowercased() == "json" else {
                throw ProblemError(status: .unsupportedMediaType, detail: "Send the body as JSON, with Content-Type: application/json.")
            }
        }
        return nil
    }
}
