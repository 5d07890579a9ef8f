/// Mask penalty score, ISO/IEC 18004 §7.8.3 (lower is better):
///
/// * N1 = 3: each row/column run of ≥ 5 same-coloured modules scores 3 + (length − 5).
/// * N2 = 3: each 2×2 block of one colour (overlapping blocks all count).
/// * N3 = 40: each dark-light-dark pattern 1:1:3:1:1 with ≥ 4 light modules
///   on one side, in rows and columns; the quiet zone counts as light.
/// * N4 = 10: for every full 5 % that the dark proportion deviates from 50 %.
///
/// Libraries read the N3 wording differently (python-qrcode and segno pick
/// other masks for some inputs); this follows Nayuki's qrcodegen reading,
/// and the tests check identical scores against it. Every mask is valid:
/// the choice only affects how easily a camera reads the symbol.
enum QRPenalty: Sendable {
    static func score(_ matrix: QRMatrix) -> Int {
        score(size: matrix.size, modules: matrix.modules)
    }

    /// Score of a row-major `size × size` grid (`true` = dark).
    static func score(size: Int, modules: [Bool]) -> Int {
        func isDark(_ x: Int, _ y: Int) -> Bool { modules[y * size + x] }
        var result = 0
        for line in 0..<size {
            result += scoreLine(size: size) { isDark($0, line) }
            result += scoreLine(size: size) { isDark(line, $0) }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let colour = isDark(x, y)
                if colour == isDark(x + 1, y), colour == isDark(x, y + 1), colour == isDark(x + 1, y + 1) {
                    result += 3
                }
            }
        }
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        result += k * 10
        return result
    }

    /// Rules N1 and N3 along one row or column.
    private static func scoreLine(size: Int, isDark: (Int) -> Bool) -> Int {
        var result = 0
        var runColour = false
        var runLength = 0
        var history = RunHistory(size: size)
        for position in 0..<size {
            if isDark(position) == runColour {
                runLength += 1
                if runLength == 5 { result += 3 } else if runLength > 5 { result += 1 }
            } else {
                history.add(runLength)
                if !runColour { result += history.finderLikePatterns() * 40 }
                runColour = isDark(position)
                runLength = 1
            }
        }
        if runColour {
            history.add(runLength)
            runLength = 0
        }
        history.add(runLength + size)  // the light quiet zone extends the final light run
        result += history.finderLikePatterns() * 40
        return result
    }

    /// The last seven run lengths, most recent first, alternating colours.
    private struct RunHistory: Sendable {
        let size: Int
        var runs = [Int](repeating: 0, count: 7)

        mutating func add(_ length: Int) {
            var length = length
            if runs[0] == 0 { length += size }  // the quiet zone extends the first light run
            runs.removeLast()
            runs.insert(length, at: 0)
        }

        /// Counts 1:1:3:1:1 dark-light-dark-light-dark cores ending at a light run,
        /// with a ≥ 4-unit light run on the left, the right, or both.
        func finderLikePatterns() -> Int {
            let n = runs[1]
            let core = n > 0 && runs[2] == n && runs[3] == n * 3 && runs[4] == n && runs[5] == n
            return (core && runs[0] >= n * 4 && runs[6] >= n ? 1 : 0)
                + (core && runs[6] >= n * 4 && runs[0] >= n ? 1 : 0)
        }
    }
}
