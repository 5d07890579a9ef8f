/// The rows of a list page's table, written in Swift, every value escaped as Leaf's `#( )` escapes
/// it; the template puts them in its `<tbody>` with `#unsafeHTML(page.rowsHTML)`.
///
/// Leaf walking 50 rows of seven cells — a translation and a lookup per value — was a fifth to a
/// third of a list page's processor time (docs/DEVELOPMENT.md, "Public pages: benchmark"). Each cell
/// carries its column's name in `data-label`, which the style sheet shows beside the value on a phone.
final class TableRows {
    private(set) var html = ""

    init(rows: Int) { html.reserveCapacity(rows * 1_000) }

    /// One `<tr>`.
    func row(_ cells: () -> Void) {
        html += "<tr>"
        cells()
        html += "\n  </tr>"
    }

    /// One `<td>` labelled `label`; `auto` when its text may be written right to left (a name),
    /// `numeric` for an amount (aligned to the end), `badges` for a row of badges.
    func cell(_ label: String, auto: Bool = false, numeric: Bool = false, badges: Bool = false, _ content: () -> Void) {
        html += "\n    <td data-label=\""
        text(label)
        html += numeric ? "\" class=\"num" : ""
        html += auto ? "\"><div dir=\"auto\">" : badges ? "\"><div class=\"badges\">" : "\"><div>"
        content()
        html += "</div></td>"
    }

    /// `value`, escaped.
    func text(_ value: String) { html += SharedPages.escaped(value) }

    /// Fixed markup (never a value).
    func markup(_ fixed: StaticString) { html += fixed.description }

    /// A left-to-right link to a record (`class` one of the style sheet's link classes).
    func link(_ href: String, class linkClass: StaticString, _ label: String) {
        html += "<a href=\""
        text(href)
        html += "\" class=\"" + linkClass.description + "\" dir=\"ltr\">"
        text(label)
        html += "</a>"
    }

    /// A badge in `tone` (the style sheet's `ok`, `warn`, `danger`, or none).
    func badge(_ tone: String, _ label: String) {
        html += tone.isEmpty ? "<span class=\"badge\">" : "<span class=\"badge " + SharedPages.escaped(tone) + "\">"
        text(label)
        html += "</span>"
    }

    /// A muted remark.
    func muted(_ label: String) {
        html += "<span class=\"muted\">"
        text(label)
        html += "</span>"
    }
}
