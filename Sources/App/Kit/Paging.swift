import EgideCore
import Vapor

/// A query parameter that a list refused (a page number that is not a whole number in range):
/// 400 with an error page on the web, 422 with a problem document naming the parameter in the API.
struct QueryParameterError: Error {
    var field: String
    var problem: ListPage.Problem

    /// The English detail for the problem document (the web page says it in the user's language).
    var detail: String {
        switch problem {
        case .notAWholeNumber: "must be a whole number written in digits."
        case .outOfRange(let range): "must be a whole number from \(range.lowerBound) to \(range.upperBound)."
        }
    }
}

extension Request {
    /// The page of a list this request asks for with `page` (from 0), `size` rows long. Every list
    /// reads its page here, so no number from a request reaches the offset arithmetic unbounded.
    /// - Throws: `QueryParameterError` (400; 422 in the API) when `page` is not a whole number from 0 to
    ///   `ListPage.maximumNumber`.
    func listPage(size: Int) throws -> ListPage {
        let raw = try? query.get(String.self, at: "page")
        switch ListPage.parse(raw, size: size) {
        case .success(let page): return page
        case .failure(let problem): throw QueryParameterError(field: "page", problem: problem)
        }
    }
}
