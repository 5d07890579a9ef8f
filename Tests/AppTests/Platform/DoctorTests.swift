@testable import App
import Foundation
import Testing
import Vapor

@Suite struct DoctorTests {
    @Test func doctor_reads_durability_settings_back_from_the_database() async throws {
        try await withApp { app in
            let checks = await Doctor.run(app)
            #expect(!checks.contains { $0.status == .fail }, "\(checks.map(\.line))")
            let lines = checks.map(\.line)
            if testPostgresURL == nil {
                #expect(lines.contains("ok    sqlite: journal_mode=wal"))
                #expect(lines.contains("ok    sqlite: synchronous=full"))
                #expect(lines.contains("ok    sqlite: foreign_keys=on"))
                #expect(lines.contains { $0.hasPrefix("ok    database: sqlite ") })
            } else {
                #expect(lines.contains("ok    postgresql: synchronous_commit=on"))
                #expect(lines.contains("ok    postgresql: fsync=on"))
                #expect(lines.contains { $0.hasPrefix("ok    database: postgresql ") })
                #expect(!lines.joined().contains(":egide@"), "a database password must never be printed")
            }
            #expect(lines.contains("ok    migrations: \(Migrations.all.count) applied, none pending"))
        }
    }

    @Test func doctor_says_when_each_scheduled_job_ran_and_warns_when_one_failed_or_is_overdue() async throws {
        try await withApp { app in
            let jobLines = { await Doctor.run(app).filter { $0.name == "jobs" }.map(\.line) }
            #expect(await jobLines().allSatisfy { $0.hasPrefix("ok") && $0.contains("not run yet") })
            let jobs = Jobs.registry(app.egideConfig)
            await Jobs.tick(jobs, node: "test", app: app)
            #expect(await jobLines().allSatisfy { $0.hasPrefix("ok") && $0.hasSuffix(", ok") })
            let failing = Jobs.Job(name: jobs[0].name, every: jobs[0].every, lease: 60) { _, _ in throw Abort(.internalServerError) }
            app.clock.advance(by: jobs[0].every + 1)
            await Jobs.tick([failing], node: "test", app: app)
            #expect(await jobLines().contains { $0.hasPrefix("warn") && $0.contains(jobs[0].name) && $0.contains("failed") })
            app.clock.advance(by: 3 * 24 * 3600)
            #expect(await jobLines().allSatisfy { $0.hasPrefix("warn") }, "nobody ran the jobs for three days")
        }
    }

    @Test func doctor_fails_when_the_data_folder_is_open_to_others() async throws {
        try await withApp { app in
            let folder = app.egideConfig.dataDirectory
            chmod(folder, 0o755)
            defer { chmod(folder, 0o700) }
            let check = Doctor.dataFolderCheck(folder)
            #expect(check.status == .fail)
            #expect(check.detail.contains("0755"))
        }
    }

    @Test func doctor_warns_when_pages_are_rendered_from_disk() async throws {
        try await withApp { app in
            #expect(Doctor.pagesCheck(app.egideConfig).status == .ok)
            var developer = app.egideConfig
            developer.reloadTemplates = true
            let check = Doctor.pagesCheck(developer)
            #expect(check.status == .warn && check.detail.contains("EGIDE_RELOAD_TEMPLATES"))
        }
    }

    @Test func a_data_folder_is_created_owner_only() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DataDirectory.create(at: root + "/data")
        #expect(DataDirectory.mode(of: root + "/data") == 0o700)
        #expect(Doctor.dataFolderCheck(root + "/data").status == .ok)
    }

    @Test func doctor_on_an_uninitialised_data_folder_fails_without_creating_a_database() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = LaunchOptions()
        options.dataDirectory = root
        let config = try AppConfig.load(environment: ["EGIDE_RESOURCES_DIR": packageRoot], options: options)
        let app = try await Application.make(.testing)
        try configure(app, config)
        try await DatabaseSetup.applyConnectionSettingsIfPresent(app, creating: false)
        let checks = await Doctor.run(app)
        try await app.asyncShutdown()
        #expect(checks.contains { $0.status == .fail && $0.name == "database file" })
        #expect(!FileManager.default.fileExists(atPath: root + "/egide.sqlite"))
    }
}
