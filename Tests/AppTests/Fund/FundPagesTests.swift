@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The emergency fund through its pages, as its users meet it: a fund opened and allocated in
/// cascade (Lyon → Tunis → a partner), each allocation confirmed by a second person; a partner's
/// officer requests a grant for a case; above the partner's limit its fund manager's approval
/// leaves it waiting for Tunis, whose approval commits it; a payment in francs CFA at the day's
/// rate; the report; the statement and its CSV; the case file shows the grant.
@Suite struct FundPagesTests {
    static func location(_ res: TestingHTTPResponse) -> String { res.headers.first(name: .location) ?? "" }
    static func id(in location: String) throws -> UUID {
        try #require(UUID(uuidString: String(location.split(separator: "/").last!.split(separator: "?")[0].split(separator: "#")[0])))
    }

    @Test func a_grant_goes_from_request_to_report_through_the_pages() async throws {
        try await withApp { app in
            let lyon = try await Fixtures.organisation(app, type: .host, slug: "lyon", country: "FR", name: "Lyon head office")
            let tunis = try await Fixtures.organisation(app, type: .consortiumMember, slug: "tunis", country: "TN", name: "Tunis office")
            // A name a spreadsheet would take for a formula: the CSV must defuse it.
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "bangui", country: "CF", name: "=HYPERLINK(\"x\")")
            let sibling = try await Fixtures.organisation(app, type: .partner, slug: "yaounde", country: "CM", name: "Yaoundé partner")
            let (lyon1, lyon2) = (try await Fixtures.account(app, in: lyon, roles: [.fundManager]), try await Fixtures.account(app, in: lyon, roles: [.fundManager]))
            let (tunis1, tunis2) = (try await Fixtures.account(app, in: tunis, roles: [.fundManager]), try await Fixtures.account(app, in: tunis, roles: [.fundManager]))
            let manager = try await Fixtures.account(app, in: partner, roles: [.fundManager])
            let officer = try await Fixtures.account(app, in: partner, roles: [.protectionOfficer])
            let siblingManager = try await Fixtures.account(app, in: sibling, roles: [.fundManager])
            let hostOfficer = try await Fixtures.account(app, in: lyon, roles: [.protectionOfficer])
            func client(_ account: TestAccount) async throws -> TestClient {
                let client = TestClient(app)
                try await client.signIn(account)
                return client
            }

            // A case of Lyon's, granted to the partner: the grant will be tied to it.
            let hostActor = Actor(userID: hostOfficer.id, organisationID: hostOfficer.organisationID, organisationType: .host, roles: [.protectionOfficer])
            let caseID = try await CaseWorkflow.open(.init(country: "CF", summary: "Threatened after a report.", defender: .init(name: "Aline Mbarga")),
                                                     by: hostActor, app: app)
            try await CaseWorkflow.setGrant(caseID, organisation: try partner.requireID(), granted: true, by: hostActor, app: app)

            // Lyon opens the fund, naming a second manager.
            let l1 = try await client(lyon1), l2 = try await client(lyon2)
            #expect(try await l1.get("/funds/new").status == .ok)
            let bad = try await l1.post("/funds", [("name", "EU fund"), ("donor", "EU"), ("currency", "EUR"), ("budget", "1,250"), ("startsOn", "2026-01-01"),
                                                   ("endsOn", "2026-12-31"), ("categories[]", "legal")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("1250"), "an ambiguous amount is refused, with the way to write it")
            let created = try await l1.post("/funds", [("name", "EU emergency fund"), ("donor", "European Union"), ("currency", "EUR"),
                                                      ("budget", "500 000"), ("ceiling", "10 000"), ("startsOn", "2026-01-01"), ("endsOn", "2026-12-31"),
                                                      ("categories[]", "legal"), ("categories[]", "urgent_relocation"), ("managers[]", SiteURL.id(lyon2.id))])
            #expect(created.status == .seeOther)
            let fund = try Self.id(in: Self.location(created))

            // Lyon → Tunis (EUR 50 000, Tunis approves alone up to 5 000): the proposer cannot confirm.
            let proposed = try await l1.post("/funds/\(SiteURL.id(fund))/allocations", [("source", "fund"), ("organisation", SiteURL.id(try tunis.requireID())),
                                                                                       ("amount", "50 000"), ("limit", "5 000")])
            #expect(proposed.status == .seeOther)
            let tunisAllocation = try #require(try await AllocationRecord.query(on: app.db).filter(\.$organisationID == tunis.requireID()).first()?.id)
            let own = try await l1.post("/funds/\(SiteURL.id(fund))/allocations/\(SiteURL.id(tunisAllocation))", [("decision", "confirm")])
            #expect(own.status == .conflict && own.text.contains("another fund manager must confirm"))
            #expect(try await l2.post("/funds/\(SiteURL.id(fund))/allocations/\(SiteURL.id(tunisAllocation))", [("decision", "confirm")]).status == .seeOther)

            // Tunis → the partner (EUR 10 000, alone up to 1 000), and → a sibling partner.
            let t1 = try await client(tunis1), t2 = try await client(tunis2)
            let over = try await t1.post("/funds/\(SiteURL.id(fund))/allocations", [("source", SiteURL.id(tunisAllocation)),
                                                                                  ("organisation", SiteURL.id(try partner.requireID())), ("amount", "60 000"), ("limit", "1 000")])
            #expect(over.status == .conflict, "more than Tunis holds is refused")
            for organisation in [partner, sibling] {
                #expect(try await t1.post("/funds/\(SiteURL.id(fund))/allocations", [("source", SiteURL.id(tunisAllocation)),
                                                                                    ("organisation", SiteURL.id(try organisation.requireID())),
                                                                                    ("amount", "10 000"), ("limit", "1 000")]).status == .seeOther)
                let allocation = try #require(try await AllocationRecord.query(on: app.db).filter(\.$organisationID == organisation.requireID()).first()?.id)
                #expect(try await t2.post("/funds/\(SiteURL.id(fund))/allocations/\(SiteURL.id(allocation))", [("decision", "confirm")]).status == .seeOther)
            }
            let partnerAllocation = try #require(try await AllocationRecord.query(on: app.db).filter(\.$organisationID == partner.requireID()).first()?.id)

            // The partner's officer requests EUR 2 500 for the case, from the case file's link.
            let o = try await client(officer)
            let list = try await o.get("/grants").text
            #expect(list.contains(#"id="request-grant""#)
                && list.contains(#"<option value="\#(SiteURL.id(partnerAllocation))">EU emergency fund — =HYPERLINK(&quot;x&quot;)</option>"#),
                    "the list offers the partner's allocation to request under, its name escaped")
            let casePage = try await o.get("/cases/\(SiteURL.id(caseID))")
            #expect(casePage.text.contains("/grants/new?case=\(SiteURL.id(caseID))"), "the case file offers to request a grant")
            let form = try await o.get("/grants/new?case=\(SiteURL.id(caseID))")
            #expect(form.status == .ok && form.text.contains("Aline Mbarga"), "the form starts from the case's defender")
            let unbalanced = try await o.post("/grants", [("case", SiteURL.id(caseID)), ("allocation", SiteURL.id(partnerAllocation)), ("category", "legal"),
                                                          ("amount", "2 500"), ("beneficiary", "Aline Mbarga"), ("justification", "Lawyer before the hearing."),
                                                          ("lineLabel[]", "Lawyer"), ("lineAmount[]", "2 000"), ("intent", "submit")])
            #expect(unbalanced.status == .unprocessableEntity, "budget lines that do not add up are refused")
            let requested = try await o.post("/grants", [("case", SiteURL.id(caseID)), ("allocation", SiteURL.id(partnerAllocation)), ("category", "legal"),
                                                         ("amount", "2 500,00"), ("beneficiary", "Aline Mbarga"), ("justification", "Lawyer before the hearing."),
                                                         ("lineLabel[]", "Lawyer"), ("lineAmount[]", "2 000"), ("lineLabel[]", "Travel"), ("lineAmount[]", "500"),
                                                         ("intent", "submit")])
            #expect(requested.status == .seeOther)
            let grant = try Self.id(in: Self.location(requested))
            #expect(try await o.post("/grants/\(SiteURL.id(grant))/approve").status == .forbidden, "a protection officer approves nothing")

            // The sibling partner asks for the same person and need, spelt its own way: a decider sees
            // it counted, not shown; the requester, who could type any name into a draft, sees no check.
            let siblingAllocation = try #require(try await AllocationRecord.query(on: app.db).filter(\.$organisationID == sibling.requireID()).first()?.id)
            let s = try await client(siblingManager)
            #expect(try await s.post("/grants", [("allocation", SiteURL.id(siblingAllocation)), ("category", "legal"), ("country", "CM"), ("amount", "300"),
                                                 ("beneficiary", "ALINE M'BARGA"), ("justification", "Lawyer, again."), ("intent", "submit")]).status == .seeOther)
            #expect(!(try await o.get("/grants/\(SiteURL.id(grant))")).text.contains("id=\"duplicate-check\""), "the requester sees no duplicate check")

            // The partner's fund manager approves: above the partner's limit, it waits for Tunis.
            let m = try await client(manager)
            let waiting = try await m.get("/grants/\(SiteURL.id(grant))")
            #expect(waiting.text.contains("Lawyer before the hearing.") && waiting.text.contains("id=\"approve\""))
            #expect(waiting.text.contains("id=\"duplicate-check\"") && waiting.text.contains("Grants you cannot see: 1. Ask the coordinator"))
            #expect(!waiting.text.contains("Lawyer, again.") && !waiting.text.contains("M&#39;BARGA") && !waiting.text.contains("M'BARGA"),
                    "nothing of a grant the reader may not see")
            #expect(try await m.post("/grants/\(SiteURL.id(grant))/approve").status == .seeOther)
            let after = try await m.get("/grants/\(SiteURL.id(grant))")
            #expect(after.text.contains("Waiting for approval by Tunis office") && !after.text.contains("id=\"approve\""))
            #expect(try await GrantRecord.find(grant, on: app.db)?.state == .screening)
            // The sibling partner does not know the grant exists.
            #expect(try await s.get("/grants/\(SiteURL.id(grant))").status == .notFound)
            #expect(try await s.post("/grants/\(SiteURL.id(grant))/approve").status == .notFound)
            // Tunis completes it: the amount is committed.
            #expect(try await t1.post("/grants/\(SiteURL.id(grant))/approve").status == .seeOther)
            #expect(try await GrantRecord.find(grant, on: app.db)?.state == .approved)

            // Paid in francs CFA at 655.957: 1 639 893 XAF is EUR 2 500.00 (rounded half away from zero).
            let tooMuch = try await m.post("/grants/\(SiteURL.id(grant))/disburse", [("method", "mobile_money"), ("paidCurrency", "XAF"),
                                                                                    ("paidAmount", "2 000 000"), ("rate", "655,957"), ("rateOn", "2026-03-01"),
                                                                                    ("paidOn", "2026-03-02")])
            #expect(tooMuch.status == .conflict, "more than approved is refused")
            let noRate = try await m.post("/grants/\(SiteURL.id(grant))/disburse", [("method", "cash"), ("paidCurrency", "XAF"), ("paidAmount", "1000"),
                                                                                   ("paidOn", "2026-03-02")])
            #expect(noRate.status == .unprocessableEntity, "a payment in another currency needs its rate")
            #expect(try await m.post("/grants/\(SiteURL.id(grant))/disburse", [("method", "mobile_money"), ("paidCurrency", "XAF"),
                                                                              ("paidAmount", "1 639 893"), ("rate", "655,957"), ("rateOn", "2026-03-01"),
                                                                              ("paidOn", "2026-03-02")]).status == .seeOther)
            let paid = try #require(try await GrantRecord.find(grant, on: app.db))
            #expect(paid.disbursed == 250_000 && paid.state == .disbursed)
            #expect(try await m.post("/grants/\(SiteURL.id(grant))/report-request", [("dueOn", "2026-05-01")]).status == .seeOther)
            #expect(try await m.post("/grants/\(SiteURL.id(grant))/report", [("note", "Hearing held; the defender was released.")]).status == .seeOther)
            #expect(try await m.post("/grants/\(SiteURL.id(grant))/close").status == .seeOther)
            let closed = try await m.get("/grants/\(SiteURL.id(grant))")
            #expect(closed.text.contains("639") && closed.text.contains("893") && closed.text.contains("655.957") && closed.text.contains("Hearing held"))

            // The statement: Lyon sees the whole cascade; the CSV defuses the formula-like name.
            let statement = try await l1.get("/funds/\(SiteURL.id(fund))")
            #expect(statement.status == .ok && statement.text.contains("Tunis office") && statement.text.contains("Yaoundé partner"))
            let csv = try await l1.get("/funds/\(SiteURL.id(fund))/statement.csv")
            #expect(csv.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(csv.text.contains("'=HYPERLINK") && !csv.text.contains(",=HYPERLINK") && !csv.text.contains("\n=HYPERLINK"))
            #expect(csv.text.contains("2500.00"), "the committed and paid amounts are plain decimals")
            // The sibling sees its own branch only.
            let siblingView = try await s.get("/funds/\(SiteURL.id(fund))")
            #expect(siblingView.status == .ok && !siblingView.text.contains("HYPERLINK") && !siblingView.text.contains("Tunis office</strong>"))
            // The case file shows the grant and its steps.
            let caseFile = try await o.get("/cases/\(SiteURL.id(caseID))")
            #expect(caseFile.text.contains(try #require(try await GrantRecord.find(grant, on: app.db)).code))
        }
    }
}
