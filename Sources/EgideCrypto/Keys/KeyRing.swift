/// The set of data keys the process holds, each belonging to one owner (an
/// opaque string such as an organisation id), with one key per owner marked
/// active.
///
/// Rotation: insert a new key for the owner and activate it. New blobs are
/// sealed with the active key; blobs sealed with older keys still open as
/// long as those keys stay in the ring. Re-encrypt, then remove old keys.
/// A key id is globally unique in the ring and belongs to exactly one owner.
public struct KeyRing: Sendable {
    /// Why a ring operation failed.
    public enum RingError: Error, Equatable, Sendable {
        /// A key with this id is already in the ring.
        case duplicateKeyID(KeyID)
        /// No key with this id is in the ring.
        case unknownKey(KeyID)
        /// The owner has no active key.
        case noActiveKey(owner: String)
        /// The key exists but belongs to a different owner.
        case keyBelongsToAnotherOwner(KeyID)
    }

    private var keys: [KeyID: DataKey] = [:]
    private var owners: [KeyID: String] = [:]
    /// The active key of each owner (the key itself, so sealing looks up one dictionary, not two).
    private var active: [String: DataKey] = [:]

    /// An empty ring.
    public init() {}

    /// All key ids in the ring.
    public var keyIDs: Set<KeyID> { Set(keys.keys) }

    /// Adds `key` for `owner`, optionally making it the owner's active key.
    /// - Throws: `RingError.duplicateKeyID` if the id is already present.
    public mutating func insert(_ key: DataKey, owner: String, makeActive: Bool = false) throws(RingError) {
        guard keys[key.id] == nil else { throw .duplicateKeyID(key.id) }
        keys[key.id] = key
        owners[key.id] = owner
        if makeActive { active[owner] = key }
    }

    /// Makes key `id` the active key of `owner`.
    /// - Throws: `RingError.unknownKey`, or `.keyBelongsToAnotherOwner`.
    public mutating func activate(_ id: KeyID, for owner: String) throws(RingError) {
        guard let keyOwner = owners[id] else { throw .unknownKey(id) }
        guard keyOwner == owner, let key = keys[id] else { throw .keyBelongsToAnotherOwner(id) }
        active[owner] = key
    }

    /// Removes key `id` (after its blobs were re-encrypted). Removing an active key leaves its owner without one.
    /// - Throws: `RingError.unknownKey` if absent.
    public mutating func remove(_ id: KeyID) throws(RingError) {
        guard let owner = owners.removeValue(forKey: id) else { throw .unknownKey(id) }
        keys[id] = nil
        if active[owner]?.id == id { active[owner] = nil }
    }

    /// The key new data of `owner` is sealed with.
    /// - Throws: `RingError.noActiveKey` if none was activated.
    public func activeKey(for owner: String) throws(RingError) -> DataKey {
        guard let key = active[owner] else { throw .noActiveKey(owner: owner) }
        return key
    }

    /// The key with identifier `id`.
    /// - Throws: `RingError.unknownKey` if absent.
    public func key(id: KeyID) throws(RingError) -> DataKey {
        guard let key = keys[id] else { throw .unknownKey(id) }
        return key
    }

    /// The owner of key `id`, if present.
    public func owner(of id: KeyID) -> String? { owners[id] }
}
