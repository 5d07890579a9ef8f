/// A person's or organisation's name, prepared once for many comparisons: words in Latin and as
/// consonant skeletons, with the Arabic particles settled.
///
/// - `bin`, `ben`, `ibn`, `bint`, `bent`, `ould`, `ait`, `bou`, `abu`/`abou` join the word that
///   follows ("Ben Salah" ≡ "Bensalah" ≡ "بن صالح"), except as the first word ("Ben Harper").
/// - The article `al`/`el`/`ul` (written alone, with a hyphen or, from Arabic script, as `ال`) is
///   dropped; `abd`/`abdel`/`abdul`/`abdal`/`abdou` and `abde`+doubled consonant ("Abderrahmane")
///   become `abd` joined to the following name ("Abd al-Rahman" ≡ "Abdel Rahman" ≡ "Abderrahmane").
public struct PersonName: Sendable, Equatable {
    public struct Word: Sendable, Equatable {
        public var latin: [UInt8]
        public var skeleton: [UInt8]
        /// Written in a script without short vowels (Arabic): its vowels say nothing.
        public var abjad = false
    }

    public let words: [Word]
    /// All words joined, in the order written and in sorted order (for names run together or reordered).
    let joined: Word
    let joinedSorted: Word

    public init(_ text: String) {
        let latin = LinkageText.latinBytes(text)
        var raw = latin.split(separator: 0x20).map { Array($0) }
        if raw.count > 1 || raw.first?.starts(with: [0x61, 0x62, 0x64]) == true { raw = Self.settleParticles(raw, from: text) }  // or "abd…"
        let abjad = text.unicodeScalars.contains { (0x0600...0x06FF).contains($0.value) }
        // A person's name has a handful of words; more only costs comparison time.
        words = raw.filter { !$0.isEmpty }.prefix(Self.maximumWords).map { Word(latin: $0, skeleton: LinkageText.skeleton($0), abjad: abjad) }
        if words.count == 1 {
            // One word is its own joined form (most fields of most records).
            joined = words[0]
            joinedSorted = words[0]
            return
        }
        let together = words.flatMap(\.latin)
        joined = Word(latin: together, skeleton: LinkageText.skeleton(together), abjad: abjad)
        let sorted = words.sorted { $0.latin.lexicographicallyPrecedes($1.latin) }.flatMap(\.latin)
        joinedSorted = Word(latin: sorted, skeleton: LinkageText.skeleton(sorted), abjad: abjad)
    }

    /// A name of one word already in Latin (a prepared record's), keeping where it came from.
    init(oneWord latin: UnsafeBufferPointer<UInt8>, abjad: Bool) {
        let bytes = Array(latin)
        let word = Word(latin: bytes, skeleton: LinkageText.skeleton(bytes), abjad: abjad)
        words = bytes.isEmpty ? [] : [word]
        joined = word
        joinedSorted = word
    }

    public var isEmpty: Bool { words.isEmpty }

    /// Words kept from a name (the rest is ignored).
    public static let maximumWords = 12

    private static let joining: Set<[UInt8]> = Set(["bin", "ben", "bn", "ibn", "bint", "bent", "bnt", "ould", "ait", "bou", "abu", "abou", "ibnu"].map { Array($0.utf8) })
    private static let articles: Set<[UInt8]> = Set(["al", "el", "ul"].map { Array($0.utf8) })
    /// The article assimilated to a sun letter ("ar-Rahman", "as-Sayyid", "ed-Din"): an article only
    /// before a word starting with its consonant ("Nguyen An Khang" keeps its An).
    private static let sunArticles: Set<[UInt8]> = Set(["ad", "ar", "as", "at", "az", "an", "ash", "ed", "er", "es", "et", "en", "ez", "ech"].map { Array($0.utf8) })

    static func isArticle(_ word: [UInt8], before next: [UInt8]) -> Bool {
        if articles.contains(word) { return true }
        guard sunArticles.contains(word), let consonant = word.last, let first = next.first else { return false }
        return consonant == first || (word.count == 3 && next.count > 1 && next[0] == word[1] && next[1] == word[2])
    }
    private static let abdForms: [[UInt8]] = ["abdel", "abdul", "abdal", "abdoul", "abdou", "abdu", "abd"].map { Array($0.utf8) }

    static func settleParticles(_ words: [[UInt8]], from text: String) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 0
        while i < words.count {
            var word = words[i]
            // An article alone ("el Fassi", "Ahmed al-Amin") is dropped when a word follows it;
            // as the first word only `al`/`el` ("Ed Miller" keeps its Ed).
            if i + 1 < words.count, isArticle(word, before: words[i + 1]), i > 0 || word == [0x61, 0x6C] || word == [0x65, 0x6C] {
                i += 1
                continue
            }
            // abd + name.
            if let form = abdForms.first(where: { word.starts(with: $0) }) {
                var rest = Array(word.dropFirst(form.count))
                // "abderrahmane", "abdessalam": abd + e + doubled sun letter.
                if form == Array("abd".utf8), rest.count > 3, rest[0] == 0x65, rest[1] == rest[2] { rest.removeFirst(2) }
                if rest.isEmpty, i + 1 < words.count {
                    i += 1
                    rest = words[i]
                    if i + 1 < words.count, isArticle(rest, before: words[i + 1]) { i += 1; rest = words[i] }
                }
                out.append(Array("abd".utf8) + rest)
                i += 1
                continue
            }
            if i > 0, i + 1 < words.count, joining.contains(word) {
                var next = words[i + 1]
                var skip = 2
                if i + 2 < words.count, isArticle(next, before: words[i + 2]) { next = words[i + 2]; skip = 3 }
                out.append(Array("bn".utf8) + next)
                i += skip
                continue
            }
            // "bensalah", "bensaid": the particle written onto the word.
            if i > 0, word.count > 5, word.starts(with: Array("ben".utf8)) || word.starts(with: Array("bin".utf8)) {
                word = Array("bn".utf8) + word.dropFirst(3)
            }
            out.append(word)
            i += 1
        }
        return out
    }
}

/// How alike two names are, from 0 to 1, across scripts, spellings, word order and words run
/// together or split. Used alone where only a name is known (alert duplicates, the duplicate-support
/// check, `egide linkage score`) and as the name comparison of the Fellegi–Sunter model.
public struct NameComparator {
    let kernels = StringKernels()

    public init() {}

    /// How alike two words are. The consonant skeleton decides most: the same skeleton is the
    /// same word written another way (from Arabic script 0.95, or 0.92 for a skeleton of one or
    /// two consonants, which many names share; between alphabets, 0.6 + 0.35 × the Latin
    /// Jaro–Winkler); one consonant apart is a typing error or another name (0.5 + 0.3 × the
    /// Latin Jaro–Winkler); further apart, 0.75 × Jaro–Winkler. Identical Latin forms score 1.
    public func wordSimilarity(_ a: PersonName.Word, _ b: PersonName.Word) -> Double {
        a.latin.withUnsafeBufferPointer { al in a.skeleton.withUnsafeBufferPointer { ask in
            b.latin.withUnsafeBufferPointer { bl in b.skeleton.withUnsafeBufferPointer { bsk in
                wordSimilarity(al, ask, bl, bsk, abjad: a.abjad || b.abjad)
            } }
        } }
    }

    func wordSimilarity(_ aLatin: UnsafeBufferPointer<UInt8>, _ aSkeleton: UnsafeBufferPointer<UInt8>,
                        _ bLatin: UnsafeBufferPointer<UInt8>, _ bSkeleton: UnsafeBufferPointer<UInt8>,
                        abjad: Bool = false, cutoff: Double = 0) -> Double {
        if aLatin.elementsEqual(bLatin) { return 1 }
        let latin = kernels.jaroWinkler(aLatin, bLatin, cutoff: cutoff)
        guard !aSkeleton.isEmpty, !bSkeleton.isEmpty else { return latin }
        if aSkeleton.elementsEqual(bSkeleton) {
            // From Arabic script the vowels were never written: the skeleton is all there is.
            // Between alphabets that write vowels, differing vowels still count ("Hassan" is
            // not "Houssein").
            guard abjad else { return max(latin, 0.6 + 0.35 * latin) }
            return max(latin, aSkeleton.count <= 2 ? 0.92 : 0.95)
        }
        if max(aSkeleton.count, bSkeleton.count) >= 3, StringKernels.withinOneEdit(aSkeleton, bSkeleton) {
            return 0.5 + 0.3 * latin
        }
        return 0.75 * latin
    }

    /// The similarity of two names. Each word of the shorter name is paired with a different word
    /// of the longer one (best pairs first); the score is the mean of the pairs' similarities,
    /// weighted by word length, lowered a little for each word of the longer name left unpaired.
    /// The joined forms are also compared ("Bensalah" and "Ben Salah" are one word and two).
    public func similarity(_ lhs: PersonName, _ rhs: PersonName) -> Double {
        guard !lhs.isEmpty, !rhs.isEmpty else { return 0 }
        let (short, long) = lhs.words.count <= rhs.words.count ? (lhs.words, rhs.words) : (rhs.words, lhs.words)
        var pairs: [(Double, Int, Int)] = []
        pairs.reserveCapacity(short.count * long.count)
        for (i, s) in short.enumerated() {
            for (j, l) in long.enumerated() { pairs.append((wordSimilarity(s, l), i, j)) }
        }
        pairs.sort { $0.0 > $1.0 }
        var usedShort = [Bool](repeating: false, count: short.count), usedLong = [Bool](repeating: false, count: long.count)
        var weighted = 0.0, weights = 0.0, paired = 0, weakest = 1.0
        for (score, i, j) in pairs where !usedShort[i] && !usedLong[j] {
            usedShort[i] = true; usedLong[j] = true; paired += 1
            let weight = Double(max(short[i].latin.count, long[j].latin.count))
            weighted += score * weight
            weights += weight
            weakest = min(weakest, score)
            if paired == short.count { break }
        }
        let unpaired = long.count - short.count
        // Every word must agree: the weakest pair counts most ("Mohamed Ben Salah" is not
        // "Mohamed Ben Salem", however long the word they share).
        var tokens = weights > 0 ? 0.7 * weakest + 0.3 * weighted / weights : 0
        // One word in common is weak evidence ("Mohamed"); an extra middle name costs a little.
        if short.count == 1 && long.count > 1 { tokens *= 0.8 }
        tokens *= pow09(unpaired)
        // Words run together or split ("Noureddine" and "Nour El Dine"): compare the whole.
        guard lhs.words.count != rhs.words.count else { return min(1, tokens) }
        let joined = max(wordSimilarity(lhs.joined, rhs.joined), wordSimilarity(lhs.joinedSorted, rhs.joinedSorted))
        return min(1, max(tokens, joined * 0.97))
    }

    private func pow09(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<max(0, n) { result *= 0.94 }
        return result
    }

    /// Convenience for two strings.
    public func similarity(_ lhs: String, _ rhs: String) -> Double {
        similarity(PersonName(lhs), PersonName(rhs))
    }
}
