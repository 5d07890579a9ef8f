@testable import App
import Foundation
import Leaf
import LeafKit
import Vapor
import Testing

@Suite struct ConfigurationTests {
    let resources = ["EGIDE_RESOURCES_DIR": packageRoot]

    @Test func every_problem_is_reported_at_once_and_nothing_is_created() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = LaunchOptions()
        options.dataDirectory = root + "/missing-parent/data"
        options.databaseURL = "postgres://"
        var environment = resources
        environment["EGIDE_LOG_LEVEL"] = "chatty"
        #expect {
            try AppConfig.load(environment: environment, options: options)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.count == 3
                && error.problems.contains { $0.contains("data folder") && $0.contains("missing-parent") }
                && error.problems.contains { $0.contains("DATABASE_URL") }
                && error.problems.contains { $0.contains("EGIDE_LOG_LEVEL") }
        }
        #expect(!FileManager.default.fileExists(atPath: root + "/missing-parent"))
    }

    @Test func an_unwritable_data_folder_is_refused() throws {
        let root = try makeTemporaryDirectory()
        defer { chmod(root + "/ro", 0o700); try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/ro", withIntermediateDirectories: false)
        chmod(root + "/ro", 0o500)
        // root bypasses permission bits, so the test checks what `access` says for this user.
        let writable = access(root + "/ro", W_OK) == 0
        let problems = DataDirectory.problems(at: root + "/ro/data")
        #expect(problems.isEmpty == writable)
        #expect(DataDirectory.problems(at: "/etc/hostname") == ["data folder /etc/hostname exists but is not a folder"])
    }

    @Test(arguments: ["mysql://u:p@h/db", "not a url", "postgres://host", "postgres://u@/db", "sqlite:///tmp/x"])
    func a_malformed_database_url_is_a_configuration_problem(url: String) throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = LaunchOptions()
        options.dataDirectory = root
        options.databaseURL = url
        #expect(throws: ConfigurationError.self) { try AppConfig.load(environment: resources, options: options) }
    }

    @Test func a_postgres_url_is_accepted_and_its_password_never_shown() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try AppConfig.load(
            environment: resources.merging(["DATABASE_URL": "postgres://egide:s3cret@127.0.0.1:5432/egide?sslmode=disable"]) { $1 },
            options: LaunchOptions(dataDirectory: root))
        guard case .postgres(_, let redacted) = config.database else { Issue.record("expected postgres"); return }
        #expect(!redacted.contains("s3cret"))
        #expect(redacted.contains("127.0.0.1"))
    }

    @Test func the_default_is_sqlite_in_the_data_folder() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try AppConfig.load(environment: resources, options: LaunchOptions(), workingDirectory: root)
        #expect(config.dataDirectory == root + "/egide-data")
        #expect(config.database == .sqlite(path: root + "/egide-data/egide.sqlite"))
    }

    @Test func shared_flags_are_taken_out_of_the_command_line_in_both_spellings() {
        let (options, rest) = LaunchOptions.extract(from: [
            "egide", "serve", "--data-dir", "/d", "--port", "9000", "--database-url=postgres://u@h/db",
        ])
        #expect(options.dataDirectory == "/d")
        #expect(options.databaseURL == "postgres://u@h/db")
        #expect(rest == ["egide", "serve", "--port", "9000"])
    }

    @Test func a_flag_without_its_value_is_reported() {
        let (options, rest) = LaunchOptions.extract(from: ["egide", "doctor", "--data-dir"])
        #expect(options.incomplete == ["--data-dir"])
        #expect(rest == ["egide", "doctor"])
    }

    @Test func the_command_defaults_to_serve_but_help_is_not_serve() {
        #expect(EgideMain.command(in: ["egide"]) == "serve")
        #expect(EgideMain.command(in: ["egide", "--port", "9000"]) == "serve")
        #expect(EgideMain.command(in: ["egide", "--help"]) == "help")
        #expect(EgideMain.command(in: ["egide", "doctor"]) == "doctor")
    }

    @Test func templates_are_kept_unless_a_developer_asks_to_reload_them() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var options = LaunchOptions()
        options.dataDirectory = root + "/data"
        #expect(try AppConfig.load(environment: ["EGIDE_RESOURCES_DIR": packageRoot], options: options).reloadTemplates == false)
        var environment = resources
        environment["EGIDE_RELOAD_TEMPLATES"] = "1"
        environment["EGIDE_PUBLIC_WORK_LIMIT"] = "4"
        let reloading = try AppConfig.load(environment: environment, options: options)
        #expect(reloading.reloadTemplates && reloading.publicWorkLimit == 4)
        environment["EGIDE_RELOAD_TEMPLATES"] = "sometimes"
        environment["EGIDE_PUBLIC_WORK_LIMIT"] = "0"
        #expect {
            try AppConfig.load(environment: environment, options: options)
        } throws: { error in
            guard let error = error as? ConfigurationError else { return false }
            return error.problems.contains { $0.contains("EGIDE_RELOAD_TEMPLATES") } && error.problems.contains { $0.contains("EGIDE_PUBLIC_WORK_LIMIT") }
        }
    }

    /// The README starts Egide without `--env production`: its templates must be kept all the same.
    /// (Leaf's own provider switched the shared cache off whenever it made a renderer in the
    /// development environment, after `configure` had switched it on.)
    @Test func the_template_cache_is_on_in_the_development_environment() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let config = try AppConfig.load(environment: ["EGIDE_RESOURCES_DIR": packageRoot, "EGIDE_LOG_LEVEL": "warning"],
                                        options: LaunchOptions(dataDirectory: root + "/data"))
        let app = try await Application.make(.development)
        do {
            try configure(app, config)
            for _ in 0..<2 { _ = try? await app.view.render("layout", [String: String]()).get() }
            #expect(app.leaf.cache.isEnabled)
            #expect(((app.leaf.cache as? DefaultLeafCache)?.count ?? 0) >= 1, "the template was parsed once and kept")
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

extension LaunchOptions {
    init(dataDirectory: String) {
        self.init()
        self.dataDirectory = dataDirectory
    }
}
