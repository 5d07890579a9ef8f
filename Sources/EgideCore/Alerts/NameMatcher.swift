import Foundation

/// Fuzzy, transliteration-aware comparison of people's and organisations' names, for finding
/// alerts about the same defender written differently: "Mohamed Ben Salah", "Mohammed Bensalah",
/// "محمد بن صالح", "Мухаммед Бенсалах".
///
/// Each name is transliterated to Latin ASCII, case-folded and reduced to a consonant skeleton
/// (Arabic script writes no short vowels, and vowels are what transliterations disagree on most);
/// doubled letters collapse and common digraphs fold (`kh`→`h`, `ph`→`f`, `ou`→`u`…). The score
/// compares the skeletons in any word order and with words run together, with a Jaro–Winkler
/// similarity. It runs on decrypted candidates in memory, never on anything stored.
public enum NameMatcher {
    /// Scores at or above this are shown as possible duplicates.
    public static let threshold = 0.86

    /// Latin ASCII, lower case, letters and spaces only.
    public static func latin(_ name: String) -> String {
        let transliterated = name.applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false) ?? name
        let folded = transliterated.lowercased().unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) ? Character(scalar) : " "
        }
        return String(folded).split(separator: " ").joined(separator: " ")
    }

    /// The consonant skeleton of one Latin word.
    public static func skeleton(_ word: String) -> String {
        var text = word
        for (from, to) in [("kh", "h"), ("ph", "f"), ("ch", "sh"), ("dj", "j"), ("dh", "d"), ("th", "t"),
                           ("ou", "u"), ("ck", "k"), ("q", "k"), ("c", "k"), ("z", "s"), ("w", "u"), ("y", "i")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        var result = ""
        for (index, character) in text.enumerated() {
            // Keep a leading vowel ("Ali" and "Li" differ), drop the others.
            if index > 0, "aeiou".contains(character) { continue }
            if result.last == character { continue }
            result.append(character)
        }
        return result
    }

    /// How alike two names are, from 0 (nothing in common) to 1 (the same once normalised).
    public static func similarity(_ lhs: String, _ rhs: String) -> Double {
        let left = latin(lhs).split(separator: " ").map { skeleton(String($0)) }.filter { !$0.isEmpty }
        let right = latin(rhs).split(separator: " ").map { skeleton(String($0)) }.filter { !$0.isEmpty }
        guard !left.isEmpty, !right.isEmpty else { return 0 }
        // Word order does not matter ("Salah Mohamed"), nor words run together ("Bensalah").
        let joinedSorted = editSimilarity(left.sorted().joined(), right.sorted().joined())
        let joinedInOrder = editSimilarity(left.joined(), right.joined())
        return max(joinedSorted, joinedInOrder, tokenScore(left, right))
    }

    /// Whether two names probably designate the same person or organisation.
    public static func isLikelySame(_ lhs: String, _ rhs: String) -> Bool { similarity(lhs, rhs) >= threshold }

    /// The worst best match of each word of the shorter name among the words of the longer one:
    /// every word must find its counterpart ("Mohamed Trabelsi" is not "Mohamed Ben Salah").
    /// Symmetric: with as many words on each side, both directions must agree.
    static func tokenScore(_ left: [String], _ right: [String]) -> Double {
        func directional(_ short: [String], _ long: [String]) -> Double {
            guard short.count >= 2 else { return 0 }  // one shared word ("Mohamed") is not enough
            return short.map { word in long.map { editSimilarity(word, $0) }.max() ?? 0 }.min() ?? 0
        }
        if left.count == right.count { return min(directional(left, right), directional(right, left)) }
        return left.count < right.count ? directional(left, right) : directional(right, left)
    }

    /// 1 − (Levenshtein distance ÷ length of the longer string).
    public static func editSimilarity(_ s1: String, _ s2: String) -> Double {
        let a = Array(s1), b = Array(s2)
        guard !a.isEmpty || !b.isEmpty else { return 1 }
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return 1 - Double(previous[b.count]) / Double(max(a.count, b.count))
    }

    /// Jaro–Winkler similarity of two strings.
    public static func jaroWinkler(_ s1: String, _ s2: String) -> Double {
        let a = Array(s1), b = Array(s2)
        if a.isEmpty && b.isEmpty { return 1 }
        if a.isEmpty || b.isEmpty { return 0 }
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
        let jaro = (m / Double(a.count) + m / Double(b.count) + (m - Double(transpositions) / 2) / m) / 3
        var prefix = 0
        for (x, y) in zip(a, b).prefix(4) { if x == y { prefix += 1 } else { break } }
        return jaro + Double(prefix) * 0.1 * (1 - jaro)
    }
}
