import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// `egide keys seal|unseal|rotate|rotate-kek|shred`: key custody from the command line.
struct KeysCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["seal": KeysSealCommand(), "unseal": KeysUnsealCommand(), "rotate": KeysRotateCommand(),
         "rotate-kek": KeysRotateKEKCommand(), "shred": KeysShredCommand()]
    }
    var help: String { "Manages the encryption keys (see docs/SECURITY.md)." }
}

/// Options shared by the key commands.
struct PassphraseSignature: CommandSignature {
    @Option(name: "passphrase-file", help: "Read the passphrase from this file instead of the terminal.") var passphraseFile: String?
    init() {}
}

/// Opens the vault for a command, asking for the passphrase if the key file is sealed.
func openVaultForCommand(_ app: Application, passphraseFile: String?, command: String) async throws {
    if try await KeyCustody.start(app) == .sealed {
        let passphrase = try Passphrase.read(file: passphraseFile, prompt: "Passphrase of the Egide key file: ")
        do { try await KeyCustody.unseal(app, passphrase: passphrase) } catch KeyCustody.UnsealError.wrongPassphrase {
            throw CommandFailure(message: "egide \(command): wrong passphrase")
        }
    }
}

struct KeysSealCommand: AsyncCommand {
    typealias Signature = PassphraseSignature
    var help: String { "Protects the key file with a passphrase: Egide then starts sealed until someone types it." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let path = context.application.egideConfig.kekFile
        guard case .plain(let kek) = try KEKFile.read(at: path) else {
            throw CommandFailure(message: "egide keys seal: \(path) is missing or already sealed")
        }
        let passphrase = try Passphrase.readNew(file: signature.passphraseFile)
        try KEKFile.write(.sealed(try PassphraseSealedKEK.seal(kek, passphrase: passphrase)), to: path)
        context.console.output("sealed \(path). Keep the passphrase where two trusted people can find it: without it the data is lost.".consoleText())
    }
}

struct KeysUnsealCommand: AsyncCommand {
    typealias Signature = PassphraseSignature
    var help: String { "Removes the passphrase protection from the key file (Egide then starts unlocked)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let path = context.application.egideConfig.kekFile
        guard case .sealed(let text) = try KEKFile.read(at: path) else {
            throw CommandFailure(message: "egide keys unseal: \(path) is missing or not sealed")
        }
        let passphrase = try Passphrase.read(file: signature.passphraseFile, prompt: "Passphrase of the Egide key file: ")
        guard let kek = try? PassphraseSealedKEK.unseal(text, passphrase: passphrase) else {
            throw CommandFailure(message: "egide keys unseal: wrong passphrase; the key file is unchanged")
        }
        try KEKFile.write(.plain(kek), to: path)
        context.console.output("unsealed \(path): Egide will start without a passphrase.".consoleText())
    }
}

struct KeysRotateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "org", help: "Rotate only this organisation's key (slug). Default: every key.") var organisation: String?
        @Flag(name: "resume", help: "Do not make new keys: finish re-encrypting after an interruption.") var resume: Bool
        @Option(name: "settle", help: "Seconds to wait for running servers to load the new keys (default 10).") var settle: Int?
        @Option(name: "passphrase-file", help: "Passphrase of a sealed key file.") var passphraseFile: String?
    }

    var help: String { "Makes new data keys and re-encrypts every value in batches; safe to re-run after a crash." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await openVaultForCommand(app, passphraseFile: signature.passphraseFile, command: "keys rotate")
        var owners: Set<String>?
        if let slug = signature.organisation {
            guard let organisation = try await OrganisationRecord.query(on: app.db).filter(\.$slug == slug).first() else {
                throw CommandFailure(message: "egide keys rotate: no organisation \(slug)")
            }
            owners = [Accounts.owner(try organisation.requireID())]
        }
        if !signature.resume {
            let all = try await DataKeyRecord.query(on: app.db).filter(\.$state == .active).filter(\.$purpose == .field).all().map(\.owner)
            let chosen = all.filter { owners?.contains($0) ?? true }
            let now = app.clock.now()
            try await app.transaction { db in
                for owner in chosen { try await app.vault.createKey(owner: owner, on: db) }
                try await AuditRecorder.record(.init(actor: .system, organisation: nil, action: "keys.rotate",
                                                     details: ["keys": String(chosen.count)]), at: now, on: db)
            }
            context.console.output("made \(chosen.count) new key(s); waiting for running servers to load them…".consoleText())
            try await Task.sleep(for: .seconds(signature.settle ?? 10))
        }
        let progress = try await ReEncryption.run(app, owners: owners)
        context.console.output("re-encrypted \(progress.reencrypted) of \(progress.examined) value(s); old keys are kept (retired) for older backups".consoleText())
    }
}

struct KeysRotateKEKCommand: AsyncCommand {
    typealias Signature = PassphraseSignature
    var help: String { "Replaces the key-encryption key: every data key is re-wrapped and the key file rewritten." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await openVaultForCommand(app, passphraseFile: signature.passphraseFile, command: "keys rotate-kek")
        try await KeyCustody.rotateKEK(app, passphraseFile: signature.passphraseFile)
        context.console.output("the key file now holds a new key. Destroy every copy of the old key file: backups made to it can no longer be read.".consoleText())
    }
}

struct KeysShredCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "org", help: "The organisation whose data must become unreadable (slug).") var organisation: String?
        @Option(name: "confirm", help: "Type the slug again to confirm. This cannot be undone.") var confirm: String?
        @Option(name: "passphrase-file", help: "Passphrase of a sealed key file.") var passphraseFile: String?
    }

    var help: String { "Crypto-shreds an organisation: destroys its keys so its data is unreadable everywhere, backups included." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        guard let slug = signature.organisation, signature.confirm == slug else {
            throw CommandFailure(message: "egide keys shred: give --org SLUG and the same slug again with --confirm SLUG")
        }
        try await openVaultForCommand(app, passphraseFile: signature.passphraseFile, command: "keys shred")
        guard let organisation = try await OrganisationRecord.query(on: app.db).filter(\.$slug == slug).first() else {
            throw CommandFailure(message: "egide keys shred: no organisation \(slug)")
        }
        guard organisation.type != .host else { throw CommandFailure(message: "egide keys shred: the host organisation cannot be shredded") }
        try await KeyCustody.shred(app, organisation: organisation, passphraseFile: signature.passphraseFile)
        context.console.output("""
            \(slug): keys destroyed, accounts disabled. A new key file was written: destroy every copy of the old one and every \
            backup made before now, then make a new backup (`egide backup`).
            """.consoleText())
    }
}
