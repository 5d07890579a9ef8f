@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The case file through the web forms, as an officer, a coordinator and partners meet it.
@Suite struct CaseWorkflowTests {
    /// A verified alert of the host, ready to become a case.
    static func verifiedAlert(_ app: Application, _ chain: AlertFixtures.Chain, name: String = "Aline Mbarga",
                              narrative: String = "She was followed and threatened after the hearing.") async throws -> UUID {
        let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(name: name, narrative: narrative))
        let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
        let officer = try await Accounts.actor(for: try #require(try await UserRecord.find(chain.officer.id, on: app.db)), on: app.db)
        try await AlertWorkflow.triage(id, urgency: .p1, note: nil, by: officer, app: app)
        try await AlertWorkflow.decide(id, .verified, grounds: "Two concordant sources.", by: officer, app: app)
        return id
    }

    static func onlyCase(_ app: Application) async throws -> CaseRecord {
        try #require(try await CaseRecord.query(on: app.db).sort(\.$openedAt, .descending).first())
    }

    @Test func a_verified_alert_becomes_a_case_that_goes_through_the_whole_protocol() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let coordinator = try await Fixtures.account(app, in: chain.host, roles: [.coordinator], name: "Coordinator Lyon")
            let partnerOfficer = try await Fixtures.account(app, in: chain.cameroon, roles: [.protectionOfficer], name: "Officer Douala")
            let alertID = try await Self.verifiedAlert(app, chain)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)

            // The verified alert offers to open a case; the form is prefilled from it.
            let alertPage = try await officer.get(SiteURL.alert(alertID).href)
            #expect(alertPage.text.contains("id=\"open-case\""))
            let form = try await officer.get(SiteURL.newCase.href + "?alert=" + SiteURL.id(alertID))
            #expect(form.status == .ok && form.text.contains("She was followed"))
            // A missing summary is refused on the form, nothing is created.
            let refused = try await officer.post("/cases", [("country", "CM"), ("summary", ""), ("alert", SiteURL.id(alertID))])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await CaseRecord.query(on: app.db).count() == 0)
            let opened = try await officer.post("/cases", [("country", "CM"), ("region", "Littoral"), ("summary", "Threatened after the hearing."),
                                                           ("defenderName", "Aline Mbarga"), ("fieldOfWork", "journalism"), ("alert", SiteURL.id(alertID))])
            #expect(opened.status == .seeOther)
            let record = try await Self.onlyCase(app)
            let id = try record.requireID()
            #expect(record.code.range(of: #"^CMR-\d{4}-0001$"#, options: .regularExpression) != nil)
            #expect(try await AlertRecord.find(alertID, on: app.db)?.status == .caseOpened)
            let file = SiteURL.caseFile(id).href

            // People, with a relative; sensitive fields without consent are refused.
            var res = try await officer.post(file + "/people", [("role", "relative"), ("name", "Paul Mbarga"), ("contacts", "+237 699 00 00 00")])
            #expect(res.status == .seeOther)
            res = try await officer.post(file + "/people", [("role", "relative"), ("name", "Jeanne"), ("genderIdentity", "x")])
            #expect(res.status == .unprocessableEntity)

            // A risk assessment: computed and judged levels, the next review.
            res = try await officer.post(file + "/assessments", [("threat_description_0", "Followed by plain-clothes police"), ("threat_actor_0", "police"),
                                                                 ("threat_space_0", "offline"), ("threat_likelihood_0", "9"), ("threat_impact_0", "5"),
                                                                 ("judgedLevel", "critical"), ("justification", "Imminent")])
            #expect(res.status == .unprocessableEntity)
            #expect(res.text.contains("threat_likelihood_0"))
            res = try await officer.post(file + "/assessments", [("threat_description_0", "Followed by plain-clothes police"), ("threat_actor_0", "police"),
                                                                 ("threat_space_0", "offline"), ("threat_likelihood_0", "3"), ("threat_impact_0", "4"),
                                                                 ("vulnerability_description_0", "Lives alone"), ("vulnerability_weight_0", "3"),
                                                                 ("capacity_description_0", "Lawyer on call"), ("capacity_weight_0", "2"),
                                                                 ("judgedLevel", "critical"), ("justification", "The hearing is next week.")])
            #expect(res.status == .seeOther)
            let assessed = try #require(try await CaseRecord.find(id, on: app.db))
            #expect(assessed.riskLevel == RiskLevel.high.value && assessed.judgedLevel == RiskLevel.critical.value)
            #expect(assessed.status == .active)
            // 3×4 = 12, × (1 + 3/15) ÷ (1 + 2/15) ≈ 12.7: high; the officer judged it critical.
            #expect(try await officer.get(file).text.contains("id=\"judged-level\">Critical"))
            #expect(assessed.nextReviewAt != nil)

            // Plan, support with a cost, a follow-up recording a new threat.
            res = try await officer.post(file + "/measures", [("description", "Change phone and SIM"), ("stage", "prevention"), ("domain", "digital"),
                                                              ("owner", "defender"), ("due", "2026-12-01")])
            #expect(res.status == .seeOther)
            res = try await officer.post(file + "/support", [("supportType", "legal"), ("supportDescription", "Lawyer for the hearing"),
                                                             ("provider", "external"), ("amount", "12,5,0"), ("currency", "EUR")])
            #expect(res.status == .unprocessableEntity)
            res = try await officer.post(file + "/support", [("supportType", "legal"), ("supportDescription", "Lawyer for the hearing"),
                                                             ("provider", "external"), ("amount", "1250.50"), ("currency", "EUR")])
            #expect(res.status == .seeOther)
            let support = try #require(try await CaseItemRecord.query(on: app.db).filter(\.$kind == .support).first())
            #expect(support.amountMinor == 125_050 && support.currency == "EUR")
            res = try await officer.post(file + "/follow-ups", [("followUpDue", "2020-01-01"), ("purpose", "Call after the hearing")])
            #expect(res.status == .seeOther)
            let followUp = try #require(try await CaseItemRecord.query(on: app.db).filter(\.$kind == .followUp).first())
            // Overdue, it is in "needs my attention".
            #expect(try await officer.get("/attention").text.contains(record.code))
            res = try await officer.post(file + "/follow-ups/" + SiteURL.id(try followUp.requireID()),
                                         [("state", "done"), ("notes", "New threatening calls."), ("newThreat", "1")])
            #expect(res.status == .seeOther)
            let prompted = try #require(try await CaseRecord.find(id, on: app.db))
            #expect(prompted.nextReviewAt! <= app.clock.now())

            // A referral to the Cameroon partner, names only with consent.
            res = try await officer.post(file + "/referrals", [("referTo", SiteURL.id(try chain.cameroon.requireID())), ("shares[]", "people_names"),
                                                               ("referralMessage", "Medical follow-up")])
            #expect(res.status == .unprocessableEntity)
            res = try await officer.post(file + "/referrals", [("referTo", SiteURL.id(try chain.cameroon.requireID())), ("shares[]", "risk_level"),
                                                               ("shares[]", "situation_summary"), ("referralMessage", "Medical follow-up")])
            #expect(res.status == .seeOther)
            let partner = TestClient(app)
            try await partner.signIn(partnerOfficer)
            let inbox = try await partner.get("/referrals")
            #expect(inbox.text.contains(record.code))
            let referral = try #require(try await CaseItemRecord.query(on: app.db).filter(\.$kind == .referral).first())
            let referralPage = try await partner.get(SiteURL.referral(try referral.requireID()).href)
            #expect(referralPage.status == .ok)
            #expect(referralPage.text.contains("Threatened after the hearing.") && !referralPage.text.contains("Paul Mbarga"))
            // The partner sees the referral, not the case file.
            #expect(try await partner.get(file).status == .notFound)
            res = try await partner.post(SiteURL.referralAction(try referral.requireID(), .answer).href, [("answer", "accepted"), ("text", "We take it.")])
            #expect(res.status == .seeOther)
            #expect(try await CaseItemRecord.find(referral.id, on: app.db)?.state == ReferralState.accepted.rawValue)

            // Granted access: the partner's limited view, without contacts; it may add a note.
            res = try await officer.post(file + "/grants", [("organisations[]", SiteURL.id(try chain.cameroon.requireID()))])
            #expect(res.status == .seeOther)
            let limited = try await partner.get(file)
            #expect(limited.status == .ok && limited.text.contains("id=\"limited-view\""))
            #expect(!limited.text.contains("+237 699 00 00 00") && !limited.text.contains("Threatened after the hearing."))
            #expect(try await partner.get("/cases").text.contains(record.code))
            #expect(try await partner.post(file + "/notes", [("partnerNote", "Visited her today.")]).status == .seeOther)
            #expect(try await partner.post(file + "/measures", [("description", "x"), ("stage", "prevention"), ("domain", "digital"), ("owner", "staff")]).status == .forbidden)

            // Another partner's officer: not in the list, 404 on the file.
            let outsider = TestClient(app)
            try await outsider.signIn(try await Fixtures.account(app, in: chain.congo, roles: [.protectionOfficer]))
            #expect(try await outsider.get(file).status == .notFound)
            #expect(!(try await outsider.get("/cases").text.contains(record.code)))

            // The coordinator's case review; closing with impact; impact at 3 months.
            let lead = TestClient(app)
            try await lead.signIn(coordinator)
            #expect(try await lead.post(file + "/reviews", [("reviewKind", "audit"), ("findings", "Plan followed"), ("reviewActions", "Reassess weekly")]).status == .seeOther)
            #expect(try await officer.post(file + "/reviews", [("reviewKind", "audit"), ("findings", "x"), ("reviewActions", "y")]).status == .forbidden)
            res = try await officer.post(file + "/close", [("outcome", "risk_reduced"), ("situation", "Safe, still working."), ("impact_safe", "yes"),
                                                           ("impact_still_active", "yes")])
            #expect(res.status == .seeOther)
            let closed = try #require(try await CaseRecord.find(id, on: app.db))
            #expect(closed.status == .closed && closed.outcome == .riskReduced)
            #expect(try await officer.post(file + "/measures", [("description", "x"), ("stage", "prevention"), ("domain", "digital"), ("owner", "staff")]).status == .conflict)
            #expect(try await officer.post(file + "/impact", [("moment", "three_months"), ("impact_safe", "yes"), ("impact_trained", "partly")]).status == .seeOther)
            let impacts = try await CaseItemRecord.query(on: app.db).filter(\.$kind == .impact).all().map(\.state)
            #expect(Set(impacts) == ["closure", "three_months"])
            // A year later, the 12-month impact is waiting on the lead's attention page (the 3-month one is recorded).
            app.clock.advance(by: 370 * 86400)
            try await officer.signIn(chain.officer)
            try await lead.signIn(coordinator)
            let later = try await officer.get("/attention").text
            let impactSection = try #require(later.range(of: "id=\"casework\"")).upperBound
            let due = String(later[impactSection...].prefix(2_000))
            #expect(due.contains(record.code) && due.contains("12 months after closure") && !due.contains("3 months after closure"))

            // The page shows it all; every read is an access event the lead and coordinators see.
            let page = try await officer.get(file)
            #expect(page.status == .ok)
            for text in ["Paul Mbarga", "Change phone and SIM", "1,250.50", "risk-chart", "Call after the hearing", "Visited her today."] {
                #expect(page.text.contains(text), "case page lacks \(text)")
            }
            #expect(!page.text.contains("<script"))
            let log = try await lead.get(file + "/access")
            #expect(log.status == .ok && log.text.contains("Officer Douala") && log.text.contains("Officer Lyon"))
            #expect(try await officer.get(file + "/access").status == .ok)  // the lead officer
            let reads = try await AuditEventModel.query(on: app.db).filter(\.$action == "case.read").filter(\.$objectID == SiteURL.id(id)).count()
            #expect(reads >= 3)
            _ = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))

            // Search: by code and by a word of a name; another word finds nothing.
            #expect(try await officer.get("/cases?status=all&q=" + record.code.lowercased()).text.contains(record.code))
            #expect(try await officer.get("/cases?status=all&q=mbarga").text.contains(record.code))
            #expect(!(try await officer.get("/cases?status=all&q=nobodyelse").text.contains(record.code)))
        }
    }

    @Test func officers_see_only_their_cases_and_coordinators_all_of_their_organisation() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let other = try await Fixtures.account(app, in: chain.host, roles: [.protectionOfficer], name: "Other Officer")
            let coordinator = try await Fixtures.account(app, in: chain.host, roles: [.coordinator])
            let officer = try await Accounts.actor(for: try #require(try await UserRecord.find(chain.officer.id, on: app.db)), on: app.db)
            let id = try await CaseWorkflow.open(.init(country: "TN", summary: "S", defender: .init(name: "Amira Ben Salah")), by: officer, app: app)
            let code = try #require(try await CaseRecord.find(id, on: app.db)).code
            #expect(code.hasPrefix("TUN-"))
            let otherClient = TestClient(app)
            try await otherClient.signIn(other)
            #expect(try await otherClient.get(SiteURL.caseFile(id).href).status == .notFound)
            #expect(!(try await otherClient.get("/cases").text.contains(code)))
            let coordinatorClient = TestClient(app)
            try await coordinatorClient.signIn(coordinator)
            #expect(try await coordinatorClient.get("/cases").text.contains(code))
            // Put on the team, the other officer sees it.
            try await CaseWorkflow.setTeam(id, lead: chain.officer.id, team: [other.id], by: officer, app: app)
            #expect(try await otherClient.get(SiteURL.caseFile(id).href).status == .ok)
            // A team member from outside the organisation is refused.
            await #expect(throws: Refusal.self) {
                try await CaseWorkflow.setTeam(id, lead: chain.officer.id, team: [chain.verifier.id], by: officer, app: app)
            }
            // Only a verified alert becomes a case.
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let fresh = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            await #expect(throws: Refusal.self) {
                _ = try await CaseWorkflow.open(.init(country: "CM", summary: "S", alertID: fresh), by: officer, app: app)
            }
        }
    }

    /// Promise P3 over cases: every personal field written through the forms leaves no canary in
    /// the data folder or the logs.
    @Test func case_fields_leave_no_canary_on_disk_or_in_logs() async throws {
        let canaries = Canaries()
        try await withStoppedApp { app in
            let chain = try await AlertFixtures.chain(app)
            let coordinator = try await Fixtures.account(app, in: chain.host, roles: [.coordinator])
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            try await officer.post("/cases", [("country", "GE"), ("region", canaries.cyrillicName), ("summary", canaries.coordinates),
                                              ("defenderName", canaries.georgianName)])
            let id = try #require(try await CaseRecord.query(on: app.db).first()?.requireID())
            let file = SiteURL.caseFile(id).href
            try await officer.post(file + "/people", [("role", "relative"), ("name", canaries.latinName), ("aliases", canaries.arabicName),
                                                      ("contacts", canaries.phone), ("address", canaries.email), ("dateOfBirth", "1990-01-01")])
            try await officer.post(file + "/assessments", [("threat_description_0", canaries.arabicName), ("threat_likelihood_0", "3"), ("threat_impact_0", "3"),
                                                           ("vulnerability_description_0", canaries.phone), ("vulnerability_weight_0", "2"),
                                                           ("capacity_description_0", canaries.email), ("capacity_weight_0", "2"),
                                                           ("judgedLevel", "high"), ("justification", canaries.latinName)])
            try await officer.post(file + "/measures", [("description", canaries.cyrillicName), ("stage", "response"), ("domain", "legal"), ("owner", "partner"),
                                                        ("ownerName", canaries.georgianName)])
            try await officer.post(file + "/support", [("supportType", "medical"), ("supportDescription", canaries.coordinates), ("provider", "external"),
                                                       ("providerName", canaries.latinName)])
            try await officer.post(file + "/follow-ups", [("followUpDue", "2026-12-01"), ("purpose", canaries.arabicName)])
            try await officer.post(file + "/referrals", [("referTo", SiteURL.id(try chain.cameroon.requireID())), ("shares[]", "people_names"),
                                                         ("shares[]", "contacts"), ("referralConsent", "1"), ("referralMessage", canaries.email)])
            try await officer.post(file + "/plan-reviews", [("planSummary", canaries.phone)])
            let lead = TestClient(app)
            try await lead.signIn(coordinator)
            try await lead.post(file + "/reviews", [("reviewKind", "conference"), ("findings", canaries.latinName), ("reviewActions", canaries.cyrillicName)])
            // Refused forms carry canaries too.
            try await officer.post(file + "/assessments", [("threat_description_0", canaries.georgianName), ("threat_likelihood_0", "7")])
            try await officer.post(file + "/close", [("outcome", "relocated"), ("situation", canaries.coordinates), ("impactNotes", canaries.email)])
            for page in [file, "/cases", "/cases?q=" + canaries.latinName, file + "/access", "/attention"] {
                #expect(try await officer.get(page).status == .ok, "\(page)")
            }
        } afterStop: { folder in
            let hits = Canaries.scan(folder: folder, logs: LogCapture.text, for: canaries.all)
            #expect(hits.isEmpty, "canaries found: \(hits)")
        }
    }
}
