/// The one place Egide decides, from names alone, whether two records may designate the same
/// person or organisation: alert duplicates, the duplicate-support check of the fund, people across
/// cases and the demo all call it. The comparison is `NameComparator` (transliteration of Arabic,
/// Cyrillic and Georgian, particles, word order, words run together); this is its threshold.
/// Where more than a name is known (dates of birth, phones), `RecordLinker`'s Fellegi–Sunter model
/// weighs the fields together. docs/LINKAGE.md explains both and how the threshold was chosen.
public enum NameMatcher {
    /// Scores at or above this are shown as possible duplicates (on the cross-script set of
    /// `CrossScriptNames`, the score above which precision stays at least 0.95 for most script pairs).
    public static let threshold = 0.86

    /// Latin ASCII, lower case, letters, digits and single spaces (`LinkageText.latin`).
    public static func latin(_ name: String) -> String { LinkageText.latin(name) }

    /// How alike two names are, from 0 (nothing in common) to 1 (the same once normalised).
    public static func similarity(_ lhs: String, _ rhs: String) -> Double { NameComparator().similarity(lhs, rhs) }

    /// Whether two names probably designate the same person or organisation.
    public static func isLikelySame(_ lhs: String, _ rhs: String) -> Bool { similarity(lhs, rhs) >= threshold }
}
