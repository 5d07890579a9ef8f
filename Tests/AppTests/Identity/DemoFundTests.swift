@testable import App
@testable import EgideDemo
import EgideCore
import Fluent
import Foundation
import SQLKit
import Testing

extension DemoTests {
    /// An EU and a Swiss fund allocated Lyon → Tunis office → two partners, each allocation signed
    /// by two fund managers; about 60 grants through the real workflows in every state, approved
    /// under the four-eyes rule at every level, paid in XAF, TND and CDF at the rates entered, some
    /// in tranches, with reports overdue — the ledger balancing at every allocation, each partner
    /// seeing only its own branch, and an audit chain that verifies.
    @Test func the_demo_fills_the_fund_module_in_every_state() async throws {
        try await withApp { app in
            let loaded = try await DemoData.load(into: app)
            let now = app.clock.now()
            let today = Day.text(now)
            let organisations = Dictionary(uniqueKeysWithValues: try await OrganisationRecord.query(on: app.db).all().map { ($0.slug, $0.id!) })
            let slug = Dictionary(uniqueKeysWithValues: organisations.map { ($1, $0) })

            // Two funds of the host: EUR with a 10,000 EUR ceiling, and CHF.
            let funds = try await FundRecord.query(on: app.db).all()
            #expect(Set(funds.map(\.currency)) == ["EUR", "CHF"] && funds.allSatisfy { $0.organisationID == organisations["lyon"] })
            let eu = try #require(funds.first { $0.currency == "EUR" })
            #expect(eu.budget == 500_000_00 && eu.grantCeiling == 10_000_00)

            // Allocations in cascade, each confirmed by a second person; one waiting, one withdrawn.
            let allocations = try await AllocationRecord.query(on: app.db).all()
            let byID = Dictionary(uniqueKeysWithValues: allocations.map { ($0.id!, $0) })
            #expect(Set(allocations.map(\.state)) == Set(AllocationState.allCases))
            #expect(allocations.filter { $0.state == .active }.allSatisfy { $0.confirmedBy != nil && $0.confirmedBy != $0.proposedBy })
            let partners = allocations.filter { $0.fundID == eu.id && $0.state == .active && slug[$0.organisationID] != "tunis" && $0.parentID != nil }
            #expect(Set(partners.map { slug[$0.organisationID]! }) == ["tn-tunis", "cm-yaounde"])
            for allocation in partners {
                let office = try #require(byID[allocation.parentID!])
                #expect(slug[office.organisationID] == "tunis" && slug[byID[office.parentID!]!.organisationID] == "lyon")
                #expect(allocation.delegationLimit <= office.delegationLimit && office.delegationLimit <= byID[office.parentID!]!.delegationLimit)
            }

            // About 60 grants in every state; the summary tells the truth.
            let grants = try await GrantRecord.query(on: app.db).all()
            #expect((55...70).contains(grants.count) && loaded.fund.grants == grants.count, "\(grants.count) grants")
            for state in GrantState.allCases {
                let count = grants.filter { $0.state == state }.count
                #expect(count >= 3 && loaded.fund.byState[state] == count, "\(count) grants \(state.rawValue)")
            }
            #expect(Set(grants.map(\.category)) == Set(SupportCategory.allCases))
            #expect(Set(grants.map { slug[$0.organisationID]! }) == ["lyon", "tunis", "tn-tunis", "cm-yaounde"])

            // Words: budget lines summing to the amount, fictional, a host for every relocation.
            for grant in grants {
                let details = try GrantContent.open(grant, vault: app.vault)
                #expect(details.budgetLines.reduce(0) { $0 + $1.amount } == grant.amount && details.budgetLines.allSatisfy { $0.amount > 0 })
                #expect(details.justification.contains("Demande fictive") || details.justification.contains("Fictional request"))
                #expect(grant.category != .urgentRelocation || !(details.hostOrganisation ?? "").isEmpty)
            }

            // Tied to cases the requesting organisation holds or was granted, in the case's country.
            let tied = grants.filter { $0.caseID != nil }
            #expect(tied.count >= 15 && loaded.fund.tiedToCases == tied.count)
            for grant in tied {
                let record = try #require(try await CaseRecord.find(grant.caseID, on: app.db))
                let shared = try await CaseGrantRecord.query(on: app.db).filter(\.$caseID == record.id!).all().map(\.organisationID)
                #expect(grant.country == record.country && (record.organisationID == grant.organisationID || shared.contains(grant.organisationID)))
            }

            // Four eyes: never the requester, never twice the same person, every level the amount needs.
            let approvals = try await GrantApprovalRecord.query(on: app.db).all()
            var approvalCounts: [Int] = []
            for grant in grants {
                let mine = approvals.filter { $0.grantID == grant.id }
                #expect(!mine.contains { $0.userID == grant.requestedBy } && Set(mine.map(\.userID)).count == mine.count)
                let chain = try await FundQueries.chain(under: grant.allocationID, fund: funds.first { $0.id == grant.fundID }!, on: app.db).map(\.level)
                let complete = FourEyes.isComplete(mine.map { RecordedApproval(userID: $0.userID, level: $0.level) }, amount: grant.amount, chain: chain)
                #expect(complete == (grant.decidedAt != nil && grant.state != .rejected), "\(grant.code) \(grant.state)")
                if complete { approvalCounts.append(mine.count) }
            }
            #expect(Set(approvalCounts).isSuperset(of: [1, 2, 3, 4]), "\(approvalCounts)")
            #expect(grants.contains { grant in grant.state == .screening && approvals.contains { $0.grantID == grant.id } })

            // Tranches in local currencies at the rates entered, exact to the minor unit.
            let tranches = try await DisbursementRecord.query(on: app.db).all()
            #expect(Set(tranches.map(\.paidCurrency)).isSuperset(of: ["XAF", "TND", "CDF"]) && loaded.fund.tranches == tranches.count)
            for tranche in tranches {
                let grant = try #require(grants.first { $0.id == tranche.grantID })
                let value = ExchangeRate(fundCurrency: grant.currency, paymentCurrency: tranche.paidCurrency, nanos: tranche.rateNanos)
                    .toFundCurrency(Money(minorUnits: tranche.paidAmount, currency: tranche.paidCurrency))
                #expect(value?.minorUnits == tranche.amount && tranche.amount > 0)
            }
            for grant in grants {
                #expect(tranches.filter { $0.grantID == grant.id }.reduce(0) { $0 + $1.amount } == grant.disbursed)
                #expect(grant.disbursed <= grant.amount)
            }
            #expect(Dictionary(grouping: tranches, by: \.grantID).values.contains { $0.count >= 2 })
            let rates = try await ExchangeRateRecord.query(on: app.db).all()
            #expect(rates.contains { $0.fundCurrency == "EUR" && $0.paymentCurrency == "XAF" && $0.rateNanos == 655_957_000_000 })
            for pair in [("EUR", "TND"), ("EUR", "CDF"), ("CHF", "XAF")] {
                #expect(Set(rates.filter { $0.fundCurrency == pair.0 && $0.paymentCurrency == pair.1 }.map(\.rateOn)).count >= 3, "\(pair)")
            }

            // Reports: some overdue (under "needs my attention"), some due soon.
            let due = grants.filter { $0.state == .reportDue }.compactMap(\.reportDueOn)
            #expect(due.filter { $0 < today }.count >= 3 && due.filter { $0 < today }.count == loaded.fund.overdueReports)
            #expect(due.filter { $0 > today }.count >= 2)

            // The ledger balances at every allocation: what is committed and paid is what the grants say.
            for fund in funds {
                let balances = try await FundLedger.balances(fund: fund.id!, on: app.db)
                #expect(balances.allocatedFromFund <= fund.budget)
                for allocation in allocations where allocation.fundID == fund.id {
                    let balance = balances.allocations[allocation.id!] ?? AllocationBalance()
                    let under = grants.filter { $0.allocationID == allocation.id }
                    let committed = under.filter { $0.decidedAt != nil && $0.state != .rejected }
                        .reduce(Int64(0)) { $0 + ($1.state.holdsCommitment ? $1.amount : $1.disbursed) }
                    #expect(balance.available >= 0 && balance.committed == committed, "\(slug[allocation.organisationID]!)")
                    #expect(balance.disbursed == under.reduce(0) { $0 + $1.disbursed })
                    #expect(balance.received == (allocation.state == .withdrawn ? 0 : allocation.amount))
                }
            }

            // A partner's fund manager sees its own branch only, never its sibling's.
            for (manager, own, sibling) in [("sami.ouertani", "tn-tunis", "cm-yaounde"), ("estelle.ngo", "cm-yaounde", "tn-tunis")] {
                let user = try #require(try await Accounts.findUser(email: manager + "@example.org", on: app.db, vault: app.vault))
                let actor = Actor(userID: user.id!, organisationID: organisations[own]!, organisationType: .partner, roles: [.fundManager])
                let scope = try await FundQueries.scope(for: actor, on: app.db)
                #expect(!scope.allocations.isEmpty && scope.allocations.allSatisfy { byID[$0]?.organisationID == organisations[own] })
                let seen = try await FundQueries.visibleGrants(to: actor, scope: scope, on: app.db).all()
                #expect(!seen.isEmpty && seen.allSatisfy { $0.organisationID == organisations[own] } && !seen.contains { slug[$0.organisationID] == sibling })
            }

            // Record linkage: the Tunis office asked for a person Lyon supports, written in another script.
            // Tunis's other fund manager is referred to the coordinator; Lyon's sees both grants.
            let linkage = try #require(loaded.linkage)
            let tunisGrant = try #require(grants.first { $0.code == linkage.grantCode })
            let tarek = try #require(loaded.accounts.first { $0.email == "tarek.bouazizi@example.org" })
            let referred = try await DemoTests.signIn(app, tarek).get("/grants/\(SiteURL.id(tunisGrant.id!))").text
            #expect((referred.contains("Ask the coordinator") || referred.contains("Interrogez le coordinateur")) && !referred.contains(linkage.latin))
            let sophie = try #require(loaded.accounts.first { $0.email == "sophie.laurent@example.org" })
            #expect(try await DemoTests.signIn(app, sophie).get("/grants/\(SiteURL.id(tunisGrant.id!))").text.contains(linkage.latin))

            // Every step left its audit event, in time order, in one intact chain.
            let head = try await AuditLogCheck.verify(on: app.db as! any SQLDatabase)
            let events = try await AuditEventModel.query(on: app.db).sort(\.$id).all()
            #expect(head.sequence == Int64(events.count))
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
            #expect(events.filter { $0.action.hasPrefix("grant.") }.count >= 300 && events.contains { $0.action == "fund.allocation_confirm" })
        }
    }
}
