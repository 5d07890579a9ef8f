import Foundation

/// What changed between two texts, word by word, for reviewers reading a suggested edit: runs of
/// words kept, removed and added. Words keep their following spaces and line breaks, so joining
/// the kept and added runs gives the new text back, and the kept and removed runs the old one.
///
/// Longest common subsequence over words, after trimming the common start and end (edits are
/// usually local). Above `maximumCells` word pairs — a rewrite of a long report — it compares
/// lines instead, and above that it shows the old text removed and the new one added: a diff is
/// never allowed to cost more than a bounded amount of memory and time.
public enum TextDiff {
    public enum Change: String, Sendable, Equatable, Codable { case same, removed, added }

    public struct Run: Sendable, Equatable, Codable {
        public var change: Change
        public var text: String
        public init(_ change: Change, _ text: String) {
            self.change = change
            self.text = text
        }
    }

    public static let maximumCells = 4_000_000

    public static func runs(from old: String, to new: String) -> [Run] {
        let a = words(old), b = words(new)
        if let runs = diff(a, b) { return runs }
        if let runs = diff(lines(old), lines(new)) { return runs }
        return merge([Run(.removed, old), Run(.added, new)].filter { !$0.text.isEmpty })
    }

    /// Whether anything changed.
    public static func isChange(_ runs: [Run]) -> Bool { runs.contains { $0.change != .same } }

    /// Words with the spaces after them.
    static func words(_ text: String) -> [Substring] { split(text) { $0.isWhitespace } }

    static func lines(_ text: String) -> [Substring] { split(text) { $0.isNewline } }

    /// Pieces that each end after a run of separators.
    private static func split(_ text: String, separator: (Character) -> Bool) -> [Substring] {
        var pieces: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var inSeparators = false
        while index < text.endIndex {
            let isSeparator = separator(text[index])
            if inSeparators, !isSeparator {
                pieces.append(text[start..<index])
                start = index
            }
            inSeparators = isSeparator
            index = text.index(after: index)
        }
        if start < text.endIndex { pieces.append(text[start...]) }
        return pieces
    }

    private static func diff(_ a: [Substring], _ b: [Substring]) -> [Run]? {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let x = Array(a[prefix..<(a.count - suffix)]), y = Array(b[prefix..<(b.count - suffix)])
        guard (x.count + 1) * (y.count + 1) <= maximumCells else { return nil }
        // lengths[i][j]: the LCS of x[i...] and y[j...], in one flat array.
        let width = y.count + 1
        var lengths = [Int32](repeating: 0, count: (x.count + 1) * width)
        if !x.isEmpty, !y.isEmpty {
            for i in stride(from: x.count - 1, through: 0, by: -1) {
                for j in stride(from: y.count - 1, through: 0, by: -1) {
                    lengths[i * width + j] = x[i] == y[j] ? lengths[(i + 1) * width + j + 1] + 1
                        : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
                }
            }
        }
        var runs: [Run] = []
        if prefix > 0 { runs.append(Run(.same, a[0..<prefix].joined())) }
        var i = 0, j = 0
        while i < x.count || j < y.count {
            if i < x.count, j < y.count, x[i] == y[j] {
                runs.append(Run(.same, String(x[i]))); i += 1; j += 1
            } else if j < y.count, i == x.count || lengths[i * width + j + 1] >= lengths[(i + 1) * width + j] {
                runs.append(Run(.added, String(y[j]))); j += 1
            } else {
                runs.append(Run(.removed, String(x[i]))); i += 1
            }
        }
        if suffix > 0 { runs.append(Run(.same, a[(a.count - suffix)...].joined())) }
        return merge(runs)
    }

    private static func merge(_ runs: [Run]) -> [Run] {
        var merged: [Run] = []
        for run in runs where !run.text.isEmpty {
            if let last = merged.last, last.change == run.change { merged[merged.count - 1].text += run.text } else { merged.append(run) }
        }
        return merged
    }
}
