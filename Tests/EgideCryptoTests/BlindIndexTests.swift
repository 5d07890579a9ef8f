import Crypto
import Foundation
import Testing
@testable import EgideCrypto

@Suite struct BlindIndexNormalizerTests {
    @Test(arguments: [
        // Latin: accents removed, apostrophes and hyphens become spaces, case folded.
        ("Hélène N'Diaye-Kaboré", "helene n diaye kabore"),
        ("  HELENE   N’DIAYE  KABORE ", "helene n diaye kabore"),
        ("He\u{301}le\u{300}ne N\u{2019}Diaye\u{2010}Kabore\u{301}", "helene n diaye kabore"),
        ("ＨÉＬÈＮＥ", "helene"),                       // full-width (NFKC)
        ("François-Xavier Nguyễn", "francois xavier nguyen"),
        ("Łukasz Øster Æsir", "lukasz oster aesir"),
        ("Straße", "strasse"),
        ("İbrahim Işık", "ibrahim isik"),
        ("Ngũgĩ wa Thiong'o", "ngugi wa thiong o"),
        ("O\u{02BC}Brien (jr.)", "o brien jr"),
        ("Ana\u{200B}María\u{00AD}José", "anamariajose"),  // zero-width space and soft hyphen removed
        // Cyrillic: case folded; breve and diaeresis removed (Ё ≡ Е, Й ≡ И).
        ("Ёлкин", "елкин"),
        ("Елкин", "елкин"),
        ("Андрей Йовович", "андреи иовович"),
        // Arabic: harakat, shadda and tatweel removed; hamza forms of alef → ا; ى → ي; ة → ه.
        ("مُحَمَّد", "محمد"),
        ("محـــمد", "محمد"),
        ("أحمد إبراهيم", "احمد ابراهيم"),
        ("مصطفى", "مصطفي"),
        ("فاطمة", "فاطمه"),
        ("عبد-الله", "عبد الله"),
        ("ﻣﺤﻤﺪ", "محمد"),                              // presentation forms (NFKC)
        ("علی", "علي"),                                // Persian yeh
        // Georgian Mkhedruli has no case: only whitespace changes.
        ("  ნინო   ბერიძე ", "ნინო ბერიძე"),
        // Digits of any script become ASCII.
        ("Room ٣٤", "room 34"),
    ])
    func names_normalise_to_the_documented_form(input: String, expected: String) {
        #expect(BlindIndexNormalizer.name(input) == expected)
    }

    @Test func documented_non_equivalences_hold() {
        // An apostrophe splits a word, so joined spellings index differently.
        #expect(BlindIndexNormalizer.name("N'Diaye") != BlindIndexNormalizer.name("Ndiaye"))
        // Different letters stay different.
        #expect(BlindIndexNormalizer.name("Elkin") != BlindIndexNormalizer.name("Елкин"))
        #expect(BlindIndexNormalizer.name("ნინო") != BlindIndexNormalizer.name("ნანო"))
    }

    @Test(arguments: [
        ("+237 6 77 12 34 56", "237677123456"),
        ("00237677123456", "237677123456"),
        ("(+237) 677-123-456", "237677123456"),
        ("+٢٣٧ ٦٧٧ ١٢٣ ٤٥٦", "237677123456"),   // Arabic-Indic digits
        ("۰۰۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹", "989123456789"),  // Eastern Arabic-Indic (Persian) digits
        ("0677 12 34 56", "0677123456"),        // national trunk prefix is kept
        ("", ""),
    ])
    func phone_numbers_keep_digits_and_unify_the_international_prefix(input: String, expected: String) {
        #expect(BlindIndexNormalizer.phone(input) == expected)
    }
}

@Suite struct BlindIndexTests {
    static let root = SymmetricKey(data: Array(UInt8(0)..<UInt8(32)))

    @Test func value_matches_an_independent_hkdf_hmac_computation() throws {
        // Python: okm = HKDF-SHA256(ikm=bytes(range(32)), salt=b"", info=b"egide-blind-index-v1:people.name", 32)
        //         int.from_bytes(HMAC-SHA256(okm, text)[:4], "big") >> (32 - bits)
        let index16 = try BlindIndex(name: "people.name", key: Self.root, bits: 16)
        let index32 = try BlindIndex(name: "people.name", key: Self.root, bits: 32)
        #expect(index16.value(for: "helene n diaye kabore") == 10332)
        #expect(index32.value(for: "helene n diaye kabore") == 677_166_440)
        #expect(index16.value(for: "елкин") == 12437)
        #expect(index32.value(for: "елкин") == 815_117_811)
    }

    @Test func equivalent_spellings_share_an_index_value() throws {
        let index = try BlindIndex(name: "people.name", key: Self.root, bits: 16)
        let a = index.value(for: BlindIndexNormalizer.name("Hélène N'Diaye-Kaboré"))
        let b = index.value(for: BlindIndexNormalizer.name("HELENE N DIAYE KABORE"))
        #expect(a == b)
    }

    @Test func indexes_with_different_names_use_different_keys() throws {
        let names = try BlindIndex(name: "people.name", key: Self.root, bits: 32)
        let phones = try BlindIndex(name: "people.phone", key: Self.root, bits: 32)
        #expect(names.value(for: "237677123456") != phones.value(for: "237677123456"))
    }

    @Test func values_stay_within_the_configured_bits() throws {
        let index = try BlindIndex(name: "x", key: Self.root, bits: 5)
        let values = Set((0..<500).map { index.value(for: "name \($0)") })
        #expect(values.allSatisfy { $0 < 32 })
        #expect(values.count == 32)
    }

    @Test func invalid_configuration_is_rejected() {
        #expect(throws: BlindIndex.IndexError.invalidBitCount(0)) { try BlindIndex(name: "x", key: Self.root, bits: 0) }
        #expect(throws: BlindIndex.IndexError.invalidBitCount(33)) { try BlindIndex(name: "x", key: Self.root, bits: 33) }
        #expect(throws: BlindIndex.IndexError.rootKeyTooShort) {
            try BlindIndex(name: "x", key: SymmetricKey(size: .bits128), bits: 8)
        }
    }

    @Test(arguments: [(1_000, 8), (100_000, 15), (131_072, 16), (10_000, 12), (8, 2)])
    func sizing_satisfies_two_to_root_r_coincidences(records: Int, bits: Int) throws {
        let chosen = try BlindIndexSizing.bits(forExpectedRecords: records)
        #expect(chosen == bits)
        let coincidences = BlindIndexSizing.expectedCoincidences(records: records, bits: chosen)
        #expect(coincidences >= 2)
        #expect(coincidences < Double(records).squareRoot())
        // One more bit would drop below two coincidences: the choice is the most selective.
        #expect(BlindIndexSizing.expectedCoincidences(records: records, bits: chosen + 1) < 2)
    }

    @Test(arguments: [0, 1, 4, 5, 7, -3])
    func sizing_refuses_record_counts_too_small_to_satisfy_the_rule(records: Int) {
        #expect(throws: BlindIndexSizing.SizingError.tooFewRecords(records)) {
            try BlindIndexSizing.bits(forExpectedRecords: records)
        }
    }

    @Test func ten_thousand_random_names_share_buckets_with_a_median_of_at_least_two() throws {
        let records = 10_000
        let index = try BlindIndex(name: "people.name", key: SymmetricKey(size: .bits256),
                                   bits: try BlindIndexSizing.bits(forExpectedRecords: records))
        var buckets: [UInt32: Int] = [:]
        for _ in 0..<records {
            let name = BlindIndexNormalizer.name(Base32.encode(SecureRandom.bytes(10)))
            buckets[index.value(for: name), default: 0] += 1
        }
        let sizes = buckets.values.sorted()
        #expect(sizes[sizes.count / 2] >= 2)
    }
}
