@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

@Suite struct AlertWorkflowTests {
    /// received → triaged → in verification → finding → verified, through the pages, with the
    /// verifier seeing only their request and never the sender's contact.
    @Test func an_alert_goes_from_triage_to_a_verified_decision() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(extra: [
                "contact": "+237 699 00 11 22", "contactChannel": "signal", "consentToContact": true]))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)

            // Verification cannot be asked before triage.
            let early = try await officer.post(SiteURL.alertAction(id, .verification).href, [("verifiers[]", SiteURL.id(chain.verifier.id))])
            #expect(early.status == .conflict && early.text.contains("Triage the alert"))

            #expect(try await officer.post(SiteURL.alertAction(id, .triage).href, [("urgency", "p1"), ("note", "Immediate danger")]).status == .seeOther)
            var alert = try #require(try await AlertRecord.find(id, on: app.db))
            #expect(alert.status == .triaged && alert.urgency == .p1 && alert.assigneeID == chain.officer.id)

            let page = try await officer.get(SiteURL.alert(id).href)
            // Verifiers of the alert's country are suggested first.
            let cameroonFirst = try #require(page.text.range(of: "Verifier Douala")), congo = try #require(page.text.range(of: "Verifier Goma"))
            #expect(cameroonFirst.lowerBound < congo.lowerBound)
            #expect(page.text.contains("+237 699 00 11 22"))  // the officer sees the contact

            let asked = try await officer.post(SiteURL.alertAction(id, .verification).href,
                                               [("verifiers[]", SiteURL.id(chain.verifier.id)), ("message", "Can you confirm the hearing date?")])
            #expect(asked.status == .seeOther)
            alert = try #require(try await AlertRecord.find(id, on: app.db))
            #expect(alert.status == .inVerification)

            // The Congo verifier sees nothing of it.
            let outsider = TestClient(app)
            try await outsider.signIn(chain.otherVerifier)
            #expect(AlertFixtures.firstRequestPath(try await outsider.get("/verification").text) == nil)
            #expect(try await outsider.get(SiteURL.alert(id).href).status == .forbidden)

            let verifier = TestClient(app)
            try await verifier.signIn(chain.verifier)
            let inbox = try await verifier.get("/verification")
            let path = try #require(AlertFixtures.firstRequestPath(inbox.text))
            #expect(try await outsider.get(path).status == .notFound)
            let request = try await verifier.get(path)
            #expect(request.status == .ok && request.text.contains("She was followed") && request.text.contains("Can you confirm the hearing date?"))
            #expect(!request.text.contains("699 00 11 22"), "a verifier must never see the sender's contact")
            #expect(!request.text.contains("Immediate danger"), "nor the internal notes")
            #expect(try await verifier.get(SiteURL.alert(id).href).status == .forbidden)

            let incomplete = try await verifier.post(path + "/findings", [("reliability", "B")])
            #expect(incomplete.status == .unprocessableEntity)
            #expect(try await verifier.post(path + "/findings", [("reliability", "B"), ("credibility", "2"), ("notes", "Confirmed with her lawyer.")]).status == .seeOther)
            // Answered: the request no longer shows the alert, and cannot be answered twice.
            let after = try await verifier.get(path)
            #expect(!after.text.contains("She was followed"))
            #expect(try await verifier.post(path + "/findings", [("reliability", "A"), ("credibility", "1"), ("notes", "Again")]).status == .conflict)

            let withFinding = try await officer.get(SiteURL.alert(id).href)
            #expect(withFinding.text.contains("B2") && withFinding.text.contains("Confirmed with her lawyer."))
            #expect(withFinding.text.contains(#"The rule proposes “verified”"#))

            #expect(try await officer.post(SiteURL.alertAction(id, .decision).href, [("decision", "verified")]).status == .unprocessableEntity)
            #expect(try await officer.post(SiteURL.alertAction(id, .decision).href,
                                           [("decision", "verified"), ("grounds", "B2 finding from the Douala partner.")]).status == .seeOther)
            alert = try #require(try await AlertRecord.find(id, on: app.db))
            #expect(alert.status == .verified && alert.decidedAt != nil)
            // The protocol refuses what does not follow.
            let invalid = try await officer.post(SiteURL.alertAction(id, .decision).href, [("decision", "rejected:out_of_mandate"), ("grounds", "x")])
            #expect(invalid.status == .conflict)
            let status = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders,
                                            body: AlertFixtures.json(["receipt": receipt.receipt, "passphrase": receipt.passphrase]))
            #expect(status.text.contains(#""status":"in_progress""#))

            // Every step is in the audit log, and the chain holds.
            let actions = try await AuditEventModel.query(on: app.db).all().map(\.action)
            for action in ["alert.receive", "alert.triage", "alert.verification_request", "verification.read", "verification.finding", "alert.decision", "alert.read"] {
                #expect(actions.contains(action), "\(action) not audited")
            }
            let head = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))
            #expect(head.sequence == Int64(actions.count))
        }
    }

    @Test func the_rule_needs_two_organisations_when_sources_are_not_reliable() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let id = try await AlertFixtures.alertID(app, receipt: try await AlertFixtures.submit(app, AlertFixtures.alert()).receipt)
            let officerActor = try await Accounts.actor(for: try #require(try await UserRecord.find(chain.officer.id, on: app.db)), on: app.db)
            try await AlertWorkflow.triage(id, urgency: .p2, note: nil, by: officerActor, app: app)
            let verifiers = try await UserRecord.query(on: app.db).filter(\.$id ~~ [chain.verifier.id, chain.otherVerifier.id]).all()
            try await AlertWorkflow.requestVerification(id, verifiers: verifiers, message: nil, by: officerActor, app: app)
            // Asking the same verifiers again while their requests are open is refused.
            await #expect(throws: Refusal.self) {
                try await AlertWorkflow.requestVerification(id, verifiers: verifiers, message: nil, by: officerActor, app: app)
            }
            let requests = try await VerificationRequestRecord.query(on: app.db).filter(\.$alertID == id).all()
            for request in requests {
                let user = try #require(try await UserRecord.find(request.verifierID, on: app.db))
                let actor = try await Accounts.actor(for: user, on: app.db)
                try await AlertWorkflow.respond(try request.requireID(), finding: .init(reliability: .c, credibility: .probablyTrue, notes: "seen", uploads: []),
                                                by: actor, app: app)
                let findings = try await VerificationFindingRecord.query(on: app.db).filter(\.$alertID == id).all()
                let proposal = VerificationRule.standard.evaluate(findings.map(\.graded))
                #expect(proposal.proposesVerified == (findings.count == 2))
            }
        }
    }

    @Test func categories_have_an_arabic_label_that_administrators_write() async throws {
        #expect(Set(AlertCategories.seededArabic.keys) == Set(AlertCategories.seeded.map(\.code)))
        try await withApp { app in
            // The migrated database: every seeded category reads in Arabic.
            let seeded = try await AlertCategoryRecord.query(on: app.db).all()
            #expect(seeded.count == AlertCategories.seeded.count)
            for category in seeded { #expect(category.label(in: .ar) == AlertCategories.seededArabic[category.code], "\(category.code)") }

            let chain = try await AlertFixtures.chain(app)
            let admin = try await Fixtures.account(app, in: chain.host, roles: [.administrator])
            let client = TestClient(app)
            try await client.signIn(admin)
            #expect(try await client.post("/admin/alert-settings/categories", [("code", "eviction"), ("labelEN", "Forced eviction"),
                                                                               ("labelFR", "Expulsion forcée")]).status == .seeOther)
            let added = try #require(try await AlertCategoryRecord.query(on: app.db).filter(\.$code == "eviction").first())
            #expect(added.labelAR == nil && added.label(in: .ar) == "Forced eviction")  // English until written
            let before = TestClient(app)
            try await before.signIn(chain.officer)
            #expect(try await before.get("/alerts", headers: ["Accept-Language": "ar"]).text.contains("Forced eviction"))  // now kept in memory
            #expect(try await client.post(SiteURL.alertCategory(try added.requireID()).href,
                                          [("labelEN", "Forced eviction"), ("labelFR", "Expulsion forcée"), ("labelAR", "إخلاء قسري"),
                                           ("active", "yes")]).status == .seeOther)
            let written = try #require(try await AlertCategoryRecord.find(try added.requireID(), on: app.db))
            #expect(written.label(in: .ar) == "إخلاء قسري")
            // The queue's filter names categories from memory (`CategoryCache`): the change shows at once.
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let queue = try await officer.get("/alerts", headers: ["Accept-Language": "ar"]).text
            #expect(queue.contains(#"<option value="eviction">إخلاء قسري</option>"#) && !queue.contains("Forced eviction"))
            let page = try await client.get("/admin/alert-settings", headers: ["Accept-Language": "ar"])
            #expect(page.text.contains("إخلاء قسري"))
        }
    }

    @Test func the_assignee_filter_lists_the_organisations_active_handlers_by_name() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let zoe = try await Fixtures.account(app, in: chain.host, roles: [.coordinator, .protectionOfficer], name: "Zoé Martin")
            let alice = try await Fixtures.account(app, in: chain.host, roles: [.protectionOfficer], name: "Alice Durand")
            let gone = try await Fixtures.account(app, in: chain.host, roles: [.protectionOfficer], name: "Gone Officer")
            _ = try await Fixtures.account(app, in: chain.host, roles: [.administrator], name: "Admin Only")
            let user = try #require(try await UserRecord.find(gone.id, on: app.db))
            user.disabledAt = app.clock.now()
            try await user.save(on: app.db)

            let ids = try await StaffDirectory.members(of: try chain.host.requireID(), roles: AlertPolicy.handlerRoles, on: app.db)
            #expect(ids.count == 3 && Set(ids) == [chain.officer.id, zoe.id, alice.id], "each handler once, however many roles")
            let client = TestClient(app)
            try await client.signIn(chain.officer)
            let page = try await client.get("/alerts").text
            let rest = page[(try #require(page.range(of: #"<select id="assignee""#))).lowerBound...]
            let select = String(rest[..<(try #require(rest.range(of: "</select>"))).lowerBound])
            let order = ["Alice Durand", "Officer Lyon", "Zoé Martin"].map { select.range(of: $0)?.lowerBound }
            #expect(order.allSatisfy { $0 != nil } && order == order.sorted { $0! < $1! }, "by name: \(select)")
            for absent in ["Gone Officer", "Admin Only", "Verifier Douala"] { #expect(!select.contains(absent), "\(absent)") }
        }
    }

    @Test func deadlines_come_from_the_settings_and_overdue_alerts_need_attention() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let admin = try await Fixtures.account(app, in: chain.host, roles: [.administrator])
            let adminClient = TestClient(app)
            try await adminClient.signIn(admin)
            let bad = try await adminClient.post("/admin/alert-settings", [("p1", "48"), ("p2", "24"), ("p3", "168"), ("p4", "720"),
                                                                          ("independent", "2"), ("credible", "2"), ("single", "B")])
            #expect(bad.status == .unprocessableEntity && bad.text.contains("more urgent level"))
            #expect(try await adminClient.post("/admin/alert-settings", [("p1", "12"), ("p2", "48"), ("p3", "168"), ("p4", "720"),
                                                                        ("independent", "2"), ("credible", "2"), ("single", "")]).status == .seeOther)
            let settings = try await AlertSettingsRecord.current(on: app.db)
            #expect(settings.deadlines.hours(for: .p1) == 12 && settings.rule.singleSourceReliabilityAtMost == nil)

            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Paul Biya Ndzana"))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let attention = try await officer.get("/attention")
            #expect(attention.text.contains("Paul Biya Ndzana"))
            #expect(try await officer.get("/alerts?overdue=1").text.contains("Paul Biya Ndzana") == false)
            app.clock.advance(by: 13 * 3600)
            try await officer.signIn(chain.officer)  // the session has expired meanwhile
            let overdue = try await officer.get("/alerts?overdue=1")
            #expect(overdue.text.contains("Paul Biya Ndzana") && overdue.text.contains("Overdue"))
            // Triage as P3 moves the deadline to 7 days after reception: no longer overdue.
            #expect(try await officer.post(SiteURL.alertAction(id, .triage).href, [("urgency", "p3")]).status == .seeOther)
            #expect(try await officer.get("/alerts?overdue=1").text.contains("Paul Biya Ndzana") == false)
            #expect(try await officer.get("/alerts?urgency=p3&country=CM&category=threats").text.contains("Paul Biya Ndzana"))
            #expect(try await officer.get("/alerts?category=killing").text.contains("Paul Biya Ndzana") == false)
            // A week later it is overdue again, until the team answers (here: asks a verifier).
            app.clock.advance(by: 7 * 24 * 3600)
            try await officer.signIn(chain.officer)
            #expect(try await officer.get("/alerts?overdue=1").text.contains("Paul Biya Ndzana"))
            #expect(try await officer.post(SiteURL.alertAction(id, .verification).href, [("verifiers[]", SiteURL.id(chain.verifier.id))]).status == .seeOther)
            #expect(try await officer.get("/alerts?overdue=1").text.contains("Paul Biya Ndzana") == false)
            #expect(try await AlertRecord.find(id, on: app.db)?.answeredAt != nil)
        }
    }

    @Test func duplicates_are_found_across_scripts_and_merging_keeps_both_histories() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let first = try await AlertFixtures.alertID(app, receipt: try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Mohamed Ben Salah", country: "TN")).receipt)
            let secondReceipt = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "محمد بن صالح", country: "TN", narrative: "Arrêté à Sfax."))
            let second = try await AlertFixtures.alertID(app, receipt: secondReceipt.receipt)
            _ = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Mohamed Trabelsi", country: "TN"))
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let page = try await officer.get(SiteURL.alert(first).href)
            #expect(page.text.contains(#"id="duplicates""#) && page.text.contains("محمد بن صالح"))
            #expect(!page.text.contains("Mohamed Trabelsi"))

            #expect(try await officer.post(SiteURL.alertAction(second, .merge).href, [("into", SiteURL.id(first))]).status == .seeOther)
            let merged = try #require(try await AlertRecord.find(second, on: app.db))
            #expect(merged.mergedInto == first && merged.status == .rejected && merged.rejectionReason == .duplicate)
            let primary = try await officer.get(SiteURL.alert(first).href)
            #expect(primary.text.contains("Arrêté à Sfax.") == false)  // the narrative stays on its own alert page…
            #expect(primary.text.contains("merged into this alert"))  // …but its history joins the primary's
            // Merging twice is refused; the duplicate's sender now follows the primary.
            #expect(try await officer.post(SiteURL.alertAction(second, .merge).href, [("into", SiteURL.id(first))]).status == .conflict)
            let status = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders,
                                            body: AlertFixtures.json(["receipt": secondReceipt.receipt, "passphrase": secondReceipt.passphrase]))
            #expect(status.status == .ok && status.text.contains(#""status":"received""#))
            // The queue no longer lists the duplicate.
            #expect(!(try await officer.get("/alerts").text.contains("محمد بن صالح")))
        }
    }

    @Test func partner_staff_record_alerts_for_the_host_and_do_not_read_the_queue() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let client = TestClient(app)
            try await client.signIn(chain.verifier)
            let form = try await client.get("/alerts/new")
            #expect(form.status == .ok && form.text.contains(#"name="channel""#))
            let missingChannel = try await client.post("/alerts", [("defenderName", "Amina"), ("country", "CM"), ("narrative", "Called us.")])
            #expect(missingChannel.status == .unprocessableEntity)
            let recorded = try await client.post("/alerts", [("channel", "phone"), ("defenderName", "Amina"), ("country", "CM"), ("narrative", "Called us.")])
            #expect(recorded.status == .created && recorded.text.contains(#"id="receipt""#))
            let alert = try #require(try await AlertRecord.query(on: app.db).first())
            let hostID = try chain.host.requireID(), cameroonID = try chain.cameroon.requireID()
            #expect(alert.organisationID == hostID && alert.channel == .phone)
            #expect(alert.recordedBy == chain.verifier.id && alert.recordedByOrganisation == cameroonID)
            #expect(try await client.get("/alerts").status == .forbidden)
            #expect(try await client.get(SiteURL.alert(try alert.requireID()).href).status == .forbidden)
            // A host officer records from a phone call and lands on the alert.
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let own = try await officer.post("/alerts", [("channel", "signal"), ("organisationName", "Collectif Ndé"), ("country", "CM"), ("narrative", "Signal call.")])
            #expect(own.status == .seeOther && own.headers.first(name: .location)?.contains("recorded=1") == true)
        }
    }

    @Test func the_api_lists_and_reads_alerts_for_handlers_with_the_scope() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(extra: ["contact": "+237 600 000 000", "contactChannel": "phone", "consentToContact": true]))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            func token(_ account: TestAccount, _ scopes: Set<APIScope>) async throws -> String {
                try await app.transaction { db in
                    try await TokensController.create(userID: account.id, organisation: account.organisationID, name: "t", scopes: scopes, days: 5,
                                                      by: .system, at: app.clock.now(), on: db)
                }
            }
            let officerToken = try await token(chain.officer, [.readAlerts])
            let wrongScope = try await token(chain.officer, [.readAccount])
            let verifierToken = try await token(chain.verifier, [.readAlerts])
            let list = try await app.send(.GET, "/api/v1/alerts?status=open", headers: ["Authorization": "Bearer \(officerToken)"])
            #expect(list.status == .ok && list.text.contains(#""total":1"#))
            let unknown = try await app.send(.GET, "/api/v1/alerts?status=waiting", headers: ["Authorization": "Bearer \(officerToken)"])
            #expect(unknown.status == .unprocessableEntity && unknown.text.contains("in_verification"))
            let new = try await app.send(.GET, "/api/v1/alerts?status=new", headers: ["Authorization": "Bearer \(officerToken)"])
            #expect(new.status == .ok && new.text.contains(#""total":1"#))
            let one = try await app.send(.GET, "/api/v1/alerts/\(SiteURL.id(id))", headers: ["Authorization": "Bearer \(officerToken)"])
            #expect(one.status == .ok && one.text.contains("She was followed") && !one.text.contains("600 000 000"))
            #expect(try await app.send(.GET, "/api/v1/alerts", headers: ["Authorization": "Bearer \(wrongScope)"]).status == .forbidden)
            #expect(try await app.send(.GET, "/api/v1/alerts", headers: ["Authorization": "Bearer \(verifierToken)"]).status == .forbidden)
            // A verifier is no handler: the API's role gate answers as the page's does (403), for any id.
            #expect(try await app.send(.GET, "/api/v1/alerts/\(SiteURL.id(id))", headers: ["Authorization": "Bearer \(verifierToken)"]).status == .forbidden)
        }
    }
}
