@testable import App
import EgideCore
import Foundation
import Testing
import Vapor

/// `SiteURL` (the links, form actions and redirects pages build) against the route table, both
/// ways: every address it builds is a registered route, and every page route has its `SiteURL`.
@Suite struct SiteURLTests {
    /// One of every address `SiteURL` builds: every case, every typed form.
    static var samples: [SiteURL] {
        let id = UUID(), item = UUID()
        var all: [SiteURL] = [
            .home, .healthz, .language(.fr, next: nil), .language(.en, next: "/cases"), .language(.ar, next: nil), .setup(token: "t"), .signIn(next: nil),
            .signInCode, .unseal, .signOut, .enrolTwoFactor, .replaceTwoFactor, .invitation(token: "t"), .account, .accountPassword,
            .accountSessions, .accountTokens, .endSession(id), .revokeToken(id), .adminOrganisations, .newOrganisation,
            .adminOrganisation(id), .editOrganisation(id), .adminUsers, .inviteUser, .adminAudit, .adminUser(id),
            .alerts, .newAlert, .attention, .verificationRequests, .alert(id), .alertFile(id, item), .verificationRequest(id),
            .alertSettings, .alertCategories, .alertCategory(id), .cases, .newCase, .referrals, .caseFile(id), .referral(id),
        ]
        for language in Language.allCases { all += [.homeIn(language), .publicAlert(language), .publicFollowUp(language), .publicFollowUpAdd(language)] }
        for language in SiteURL.earlierPublicLanguages {
            all += [.earlierPublicAlert(language), .earlierPublicFollowUp(language), .earlierPublicFollowUpAdd(language)]
        }
        all += UserForm.allCases.map { .adminUserAction(id, $0) } + AlertForm.allCases.map { .alertAction(id, $0) }
        all += VerificationForm.allCases.map { .verificationAction(id, $0) } + CaseForm.allCases.map { .caseAction(id, $0) }
        all += CaseItemForm.allCases.map { .caseItemAction(id, $0, item) } + ReferralForm.allCases.map { .referralAction(id, $0) }
        all += [.funds, .newFund, .exchangeRates, .fund(id), .allocation(id, item), .grants, .newGrant(case: id, allocation: nil),
                .newGrant(case: nil, allocation: nil), .grant(id), .grantFile(id, item)]
        all += FundForm.allCases.map { .fundAction(id, $0) } + GrantForm.allCases.map { .grantAction(id, $0) }
        all += [.appealSubscribers, .appealSubscriberRemove(id), .unsubscribe(token: "t"), .appeals, .appealSettings, .newAppeal(case: id, parent: nil), .newAppeal(case: nil, parent: id), .appeal(id, language: nil),
                .appeal(id, language: .ar)]
        all += AppealForm.allCases.map { .appealAction(id, $0) }
        for language in AppealLanguage.allCases {
            all += [.publicAppeals(language), .publicAppeal(language, slug: "tun-003-0725-obs-045"), .appealFeed(language)]
        }
        return all
    }

    /// The case names of `SiteURL`, read from its source, so a new case without a sample fails.
    static func caseNames() throws -> Set<String> {
        let source = try String(contentsOfFile: packageRoot + "/Sources/App/Routing/SiteURL.swift", encoding: .utf8)
        let body = source[source.range(of: "enum SiteURL {")!.upperBound..<source.range(of: "var href: String")!.lowerBound]
        var names = Set<String>()
        for line in body.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix("case ") {
            let list = line.trimmingCharacters(in: .whitespaces).dropFirst(5)
            var depth = 0, current = ""
            for character in list {
                if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
                if depth == 0, character == "," { names.insert(current.trimmingCharacters(in: .whitespaces)); current = "" }
                else if depth == 0, character != ")" { current.append(character) }
            }
            names.insert(current.trimmingCharacters(in: .whitespaces))
        }
        return names
    }

    static func matches(_ path: String, _ route: Route) -> Bool {
        let segments = path.split(separator: "?")[0].split(separator: "/").map(String.init)
        // The home page is registered as one empty component.
        let pattern = route.path.filter { $0.description != "" }
        guard segments.count == pattern.count else { return false }
        return zip(segments, pattern).allSatisfy { segment, component in
            if case .constant(let constant) = component { return constant == segment }
            return true
        }
    }

    @Test func every_address_a_page_builds_is_a_route_and_every_page_route_has_its_address() async throws {
        let sampled = Set(Self.samples.map { "\($0)".split(separator: "(")[0].split(separator: ".").last.map(String.init) ?? "" })
        let declared = try Self.caseNames().subtracting(["stylesheet"])  // a file of Public/, not a route
        #expect(declared.subtracting(sampled).isEmpty, "SiteURL cases without a sample here: \(declared.subtracting(sampled).sorted())")
        try await withApp { app in
            let routes = app.routes.all
            for url in Self.samples {
                #expect(routes.contains { Self.matches(url.href, $0) }, "\(url) builds \(url.href), which no route answers")
            }
            let pages = routes.filter { $0.path.first?.description != "api" }
            for route in pages where !Self.samples.contains(where: { Self.matches($0.href, route) }) {
                Issue.record("\(AccessMatrixTests.key(route)) has no SiteURL: pages would spell its address by hand")
            }
        }
        #expect(FileManager.default.fileExists(atPath: packageRoot + "/Public" + SiteURL.stylesheet.href))
    }
}
