/// RFC 4648 base32 (section 6), upper-case alphabet `A–Z2–7`.
///
/// * Encoding never emits `=` padding (the form authenticator apps expect).
/// * Decoding is lenient about presentation only: lower case, spaces and a
///   correct trailing `=` padding are accepted. Anything else is an error:
///   characters outside the alphabet, misplaced or wrong-length padding,
///   impossible lengths (1, 3 or 6 characters in the last group) and non-zero
///   unused trailing bits, so every byte string has exactly one accepted
///   unpadded spelling (modulo case and spaces).
public enum Base32: Sendable {
    /// Why a string is not valid base32.
    public enum DecodingError: Error, Equatable, Sendable {
        /// A character outside `A–Z`, `a–z`, `2–7`, space and trailing `=`.
        case invalidCharacter(Character)
        /// The number of symbols cannot come from whole bytes (leaves 1, 3 or 6 in the last group).
        case invalidLength
        /// `=` not at the end, or not the amount that completes the last 8-symbol group.
        case invalidPadding
        /// The unused low bits of the last symbol are not zero (non-canonical input).
        case nonZeroTrailingBits
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// Encodes bytes as upper-case base32 without padding.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bitCount = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 5 {
                bitCount -= 5
                output.append(alphabet[Int((buffer >> UInt32(bitCount)) & 0x1F)])
            }
        }
        if bitCount > 0 {
            output.append(alphabet[Int((buffer << UInt32(5 - bitCount)) & 0x1F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base32, accepting lower case, spaces and optional `=` padding.
    /// - Throws: `Base32.DecodingError` for anything that is not canonical base32.
    public static func decode(_ string: String) throws(DecodingError) -> [UInt8] {
        var symbols: [UInt8] = []
        var paddingCount = 0
        for character in string {
            if character == " " { continue }
            if character == "=" {
                paddingCount += 1
                continue
            }
            guard paddingCount == 0 else { throw .invalidPadding }
            guard let value = symbolValue(character) else { throw .invalidCharacter(character) }
            symbols.append(value)
        }
        let remainder = symbols.count % 8
        guard [0, 2, 4, 5, 7].contains(remainder) else { throw .invalidLength }
        if paddingCount > 0 {
            guard remainder != 0, (symbols.count + paddingCount) % 8 == 0, paddingCount < 8 else {
                throw .invalidPadding
            }
        }
        var output: [UInt8] = []
        output.reserveCapacity(symbols.count * 5 / 8)
        var buffer: UInt32 = 0
        var bitCount = 0
        for value in symbols {
            buffer = (buffer << 5) | UInt32(value)
            bitCount += 5
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bitCount)))
            }
            buffer &= (1 << UInt32(bitCount)) - 1
        }
        guard buffer == 0 else { throw .nonZeroTrailingBits }
        return output
    }

    private static func symbolValue(_ character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return ascii - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return ascii - UInt8(ascii: "a")
        case UInt8(ascii: "2")...UInt8(ascii: "7"): return ascii - UInt8(ascii: "2") + 26
        default: return nil
        }
    }
}
