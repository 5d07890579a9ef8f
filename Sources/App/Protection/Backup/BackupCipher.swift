import Crypto
import EgideCrypto
import Foundation

/// Why a backup cannot be written or read; `description` is the operator's message.
struct BackupError: Error, CustomStringConvertible {
    var description: String
}

/// Reads up to the given number of bytes (fewer only at the end); writes bytes.
typealias ReadBytes = (Int) throws -> [UInt8]
typealias WriteBytes = ([UInt8]) throws -> Void

/// Encrypts a plaintext stream into chunks, or decrypts and authenticates them back.
struct BackupStream {
    let key: SymmetricKey
    let nonceBase: [UInt8]
    let headerDigest: [UInt8]
    let chunkSize: Int

    init(header: BackupFormat.Header, headerBytes: [UInt8], key: SymmetricKey) throws {
        guard let base = Data(base64Encoded: header.nonceBase), base.count == 12,
              BackupFormat.chunkSizeRange.contains(header.chunkSize) else {
            throw BackupError(description: "the backup header is damaged (nonce or chunk size)")
        }
        self.key = key
        self.nonceBase = Array(base)
        self.headerDigest = Array(SHA256.hash(data: headerBytes))
        self.chunkSize = header.chunkSize
    }

    /// Seals everything `read` yields, chunk by chunk, and returns the plaintext byte count.
    /// - Throws: `BackupError`, or what `read`/`write` throw.
    func encrypt(from read: ReadBytes, to write: WriteBytes) throws -> Int {
        var index: UInt64 = 0, total = 0
        var current = try read(chunkSize)
        while true {
            // One chunk of look-ahead: a chunk is final when nothing follows it.
            let next = current.count < chunkSize ? [] : try read(chunkSize)
            let flags = next.isEmpty ? BackupFormat.finalFlag : 0
            let box = try AES.GCM.seal(current, using: key, nonce: BackupFormat.nonce(base: nonceBase, index: index),
                                       authenticating: BackupFormat.associatedData(headerDigest: headerDigest, index: index, flags: flags))
            try write([flags] + BackupFormat.bigEndian(UInt32(current.count)) + Array(box.ciphertext) + Array(box.tag))
            total += current.count
            if next.isEmpty { return total }
            current = next
            index += 1
        }
    }

    /// Opens chunk after chunk from `read` (positioned after the header), hands each authenticated
    /// plaintext to `write`, and requires the final chunk and nothing after it.
    /// - Throws: `BackupError` at the first chunk that is missing, cut short or not authentic.
    func decrypt(from read: ReadBytes, to write: WriteBytes) throws -> Int {
        var index: UInt64 = 0, total = 0
        while true {
            let frame = try read(5)
            guard frame.count == 5 else { throw BackupError(description: "the backup is truncated: it ends before its last chunk (after chunk \(index))") }
            let flags = frame[0], length = Int(BackupFormat.integer(frame[1...], as: UInt32.self))
            guard flags & ~BackupFormat.finalFlag == 0, length <= chunkSize else {
                throw BackupError(description: "the backup is damaged or altered at chunk \(index)")
            }
            let body = try read(length + BackupFormat.tagLength)
            guard body.count == length + BackupFormat.tagLength else { throw BackupError(description: "the backup is truncated in the middle of chunk \(index)") }
            let plaintext: Data
            do {
                let box = try AES.GCM.SealedBox(nonce: BackupFormat.nonce(base: nonceBase, index: index),
                                                ciphertext: body[..<length], tag: body[length...])
                plaintext = try AES.GCM.open(box, using: key,
                                             authenticating: BackupFormat.associatedData(headerDigest: headerDigest, index: index, flags: flags))
            } catch {
                throw BackupError(description: "chunk \(index) of the backup does not authenticate: the backup was altered or damaged")
            }
            try write(Array(plaintext))
            total += plaintext.count
            if flags == BackupFormat.finalFlag {
                guard try read(1).isEmpty else { throw BackupError(description: "data follows the last chunk: the backup was altered") }
                return total
            }
            index += 1
        }
    }

    /// Reads and checks the magic and header at the start of a backup.
    /// - Throws: `BackupError` if this is not an Egide backup or its header is malformed.
    static func readHeader(from read: ReadBytes, name: String) throws -> (BackupFormat.Header, [UInt8]) {
        let start = try read(12)
        guard start.count == 12, Array(start.prefix(8)) == BackupFormat.magic else {
            throw BackupError(description: "\(name) is not an Egide backup (EGIDEBK1)")
        }
        let length = Int(BackupFormat.integer(start[8...], as: UInt32.self))
        guard length <= BackupFormat.maxHeaderLength else { throw BackupError(description: "\(name): the backup header is damaged") }
        let json = try read(length)
        guard json.count == length, let header = try? JSONDecoder().decode(BackupFormat.Header.self, from: Data(json)),
              header.version == 1, ["sqlite", "postgresql"].contains(header.database) else {
            throw BackupError(description: "\(name): the backup header is damaged or from an unknown version")
        }
        return (header, start + json)
    }
}
