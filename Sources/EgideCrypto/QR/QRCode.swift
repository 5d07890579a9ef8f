/// A QR code symbol (ISO/IEC 18004:2015, model 2) for provisioning URIs.
///
/// Self-contained encoder with deliberately narrow scope: one byte-mode
/// segment (the UTF-8 bytes, no ECI header), error-correction level M,
/// smallest fitting version 1–40, and the mask with the lowest penalty score
/// (ties go to the lower mask number) unless a mask is forced. The data
/// codewords are: mode `0100`, character count (8 bits up to version 9,
/// 16 bits from 10), the bytes, a terminator of up to four zero bits, zero
/// bits to a byte boundary, then the pad bytes `0xEC 0x11` alternately.
/// A typical otpauth URI (100–160 bytes) needs version 6–9. Without an ECI
/// header readers guess the character set of non-ASCII bytes (most assume
/// UTF-8); otpauth URIs are pure ASCII after percent-encoding.
public struct QRCode: Sendable, Equatable {
    /// One of the eight data mask patterns of ISO/IEC 18004 Table 10.
    public enum Mask: Int, Sendable, Equatable, CaseIterable {
        case pattern0 = 0, pattern1, pattern2, pattern3, pattern4, pattern5, pattern6, pattern7
    }

    /// Why a QR code cannot be produced.
    public enum EncodingError: Error, Equatable, Sendable {
        /// The data needs more than version 40 at level M (2 331 bytes).
        case dataTooLong(byteCount: Int)
    }

    /// Symbol version, 1–40.
    public let version: Int
    /// The mask pattern applied.
    public let mask: Mask
    /// Side length in modules (`4 × version + 17`), without quiet zone.
    public let size: Int
    /// Row-major modules, `true` = dark.
    public let modules: [Bool]

    /// Whether the module at column `x`, row `y` is dark; `false` outside the symbol.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// Encodes the UTF-8 bytes of `text`.
    /// - Throws: `QRCode.EncodingError.dataTooLong` beyond version 40.
    public static func encode(text: String, mask: Mask? = nil) throws(EncodingError) -> QRCode {
        try encode(bytes: Array(text.utf8), mask: mask)
    }

    /// Encodes `bytes` in byte mode at level M in the smallest version that fits.
    /// - Parameter mask: a forced mask; `nil` selects the lowest penalty score.
    /// - Throws: `QRCode.EncodingError.dataTooLong` beyond version 40.
    public static func encode(bytes: [UInt8], mask: Mask? = nil) throws(EncodingError) -> QRCode {
        guard let version = (QRTables.minVersion...QRTables.maxVersion).first(where: {
            4 + QRTables.byteModeCountBits(version: $0) + 8 * bytes.count <= QRTables.dataCodewords(version: $0) * 8
        }) else { throw .dataTooLong(byteCount: bytes.count) }

        let codewords = interleaveWithErrorCorrection(dataCodewords(bytes, version: version), version: version)
        var matrix = QRMatrix(version: version)
        matrix.placeCodewords(codewords)

        let chosen = mask ?? lowestPenaltyMask(for: matrix)
        matrix.applyMask(chosen.rawValue)
        matrix.drawFormatBits(mask: chosen.rawValue)
        return QRCode(version: version, mask: chosen, size: matrix.size, modules: matrix.modules)
    }

    /// The mask with the lowest penalty; the first (lowest-numbered) on ties.
    private static func lowestPenaltyMask(for matrix: QRMatrix) -> Mask {
        var best = Mask.pattern0
        var bestScore = Int.max
        for mask in Mask.allCases {
            var candidate = matrix
            candidate.applyMask(mask.rawValue)
            candidate.drawFormatBits(mask: mask.rawValue)
            let score = QRPenalty.score(candidate)
            if score < bestScore {
                best = mask
                bestScore = score
            }
        }
        return best
    }

    /// Byte-mode bit stream padded to the data capacity of `version`.
    static func dataCodewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func append(_ value: Int, count: Int) {
            for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 != 0) }
        }
        append(0b0100, count: 4)
        append(bytes.count, count: QRTables.byteModeCountBits(version: version))
        for byte in bytes { append(Int(byte), count: 8) }
        let capacity = QRTables.dataCodewords(version: version) * 8
        append(0, count: min(4, capacity - bits.count))
        append(0, count: (8 - bits.count % 8) % 8)
        var result = stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | ($1 ? 1 : 0) }
        }
        var pad: UInt8 = 0xEC
        while result.count < capacity / 8 {
            result.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return result
    }

    /// Splits data into blocks (short blocks first), appends each block's
    /// Reed–Solomon codewords, and interleaves data then ECC column by column.
    static func interleaveWithErrorCorrection(_ data: [UInt8], version: Int) -> [UInt8] {
        let blockCount = QRTables.errorCorrectionBlocks[version]
        let eccLength = QRTables.eccCodewordsPerBlock[version]
        let rawCodewords = QRTables.rawDataModules(version: version) / 8
        let shortBlocks = blockCount - rawCodewords % blockCount
        let shortDataLength = rawCodewords / blockCount - eccLength
        let generator = ReedSolomon.generator(degree: eccLength)

        var dataBlocks: [ArraySlice<UInt8>] = []
        var eccBlocks: [[UInt8]] = []
        var offset = 0
        for block in 0..<blockCount {
            let length = shortDataLength + (block < shortBlocks ? 0 : 1)
            let slice = data[offset..<offset + length]
            offset += length
            dataBlocks.append(slice)
            eccBlocks.append(ReedSolomon.remainder(slice, generator: generator))
        }
        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        for column in 0...shortDataLength {
            for block in dataBlocks where column < block.count {
                result.append(block[block.startIndex + column])
            }
        }
        for column in 0..<eccLength {
            for block in eccBlocks { result.append(block[column]) }
        }
        return result
    }
}
