/// One page of a list, as read from a request's `page` (and `limit`) parameters. Every list — web
/// page or API — reads its page through `parse`, so a number from a request is bounded before any
/// arithmetic touches it: `offset` and `range` cannot overflow, whatever was sent.
public struct ListPage: Sendable, Equatable {
    /// Pages are numbered from 0 (the first page has no `page` parameter on the web).
    public static let maximumNumber = 100_000
    /// No list returns more rows than this in one page.
    public static let maximumSize = 500

    /// The page number, 0 … `maximumNumber`.
    public let number: Int
    /// Rows per page, 1 … `maximumSize`.
    public let size: Int

    /// Why a `page` or `limit` parameter was refused.
    public enum Problem: Error, Equatable, Sendable {
        /// Not a whole number written in digits (a sign, letters, a decimal point…).
        case notAWholeNumber
        /// A whole number outside the allowed range.
        case outOfRange(ClosedRange<Int>)
    }

    /// A page; `number` and `size` are clamped into their ranges (for pages the code builds itself).
    public init(number: Int = 0, size: Int) {
        self.number = min(max(number, 0), Self.maximumNumber)
        self.size = min(max(size, 1), Self.maximumSize)
    }

    /// The page a request asked for: `raw` is the `page` parameter (absent or empty: the first
    /// page). Refuses anything but digits, and numbers above `maximumNumber`, without trapping
    /// on numbers too large for an `Int`.
    public static func parse(_ raw: String?, size: Int) -> Result<ListPage, Problem> {
        switch bounded(raw, in: 0...maximumNumber) {
        case .success(let number): .success(ListPage(number: number ?? 0, size: size))
        case .failure(let problem): .failure(problem)
        }
    }

    /// A whole number from a request parameter, inside `range`; `nil` when absent or empty.
    /// Reads at most a few digits, so "9223372036854775808" or a megabyte of digits is refused
    /// as out of range rather than overflowing.
    public static func bounded(_ raw: String?, in range: ClosedRange<Int>) -> Result<Int?, Problem> {
        guard let raw, !raw.isEmpty else { return .success(nil) }
        guard raw.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return .failure(.notAWholeNumber) }
        let digits = raw.drop { $0 == "0" }
        // 18 digits always fit in an Int; a longer number is larger than any range a list uses.
        guard digits.count <= 18, let value = Int(digits.isEmpty ? "0" : String(digits)), range.contains(value) else {
            return .failure(.outOfRange(range))
        }
        return .success(value)
    }

    /// The first row of the page: at most `maximumNumber × maximumSize`, far below `Int.max`.
    public var offset: Int { number * size }
    /// The rows of the page.
    public var range: Range<Int> { offset..<(offset + size) }
    /// The rows of the page and one more, to tell whether a next page exists without counting.
    public var rangeWithNext: Range<Int> { offset..<(offset + size + 1) }
    /// The page before, if any.
    public var previous: ListPage? { number > 0 ? ListPage(number: number - 1, size: size) : nil }
    /// The page after, if this one is not the last the bound allows.
    public var next: ListPage? { number < Self.maximumNumber ? ListPage(number: number + 1, size: size) : nil }
    /// Whether rows remain after this page, out of `total`.
    public func hasMore(total: Int) -> Bool { next != nil && offset + size < total }
}
