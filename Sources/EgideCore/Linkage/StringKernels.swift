/// String similarity kernels over bytes (the output of `LinkageText`).
///
/// Jaro–Winkler is bit-parallel for strings of up to 64 bytes:
/// each byte of the first string owns a bit in a 64-bit mask, a character of the second finds its
/// first free match in the window with two ANDs and a "lowest set bit", and transpositions are
/// counted by walking both match masks. This is the method of Hyyrö and of rapidfuzz; longer
/// strings take the textbook loop. A `StringKernels` value holds the scratch table, so make one per
/// thread (or per task) and reuse it; it is not shared.
public final class StringKernels {
    /// For each byte value, the positions of the pattern that hold it (all zero between calls).
    private let table: UnsafeMutableBufferPointer<UInt64>

    public init() {
        table = .allocate(capacity: 256)
        table.initialize(repeating: 0)
    }

    deinit { table.deallocate() }

    /// Jaro–Winkler similarity with the usual prefix scale 0.1 over at most 4 characters.
    public func jaroWinkler(_ a: [UInt8], _ b: [UInt8]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in jaroWinkler(x, y) } }
    }

    /// Jaro similarity.
    public func jaro(_ a: [UInt8], _ b: [UInt8]) -> Double {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in jaro(x, y) } }
    }

    /// `cutoff`: a similarity under which the caller does not care how low it is; a pair of
    /// lengths that cannot reach it returns 0 at once.
    public func jaroWinkler(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, cutoff: Double = 0) -> Double {
        if cutoff > 0, !a.isEmpty, !b.isEmpty {
            let shorter = Double(min(a.count, b.count)), longer = Double(max(a.count, b.count))
            // Jaro cannot exceed (2 + shorter/longer) / 3; Winkler's prefix adds at most 0.4 of the rest.
            let bound = (2 + shorter / longer) / 3
            if bound + 0.4 * (1 - bound) < cutoff { return 0 }
        }
        let jaro = self.jaro(a, b)
        guard jaro > 0.7 else { return jaro }
        var prefix = 0
        let limit = min(4, a.count, b.count)
        while prefix < limit, a[prefix] == b[prefix] { prefix += 1 }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }

    public func jaro(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
        // The shorter string is the pattern (the lexicographically smaller one at equal lengths),
        // so the result does not depend on the order of the arguments.
        let aFirst = a.count < b.count || a.count == b.count && !b.lexicographicallyPrecedes(a)
        let (pattern, text) = aFirst ? (a, b) : (b, a)
        guard text.count <= 64 else { return Self.jaroLoop(Array(pattern), Array(text)) }
        let window = max(0, max(a.count, b.count) / 2 - 1)
        return Self.jaroBits(pattern, text, window: window, pm: table)
    }

    /// Many strings in one contiguous buffer, for `jaroWinklerRow` (no reference counting per string).
    public struct Batch: Sendable {
        let bytes: [UInt8]
        /// `offsets[i] ..< offsets[i + 1]` is string `i`.
        let offsets: [Int]
        public var count: Int { offsets.count - 1 }

        public init(_ strings: [[UInt8]]) {
            var bytes: [UInt8] = [], offsets = [0]
            for string in strings {
                bytes.append(contentsOf: string)
                offsets.append(bytes.count)
            }
            self.bytes = bytes
            self.offsets = offsets
        }
    }

    /// Jaro–Winkler of `query` against every string of `choices`, into `scores` (one row of a
    /// similarity matrix, as rapidfuzz's `cdist` computes it): the query's bit table is built once.
    /// The query is the pattern for every pair, so a score may differ in the last digits from
    /// `jaroWinkler(_:_:)`, which takes the shorter string as the pattern.
    public func jaroWinklerRow(_ query: [UInt8], _ choices: Batch, into scores: inout [Double]) {
        scores = [Double](repeating: 0, count: choices.count)
        guard !query.isEmpty, query.count <= 64 else {
            for i in 0..<choices.count { scores[i] = jaroWinkler(query, Array(choices.bytes[choices.offsets[i]..<choices.offsets[i + 1]])) }
            return
        }
        let table = self.table
        query.withUnsafeBufferPointer { p in
            for i in 0..<p.count { table[Int(p[i])] |= 1 &<< UInt64(i) }
            defer { for i in 0..<p.count { table[Int(p[i])] = 0 } }
            choices.bytes.withUnsafeBufferPointer { all in
                choices.offsets.withUnsafeBufferPointer { offsets in
                    scores.withUnsafeMutableBufferPointer { out in
                        for i in 0..<(offsets.count - 1) {
                            let t = UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])
                            if t.isEmpty { out[i] = 0; continue }
                            if t.count > 64 { out[i] = jaroWinkler(Array(p), Array(t)); continue }
                            let jaro = Self.jaroPrepared(p, t, window: max(0, max(p.count, t.count) / 2 - 1), pm: table)
                            var prefix = 0
                            if jaro > 0.7 {
                                let limit = min(4, p.count, t.count)
                                while prefix < limit, p[prefix] == t[prefix] { prefix += 1 }
                            }
                            out[i] = jaro + Double(prefix) * 0.1 * (1 - jaro)
                        }
                    }
                }
            }
        }
    }

    private static func jaroBits(_ p: UnsafeBufferPointer<UInt8>, _ t: UnsafeBufferPointer<UInt8>, window: Int,
                                 pm: UnsafeMutableBufferPointer<UInt64>) -> Double {
        for i in 0..<p.count { pm[Int(p[i])] |= 1 &<< UInt64(i) }
        defer { for i in 0..<p.count { pm[Int(p[i])] = 0 } }
        return jaroPrepared(p, t, window: window, pm: pm)
    }

    /// Jaro of pattern `p` (its positions already in `pm`) against `t`; both at most 64 bytes.
    @inline(__always)
    private static func jaroPrepared(_ p: UnsafeBufferPointer<UInt8>, _ t: UnsafeBufferPointer<UInt8>, window: Int,
                                     pm: UnsafeMutableBufferPointer<UInt64>) -> Double {
        let m = p.count, n = t.count
        var patternFlags: UInt64 = 0
        var textFlags: UInt64 = 0
        var matches = 0
        let all: UInt64 = m == 64 ? ~0 : (1 &<< UInt64(m)) &- 1
        // The window's upper edge as a mask, slid one bit per text character.
        var bound: UInt64 = window + 1 >= 64 ? all : ((1 &<< UInt64(window + 1)) &- 1) & all
        for j in 0..<min(n, m + window) {
            if j > window { bound &= ~(1 &<< UInt64(j - window - 1)) }
            let candidates = pm[Int(t[j])] & bound & ~patternFlags
            if candidates != 0 {
                patternFlags |= candidates & (0 &- candidates)
                textFlags |= 1 &<< UInt64(j)
                matches &+= 1
            }
            if j + window + 1 < m { bound |= 1 &<< UInt64(j + window + 1) }
        }
        guard matches > 0 else { return 0 }
        // Transpositions: the k-th matched text character against the k-th matched pattern position.
        var transpositions = 0
        var flags = patternFlags, textBits = textFlags
        while flags != 0 {
            let i = flags.trailingZeroBitCount, j = textBits.trailingZeroBitCount
            flags &= flags &- 1
            textBits &= textBits &- 1
            if p[i] != t[j] { transpositions &+= 1 }
        }
        let mm = Double(matches)
        return (mm / Double(m) + mm / Double(n) + (mm - Double(transpositions / 2)) / mm) / 3
    }

    /// The textbook Jaro, for strings longer than 64 bytes.
    static func jaroLoop(_ a: [UInt8], _ b: [UInt8]) -> Double {
        let window = max(0, max(a.count, b.count) / 2 - 1)
        var aMatched = [Bool](repeating: false, count: a.count)
        var bMatched = [Bool](repeating: false, count: b.count)
        var matches = 0
        for i in a.indices {
            let low = max(0, i - window), high = min(b.count - 1, i + window)
            guard low <= high else { continue }
            for j in low...high where !bMatched[j] && a[i] == b[j] {
                aMatched[i] = true; bMatched[j] = true; matches += 1
                break
            }
        }
        guard matches > 0 else { return 0 }
        var transpositions = 0, k = 0
        for i in a.indices where aMatched[i] {
            while !bMatched[k] { k += 1 }
            if a[i] != b[k] { transpositions += 1 }
            k += 1
        }
        let m = Double(matches)
        return (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions / 2)) / m) / 3
    }

    /// Whether two strings are at most one edit apart (substitution, insertion, deletion or, as a
    /// typist's slip, two adjacent letters swapped).
    public static func withinOneEdit(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        guard long.count - short.count <= 1 else { return false }
        var i = 0
        while i < short.count, short[i] == long[i] { i += 1 }
        if i == short.count { return true }
        if short.count == long.count {
            var j = i + 1
            while j < short.count, short[j] == long[j] { j += 1 }
            if j == short.count { return true }  // one substitution
            // Adjacent transposition.
            guard j == i + 1, short[i] == long[j], short[j] == long[i] else { return false }
            var k = j + 1
            while k < short.count, short[k] == long[k] { k += 1 }
            return k == short.count
        }
        var j = i
        while j < short.count, short[j] == long[j + 1] { j += 1 }
        return j == short.count
    }
}
