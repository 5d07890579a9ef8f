import EgideCore
import Foundation
import Testing

@Suite struct AlertDomainTests {
    let partnerA = UUID(), partnerB = UUID()

    @Test func the_standard_rule_proposes_verified_on_two_independent_credible_findings() {
        let rule = VerificationRule.standard
        let one = GradedFinding(organisationID: partnerA, reliability: .c, credibility: .probablyTrue)
        #expect(rule.evaluate([one]) == .notYet(credibleOrganisations: 1))
        // A second credible finding from the same organisation is not independent.
        #expect(!rule.evaluate([one, one]).proposesVerified)
        let other = GradedFinding(organisationID: partnerB, reliability: .d, credibility: .confirmed)
        #expect(rule.evaluate([one, other]) == .verifiedByIndependentFindings(organisations: 2))
        // Credibility 3 does not count.
        let doubtful = GradedFinding(organisationID: partnerB, reliability: .c, credibility: .possiblyTrue)
        #expect(rule.evaluate([one, doubtful]) == .notYet(credibleOrganisations: 1))
    }

    @Test func one_reliable_credible_source_suffices_under_the_standard_rule() {
        let rule = VerificationRule.standard
        #expect(rule.evaluate([GradedFinding(organisationID: partnerA, reliability: .b, credibility: .probablyTrue)])
                == .verifiedByReliableSource(.b, .probablyTrue))
        #expect(!rule.evaluate([GradedFinding(organisationID: partnerA, reliability: .c, credibility: .confirmed)]).proposesVerified)
        #expect(!rule.evaluate([GradedFinding(organisationID: partnerA, reliability: .a, credibility: .possiblyTrue)]).proposesVerified)
        var strict = rule
        strict.singleSourceReliabilityAtMost = nil
        #expect(!strict.evaluate([GradedFinding(organisationID: partnerA, reliability: .a, credibility: .confirmed)]).proposesVerified)
        strict.independentFindings = 1
        #expect(strict.evaluate([GradedFinding(organisationID: partnerA, reliability: .f, credibility: .confirmed)]).proposesVerified)
    }

    @Test func deadlines_follow_the_urgency_and_untriaged_alerts_count_as_p1() {
        let received = Date(timeIntervalSince1970: 1_800_000_000)
        let deadlines = ResponseDeadlines.standard
        #expect(deadlines.deadline(received: received, urgency: .p1).timeIntervalSince(received) == 24 * 3600)
        #expect(deadlines.deadline(received: received, urgency: .p2).timeIntervalSince(received) == 72 * 3600)
        #expect(deadlines.deadline(received: received, urgency: .p3).timeIntervalSince(received) == 7 * 24 * 3600)
        #expect(deadlines.deadline(received: received, urgency: .p4).timeIntervalSince(received) == 30 * 24 * 3600)
        #expect(deadlines.deadline(received: received, urgency: nil) == deadlines.deadline(received: received, urgency: .p1))
        let deadline = deadlines.deadline(received: received, urgency: .p1)
        #expect(DeadlineState.of(deadline: deadline, allowed: 86400, now: received) == .onTime)
        #expect(DeadlineState.of(deadline: deadline, allowed: 86400, now: deadline.addingTimeInterval(-3600)) == .dueSoon)
        #expect(DeadlineState.of(deadline: deadline, allowed: 86400, now: deadline.addingTimeInterval(1)) == .overdue)
    }

    @Test func deadlines_must_be_in_range_and_never_shorter_for_a_less_urgent_level() {
        #expect(ResponseDeadlines.standard.problems.isEmpty)
        #expect(ResponseDeadlines(hours: [.p1: 0, .p2: 72, .p3: 168, .p4: 720]).problems[.p1] == "alert.settings.deadline.range")
        #expect(ResponseDeadlines(hours: [.p1: 48, .p2: 24, .p3: 168, .p4: 720]).problems[.p2] == "alert.settings.deadline.order")
    }

    @Test func the_lifecycle_allows_the_protocol_and_nothing_else() {
        #expect(AlertLifecycle.canMove(from: .received, to: .triaged))
        #expect(AlertLifecycle.canMove(from: .triaged, to: .inVerification))
        #expect(AlertLifecycle.canMove(from: .inVerification, to: .verified))
        #expect(AlertLifecycle.canMove(from: .inVerification, to: .rejected))
        #expect(!AlertLifecycle.canMove(from: .received, to: .verified))
        #expect(!AlertLifecycle.canMove(from: .closed, to: .verified))
        #expect(!AlertLifecycle.canMove(from: .verified, to: .verified))
        #expect(AlertStatus.notVerified.publicStatus == .inProgress)
        #expect(AlertStatus.rejected.publicStatus == .closed)
    }

    @Test(arguments: [
        ("Mohamed Ben Salah", "Mohammed Bensalah"),
        ("Mohamed Ben Salah", "محمد بن صالح"),
        ("Mohamed Ben Salah", "Мухаммед Бенсалах"),
        ("Salah Mohamed", "Mohamed Salah"),
        ("Éléonore Mbarga", "Eleonore MBARGA"),
        ("Giorgi Beridze", "გიორგი ბერიძე"),
        ("Nadia Khaldi", "Nadia Haldi"),
    ])
    func transliterations_and_spellings_of_one_name_match(_ pair: (String, String)) {
        #expect(NameMatcher.isLikelySame(pair.0, pair.1), "\(pair.0) ~ \(pair.1): \(NameMatcher.similarity(pair.0, pair.1))")
    }

    @Test(arguments: [
        ("Mohamed Ben Salah", "Mohamed Trabelsi"),
        ("Giorgi Beridze", "Nino Kapanadze"),
        ("Aline Mbarga", "Jean-Pierre Kabila"),
        ("Nadia Khaldi", "Samir Khaldi"),
        ("Chantal Feza", "Faustin Zihindula"),
    ])
    func different_people_do_not_match(_ pair: (String, String)) {
        #expect(NameMatcher.similarity(pair.0, pair.1) == NameMatcher.similarity(pair.1, pair.0), "the score must not depend on the order")
        #expect(!NameMatcher.isLikelySame(pair.0, pair.1), "\(pair.0) ≁ \(pair.1): \(NameMatcher.similarity(pair.0, pair.1))")
    }

    @Test func the_policy_keeps_alerts_with_the_handlers_of_their_organisation() {
        let host = UUID(), partner = UUID()
        let officer = Actor(userID: UUID(), organisationID: host, organisationType: .host, roles: [.protectionOfficer])
        let admin = Actor(userID: UUID(), organisationID: host, organisationType: .host, roles: [.administrator])
        let verifier = Actor(userID: UUID(), organisationID: partner, organisationType: .partner, roles: [.verifier])
        #expect(AlertPolicy.evaluate(officer, .viewAlert, AlertTarget(organisation: host)).isAllowed)
        #expect(!AlertPolicy.evaluate(officer, .viewAlert, AlertTarget(organisation: partner)).isAllowed)
        #expect(!AlertPolicy.evaluate(admin, .viewAlert, AlertTarget(organisation: host)).isAllowed)
        #expect(AlertPolicy.evaluate(admin, .configureAlerts).isAllowed)
        #expect(!AlertPolicy.evaluate(verifier, .viewAlert, AlertTarget(organisation: host)).isAllowed)
        #expect(AlertPolicy.evaluate(verifier, .recordAlert).isAllowed)
        #expect(AlertPolicy.evaluate(verifier, .respondToVerification, AlertTarget(verifier: verifier.userID)).isAllowed)
        #expect(!AlertPolicy.evaluate(verifier, .respondToVerification, AlertTarget(verifier: UUID())).isAllowed)
        #expect(!AlertPolicy.evaluate(officer, .respondToVerification, AlertTarget(verifier: officer.userID)).isAllowed)
    }
}
