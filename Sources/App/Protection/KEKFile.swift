import EgideCore
import EgideCrypto
import Foundation

/// The key-encryption key on disk: one line, either the key itself (`egide-kek-plain-v1:<base64>`)
/// or the key sealed under an operator passphrase (`$egide-kek-v1$…`, see `PassphraseSealedKEK`).
/// It is never stored in the database; by default it sits beside the data (`egide.kek`, mode 0600),
/// and `EGIDE_KEK_FILE` puts it elsewhere (another disk, a secret-store mount).
enum KEKFile {
    enum Content: Equatable {
        case plain(KeyEncryptionKey)
        case sealed(String)

        static func == (lhs: Content, rhs: Content) -> Bool {
            switch (lhs, rhs) {
            case (.plain(let a), .plain(let b)): a.bytes == b.bytes
            case (.sealed(let a), .sealed(let b)): a == b
            default: false
            }
        }
    }

    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    static let plainPrefix = "egide-kek-plain-v1:"
    static let sealedPrefix = "$egide-kek-v1$"

    /// The key file's content, or `nil` if there is no file at `path`.
    static func read(at path: String) throws -> Content? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmedWhitespace else {
            throw FileError(description: "key file \(path) cannot be read")
        }
        if text.hasPrefix(sealedPrefix) { return .sealed(text) }
        guard text.hasPrefix(plainPrefix),
              let bytes = Data(base64Encoded: String(text.dropFirst(plainPrefix.count))),
              let kek = try? KeyEncryptionKey(bytes: Array(bytes)) else {
            throw FileError(description: "key file \(path) is not an Egide key file")
        }
        return .plain(kek)
    }

    /// Writes `content` to `path` with mode 0600, replacing any previous file atomically.
    static func write(_ content: Content, to path: String) throws {
        let line: String
        switch content {
        case .plain(let kek): line = plainPrefix + Data(kek.bytes).base64EncodedString()
        case .sealed(let text): line = text
        }
        let temporary = path + ".tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw FileError(description: "cannot create key file \(path) (\(String(cString: strerror(errno))))") }
        let bytes = Array((line + "\n").utf8)
        let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileError(description: "cannot write key file \(path)")
        }
    }
}
