import Foundation

/// One kind of work waiting on a person, as a module hands it to "Needs my attention": a compact
/// list in which each record appears once, with every reason it is waiting.
struct WorkList: Encodable {
    /// The section's anchor on the page (`#alerts`).
    var id: String
    var heading: String
    var items: [WorkItem]
    /// How many there are in all (the list shows the most pressing `items`).
    var total: Int
    /// Where to see them all when the list is cut short.
    var moreHref: String?
    var moreLabel: String?

    /// `total`: how many there are when `items` holds only the most pressing (a module that
    /// decrypts names does it for the shown ones only); by default, all of `items`.
    init(id: String, heading: String, items: [WorkItem], total: Int? = nil, limit: Int = WorkList.limit,
         moreHref: String? = nil, moreLabel: String? = nil) {
        let total = max(total ?? items.count, items.count)
        self.id = id
        self.heading = heading
        self.items = Array(items.sorted { $0.rank < $1.rank }.prefix(limit))
        self.total = total
        self.moreHref = total > limit ? moreHref : nil
        self.moreLabel = total > limit ? moreLabel : nil
    }

    /// The most items a list shows.
    static let limit = 12
}

/// One record waiting on a person.
struct WorkItem: Encodable {
    var href: String
    /// The record's reference (`AL-2026-0130`, `PC-2026-0012`).
    var code: String
    /// What it is about (a name and a country, or the kind of step).
    var title: String
    /// Every reason it is on the list, most serious first.
    var reasons: [Badge]
    /// When it is due, formatted, if it has a date.
    var due: String?
    /// Ordering only (most pressing first): not shown.
    var rank: Rank

    struct Rank: Comparable, Encodable {
        /// 0 = overdue, 1 = urgent, 2 = the rest.
        var severity: Int
        var date: Date
        static func < (a: Rank, b: Rank) -> Bool { (a.severity, a.date) < (b.severity, b.date) }
    }
}

/// A short coloured label (`tone`: "danger", "warn", "ok" or "").
struct Badge: Encodable, Equatable {
    var label: String
    var tone: String
}
