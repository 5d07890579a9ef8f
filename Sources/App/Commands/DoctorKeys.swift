import EgideCrypto
import Fluent
import Foundation
import Vapor

/// The key-custody half of `egide doctor`.
enum DoctorKeys {
    static func checks(_ app: Application) async -> [DoctorCheck] {
        let config = app.egideConfig
        var checks: [DoctorCheck] = []
        let content: KEKFile.Content?
        do {
            content = try KEKFile.read(at: config.kekFile)
        } catch {
            return [.init(status: .fail, name: "key file", detail: String(describing: error))]
        }
        guard let content else {
            return [.init(status: .fail, name: "key file", detail: "\(config.kekFile) is missing: start `egide serve` once, or restore the key file")]
        }
        let mode = DataDirectory.mode(of: config.kekFile) ?? 0o777
        checks.append(.init(status: mode & 0o077 == 0 ? .ok : .fail, name: "key file",
                            detail: "\(config.kekFile) mode \(Doctor.octal(mode))" + (mode & 0o077 == 0 ? "" : " (run: chmod 600 \(config.kekFile))")))
        switch content {
        case .sealed:
            checks.append(.init(status: .ok, name: "key custody", detail: "sealed: the key file is protected by a passphrase; Egide starts sealed"))
        case .plain:
            if config.kekFileIsSeparate {
                checks.append(.init(status: .ok, name: "key custody", detail: "key file kept apart from the data (EGIDE_KEK_FILE)"))
            } else {
                checks.append(.init(status: .warn, name: "key custody",
                                    detail: "the key file sits beside the data: whoever takes the disk can read everything. Seal it (`egide keys seal`) or move it (EGIDE_KEK_FILE) — see docs/SECURITY.md"))
            }
        }
        return checks
    }

    /// The audit chain's head, as stored.
    static func auditHead(_ app: Application) async -> DoctorCheck {
        guard let head = try? await AuditEventModel.query(on: app.db).sort(\.$id, .descending).first() else {
            return .init(status: .ok, name: "audit log", detail: "empty")
        }
        let hex = head.hash.prefix(8).map { String(format: "%02x", $0) }.joined()
        return .init(status: .ok, name: "audit log", detail: "\(head.id ?? 0) events, head \(hex)… (run `egide audit verify` to check the whole chain)")
    }
}
