import Foundation

/// Finds the records that designate the same person: between two sets (linkage) or within one
/// (deduplication), without labels.
///
/// 1. **Blocking**: only records that share a value of a blocking field — or, for names, the
///    skeleton of one word — are compared. Several keys are used together, so a record with typing
///    errors in its name is still found by its date of birth or its phone. A key shared by more
///    than `maximumBlock` records on a side is skipped (it would compare everyone with everyone).
/// 2. **Comparison**: each candidate pair gets one level per field (`LevelComparator`).
/// 3. **Model**: `u` from random pairs, `m` and `λ` by EM over the candidates' level patterns
///    (`FellegiSunter`); each pair's weight is the sum of its fields' log2 Bayes factors, with
///    exact agreement weighted by how rare the value is.
/// 4. **Decision**: pairs whose probability of a match is at least `threshold`; in a linkage where
///    each record appears at most once per side (`oneToOne`), the heaviest pairs are taken first and
///    a record already taken is not taken again.
public struct RecordLinker {
    public struct Match: Sendable, Equatable {
        public var left: Int
        public var right: Int
        public var weight: Double
        public var probability: Double
    }

    public let schema: LinkageSchema
    public private(set) var model: FellegiSunter
    /// A probability at or above which a pair is a match.
    public var threshold: Double = 0.5
    public var maximumBlock = 200
    /// Random pairs measured for `u`.
    public var randomPairs = 20_000
    var comparator: LevelComparator
    /// Per field: normalised value → id; and word skeleton → id for name blocking.
    var interned: [[[UInt8]: Int32]]
    var skeletons: [[UInt8]: Int32] = [:]

    public init(schema: LinkageSchema) {
        // Each pair's levels are packed 4 bits per field into one 64-bit code.
        precondition(schema.fields.count <= 16, "a linkage schema has at most 16 fields")
        self.schema = schema
        model = FellegiSunter(schema: schema)
        comparator = LevelComparator(schema: schema)
        interned = Array(repeating: [:], count: schema.fields.count)
    }

    /// Prepares raw records (field values in schema order).
    public mutating func prepare(_ raw: [[String?]]) -> [LinkageRecord] {
        raw.map { prepare(LinkageRecord($0, schema: schema)) }
    }

    mutating func prepare(_ record: LinkageRecord) -> LinkageRecord {
        var record = record
        for field in schema.fields.indices {
            guard let bytes = record.bytes(field) else { continue }
            if let id = interned[field][bytes] { record.ids[field] = id } else {
                let id = Int32(interned[field].count)
                interned[field][bytes] = id
                record.ids[field] = id
            }
        }
        return record
    }

    // MARK: Linkage and deduplication

    /// Pairs (left index, right index) that designate the same person, heaviest first.
    public mutating func link(_ left: [LinkageRecord], _ right: [LinkageRecord], oneToOne: Bool = true) -> [Match] {
        let candidates = blockedPairs(left: left, right: right)
        return decide(candidates, left, right, oneSet: false, oneToOne: oneToOne, sample: { generator in
            (Int.random(in: 0..<left.count, using: &generator), Int.random(in: 0..<right.count, using: &generator))
        })
    }

    /// Pairs (i < j) of records of one set that designate the same person.
    public mutating func deduplicate(_ records: [LinkageRecord]) -> [Match] {
        guard records.count >= 2 else { return [] }
        let candidates = blockedPairs(left: records, right: nil)
        return decide(candidates, records, records, oneSet: true, oneToOne: false, sample: { generator in
            var i = 0, j = 0
            while i == j {
                i = Int.random(in: 0..<records.count, using: &generator)
                j = Int.random(in: 0..<records.count, using: &generator)
            }
            return (min(i, j), max(i, j))
        })
    }

    private mutating func decide(_ candidates: [(Int32, Int32)], _ left: [LinkageRecord], _ right: [LinkageRecord], oneSet: Bool,
                                 oneToOne: Bool, sample: (inout SeededGenerator) -> (Int, Int)) -> [Match] {
        guard !left.isEmpty, !right.isEmpty else { return [] }
        let fields = schema.fields.count
        let a = LinkageColumns(left, fields: fields)
        let b = oneSet ? a : LinkageColumns(right, fields: fields)
        measureU(a, b, sample: sample)
        setFrequencies(a, b)
        // Levels of every candidate (4 bits per field, level + 1), and the distinct patterns for EM.
        var codes = [UInt64](repeating: 0, count: candidates.count)
        var patterns: [UInt64: Int] = [:]
        for (index, pair) in candidates.enumerated() {
            var code: UInt64 = 0
            for field in 0..<fields {
                code |= UInt64(comparator.level(field, a, Int(pair.0), b, Int(pair.1)) + 1) << UInt64(4 * field)
            }
            codes[index] = code
            patterns[code, default: 0] += 1
        }
        model.estimate(patterns: Dictionary(uniqueKeysWithValues: patterns.map { code, count in
            ((0..<fields).map { Int8(Int((code >> UInt64(4 * $0)) & 0xF) - 1) }, count)
        }))
        let floor = model.decisionWeight + log2(threshold / (1 - threshold))
        let table = model.table
        var matches: [Match] = []
        for (index, pair) in candidates.enumerated() {
            var weight = 0.0
            let code = codes[index]
            for field in 0..<fields {
                let level = Int((code >> UInt64(4 * field)) & 0xF) - 1
                guard level >= 0 else { continue }
                let id = a.id(field, Int(pair.0))
                weight += level == table.levels[field].count - 1 && id >= 0 && Int(id) < table.exact[field].count
                    ? table.exact[field][Int(id)] : table.levels[field][level]
            }
            if weight >= floor {
                matches.append(Match(left: Int(pair.0), right: Int(pair.1), weight: weight, probability: model.probability(weight)))
            }
        }
        matches.sort { $0.weight > $1.weight || $0.weight == $1.weight && ($0.left, $0.right) < ($1.left, $1.right) }
        guard oneToOne else { return matches }
        var takenLeft = [Bool](repeating: false, count: left.count), takenRight = [Bool](repeating: false, count: right.count)
        return matches.filter { match in
            guard !takenLeft[match.left], !takenRight[match.right] else { return false }
            takenLeft[match.left] = true
            takenRight[match.right] = true
            return true
        }
    }

    /// `u` per field and level from random pairs (nearly all non-matches).
    private mutating func measureU(_ left: LinkageColumns, _ right: LinkageColumns, sample: (inout SeededGenerator) -> (Int, Int)) {
        var generator = SeededGenerator(seed: 0x6567_6964_65)
        var counts = schema.fields.map { field in [Double](repeating: 0.5, count: schema.levels(of: field.kind)) }
        for _ in 0..<randomPairs {
            let (i, j) = sample(&generator)
            for field in schema.fields.indices {
                let level = comparator.level(field, left, i, right, j)
                if level >= 0 { counts[field][level] += 1 }
            }
        }
        model.u = counts.map { row in
            let sum = row.reduce(0, +)
            return row.map { $0 / sum }
        }
    }

    /// How often each value occurs, per field, over both sides (for term-frequency weights).
    private mutating func setFrequencies(_ left: LinkageColumns, _ right: LinkageColumns) {
        model.frequencies = schema.fields.indices.map { field in
            var counts = [Double](repeating: 0, count: interned[field].count)
            var total = 0.0
            for side in left === right ? [left] : [left, right] {
                for record in 0..<side.count {
                    let id = side.id(field, record)
                    if id >= 0 { counts[Int(id)] += 1; total += 1 }
                }
            }
            return counts.map { $0 / max(total, 1) }
        }
    }

    // MARK: Blocking

    private mutating func keys(of record: LinkageRecord) -> [Int] {
        var keys: [Int] = []
        for (field, spec) in schema.fields.enumerated() where spec.blocks && record.ids[field] >= 0 {
            keys.append(field << 40 | Int(record.ids[field]))
            if spec.blocksOnSkeletons, case .name(let name) = record.values[field] {
                // Shared by every name field, so a given name written as the surname still meets.
                for word in name.words where word.skeleton.count >= 3 {
                    let id: Int32
                    if let known = skeletons[word.skeleton] { id = known } else {
                        id = Int32(skeletons.count)
                        skeletons[word.skeleton] = id
                    }
                    keys.append(1 << 48 | Int(id))
                }
            }
        }
        return keys
    }

    /// Candidate pairs: (left, right) sharing a key; for one set (`right == nil`), (i, j) with i < j.
    private mutating func blockedPairs(left: [LinkageRecord], right: [LinkageRecord]?) -> [(Int32, Int32)] {
        var index: [Int: [Int32]] = [:]
        let leftKeys = left.map { keys(of: $0) }
        for (i, keys) in leftKeys.enumerated() { for key in keys { index[key, default: []].append(Int32(i)) } }
        var pairs: [(Int32, Int32)] = []
        var stamp = [Int32](repeating: -1, count: left.count)
        let rightKeys = right.map { $0.map { keys(of: $0) } } ?? leftKeys
        var rightSizes: [Int: Int] = [:]
        for keys in rightKeys { for key in keys { rightSizes[key, default: 0] += 1 } }
        for (j, keys) in rightKeys.enumerated() {
            for key in keys {
                guard let block = index[key], block.count <= maximumBlock, rightSizes[key, default: 0] <= maximumBlock else { continue }
                for i in block {
                    if right == nil && Int(i) >= j { break }
                    if stamp[Int(i)] != Int32(j) {
                        stamp[Int(i)] = Int32(j)
                        pairs.append((i, Int32(j)))
                    }
                }
            }
        }
        return pairs
    }

    // MARK: Explanation

    /// Why two records were (or were not) matched, field by field, under the model last estimated.
    public mutating func explain(_ a: LinkageRecord, _ b: LinkageRecord) -> LinkageExplanation {
        var fields: [LinkageExplanation.Field] = []
        var total = 0.0
        let x = LinkageColumns([a], fields: schema.fields.count), y = LinkageColumns([b], fields: schema.fields.count)
        for (index, field) in schema.fields.enumerated() {
            let level = comparator.level(index, x, 0, y, 0)
            let weight = model.weight(index, level, valueID: a.ids[index])
            total += weight
            fields.append(.init(name: field.name, level: level >= 0 ? level : nil, levels: schema.levels(of: field.kind), weight: weight))
        }
        return LinkageExplanation(fields: fields, weight: total, probability: model.probability(total))
    }
}
