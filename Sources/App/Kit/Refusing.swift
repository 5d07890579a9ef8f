import EgideCore
import Vapor

extension Request {
    /// Runs an API call's workflow step; a `Refusal` becomes a 409 problem that says why, in English.
    @discardableResult
    func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as Refusal {
            throw ProblemError(status: .conflict, detail: application.catalogue.text(refusal.key, in: .en, []))
        }
    }
}
