import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Vapor

/// One line of `egide doctor`.
struct DoctorCheck: Equatable, Sendable {
    enum Status: String, Sendable { case ok, warn, fail }
    var status: Status
    var name: String
    var detail: String

    var line: String { "\(status.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0)) \(name): \(detail)" }
}

/// Reads the configuration back from the filesystem and the database itself — never from what
/// Egide believes it set — and says, one line per check, whether it is safe to run with.
enum Doctor {
    static func run(_ app: Application) async -> [DoctorCheck] {
        let config = app.egideConfig
        var checks = [dataFolderCheck(config.dataDirectory), fieldEncryptionCheck(), pagesCheck(config)]
        switch config.database {
        case .sqlite(let path):
            checks.append(.init(status: .ok, name: "database", detail: "sqlite \(path)"))
            guard FileManager.default.fileExists(atPath: path) else {
                checks.append(.init(status: .fail, name: "database file", detail: "missing: run `egide serve` or `egide migrate` first"))
                return checks
            }
            checks.append(fileModeCheck(path))
        case .postgres(_, let redacted):
            checks.append(.init(status: .ok, name: "database", detail: "postgresql \(redacted)"))
        }
        guard let sql = app.db as? any SQLDatabase else {
            return checks + [.init(status: .fail, name: "database connection", detail: "not an SQL database")]
        }
        do {
            try await sql.raw("SELECT 1").run()
            checks.append(.init(status: .ok, name: "database connection", detail: "answers"))
        } catch {
            return checks + [.init(status: .fail, name: "database connection", detail: "no answer (\(String(describing: error).prefix(200)))")]
        }
        if case .sqlite = config.database {
            checks += await DoctorDatabase.sqliteSettings(sql)
        } else {
            checks += await DoctorDatabase.postgresSettings(sql)
        }
        checks += await DoctorDatabase.migrations(sql, expected: Migrations.all.map(\.name))
        checks += await DoctorDatabase.jobs(sql, registry: Jobs.registry(config), now: app.clock.now())
        checks += await DoctorKeys.checks(app)
        checks.append(await DoctorKeys.auditHead(app))
        return checks
    }

    static func dataFolderCheck(_ path: String) -> DoctorCheck {
        guard let mode = DataDirectory.mode(of: path) else {
            return .init(status: .fail, name: "data folder", detail: "\(path) does not exist")
        }
        if mode & 0o077 != 0 {
            return .init(status: .fail, name: "data folder", detail: "\(path) has mode \(octal(mode)): others can enter it (run: chmod 700 \(path))")
        }
        return .init(status: .ok, name: "data folder", detail: "\(path) mode \(octal(mode))")
    }

    /// Which AES-256-GCM implementation encrypts fields. Both write the same blobs; swift-crypto is
    /// the slower fallback where the system's libcrypto.so.3 (package libssl3) is missing.
    static func fieldEncryptionCheck() -> DoctorCheck {
        let engine = FieldCipher.engineName
        let note = engine.hasPrefix("libcrypto") ? "" : " (libcrypto.so.3 not found: install libssl3 for faster encryption)"
        return .init(status: .ok, name: "field encryption", detail: "AES-256-GCM by \(engine)\(note)")
    }

    /// Templates and pages kept in memory, unless a developer asked to reload them on each request.
    static func pagesCheck(_ config: AppConfig) -> DoctorCheck {
        config.reloadTemplates
            ? .init(status: .warn, name: "pages", detail: "EGIDE_RELOAD_TEMPLATES is set: every page is rendered from disk (for development only; unset it in service)")
            : .init(status: .ok, name: "pages", detail: "templates, public pages and Public/ files kept in memory")
    }

    static func fileModeCheck(_ path: String) -> DoctorCheck {
        guard let mode = DataDirectory.mode(of: path) else {
            return .init(status: .fail, name: "database file", detail: "\(path) cannot be read")
        }
        let status: DoctorCheck.Status = mode & 0o077 == 0 ? .ok : .warn
        return .init(status: status, name: "database file", detail: "mode \(octal(mode))")
    }

    static func octal(_ mode: Int) -> String { "0" + String(mode, radix: 8) }
}
