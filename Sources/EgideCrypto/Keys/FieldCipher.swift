import Foundation

/// Where an encrypted value lives. Bound into the ciphertext as associated
/// data, so a blob copied to another table, row or column does not open.
public struct FieldContext: Sendable, Hashable {
    /// Table (or collection) name, e.g. `"people"`.
    public let table: String
    /// Primary key of the row, e.g. a UUID string.
    public let recordID: String
    /// Column name, e.g. `"full_name"`.
    public let field: String

    /// A context for one column of one row.
    public init(table: String, recordID: String, field: String) {
        self.table = table
        self.recordID = recordID
        self.field = field
    }
}

/// Field-level encryption with AES-256-GCM under keys from a `KeyRing`.
///
/// Blob layout (version 1):
///
///     0x01 ‖ n (1 byte) ‖ key id (n ASCII bytes) ‖ nonce (12) ‖ ciphertext ‖ tag (16)
///
/// Associated data (never stored, recomputed on open):
///
///     "egide-field-v1" ‖ 0x01 ‖ n ‖ key id ‖ len32(table) ‖ table ‖ len32(recordID) ‖ recordID ‖ len32(field) ‖ field
///
/// where `len32` is a 4-byte big-endian UTF-8 byte count. Every variable part
/// is length-prefixed, so no two different (key id, context) pairs give the
/// same associated data. Nonces are random (96 bits): keep each key below
/// 2^32 encryptions and rotate well before that.
///
/// Opening also checks that the key named in the blob belongs to the owner
/// the caller expects, so one organisation's row cannot be made to decrypt
/// under another organisation's key.
///
/// AES-GCM itself runs on the system's OpenSSL when it loads, else on
/// swift-crypto (`AESGCMEngine`); both read and write exactly this format.
public struct FieldCipher: Sendable {
    /// Why sealing or opening failed.
    public enum CipherError: Error, Equatable, Sendable {
        /// Too short, or a malformed key id field.
        case malformedBlob
        /// The first byte is not a known format version.
        case unsupportedVersion(UInt8)
        /// The blob names a key that is not in the ring.
        case unknownKey(KeyID)
        /// The named key belongs to a different owner than the caller's.
        case wrongOwner(KeyID)
        /// The owner has no active key to seal with.
        case noActiveKey(owner: String)
        /// Authentication failed: the blob was altered, or the context (table, row, field) differs.
        case authenticationFailed
        /// The decrypted bytes are not UTF-8 (`openString` only).
        case invalidUTF8
    }

    /// Format version written as the first byte.
    public static let version: UInt8 = 0x01
    static let nonceLength = AESGCMEngine.nonceLength
    static let tagLength = AESGCMEngine.tagLength

    /// The keys used for sealing (active key of the owner) and opening (by id).
    public let ring: KeyRing
    /// The AES-GCM implementation: the process's preferred one, unless a test chose.
    let engine: AESGCMEngine

    /// A cipher over `ring`.
    public init(ring: KeyRing) {
        self.init(ring: ring, engine: .preferred)
    }

    init(ring: KeyRing, engine: AESGCMEngine) {
        self.ring = ring
        self.engine = engine
    }

    /// The AES-256-GCM implementation in use in this process: "libcrypto (OpenSSL …)" — the system's
    /// OpenSSL 3, loaded at run time — or "swift-crypto" where it is missing. Both write the same blobs.
    public static var engineName: String { AESGCMEngine.preferred.name }

    /// Encrypts `plaintext` with the active key of `owner`, bound to `context`.
    /// - Throws: `CipherError.noActiveKey`; `.authenticationFailed` only if AES-GCM itself fails.
    public func seal(_ plaintext: [UInt8], owner: String, context: FieldContext) throws(CipherError) -> [UInt8] {
        let dataKey: DataKey
        do { dataKey = try ring.activeKey(for: owner) } catch { throw .noActiveKey(owner: owner) }
        let (aead, engine, id) = (dataKey.aead, engine, dataKey.id.rawValue)
        let headerLength = 2 + id.utf8.count
        let blobLength = headerLength + plaintext.count + AESGCMEngine.overhead
        var sealed = false
        let blob = [UInt8](unsafeUninitializedCapacity: blobLength) { buffer, initializedCount in
            let bytes = UnsafeMutableRawBufferPointer(buffer)
            var header = UnsafeByteWriter(bytes)
            header.appendUInt8(Self.version)
            header.appendUInt8(UInt8(headerLength - 2))
            header.append(utf8: id)
            sealed = Self.withAssociatedData(header: UnsafeRawBufferPointer(rebasing: bytes[..<headerLength]), context: context) { aad in
                plaintext.withUnsafeBytes { input in
                    aead.seal(input, authenticating: aad, into: UnsafeMutableRawBufferPointer(rebasing: bytes[headerLength...]), engine: engine)
                }
            }
            initializedCount = blobLength
        }
        guard sealed else { throw .authenticationFailed }
        return blob
    }

    /// Decrypts a blob sealed for `owner` at `context`.
    /// - Throws: `CipherError` — malformed, unknown key, wrong owner, or authentication failure.
    public func open(_ blob: [UInt8], owner: String, context: FieldContext) throws(CipherError) -> [UInt8] {
        let keyID = try Self.keyID(of: blob)
        guard let keyOwner = ring.owner(of: keyID), let dataKey = try? ring.key(id: keyID) else {
            throw .unknownKey(keyID)
        }
        guard keyOwner == owner else { throw .wrongOwner(keyID) }
        let (aead, engine) = (dataKey.aead, engine)
        let headerLength = 2 + keyID.rawValue.utf8.count
        let plaintextLength = blob.count - headerLength - AESGCMEngine.overhead
        var opened = false
        let plaintext = [UInt8](unsafeUninitializedCapacity: plaintextLength) { buffer, initializedCount in
            blob.withUnsafeBytes { bytes in
                opened = Self.withAssociatedData(header: UnsafeRawBufferPointer(rebasing: bytes[..<headerLength]), context: context) { aad in
                    aead.open(UnsafeRawBufferPointer(rebasing: bytes[headerLength...]), authenticating: aad,
                              into: UnsafeMutableRawBufferPointer(buffer), engine: engine)
                }
            }
            initializedCount = opened ? plaintextLength : 0
        }
        guard opened else { throw .authenticationFailed }
        return plaintext
    }

    /// Seals the UTF-8 bytes of `plaintext`.
    /// - Throws: as `seal(_:owner:context:)`.
    public func seal(string plaintext: String, owner: String, context: FieldContext) throws(CipherError) -> [UInt8] {
        try seal(Array(plaintext.utf8), owner: owner, context: context)
    }

    /// Opens a blob and decodes it as UTF-8.
    /// - Throws: as `open(_:owner:context:)`, or `CipherError.invalidUTF8`.
    public func openString(_ blob: [UInt8], owner: String, context: FieldContext) throws(CipherError) -> String {
        let bytes = try open(blob, owner: owner, context: context)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    /// The key id a blob was sealed with (for finding blobs to re-encrypt after rotation).
    /// - Throws: `CipherError.malformedBlob` or `.unsupportedVersion`.
    public static func keyID(of blob: [UInt8]) throws(CipherError) -> KeyID {
        guard let version = blob.first else { throw .malformedBlob }
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard blob.count >= 2 else { throw .malformedBlob }
        let idLength = Int(blob[1])
        guard idLength > 0, blob.count >= 2 + idLength + nonceLength + tagLength else { throw .malformedBlob }
        let idBytes = blob[2..<(2 + idLength)]
        guard let keyID = try? KeyID(String(decoding: idBytes, as: UTF8.self)),
              keyID.rawValue.utf8.count == idLength
        else { throw .malformedBlob }
        return keyID
    }

    static func header(keyID: KeyID) -> [UInt8] {
        let id = Array(keyID.rawValue.utf8)
        return [version, UInt8(id.count)] + id
    }

    /// Calls `body` with the associated data described above, built in a temporary buffer.
    static func withAssociatedData<Result>(header: UnsafeRawBufferPointer, context: FieldContext,
                                           _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        let domain: StaticString = "egide-field-v1"
        let (table, recordID, field) = (context.table, context.recordID, context.field)
        let length = domain.utf8CodeUnitCount + header.count + UnsafeByteWriter.lengthPrefixedCount(table)
            + UnsafeByteWriter.lengthPrefixedCount(recordID) + UnsafeByteWriter.lengthPrefixedCount(field)
        return withUnsafeTemporaryAllocation(byteCount: length, alignment: 1) { buffer in
            var writer = UnsafeByteWriter(buffer)
            writer.append(UnsafeRawBufferPointer(start: domain.utf8Start, count: domain.utf8CodeUnitCount))
            writer.append(header)
            writer.appendLengthPrefixed(table)
            writer.appendLengthPrefixed(recordID)
            writer.appendLengthPrefixed(field)
            return body(UnsafeRawBufferPointer(buffer))
        }
    }
}
