import Foundation
import Vapor

/// `egide restore FILE --data-dir EMPTY_DIR [--passphrase-file F] [--kek-file K]`.
///
/// `restore` is in none of EgideMain's data command sets: the configuration was validated (and
/// `--data-dir`/`--database-url` taken from the command line), but no folder, database connection,
/// migration or key was set up — this command does all it needs itself, and touches nothing until
/// the target is known to be empty and the key to be right.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "The backup file made by `egide backup`.")
        var file: String
        @Option(name: "passphrase-file", help: "The backup passphrase; or, for a backup made to the key file, the passphrase of a sealed key file.")
        var passphraseFile: String?
        @Option(name: "kek-file", help: "A copy of the instance's key file: opens a backup made to it, and is put in place after the restore.")
        var kekFile: String?
    }

    var help: String { "Restores an encrypted backup into an empty data folder (give --data-dir) or an empty PostgreSQL database." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let config = app.egideConfig
        let cwd = FileManager.default.currentDirectoryPath
        let request = BackupRestorer.Request(
            file: AppConfig.absolute(signature.file, from: cwd),
            passphrase: try signature.passphraseFile.map { try PassphraseFile.read($0, command: "restore") },
            kekFile: signature.kekFile.map { AppConfig.absolute($0, from: cwd) })
        let summary: BackupRestorer.Summary
        do {
            summary = try await BackupRestorer.restore(app, request)
        } catch let error as BackupError {
            throw CommandFailure(message: "egide restore: \(error.description)")
        } catch let error as SecureFile.IOError {
            throw CommandFailure(message: "egide restore: \(error.description)")
        }
        let console = context.console
        let inspection = summary.inspection
        var place = "the PostgreSQL database"
        if case .sqlite = config.database { place = config.dataDirectory }
        console.output("restored instance \(inspection.instance) (backup of \(summary.header.createdAt)) into \(place): \(inspection.events) audit events".consoleText())
        if let integrity = summary.integrity { console.output("database integrity check: \(integrity)".consoleText()) }
        switch inspection.chain {
        case .success(let head): console.output("audit chain: intact, head \(head.hash.hexString)".consoleText())
        case .failure(let failure): console.output("WARNING: the audit chain is broken at sequence \(failure.sequence): \(failure.explanation)".consoleText())
        }
        if inspection.instance != summary.header.instance {
            console.output("WARNING: the backup header names instance \(summary.header.instance), the restored database \(inspection.instance)".consoleText())
        }
        if let copied = summary.keyCopiedTo {
            console.output("key file copied to \(copied) (mode 0600)".consoleText())
        } else if inspection.keyMatches == false {
            console.output("WARNING: the key file given does not open this backup's data keys, so it was not put in place: find the key file of this instance".consoleText())
        } else if FileManager.default.fileExists(atPath: config.kekFile) {
            console.output("key file: \(config.kekFile) is already in place".consoleText())
        } else {
            console.output("""
                IMPORTANT: the restored data is encrypted with this instance's key file, which is not in place. Copy it \
                to \(config.kekFile) (or set EGIDE_KEK_FILE) before starting Egide: without it nothing can be read — \
                which is exactly what protects a stolen backup.
                """.consoleText())
        }
        console.output("Next: start Egide on this data and run `egide audit verify --checkpoint <your latest checkpoint>`.".consoleText())
    }
}
