import EgideCrypto
import Foundation
import Vapor

/// `egide backup --out FILE [--passphrase-file F]`: an encrypted, consistent backup taken while
/// the server runs, to the instance's key file (default) or to a backup passphrase.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "The backup file to create (it must not exist; mode 0600).")
        var out: String?
        @Option(name: "passphrase-file", help: "Encrypt with the passphrase in this file (scrypt) instead of the instance's key file.")
        var passphraseFile: String?
    }

    var help: String { "Writes an encrypted, consistent backup of the database while Egide runs." }
    /// scrypt cost for passphrase backups; tests lower it, production always uses the default.
    var scrypt = ScryptParameters.default
    /// Plaintext bytes per chunk; tests lower it to exercise several chunks.
    var chunkSize = BackupFormat.defaultChunkSize
    static let minimumPassphraseLength = 12

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let out = signature.out, !out.isEmpty else { throw CommandFailure(message: "egide backup: --out FILE is required") }
        let path = AppConfig.absolute(out, from: FileManager.default.currentDirectoryPath)
        let kekFile = app.egideConfig.kekFile
        let source: BackupKey.Source
        if let file = signature.passphraseFile {
            let passphrase = try PassphraseFile.read(file, command: "backup")
            guard passphrase.count >= Self.minimumPassphraseLength else {
                throw CommandFailure(message: "egide backup: the backup passphrase must be at least \(Self.minimumPassphraseLength) characters (a long random passphrase is best)")
            }
            source = .passphrase(passphrase, scrypt)
        } else {
            switch try? KEKFile.read(at: kekFile) {
            case .plain(let kek)?: source = .kek(kek)
            case .sealed?: throw CommandFailure(message: "egide backup: the key file \(kekFile) is sealed; give --passphrase-file to encrypt the backup with a backup passphrase")
            case nil: throw CommandFailure(message: "egide backup: no readable key file at \(kekFile); give --passphrase-file to encrypt the backup with a backup passphrase")
            }
        }
        let summary: BackupWriter.Summary
        do {
            summary = try await BackupWriter.write(app, to: path, key: source, chunkSize: chunkSize)
        } catch let error as BackupError {
            throw CommandFailure(message: "egide backup: \(error.description)")
        } catch let error as SecureFile.IOError {
            throw CommandFailure(message: "egide backup: \(error.description)")
        }
        let header = summary.header
        let console = context.console
        console.output("backup written to \(path): \(header.database), instance \(header.instance), \(summary.plaintextBytes) bytes before encryption".consoleText())
        switch header.keyMode {
        case .kek:
            console.output("""
                Encrypted to the instance's key file (\(kekFile)). Restoring needs a copy of that key file: keep one \
                somewhere safe and apart from the backups. The backup alone reveals nothing; the backup together with \
                the key file reveals everything.
                """.consoleText())
        case .passphrase:
            console.output("""
                Encrypted with the backup passphrase. Restoring needs the passphrase, and reading the restored data \
                needs the instance's key file (\(kekFile)) too: keep a copy of it apart from the backups.
                """.consoleText())
        }
        if path.hasPrefix(app.egideConfig.dataDirectory + "/") {
            console.output("Note: the backup is inside the data folder; a backup that stays on this server protects against nothing.".consoleText())
        }
        console.output("Copy the backup off this server, and rehearse a restore regularly (docs/SECURITY.md, \"Backups and restore drill\").".consoleText())
    }
}

/// A passphrase read from a file (never from the command line, where other users could see it).
enum PassphraseFile {
    /// The file's text without its trailing line break.
    /// - Throws: `CommandFailure` if the file cannot be read or is empty.
    static func read(_ path: String, command: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(message: "egide \(command): cannot read the passphrase file \(path)")
        }
        var passphrase = Substring(text)
        while let last = passphrase.last, last.isNewline { passphrase.removeLast() }
        guard !passphrase.isEmpty else { throw CommandFailure(message: "egide \(command): the passphrase file \(path) is empty") }
        return String(passphrase)
    }
}
