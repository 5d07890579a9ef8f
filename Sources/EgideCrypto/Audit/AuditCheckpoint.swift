import Crypto
import Foundation

/// A statement "the log had `size` events and its head hash was `headHash`
/// at `timeMillis`", signed with Ed25519 by a key the database never sees.
///
/// Signed message (binary, 57 + 32 bytes):
///
///     "egide-audit-checkpoint-v1" ‖ i64(size) ‖ headHash (32) ‖ i64(timeMillis)
///
/// Serialised form: a JSON object with sorted keys,
///
///     {"headHash":"<64 hex>","signature":"<base64>","size":42,"time":1700000000000,"version":1}
///
/// Publish or store checkpoints away from the log (e-mail them, keep them on
/// another host): an attacker with database write access who cannot sign can
/// still delete the tail or re-hash the log from any point, and only a
/// checkpoint taken before the change reveals it. More frequent checkpoints
/// localise a rewrite more precisely.
public struct AuditCheckpoint: Sendable, Equatable {
    /// Number of events (= sequence of the last event) covered.
    public var size: Int64
    /// Chain hash of event `size` (`genesisHash` for size 0).
    public var headHash: [UInt8]
    /// When the checkpoint was taken, Unix milliseconds.
    public var timeMillis: Int64

    /// A checkpoint of `head` taken at `timeMillis`.
    public init(head: AuditChainHead, timeMillis: Int64) {
        self.size = head.sequence
        self.headHash = head.hash
        self.timeMillis = timeMillis
    }

    /// The exact bytes that are signed.
    public var signedMessage: [UInt8] {
        var writer = ByteWriter()
        writer.append("egide-audit-checkpoint-v1".utf8)
        writer.appendInt64(size)
        writer.append(headHash)
        writer.appendInt64(timeMillis)
        return writer.bytes
    }
}

/// An `AuditCheckpoint` with its Ed25519 signature.
public struct SignedAuditCheckpoint: Sendable, Equatable {
    /// Why a checkpoint cannot be signed, parsed or trusted.
    public enum CheckpointError: Error, Equatable, Sendable {
        /// The signing operation failed.
        case signingFailed
        /// Not a valid serialised checkpoint (JSON shape, hex, base64, version).
        case malformed
        /// The signature does not verify under the given public key.
        case invalidSignature(size: Int64)
    }

    /// The signed statement.
    public let checkpoint: AuditCheckpoint
    /// 64-byte Ed25519 signature over `checkpoint.signedMessage`.
    public let signature: [UInt8]

    /// Signs `checkpoint`.
    /// - Throws: `CheckpointError.signingFailed` if the signature cannot be produced.
    public init(signing checkpoint: AuditCheckpoint, with key: Curve25519.Signing.PrivateKey) throws(CheckpointError) {
        do {
            self.signature = Array(try key.signature(for: checkpoint.signedMessage))
        } catch {
            throw .signingFailed
        }
        self.checkpoint = checkpoint
    }

    /// Whether the signature verifies under `publicKey`.
    public func isValid(for publicKey: Curve25519.Signing.PublicKey) -> Bool {
        checkpoint.headHash.count == 32
            && publicKey.isValidSignature(signature, for: checkpoint.signedMessage)
    }

    private struct Document: Decodable {
        var version: Int
        var size: Int64
        var headHash: String
        var time: Int64
        var signature: String
    }

    /// The JSON text form (see `AuditCheckpoint`). Written by hand: every value
    /// is hex, base64 or an integer, so no escaping is ever needed.
    public var serialized: String {
        "{\"headHash\":\"\(Hex.encode(checkpoint.headHash))\","
            + "\"signature\":\"\(Data(signature).base64EncodedString())\","
            + "\"size\":\(checkpoint.size),\"time\":\(checkpoint.timeMillis),\"version\":1}"
    }

    /// Parses the JSON text form. The signature is *not* checked here: call `isValid(for:)`.
    /// - Throws: `CheckpointError.malformed`.
    public init(serialized text: String) throws(CheckpointError) {
        guard let document = try? JSONDecoder().decode(Document.self, from: Data(text.utf8)),
              document.version == 1, document.size >= 0,
              let headHash = Hex.decode(document.headHash), headHash.count == 32,
              let signature = Data(base64Encoded: document.signature), signature.count == 64
        else { throw .malformed }
        self.checkpoint = AuditCheckpoint(head: AuditChainHead(sequence: document.size, hash: headHash),
                                          timeMillis: document.time)
        self.signature = Array(signature)
    }
}

extension AuditChainVerifier {
    /// Verifies the whole log from genesis and checks it against signed checkpoints:
    /// each signature must verify; the log must reach every checkpoint's size
    /// (else `truncated`, at the first missing sequence) and its hash there must
    /// equal the signed head hash (else `checkpointMismatch`, at the checkpoint's size).
    /// Chain failures before a checkpoint are reported as by `verify(_:startingAfter:)`.
    /// - Throws: `CheckpointError.invalidSignature` if any checkpoint fails to verify.
    public static func verify(
        _ events: some Sequence<StoredAuditEvent>,
        against checkpoints: [SignedAuditCheckpoint],
        publicKey: Curve25519.Signing.PublicKey
    ) throws(SignedAuditCheckpoint.CheckpointError) -> AuditChainVerification {
        for signed in checkpoints where !signed.isValid(for: publicKey) {
            throw .invalidSignature(size: signed.checkpoint.size)
        }
        var pending = checkpoints.map(\.checkpoint).sorted { $0.size < $1.size }[...]
        var walk = Walk(head: .genesis)
        func checkReached() -> AuditChainFailure? {
            while let next = pending.first, next.size <= walk.head.sequence {
                pending.removeFirst()
                // Equal sizes only: a smaller size was already checked when the walk passed it.
                if next.size == walk.head.sequence, !ConstantTime.equals(next.headHash, walk.head.hash) {
                    return AuditChainFailure(sequence: next.size, kind: .checkpointMismatch)
                }
            }
            return nil
        }
        if let failure = checkReached() { return .broken(failure) }
        for event in events {
            if let failure = walk.step(event) { return .broken(failure) }
            if let failure = checkReached() { return .broken(failure) }
        }
        if let beyond = pending.last {
            return .broken(AuditChainFailure(sequence: walk.head.sequence + 1,
                                             kind: .truncated(checkpointSize: beyond.size)))
        }
        return .intact(head: walk.head)
    }
}
