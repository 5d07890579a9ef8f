import Crypto
import Foundation
import Vapor

/// The files of `Public/` (the style sheet, the icons), read once at start and answered from memory.
///
/// Vapor's `FileMiddleware` asked the disk whether a file existed on *every* request — the alert
/// form and `/healthz` included — through the thread pool; with a few small files that never change
/// while Egide runs, a dictionary lookup does the same job. Each file answers at two addresses:
/// its own (`/css/egide.css`, revalidated with its `ETag`) and a versioned one carrying a digest of
/// its bytes (`/css/egide.3f9a1c2b0d4e.css`, `Cache-Control: immutable` for a year), which the
/// layout links to, so a browser fetches the style sheet once per release and never asks again.
///
/// `EGIDE_RELOAD_TEMPLATES=1` (a developer editing them) reads the folder again on each request.
final class StaticFiles: Sendable {
    struct Asset: Sendable {
        var body: ByteBuffer
        var contentType: HTTPMediaType
        /// A strong validator: the first 12 bytes of the SHA-256 of the body, in hex, quoted.
        var etag: String
        /// The versioned address (`/css/egide.<digest>.css`).
        var versionedPath: String
    }

    /// One year: the longest `max-age` browsers honour; the address changes when the bytes do.
    static let immutable = "public, max-age=31536000, immutable"
    /// The unversioned addresses: kept a day, then revalidated with the ETag.
    static let revalidated = "public, max-age=86400, must-revalidate"

    private let byPath: [String: (asset: Asset, versioned: Bool)]
    /// `/css/egide.css` → its asset.
    private let assets: [String: Asset]

    init(publicDirectory: String) throws {
        let root = URL(fileURLWithPath: publicDirectory, isDirectory: true).standardizedFileURL
        var assets: [String: Asset] = [:]
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = files?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  !url.lastPathComponent.hasPrefix(".") else { continue }
            let path = "/" + url.standardizedFileURL.path.dropFirst(root.path.count).drop { $0 == "/" }
            assets[path] = Self.asset(path: path, bytes: try Data(contentsOf: url))
        }
        self.assets = assets
        var byPath: [String: (asset: Asset, versioned: Bool)] = [:]
        for (path, asset) in assets {
            byPath[path] = (asset, false)
            byPath[asset.versionedPath] = (asset, true)
        }
        self.byPath = byPath
    }

    static func asset(path: String, bytes: Data) -> Asset {
        let digest = SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined()
        let name = (path as NSString).lastPathComponent
        let dot = name.lastIndex(of: ".")
        let ext = dot.map { String(name[name.index(after: $0)...]) } ?? ""
        let versionedName = dot.map { name[..<$0] + "." + digest + "." + ext } ?? name + "." + digest
        let folder = (path as NSString).deletingLastPathComponent
        return Asset(body: ByteBuffer(bytes: bytes), contentType: HTTPMediaType.fileExtension(ext) ?? .binary,
                     etag: "\"\(digest)\"", versionedPath: (folder == "/" ? "" : folder) + "/" + versionedName)
    }

    /// The address to link to for `path` (`/css/egide.css`): its versioned one, or `path` itself
    /// when no such file exists.
    func href(_ path: String) -> String { assets[path]?.versionedPath ?? path }

    /// The answer for `request`, or nil when no file has its path.
    func response(to request: Request) -> Response? {
        guard request.method == .GET || request.method == .HEAD, let (asset, versioned) = byPath[request.path] else { return nil }
        var headers = HTTPHeaders()
        headers.add(name: .eTag, value: asset.etag)
        headers.add(name: .cacheControl, value: versioned ? Self.immutable : Self.revalidated)
        if request.headers[.ifNoneMatch].contains(where: { Self.matches($0, asset.etag) }) {
            return Response(status: .notModified, headers: headers)
        }
        headers.contentType = asset.contentType
        let response = Response(status: .ok, headers: headers, body: .init(buffer: asset.body))
        response.keptUntil = .now + .seconds(3600)  // the same bytes while Egide runs
        return response
    }

    /// `If-None-Match: "a", W/"b"` against one ETag (weak comparison, RFC 9110 §13.1.2).
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || tag == "W/" + etag
        }
    }
}

/// Answers the requests for `Public/` files from `StaticFiles`; the rest goes on.
struct StaticFilesMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        do {
            if let response = try request.application.currentStaticFiles().response(to: request) {
                return request.eventLoop.makeSucceededFuture(response)
            }
        } catch {
            return request.eventLoop.makeFailedFuture(error)
        }
        return next.respond(to: request)
    }
}

extension Application {
    private struct StaticFilesKey: StorageKey { typealias Value = StaticFiles }

    var staticFiles: StaticFiles {
        get { storage[StaticFilesKey.self]! }
        set { storage[StaticFilesKey.self] = newValue }
    }

    /// The files as loaded at start, or as they are on disk now for a developer editing them.
    func currentStaticFiles() throws -> StaticFiles {
        egideConfig.reloadTemplates ? try StaticFiles(publicDirectory: directory.publicDirectory) : staticFiles
    }
}
