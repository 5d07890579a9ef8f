@testable import App
@testable import EgideDemo
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
            let clockBefore = app.clock.now()
            let loaded = try await DemoData.load(into: app)
            let alerts = try await AlertRecord.query(on: app.db).all()

            // The clock is back where it was (tests stop it), and the summary tells the truth.
            #expect(abs(app.clock.now().timeIntervalSince(clockBefore)) < 1)
            #expect((180...220).contains(alerts.count), "\(alerts.count) alerts")
            #expect(loaded.alerts.total == alerts.count)
            #expect(loaded.alerts.lines.first?.hasPrefix("\(alerts.count) alerts") == true)

            // Every state, urgency, category, rejection reason; many countries, channels, both languages.
            for status in AlertStatus.allCases {
                let count = alerts.filter { $0.status == status }.count
                #expect(count >= (status == .attachedToCase ? 3 : 8), "\(count) alerts \(status.rawValue)")
                #expect(loaded.alerts.byStatus[status] == count)
            }
            for urgency in Urgency.allCases { #expect(alerts.filter { $0.urgency == urgency }.count >= 5, "\(urgency)") }
            #expect(Set(alerts.flatMap(\.categories)) == Set(AlertCategories.seeded.map(\.code)))
            let rejected = alerts.filter { $0.status == .rejected }
            #expect(Set(rejected.compactMap(\.rejectionReason)) == Set(RejectionReason.allCases))
            let countries = Set(alerts.map(\.country))
            #expect(countries.isSuperset(of: ["CM", "CD", "TN", "GE"]) && countries.count >= 6, "\(countries)")
            #expect(Set(alerts.map(\.channel)).isSuperset(of: [.webForm, .api, .partner, .phone, .signal]))
            #expect(Set(alerts.map(\.language)) == Set(Language.allCases.map(\.rawValue)))
            #expect(Set(alerts.compactMap(\.fieldOfWork)) == Set(FieldOfWork.allCases))
            #expect(alerts.contains { $0.contactChannel != nil } && alerts.contains { $0.contactChannel == nil })
            #expect(alerts.contains { $0.recordedByOrganisation != nil && $0.channel == .partner })

            // Four months of history; open alerts on time, due soon and overdue.
            let now = app.clock.now()
            let ages = alerts.map { now.timeIntervalSince($0.receivedAt) / 86400 }
            #expect(ages.max()! > 90 && ages.max()! < 126 && ages.min()! < 1, "\(ages.min()!)…\(ages.max()!) days")
            #expect(alerts.allSatisfy { $0.receivedAt <= clockBefore && $0.updatedAt <= clockBefore })
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
            #expect(alerts.filter { $0.language == "ar" }.count >= 2, "alerts written in Arabic")

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
                #expect(narrative.contains("Fictional alert") || narrative.contains("Alerte fictive") || narrative.contains("بلاغ وهمي"))
                if alert.language == "ar" { #expect(narrative.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) }) }
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

    /// About 80 protection cases through the real case workflow, among the alerts: every status,
    /// about 25 opened from verified alerts, risk histories going up and down, every state of the
    /// plan, support and referrals, costs in five currencies, overdue follow-ups, impact records at
    /// closure, 3 and 12 months, cases shared with partners — and an audit chain that verifies.
    @Test func the_demo_fills_the_case_module_in_every_state() async throws {
        try await withApp { app in
            let loaded = try await DemoData.load(into: app)
            let cases = try await CaseRecord.query(on: app.db).all()
            let items = try await CaseItemRecord.query(on: app.db).all()
            let alerts = try await AlertRecord.query(on: app.db).all()
            let now = app.clock.now()

            // About 80 cases in every status; the summary tells the truth.
            #expect((75...85).contains(cases.count), "\(cases.count) cases")
            #expect(loaded.cases.total == cases.count && loaded.cases.lines.first?.hasPrefix("\(cases.count) protection cases") == true)
            for status in CaseStatus.allCases {
                let count = cases.filter { $0.status == status }.count
                #expect(count >= 3, "\(count) cases \(status.rawValue)")
                #expect(loaded.cases.byStatus[status] == count)
            }
            #expect(Set(cases.map(\.country)).isSuperset(of: ["CM", "CD", "TN", "GE"]))
            #expect(cases.allSatisfy { $0.openedAt <= now && $0.updatedAt <= now && CaseCode(parsing: $0.code) != nil })

            // Opened from verified alerts (now case_opened); verified alerts attached to a case of the same defender.
            let fromAlerts = cases.filter { record in alerts.first { $0.id == record.alertID }?.status == .caseOpened }
            #expect(fromAlerts.count >= 20 && fromAlerts.count == cases.filter { $0.alertID != nil }.count, "\(fromAlerts.count) from alerts")
            #expect(alerts.filter { $0.status == .attachedToCase }.count >= 3)
            for record in fromAlerts {
                let alert = try #require(alerts.first { $0.id == record.alertID })
                #expect(alert.country == record.country && alert.organisationID == record.organisationID && record.openedAt >= alert.receivedAt)
            }

            // Leads are protection officers or coordinators of the host, a few of the Geneva consortium member.
            let handlers = DemoData.organisations.filter { [.host, .consortiumMember].contains($0.type) }.flatMap(\.people)
                .filter { !$0.roles.isDisjoint(with: CasePolicy.handlerRoles) }
            var handlerIDs: [UUID: String] = [:]
            for person in handlers {
                handlerIDs[try #require(try await Accounts.findUser(email: person.email, on: app.db, vault: app.vault)?.id)] = person.email
            }
            #expect(cases.allSatisfy { handlerIDs[$0.leadID] != nil })
            let genevaID = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$slug == "geneve").first()?.id)
            let geneva = cases.filter { handlerIDs[$0.leadID] == DemoAlerts.genevaHandler }
            #expect((1...10).contains(geneva.count) && geneva.allSatisfy { $0.organisationID == genevaID })
            #expect(cases.filter { $0.organisationID != genevaID }.allSatisfy { handlerIDs[$0.leadID] != DemoAlerts.genevaHandler })
            #expect(try await CaseTeamRecord.query(on: app.db).count() >= 10)

            // People: defenders (some organisations), relatives at risk, consent, sensitive fields only with it.
            let people = try await CasePersonRecord.query(on: app.db).all()
            #expect(Set(people.filter { $0.role == .defender }.map(\.caseID)).count == cases.count)
            #expect(people.contains { $0.role == .defender && $0.isOrganisation } && people.contains { $0.role == .relative })
            #expect(people.filter { $0.consentAt != nil }.count >= 5)
            #expect(people.contains { $0.sensitiveCiphertext != nil } && people.allSatisfy { $0.sensitiveCiphertext == nil || $0.consentAt != nil })
            #expect(try await CaseNameTokenRecord.query(on: app.db).count() >= people.count)

            // Risk histories: several versions, the level going up and down, judged levels differing with a justification.
            let assessments = items.filter { $0.kind == .assessment }
            var byCase: [UUID: [CaseItemRecord]] = [:]
            for item in assessments { byCase[item.caseID, default: []].append(item) }
            let histories = byCase.values.map { $0.sorted { $0.version < $1.version } }
            #expect(histories.filter { $0.count >= 2 }.count >= 20 && histories.contains { $0.count == 4 } && histories.allSatisfy { $0.count <= 4 })
            let trends = histories.compactMap { RiskTrend.of($0.compactMap { $0.level.flatMap(RiskLevel.init(value:)) }) }
            #expect(trends.contains(.up) && trends.contains(.down))
            let differing = assessments.filter { $0.level != $0.judgedLevel }
            #expect(differing.count >= 5)
            let assessment = try CaseWorkflow.content(CaseContent.Assessment.self, of: try #require(differing.first), vault: app.vault)
            #expect(!assessment.justification.isEmpty && !assessment.threats.isEmpty && !assessment.capacities.isEmpty)
            #expect(Set(assessments.map(\.category)) == ["initial", "scheduled", "new_threat", "change"])
            var actors: Set<ThreatActorType> = [], spaces: Set<ThreatSpace> = []
            for item in assessments {
                let content = try CaseWorkflow.content(CaseContent.Assessment.self, of: item, vault: app.vault)
                #expect(try CaseWorkflow.score(of: content).level.value == item.level)
                actors.formUnion(content.threats.map(\.actor))
                spaces.formUnion(content.threats.map(\.space))
            }
            #expect(actors.count >= 10 && spaces == Set(ThreatSpace.allCases))

            // The plan in every stage, domain, owner and state; support of every type, provider and state, in five currencies.
            let measures = items.filter { $0.kind == .measure }
            #expect(Set(measures.map(\.state)) == Set(MeasureState.allCases.map(\.rawValue)))
            #expect(Set(measures.map(\.category)) == Set(MeasureStage.allCases.map(\.rawValue)))
            let plan = try measures.map { try CaseWorkflow.content(CaseContent.Measure.self, of: $0, vault: app.vault) }
            #expect(Set(plan.map(\.domain)) == Set(MeasureDomain.allCases) && Set(plan.map(\.ownerKind)) == Set(MeasureOwnerKind.allCases))
            let supports = items.filter { $0.kind == .support }
            #expect(Set(supports.map(\.category)) == Set(SupportType.allCases.map(\.rawValue)))
            #expect(Set(supports.map(\.state)) == Set(SupportState.allCases.map(\.rawValue)))
            let provided = try supports.map { try CaseWorkflow.content(CaseContent.Support.self, of: $0, vault: app.vault).provider }
            #expect(Set(provided) == Set(SupportProvider.allCases))
            #expect(Set(supports.compactMap(\.currency)).isSuperset(of: ["EUR", "XAF", "CDF", "TND", "GEL"]))
            #expect(supports.allSatisfy { ($0.amountMinor == nil) == ($0.currency == nil) && ($0.amountMinor ?? 0) >= 0 })

            // Referrals to the partners in every state, names shared only with consent.
            let referrals = items.filter { $0.kind == .referral }
            #expect(Set(referrals.map(\.state)) == Set(ReferralState.allCases.map(\.rawValue)))
            let partners = try await OrganisationRecord.query(on: app.db).filter(\.$type == .partner).all().compactMap(\.id)
            #expect(referrals.allSatisfy { partners.contains($0.targetOrganisationID ?? UUID()) })
            for referral in referrals {
                let content = try CaseWorkflow.content(CaseContent.Referral.self, of: referral, vault: app.vault)
                #expect(content.consentRecorded || (content.people.isEmpty && content.contacts.isEmpty))
            }
            #expect(try referrals.contains { try !CaseWorkflow.content(CaseContent.Referral.self, of: $0, vault: app.vault).people.isEmpty })

            // Follow-ups: done (some with a new threat), missed, cancelled, and overdue ones on open cases.
            let followUps = items.filter { $0.kind == .followUp && $0.category == "contact" }
            #expect(Set(followUps.map(\.state)) == Set(FollowUpState.allCases.map(\.rawValue)))
            let open = Set(cases.filter { $0.status.isOpen }.compactMap(\.id))
            let overdue = followUps.filter { item in
                open.contains(item.caseID) && FollowUpState(rawValue: item.state)!.isOverdue(due: item.dueAt!, now: now)
            }
            #expect(overdue.count >= 3 && overdue.count == loaded.cases.overdueFollowUps, "\(overdue.count) overdue")
            #expect(followUps.contains { $0.dueAt! > now && $0.state == FollowUpState.scheduled.rawValue })
            #expect(try followUps.contains { try CaseWorkflow.content(CaseContent.FollowUp.self, of: $0, vault: app.vault).newThreat })
            let closedCases = Set(cases.filter { !$0.status.isOpen }.compactMap(\.id))
            #expect(followUps.allSatisfy { !closedCases.contains($0.caseID) || $0.state != FollowUpState.scheduled.rawValue })

            // Coordinator reviews of both kinds; closures with every outcome; impact at closure, 3 and 12 months.
            #expect(Set(items.filter { $0.kind == .review }.map(\.category)) == Set(CaseReviewKind.allCases.map(\.rawValue)))
            #expect(Set(cases.compactMap(\.outcome)) == Set(CaseOutcome.allCases))
            let impacts = items.filter { $0.kind == .impact }
            #expect(Set(impacts.map(\.state)) == Set(ImpactMoment.allCases.map(\.rawValue)))
            #expect(impacts.filter { $0.state == ImpactMoment.closure.rawValue }.count == cases.filter { $0.outcome != nil }.count)
            for impact in impacts where impact.state != ImpactMoment.closure.rawValue {
                let record = try #require(cases.first { $0.id == impact.caseID })
                let moment = try #require(ImpactMoment(rawValue: impact.state))
                let closures = try await CaseEntryRecord.query(on: app.db).filter(\.$caseID == impact.caseID).filter(\.$kind == "closed").all()
                #expect(closures.contains { moment.dueDate(closedAt: $0.createdAt) <= impact.createdAt }, "\(record.code) \(moment)")
            }
            #expect(cases.filter { $0.status == .closed }.allSatisfy { $0.closedAt != nil && $0.closureCiphertext != nil })
            #expect(cases.filter { $0.status == .reopened }.allSatisfy { $0.closedAt == nil && $0.outcome != nil })

            // Shared with the Cameroon and Congo partners, whose protection officers see those cases (and only those).
            for (slug, email) in DemoCases.partnerHandlers {
                let user = try #require(try await Accounts.findUser(email: email, on: app.db, vault: app.vault))
                let organisation = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$slug == slug).first())
                let actor = Actor(userID: try user.requireID(), organisationID: try organisation.requireID(), organisationType: .partner,
                                  roles: [.protectionOfficer])
                let seen = try await CaseQueries.visible(to: actor, on: app.db).all()
                let granted = try await CaseGrantRecord.query(on: app.db).filter(\.$organisationID == organisation.requireID()).all()
                #expect(seen.count >= 3 && seen.count == granted.count, "\(slug): \(seen.count)")
            }
            #expect(items.contains { $0.kind == .followUp && $0.category == "partner_note" })

            // Words readable and marked fictional; names searchable through their blind index.
            for record in cases {
                let summary = try CaseQueries.open(record, vault: app.vault).summary
                #expect(summary.contains("Dossier fictif") || summary.contains("Fictional case"), "\(record.code)")
            }
            let sample = try #require(cases.first { $0.alertID == nil })
            let defender = try #require(try await CaseQueries.people(of: sample, on: app.db, vault: app.vault).first { $0.role == .defender })
            let found = try await CaseQueries.matchingNames(defender.identity.name, organisations: nil, vault: app.vault, on: app.db)
            #expect(found.contains(try sample.requireID()))

            // History over the months, most of it the last four; the audit log is one intact chain, in time order.
            let ages = cases.map { now.timeIntervalSince($0.openedAt) / 86400 }
            #expect(ages.min()! < 5 && ages.max()! > 365 && ages.filter { $0 <= 125 }.count >= 70, "\(ages.min()!)…\(ages.max()!) days")
            let head = try await AuditLogCheck.verify(on: app.db as! any SQLDatabase)
            let events = try await AuditEventModel.query(on: app.db).sort(\.$id).all()
            #expect(head.sequence == Int64(events.count))
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.occurredAt <= $1.occurredAt })
            #expect(events.filter { $0.action.hasPrefix("case.") }.count >= 1_000)
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
