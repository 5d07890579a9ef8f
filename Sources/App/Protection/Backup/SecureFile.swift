import Foundation

/// Owner-only files written the careful way: created exclusively with mode 0600 under a temporary
/// name beside the destination, written in full, fsynced, then renamed into place (and the folder
/// fsynced), so a crash or an error never leaves a half-written file under the final name.
struct SecureFile {
    /// A file-system operation failed; `description` names the file and the reason.
    struct IOError: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    let temporaryPath: String
    private(set) var descriptor: Int32

    /// Creates the temporary file for `path`; refuses if `path` already exists (no silent overwrite).
    /// - Throws: `IOError` if `path` exists or the temporary file cannot be created.
    init(creating path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw IOError(description: "\(path) already exists; choose another name (nothing is overwritten)")
        }
        self.path = path
        self.temporaryPath = path + ".partial-" + UUID().uuidString.prefix(8).lowercased()
        self.descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw IOError(description: "cannot create \(temporaryPath): \(Self.reason())") }
        fchmod(descriptor, 0o600)  // whatever the umask
    }

    /// Appends `bytes`.
    /// - Throws: `IOError` (disk full, I/O error).
    func write(_ bytes: some Collection<UInt8>) throws {
        try Self.writeAll(bytes, to: descriptor, name: path)
    }

    /// Flushes to disk and moves the file to its final name.
    /// - Throws: `IOError`; the temporary file is then removed.
    mutating func commit() throws {
        guard fsync(descriptor) == 0 else { let why = Self.reason(); discard(); throw IOError(description: "cannot write \(path): \(why)") }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else { let why = Self.reason(); discard(); throw IOError(description: "cannot create \(path): \(why)") }
        Self.syncDirectory(of: path)
    }

    /// Closes and deletes the temporary file (every error path calls this).
    mutating func discard() {
        if descriptor >= 0 { close(descriptor); descriptor = -1 }
        unlink(temporaryPath)
    }

    /// Writes all of `bytes` to `descriptor`, retrying short writes and interruptions.
    /// - Throws: `IOError` naming `name`.
    static func writeAll(_ bytes: some Collection<UInt8>, to descriptor: Int32, name: String) throws {
        let array = Array(bytes)
        var offset = 0
        while offset < array.count {
            let written = array.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw IOError(description: "cannot write \(name): \(reason())")
            }
            offset += written
        }
    }

    /// Reads up to `count` bytes from `descriptor`; fewer only at the end of the file or stream.
    /// - Throws: `IOError` naming `name`.
    static func read(upTo count: Int, from descriptor: Int32, name: String) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = buffer.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + filled, count - filled) }
            if got < 0 {
                if errno == EINTR { continue }
                throw IOError(description: "cannot read \(name): \(reason())")
            }
            if got == 0 { break }
            filled += got
        }
        buffer.removeLast(count - filled)
        return buffer
    }

    /// Makes a rename or a removal in the folder of `path` durable.
    static func syncDirectory(of path: String) {
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
        guard folder >= 0 else { return }
        fsync(folder)
        close(folder)
    }

    static func reason() -> String { String(cString: strerror(errno)) }
}
