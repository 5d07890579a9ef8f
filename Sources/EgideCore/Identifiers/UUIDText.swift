import Foundation

/// UUIDs to and from their 36-character text, by hand.
///
/// Foundation's `UUID(uuidString:)` parses with `sscanf` and `uuidString` writes with `sprintf`:
/// on a list page that reads every id from SQLite's text columns and writes each into a link, the
/// two were 3–5 % of the page's processor time (docs/DEVELOPMENT.md, "Public pages: benchmark").
/// These read and write exactly the same form: `8-4-4-4-12` hexadecimal digits, either case in,
/// lower case out (the form Egide's addresses use).
extension UUID {
    /// The UUID written as `text`, or `nil` if `text` is not exactly one (`8-4-4-4-12` hexadecimal digits).
    public init?(text: some StringProtocol) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed: Bool = text.utf8.withContiguousStorageIfAvailable { Self.parse($0, into: &bytes) }
            ?? Self.parse(Array(text.utf8), into: &bytes)
        guard parsed else { return nil }
        self.init(uuid: bytes)
    }

    /// The UUID in lower case (`SiteURL.id`'s form), the same as `uuidString.lowercased()`.
    public var lowercasedText: String {
        let digits: StaticString = "0123456789abcdef"
        return withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { out in
                digits.withUTF8Buffer { hex in
                    var at = 0
                    for (index, byte) in bytes.enumerated() {
                        if index == 4 || index == 6 || index == 8 || index == 10 { out[at] = UInt8(ascii: "-"); at += 1 }
                        out[at] = hex[Int(byte >> 4)]
                        out[at + 1] = hex[Int(byte & 0x0F)]
                        at += 2
                    }
                }
                return 36
            }
        }
    }

    private static func parse(_ text: some Collection<UInt8>, into bytes: inout uuid_t) -> Bool {
        guard text.count == 36 else { return false }
        return withUnsafeMutableBytes(of: &bytes) { out in
            var byte = 0
            var high: UInt8?
            for (offset, character) in text.enumerated() {
                if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard let value = hexValue(character) else { return false }
                if let first = high {
                    out[byte] = first << 4 | value
                    byte += 1
                    high = nil
                } else {
                    high = value
                }
            }
            return byte == 16
        }
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
