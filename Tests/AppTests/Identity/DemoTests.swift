@testable import App
import EgideCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import EgideCrypto

@Suite struct DemoTests {
    @Test func the_demo_builds_a_network_with_every_role_and_anyone_can_sign_in() async throws {
        try await withApp { app in
            let printed = try await DemoData.load(into: app, alerts: false).accounts
            #expect(try await OrganisationRecord.query(on: app.db).count() == DemoData.organisations.count)
            let roles = Set(try await UserRoleRecord.query(on: app.db).all().map(\.role))
            #expect(roles == Set(Role.allCases))
            let countries = Set(try await OrganisationRecord.query(on: app.db).all().map(\.country))
            #expect(countries.isSuperset(of: ["FR", "CM", "CD", "TN", "GE"]))
            let verifier = try #require(printed.first { $0.roles == "verifier" && $0.organisation == "cm-yaounde" })
            let client = try await Self.signIn(app, verifier)
            #expect(try await client.get("/account").status == .ok)
        }
    }

    @Test func the_demo_refuses_a_database_that_has_data() async throws {
        try await withApp { app in
            _ = try await Fixtures.hostAdmin(app)
            await #expect(throws: CommandFailure.self) { try await DemoData.load(into: app) }
            #expect(try await OrganisationRecord.query(on: app.db).count() == 1)
        }
    }

    /// About 200 alerts through the real intake and workflow: every state, urgency, category and
    /// rejection reason, findings, open requests for every printed verifier, merged duplicates, a
    /// realistic spread of dates and deadlines — and an audit chain that verifies.
    @Test func the_demo_fills_the_alert_module_in_every_state() async throws {
        try await withApp { app in
            let before = Date()
            let loaded = try await DemoData.load(into: app)
            let alerts = try await AlertRecord.query(on: app.db).all()

            // The clock is back to real time, and the summary tells the truth.
            #expect(abs(app.clock.now().timeIntervalSince(Date())) < 60)
            #expect((180...220).contains(alerts.count), "\(alerts.count) alerts")
            #expect(loaded.alerts.total == alerts.count)
            #expect(loaded.alerts.lines.first?.hasPrefix("\(alerts.count) alerts") == true)

            // Every state, urgency, category, rejection reason; many countries, channels, both languages.
            for status in AlertStatus.allCases {
                let count = alerts.filter { $0.status == status }.count
                #expect(count >= 8, "\(count) alerts \(status.rawValue)")
                #expect(loaded.alerts.byStatus[status] == count)
            }
            for urgency in Urgency.allCases { #expect(alerts.filter { $0.urgency == urgency }.count >= 5, "\(urgency)") }
            #expect(Set(alerts.flatMap(\.categories)) == Set(AlertCategories.seeded.map(\.code)))
            let rejected = alerts.filter { $0.status == .rejected }
            #expect(Set(rejected.compactMap(\.rejectionReason)) == Set(RejectionReason.allCases))
            let countries = Set(alerts.map(\.country))
            #expect(countries.isSuperset(of: ["CM", "CD", "TN", "GE"]) && countries.count >= 6, "\(countries)")
            #expect(Set(alerts.map(\.channel)).isSuperset(of: [.webForm, .api, .partner, .phone, .signal]))
            #expect(Set(alerts.map(\.language)) == ["fr", "en"])
            #expect(Set(alerts.compactMap(\.fieldOfWork)) == Set(FieldOfWork.allCases))
            #expect(alerts.contains { $0.contactChannel != nil } && alerts.contains { $0.contactChannel == nil })
            #expect(alerts.contains { $0.recordedByOrganisation != nil && $0.channel == .partner })

            // Four months of history; open alerts on time, due soon and overdue.
            let now = app.clock.now()
            let ages = alerts.map { now.timeIntervalSince($0.receivedAt) / 86400 }
            #expect(ages.max()! > 90 && ages.max()! < 126 && ages.min()! < 1, "\(ages.min()!)…\(ages.max()!) days")
            #expect(alerts.allSatisfy { $0.receivedAt <= before && $0.updatedAt <= before })
            let deadlines = try await AlertSettingsRecord.current(on: app.db).deadlines
            let states = alerts.filter { $0.status.isOpen }.map { alert in
                DeadlineState.of(deadline: alert.deadlineAt,
                                 allowed: TimeInterval(deadlines.hours(for: alert.urgency ?? ResponseDeadlines.untriaged)) * 3600, now: now)
            }
            for state in [DeadlineState.onTime, .dueSoon, .overdue] { #expect(states.contains(state), "no open alert \(state.rawValue)") }
            #expect(alerts.filter { $0.status == .received }.contains { $0.deadlineAt < now })

            // Findings: every verified alert has what the standard rule needs (one B2, or two C2 from two partners).
            let findings = try await VerificationFindingRecord.query(on: app.db).all()
            #expect(findings.count == loaded.alerts.findings && findings.count >= 60)
            for alert in alerts where alert.status == .verified {
                let graded = findings.filter { $0.alertID == alert.id }.map(\.graded)
                #expect(VerificationRule.standard.evaluate(graded).proposesVerified, "\(alert.reference): \(graded)")
            }
            #expect(alerts.contains { alert in Set(findings.filter { $0.alertID == alert.id }.map(\.organisationID)).count >= 2 })
            let requests = try await VerificationRequestRecord.query(on: app.db).all()
            #expect(Set(requests.map(\.state)) == Set(VerificationRequestRecord.State.allCases))

            // Each printed verifier has at least two requests waiting, on alerts in verification, and sees them.
            let verifiers = loaded.accounts.filter { $0.roles == "verifier" }
            #expect(verifiers.count == 4)
            for verifier in verifiers {
                let user = try #require(try await Accounts.findUser(email: verifier.email, on: app.db, vault: app.vault))
                let pending = requests.filter { $0.verifierID == user.id && $0.state == .pending }
                #expect(pending.count >= 2, "\(verifier.email): \(pending.count) pending")
                #expect(pending.allSatisfy { request in alerts.first { $0.id == request.alertID }?.status == .inVerification })
            }
            let amira = try #require(verifiers.first { $0.organisation == "tn-tunis" })
            let page = try await Self.signIn(app, amira).get("/verification")
            #expect(page.status == .ok && page.text.contains("id=\"pending\"") && page.text.contains("AL-"))

            // Merged duplicates, and near-duplicates shown on the alert page (spellings and scripts).
            let merged = alerts.filter { $0.mergedInto != nil }
            #expect(merged.count >= 1 && merged.allSatisfy { $0.status == .rejected && $0.rejectionReason == .duplicate })
            var byName: [String: AlertRecord] = [:]
            for alert in alerts {
                let names = try AlertQueries.names(alert, vault: app.vault)
                if let name = names.defender ?? names.organisation { byName[name] = alert }
            }
            for set in DemoAlerts.duplicateSets {
                let first = try #require(byName[set.variants[0].name])
                let found = Set(try await AlertQueries.duplicates(of: first, on: app.db, vault: app.vault).map { $0.0.id })
                for variant in set.variants.dropFirst() where variant.fate != .merged {
                    #expect(found.contains(try #require(byName[variant.name]).id), "\(variant.name) not shown beside \(set.variants[0].name)")
                }
            }
            #expect(byName.keys.contains { $0.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) } }, "an Arabic name")
            #expect(byName.keys.contains { $0.unicodeScalars.contains { (0x10A0...0x10FF).contains($0.value) } }, "a Georgian name")

            // History: assignments to the host's handlers, comments, sender follow-ups; content readable and marked fictional.
            let entries = try await AlertEntryRecord.query(on: app.db).all()
            for kind in [AlertEntryRecord.Kind.comment, .senderUpdate, .assignment, .merged, .declined] {
                #expect(entries.contains { $0.kind == kind }, "no \(kind.rawValue) entry")
            }
            let handlers = Set(DemoData.organisations.filter { [.host, .consortiumMember].contains($0.type) }.flatMap(\.people)
                .filter { !$0.roles.isDisjoint(with: AlertPolicy.handlerRoles) }.map(\.email))
            var handlerIDs: Set<UUID> = []
            for email in handlers { handlerIDs.insert(try #require(try await Accounts.findUser(email: email, on: app.db, vault: app.vault)?.id)) }
            #expect(alerts.compactMap(\.assigneeID).allSatisfy(handlerIDs.contains))
            #expect(alerts.filter { $0.urgency != nil }.allSatisfy { $0.assigneeID != nil })
            for alert in alerts {
                let narrative = try AlertQueries.open(alert, vault: app.vault).narrative
                #expect(narrative.contains("Fictional alert") || narrative.contains("Alerte fictive"))
            }

            // A protection officer's pages render with all this.
            let officer = try #require(loaded.accounts.first { $0.email == "aissatou.diallo@example.org" })
            let client = try await Self.signIn(app, officer)
            for path in ["/attention", "/alerts", SiteURL.alert(try #require(merged.first?.mergedInto)).href] {
                #expect(try await client.get(path).status == .ok, "\(path)")
            }

            // The audit log written along the way is one intact chain, in time order.
            let head = try await AuditLogCheck.verify(on: app.db as! any SQLDatabase)
            let events = try await AuditEventModel.query(on: app.db).sort(\.$id).all()
            #expect(head.sequence == Int64(events.count) && events.count > 700)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
        }
    }

    static func signIn(_ app: Application, _ printed: DemoData.Printed) async throws -> TestClient {
        let user = try #require(try await Accounts.findUser(email: printed.email, on: app.db, vault: app.vault))
        let account = TestAccount(id: try user.requireID(), organisationID: user.$organisation.id, email: printed.email,
                                  password: DemoData.password, seed: try EgideCrypto.Base32.decode(printed.secret))
        let client = TestClient(app)
        try await client.signIn(account)
        return client
    }
}
