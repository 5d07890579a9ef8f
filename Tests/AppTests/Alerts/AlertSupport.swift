@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Shared pieces of the alert tests: a valid JSON alert, sending it, and the people of a small
/// protection chain (host officer, partner verifiers in two countries).
enum AlertFixtures {
    static func json(_ fields: [String: Any]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }

    static func alert(name: String = "Aline Mbarga", country: String = "CM", narrative: String = "She was followed and threatened after the hearing.",
                      key: String? = nil, extra: [String: Any] = [:]) -> [String: Any] {
        var fields: [String: Any] = ["defenderName": name, "country": country, "narrative": narrative, "categories": ["threats"],
                                     "needs": ["legal"], "senderIsDefender": false, "fieldOfWork": "journalism", "language": "fr"]
        if let key { fields["idempotencyKey"] = key }
        for (k, v) in extra { fields[k] = v }
        return fields
    }

    static let jsonHeaders: HTTPHeaders = ["Content-Type": "application/json"]

    /// Submits through the public API and returns the decoded receipt.
    static func submit(_ app: Application, _ fields: [String: Any], headers: HTTPHeaders = [:]) async throws -> AlertReceipt {
        var all = jsonHeaders
        all.add(contentsOf: headers)
        let res = try await app.send(.POST, "/api/v1/public/alerts", headers: all, body: json(fields))
        #expect(res.status == .created, "submit: \(res.status) \(res.text)")
        return try JSONDecoder().decode(AlertReceipt.self, from: Data(res.text.utf8))
    }

    static func alertID(_ app: Application, receipt: String) async throws -> UUID {
        let tag = try AlertIntake.receiptTag(receipt, vault: app.vault)
        return try #require(try await AlertRecord.query(on: app.db).filter(\.$receiptTag == tag).first()?.requireID())
    }

    struct Chain {
        var host: OrganisationRecord
        var officer: TestAccount
        var cameroon: OrganisationRecord
        var verifier: TestAccount
        var congo: OrganisationRecord
        var otherVerifier: TestAccount
    }

    static func chain(_ app: Application) async throws -> Chain {
        let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR", name: "Host NGO")
        let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer], name: "Officer Lyon")
        let cameroon = try await Fixtures.organisation(app, type: .partner, slug: "cm", country: "CM", name: "Partner CM")
        let verifier = try await Fixtures.account(app, in: cameroon, roles: [.verifier], name: "Verifier Douala")
        let congo = try await Fixtures.organisation(app, type: .partner, slug: "cd", country: "CD", name: "Partner CD")
        let otherVerifier = try await Fixtures.account(app, in: congo, roles: [.verifier], name: "Verifier Goma")
        return Chain(host: host, officer: officer, cameroon: cameroon, verifier: verifier, congo: congo, otherVerifier: otherVerifier)
    }

    /// The first `/verification/<id>` link on the verifier's inbox.
    static func firstRequestPath(_ html: String) -> String? {
        guard let range = html.range(of: #"/verification/[0-9a-f-]{36}"#, options: .regularExpression) else { return nil }
        return String(html[range])
    }
}
