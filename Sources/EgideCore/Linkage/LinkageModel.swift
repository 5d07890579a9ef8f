import Foundation

/// What a record holds for linkage, field by field, and how each field is compared.
public struct LinkageSchema: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A person's or organisation's name (`NameComparator`, across scripts).
        case name
        /// Free text such as a street or a place (Jaro–Winkler over the Latin form).
        case text
        /// A code that is right or wrong: agreement, or one typing error (postcodes, numbers).
        case code
        /// A date of birth, `YYYY-MM-DD` or `YYYYMMDD` (one digit wrong, day and month swapped).
        case date
        /// A telephone number (the last eight digits).
        case phone
        /// A value compared for equality only (a country, a state).
        case category
    }

    public struct Field: Sendable {
        public var name: String
        public var kind: Kind
        /// Whether records sharing this field's value are compared.
        public var blocks: Bool
        /// For a blocking name field: also records sharing the skeleton of a word, in any name field
        /// (the same name in another script or spelling). Off for data in one script only.
        public var blocksOnSkeletons: Bool
        public init(_ name: String, _ kind: Kind, blocks: Bool = false, blocksOnSkeletons: Bool = true) {
            self.name = name
            self.kind = kind
            self.blocks = blocks
            self.blocksOnSkeletons = blocks && kind == .name && blocksOnSkeletons
        }
    }

    public var fields: [Field]
    public init(_ fields: [Field]) { self.fields = fields }

    /// Comparison levels per kind, from disagreement (0) to exact agreement (the highest).
    func levels(of kind: Kind) -> Int {
        switch kind {
        case .name, .text: 5
        case .code, .phone: 3
        case .date: 4
        case .category: 2
        }
    }

    /// The person fields Egide itself links on (alerts, cases, grants, exports).
    public static let people = LinkageSchema([
        Field("name", .name, blocks: true), Field("birth", .date, blocks: true), Field("phone", .phone, blocks: true),
        Field("organisation", .name), Field("place", .text), Field("country", .category),
    ])
}

/// One record prepared for comparison: every field normalised once.
public struct LinkageRecord: Sendable {
    enum Value: Sendable {
        case name(PersonName)
        case bytes([UInt8])
    }

    var values: [Value?]
    /// Interned value ids per field (equal ids ⇔ equal normalised values), for exact agreement,
    /// blocking and term frequencies.
    var ids: [Int32]

    /// The raw field values in schema order (`nil` or empty when unknown).
    public init(_ raw: [String?], schema: LinkageSchema) {
        // Missing trailing values are unknown fields; extra values are ignored.
        let raw = Array(raw.prefix(schema.fields.count)) + [String?](repeating: nil, count: max(0, schema.fields.count - raw.count))
        values = zip(raw, schema.fields).map { value, field in
            guard let value, !value.isEmpty else { return nil }
            switch field.kind {
            case .name:
                let name = PersonName(value)
                return name.isEmpty ? nil : .name(name)
            case .text, .category, .code:
                let latin = LinkageText.latinBytes(value)
                return latin.isEmpty ? nil : .bytes(latin)
            case .date:
                let digits = value.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }
                return digits.count == 8 ? .bytes(Array(digits)) : nil
            case .phone:
                let digits = value.utf8.filter { $0 >= 0x30 && $0 <= 0x39 }
                return digits.count >= 6 ? .bytes(Array(digits.suffix(8))) : nil
            }
        }
        ids = [Int32](repeating: -1, count: raw.count)
    }

    func bytes(_ field: Int) -> [UInt8]? {
        switch values[field] {
        case .bytes(let b): b
        case .name(let n): n.joined.latin
        case nil: nil
        }
    }
}

/// One comparison's outcome, field by field: the level reached and the evidence it gave.
public struct LinkageExplanation: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        /// 0 = disagree … highest = exact; `nil` when either side does not know the field.
        public var level: Int?
        public var levels: Int
        /// log2 of the Bayes factor this field contributed.
        public var weight: Double
    }

    public var fields: [Field]
    /// Sum of the field weights.
    public var weight: Double
    /// Probability that the two records designate the same person, under the model.
    public var probability: Double
}

/// Prepared records of one side in contiguous storage, field by field: the comparison loop reads
/// bytes through pointers, with no reference counting per pair.
final class LinkageColumns {
    let count: Int
    let fields: Int
    /// Per field and record: `offsets[field * (count + 1) + record]` into `latin` (and `skeleton`).
    private let latin: UnsafeMutableBufferPointer<UInt8>
    private let latinOffsets: UnsafeMutableBufferPointer<Int32>
    private let skeleton: UnsafeMutableBufferPointer<UInt8>
    private let skeletonOffsets: UnsafeMutableBufferPointer<Int32>
    /// `ids[field * count + record]`: interned value, -1 when missing.
    let ids: UnsafeMutableBufferPointer<Int32>
    /// `abjad[field * count + record]`: a name written in Arabic script (its vowels were never written).
    let abjad: UnsafeMutableBufferPointer<Bool>
    /// Names of more than one word, for `NameComparator` (single words compare from the bytes).
    private(set) var names: [Int: PersonName] = [:]

    init(_ records: [LinkageRecord], fields: Int) {
        count = records.count
        self.fields = fields
        var latinBytes: [UInt8] = [], skeletonBytes: [UInt8] = []
        var latinStarts: [Int32] = [], skeletonStarts: [Int32] = []
        var idValues: [Int32] = []
        var abjadValues: [Bool] = []
        latinStarts.reserveCapacity(fields * (count + 1))
        skeletonStarts.reserveCapacity(fields * (count + 1))
        idValues.reserveCapacity(fields * count)
        var multiword: [Int: PersonName] = [:]
        for field in 0..<fields {
            for (index, record) in records.enumerated() {
                latinStarts.append(Int32(latinBytes.count))
                skeletonStarts.append(Int32(skeletonBytes.count))
                idValues.append(record.ids[field])
                if case .name(let name) = record.values[field] { abjadValues.append(name.words.first?.abjad ?? false) } else { abjadValues.append(false) }
                switch record.values[field] {
                case .name(let name):
                    latinBytes.append(contentsOf: name.joined.latin)
                    if name.words.count == 1 { skeletonBytes.append(contentsOf: name.words[0].skeleton) } else {
                        multiword[field * count + index] = name
                    }
                case .bytes(let bytes): latinBytes.append(contentsOf: bytes)
                case nil: break
                }
            }
            latinStarts.append(Int32(latinBytes.count))
            skeletonStarts.append(Int32(skeletonBytes.count))
        }
        func copy<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
            _ = buffer.initialize(from: values)
            return buffer
        }
        latin = copy(latinBytes)
        latinOffsets = copy(latinStarts)
        skeleton = copy(skeletonBytes)
        skeletonOffsets = copy(skeletonStarts)
        ids = copy(idValues)
        abjad = copy(abjadValues)
        names = multiword
    }

    deinit {
        latin.deallocate(); latinOffsets.deallocate(); skeleton.deallocate(); skeletonOffsets.deallocate(); ids.deallocate(); abjad.deallocate()
    }

    @inline(__always) func id(_ field: Int, _ record: Int) -> Int32 { ids[field * count + record] }

    @inline(__always) func latin(_ field: Int, _ record: Int) -> UnsafeBufferPointer<UInt8> {
        let at = field * (count + 1) + record
        let from = Int(latinOffsets[at]), to = Int(latinOffsets[at + 1])
        return UnsafeBufferPointer(rebasing: latin[from..<to])
    }

    @inline(__always) func skeleton(_ field: Int, _ record: Int) -> UnsafeBufferPointer<UInt8> {
        let at = field * (count + 1) + record
        let from = Int(skeletonOffsets[at]), to = Int(skeletonOffsets[at + 1])
        return UnsafeBufferPointer(rebasing: skeleton[from..<to])
    }

    func name(_ field: Int, _ record: Int) -> PersonName? {
        names.isEmpty ? nil : names[field * count + record]
    }
}

/// Compares prepared records field by field into comparison levels.
struct LevelComparator {
    let kinds: [LinkageSchema.Kind]
    let tops: [Int]
    var names = NameComparator()

    init(schema: LinkageSchema) {
        kinds = schema.fields.map(\.kind)
        tops = schema.fields.map { schema.levels(of: $0.kind) - 1 }
    }

    /// The level of `field` for record `i` of `a` and `j` of `b`, or -1 when either side is missing.
    func level(_ field: Int, _ a: LinkageColumns, _ i: Int, _ b: LinkageColumns, _ j: Int) -> Int {
        let x = a.id(field, i), y = b.id(field, j)
        guard x >= 0, y >= 0 else { return -1 }
        let top = tops[field]
        if x == y { return top }
        let p = a.latin(field, i), q = b.latin(field, j)
        switch kinds[field] {
        case .name:
            let ps = a.skeleton(field, i), qs = b.skeleton(field, j)
            // One word each (its skeleton is stored): compare the bytes. Otherwise, the whole names.
            let abjad = a.abjad[field * a.count + i] || b.abjad[field * b.count + j]
            if !ps.isEmpty, !qs.isEmpty || q.isEmpty { return Self.graded(names.wordSimilarity(p, ps, q, qs, abjad: abjad, cutoff: 0.75)) }
            let left = a.name(field, i) ?? PersonName(oneWord: p, abjad: a.abjad[field * a.count + i])
            let right = b.name(field, j) ?? PersonName(oneWord: q, abjad: b.abjad[field * b.count + j])
            return Self.graded(names.similarity(left, right))
        case .text:
            return Self.graded(names.kernels.jaroWinkler(p, q, cutoff: 0.75))
        case .code, .phone:
            return StringKernels.withinOneEdit(p, q) ? 1 : 0
        case .date:
            if StringKernels.withinOneEdit(p, q) { return 2 }
            // Day and month swapped, or the same year with one of them right.
            let sameYear = p[0] == q[0] && p[1] == q[1] && p[2] == q[2] && p[3] == q[3]
            if sameYear, p[4] == q[6], p[5] == q[7], p[6] == q[4], p[7] == q[5] { return 2 }
            if sameYear || (p[4] == q[4] && p[5] == q[5] && p[6] == q[6] && p[7] == q[7]) { return 1 }
            return 0
        case .category:
            return 0
        }
    }

    /// Similarity to a level: ≥ 0.94 → 3, ≥ 0.88 → 2, ≥ 0.75 → 1, else 0 (exact is 4).
    static func graded(_ similarity: Double) -> Int {
        similarity >= 0.94 ? 3 : similarity >= 0.88 ? 2 : similarity >= 0.75 ? 1 : 0
    }
}

/// An unsupervised Fellegi–Sunter model: for each field and level, the probability `m` of that
/// level among true matches and `u` among non-matches. `u` is measured on random pairs; `m` and the
/// share of matches `λ` are estimated by expectation–maximisation over the candidate pairs. Exact
/// agreement on a value is weighted by how rare that value is (term frequency).
public struct FellegiSunter: Sendable {
    public let schema: LinkageSchema
    /// `m[field][level]`, `u[field][level]`.
    public var m: [[Double]]
    public var u: [[Double]]
    public var lambda: Double
    /// For exact agreement: the share of each value id among the records, per field (dense by id).
    var frequencies: [[Double]]

    init(schema: LinkageSchema) {
        self.schema = schema
        m = schema.fields.map { field in
            let n = schema.levels(of: field.kind)
            return (0..<n).map { level in level == n - 1 ? 0.85 : level == 0 ? 0.03 : 0.12 / Double(n - 2) }
        }
        u = schema.fields.map { field in
            let n = schema.levels(of: field.kind)
            return (0..<n).map { level in level == 0 ? 0.97 : 0.03 / Double(n - 1) }
        }
        lambda = 0.01
        frequencies = Array(repeating: [], count: schema.fields.count)
    }

    /// log2 Bayes factor of one field at one level (0 when missing).
    func weight(_ field: Int, _ level: Int, valueID: Int32) -> Double {
        guard level >= 0 else { return 0 }
        let top = m[field].count - 1
        if level == top, valueID >= 0, Int(valueID) < frequencies[field].count {
            // Exact agreement on a common value is weaker evidence than on a rare one.
            return log2(m[field][level] / max(frequencies[field][Int(valueID)], 1e-6))
        }
        return log2(m[field][level] / u[field][level])
    }

    /// The weights of every field and level, and of exact agreement on each value, for scoring
    /// many pairs without logarithms.
    struct Table {
        var levels: [[Double]]
        var exact: [[Double]]
    }

    var table: Table {
        Table(levels: m.indices.map { field in m[field].indices.map { log2(m[field][$0] / u[field][$0]) } },
              exact: m.indices.map { field in frequencies[field].map { log2(m[field][m[field].count - 1] / max($0, 1e-6)) } })
    }

    /// Probability of a match for a total weight.
    public func probability(_ weight: Double) -> Double {
        let odds = pow(2, weight) * lambda / (1 - lambda)
        return odds.isFinite ? odds / (1 + odds) : 1
    }

    /// The weight above which a pair is more likely a match than not.
    public var decisionWeight: Double { log2((1 - lambda) / lambda) }

    /// Expectation–maximisation of `m` and `λ` over the distinct level patterns of the candidate
    /// pairs (with their counts); `u` stays as measured on random pairs.
    mutating func estimate(patterns: [[Int8]: Int], iterations: Int = 40) {
        let rows = patterns.map { ($0.key, Double($0.value)) }
        let total = rows.reduce(0) { $0 + $1.1 }
        guard total > 0 else { return }
        let logU = u.map { $0.map { log($0) } }
        for _ in 0..<iterations {
            var mSums = m.map { $0.map { _ in 1e-9 } }
            var matched = 0.0
            let logM = m.map { $0.map { log($0) } }
            for (pattern, count) in rows {
                var logMatch = log(lambda), logOther = log(1 - lambda)
                for (field, level) in pattern.enumerated() where level >= 0 {
                    logMatch += logM[field][Int(level)]
                    logOther += logU[field][Int(level)]
                }
                let posterior = 1 / (1 + exp(logOther - logMatch))
                let weight = posterior * count
                matched += weight
                for (field, level) in pattern.enumerated() where level >= 0 { mSums[field][Int(level)] += weight }
            }
            lambda = min(max(matched / total, 1e-6), 0.999)
            for field in m.indices {
                let sum = mSums[field].reduce(0, +)
                // A floor keeps every level possible among matches (typing errors happen).
                m[field] = mSums[field].map { max($0 / sum, 1e-4) }
            }
        }
    }
}
