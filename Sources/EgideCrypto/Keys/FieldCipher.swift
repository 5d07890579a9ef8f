import Crypto
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
    static let nonceLength = 12
    static let tagLength = 16

    /// The keys used for sealing (active key of the owner) and opening (by id).
    public let ring: KeyRing

    /// A cipher over `ring`.
    public init(ring: KeyRing) {
        self.ring = ring
    }

    /// Encrypts `plaintext` with the active key of `owner`, bound to `context`.
    /// - Throws: `CipherError.noActiveKey`; `.authenticationFailed` only if AES-GCM itself fails.
    public func seal(_ plaintext: [UInt8], owner: String, context: FieldContext) throws(CipherError) -> [UInt8] {
        let dataKey: DataKey
        do { dataKey = try ring.activeKey(for: owner) } catch { throw .noActiveKey(owner: owner) }
        let header = Self.header(keyID: dataKey.id)
        do {
            let box = try AES.GCM.seal(plaintext, using: dataKey.key, nonce: AES.GCM.Nonce(),
                                       authenticating: Self.associatedData(header: header, context: context))
            return header + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw .authenticationFailed
        }
    }

    /// Decrypts a blob sealed for `owner` at `context`.
    /// - Throws: `CipherError` — malformed, unknown key, wrong owner, or authentication failure.
    public func open(_ blob: [UInt8], owner: String, context: FieldContext) throws(CipherError) -> [UInt8] {
        let keyID = try Self.keyID(of: blob)
        guard let keyOwner = ring.owner(of: keyID), let dataKey = try? ring.key(id: keyID) else {
            throw .unknownKey(keyID)
        }
        guard keyOwner == owner else { throw .wrongOwner(keyID) }
        let headerLength = 2 + keyID.rawValue.utf8.count
        let nonceEnd = headerLength + Self.nonceLength
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: blob[headerLength..<nonceEnd]),
                ciphertext: blob[nonceEnd..<(blob.count - Self.tagLength)],
                tag: blob[(blob.count - Self.tagLength)...])
            let aad = Self.associatedData(header: Array(blob[..<headerLength]), context: context)
            return Array(try AES.GCM.open(box, using: dataKey.key, authenticating: aad))
        } catch {
            throw .authenticationFailed
        }
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

    static func associatedData(header: [UInt8], context: FieldContext) -> [UInt8] {
        var writer = ByteWriter()
        writer.append("egide-field-v1".utf8)
        writer.append(header)
        writer.appendLengthPrefixed(context.table)
        writer.appendLengthPrefixed(context.recordID)
        writer.appendLengthPrefixed(context.field)
        return writer.bytes
    }
}
