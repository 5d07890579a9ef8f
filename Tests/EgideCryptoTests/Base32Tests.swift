import Testing
@testable import EgideCrypto

@Suite struct Base32Tests {
    // RFC 4648 §10 test vectors, unpadded and padded.
    static let vectors: [(String, String, String)] = [
        ("", "", ""),
        ("f", "MY", "MY======"),
        ("fo", "MZXQ", "MZXQ===="),
        ("foo", "MZXW6", "MZXW6==="),
        ("foob", "MZXW6YQ", "MZXW6YQ="),
        ("fooba", "MZXW6YTB", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI", "MZXW6YTBOI======"),
    ]

    @Test func encoding_matches_rfc4648_vectors_without_padding() {
        for (plain, unpadded, _) in Self.vectors {
            #expect(Base32.encode(Array(plain.utf8)) == unpadded)
        }
    }

    @Test func decoding_accepts_both_padded_and_unpadded_forms() throws {
        for (plain, unpadded, padded) in Self.vectors {
            #expect(try Base32.decode(unpadded) == Array(plain.utf8))
            #expect(try Base32.decode(padded) == Array(plain.utf8))
        }
    }

    @Test func decoding_accepts_lower_case_and_spaces() throws {
        #expect(try Base32.decode("mzxw 6ytb oi") == Array("foobar".utf8))
        #expect(try Base32.decode(" JBSW Y3DP ") == Array("Hello".utf8))
    }

    @Test func characters_outside_the_alphabet_are_rejected() {
        #expect(throws: Base32.DecodingError.invalidCharacter("1")) { try Base32.decode("MZXW1") }
        #expect(throws: Base32.DecodingError.invalidCharacter("-")) { try Base32.decode("MZXW-6") }
        #expect(throws: Base32.DecodingError.invalidCharacter("é")) { try Base32.decode("MZé") }
    }

    @Test func impossible_lengths_are_rejected() {
        #expect(throws: Base32.DecodingError.invalidLength) { try Base32.decode("M") }
        #expect(throws: Base32.DecodingError.invalidLength) { try Base32.decode("MZX") }
        #expect(throws: Base32.DecodingError.invalidLength) { try Base32.decode("MZXW6Y") }
    }

    @Test func misplaced_or_miscounted_padding_is_rejected() {
        #expect(throws: Base32.DecodingError.invalidPadding) { try Base32.decode("MY=====") }
        #expect(throws: Base32.DecodingError.invalidPadding) { try Base32.decode("M=Y") }
        #expect(throws: Base32.DecodingError.invalidPadding) { try Base32.decode("MZXW6YTB========") }
    }

    @Test func non_zero_trailing_bits_are_rejected() {
        // "MY" is "f"; "MZ" differs only in the two unused low bits.
        #expect(throws: Base32.DecodingError.nonZeroTrailingBits) { try Base32.decode("MZ") }
    }

    @Test func random_bytes_round_trip() throws {
        for length in 0..<41 {
            let bytes = SecureRandom.bytes(length)
            let text = Base32.encode(bytes)
            #expect(!text.contains("="))
            #expect(try Base32.decode(text) == bytes)
            #expect(try Base32.decode(text.lowercased()) == bytes)
        }
    }
}
