/// Small helpers for the unambiguous binary encodings used across the module
/// (field-cipher associated data, key wrapping headers, audit canonical form).
///
/// All integers are big-endian. Strings are UTF-8 bytes exactly as stored in
/// Swift (no Unicode normalisation) preceded by a 4-byte big-endian length.
struct ByteWriter: Sendable {
    private(set) var bytes: [UInt8] = []

    mutating func append(_ other: some Sequence<UInt8>) {
        bytes.append(contentsOf: other)
    }

    mutating func appendUInt8(_ value: UInt8) {
        bytes.append(value)
    }

    mutating func appendUInt32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    mutating func appendInt64(_ value: Int64) {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    /// 4-byte big-endian length, then the UTF-8 bytes. Values of 4 GiB or
    /// more are not supported (the length would wrap); no caller comes close.
    mutating func appendLengthPrefixed(_ string: String) {
        appendLengthPrefixed(Array(string.utf8))
    }

    mutating func appendLengthPrefixed(_ data: [UInt8]) {
        appendUInt32(UInt32(truncatingIfNeeded: data.count))
        bytes.append(contentsOf: data)
    }

    /// `0x00` for `nil`; `0x01` followed by the length-prefixed string otherwise,
    /// so that `nil` and `""` encode differently.
    mutating func appendOptional(_ string: String?) {
        if let string {
            appendUInt8(1)
            appendLengthPrefixed(string)
        } else {
            appendUInt8(0)
        }
    }
}

/// `ByteWriter`'s encodings written into memory the caller sized exactly, for hot paths that
/// must not allocate (the field cipher's header and associated data).
struct UnsafeByteWriter {
    private let buffer: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// The bytes `appendLengthPrefixed(string)` writes.
    static func lengthPrefixedCount(_ string: String) -> Int { 4 + string.utf8.count }

    mutating func appendUInt8(_ value: UInt8) {
        buffer[count] = value
        count += 1
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + bytes.count)]).copyMemory(from: bytes)
        count += bytes.count
    }

    mutating func append(utf8 string: String) {
        let length = string.utf8.count
        let target = UnsafeMutableRawBufferPointer(rebasing: buffer[count..<(count + length)])
        // Native strings are contiguous UTF-8: one copy. (Copying element by element is slower.)
        if string.utf8.withContiguousStorageIfAvailable({ target.copyMemory(from: UnsafeRawBufferPointer($0)) }) == nil {
            _ = target.initializeMemory(as: UInt8.self, from: string.utf8)
        }
        count += length
    }

    /// As `ByteWriter.appendLengthPrefixed(_:)`.
    mutating func appendLengthPrefixed(_ string: String) {
        buffer.storeBytes(of: UInt32(truncatingIfNeeded: string.utf8.count).bigEndian, toByteOffset: count, as: UInt32.self)
        count += 4
        append(utf8: string)
    }
}

enum Hex: Sendable {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Lower-case hexadecimal.
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lower- or upper-case hexadecimal; `nil` for odd length or any other character.
    static func decode(_ string: String) -> [UInt8]? {
        let chars = Array(string.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = value(chars[index]), let low = value(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
