@testable import App
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

/// The list of encrypted columns against the real thing: the live schema on SQLite and on
/// PostgreSQL (issue #15: a hand-kept list lacked the case columns, and key rotation left case
/// files under the retired key while reporting success).
@Suite struct EncryptedColumnRegistryTests {
    /// Every ciphertext column (`…_ct`) the migrations made, as `table.column`.
    static func liveCiphertextColumns(_ app: Application) async throws -> Set<String> {
        let sql = try #require(app.db as? any SQLDatabase)
        var found = Set<String>()
        if case .sqlite = app.egideConfig.database {
            for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all().map({ try $0.decode(column: "name", as: String.self) }) {
                for column in try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all() {
                    let name = try column.decode(column: "name", as: String.self)
                    if name.hasSuffix("_ct") { found.insert("\(table).\(name)") }
                }
            }
        } else {
            for row in try await sql.raw("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()").all() {
                let name = try row.decode(column: "column_name", as: String.self)
                if name.hasSuffix("_ct") { found.insert("\(try row.decode(column: "table_name", as: String.self)).\(name)") }
            }
        }
        return found
    }

    @Test func every_ciphertext_column_of_the_live_schema_is_registered() async throws {
        try await withApp { app in
            let live = try await Self.liveCiphertextColumns(app)
            let registered = Set(EncryptedColumn.all.map { "\($0.table).\($0.column)" })
            #expect(live.contains("cases.summary_ct") && live.contains("case_items.content_ct"), "the schema read found the case columns")
            #expect(live.subtracting(registered).isEmpty, "ciphertext columns that key rotation would skip: \(live.subtracting(registered).sorted())")
            #expect(registered.subtracting(live).isEmpty, "registered columns that do not exist: \(registered.subtracting(live).sorted())")
        }
    }

    @Test func rotation_leaves_no_value_anywhere_under_a_retired_key() async throws {
        try await withApp { app in
            let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR", name: "Host NGO")
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let actor = Actor(userID: officer.id, organisationID: officer.organisationID, organisationType: .host, roles: [.protectionOfficer])
            let caseID = try await CaseWorkflow.open(.init(country: "CM", region: "Littoral", summary: "Threatened.",
                                                           defender: .init(name: "Aline Mbarga", contacts: "+237 6")), by: actor, app: app)
            let person = try #require(try await CasePersonRecord.query(on: app.db).filter(\.$caseID == caseID).first())
            try await CaseWorkflow.savePerson(try person.requireID(), in: caseID, role: .defender, isOrganisation: false,
                                              identity: .init(name: "Aline Mbarga"), sensitive: .init(genderIdentity: "woman"), consent: true,
                                              by: actor, app: app)
            _ = try await CaseWorkflow.scheduleFollowUp(caseID, due: app.clock.now().addingTimeInterval(86_400), purpose: "Call.", assignee: nil,
                                                        by: actor, app: app)
            try await CaseWorkflow.close(caseID, outcome: .riskReduced, situation: "Safe.", impact: .init(answers: [:], notes: nil), by: actor, app: app)

            let owners = try await DataKeyRecord.query(on: app.db).filter(\.$state == .active).filter(\.$purpose == .field).all().map(\.owner)
            let retired = Set(try owners.map { try app.vault.currentRing().activeKey(for: $0).id })
            try await app.transaction { db in for owner in owners { try await app.vault.createKey(owner: owner, on: db) } }
            _ = try await ReEncryption.run(app, owners: nil)

            // Every ciphertext column of the live schema, not the list rotation walked.
            let sql = try #require(app.db as? any SQLDatabase)
            var values = 0
            for column in try await Self.liveCiphertextColumns(app) {
                let parts = column.split(separator: ".").map(String.init)
                for row in try await sql.raw("SELECT \(ident: parts[1]) AS blob FROM \(ident: parts[0]) WHERE \(ident: parts[1]) IS NOT NULL").all() {
                    let blob = try row.decode(column: "blob", as: Data.self)
                    #expect(!retired.contains(try FieldCipher.keyID(of: Array(blob))), "\(column) still holds a value under a retired key")
                    values += 1
                }
            }
            #expect(values > 10, "the scan read the values")
            let record = try #require(try await CaseRecord.find(caseID, on: app.db))
            #expect(try CaseQueries.open(record, vault: app.vault).closure == "Safe.", "the case still opens")
        }
    }
}
