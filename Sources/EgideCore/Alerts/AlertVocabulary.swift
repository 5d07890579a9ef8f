import Foundation

/// Where an alert is in the protocol. The order of cases is the order of the protocol.
public enum AlertStatus: String, CaseIterable, Sendable, Codable, Hashable {
    case received
    case triaged
    case inVerification = "in_verification"
    case verified
    case notVerified = "not_verified"
    case rejected
    /// Verified and opened as a protection case (#6).
    case caseOpened = "case_opened"
    /// Verified and attached to an existing case (the same defender, a new incident).
    case attachedToCase = "attached_to_case"
    case closed

    public var labelKey: String { "alert.status.\(rawValue)" }

    /// Whether the alert still waits on the protection team (its deadline counts).
    public var isOpen: Bool { [.received, .triaged, .inVerification].contains(self) }

    /// What the public sender is told: coarse on purpose (never "not verified").
    public var publicStatus: PublicAlertStatus {
        switch self {
        case .received: .received
        case .triaged, .inVerification, .verified, .notVerified: .inProgress
        case .caseOpened, .attachedToCase: .inProgress
        case .rejected, .closed: .closed
        }
    }
}

/// The status a sender sees when following up with their receipt and passphrase.
public enum PublicAlertStatus: String, CaseIterable, Sendable, Codable {
    case received
    case inProgress = "in_progress"
    case closed

    public var labelKey: String { "alert.publicStatus.\(rawValue)" }
}

/// Why an alert is not taken up.
public enum RejectionReason: String, CaseIterable, Sendable, Codable {
    case outOfMandate = "out_of_mandate"
    case insufficientInformation = "insufficient_information"
    case duplicate

    public var labelKey: String { "alert.rejection.\(rawValue)" }
}

/// The moves the protocol allows. Anything else is refused with a clear message.
public enum AlertLifecycle {
    public static func canMove(from: AlertStatus, to: AlertStatus) -> Bool {
        switch (from, to) {
        case (.received, .triaged), (.received, .rejected), (.received, .closed): true
        case (.triaged, .inVerification), (.triaged, .rejected), (.triaged, .closed),
             (.triaged, .verified), (.triaged, .notVerified): true
        case (.inVerification, .verified), (.inVerification, .notVerified), (.inVerification, .rejected),
             (.inVerification, .closed): true
        case (.verified, .caseOpened), (.verified, .attachedToCase): true
        case (.verified, .closed), (.notVerified, .closed), (.notVerified, .inVerification),
             (.verified, .inVerification): true
        case (.rejected, .triaged), (.closed, .triaged): true  // reopened
        default: false
        }
    }
}

/// How urgent an alert is, decided at triage.
public enum Urgency: String, CaseIterable, Sendable, Codable, Comparable {
    /// Immediate danger to life or liberty.
    case p1
    case p2
    case p3
    /// Information.
    case p4

    public var labelKey: String { "alert.urgency.\(rawValue)" }
    public var code: String { rawValue.uppercased() }

    public static func < (lhs: Urgency, rhs: Urgency) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The response deadline per urgency level, in hours.
public struct ResponseDeadlines: Sendable, Equatable, Codable {
    public var hours: [Urgency: Int]

    /// P1 24 h, P2 72 h, P3 7 days, P4 30 days.
    public static let standard = ResponseDeadlines(hours: [.p1: 24, .p2: 72, .p3: 7 * 24, .p4: 30 * 24])
    /// Before triage an alert is answered within the P1 deadline: nobody knows yet that it is not urgent.
    public static let untriaged: Urgency = .p1
    /// Longest deadline an administrator may set (one year).
    public static let maximumHours = 24 * 366

    public init(hours: [Urgency: Int]) { self.hours = hours }

    public func hours(for urgency: Urgency) -> Int { hours[urgency] ?? Self.standard.hours[urgency]! }

    /// When an alert received at `received` with `urgency` (nil: not triaged yet) must be answered.
    public func deadline(received: Date, urgency: Urgency?) -> Date {
        received.addingTimeInterval(TimeInterval(hours(for: urgency ?? Self.untriaged)) * 3600)
    }

    /// Whether a set of deadlines makes sense: each between 1 hour and a year, never shorter for a
    /// less urgent level.
    public var problems: [Urgency: String] {
        var found: [Urgency: String] = [:]
        for urgency in Urgency.allCases {
            let value = hours(for: urgency)
            if value < 1 || value > Self.maximumHours { found[urgency] = "alert.settings.deadline.range" }
        }
        for (more, less) in zip(Urgency.allCases, Urgency.allCases.dropFirst()) where found[less] == nil {
            if hours(for: less) < hours(for: more) { found[less] = "alert.settings.deadline.order" }
        }
        return found
    }
}

/// Where an open alert stands against its deadline.
public enum DeadlineState: String, Sendable, Codable {
    case onTime = "on_time"
    /// Less than a quarter of the allowed time (and at most 24 h) left.
    case dueSoon = "due_soon"
    case overdue

    public var labelKey: String { "alert.deadline.\(rawValue)" }

    public static func of(deadline: Date, allowed: TimeInterval, now: Date) -> DeadlineState {
        let left = deadline.timeIntervalSince(now)
        if left < 0 { return .overdue }
        return left <= min(allowed / 4, 24 * 3600) ? .dueSoon : .onTime
    }
}

/// How an alert reached Egide.
public enum AlertChannel: String, CaseIterable, Sendable, Codable {
    case webForm = "web_form"
    case api
    case partner
    case phone
    case signal
    case email
    case inPerson = "in_person"

    public var labelKey: String { "alert.channel.\(rawValue)" }
    /// The channels staff choose from when they record an alert they received.
    public static let staffChannels: [AlertChannel] = [.phone, .signal, .email, .inPerson, .partner]
}

/// What the defender asks for.
public enum AlertNeed: String, CaseIterable, Sendable, Codable {
    case relocation, legal, medical, psychological, material
    case digitalSecurity = "digital_security"

    public var labelKey: String { "alert.need.\(rawValue)" }
}

/// The defender's field of work.
public enum FieldOfWork: String, CaseIterable, Sendable, Codable {
    case lgbtqi
    case srhr
    case landEnvironment = "land_environment"
    case journalism
    case antiTorture = "anti_torture"
    case womensRights = "womens_rights"
    case minorityRights = "minority_rights"
    case labourRights = "labour_rights"
    case corruption
    case other

    public var labelKey: String { "alert.work.\(rawValue)" }
}

/// How the sender prefers to be contacted.
public enum ContactChannel: String, CaseIterable, Sendable, Codable {
    case signal, whatsapp, telegram, email, phone
    case none

    public var labelKey: String { "alert.contact.\(rawValue)" }
}

/// The violation categories Egide is seeded with (administrators can add others and relabel).
public enum AlertCategories {
    public static let seeded: [(code: String, en: String, fr: String)] = [
        ("threats", "Threats", "Menaces"),
        ("physical_attack", "Physical attack", "Agression physique"),
        ("arrest_detention", "Arbitrary arrest or detention", "Arrestation ou détention arbitraire"),
        ("judicial_harassment", "Judicial harassment", "Harcèlement judiciaire"),
        ("online_harassment", "Online harassment and hacking", "Harcèlement en ligne et piratage"),
        ("surveillance", "Surveillance", "Surveillance"),
        ("smear_campaign", "Stigmatisation or smear campaign", "Stigmatisation ou campagne de dénigrement"),
        ("sexual_violence", "Sexual and gender-based violence", "Violences sexuelles et basées sur le genre"),
        ("disappearance", "Enforced disappearance", "Disparition forcée"),
        ("killing", "Killing", "Meurtre"),
        ("attack_on_family", "Attack on family", "Attaque contre la famille"),
        ("restrictive_law", "Restrictive legislation", "Législation restrictive"),
    ]

    /// The Arabic labels of the seeded categories (`AddArabicCategoryLabels` writes them).
    public static let seededArabic: [String: String] = [
        "threats": "تهديدات",
        "physical_attack": "اعتداء جسدي",
        "arrest_detention": "اعتقال أو احتجاز تعسفي",
        "judicial_harassment": "مضايقة قضائية",
        "online_harassment": "مضايقة إلكترونية واختراق",
        "surveillance": "مراقبة",
        "smear_campaign": "وصم أو حملة تشهير",
        "sexual_violence": "العنف الجنسي والقائم على النوع الاجتماعي",
        "disappearance": "اختفاء قسري",
        "killing": "قتل",
        "attack_on_family": "اعتداء على الأسرة",
        "restrictive_law": "تشريعات تقييدية",
    ]

    /// Whether `code` is a well-formed category code (lower-case letters, digits and `_`).
    public static func isValidCode(_ code: String) -> Bool {
        !code.isEmpty && code.count <= 40 && code.first!.isLetter
            && code.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}
