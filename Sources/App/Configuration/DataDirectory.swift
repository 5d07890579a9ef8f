import Foundation

/// The data folder: validated before start, created owner-only (0700), checked by `egide doctor`.
package enum DataDirectory {
    /// Why the folder at `path` cannot be used, or nothing if it can (or can be created).
    static func problems(at path: String) -> [String] {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { return ["data folder \(path) exists but is not a folder"] }
            if access(path, W_OK | X_OK) != 0 { return ["data folder \(path) is not writable by this user"] }
            return []
        }
        let parent = (path as NSString).deletingLastPathComponent
        var parentIsDirectory: ObjCBool = false
        guard fm.fileExists(atPath: parent, isDirectory: &parentIsDirectory), parentIsDirectory.boolValue else {
            return ["data folder \(path) cannot be created: its parent \(parent) does not exist"]
        }
        if access(parent, W_OK | X_OK) != 0 {
            return ["data folder \(path) cannot be created: \(parent) is not writable by this user"]
        }
        return []
    }

    /// Creates the folder with mode 0700 if it does not exist yet.
    package static func create(at path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
    }

    /// The permission bits of `path`, or `nil` if it cannot be read.
    static func mode(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode) & 0o777
    }
}
