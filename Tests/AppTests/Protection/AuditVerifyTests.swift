@testable import App
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor

extension Protection {
    /// `egide audit verify` against each kind of tampering an insider with database access could try,
    /// made with raw SQL on `audit_events` (on SQLite, and on PostgreSQL when it is configured).
    @Suite struct AuditVerifyTests {
        /// Reads in batches of 3, so failures and checkpoints fall inside and across batch boundaries.
        static let verify = AuditVerifyCommand(batchSize: 3)

        /// The ways the log is tampered with, and the first bad sequence each must be reported at.
        enum Tampering: String, CaseIterable, Sendable {
            case editField, deleteRow, insertRow, swapRows

            var expected: AuditLogFailure {
                switch self {
                case .editField: AuditLogFailure(sequence: 4, kind: .chain(.hashMismatch))
                case .deleteRow: AuditLogFailure(sequence: 5, kind: .chain(.sequenceGap(found: 6)))
                // The forged row at 6 hashes correctly (no key is needed for that); its successor no longer links.
                case .insertRow: AuditLogFailure(sequence: 7, kind: .chain(.brokenLink))
                case .swapRows: AuditLogFailure(sequence: 3, kind: .chain(.brokenLink))
                }
            }

            func apply(on app: Application) async throws {
                let sql = ProtectionTest.sql(app.db)
                switch self {
                case .editField:
                    try await sql.raw("UPDATE audit_events SET object_id = 'someone-else' WHERE seq = 4").run()
                case .deleteRow:
                    try await sql.raw("DELETE FROM audit_events WHERE seq = 5").run()
                case .insertRow:
                    try await sql.raw("UPDATE audit_events SET seq = seq + 1000000 WHERE seq >= 6").run()
                    try await sql.raw("UPDATE audit_events SET seq = seq - 999999 WHERE seq >= 1000000").run()
                    let previous = try #require(try await AuditEventModel.find(5, on: app.db))
                    let forged = StoredAuditEvent(sealing: AuditEventRecord(
                        sequence: 6, timeMillis: previous.occurredAt, actor: "system", organisation: nil, action: "test.forged",
                        objectType: nil, objectID: nil, details: [:], previousHash: Array(previous.hash)))
                    try await sql.raw("""
                        INSERT INTO audit_events (seq, occurred_at, actor, organisation_id, action, object_type, object_id, details, prev_hash, hash)
                        VALUES (6, \(bind: previous.occurredAt), 'system', NULL, 'test.forged', NULL, NULL, '{}', \(bind: Data(forged.record.previousHash)), \(bind: Data(forged.hash)))
                        """).run()
                case .swapRows:
                    let three = try #require(try await AuditEventModel.find(3, on: app.db))
                    let seven = try #require(try await AuditEventModel.find(7, on: app.db))
                    for (target, source) in [(3, seven), (7, three)] {
                        try await sql.raw("""
                            UPDATE audit_events SET occurred_at = \(bind: source.occurredAt), action = \(bind: source.action),
                            object_id = \(bind: source.objectID), details = \(bind: source.details),
                            prev_hash = \(bind: source.previousHash), hash = \(bind: source.hash) WHERE seq = \(bind: target)
                            """).run()
                    }
                }
            }
        }

        @Test func an_intact_chain_verifies_and_prints_its_head() async throws {
            try await withApp { app in
                try await ProtectionTest.recordEvents(app, count: 10)
                let last = try #require(try await AuditEventModel.query(on: app.db).sort(\.$id, .descending).first())
                let output = try await ProtectionTest.run(app, Self.verify, [])
                #expect(output == "ok: \(try #require(last.id)) events, head \(Array(last.hash).hexString)\n")
            }
        }

        @Test(arguments: Tampering.allCases)
        func tampering_fails_naming_the_first_bad_sequence(_ tampering: Tampering) async throws {
            try await withApp { app in
                try await ProtectionTest.recordEvents(app, count: 10)
                try await tampering.apply(on: app)
                await #expect(throws: tampering.expected) {
                    try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db), batchSize: 3)
                }
                let message = try await failureMessage { try await ProtectionTest.run(app, Self.verify, []) }
                #expect(message.contains("broken at sequence \(tampering.expected.sequence):"), "\(message)")
            }
        }

        @Test func a_rechained_log_passes_plain_verify_but_not_an_earlier_checkpoint() async throws {
            try await withApp { app in
                try await ProtectionTest.recordEvents(app, count: 10)
                let checkpoint = try await takeCheckpoint(app)
                // Edit event 4, then recompute every hash from there on: no key is needed for that.
                let sql = ProtectionTest.sql(app.db)
                let events = try await AuditEventModel.query(on: app.db).sort(\.$id).all()
                var previous = events[2].hash
                for model in events[3...] {
                    var record = model.stored.record
                    if record.sequence == 4 { record.objectID = "someone-else" }
                    record.previousHash = Array(previous)
                    let sealed = StoredAuditEvent(sealing: record)
                    try await sql.raw("""
                        UPDATE audit_events SET object_id = \(bind: record.objectID), prev_hash = \(bind: Data(record.previousHash)),
                        hash = \(bind: Data(sealed.hash)) WHERE seq = \(bind: record.sequence)
                        """).run()
                    previous = Data(sealed.hash)
                }
                #expect(try await ProtectionTest.run(app, Self.verify, []).hasPrefix("ok: \(events.count) events"))
                let message = try await failureMessage { try await ProtectionTest.run(app, Self.verify, ["--checkpoint", checkpoint]) }
                #expect(message.contains("broken at sequence \(events.count): the log differs from the signed checkpoint"), "\(message)")
            }
        }

        @Test func a_truncated_tail_passes_plain_verify_but_fails_against_an_earlier_checkpoint() async throws {
            try await withApp { app in
                try await ProtectionTest.recordEvents(app, count: 10)
                let total = try await AuditEventModel.query(on: app.db).count()
                let checkpoint = try await takeCheckpoint(app)
                #expect(try await ProtectionTest.run(app, Self.verify, ["--checkpoint", checkpoint]).contains("consistent with the signed checkpoint of \(total) events"))
                try await ProtectionTest.sql(app.db).raw("DELETE FROM audit_events WHERE seq > \(bind: total - 2)").run()
                #expect(try await ProtectionTest.run(app, Self.verify, []).hasPrefix("ok: \(total - 2) events"))
                await #expect(throws: AuditLogFailure(sequence: Int64(total - 1), kind: .chain(.truncated(checkpointSize: Int64(total))))) {
                    let signed = try AuditLogCheck.loadCheckpoint(at: checkpoint, publicKey: try app.vault.auditSigningKey().publicKey)
                    return try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db), checkpoint: signed, batchSize: 3)
                }
                let message = try await failureMessage { try await ProtectionTest.run(app, Self.verify, ["--checkpoint", checkpoint]) }
                #expect(message.contains("broken at sequence \(total - 1): the log ends at event \(total - 2)"), "\(message)")
            }
        }

        @Test func a_checkpoint_with_an_altered_signature_or_content_is_refused() async throws {
            try await withApp { app in
                try await ProtectionTest.recordEvents(app, count: 4)
                let path = try await takeCheckpoint(app)
                let original = try String(contentsOfFile: path, encoding: .utf8)
                let signed = try SignedAuditCheckpoint(serialized: String(original.split(separator: "\n")[0]))
                var signature = signed.signature
                signature[10] ^= 0x01
                let alteredSignature = original.replacingOccurrences(of: Data(signed.signature).base64EncodedString(), with: Data(signature).base64EncodedString())
                let alteredSize = original.replacingOccurrences(of: "\"size\":\(signed.checkpoint.size)", with: "\"size\":\(signed.checkpoint.size - 1)")
                let otherKey = Curve25519.Signing.PrivateKey()
                let foreign = try SignedAuditCheckpoint(signing: signed.checkpoint, with: otherKey)
                let replacedKey = AuditCheckpointFile.render(foreign, publicKey: otherKey.publicKey, instance: "x")
                let cases = [(alteredSignature, "is not signed by this instance's audit key"), (alteredSize, "is not signed by this instance's audit key"),
                             (foreign.serialized, "is not signed by this instance's audit key"), (replacedKey, "the key was replaced")]
                for (index, (text, expected)) in cases.enumerated() {
                    #expect(text != original)
                    let file = path + ".\(index)"
                    try text.write(toFile: file, atomically: true, encoding: .utf8)
                    let message = try await failureMessage { try await ProtectionTest.run(app, Self.verify, ["--checkpoint", file]) }
                    #expect(message.contains(expected), "\(message)")
                }
            }
        }

        @Test func checkpoint_refuses_to_sign_a_broken_chain_and_writes_an_owner_only_file() async throws {
            try await withApp { app in
                try await ProtectionTest.recordEvents(app, count: 4)
                let path = try await takeCheckpoint(app)
                #expect(ProtectionTest.mode(path) == 0o600)
                let key = try app.vault.auditSigningKey().publicKey.rawRepresentation.base64EncodedString()
                #expect(try String(contentsOfFile: path, encoding: .utf8).contains(AuditCheckpointFile.keyPrefix + key))
                try await ProtectionTest.sql(app.db).raw("UPDATE audit_events SET action = 'nothing.happened' WHERE seq = 2").run()
                let second = path + ".second"
                let message = try await failureMessage { try await ProtectionTest.run(app, AuditCheckpointCommand(), ["--out", second]) }
                #expect(message.contains("broken at sequence 2:"), "\(message)")
                #expect(!FileManager.default.fileExists(atPath: second))
            }
        }

        /// Writes a checkpoint file with the real command and returns its path.
        func takeCheckpoint(_ app: Application) async throws -> String {
            let path = (app.egideConfig.dataDirectory as NSString).deletingLastPathComponent + "/checkpoint-\(UUID().uuidString).txt"
            try await ProtectionTest.run(app, AuditCheckpointCommand(), ["--out", path])
            return path
        }

        /// The message of the `CommandFailure` that `body` must throw.
        func failureMessage(_ body: () async throws -> Void) async throws -> String {
            do {
                try await body()
            } catch let failure as CommandFailure {
                return failure.message
            }
            Issue.record("expected a CommandFailure")
            return ""
        }
    }
}
