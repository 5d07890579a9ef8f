@testable import App
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import Vapor

/// The canary harness: unique, recognisable values to put in every encrypted field, and a scanner
/// that looks for each of them — as UTF-8, UTF-16LE, base64, upper and lower case, NFC and NFD —
/// in every file of a data folder (database, WAL, SHM, backups, temporary files) and in the logs.
/// A feature's test fills its fields with canaries, exercises the feature, stops Egide, scans, and
/// expects zero hits.
struct Canaries {
    let tag = String(UUID().uuidString.prefix(8)).lowercased()

    var latinName: String { "Hélène Canarï-\(tag) N'Diaye" }
    var arabicName: String { "خديجة الكناري \(tag)" }
    var cyrillicName: String { "Вера Канарейкина \(tag)" }
    var georgianName: String { "ნინო კანარი \(tag)" }
    var phone: String { "+237 6\(tag.filter(\.isNumber).prefix(2).padding(toLength: 2, withPad: "7", startingAt: 0)) 55 01 23" }
    var coordinates: String { "3.8480\(tag.count)N 11.5021E canary-\(tag)" }
    var email: String { "canary.\(tag)@example.org" }
    /// What a public sender's request carries and Egide must never keep.
    var ipAddress: String { "198.51.100.\(Int(tag.unicodeScalars.first!.value) % 200 + 20)" }
    var userAgent: String { "CanaryBrowser/\(tag)" }

    var all: [String] { [latinName, arabicName, cyrillicName, georgianName, phone, coordinates, email, userAgent] }

    /// Every byte form a value may leak in.
    static func forms(of value: String) -> [(String, Data)] {
        var forms: [(String, Data)] = []
        for (label, text) in [("as typed", value), ("upper", value.uppercased()), ("lower", value.lowercased()),
                              ("NFC", value.precomposedStringWithCanonicalMapping), ("NFD", value.decomposedStringWithCanonicalMapping)] {
            forms.append(("\(label) UTF-8", Data(text.utf8)))
            if let utf16 = text.data(using: .utf16LittleEndian) { forms.append(("\(label) UTF-16LE", utf16)) }
            forms.append(("\(label) base64", Data(Data(text.utf8).base64EncodedString().utf8)))
        }
        return forms
    }

    /// Every place one of `values` was found, as "value (form) in file".
    static func scan(folder: String, logs: String, for values: [String]) -> [String] {
        var blobs: [(String, Data)] = [("captured logs", Data(logs.utf8))]
        if let files = FileManager.default.enumerator(atPath: folder) {
            while let file = files.nextObject() as? String {
                if let data = FileManager.default.contents(atPath: folder + "/" + file) { blobs.append((file, data)) }
            }
        }
        var hits: [String] = []
        for value in values {
            for (label, bytes) in forms(of: value) where !bytes.isEmpty {
                for (name, blob) in blobs where blob.range(of: bytes) != nil { hits.append("\(value) (\(label)) in \(name)") }
            }
        }
        return hits
    }
}

/// Captures every log line of the test process (installed once), so canary scans can read them.
enum LogCapture {
    private static let lines = NIOLockedValueBox<[String]>([])
    private static let installed: Bool = {
        LoggingSystem.bootstrap { label in
            var handler = CaptureHandler(label: label)
            handler.logLevel = .trace
            return handler
        }
        return true
    }()

    /// Installs the capture (idempotent).
    static func install() { _ = installed }

    static var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }

    struct CaptureHandler: LogHandler {
        let label: String
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            LogCapture.lines.withLockedValue { $0.append("\(level) \(label) \(message) \(all)") }
        }
    }
}
