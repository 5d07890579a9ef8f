import EgideCore
import Foundation
import Vapor

/// What a module shows on a case file about that case — its grants, its appeals — declared by
/// the module (`Module.casePanel`), so the case file names no other module. Its events join the
/// case's timeline.
struct CasePanel: Encodable {
    /// The section's anchor (`#grants`).
    var id: String
    var heading: String
    var rows: [Row]
    /// Shown when `rows` is empty.
    var empty: String
    /// The module's way to start one from the case (`nil` when the reader may not).
    var actionHref: String?
    var actionLabel: String?
    var events: [Event] = []

    struct Row: Encodable {
        var href: String?
        var code: String
        var title: String
        var state: String
        var tone: String
    }

    /// A step for the case timeline (not encoded in the panel itself).
    struct Event {
        var at: Date
        var actorID: UUID
        var what: String
    }

    enum CodingKeys: String, CodingKey { case id, heading, rows, empty, actionHref, actionLabel }
}

extension Modules {
    /// Every module's panel for the case `caseID`, for an actor the case file has authorised.
    static func casePanels(_ caseID: UUID, for actor: Actor, on request: Request) async throws -> [CasePanel] {
        var panels: [CasePanel] = []
        for module in all {
            if let panel = try await module.casePanel(caseID, for: actor, on: request) { panels.append(panel) }
        }
        return panels
    }
}
