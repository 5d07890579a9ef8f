import Foundation
import Testing
@testable import EgideCore

/// Urgent appeals' pure rules: references, the workflow, consent, four eyes, the review diff.
@Suite struct AppealDomainTests {
    let org = UUID(), other = UUID(), me = UUID(), colleague = UUID()

    func actor(_ roles: Set<Role>, type: OrganisationType = .host, user: UUID? = nil, organisation: UUID? = nil) -> Actor {
        Actor(userID: user ?? me, organisationID: organisation ?? org, organisationType: type, roles: roles)
    }

    // MARK: References

    @Test func the_observatory_pattern_gives_its_references() throws {
        let parts = ReferencePattern.Parts(countryAlpha3: "tun", countrySequence: 3, yearlySequence: 45, year: 2025, month: 7)
        #expect(ReferencePattern.observatory.format(parts) == "TUN 003 / 0725 / OBS 045")
        #expect(ReferencePattern.followUp(of: "TUN 003 / 0725 / OBS 045", number: 1) == "TUN 003 / 0725 / OBS 045.1")
        #expect(ReferencePattern.slug("TUN 003 / 0725 / OBS 045.1") == "tun-003-0725-obs-045-1")
        let wide = try ReferencePattern("{YYYY}-{ISO3}-{yearly:04}")
        #expect(wide.format(parts) == "2025-TUN-0045")
        let big = ReferencePattern.Parts(countryAlpha3: "CMR", countrySequence: 1234, yearlySequence: 7, year: 2026, month: 12)
        #expect(ReferencePattern.observatory.format(big) == "CMR 1234 / 1226 / OBS 007")
    }

    @Test func a_pattern_that_could_repeat_a_reference_is_refused() {
        #expect(throws: ReferencePattern.Problem.missingYearly) { try ReferencePattern("{ISO3} {seq} / {MMYY}") }
        #expect(throws: ReferencePattern.Problem.missingYear) { try ReferencePattern("OBS {yearly}") }
        #expect(throws: ReferencePattern.Problem.unknownToken("name")) { try ReferencePattern("{name} {yearly} {YY}") }
        #expect(throws: ReferencePattern.Problem.unknownToken("ISO3:03")) { try ReferencePattern("{ISO3:03} {yearly} {YY}") }
        #expect(throws: ReferencePattern.Problem.unclosedBrace) { try ReferencePattern("{yearly {YY}") }
        #expect(throws: ReferencePattern.Problem.empty) { try ReferencePattern("  ") }
        #expect(throws: ReferencePattern.Problem.tooLong) { try ReferencePattern(String(repeating: "x", count: 81) + "{yearly}{YY}") }
    }

    // MARK: Workflow

    @Test func a_version_goes_from_draft_through_review_and_approval_to_publication() {
        #expect(AppealSteps.next(.draft, .submit, wasPublished: false) == .inReview)
        #expect(AppealSteps.next(.inReview, .returnToDraft, wasPublished: false) == .draft)
        #expect(AppealSteps.next(.inReview, .approve, wasPublished: false) == .approved)
        #expect(AppealSteps.next(.approved, .publish, wasPublished: false) == .published)
        // An update of a published text: back to draft, reviewed, approved, published as an update.
        #expect(AppealSteps.next(.published, .revise, wasPublished: true) == .draft)
        #expect(AppealSteps.next(.approved, .publish, wasPublished: true) == .updated)
        #expect(AppealSteps.next(.updated, .close, wasPublished: true) == .closed)
        // Nothing skips review or approval.
        #expect(AppealSteps.next(.draft, .publish, wasPublished: false) == nil)
        #expect(AppealSteps.next(.draft, .approve, wasPublished: false) == nil)
        #expect(AppealSteps.next(.inReview, .publish, wasPublished: false) == nil)
        #expect(AppealSteps.next(.closed, .revise, wasPublished: true) == nil)
        #expect(AppealSteps.next(.closed, .publish, wasPublished: true) == nil)
        // Withdrawal applies to what is or was online only.
        #expect(AppealSteps.next(.published, .withdraw, wasPublished: true) == .withdrawn)
        #expect(AppealSteps.next(.draft, .withdraw, wasPublished: false) == nil)
        #expect(AppealSteps.open(from: .inReview, wasPublished: false) == [.returnToDraft, .approve, .close])
    }

    @Test func publishing_needs_the_consent_in_force_of_every_defender_for_that_channel() {
        let a = UUID(), b = UUID()
        let t0 = Date(timeIntervalSince1970: 1_000), t1 = t0.addingTimeInterval(60)
        var consents = [AppealSteps.Consent(personID: a, channel: .publicPage, granted: true, at: t0)]
        #expect(AppealSteps.missingConsent(for: .publicPage, defenders: [a, b], consents: consents) == [b])
        consents.append(.init(personID: b, channel: .mailing, granted: true, at: t0))
        #expect(AppealSteps.missingConsent(for: .publicPage, defenders: [a, b], consents: consents) == [b])
        #expect(AppealSteps.missingConsent(for: .mailing, defenders: [a, b], consents: consents) == [a])
        consents.append(.init(personID: b, channel: .publicPage, granted: true, at: t0))
        #expect(AppealSteps.missingConsent(for: .publicPage, defenders: [a, b], consents: consents).isEmpty)
        // The latest word counts: a withdrawal after the consent.
        consents.append(.init(personID: a, channel: .publicPage, granted: false, at: t1))
        #expect(AppealSteps.missingConsent(for: .publicPage, defenders: [a, b], consents: consents) == [a])
        #expect(AppealSteps.missingConsent(for: .publicPage, defenders: [], consents: []).isEmpty)
    }

    @Test func a_closed_letter_never_reaches_the_public() {
        #expect(AppealSteps.refusal(kind: .closedLetter, channel: .publicPage) == "appeal.refusal.closedLetter")
        #expect(AppealSteps.refusal(kind: .closedLetter, channel: .mailing) == "appeal.refusal.closedLetter")
        #expect(AppealSteps.refusal(kind: .closedLetter, channel: .authorities) == nil)
        for kind in AppealKind.allCases where kind != .closedLetter {
            #expect(AppealSteps.refusal(kind: kind, channel: .publicPage) == nil)
        }
        #expect(!AppealKind.closedLetter.isPublic)
    }

    // MARK: Policy

    @Test func nobody_approves_a_version_they_wrote() {
        let officer = actor([.communicationsOfficer])
        #expect(!AppealPolicy.evaluate(officer, .approve, AppealTarget(organisationID: org, authors: [me])).isAllowed)
        #expect(AppealPolicy.evaluate(officer, .approve, AppealTarget(organisationID: org, authors: [colleague])).isAllowed)
        // A reviewer who suggested an edit is an author too.
        #expect(!AppealPolicy.evaluate(actor([.coordinator]), .approve, AppealTarget(organisationID: org, authors: [colleague, me])).isAllowed)
        // A protection officer writes, comments and records consent, but neither approves nor publishes.
        let protection = actor([.protectionOfficer])
        #expect(AppealPolicy.evaluate(protection, .write, nil).isAllowed)
        #expect(AppealPolicy.evaluate(protection, .recordConsent, nil).isAllowed)
        #expect(!AppealPolicy.evaluate(protection, .approve, AppealTarget(organisationID: org, authors: [colleague])).isAllowed)
        #expect(!AppealPolicy.evaluate(protection, .publish, nil).isAllowed)
    }

    @Test func appeals_stay_inside_their_organisation_and_away_from_partners() {
        let officer = actor([.communicationsOfficer])
        #expect(!AppealPolicy.evaluate(officer, .view, AppealTarget(organisationID: other)).isAllowed)
        #expect(!AppealPolicy.evaluate(actor([.communicationsOfficer], type: .partner), .view, nil).isAllowed)
        #expect(AppealPolicy.evaluate(actor([.auditor]), .view, nil).isAllowed)
        #expect(!AppealPolicy.evaluate(actor([.auditor]), .write, nil).isAllowed)
        #expect(!AppealPolicy.evaluate(actor([.verifier, .fundManager, .trainer]), .view, nil).isAllowed)
        #expect(AppealPolicy.evaluate(actor([.administrator]), .configure, nil).isAllowed)
        #expect(!AppealPolicy.evaluate(officer, .configure, nil).isAllowed)
    }

    // MARK: Review diff

    @Test func the_diff_of_a_suggested_edit_shows_the_words_changed_and_rebuilds_both_texts() {
        let old = "The Observatory has been informed of the arrest of Ms. A.\n\nRequested actions: release her."
        let new = "The Observatory has been informed by reliable sources of the arbitrary arrest of Ms. A.\n\nRequested actions: release her."
        let runs = TextDiff.runs(from: old, to: new)
        #expect(runs.filter { $0.change == .added }.map(\.text).joined().contains("reliable sources"))
        #expect(runs.filter { $0.change != .added }.map(\.text).joined() == old)
        #expect(runs.filter { $0.change != .removed }.map(\.text).joined() == new)
        #expect(!TextDiff.isChange(TextDiff.runs(from: old, to: old)))
        #expect(TextDiff.runs(from: "", to: "x") == [TextDiff.Run(.added, "x")])
    }

    @Test func the_diff_rebuilds_both_texts_for_random_edits() {
        var generator = SeededGenerator(seed: 19)
        let vocabulary = ["arrest", "release", "the", "Tunis", "Yaoundé", "المدافعة", "\n", "\n\n", "sentenced", "on", "12", "March"]
        for _ in 0..<300 {
            let a = (0..<Int.random(in: 0...40, using: &generator)).map { _ in vocabulary.randomElement(using: &generator)! }.joined(separator: " ")
            var words = a.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                if !words.isEmpty, Bool.random(using: &generator) { words.remove(at: Int.random(in: 0..<words.count, using: &generator)) }
                else { words.insert(vocabulary.randomElement(using: &generator)!, at: Int.random(in: 0...words.count, using: &generator)) }
            }
            let b = words.joined(separator: " ")
            let runs = TextDiff.runs(from: a, to: b)
            #expect(runs.filter { $0.change != .added }.map(\.text).joined() == a)
            #expect(runs.filter { $0.change != .removed }.map(\.text).joined() == b)
        }
    }

    @Test func a_huge_rewrite_falls_back_without_unbounded_work() {
        let a = (0..<5_000).map { "a\($0)" }.joined(separator: " ")
        let b = (0..<5_000).map { "b\($0)" }.joined(separator: " ")
        let runs = TextDiff.runs(from: a, to: b)
        #expect(runs.filter { $0.change != .added }.map(\.text).joined() == a)
        #expect(runs.filter { $0.change != .removed }.map(\.text).joined() == b)
    }
}
