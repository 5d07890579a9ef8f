@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Promise P3 over the alert module: every personal field of an alert, its files, its history,
/// the verification and the error paths leave no canary in any file of the data folder or in the
/// logs; nor do the sender's address, browser, receipt or passphrase.
@Suite struct AlertCanaryTests {
    @Test func intake_verification_and_errors_leave_no_canary_on_disk_or_in_logs() async throws {
        let canaries = Canaries()
        var secrets = canaries.all + [canaries.ipAddress]
        try await withStoppedApp { app in
            let chain = try await AlertFixtures.chain(app)
            let visitor: HTTPHeaders = ["X-Forwarded-For": canaries.ipAddress, "X-Real-IP": canaries.ipAddress,
                                        "User-Agent": canaries.userAgent, "Referer": "https://\(canaries.tag).example/"]
            let fields = AlertFixtures.alert(name: canaries.latinName, narrative: canaries.coordinates + " " + canaries.georgianName,
                                             key: "canary-key-\(canaries.tag)-0000", extra: [
                                                "organisationName": canaries.arabicName, "region": canaries.cyrillicName,
                                                "contact": canaries.phone, "contactChannel": "signal", "consentToContact": true])
            let receipt = try await AlertFixtures.submit(app, fields, headers: visitor)
            secrets += [receipt.receipt, receipt.passphrase]
            // Errors: a refused alert and an idempotency conflict, both carrying canaries.
            var invalid = fields
            invalid["country"] = "ZZ"
            invalid["idempotencyKey"] = nil
            _ = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders, body: AlertFixtures.json(invalid))
            var conflicting = fields
            conflicting["narrative"] = canaries.email
            _ = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders, body: AlertFixtures.json(conflicting))
            _ = try await app.send(.POST, "/api/v1/public/alerts/updates", headers: AlertFixtures.jsonHeaders,
                                   body: AlertFixtures.json(["receipt": receipt.receipt, "passphrase": receipt.passphrase, "information": canaries.cyrillicName + " update"]))
            // The web form too, with a photo whose metadata holds a canary location.
            let form = TestClient(app)
            _ = try await form.get("/alerte", headers: visitor)
            _ = try await form.post("/alerte", [("defenderName", canaries.georgianName), ("narrative", canaries.latinName), ("country", "XX")])
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let evidenceName = "\(canaries.tag)-evidence.png"
            secrets.append(evidenceName)
            let png = UploadSamples.pngWithText(canaries.coordinates)
            try await AlertWorkflow.addSenderInformation(nil, uploads: [AlertUpload(name: evidenceName, kind: .png, bytes: try UploadInspector.sanitise(png).bytes)],
                                                         to: try #require(try await AlertRecord.find(id, on: app.db)), app: app)

            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            try await officer.post(SiteURL.alertAction(id, .triage).href, [("urgency", "p1"), ("note", canaries.arabicName + " note")])
            try await officer.post(SiteURL.alertAction(id, .comments).href, [("comment", canaries.phone + " comment")])
            try await officer.post(SiteURL.alertAction(id, .verification).href, [("verifiers[]", SiteURL.id(chain.verifier.id)), ("message", canaries.email + " message")])
            let verifier = TestClient(app)
            try await verifier.signIn(chain.verifier)
            let path = try #require(AlertFixtures.firstRequestPath(try await verifier.get("/verification").text))
            #expect(try await verifier.get(path).status == .ok)
            try await verifier.post(path + "/findings", [("reliability", "B"), ("credibility", "2"), ("notes", canaries.latinName + " finding")])
            try await officer.post(SiteURL.alertAction(id, .decision).href, [("decision", "verified"), ("grounds", canaries.cyrillicName + " grounds")])
            for page in [SiteURL.alert(id).href, "/alerts", "/attention"] {
                #expect(try await officer.get(page).status == .ok, "\(page)")
            }
        } afterStop: { folder in
            #expect(LogCapture.text.contains("POST /api/v1/public/alerts"))
            let hits = Canaries.scan(folder: folder, logs: LogCapture.text, for: secrets)
            #expect(hits.isEmpty, "canaries found: \(hits)")
        }
    }
}
