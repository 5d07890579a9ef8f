@testable import App
@testable import EgideDemo
import EgideCore
import Fluent
import Foundation
import Testing
import VaporTesting

/// The audit trail reads as words — names, actions, references — and every action the code records
/// has its words in both languages.
@Suite struct AuditTrailPageTests {
    @Test func the_trail_shows_names_actions_and_references_and_filters_by_person() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let auditor = try await Fixtures.account(app, in: chain.host, roles: [.auditor], name: "Auditor Geneva")
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Joseph Kabila Mutombo"))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let reference = try #require(try await AlertRecord.find(id, on: app.db)).reference
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            #expect(try await officer.get(SiteURL.alert(id).href).status == .ok)
            let client = TestClient(app)
            try await client.signIn(auditor)
            let page = try await client.get(SiteURL.adminAudit.href)
            #expect(page.status == .ok)
            for text in ["Officer Lyon", "Alert read", "Alert " + reference, "Alert received", "Public sender", "Chain intact"] {
                #expect(page.text.contains(text), "the trail lacks \(text)")
            }
            #expect(!page.text.contains(">" + SiteURL.id(chain.officer.id) + "<"), "no raw id where a name is known")
            let mine = try await client.get(SiteURL.adminAudit.href + "?actor=" + SiteURL.id(chain.officer.id)).text
            let rows = try #require(mine.components(separatedBy: "<tbody>").last)
            #expect(rows.contains("Alert read") && !rows.contains("Alert received") && !rows.contains("Public sender"))
            // The chain state is remembered, and a later visit walks only what was added since.
            #expect(try await client.get(SiteURL.adminAudit.href).text.contains("Chain intact"))
        }
    }

    @Test func every_action_the_code_records_has_words_in_both_languages() throws {
        let catalogue = try Catalogue.load(fromResources: packageRoot)
        var actions: Set<String> = ReferralState.allCases.filter { $0 != .proposed }.map { "case.referral_\($0.rawValue)" }.reduce(into: []) { $0.insert($1) }
        let pattern = try NSRegularExpression(pattern: #"(?:action: |audit\(actor, )(?:[^"\n]*\? )?"([a-z_]+\.[a-z_.]+)"(?: : "([a-z_]+\.[a-z_.]+)")?"#)
        let root = URL(fileURLWithPath: packageRoot + "/Sources/App")
        for file in FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap({ $0 as? URL }) where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                for group in 1...2 { if let range = Range(match.range(at: group), in: text) { actions.insert(String(text[range])) } }
            }
        }
        #expect(actions.count >= 60, "the scan found too few actions: \(actions.count)")
        for action in actions.sorted() where !action.hasSuffix(".title") {
            for language in Language.allCases {
                #expect(catalogue.text("audit.action." + action, in: language) != "audit.action." + action, "\(language): no words for \(action)")
            }
        }
    }

    @Test func every_action_of_the_demo_has_words() async throws {
        try await withApp { app in
            _ = try await DemoData.load(into: app)
            let recorded = try await AuditEventModel.query(on: app.db).unique().all(\.$action)
            #expect(recorded.count > 20)
            let missing = recorded.filter { !app.catalogue.contains("audit.action." + $0) }
            #expect(missing.isEmpty, "actions without words: \(missing)")
        }
    }
}
