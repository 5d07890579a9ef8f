import Crypto
import EgideCrypto
import Foundation
import SQLKit

/// The first place where the stored audit log stops being trustworthy, and why.
struct AuditLogFailure: Error, Equatable, Sendable {
    /// What is wrong at `sequence`.
    enum Kind: Equatable, Sendable {
        /// A chain or checkpoint failure, as `AuditChainVerifier` reports it.
        case chain(AuditChainFailure.Kind)
        /// The row where `sequence` was expected cannot be decoded.
        case unreadable(String)
    }

    /// The first sequence number that is missing or bad; every event before it is intact.
    var sequence: Int64
    var kind: Kind

    /// One sentence for the operator.
    var explanation: String {
        switch kind {
        case .chain(.sequenceGap(let found)):
            "event \(sequence) is missing (the next event stored is \(found)): events were deleted"
        case .chain(.sequenceNotIncreasing(let found)):
            "event \(found) appears where event \(sequence) was expected: events were duplicated or reordered"
        case .chain(.brokenLink):
            "event \(sequence) does not link to the event before it: an event was inserted, deleted or moved here"
        case .chain(.hashMismatch):
            "event \(sequence) does not match its hash: it was edited after it was written"
        case .chain(.truncated(let size)):
            "the log ends at event \(sequence - 1) but the checkpoint vouches for \(size) events: events were deleted from the end"
        case .chain(.checkpointMismatch):
            "the log differs from the signed checkpoint at event \(sequence): events up to \(sequence) were rewritten and re-hashed"
        case .unreadable(let why):
            "where event \(sequence) was expected, \(why)"
        }
    }
}

/// Checks the whole audit log, streamed in batches, optionally against one signed checkpoint.
enum AuditLogCheck {
    /// Walks `audit_events` from the first event and returns the head of the intact chain.
    /// With `checkpoint`, the log must also reach the checkpoint's size and hash to its head there.
    /// The checkpoint's signature must have been checked by the caller.
    /// - Throws: `AuditLogFailure` at the first bad sequence; database errors as they come.
    static func verify(on sql: any SQLDatabase, checkpoint: AuditCheckpoint? = nil, batchSize: Int = 1000) async throws -> AuditChainHead {
        var reader = AuditLogReader(on: sql, batchSize: batchSize)
        var head = AuditChainHead.genesis
        var pending = checkpoint
        if let target = pending, target.size == 0 {
            try compare(head, with: target)
            pending = nil
        }
        while true {
            let batch = try await reader.next()
            var rest = batch.events[...]
            // Split the batch exactly at the checkpoint's size, to compare the head there.
            if let target = pending, target.size - head.sequence <= Int64(rest.count) {
                let count = Int(target.size - head.sequence)
                head = try advance(head, over: rest.prefix(count))
                rest = rest.dropFirst(count)
                try compare(head, with: target)
                pending = nil
            }
            head = try advance(head, over: rest)
            if let why = batch.unreadable {
                throw AuditLogFailure(sequence: head.sequence + 1, kind: .unreadable(why))
            }
            if batch.events.isEmpty { break }
        }
        if let target = pending {
            throw AuditLogFailure(sequence: head.sequence + 1, kind: .chain(.truncated(checkpointSize: target.size)))
        }
        return head
    }

    /// Parses a checkpoint file (its first line starting with `{`; `#` lines are comments) and checks
    /// its signature with `publicKey`, the instance's audit key.
    /// - Throws: `CommandFailure` naming the file when it is unreadable, malformed or not signed by that key.
    static func loadCheckpoint(at path: String, publicKey: Curve25519.Signing.PublicKey) throws -> AuditCheckpoint {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw CommandFailure(message: "egide audit verify: cannot read the checkpoint file \(path)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let line = lines.first(where: { $0.hasPrefix("{") }),
              let signed = try? SignedAuditCheckpoint(serialized: line) else {
            throw CommandFailure(message: "egide audit verify: \(path) is not an Egide audit checkpoint")
        }
        guard signed.isValid(for: publicKey) else {
            // The key printed beside the checkpoint tells a replaced instance key from an altered file.
            let recorded = lines.first { $0.hasPrefix(AuditCheckpointFile.keyPrefix) }
                .flatMap { Data(base64Encoded: String($0.dropFirst(AuditCheckpointFile.keyPrefix.count))) }
                .flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
            if let recorded, signed.isValid(for: recorded) {
                throw CommandFailure(message: "egide audit verify: the checkpoint in \(path) is signed by the audit key recorded with it, but this instance's audit key is different: the key was replaced, or this is another instance")
            }
            throw CommandFailure(message: "egide audit verify: the checkpoint in \(path) is not signed by this instance's audit key: it was altered, or it comes from another instance")
        }
        return signed.checkpoint
    }

    private static func advance(_ head: AuditChainHead, over events: ArraySlice<StoredAuditEvent>) throws -> AuditChainHead {
        switch AuditChainVerifier.verify(events, startingAfter: head) {
        case .intact(let next): return next
        case .broken(let failure): throw AuditLogFailure(sequence: failure.sequence, kind: .chain(failure.kind))
        }
    }

    private static func compare(_ head: AuditChainHead, with checkpoint: AuditCheckpoint) throws {
        guard head.hash == checkpoint.headHash else {
            throw AuditLogFailure(sequence: checkpoint.size, kind: .chain(.checkpointMismatch))
        }
    }
}

extension Array where Element == UInt8 {
    /// Lower-case hexadecimal, as `audit verify` prints the head hash.
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
