import Crypto
import EgideCrypto
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The keys of the running process. Sealed until the KEK is loaded (from the key file, or from
/// the passphrase an administrator types); once open it holds every data key, unwrapped, in memory.
///
/// Everything that encrypts, decrypts or computes a blind index goes through here, so there is one
/// place where keys live and one error (`VaultError.sealed`) when they are not available.
package final class Vault: Sendable {
    enum VaultError: Error, CustomStringConvertible {
        case sealed
        case keyFileMissing(String)
        case noKey(String)
        /// The stored keys are wrapped by another KEK than this process holds (the key file was
        /// replaced on another node).
        case staleKeyFile

        var description: String {
            switch self {
            case .sealed: "Egide is sealed: an administrator must unlock it"
            case .keyFileMissing(let path):
                "the key file \(path) is missing but the database holds encrypted keys: restore the key file (or set EGIDE_KEK_FILE); without it the data cannot be read"
            case .noKey(let owner): "no data key for \(owner)"
            case .staleKeyFile: "the key file of this node is older than the database's keys: copy the current key file here and restart"
            }
        }
    }

    private struct Keys {
        var kek: KeyEncryptionKey
        var ring: KeyRing
    }

    private let keys = NIOLockedValueBox<Keys?>(nil)

    /// The instance-wide owner (data that belongs to no organisation yet, such as public intake).
    static let instanceOwner = "instance"

    var isOpen: Bool { keys.withLockedValue { $0 != nil } }

    /// Opens the vault with `kek`: unwraps every stored data key and creates the instance keys on
    /// first use. Fails if a stored key does not unwrap (a wrong key file).
    func open(with kek: KeyEncryptionKey, on db: any Database) async throws {
        keys.withLockedValue { $0 = Keys(kek: kek, ring: KeyRing()) }
        do {
            try await reload(on: db)
        } catch {
            seal()
            throw error
        }
        for (owner, purpose) in [(Self.instanceOwner, DataKeyRecord.Purpose.field), ("index", .index), ("audit-signing", .auditSigning)] {
            if (try? currentRing().activeKey(for: owner)) == nil {
                try await createKey(owner: owner, purpose: purpose, on: db)
            }
        }
    }

    /// Forgets every key (the process becomes sealed).
    func seal() {
        keys.withLockedValue { $0 = nil }
        uniqueKeys.withLockedValue { $0 = (nil, [:]) }
    }

    /// The key-encryption key, while open.
    func currentKEK() throws -> KeyEncryptionKey {
        guard let kek = keys.withLockedValue({ $0?.kek }) else { throw VaultError.sealed }
        return kek
    }

    /// Re-reads the stored data keys (new keys made by `egide keys rotate` in another process or on
    /// another node, keys destroyed by `egide keys shred`).
    ///
    /// A destroyed key always leaves the ring. A stored key this process's KEK cannot unwrap (another
    /// node replaced the key file: `rotate-kek`, `shred`) keeps the copy already in memory, so the
    /// node goes on serving, and the reload reports it: it returns how many stored keys it could not
    /// unwrap. Opening (an empty ring) fails on any such key: that is a wrong key file.
    @discardableResult
    func reload(on db: any Database) async throws -> Int {
        guard let current = keys.withLockedValue({ $0 }) else { return 0 }
        var ring = KeyRing(), stale = 0
        for record in try await DataKeyRecord.query(on: db).all() {
            guard let wrapped = record.wrapped, record.state != .destroyed, let id = record.id else { continue }
            let key: DataKey
            do {
                key = try current.kek.unwrap(Array(wrapped), owner: record.owner)
            } catch {
                guard let keyID = try? KeyID(id), let held = try? current.ring.key(id: keyID) else { throw error }
                key = held
                stale += 1
            }
            try ring.insert(key, owner: record.owner, makeActive: record.state == .active)
        }
        keys.withLockedValue { $0 = Keys(kek: current.kek, ring: ring) }
        return stale
    }

    /// A fingerprint of the stored keys, so a reload happens only when something changed.
    static func keysFingerprint(on db: any Database) async throws -> String {
        try await DataKeyRecord.query(on: db).all().map { "\($0.id ?? "")\($0.state.rawValue)" }.sorted().joined()
    }

    /// Generates, wraps and stores a new active key for `owner`; the previous active key retires.
    @discardableResult
    func createKey(owner: String, purpose: DataKeyRecord.Purpose = .field, on db: any Database) async throws -> KeyID {
        guard let kek = keys.withLockedValue({ $0?.kek }) else { throw VaultError.sealed }
        // A key wrapped by a KEK that another node has replaced could be read by no other node.
        if let index = try await DataKeyRecord.query(on: db).filter(\.$owner == "index").filter(\.$state == .active).first(),
           let wrapped = index.wrapped, (try? kek.unwrap(Array(wrapped), owner: "index")) == nil {
            throw VaultError.staleKeyFile
        }
        let key = DataKey.generate()
        let wrapped = try kek.wrap(key, owner: owner)
        try await DataKeyRecord.query(on: db).filter(\.$owner == owner).filter(\.$state == .active)
            .set(\.$state, to: .retired).update()
        try await DataKeyRecord(id: key.id.rawValue, owner: owner, purpose: purpose, state: .active,
                                wrapped: Data(wrapped), createdAt: Date()).create(on: db)
        try await ChangeCounters.bump(.keys, on: db)
        try keys.withLockedValue { keys in
            guard keys != nil else { throw VaultError.sealed }
            try keys!.ring.insert(key, owner: owner, makeActive: true)
        }
        return key.id
    }

    func currentRing() throws -> KeyRing {
        guard let ring = keys.withLockedValue({ $0?.ring }) else { throw VaultError.sealed }
        return ring
    }

    /// The field cipher over every key the process holds.
    func cipher() throws -> FieldCipher { FieldCipher(ring: try currentRing()) }

    /// Encrypts `value` for `owner`, bound to the row and column it is stored in.
    package func seal(_ value: String, owner: String, _ context: FieldContext) throws -> Data {
        Data(try cipher().seal(string: value, owner: owner, context: context))
    }

    /// Decrypts what `seal` produced for the same owner, row and column.
    func open(_ blob: Data, owner: String, _ context: FieldContext) throws -> String {
        try cipher().openString(Array(blob), owner: owner, context: context)
    }

    /// The blind index `name`, `bits` wide, keyed from the instance's index root key.
    func blindIndex(_ name: String, bits: Int) throws -> BlindIndex {
        let root = try currentRing().activeKey(for: "index")
        let cacheKey = "\(name)/\(bits)"
        if let cached = blindIndexes.withLockedValue({ $0.root == root.id ? $0.indexes[cacheKey] : nil }) { return cached }
        let index = try BlindIndex(name: name, key: root.key, bits: bits)
        blindIndexes.withLockedValue { cache in
            if cache.root != root.id { cache = (root.id, [:]) }
            cache.indexes[cacheKey] = index
        }
        return index
    }

    /// The blind indexes (their derived keys), by name and width, for the index root key they were
    /// derived from, as `uniqueKeys` below: deriving a key for every value indexed cost an HKDF each.
    private let blindIndexes = NIOLockedValueBox<(root: KeyID?, indexes: [String: BlindIndex])>((nil, [:]))

    /// A full-width keyed fingerprint of `value` for a unique constraint (HMAC-SHA-256 under a key
    /// derived from the index root for `purpose`). Unlike a blind index it is not truncated.
    func uniqueTag(_ purpose: String, _ value: String) throws -> Data {
        let root = try currentRing().activeKey(for: "index")
        let key = uniqueKey(purpose, root: root)
        return Data(HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: key))
    }

    /// The derived keys of `uniqueTag`, per purpose, for the index root key they were derived
    /// from: a reload that activates another root key (rotation) starts a new cache.
    private let uniqueKeys = NIOLockedValueBox<(root: KeyID?, keys: [String: SymmetricKey])>((nil, [:]))

    private func uniqueKey(_ purpose: String, root: DataKey) -> SymmetricKey {
        if let cached = uniqueKeys.withLockedValue({ $0.root == root.id ? $0.keys[purpose] : nil }) { return cached }
        let key = HKDF<SHA256>.deriveKey(inputKeyMaterial: root.key, info: Data("egide-unique-v1:\(purpose)".utf8), outputByteCount: 32)
        uniqueKeys.withLockedValue { cache in
            if cache.root != root.id { cache = (root.id, [:]) }
            cache.keys[purpose] = key
        }
        return key
    }

    /// The Ed25519 key that signs audit checkpoints.
    func auditSigningKey() throws -> Curve25519.Signing.PrivateKey {
        let seed = try currentRing().activeKey(for: "audit-signing").key.withUnsafeBytes { Data($0) }
        return try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }
}

extension Application {
    private struct VaultKey: StorageKey { typealias Value = Vault }

    /// The process's keys (sealed until unlocked).
    package var vault: Vault {
        get { storage[VaultKey.self]! }
        set { storage[VaultKey.self] = newValue }
    }
}
