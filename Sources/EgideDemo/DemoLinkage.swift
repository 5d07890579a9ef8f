import App
import EgideCore
import Fluent
import Foundation
import Vapor

/// The record-linkage engine at work in the demo: the Tunis office follows one of Lyon's defenders
/// under the Arabic (or Georgian…) spelling of his name, in a case of its own and a grant request
/// in the same category as Lyon's. Lyon's case file shows "possibly the same person in a case you
/// cannot see"; the Tunis grant's duplicate-support check refers its deciders to the coordinator.
enum DemoLinkage {
    struct Outcome: Sendable {
        var latin: String
        var native: String
        var grantCode: String?
    }

    static func play(network: DemoData.Network, app: Application) async throws -> Outcome? {
        guard let tunis = network.organisations["tunis"], let lyon = network.organisations["lyon"],
              let officer = network.staff["dorra.kooli@example.org"], let manager = network.staff["hela.benamor@example.org"] else { return nil }
        // A Lyon grant past its decision, for the defender of a case whose alias is in another script
        // (Arabic first: the Tunis office's own language).
        var found: [(grant: GrantRecord, name: String, native: String, country: String)] = []
        for grant in try await GrantRecord.query(on: app.db).filter(\.$organisationID == lyon).filter(\.$caseID != nil)
            .filter(\.$state ~~ [.approved, .disbursing, .disbursed, .reportDue, .justified, .closed]).sort(\.$createdAt).all() {
            guard let caseID = grant.caseID,
                  let person = try await CasePersonRecord.query(on: app.db).filter(\.$caseID == caseID).filter(\.$role == .defender).first() else { continue }
            let identity = try CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(lyon),
                                                CasePersonRecord.ref(try person.requireID(), "identity"), vault: app.vault)
            guard let native = identity.aliases, native.unicodeScalars.contains(where: { $0.value >= 0x0370 }),
                  let country = try await CaseRecord.find(caseID, on: app.db)?.country else { continue }
            found.append((grant, identity.name, native, country))
        }
        let arabic = found.first { $0.native.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) } }
        if let (grant, name, native, country) = arabic ?? found.first {
            _ = try await CaseWorkflow.open(.init(country: country, summary: summary, defender: .init(name: native)), by: officer, app: app)
            // The Tunis office asks its own allocation for the same need.
            var code: String?
            for allocation in try await AllocationRecord.query(on: app.db).filter(\.$organisationID == tunis).filter(\.$state == .active).all() {
                guard let fund = try await FundRecord.find(allocation.fundID, on: app.db),
                      SupportCategory.list(fund.categories).contains(grant.category) else { continue }
                let draft = GrantWorkflow.GrantDraft(allocationID: try allocation.requireID(), caseID: nil, category: grant.category, country: country,
                                                     amount: 40_000, details: .init(beneficiary: native, budgetLines: [.init(label: "Lawyer", amount: 40_000)],
                                                                                     justification: justification))
                let id = try await GrantWorkflow.request(draft, submit: true, by: manager, app: app)
                code = try await GrantRecord.find(id, on: app.db)?.code
                break
            }
            return Outcome(latin: name, native: native, grantCode: code)
        }
        return nil
    }

    static let summary = "Fictional case for the demo. Reported to the Tunis office by a partner: summoned twice by the police after a "
        + "press conference; the office does not know yet that Lyon follows him under the Latin spelling of his name."
    static let justification = "Fictional request for the demo: lawyer's fees for the hearing announced by the family."
}
