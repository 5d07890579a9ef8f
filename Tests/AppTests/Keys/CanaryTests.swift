@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// Promise P3 for what exists so far: no name, email, phone, location, password, address or
/// browser string reaches any file of the data folder or any log line — in clear, in UTF-16,
/// in base64, in any case or normalisation form.
@Suite struct CanaryTests {
    @Test func identity_and_key_operations_leave_no_canary_on_disk_or_in_logs() async throws {
        let canaries = Canaries()
        var secrets = canaries.all + [Fixtures.password, canaries.ipAddress]
        try await withStoppedApp { app in
            let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR", name: canaries.latinName)
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "partner", country: "CM", name: canaries.arabicName)
            let admin = try await Fixtures.account(app, in: host, roles: [.administrator], email: canaries.email, name: canaries.cyrillicName)
            _ = try await Fixtures.account(app, in: partner, roles: [.verifier], email: "geo.\(canaries.tag)@example.org", name: canaries.georgianName)
            secrets.append("geo.\(canaries.tag)@example.org")
            let client = TestClient(app)
            try await client.signIn(admin)
            for path in ["/admin/users", "/admin/organisations", "/account", "/admin/audit"] {
                #expect(try await client.get(path).status == .ok, "\(path)")
            }
            let invited = "\(canaries.phone.filter(\.isNumber))@example.org"
            secrets.append(invited)
            try await client.post("/admin/users/invite", [("organisation", SiteURL.id(try partner.requireID())), ("email", invited), ("roles[]", "verifier")])
            // A public visitor's address and browser must not be kept either.
            let visitor: HTTPHeaders = ["X-Forwarded-For": canaries.ipAddress, "User-Agent": canaries.userAgent, "Referer": "https://\(canaries.tag).example/"]
            _ = try await app.send(.GET, "/", headers: visitor)
            _ = try await app.send(.POST, "/sign-in", headers: visitor, body: "email=\(canaries.tag)%40example.org&password=x")
            // An evidence file whose name and content are canaries.
            try await app.transaction { db in
                _ = try await FileStore.store(Data((canaries.coordinates + " " + canaries.arabicName).utf8), name: canaries.latinName + ".txt",
                                              mediaType: "text/plain", organisation: try partner.requireID(), purpose: "test",
                                              at: app.clock.now(), on: db, vault: app.vault)
            }
            // Failed sign-in with a canary password, then key operations.
            try await TestClient(app).post("/sign-in", [("email", canaries.email), ("password", canaries.coordinates)])
            let owners = try await DataKeyRecord.query(on: app.db).filter(\.$state == .active).filter(\.$purpose == .field).all().map(\.owner)
            try await app.transaction { db in for owner in owners { try await app.vault.createKey(owner: owner, on: db) } }
            _ = try await ReEncryption.run(app, owners: nil)
            try await KeyCustody.rotateKEK(app, passphraseFile: nil)
            #expect(try await client.get("/account").status == .ok)
        } afterStop: { folder in
            // The logs were really captured (route lines at debug level), so the scan below means something.
            #expect(LogCapture.text.contains("GET /admin/users → 200"))
            let hits = Canaries.scan(folder: folder, logs: LogCapture.text, for: secrets)
            #expect(hits.isEmpty, "canaries found: \(hits)")
            // The harness itself must be able to see a leak: a planted file is found.
            try Data(canaries.latinName.decomposedStringWithCanonicalMapping.utf8).write(to: URL(fileURLWithPath: folder + "/planted.tmp"))
            #expect(!Canaries.scan(folder: folder, logs: "", for: [canaries.latinName]).isEmpty)
        }
    }
}
