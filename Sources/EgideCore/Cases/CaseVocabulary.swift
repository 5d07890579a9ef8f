import Foundation

// MARK: - Status and lifecycle

/// Where a protection case stands. The order of cases is the usual order of a case's life.
public enum CaseStatus: String, CaseIterable, Sendable, Codable, Hashable {
    /// Opened (from a verified alert or directly); the first assessment is under way.
    case open
    /// Measures and support are being delivered.
    case active
    /// Nothing is being delivered; the team keeps in touch and reassesses on schedule.
    case monitoring
    case closed
    /// Closed once and opened again (a new threat, a new need): kept distinct from `open` so the
    /// reports can count reopened cases.
    case reopened

    public var labelKey: String { "case.status.\(rawValue)" }

    /// Whether the case is still followed (it appears in the working lists and its follow-ups count).
    public var isOpen: Bool { self != .closed }
}

/// The moves a case may make. Anything else is refused with a clear message.
///
/// - `open` → `active`, `monitoring` or `closed` (a case may close before any support, e.g. the
///   defender declines it).
/// - `active` ⇄ `monitoring`, and either → `closed`.
/// - `closed` → `reopened` only: a closed case is never silently edited back to "active", so the
///   history shows it was reopened and the closure's impact records stay attached to that closure.
/// - `reopened` behaves like `open` for further moves: → `active`, `monitoring` or `closed`.
/// - Staying in the same status is not a move.
public enum CaseLifecycle {
    public static func canMove(from: CaseStatus, to: CaseStatus) -> Bool {
        switch (from, to) {
        case (.open, .active), (.open, .monitoring), (.open, .closed): true
        case (.reopened, .active), (.reopened, .monitoring), (.reopened, .closed): true
        case (.active, .monitoring), (.active, .closed): true
        case (.monitoring, .active), (.monitoring, .closed): true
        case (.closed, .reopened): true
        default: false
        }
    }
}

// MARK: - Case code

/// The pseudonymous code of a case, `{ISO3}-{year}-{seq}` (e.g. `CMR-2026-0042`): the country's
/// ISO 3166-1 alpha-3 code, the year the case was opened, and the case's sequence number,
/// zero-padded to four digits (more digits once it passes 9999).
///
/// The code is what appears everywhere outside the case file — lists, reminders, grant requests,
/// reports, e-mails — so that a screen seen over a shoulder or a leaked export names nobody. It
/// says the country and year on purpose (staff need them to route work) and nothing else.
public struct CaseCode: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible, Codable {
    /// ISO 3166-1 alpha-3, upper case (`CMR`).
    public let country: String
    /// Four digits.
    public let year: Int
    /// From 1.
    public let sequence: Int

    /// Years a code may carry (four digits; older files may be imported with their year).
    public static let years = 1900...9999
    /// The largest sequence number (nine digits), far beyond any protection programme.
    public static let maximumSequence = 999_999_999

    /// A code from its parts; `nil` unless `country` is a known alpha-3 code (any case), `year`
    /// is in `years` and `sequence` in 1…`maximumSequence`.
    public init?(country: String, year: Int, sequence: Int) {
        let upper = country.uppercased()
        guard Countries.isValidAlpha3(upper), Self.years.contains(year),
              (1...Self.maximumSequence).contains(sequence) else { return nil }
        self.country = upper
        self.year = year
        self.sequence = sequence
    }

    /// A code for a case in the country of alpha-2 code `countryAlpha2` (how Egide stores countries).
    public init?(countryAlpha2: String, year: Int, sequence: Int) {
        guard let alpha3 = Countries.alpha3(countryAlpha2) else { return nil }
        self.init(country: alpha3, year: year, sequence: sequence)
    }

    /// Reads a code someone typed or pasted: case-insensitive (`cmr-2026-0042`), spaces around the
    /// code and around each part ignored, typographic dashes (‐ ‑ – — −) read as `-`, and the
    /// sequence with or without its leading zeros (`CMR-2026-42`). Anything else is `nil`: an
    /// unknown country, a year that is not four digits, a sequence of 0, letters in numbers.
    public init?(parsing text: String) {
        let dashes: Set<Character> = ["-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}"]
        let parts = text.trimmedWhitespace.uppercased()
            .split(omittingEmptySubsequences: false, whereSeparator: { dashes.contains($0) })
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 3 else { return nil }
        let (country, year, sequence) = (parts[0], parts[1], parts[2])
        func isDigits(_ text: String) -> Bool { !text.isEmpty && text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) } }
        guard country.count == 3, country.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }),
              year.count == 4, isDigits(year), let yearValue = Int(year),
              (1...9).contains(sequence.count), isDigits(sequence), let sequenceValue = Int(sequence)
        else { return nil }
        self.init(country: country, year: yearValue, sequence: sequenceValue)
    }

    /// `LosslessStringConvertible`: the same as `init?(parsing:)`.
    public init?(_ description: String) { self.init(parsing: description) }

    /// The canonical form, `CMR-2026-0042`.
    public var description: String {
        let digits = String(sequence)
        return "\(country)-\(year)-\(String(repeating: "0", count: max(0, 4 - digits.count)))\(digits)"
    }

    /// By country, then year, then sequence (the order of a register).
    public static func < (lhs: CaseCode, rhs: CaseCode) -> Bool {
        (lhs.country, lhs.year, lhs.sequence) < (rhs.country, rhs.year, rhs.sequence)
    }

    /// Encoded as its canonical string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let code = CaseCode(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a case code: \(text)")
        }
        self = code
    }
}

// MARK: - People

/// How a person is concerned by a case.
public enum PersonRole: String, CaseIterable, Sendable, Codable, Hashable {
    /// The human rights defender the case protects.
    case defender
    /// A relative at risk because of the defender's work.
    case relative
    case colleague
    case witness
    case other

    public var labelKey: String { "case.person.role.\(rawValue)" }
}

/// The fields of a person that can, on their own, expose them to violence or prosecution where
/// same-sex relations or gender non-conformity are criminalised.
///
/// Each field is stored only with the person's recorded consent (a person who did not consent has
/// no value stored at all, not a hidden one), and each is gated by its own permission, so that
/// being able to read a case file does not mean reading these: see `CasePolicy.maySee`.
public enum SensitiveField: String, CaseIterable, Sendable, Codable, Hashable {
    case genderIdentity = "gender_identity"
    case sexualOrientation = "sexual_orientation"

    public var labelKey: String { "case.sensitive.field.\(rawValue)" }

    /// The permission a user must hold, beyond seeing the full case, to read or write this field.
    public var permission: String { "case.sensitive.\(rawValue)" }
}

// MARK: - Risk assessment vocabulary

/// Who is behind a threat.
public enum ThreatActorType: String, CaseIterable, Sendable, Codable, Hashable {
    /// Intelligence and state security services.
    case stateSecurity = "state_security"
    case police
    case military
    case judiciary
    /// Non-state armed groups, militias.
    case armedGroup = "armed_group"
    case politicalParty = "political_party"
    /// Companies and their private security.
    case corporate
    case criminal
    /// Neighbours, religious or traditional authorities, the community at large.
    case community
    case family
    /// Accounts and networks attacking online, whoever is behind them.
    case onlineActor = "online_actor"
    case unknown

    public var labelKey: String { "case.threat.actor.\(rawValue)" }
}

/// Where a threat is carried out.
public enum ThreatSpace: String, CaseIterable, Sendable, Codable, Hashable {
    case online, offline, both

    public var labelKey: String { "case.threat.space.\(rawValue)" }
}

// MARK: - Security plan

/// When in the life of a threat a measure acts.
public enum MeasureStage: String, CaseIterable, Sendable, Codable, Hashable {
    /// Making the attack less likely.
    case prevention
    /// Reducing exposure while the threat lasts.
    case protection
    /// What to do if the attack happens.
    case response
    case followUp = "follow_up"

    public var labelKey: String { "case.measure.stage.\(rawValue)" }
}

/// What kind of security a measure provides.
public enum MeasureDomain: String, CaseIterable, Sendable, Codable, Hashable {
    case physical, digital, legal, psychosocial, relocation

    public var labelKey: String { "case.measure.domain.\(rawValue)" }
}

/// Who carries out a measure. The defender owns many of their own measures: a plan is agreed with
/// them, not imposed.
public enum MeasureOwnerKind: String, CaseIterable, Sendable, Codable, Hashable {
    case staff, partner, defender

    public var labelKey: String { "case.measure.owner.\(rawValue)" }
}

/// Where a measure stands.
public enum MeasureState: String, CaseIterable, Sendable, Codable, Hashable {
    case planned
    case inProgress = "in_progress"
    case done
    /// Abandoned (no longer useful, refused, impossible); kept for the plan's history.
    case dropped

    public var labelKey: String { "case.measure.state.\(rawValue)" }

    /// Whether the measure still needs doing (its due date counts).
    public var isOpen: Bool { self == .planned || self == .inProgress }
}

// MARK: - Support

/// The kinds of support a case can receive (SPEC §3.3).
public enum SupportType: String, CaseIterable, Sendable, Codable, Hashable {
    case material, medical
    /// Psychological and psychosocial support.
    case psychosocial
    case legal
    /// Temporary relocation.
    case relocation
    case digitalSecurity = "digital_security"
    /// Support to the defender's family.
    case family

    public var labelKey: String { "case.support.type.\(rawValue)" }
}

/// Who delivers a support.
public enum SupportProvider: String, CaseIterable, Sendable, Codable, Hashable {
    case inHouse = "in_house"
    case partnerReferral = "partner_referral"
    case external

    public var labelKey: String { "case.support.provider.\(rawValue)" }
}

/// Where a support request stands.
public enum SupportState: String, CaseIterable, Sendable, Codable, Hashable {
    case requested, approved, delivered, declined, cancelled

    public var labelKey: String { "case.support.state.\(rawValue)" }

    /// Whether the request still waits on someone.
    public var isOpen: Bool { self == .requested || self == .approved }
}

/// The moves a support request may make: requested → approved, declined or cancelled; approved →
/// delivered or cancelled. Delivered, declined and cancelled are final (a new need is a new request).
public enum SupportLifecycle {
    public static func canMove(from: SupportState, to: SupportState) -> Bool {
        switch (from, to) {
        case (.requested, .approved), (.requested, .declined), (.requested, .cancelled): true
        case (.approved, .delivered), (.approved, .cancelled): true
        default: false
        }
    }
}

// MARK: - Referrals

/// Where a referral to a partner organisation stands.
public enum ReferralState: String, CaseIterable, Sendable, Codable, Hashable {
    /// Sent by the officer; the partner has not answered yet.
    case proposed
    case accepted
    case declined
    /// The partner reported back on what it did.
    case reported
    /// Taken back by the referring officer.
    case withdrawn

    public var labelKey: String { "case.referral.state.\(rawValue)" }

    /// Whether the referral still waits on the partner.
    public var isOpen: Bool { self == .proposed || self == .accepted }

    /// Whether reaching this state is the partner's answer (`CaseAction.answerReferral`) rather than
    /// the referring officer's move (`CaseAction.refer`).
    public var isPartnerAnswer: Bool { self == .accepted || self == .declined || self == .reported }
}

/// The moves a referral may make: proposed → accepted, declined or withdrawn; accepted → reported
/// or withdrawn. Declined, reported and withdrawn are final (further reports from the partner are
/// follow-up notes, not new states).
public enum ReferralLifecycle {
    public static func canMove(from: ReferralState, to: ReferralState) -> Bool {
        switch (from, to) {
        case (.proposed, .accepted), (.proposed, .declined), (.proposed, .withdrawn): true
        case (.accepted, .reported), (.accepted, .withdrawn): true
        default: false
        }
    }
}

/// What the officer may choose to share with a partner when referring a case. A partner only ever
/// receives what was chosen for it (need-to-know), and the choice is recorded with the referral.
///
/// The case code and country are always shared (the partner must be able to name the case back).
/// People's names and contacts identify them: they are shared only when the person's consent to
/// that sharing is recorded.
public enum ReferralShare: String, CaseIterable, Sendable, Codable, Hashable {
    /// Always shared.
    case codeAndCountry = "code_and_country"
    case situationSummary = "situation_summary"
    case riskLevel = "risk_level"
    /// Needs the person's recorded consent.
    case peopleNames = "people_names"
    /// Needs the person's recorded consent.
    case contacts
    case securityPlan = "security_plan"

    public var labelKey: String { "case.referral.share.\(rawValue)" }

    /// Whether it goes with every referral whatever the officer ticks.
    public var isAlwaysShared: Bool { self == .codeAndCountry }

    /// Whether sharing it needs the person's recorded consent.
    public var requiresConsent: Bool { self == .peopleNames || self == .contacts }

    /// What a referral actually shares for the officer's `chosen` items (the code and country added).
    public static func shared(_ chosen: Set<ReferralShare>) -> Set<ReferralShare> {
        chosen.union(allCases.filter(\.isAlwaysShared))
    }

    /// Whether `chosen` may be shared: items needing consent are refused unless it is recorded.
    public static func check(_ chosen: Set<ReferralShare>, consentRecorded: Bool) -> Decision {
        if !consentRecorded, chosen.contains(where: \.requiresConsent) {
            return .deny("sharing names or contacts needs the person's recorded consent")
        }
        return .allow
    }
}

// MARK: - Follow-ups, reviews, closure and impact

/// Where a scheduled contact with the defender stands.
public enum FollowUpState: String, CaseIterable, Sendable, Codable, Hashable {
    case scheduled, done, missed, cancelled

    public var labelKey: String { "case.followup.state.\(rawValue)" }

    /// Whether a follow-up in this state, due at `due`, is overdue at `now` (it then shows in
    /// "needs my attention"). Only a scheduled contact can be overdue; a missed one was recorded
    /// as such by someone, who then schedules another.
    public func isOverdue(due: Date, now: Date) -> Bool { self == .scheduled && due < now }
}

/// The kind of review a coordinator records on a case.
public enum CaseReviewKind: String, CaseIterable, Sendable, Codable, Hashable {
    /// A case conference: the team discusses the case and agrees actions.
    case conference
    /// An audit: a coordinator checks the file (assessments up to date, plan followed, consent recorded).
    case audit

    public var labelKey: String { "case.review.kind.\(rawValue)" }
}

/// How a case ended.
public enum CaseOutcome: String, CaseIterable, Sendable, Codable, Hashable {
    case riskReduced = "risk_reduced"
    case riskUnchanged = "risk_unchanged"
    case relocated
    case inDetention = "in_detention"
    case deceased
    case lostContact = "lost_contact"
    case declinedSupport = "declined_support"
    case other

    public var labelKey: String { "case.outcome.\(rawValue)" }
}

/// When the impact of the protection is recorded: at closure, then 3 and 12 months later — the
/// data of the protection mechanism's assessment (*bilan*).
public enum ImpactMoment: String, CaseIterable, Sendable, Codable, Hashable {
    case closure
    case threeMonths = "three_months"
    case twelveMonths = "twelve_months"

    public var labelKey: String { "case.impact.moment.\(rawValue)" }

    /// Months after closure the record is due (0, 3, 12).
    public var dueAfterClosure: Int {
        switch self {
        case .closure: 0
        case .threeMonths: 3
        case .twelveMonths: 12
        }
    }

    /// The day the record is due for a case closed at `closedAt` (calendar months, in `calendar`;
    /// 31 August + 3 months is 30 November).
    public func dueDate(closedAt: Date, calendar: Calendar = Calendar(identifier: .gregorian)) -> Date {
        calendar.date(byAdding: .month, value: dueAfterClosure, to: closedAt) ?? closedAt
    }
}

/// The questions an impact record answers.
public enum ImpactQuestion: String, CaseIterable, Sendable, Codable, Hashable {
    case safe
    case stillActive = "still_active"
    case inLocalNetwork = "in_local_network"
    case trained
    case relocatedAndReturned = "relocated_and_returned"

    public var labelKey: String { "case.impact.question.\(rawValue)" }
}

/// An answer to an impact question.
public enum ImpactAnswer: String, CaseIterable, Sendable, Codable, Hashable {
    case yes, no, partly, unknown

    public var labelKey: String { "case.impact.answer.\(rawValue)" }
}
