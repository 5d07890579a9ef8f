import Crypto
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// `egide audit verify [--checkpoint FILE]` and `egide audit checkpoint [--out FILE]`.
struct AuditCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand(), "checkpoint": AuditCheckpointCommand()] }
    var help: String { "Verifies the tamper-evident audit log and signs checkpoints of it." }
}

/// Walks the whole chain; exits 1 naming the first bad sequence number.
struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "checkpoint", help: "A file written by `egide audit checkpoint`: also detects a truncated or re-hashed log.")
        var checkpoint: String?
    }

    var help: String { "Checks that no audit event was edited, deleted, inserted or reordered (exit status 1 if one was)." }
    /// Events read per query (smaller in tests, to exercise batch boundaries).
    var batchSize = 1000

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var checkpoint: AuditCheckpoint?
        if let path = signature.checkpoint {
            checkpoint = try AuditLogCheck.loadCheckpoint(at: path, publicKey: try app.vault.auditSigningKey().publicKey)
        }
        let head = try await verifiedHead(app, checkpoint: checkpoint, command: "audit verify", batchSize: batchSize)
        var line = "ok: \(head.sequence) events, head \(head.hash.hexString)"
        if let checkpoint { line += "; consistent with the signed checkpoint of \(checkpoint.size) events (\(AuditCheckpointFile.time(checkpoint)))" }
        context.console.output(line.consoleText())
    }
}

/// Prints or writes an Ed25519-signed {size, head hash, time} of the verified chain.
struct AuditCheckpointCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "out", help: "Write the checkpoint to this new file (mode 0600) instead of printing it.")
        var out: String?
    }

    var help: String { "Signs the current head of the audit log; keep the result off this server." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        // Never sign a broken chain: the checkpoint would vouch for the tampering.
        let head = try await verifiedHead(app, checkpoint: nil, command: "audit checkpoint", batchSize: 1000)
        let key = try app.vault.auditSigningKey()
        let checkpoint = AuditCheckpoint(head: head, timeMillis: Int64((app.clock.now().timeIntervalSince1970 * 1000).rounded(.down)))
        let signed = try SignedAuditCheckpoint(signing: checkpoint, with: key)
        let instance = try await InstanceRecord.query(on: app.db).first()?.id.map { SiteURL.id($0) } ?? "unknown"
        let text = AuditCheckpointFile.render(signed, publicKey: key.publicKey, instance: instance)
        let console = context.console
        if let out = signature.out {
            let path = AppConfig.absolute(out, from: FileManager.default.currentDirectoryPath)
            do {
                var file = try SecureFile(creating: path)
                do { try file.write(Array(text.utf8)); try file.commit() } catch { file.discard(); throw error }
            } catch let error as SecureFile.IOError {
                throw CommandFailure(message: "egide audit checkpoint: \(error.description)")
            }
            console.output("wrote a checkpoint of \(head.sequence) events to \(path)".consoleText())
            console.output((AuditCheckpointFile.keyPrefix + key.publicKey.rawRepresentation.base64EncodedString()).consoleText())
        } else {
            console.output(text.consoleText(), newLine: false)
        }
        console.output("""
            Keep this checkpoint off this server (print it, e-mail it to yourself, store it elsewhere) together with \
            the audit public key. `egide audit verify --checkpoint FILE` checks its signature with the key held \
            by this instance and then detects a truncated log or a log re-written from any earlier point — which the \
            hash chain alone cannot, since anyone who can write to the database can recompute hashes.
            """.consoleText())
    }
}

/// Verifies the log, turning a broken chain into the operator's message and exit status 1.
/// - Throws: `CommandFailure` naming the first bad sequence number.
func verifiedHead(_ app: Application, checkpoint: AuditCheckpoint?, command: String, batchSize: Int) async throws -> AuditChainHead {
    do {
        return try await AuditLogCheck.verify(on: try AuditLogReader.sql(app.db), checkpoint: checkpoint, batchSize: batchSize)
    } catch let failure as AuditLogFailure {
        throw CommandFailure(message: "egide \(command): the audit log is broken at sequence \(failure.sequence): \(failure.explanation)")
    }
}

/// The text of a checkpoint file: the signed JSON line, then `#` comment lines for people.
enum AuditCheckpointFile {
    static let keyPrefix = "# audit public key (Ed25519, base64): "

    static func render(_ signed: SignedAuditCheckpoint, publicKey: Curve25519.Signing.PublicKey, instance: String) -> String {
        """
        \(signed.serialized)
        \(keyPrefix)\(publicKey.rawRepresentation.base64EncodedString())
        # Egide instance \(instance): \(signed.checkpoint.size) events, taken \(time(signed.checkpoint))

        """
    }

    static func time(_ checkpoint: AuditCheckpoint) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(checkpoint.timeMillis) / 1000))
    }
}
