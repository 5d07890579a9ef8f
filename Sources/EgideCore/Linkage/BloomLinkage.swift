/// The plaintext side of linkage through Bloom-filter encodings (`BloomEncoder` in EgideCrypto
/// makes the filters): which features of a person go into a filter, and how two sets of filters
/// are compared.
public enum BloomLinkage {
    /// Features of one record, per field, for `BloomEncoder.encode`: letter pairs of the Latin
    /// forms of the names (padded, so first and last letters count) and of their skeletons (so a
    /// name written in another script still shares bits), and the date of birth as the whole date
    /// and its pairs of parts (one part wrong still shares two of four).
    public static func features(name: String?, birth: String?, extra: [String?] = []) -> [[String]] {
        var fields: [[String]] = []
        var nameFeatures: [String] = []
        if let name {
            let parsed = PersonName(name)
            for word in parsed.words {
                nameFeatures += bigrams(word.latin).map { "l" + $0 }
                nameFeatures += bigrams(word.skeleton).map { "s" + $0 }
            }
        }
        fields.append(nameFeatures)
        var birthFeatures: [String] = []
        if let birth {
            let digits = String(birth.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
            if digits.count == 8 {
                let chars = Array(digits)
                // Whole dates and pairs of parts only: a lone year or month would be a frequent feature.
                birthFeatures = ["ymd" + digits, "ym" + String(chars[0..<6]), "md" + String(chars[4..<8]),
                                 "yd" + String(chars[0..<4]) + String(chars[6..<8])]
            }
        }
        fields.append(birthFeatures)
        for value in extra {
            fields.append(value.map { bigrams(LinkageText.latinBytes($0)).map { "x" + $0 } } ?? [])
        }
        return fields
    }

    static func bigrams(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        let padded = [0x5F] + bytes + [0x5F]
        return (0..<(padded.count - 1)).map { String(decoding: padded[$0...($0 + 1)], as: UTF8.self) }
    }

    /// Sørensen–Dice similarity of two filters of equal size.
    public static func dice(_ a: [UInt64], _ b: [UInt64]) -> Double {
        var common = 0, total = 0
        for k in a.indices {
            common += (a[k] & b[k]).nonzeroBitCount
            total += a[k].nonzeroBitCount + b[k].nonzeroBitCount
        }
        return total == 0 ? 0 : 2 * Double(common) / Double(total)
    }

    public struct Match: Sendable, Equatable {
        public var left: Int
        public var right: Int
        public var similarity: Double
    }

    /// Pairs of filters at or above `threshold`, each filter in at most one pair (most similar
    /// pairs first). Every pair is compared: no blocking key could be computed from the filters
    /// without weakening them.
    public static func compare(_ left: [[UInt64]], _ right: [[UInt64]], threshold: Double = 0.8) -> [Match] {
        var found: [Match] = []
        let leftCounts = left.map { $0.reduce(0) { $0 + $1.nonzeroBitCount } }
        let rightCounts = right.map { $0.reduce(0) { $0 + $1.nonzeroBitCount } }
        for (i, a) in left.enumerated() {
            a.withUnsafeBufferPointer { x in
                for (j, b) in right.enumerated() {
                    let total = leftCounts[i] + rightCounts[j]
                    // Dice cannot exceed 2·min/total: skip pairs whose sizes alone rule it out.
                    guard total > 0, 2 * Double(min(leftCounts[i], rightCounts[j])) / Double(total) >= threshold else { continue }
                    var common = 0
                    b.withUnsafeBufferPointer { y in
                        for k in 0..<min(x.count, y.count) { common &+= (x[k] & y[k]).nonzeroBitCount }
                    }
                    let similarity = 2 * Double(common) / Double(total)
                    if similarity >= threshold { found.append(Match(left: i, right: j, similarity: similarity)) }
                }
            }
        }
        found.sort { $0.similarity > $1.similarity || $0.similarity == $1.similarity && ($0.left, $0.right) < ($1.left, $1.right) }
        var takenLeft = Set<Int>(), takenRight = Set<Int>()
        return found.filter { match in
            guard !takenLeft.contains(match.left), !takenRight.contains(match.right) else { return false }
            takenLeft.insert(match.left)
            takenRight.insert(match.right)
            return true
        }
    }
}
