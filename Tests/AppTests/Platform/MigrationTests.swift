@testable import App
import FluentKit
import SQLKit
import Testing
import Vapor

@Suite struct MigrationTests {
    @Test func migrations_revert_completely_and_apply_again() async throws {
        try await withApp { app in
            let sql = try #require(app.db as? any SQLDatabase)
            let initial = try await InstanceRecord.query(on: app.db).count()
            #expect(initial == 1)

            try await app.autoRevert()
            await #expect(throws: (any Error).self) { try await sql.raw("SELECT id FROM instance").run() }

            try await app.autoMigrate()
            let after = try await InstanceRecord.query(on: app.db).count()
            #expect(after == 1)
        }
    }

    @Test func applying_migrations_twice_changes_nothing() async throws {
        try await withApp { app in
            let before = try await InstanceRecord.query(on: app.db).first()?.id
            try await app.autoMigrate()
            let rows = try await InstanceRecord.query(on: app.db).all()
            #expect(rows.count == 1)
            #expect(rows.first?.id == before)
        }
    }
}
