import EgideCore
import Foundation
import Vapor

/// A file sent with a form, checked and cleaned (`Uploads.read`), ready for `FileStore.store`.
package struct Upload: Sendable {
    var name: String
    var kind: UploadInspector.Kind
    var bytes: [UInt8]

    var mediaType: String { kind.mediaType }
    var content: Data { Data(bytes) }
}

/// Reading the files of a multipart form, for every module: at most `maximumFiles`, each a JPEG,
/// PNG or PDF under `FileStore.maximumSize`; images lose their metadata. Each problem is the
/// form field and the catalogue key of its message (`upload.*`).
enum Uploads {
    static func read(_ files: [File], field: String, maximumFiles: Int, problems: inout [(field: String, key: String)]) -> [Upload] {
        let sent = files.filter { $0.data.readableBytes > 0 }
        if sent.count > maximumFiles { problems.append((field, "upload.tooMany")); return [] }
        var result: [Upload] = []
        for file in sent {
            let bytes = Array(file.data.readableBytesView)
            if bytes.count > FileStore.maximumSize { problems.append((field, "upload.tooLarge")); continue }
            do {
                let clean = try UploadInspector.sanitise(bytes)
                let name = String(file.filename.suffix(120)).trimmedWhitespace
                result.append(Upload(name: name.isEmpty ? "file.\(clean.kind.rawValue)" : name, kind: clean.kind, bytes: clean.bytes))
            } catch {
                problems.append((field, error == .unsupportedType ? "upload.type" : "upload.malformed"))
            }
        }
        return result
    }

    /// The one file of form field `field` (`nil` if none was sent); its problems go to `form`.
    static func single(_ request: Request, field: String, form: inout FormChecker) -> Upload? {
        var problems: [(field: String, key: String)] = []
        let files = (try? request.content.get([File].self, at: field)) ?? ((try? request.content.get(File.self, at: field)).map { [$0] } ?? [])
        let upload = read(files, field: field, maximumFiles: 1, problems: &problems).first
        for problem in problems { form.fail(problem.field, problem.key) }
        return upload
    }
}

/// A decrypted file sent to the browser as an attachment, never displayed inline (`nosniff`),
/// its name safe in the header whatever it contains.
enum Downloads {
    static func response(_ content: Data, name: String, mediaType: String) -> Response {
        let response = Response(status: .ok, body: .init(data: content))
        response.headers.replaceOrAdd(name: .contentType, value: mediaType)
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "file"
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }
}

/// A `Codable` document encrypted as one field, bound to its row and column (`FieldRef`), under
/// its owner's key: how every module stores words that could identify someone.
package enum SealedDocument {
    package static func seal<T: Encodable>(_ value: T, owner: String, _ ref: FieldRef, vault: Vault) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try vault.seal(String(decoding: try encoder.encode(value), as: UTF8.self), owner: owner, ref)
    }

    static func open<T: Decodable>(_ type: T.Type, _ blob: Data, owner: String, _ ref: FieldRef, vault: Vault) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(try vault.open(blob, owner: owner, ref).utf8))
    }
}
