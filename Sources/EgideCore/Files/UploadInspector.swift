import Foundation

/// What an uploaded file really is (by its first bytes, never by the name or the declared type),
/// and a copy of it without the metadata that can betray a sender: EXIF (GPS position, camera
/// serial number, time), XMP, IPTC and comments in JPEG; text, time and EXIF chunks in PNG.
public enum UploadInspector {
    public enum Kind: String, Sendable {
        case jpeg, png, pdf

        public var mediaType: String {
            switch self {
            case .jpeg: "image/jpeg"
            case .png: "image/png"
            case .pdf: "application/pdf"
            }
        }
    }

    public enum Problem: Error, Equatable, Sendable {
        /// Not a JPEG, PNG or PDF.
        case unsupportedType
        /// Claims to be an image but its structure is broken (metadata could not be removed safely).
        case malformed
    }

    /// The kind of `bytes`, from its signature.
    public static func kind(of bytes: [UInt8]) -> Kind? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: Array("%PDF-".utf8)) { return .pdf }
        return nil
    }

    /// The file's kind and its bytes with identifying metadata removed (PDFs are kept as sent:
    /// their metadata cannot be removed without rewriting the document; the form says so).
    public static func sanitise(_ bytes: [UInt8]) throws(Problem) -> (kind: Kind, bytes: [UInt8]) {
        guard let kind = kind(of: bytes) else { throw .unsupportedType }
        switch kind {
        case .jpeg: return (kind, try stripJPEG(bytes))
        case .png: return (kind, try stripPNG(bytes))
        case .pdf: return (kind, bytes)
        }
    }

    /// Removes APP1–APP15 (EXIF, XMP, ICC, IPTC…) and COM segments.
    /// Keeps APP0 (JFIF) and everything needed to decode the image.
    static func stripJPEG(_ bytes: [UInt8]) throws(Problem) -> [UInt8] {
        var output: [UInt8] = [0xFF, 0xD8]
        var index = 2
        while index < bytes.count {
            guard bytes[index] == 0xFF, index + 1 < bytes.count else { throw .malformed }
            let marker = bytes[index + 1]
            if marker == 0xFF { index += 1; continue }  // fill byte
            if marker == 0xD9 { output += [0xFF, 0xD9]; return output }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { output += [0xFF, marker]; index += 2; continue }
            guard index + 3 < bytes.count else { throw .malformed }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { throw .malformed }
            let segmentEnd = index + 2 + length
            let droppable = (0xE1...0xEF).contains(marker) || marker == 0xFE
            if !droppable { output += bytes[index..<segmentEnd] }
            index = segmentEnd
            if marker == 0xDA {
                // Start of scan: the entropy-coded data runs to the end of the image; copy it whole.
                output += bytes[index...]
                return output
            }
        }
        throw .malformed
    }

    /// Removes tEXt, zTXt, iTXt, eXIf and tIME chunks.
    static func stripPNG(_ bytes: [UInt8]) throws(Problem) -> [UInt8] {
        var output = Array(bytes[0..<8])
        var index = 8
        let dropped: Set<String> = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]
        while index + 12 <= bytes.count {
            let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            let end = index + 12 + length
            guard length >= 0, end <= bytes.count else { throw .malformed }
            let type = String(decoding: bytes[(index + 4)..<(index + 8)], as: UTF8.self)
            if !dropped.contains(type) { output += bytes[index..<end] }
            index = end
            if type == "IEND" { return output }
        }
        throw .malformed
    }
}
