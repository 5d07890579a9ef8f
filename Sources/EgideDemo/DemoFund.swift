import App
import EgideCore
import Fluent
import Foundation
import Vapor

/// The demo's emergency fund: an EU fund in EUR and a Swiss fund in CHF, owned by the host in Lyon
/// and allocated in cascade — Lyon → the Tunis office → two local partners (Vigilance Droits in
/// Tunis, the Cameroon network in Yaoundé) —, every allocation proposed by one fund manager and
/// confirmed by a second; exchange rates entered month after month; about 60 grants in every
/// state, many tied to the demo's cases, approved under the four-eyes rule (two, three or four
/// approvers above the delegation limits), paid in XAF, TND, CDF and the funds' own currencies,
/// some in tranches, with reports due (some overdue), received and closed.
///
/// Everything goes through `FundWorkflow` and `GrantWorkflow`, with the actor of the right person
/// at each step, and is played among the alerts' and cases' steps in time order
/// (`DemoCases.play`), so the ledger, the audit log and "needs my attention" read like months of
/// use. The plan is deterministic (its own seeded generator) and checked against `FourEyes` and
/// the allocations' budgets while it is written.
enum DemoFund {
    typealias Random = DemoAlerts.Random
    typealias Pair = DemoAlertTexts.Pair

    static func email(_ local: String) -> String { DemoAlerts.email(local) }

    // MARK: Who does what (emails of `DemoData.organisations`)

    /// The fund managers of each organisation of the cascade (both of Lyon's manage both funds).
    static let managers: [String: [String]] = [
        "lyon": [email("sophie.laurent"), email("bertrand.giraud")],
        "tunis": [email("hela.benamor"), email("tarek.bouazizi")],
        "tn-tunis": [email("sami.ouertani")],
        "cm-yaounde": [email("estelle.ngo")],
    ]
    /// Who asks for grants in each organisation (never a fund manager: any of them may then approve).
    static let requesters: [String: [String]] = [
        "lyon": [email("karim.benali"), email("aissatou.diallo"), email("julien.roux")],
        "tunis": [email("dorra.kooli")],
        "tn-tunis": [email("rania.chebbi")],
        "cm-yaounde": [email("helene.mvogo")],
    ]

    // MARK: Funds, allocations, rates

    enum FundKey: String, Sendable, CaseIterable { case eu, swiss }

    struct FundSpec: Sendable {
        var key: FundKey
        var name: String
        var donor: String
        var currency: String
        /// In major units.
        var budget: Int64
        var ceiling: Int64
        var categories: [SupportCategory]
        var criteria: String
        var openedBy: String
        var daysAgo: Double
    }

    static let funds: [FundSpec] = [
        FundSpec(key: .eu, name: "EIDHR Emergency Fund — défenseur·ses en danger", donor: "Union européenne (IEDDH)", currency: "EUR",
                 budget: 500_000, ceiling: 10_000, categories: SupportCategory.allCases,
                 criteria: "Défenseur·ses des droits humains et organisations en danger du fait de leur activité ; besoin urgent non couvert par un autre bailleur ; 10 000 EUR au plus par subvention. (Fonds fictif — données de démonstration.)",
                 openedBy: email("sophie.laurent"), daysAgo: 150),
        FundSpec(key: .swiss, name: "Fonds suisse de protection d'urgence", donor: "Confédération suisse — DFAE", currency: "CHF",
                 budget: 150_000, ceiling: 8_000, categories: SupportCategory.allCases.filter { ![.securityCapacityBuilding, .other].contains($0) },
                 criteria: "Protection d'urgence des défenseur·ses en Afrique centrale, dans les Grands Lacs et en Géorgie ; 8 000 CHF au plus par subvention. (Fonds fictif — données de démonstration.)",
                 openedBy: email("bertrand.giraud"), daysAgo: 141),
    ]

    static func fund(_ key: FundKey) -> FundSpec { funds.first { $0.key == key }! }

    struct AllocationSpec: Sendable {
        var label: String
        var fund: FundKey
        var parent: String?
        var organisation: String
        /// In major units.
        var amount: Int64
        var limit: Int64
        var proposedBy: String
        /// Who confirms it (`withdraw`: who withdraws it; `nil`: still waiting for a second fund manager).
        var settledBy: String?
        var withdraw = false
        var daysAgo: Double
    }

    /// Lyon → Tunis office → two local partners (delegation limits 5,000 / 2,000 / 1,000–1,500 EUR);
    /// in the Swiss fund Lyon → Yaoundé. A top-up still waits for its second signature; a proposal was withdrawn.
    static let allocations: [AllocationSpec] = [
        AllocationSpec(label: "eu-lyon", fund: .eu, organisation: "lyon", amount: 300_000, limit: 5_000,
                       proposedBy: email("sophie.laurent"), settledBy: email("bertrand.giraud"), daysAgo: 148),
        AllocationSpec(label: "eu-tunis", fund: .eu, parent: "eu-lyon", organisation: "tunis", amount: 120_000, limit: 2_000,
                       proposedBy: email("bertrand.giraud"), settledBy: email("sophie.laurent"), daysAgo: 146),
        AllocationSpec(label: "eu-vigilance", fund: .eu, parent: "eu-tunis", organisation: "tn-tunis", amount: 30_000, limit: 1_000,
                       proposedBy: email("hela.benamor"), settledBy: email("tarek.bouazizi"), daysAgo: 143),
        AllocationSpec(label: "eu-yaounde", fund: .eu, parent: "eu-tunis", organisation: "cm-yaounde", amount: 40_000, limit: 1_500,
                       proposedBy: email("tarek.bouazizi"), settledBy: email("hela.benamor"), daysAgo: 142.5),
        AllocationSpec(label: "ch-lyon", fund: .swiss, organisation: "lyon", amount: 100_000, limit: 4_000,
                       proposedBy: email("bertrand.giraud"), settledBy: email("sophie.laurent"), daysAgo: 139),
        AllocationSpec(label: "ch-yaounde", fund: .swiss, parent: "ch-lyon", organisation: "cm-yaounde", amount: 25_000, limit: 1_000,
                       proposedBy: email("sophie.laurent"), settledBy: email("bertrand.giraud"), daysAgo: 137),
        AllocationSpec(label: "ch-tunis", fund: .swiss, parent: "ch-lyon", organisation: "tunis", amount: 15_000, limit: 1_500,
                       proposedBy: email("sophie.laurent"), settledBy: email("bertrand.giraud"), withdraw: true, daysAgo: 62),
        AllocationSpec(label: "eu-yaounde-2", fund: .eu, parent: "eu-tunis", organisation: "cm-yaounde", amount: 10_000, limit: 1_500,
                       proposedBy: email("hela.benamor"), settledBy: nil, daysAgo: 4),
    ]

    static func allocation(_ label: String) -> AllocationSpec { allocations.first { $0.label == label }! }

    /// The organisations with authority over money under `label`, lowest first, then the funds' owner (Lyon, no limit).
    static func chain(_ label: String) -> [(organisation: String, limit: Int64?)] {
        var chain: [(String, Int64?)] = []
        var next: String? = label
        while let current = next {
            let spec = allocation(current)
            chain.append((spec.organisation, spec.limit * 100))
            next = spec.parent
        }
        return chain + [("lyon", nil)]
    }

    /// When rates were entered (days ago), and by whom each pair.
    static let rateDays: [Double] = [140, 110, 80, 50, 20]
    static let rates: [(organisation: String, from: String, to: String, values: [String?])] = [
        ("lyon", "EUR", "XAF", ["655.957", nil, nil, "655.957", nil]),
        ("lyon", "EUR", "TND", ["3.3521", "3.3684", "3.3912", "3.4046", "3.4187"]),
        ("lyon", "EUR", "CDF", ["3071.25", "3098.4", "3126.75", "3152.1", "3187.6"]),
        ("lyon", "CHF", "XAF", ["702.113", "699.874", "704.562", "706.931", "703.448"]),
        ("lyon", "CHF", "CDF", ["3287.5", "3301.15", "3342.8", "3365.25", "3398.7"]),
        ("lyon", "CHF", "TND", ["3.5893", "3.6012", "3.6247", "3.6391", "3.652"]),
        ("cm-yaounde", "EUR", "XAF", ["655.957", nil, nil, "655.957", nil]),
        ("cm-yaounde", "CHF", "XAF", ["702.113", "699.874", "704.562", "706.931", "703.448"]),
        ("tn-tunis", "EUR", "TND", ["3.3525", "3.3688", "3.3905", "3.4051", "3.4179"]),
        ("tunis", "EUR", "TND", ["3.3521", "3.3684", "3.3912", "3.4046", "3.4187"]),
    ]

    // MARK: Grants

    /// How many grants end in each state, and under which allocations.
    static let slots: [(GrantState, [String])] = [
        (.draft, ["eu-lyon", "eu-vigilance", "eu-yaounde", "ch-lyon"]),
        (.submitted, ["eu-lyon", "eu-tunis", "eu-yaounde", "ch-yaounde"]),
        (.screening, ["eu-lyon", "eu-yaounde", "eu-tunis", "eu-vigilance", "ch-lyon"]),
        (.moreInformation, ["eu-lyon", "eu-vigilance", "ch-yaounde"]),
        (.approved, ["eu-lyon", "eu-yaounde", "eu-tunis", "ch-lyon"]),
        (.rejected, ["eu-lyon", "eu-vigilance", "eu-yaounde", "ch-lyon"]),
        (.disbursing, ["eu-lyon", "eu-yaounde", "eu-vigilance", "ch-lyon", "ch-yaounde"]),
        (.disbursed, ["eu-lyon", "eu-yaounde", "eu-tunis", "ch-lyon", "eu-vigilance"]),
        (.reportDue, ["eu-lyon", "eu-lyon", "eu-yaounde", "eu-yaounde", "eu-vigilance", "eu-tunis", "ch-lyon", "ch-yaounde"]),
        (.justified, ["eu-lyon", "eu-yaounde", "eu-vigilance", "ch-lyon", "eu-tunis"]),
        (.closed, ["eu-lyon", "eu-lyon", "eu-lyon", "eu-yaounde", "eu-yaounde", "eu-vigilance", "eu-tunis", "ch-lyon", "ch-yaounde"]),
        (.withdrawn, ["eu-lyon", "eu-yaounde", "eu-tunis"]),
        (.cancelled, ["eu-lyon", "eu-yaounde", "ch-lyon"]),
    ]

    /// Countries of grants not tied to a case, by allocation.
    static let countries: [String: [String]] = [
        "eu-lyon": ["CD", "GE", "CM", "TN", "BI"], "ch-lyon": ["CD", "CM", "GE"], "eu-tunis": ["TN", "TN", "LY"],
        "eu-vigilance": ["TN"], "eu-yaounde": ["CM", "CM", "CF", "TD"], "ch-yaounde": ["CM", "CF"],
    ]

    /// One grant request and what it becomes.
    struct GrantPlan: Sendable {
        var fate: GrantState
        var allocation: String
        var requester: String
        var caseIndex: Int?
        var category: SupportCategory
        var country: String
        /// In the fund's minor units.
        var amount: Int64
        var details: GrantContent.Details
    }

    /// A tranche as planned: paid in `paid`'s currency at the rate entered on `rateOn`.
    struct TranchePlan: Sendable {
        var method: DisbursementMethod
        var paid: Money
        var rateNanos: Int64?
        var rateOn: String
        var paidOn: String
        var note: String?
        var receipt: Bool
    }

    enum Step: Sendable {
        case openFund(FundKey)
        case allocate(String)
        case settle(String, confirm: Bool, by: String)
        case rate(from: String, to: String, nanos: Int64, on: String, by: String)
        case request(Int, submit: Bool)
        case submit(Int, note: String?)
        case decide(Int, GrantWorkflow.Ruling, note: String?, by: String)
        case approve(Int, by: String)
        case withdraw(Int, note: String)
        case cancel(Int, note: String, by: String)
        case disburse(Int, TranchePlan, by: String)
        case completeDisbursement(Int, by: String)
        case requestReport(Int, due: String, by: String)
        case receiveReport(Int, note: String, file: Bool, by: String)
        case close(Int, by: String)
    }

    struct Plan: Sendable {
        var grants: [GrantPlan]
        var steps: [(at: Date, step: Step)]
    }

    /// Writes the fund's story, beside the cases' plans (grants are tied to their cases), ending before `end`.
    static func plan(cases: [DemoCases.Plan], end: Date, seed: UInt64 = 0xF0_2D_2026) -> Plan {
        var planner = Planner(end: end, rng: Random(state: seed), cases: cases)
        return planner.build()
    }
}

// MARK: - Playing

extension DemoFund {
    struct StepFailed: Error, CustomStringConvertible {
        var step: String
        var underlying: any Error
        var description: String { "egide demo: fund, step \(step): \(underlying)" }
    }

    /// Plays the fund's steps (called by `DemoCases.play` in time order, with the cases made so far).
    struct Player {
        let app: Application
        let network: DemoData.Network
        let plan: Plan
        var funds: [FundKey: UUID] = [:]
        var allocations: [String: UUID] = [:]
        var grants: [Int: UUID] = [:]

        init(app: Application, network: DemoData.Network, plan: Plan) {
            self.app = app
            self.network = network
            self.plan = plan
        }

        func who(_ email: String) -> Actor { network.staff[email]! }

        mutating func perform(_ step: Step, caseIDs: [Int: UUID]) async throws {
            do {
                try await run(step, caseIDs: caseIDs)
            } catch {
                throw StepFailed(step: "\(step)", underlying: error)
            }
        }

        mutating func run(_ step: Step, caseIDs: [Int: UUID]) async throws {
            func grant(_ index: Int) -> UUID { grants[index]! }
            switch step {
            case .openFund(let key):
                let spec = DemoFund.fund(key)
                let now = app.clock.now()
                let draft = FundWorkflow.FundDraft(
                    name: spec.name, donor: spec.donor, currency: spec.currency, budget: spec.budget * 100, startsOn: DemoAlerts.day(now),
                    endsOn: DemoAlerts.day(now.addingTimeInterval(730 * 86400)), categories: spec.categories, ceiling: spec.ceiling * 100,
                    criteria: spec.criteria, managers: managers["lyon"]!.map { who($0).userID })
                funds[key] = try await FundWorkflow.createFund(draft, by: who(spec.openedBy), app: app)
            case .allocate(let label):
                let spec = DemoFund.allocation(label)
                allocations[label] = try await FundWorkflow.allocate(
                    fund: funds[spec.fund]!, parent: spec.parent.map { allocations[$0]! }, to: network.organisations[spec.organisation]!,
                    amount: spec.amount * 100, delegationLimit: spec.limit * 100, by: who(spec.proposedBy), app: app)
            case .settle(let label, let confirm, let by):
                try await FundWorkflow.settleAllocation(allocations[label]!, confirm: confirm, by: who(by), app: app)
            case .rate(let from, let to, let nanos, let day, let by):
                try await FundWorkflow.recordRate(fundCurrency: from, paymentCurrency: to, nanos: nanos, on: day, by: who(by), app: app)
            case .request(let index, let submit):
                let planned = plan.grants[index]
                let draft = GrantWorkflow.GrantDraft(allocationID: allocations[planned.allocation]!, caseID: planned.caseIndex.map { caseIDs[$0]! },
                                                     category: planned.category, country: planned.country, amount: planned.amount,
                                                     details: planned.details)
                grants[index] = try await GrantWorkflow.request(draft, submit: submit, by: who(planned.requester), app: app)
            case .submit(let index, let note):
                try await GrantWorkflow.submit(grant(index), note: note, by: who(plan.grants[index].requester), app: app)
            case .decide(let index, let decision, let note, let by):
                try await GrantWorkflow.decide(grant(index), decision, note: note, by: who(by), app: app)
            case .approve(let index, let by):
                try await GrantWorkflow.approve(grant(index), by: who(by), app: app)
            case .withdraw(let index, let note):
                try await GrantWorkflow.withdraw(grant(index), note: note, by: who(plan.grants[index].requester), app: app)
            case .cancel(let index, let note, let by):
                try await GrantWorkflow.cancel(grant(index), note: note, by: who(by), app: app)
            case .disburse(let index, let tranche, let by):
                let receipt: (name: String, mediaType: String, content: Data)? = tranche.receipt ? (name: "recu-\(tranche.paidOn).txt", mediaType: "text/plain", content: Data(DemoFundTexts.receiptFile.utf8)) : nil
                try await GrantWorkflow.disburse(grant(index), .init(method: tranche.method, paid: tranche.paid, rateNanos: tranche.rateNanos,
                                                                     rateOn: tranche.rateOn, paidOn: tranche.paidOn, note: tranche.note, receipt: receipt),
                                                 by: who(by), app: app)
            case .completeDisbursement(let index, let by):
                try await GrantWorkflow.completeDisbursement(grant(index), by: who(by), app: app)
            case .requestReport(let index, let due, let by):
                try await GrantWorkflow.requestReport(grant(index), dueOn: due, by: who(by), app: app)
            case .receiveReport(let index, let note, let file, let by):
                let content: (name: String, mediaType: String, content: Data)? = file ? (name: "rapport-final.txt", mediaType: "text/plain", content: Data(DemoFundTexts.reportFile.utf8)) : nil
                try await GrantWorkflow.receiveReport(grant(index), note: note, file: content, by: who(by), app: app)
            case .close(let index, let by):
                try await GrantWorkflow.close(grant(index), by: who(by), app: app)
            }
        }
    }

    // MARK: What was made

    /// Counts of what the demo's fund module holds, for the printed summary and the tests.
    struct Summary: Sendable, Equatable {
        var funds = 0
        var allocations = 0
        var allocationsWaiting = 0
        var rates = 0
        var grants = 0
        var byState: [GrantState: Int] = [:]
        var tiedToCases = 0
        var tranches = 0
        var paidIn: [String: Int] = [:]
        var overdueReports = 0

        /// `500,000`.
        func grouped(_ value: Int64) -> String {
            var digits = String(value), groups: [String] = []
            while digits.count > 3 { groups.insert(String(digits.suffix(3)), at: 0); digits.removeLast(3) }
            return ([digits] + groups).joined(separator: ",")
        }

        /// Three lines for the console.
        var lines: [String] {
            guard funds > 0 else { return [] }
            let states = GrantState.allCases.map { "\(byState[$0] ?? 0) \($0.rawValue.replacingOccurrences(of: "_", with: " "))" }
            let currencies = paidIn.keys.sorted().map { "\(paidIn[$0]!) in \($0)" }
            let budgets = DemoFund.funds.map { "\($0.donor), \(grouped($0.budget)) \($0.currency)" }
            return ["\(funds) emergency funds (" + budgets.joined(separator: "; ") + ") allocated Lyon → Tunis office → Vigilance Droits and Yaoundé "
                        + "(\(allocations) allocations, \(allocationsWaiting) waiting for a second fund manager), \(rates) exchange rates;",
                    "\(grants) grants: " + states.joined(separator: ", ") + "; \(tiedToCases) tied to a case; \(tranches) tranches paid ("
                        + currencies.joined(separator: ", ") + "), \(overdueReports) reports overdue;",
                    "fund managers: \(DemoFund.managers["lyon"]!.joined(separator: ", ")) (Lyon), \(DemoFund.managers["tunis"]!.joined(separator: ", ")) "
                        + "(Tunis office), \(DemoFund.managers["tn-tunis"]![0]) (Vigilance Droits), \(DemoFund.managers["cm-yaounde"]![0]) (Yaoundé)."]
        }
    }

    static func summary(on db: any Database, now: Date) async throws -> Summary {
        var summary = Summary()
        summary.funds = try await FundRecord.query(on: db).count()
        let allocations = try await AllocationRecord.query(on: db).all()
        summary.allocations = allocations.count
        summary.allocationsWaiting = allocations.filter { $0.state == .proposed }.count
        summary.rates = try await ExchangeRateRecord.query(on: db).count()
        let grants = try await GrantRecord.query(on: db).all()
        summary.grants = grants.count
        for state in GrantState.allCases { summary.byState[state] = grants.filter { $0.state == state }.count }
        summary.tiedToCases = grants.filter { $0.caseID != nil }.count
        let tranches = try await DisbursementRecord.query(on: db).all()
        summary.tranches = tranches.count
        for tranche in tranches { summary.paidIn[tranche.paidCurrency, default: 0] += 1 }
        let today = DemoAlerts.day(now)
        summary.overdueReports = grants.filter { $0.state == .reportDue && ($0.reportDueOn ?? today) < today }.count
        return summary
    }
}
