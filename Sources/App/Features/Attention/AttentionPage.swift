import EgideCore
import Foundation
import Vapor

/// "Needs my attention": every module's work waiting on this person now, one compact list per
/// kind of work, each record once with all its reasons, most pressing first.
enum AttentionPage {
    struct Context: Encodable {
        var lists: [WorkList]
        /// Nothing at all is waiting.
        var clear: Bool
    }

    /// Who has the page: anyone who handles alerts, answers verification requests or works cases.
    static func isFor(_ actor: Actor) -> Bool {
        // Communications officers start from their appeals, and find there what waits on them.
        isWorkPage(actor) || actor.has(.verifier) || AppealPolicy.evaluate(actor, .publish, nil).isAllowed
    }

    /// Whose daily start it is (a verifier alone starts from their requests).
    static func isWorkPage(_ actor: Actor) -> Bool {
        AlertPolicy.isHandler(actor) || CasePolicy.evaluate(actor, .listCases, nil).isAllowed || actor.has(.fundManager)
    }

    static func build(for actor: Actor, on request: Request, now: Date) async throws -> Context {
        var lists: [WorkList] = []
        for module in Modules.all {
            lists += try await module.attention(for: actor, on: request, now: now)
        }
        return Context(lists: lists, clear: lists.allSatisfy { $0.items.isEmpty })
    }
}
