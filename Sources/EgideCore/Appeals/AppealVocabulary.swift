import Foundation

/// What kind of document an appeal is. Every kind but the closed letter can reach the public:
/// a closed letter goes to the authorities it is addressed to, and nowhere else.
public enum AppealKind: String, CaseIterable, Sendable, Codable, Hashable {
    case urgentAppeal = "urgent_appeal"
    case statement
    case openLetter = "open_letter"
    case closedLetter = "closed_letter"
    case pressRelease = "press_release"
    case report
    case analysisNote = "analysis_note"

    public var labelKey: String { "appeal.kind.\(rawValue)" }

    /// The channels a document of this kind may ever use.
    public var channels: [AppealChannel] {
        self == .closedLetter ? [.authorities] : [.publicPage, .mailing, .authorities]
    }

    /// Whether it may ever appear on a public page, in the feed or in a mailing.
    public var isPublic: Bool { channels.contains(.publicPage) }
}

/// The state of one language version of a document. A version is written (draft), reviewed
/// (in review: comments, suggested edits), approved by someone who wrote none of it, then
/// published; a published version edited again goes back through review and is published as
/// an update. Closed: the matter is over, the page stays. Withdrawn: a defender withdrew consent,
/// and the version left the public page, the feed and the mailing queue.
public enum AppealState: String, CaseIterable, Sendable, Codable, Hashable {
    case draft
    case inReview = "in_review"
    case approved
    case published
    case updated
    case closed
    case withdrawn

    public var labelKey: String { "appeal.state.\(rawValue)" }

    /// Whether its text may still be changed (a new revision written).
    public var isEditable: Bool { self != .closed }
}

/// Where a document goes. Consent is recorded per defender, per document and per channel.
public enum AppealChannel: String, CaseIterable, Sendable, Codable, Hashable {
    /// The public page and the Atom feed.
    case publicPage = "public_page"
    /// The mailing to subscribers and network members.
    case mailing
    /// A letter sent to the authorities only (never published).
    case authorities

    public var labelKey: String { "appeal.channel.\(rawValue)" }
}

/// What a follow-up to a document reports.
public enum FollowUpKind: String, CaseIterable, Sendable, Codable, Hashable {
    case newInformation = "new_information"
    case release
    case sentencing
    case other

    public var labelKey: String { "appeal.followUp.\(rawValue)" }
}

/// The languages a document is written in: the interface's three, and Spanish, which the
/// Observatory publishes in without the interface speaking it.
public enum AppealLanguage: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    case fr, en, es, ar

    public var endonym: String {
        switch self {
        case .fr: "Français"
        case .en: "English"
        case .es: "Español"
        case .ar: "العربية"
        }
    }

    public var isRightToLeft: Bool { self == .ar }
    public var direction: String { isRightToLeft ? "rtl" : "ltr" }

    /// The interface language a public page in this language is framed in (Spanish pages in English).
    public var interface: Language { Language(rawValue: rawValue) ?? .en }

    public static func < (a: AppealLanguage, b: AppealLanguage) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The themes a document is filed under (for lists, the feed's categories and reporting).
public enum AppealTheme: String, CaseIterable, Sendable, Codable, Hashable {
    case arbitraryDetention = "arbitrary_detention"
    case judicialHarassment = "judicial_harassment"
    case threats
    case physicalAttack = "physical_attack"
    case killing
    case enforcedDisappearance = "enforced_disappearance"
    case torture
    case travelBan = "travel_ban"
    case surveillance
    case restrictiveLaws = "restrictive_laws"
    case womenDefenders = "women_defenders"
    case environment
    case lgbtiDefenders = "lgbti_defenders"

    public var labelKey: String { "appeal.theme.\(rawValue)" }

    public static func list(_ stored: String) -> [AppealTheme] {
        stored.split(separator: ",").compactMap { AppealTheme(rawValue: String($0)) }
    }

    public static func store(_ themes: [AppealTheme]) -> String {
        allCases.filter(themes.contains).map(\.rawValue).joined(separator: ",")
    }
}
