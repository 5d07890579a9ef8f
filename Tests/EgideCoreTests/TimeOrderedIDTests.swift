import EgideCore
import Foundation
import Testing

@Suite struct TimeOrderedIDTests {
    /// Hands out fixed values, so the random part of an id is known.
    struct Fixed: RandomNumberGenerator {
        var values: [UInt64]
        mutating func next() -> UInt64 { values.removeFirst() }
    }

    @Test func the_rfc_9562_example_is_reproduced() {
        // RFC 9562, appendix A.6: unix_ts_ms 0x017F22E279B0, rand_a 0xCC3, rand_b 0x18C4DC0C0C07398F.
        var generator = Fixed(values: [0xC30C, 0x8F39_070C_0CDC_C418])
        let id = UUID.timeOrdered(at: Date(timeIntervalSince1970: 0x017F_22E2_79B0 / 1000), using: &generator)
        #expect(id.uuidString == "017F22E2-79B0-7CC3-98C4-DC0C0C07398F")
        #expect(id.timeOrderedDate == Date(timeIntervalSince1970: 1_645_557_742))
    }

    @Test func ids_carry_version_7_and_the_rfc_variant_whatever_the_random_bits() {
        for value in [UInt64.min, .max] {
            var generator = Fixed(values: [value, value])
            let bytes = withUnsafeBytes(of: UUID.timeOrdered(at: Date(), using: &generator).uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7)
            #expect(bytes[8] >> 6 == 0b10)
        }
        var v4 = UUID(uuidString: "F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6")!  // RFC 9562's version 1 example
        #expect(v4.timeOrderedDate == nil)
        v4 = UUID(uuidString: "919108F7-52D1-4320-9BAC-F847DB4148A8")!  // version 4
        #expect(v4.timeOrderedDate == nil)
    }

    @Test func later_ids_sort_after_earlier_ones_as_bytes_and_as_text() {
        let ids = (0..<500).map { UUID.timeOrdered(at: Date(timeIntervalSince1970: (1_800_000_000_000 + Double($0)) / 1000)) }
        let bytes = ids.map { id in withUnsafeBytes(of: id.uuid) { Array($0) } }
        #expect(zip(bytes, bytes.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) })
        let texts = ids.map { $0.uuidString.lowercased() }
        #expect(texts == texts.sorted())
        #expect(ids.map(\.timeOrderedDate) == (0..<500).map { Optional(Date(timeIntervalSince1970: (1_800_000_000_000 + Double($0)) / 1000)) })
    }

    @Test func ids_made_in_the_same_millisecond_differ() {
        let now = Date()
        let ids = Set((0..<10_000).map { _ in UUID.timeOrdered(at: now) })
        #expect(ids.count == 10_000)
    }
}
