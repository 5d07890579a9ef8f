/// Constants of ISO/IEC 18004:2015 for error-correction level M, versions 1–40.
///
/// Level M recovers about 15 % of damaged codewords. The capacities below are
/// derived from the module count of each version rather than tabulated, and
/// are checked in the tests against the standard's tables.
enum QRTables: Sendable {
    static let minVersion = 1
    static let maxVersion = 40

    /// Error-correction codewords per block at level M (Table 9), indexed by version.
    static let eccCodewordsPerBlock: [Int] = [
        -1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
        26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    ]

    /// Number of error-correction blocks at level M (Table 9), indexed by version.
    static let errorCorrectionBlocks: [Int] = [
        -1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
        17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
    ]

    /// Side length in modules.
    static func size(version: Int) -> Int { version * 4 + 17 }

    /// Modules available for codewords once all function patterns are placed
    /// (includes remainder bits).
    static func rawDataModules(version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignmentCount = version / 7 + 2
            result -= (25 * alignmentCount - 10) * alignmentCount - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    /// Data codewords (8-bit) that fit at level M.
    static func dataCodewords(version: Int) -> Int {
        rawDataModules(version: version) / 8
            - eccCodewordsPerBlock[version] * errorCorrectionBlocks[version]
    }

    /// Bits of the byte-mode character count indicator (Table 3).
    static func byteModeCountBits(version: Int) -> Int { version <= 9 ? 8 : 16 }

    /// Centre coordinates of alignment patterns on each axis (Annex E).
    static func alignmentPositions(version: Int) -> [Int] {
        guard version > 1 else { return [] }
        let count = version / 7 + 2
        let step = version == 32 ? 26 : (version * 4 + count * 2 + 1) / (count * 2 - 2) * 2
        var positions = [6]
        var position = size(version: version) - 7
        var tail: [Int] = []
        for _ in 0..<(count - 1) {
            tail.insert(position, at: 0)
            position -= step
        }
        positions.append(contentsOf: tail)
        return positions
    }

    /// 15-bit format information for level M (indicator `00`) and `mask`:
    /// BCH(15,5) with generator 0x537, XOR 0x5412 (Annex C).
    static func formatBits(mask: Int) -> Int {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return ((data << 10) | remainder) ^ 0x5412
    }

    /// 18-bit version information (versions ≥ 7): BCH(18,6) with generator 0x1F25 (Annex D).
    static func versionBits(version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return (version << 12) | remainder
    }
}
