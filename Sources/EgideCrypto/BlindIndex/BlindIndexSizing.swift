/// Choosing the output size of a blind index (CipherSweet's rule).
///
/// With `R` records and an `L`-bit index, each value is shared by about
/// `C = R / 2^L` records ("coincidences"). Require
///
///     2 ≤ C < √R
///
/// * `C ≥ 2`: every value is expected to match at least two records, so an
///   index value never singles out one person;
/// * `C < √R`: a lookup still narrows the candidates well below `R`.
///
/// In exact integer form: `2^(L+1) ≤ R < 2^(2L)`. Among the lengths that
/// satisfy it, the largest (most selective, `C` in [2, 4)) is returned,
/// capped at 32 bits. Examples: R = 1 000 → 8 bits (C ≈ 3.9);
/// R = 100 000 → 15 (C ≈ 3.05); R = 131 072 → 16 (C = 2). No length works
/// for R < 8 — such small tables should not have a blind index at all.
///
/// Size for the number of records expected over the index's lifetime: as a
/// table grows past its design size, C grows and lookups slow down but stay
/// safe; a table much smaller than designed has C < 2.
public enum BlindIndexSizing: Sendable {
    /// Why no size satisfies the rule.
    public enum SizingError: Error, Equatable, Sendable {
        /// No `L` in 1…32 gives 2 ≤ R/2^L < √R for this `R`.
        case tooFewRecords(Int)
    }

    /// The largest `L` (1–32) with `2 ≤ R / 2^L < √R`.
    /// - Throws: `SizingError.tooFewRecords` when no `L` qualifies (R < 8).
    public static func bits(forExpectedRecords records: Int) throws(SizingError) -> Int {
        guard records > 0 else { throw .tooFewRecords(records) }
        let r = UInt64(records)
        for bits in stride(from: 32, through: 1, by: -1) {
            let atLeastTwo = r >> UInt64(bits + 1) >= 1       // R ≥ 2^(L+1)
            let belowRoot = bits >= 32 || r < UInt64(1) << UInt64(2 * bits)  // R < 2^(2L)
            if atLeastTwo && belowRoot { return bits }
        }
        throw .tooFewRecords(records)
    }

    /// Expected records per index value, `R / 2^L`.
    public static func expectedCoincidences(records: Int, bits: Int) -> Double {
        Double(records) / Double(sign: .plus, exponent: bits, significand: 1)
    }
}
