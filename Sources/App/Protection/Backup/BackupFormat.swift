import Crypto
import Foundation

/// The encrypted backup file, version 1:
///
///     "EGIDEBK1" ‖ u32(n) ‖ header (n bytes of JSON, sorted keys)
///     ‖ chunk₀ ‖ chunk₁ ‖ … ‖ chunkₖ          chunk = u8(flags) ‖ u32(m) ‖ ciphertext (m) ‖ tag (16)
///
/// Every chunk is AES-256-GCM under the backup key, with
///
///     nonce = nonceBase XOR (0⁴ ‖ u64(index))
///     AAD   = "egide-backup-chunk-v1" ‖ SHA-256(magic ‖ u32(n) ‖ header) ‖ u64(index) ‖ u8(flags)
///
/// so the header (database kind, instance, key mode, scrypt parameters) cannot be altered, chunks
/// cannot be reordered, dropped or repeated, and a file cut at a chunk boundary is detected: the
/// last chunk must carry flag 1 (final) and nothing may follow it. Integers are big-endian.
/// Chunks hold at most `chunkSize` bytes of plaintext, so neither end holds the database in memory.
enum BackupFormat {
    static let magic = Array("EGIDEBK1".utf8)
    static let defaultChunkSize = 1 << 20
    static let chunkSizeRange = 1024...(16 << 20)
    static let maxHeaderLength = 64 * 1024
    static let tagLength = 16
    static let finalFlag: UInt8 = 1

    /// What the header says about the backup (in clear, but authenticated).
    struct Header: Codable, Equatable, Sendable {
        /// What the backup key is derived from.
        enum KeyMode: String, Codable, Sendable {
            /// HKDF-SHA256 of the instance's key-encryption key (the key file).
            case kek
            /// A random key sealed under scrypt(backup passphrase) in `sealedKey`.
            case passphrase
        }

        var version = 1
        /// `sqlite` (a database file) or `postgresql` (plain SQL from pg_dump).
        var database: String
        /// PostgreSQL only: the schema that was dumped, or `nil` for the whole database.
        var postgresSchema: String?
        /// The `instance` table's id.
        var instance: String
        /// ISO 8601, UTC.
        var createdAt: String
        var keyMode: KeyMode
        /// Base64 HKDF salt (kek mode, 32 bytes).
        var salt: String?
        /// `$egide-kek-v1$ln=…,r=…,p=…$<salt>$<sealed key>` (passphrase mode): scrypt parameters and salt.
        var sealedKey: String?
        /// Base64, 12 bytes.
        var nonceBase: String
        var chunkSize: Int
        /// Base64 of the first 16 bytes of HMAC-SHA256(backup key, "egide-backup-key-check-v1"):
        /// tells a wrong key from a damaged file before any chunk is read.
        var keyCheck: String
    }

    /// The bytes that start the file: magic, length and header.
    static func encode(_ header: Header) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = Array(try encoder.encode(header))
        return magic + bigEndian(UInt32(json.count)) + json
    }

    /// The chunk nonce: the random base with the chunk index XORed into its last 8 bytes.
    static func nonce(base: [UInt8], index: UInt64) throws -> AES.GCM.Nonce {
        var bytes = base
        for (offset, byte) in bigEndian(index).enumerated() { bytes[4 + offset] ^= byte }
        return try AES.GCM.Nonce(data: bytes)
    }

    /// The associated data of chunk `index`.
    static func associatedData(headerDigest: [UInt8], index: UInt64, flags: UInt8) -> [UInt8] {
        Array("egide-backup-chunk-v1".utf8) + headerDigest + bigEndian(index) + [flags]
    }

    /// The key-check value stored in the header.
    static func keyCheck(for key: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("egide-backup-key-check-v1".utf8), using: key).prefix(16))
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    static func integer<T: FixedWidthInteger>(_ bytes: some Collection<UInt8>, as: T.Type) -> T {
        bytes.reduce(T.zero) { $0 << 8 | T($1) }
    }
}
