import Crypto

/// One entry of the tamper-evident audit log.
///
/// Canonical encoding (version 1), the exact bytes that are hashed:
///
///     i64(sequence) ‖ i64(timeMillis) ‖ str(actor) ‖ opt(organisation) ‖ str(action)
///     ‖ opt(objectType) ‖ opt(objectID) ‖ u32(count of details)
///     ‖ for each detail, keys in ascending UTF-8 byte order: str(key) ‖ str(value)
///
/// * `i64`: 8-byte big-endian two's complement; `u32`: 4-byte big-endian.
/// * `str(s)`: `u32(UTF-8 byte count) ‖ UTF-8 bytes`, exactly as held by
///   `String.utf8` — no Unicode normalisation, so storage must preserve bytes
///   (PostgreSQL `text` and SQLite do).
/// * `opt(nil)` = `0x00`; `opt(s)` = `0x01 ‖ str(s)`, so nil ≠ "".
///
/// Chain hash: `SHA-256("egide-audit-v1" ‖ canonical ‖ previousHash)`, where
/// `previousHash` is the 32-byte hash of the event with the previous sequence
/// number, or 32 zero bytes for the first event (sequence 1).
public struct AuditEventRecord: Sendable, Equatable {
    /// Position in the log, starting at 1, without gaps.
    public var sequence: Int64
    /// Event time, Unix milliseconds.
    public var timeMillis: Int64
    /// `"public"` for unauthenticated actions, otherwise a user id.
    public var actor: String
    /// Organisation the event concerns, if any.
    public var organisation: String?
    /// What happened, e.g. `"person.update"`.
    public var action: String
    /// Kind of object acted upon, if any.
    public var objectType: String?
    /// Identifier of the object acted upon, if any.
    public var objectID: String?
    /// Extra key/value context; encoded with keys sorted.
    public var details: [String: String]
    /// Hash of the preceding event (32 bytes).
    public var previousHash: [UInt8]

    /// Previous hash of the first event: 32 zero bytes.
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// A record with every field given explicitly.
    public init(sequence: Int64, timeMillis: Int64, actor: String, organisation: String?, action: String,
                objectType: String?, objectID: String?, details: [String: String], previousHash: [UInt8]) {
        self.sequence = sequence
        self.timeMillis = timeMillis
        self.actor = actor
        self.organisation = organisation
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.details = details
        self.previousHash = previousHash
    }

    /// The canonical byte encoding described above (without `previousHash`).
    public var canonicalEncoding: [UInt8] {
        var writer = ByteWriter()
        writer.appendInt64(sequence)
        writer.appendInt64(timeMillis)
        writer.appendLengthPrefixed(actor)
        writer.appendOptional(organisation)
        writer.appendLengthPrefixed(action)
        writer.appendOptional(objectType)
        writer.appendOptional(objectID)
        writer.appendUInt32(UInt32(truncatingIfNeeded: details.count))
        let sorted = details.map { (Array($0.key.utf8), Array($0.value.utf8)) }
            .sorted { $0.0.lexicographicallyPrecedes($1.0) }
        for (key, value) in sorted {
            writer.appendLengthPrefixed(key)
            writer.appendLengthPrefixed(value)
        }
        return writer.bytes
    }

    /// `SHA-256("egide-audit-v1" ‖ canonicalEncoding ‖ previousHash)`.
    public var chainHash: [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array("egide-audit-v1".utf8))
        hasher.update(data: canonicalEncoding)
        hasher.update(data: previousHash)
        return Array(hasher.finalize())
    }
}

/// A record as read back from storage, with the hash stored alongside it.
public struct StoredAuditEvent: Sendable, Equatable {
    /// The event fields.
    public var record: AuditEventRecord
    /// The chain hash stored when the event was appended.
    public var hash: [UInt8]

    /// Pairs a record with its stored hash.
    public init(record: AuditEventRecord, hash: [UInt8]) {
        self.record = record
        self.hash = hash
    }

    /// Seals a record by computing its chain hash (what the writer stores).
    public init(sealing record: AuditEventRecord) {
        self.init(record: record, hash: record.chainHash)
    }
}

/// The end of a verified chain: the last sequence number and its hash.
public struct AuditChainHead: Sendable, Equatable {
    /// Sequence of the last event (0 for an empty log).
    public var sequence: Int64
    /// Hash of the last event (`genesisHash` for an empty log).
    public var hash: [UInt8]

    /// A head at `sequence` with `hash`.
    public init(sequence: Int64, hash: [UInt8]) {
        self.sequence = sequence
        self.hash = hash
    }

    /// The head of an empty log.
    public static let genesis = AuditChainHead(sequence: 0, hash: AuditEventRecord.genesisHash)

    /// The record to append next: sequence + 1, linked to this head.
    public func nextRecord(timeMillis: Int64, actor: String, organisation: String?, action: String,
                           objectType: String? = nil, objectID: String? = nil,
                           details: [String: String] = [:]) -> AuditEventRecord {
        AuditEventRecord(sequence: sequence + 1, timeMillis: timeMillis, actor: actor,
                         organisation: organisation, action: action, objectType: objectType,
                         objectID: objectID, details: details, previousHash: hash)
    }
}
