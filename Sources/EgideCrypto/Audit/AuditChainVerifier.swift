/// Verification of an audit log read back in storage order (`ORDER BY sequence`).
///
/// Each event is checked, in this order, against the head built from the
/// events before it:
/// 1. its sequence is exactly head + 1 (`sequenceGap` if larger — a deleted
///    event; `sequenceNotIncreasing` if equal or smaller — a duplicate or
///    reordering);
/// 2. its `previousHash` equals the head hash (`brokenLink`);
/// 3. its stored hash equals the recomputed chain hash (`hashMismatch`).
///
/// The failure's `sequence` is the sequence number *expected* at the first
/// position that fails: every event before it is intact. The chain alone
/// cannot detect a truncated tail or a log re-hashed from some point on by
/// someone with write access; signed checkpoints (`SignedAuditCheckpoint`) can.
public enum AuditChainVerifier: Sendable {
    /// The walk over a log, shared with checkpoint verification.
    struct Walk: Sendable {
        var head: AuditChainHead

        /// Advances over `event`, or reports why it does not extend the chain.
        mutating func step(_ event: StoredAuditEvent) -> AuditChainFailure? {
            let expected = head.sequence &+ 1
            let record = event.record
            if record.sequence > expected {
                return AuditChainFailure(sequence: expected, kind: .sequenceGap(found: record.sequence))
            }
            if record.sequence < expected {
                return AuditChainFailure(sequence: expected, kind: .sequenceNotIncreasing(found: record.sequence))
            }
            guard ConstantTime.equals(record.previousHash, head.hash) else {
                return AuditChainFailure(sequence: expected, kind: .brokenLink)
            }
            let computed = record.chainHash
            guard ConstantTime.equals(computed, event.hash) else {
                return AuditChainFailure(sequence: expected, kind: .hashMismatch)
            }
            head = AuditChainHead(sequence: expected, hash: computed)
            return nil
        }
    }

    /// Verifies `events` (in storage order) as the continuation of `anchor`
    /// (the empty log by default, or a previously verified head).
    public static func verify(
        _ events: some Sequence<StoredAuditEvent>, startingAfter anchor: AuditChainHead = .genesis
    ) -> AuditChainVerification {
        var walk = Walk(head: anchor)
        for event in events {
            if let failure = walk.step(event) { return .broken(failure) }
        }
        return .intact(head: walk.head)
    }
}

/// Outcome of verifying a log.
public enum AuditChainVerification: Sendable, Equatable {
    /// Every event links and hashes correctly; `head` is the last one.
    case intact(head: AuditChainHead)
    /// The first failure found.
    case broken(AuditChainFailure)
}

/// Where and how a log first fails verification.
public struct AuditChainFailure: Sendable, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// An event with a higher sequence appears where `sequence` was expected (events deleted).
        case sequenceGap(found: Int64)
        /// An event with an equal or lower sequence appears (duplicate or reordering).
        case sequenceNotIncreasing(found: Int64)
        /// The event's previous hash is not the hash of the event before it.
        case brokenLink
        /// The stored hash does not match the event's contents.
        case hashMismatch
        /// The log ends before the size a signed checkpoint vouches for.
        case truncated(checkpointSize: Int64)
        /// The log's hash at a checkpoint's size differs from the signed head hash
        /// (the prefix was rewritten and re-hashed somewhere at or before `sequence`).
        case checkpointMismatch
    }

    /// The first sequence number that is missing or bad; all before it are intact.
    public var sequence: Int64
    /// What went wrong there.
    public var kind: Kind

    /// A failure at `sequence`.
    public init(sequence: Int64, kind: Kind) {
        self.sequence = sequence
        self.kind = kind
    }
}
