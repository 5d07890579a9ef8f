@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Testing
import Vapor

/// `egide linkage export | compare | resolve`: two instances find a person both supported, from
/// keyed Bloom filters, and only opaque ids cross between them.
@Suite struct LinkageCommandTests {
    @Test func score_prints_one_similarity_per_pair_and_names_a_bad_line() throws {
        let names = NameComparator()
        let same = try #require(Double(try LinkageScoreCommand.score("حسين بن صالح\tHocine Bensalah", number: 1, names: names)))
        let other = try #require(Double(try LinkageScoreCommand.score("Nino Beridze\tGiorgi Kapanadze", number: 2, names: names)))
        #expect(same >= NameMatcher.threshold && same <= 1 && other >= 0 && other < NameMatcher.threshold)
        #expect(try LinkageScoreCommand.score("\t", number: 3, names: names) == "0.000000", "two empty names score 0")
        do {
            _ = try LinkageScoreCommand.score("only one name", number: 4, names: names)
            Issue.record("a line without a tab was scored")
        } catch let failure as CommandFailure {
            #expect(failure.message.contains("line 4"))
        }
    }

    @Test func two_instances_find_a_shared_defender_through_opaque_ids_only() async throws {
        try await withApp { app in
            let host = try await Fixtures.organisation(app, type: .host)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let lead = Actor(userID: officer.id, organisationID: officer.organisationID, organisationType: .host, roles: [.protectionOfficer])
            let caseID = try await CaseWorkflow.open(.init(country: "TN", summary: "Threatened.", defender: .init(name: "Hocine Bensalah", dateOfBirth: "1984-03-12")),
                                                     by: lead, app: app)
            _ = try await CaseWorkflow.open(.init(country: "GE", summary: "Followed.", defender: .init(name: "Nino Beridze")), by: lead, app: app)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("egide-linkage-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let secret = Array("a secret agreed for this exchange".utf8)
            try Data(secret).write(to: URL(fileURLWithPath: folder + "/secret"))

            let printed = try await ProtectionTest.run(app, LinkageCommands(), ["export", "--secret-file", folder + "/secret", "--output", folder + "/ours.json"])
            #expect(printed.contains("2 people written"))
            let exported = try String(contentsOfFile: folder + "/ours.json", encoding: .utf8)
            #expect(!exported.contains("Bensalah") && !exported.contains("1984") && !exported.contains(caseID.uuidString.lowercased()),
                    "an export holds opaque ids and filters only")

            // The other instance wrote the same defender in Arabic script, and someone else.
            let encoder = try BloomEncoder(secret: secret, fields: 2)
            func record(_ id: String, _ name: String, _ birth: String?) -> LinkageExport.Record {
                .init(id: id, filter: encoder.encode(BloomLinkage.features(name: name, birth: birth)))
            }
            let theirs = LinkageExport(bits: encoder.bits, hashes: encoder.hashes,
                                       records: [record("t1", "حسين بن صالح", "1984-03-12"), record("t2", "Giorgi Kapanadze", nil)])
            try JSONEncoder().encode(theirs).write(to: URL(fileURLWithPath: folder + "/theirs.json"))
            let pairs = try await ProtectionTest.run(app, LinkageCommands(), ["compare", folder + "/ours.json", folder + "/theirs.json", "--threshold", "0.7"])
            #expect(pairs.contains("1 likely pair"))
            let ours = try JSONDecoder().decode(LinkageExport.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/ours.json")))
            let resolved = try await ProtectionTest.run(app, LinkageCommands(), ["resolve", ours.records[0].id, "--secret-file", folder + "/secret"])
            let code = try #require(try await CaseRecord.find(caseID, on: app.db)?.code)
            let other = try await ProtectionTest.run(app, LinkageCommands(), ["resolve", ours.records[1].id, "--secret-file", folder + "/secret"])
            #expect(resolved.contains(code) || other.contains(code), "this instance names its own record behind the id")

            // Reindexing rewrites the same tokens (twice is harmless).
            let before = Set(try await CaseNameTokenRecord.query(on: app.db).all().map { "\($0.personID) \($0.token)" })
            #expect(try await ProtectionTest.run(app, LinkageCommands(), ["reindex"]).contains("2 case people and 0 grants indexed"))
            _ = try await ProtectionTest.run(app, LinkageCommands(), ["reindex"])
            #expect(Set(try await CaseNameTokenRecord.query(on: app.db).all().map { "\($0.personID) \($0.token)" }) == before)

            // Bad input: a short secret, a file that is not an export, an unknown id.
            try Data("short".utf8).write(to: URL(fileURLWithPath: folder + "/weak"))
            await #expect(throws: CommandFailure.self) {
                try await ProtectionTest.run(app, LinkageCommands(), ["export", "--secret-file", folder + "/weak", "--output", folder + "/x.json"])
            }
            await #expect(throws: CommandFailure.self) {
                try await ProtectionTest.run(app, LinkageCommands(), ["compare", folder + "/secret", folder + "/theirs.json"])
            }
            await #expect(throws: CommandFailure.self) { try await ProtectionTest.run(app, LinkageCommands(), ["resolve", "00ff", "--secret-file", folder + "/secret"]) }
            // An id is tied to its exchange: under another secret it names nothing.
            try Data("another secret for another exchange".utf8).write(to: URL(fileURLWithPath: folder + "/other"))
            await #expect(throws: CommandFailure.self) {
                try await ProtectionTest.run(app, LinkageCommands(), ["resolve", ours.records[0].id, "--secret-file", folder + "/other"])
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/x.json"))
        }
    }
}
