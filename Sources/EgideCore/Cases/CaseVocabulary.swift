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

// MARK: - Money

/// A currency Egide offers, with its number of minor digits (ISO 4217: 2 for EUR, 0 for XAF, 3 for TND).
public struct Currency: Sendable, Hashable, Codable {
    /// ISO 4217 code, upper case.
    public let code: String
    /// Digits after the decimal separator.
    public let minorDigits: Int

    init(_ code: String, _ minorDigits: Int) {
        self.code = code
        self.minorDigits = minorDigits
    }

    /// The offered currency with this code (any case, spaces ignored); `nil` if not offered.
    public init?(code: String) {
        guard let found = Self.byCode[code.trimmingCharacters(in: .whitespaces).uppercased()] else { return nil }
        self = found
    }

    /// The currencies offered in forms, by code: those of the regions protection programmes work in
    /// (Central and West Africa, the Great Lakes, North Africa and the Middle East, the Caucasus and
    /// Eastern Europe, Asia, Latin America) and the donors' currencies. Minor digits from ISO 4217.
    public static let offered: [Currency] = [
        Currency("AFN", 2), Currency("AMD", 2), Currency("AOA", 2), Currency("ARS", 2), Currency("AZN", 2),
        Currency("BDT", 2), Currency("BHD", 3), Currency("BIF", 0), Currency("BOB", 2), Currency("BRL", 2),
        Currency("BYN", 2), Currency("CAD", 2), Currency("CDF", 2), Currency("CHF", 2), Currency("CLP", 0),
        Currency("CNY", 2), Currency("COP", 2), Currency("CVE", 2), Currency("DJF", 0), Currency("DKK", 2),
        Currency("DZD", 2), Currency("EGP", 2), Currency("ERN", 2), Currency("ETB", 2), Currency("EUR", 2),
        Currency("GBP", 2), Currency("GEL", 2), Currency("GHS", 2), Currency("GMD", 2), Currency("GNF", 0),
        Currency("GTQ", 2), Currency("HNL", 2), Currency("HTG", 2), Currency("IDR", 2), Currency("ILS", 2),
        Currency("INR", 2), Currency("IQD", 3), Currency("JOD", 3), Currency("JPY", 0), Currency("KES", 2),
        Currency("KGS", 2), Currency("KHR", 2), Currency("KMF", 0), Currency("KRW", 0), Currency("KWD", 3),
        Currency("KZT", 2), Currency("LBP", 2), Currency("LKR", 2), Currency("LRD", 2), Currency("LYD", 3),
        Currency("MAD", 2), Currency("MDL", 2), Currency("MGA", 2), Currency("MMK", 2), Currency("MRU", 2),
        Currency("MWK", 2), Currency("MXN", 2), Currency("MZN", 2), Currency("NGN", 2), Currency("NIO", 2),
        Currency("NOK", 2), Currency("NPR", 2), Currency("OMR", 3), Currency("PEN", 2), Currency("PHP", 2),
        Currency("PKR", 2), Currency("PYG", 0), Currency("RUB", 2), Currency("RWF", 0), Currency("SDG", 2),
        Currency("SEK", 2), Currency("SLE", 2), Currency("SOS", 2), Currency("SSP", 2), Currency("SYP", 2),
        Currency("THB", 2), Currency("TJS", 2), Currency("TND", 3), Currency("TRY", 2), Currency("TZS", 2),
        Currency("UAH", 2), Currency("UGX", 0), Currency("USD", 2), Currency("UZS", 2), Currency("VES", 2),
        Currency("VND", 0), Currency("XAF", 0), Currency("XOF", 0), Currency("YER", 2), Currency("ZAR", 2),
        Currency("ZMW", 2), Currency("ZWG", 2),
    ]

    private static let byCode: [String: Currency] = Dictionary(uniqueKeysWithValues: offered.map { ($0.code, $0) })
}

/// Why a typed amount was refused. The form shows the label and keeps what was typed.
public enum MoneyInputError: String, Error, CaseIterable, Sendable, Equatable {
    case empty
    /// The currency is not one of `Currency.offered`.
    case unknownCurrency = "unknown_currency"
    case negative
    /// Not an amount (letters, another currency's symbol, misplaced separators, bad grouping).
    case notANumber = "not_a_number"
    /// `1,250` or `1.250` for a currency with 2 decimals: a thousand or one and a quarter? Rather
    /// than guess a factor of a thousand on someone's money, the form asks for `1250` or `1,25`.
    case ambiguous
    /// More decimals than the currency has (`10,505` EUR, `25,50` XAF).
    case tooManyDecimals = "too_many_decimals"
    /// More than `Money.maximumMajorUnits`.
    case tooLarge = "too_large"

    /// Shared with the grants module, hence not under `case.`.
    public var labelKey: String { "money.error.\(rawValue)" }
}

/// An amount of money: an integer number of the currency's minor units (cents, millimes; francs
/// CFA have none), never a floating-point number, so sums and budgets always balance.
public struct Money: Sendable, Hashable, Codable {
    public var minorUnits: Int64
    /// ISO 4217 code, upper case (`EUR`).
    public var currency: String

    public init(minorUnits: Int64, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    /// The largest amount accepted from a form, in major units (10¹²): well above any grant, and
    /// far from overflowing 64 bits whatever the currency's minor digits.
    public static let maximumMajorUnits: Int64 = 1_000_000_000_000

    /// The currency's minor digits (2 for a currency Egide does not offer, the ISO 4217 default).
    public var minorDigits: Int { Currency(code: currency)?.minorDigits ?? 2 }

    /// Reads an amount typed in a form, in French or English habits, for an offered `currency`.
    ///
    /// - Group separators: spaces (plain, no-break U+00A0, narrow no-break U+202F, thin U+2009),
    ///   apostrophes (Swiss `1'250.50`), or `.`/`,` when the other is the decimal separator; groups
    ///   after the first must have three digits.
    /// - Decimal separator: `.` or `,`. With both, the last one is the decimal separator
    ///   (`1,250.50`, `1.250,50`). With one of them used once and a group of exactly three digits
    ///   after it (`1,250`): for a currency without decimals it groups thousands (`25.000` XAF is
    ///   25 000), for a currency with three it is decimal (`1,250` TND), and for a currency with two
    ///   it is refused as `ambiguous`.
    /// - The currency's own code may be typed before or after the amount (`EUR 12`, `12 eur`), and
    ///   `€`, `$`, `£` for EUR, USD, GBP. Arabic-Indic digits are read as digits.
    /// - Refused: empty, negative, any other character, more decimals than the currency has, more
    ///   than `maximumMajorUnits`. Zero is accepted (in-house support may cost nothing).
    public static func parse(_ text: String, currency: String) throws(MoneyInputError) -> Money {
        guard let unit = Currency(code: currency) else { throw .unknownCurrency }
        var body = text.trimmedWhitespace
        guard !body.isEmpty else { throw .empty }
        let symbols: [String: [String]] = ["EUR": ["€"], "USD": ["US$", "$"], "GBP": ["£"]]
        for mark in [unit.code] + (symbols[unit.code] ?? []) {
            if body.prefix(mark.count).uppercased() == mark {
                body = String(body.dropFirst(mark.count))
            } else if body.suffix(mark.count).uppercased() == mark {
                body = String(body.dropLast(mark.count))
            }
        }
        body = body.trimmedWhitespace
        guard !body.isEmpty else { throw .empty }
        if body.first == "-" || body.first == "\u{2212}" { throw .negative }

        // Normalise to ASCII digits, "." "," and "_" (any space-like or apostrophe group separator).
        let spaceLike: Set<Character> = [" ", "\u{00A0}", "\u{202F}", "\u{2009}", "'", "\u{2019}"]
        var chars: [Character] = []
        for character in body {
            if character.isASCII, character.isNumber || character == "." || character == "," {
                chars.append(character)
            } else if spaceLike.contains(character) {
                chars.append("_")
            } else if character.unicodeScalars.count == 1, let value = character.unicodeScalars.first?.value,
                      let zero = [0x0660, 0x06F0].first(where: { (UInt32($0)...UInt32($0) + 9).contains(value) }) {
                chars.append(Character(String(value - UInt32(zero))))  // Arabic-Indic, Eastern Arabic-Indic
            } else {
                throw .notANumber
            }
        }
        let separators: Set<Character> = [".", ",", "_"]
        guard let first = chars.first, let last = chars.last, !separators.contains(first), !separators.contains(last)
        else { throw .notANumber }
        for (a, b) in zip(chars, chars.dropFirst()) where separators.contains(a) && separators.contains(b) {
            throw .notANumber
        }

        // Decide which mark, if any, is the decimal separator.
        let dots = chars.filter { $0 == "." }.count, commas = chars.filter { $0 == "," }.count
        let spaced = chars.contains("_")
        var decimal: Character?
        var group: Character?
        if dots > 0 && commas > 0 {
            guard !spaced else { throw .notANumber }
            decimal = chars.lastIndex(of: ".")! > chars.lastIndex(of: ",")! ? "." : ","
            group = decimal == "." ? "," : "."
            guard chars.filter({ $0 == decimal }).count == 1 else { throw .notANumber }
        } else if dots + commas > 1 {
            guard !spaced else { throw .notANumber }
            group = dots > 0 ? "." : ","
        } else if dots + commas == 1 {
            let mark: Character = dots == 1 ? "." : ","
            let index = chars.firstIndex(of: mark)!
            let before = chars[..<index], after = chars[chars.index(after: index)...]
            if !spaced, after.count == 3, (1...3).contains(before.count), before.first != "0" {
                switch unit.minorDigits {
                case 0: group = mark
                case 3: decimal = mark
                default: throw .ambiguous
                }
            } else {
                decimal = mark
            }
            if spaced { group = "_" }
        } else if spaced {
            group = "_"
        }

        // Split integer and fraction; check the grouping.
        var integerChars = chars[...], fractionChars: ArraySlice<Character> = []
        if let decimal, let index = chars.firstIndex(of: decimal) {
            integerChars = chars[..<index]
            fractionChars = chars[chars.index(after: index)...]
        }
        guard fractionChars.allSatisfy(\.isNumber) else { throw .notANumber }
        let groups = integerChars.split(separator: group ?? "_", omittingEmptySubsequences: false)
        guard groups.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { throw .notANumber }
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { throw .notANumber }
        }
        guard fractionChars.count <= unit.minorDigits else { throw .tooManyDecimals }

        let integerDigits = String(groups.joined()).drop { $0 == "0" }
        guard integerDigits.count <= 13, let major = integerDigits.isEmpty ? 0 : Int64(integerDigits) else { throw .tooLarge }
        let paddedFraction = String(fractionChars) + String(repeating: "0", count: unit.minorDigits - fractionChars.count)
        let fraction = paddedFraction.isEmpty ? 0 : Int64(paddedFraction)!
        guard major < maximumMajorUnits || (major == maximumMajorUnits && fraction == 0) else { throw .tooLarge }
        var scale: Int64 = 1
        for _ in 0..<unit.minorDigits { scale *= 10 }
        return Money(minorUnits: major * scale + fraction, currency: unit.code)
    }

    /// `parse` without the reason: `nil` when the amount is refused.
    public init?(parsing text: String, currency: String) {
        guard let money = try? Self.parse(text, currency: currency) else { return nil }
        self = money
    }

    /// The amount for people to read, with the currency's minor digits.
    ///
    /// - French: `1 250,50 €` — digits grouped by a **narrow no-break space** (U+202F, as CLDR's
    ///   French data does), a decimal comma, then a **no-break space** (U+00A0) and
    ///   the symbol `€` for euros, the ISO code for every other currency (`25 000 XAF`): the code is
    ///   unambiguous where `$` or `FCFA` are not.
    /// - English: `EUR 1,250.50` — the ISO code, a **no-break space** (U+00A0), digits grouped by
    ///   commas, a decimal point.
    ///
    /// No-break spaces keep an amount on one line in tables and print. A negative amount (a
    /// correction) starts with `-`.
    public func formatted(language: Language) -> String {
        let digits = minorDigits
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let magnitude = minorUnits.magnitude
        let major = String(magnitude / scale), fraction = String(magnitude % scale)
        let groupSeparator = language == .fr ? "\u{202F}" : ","
        var grouped = ""
        for (offset, character) in major.enumerated() {
            if offset > 0, (major.count - offset) % 3 == 0 { grouped += groupSeparator }
            grouped.append(character)
        }
        let number = digits == 0
            ? grouped
            : grouped + (language == .fr ? "," : ".") + String(repeating: "0", count: digits - fraction.count) + fraction
        let sign = minorUnits < 0 ? "-" : ""
        switch language {
        case .fr: return sign + number + "\u{00A0}" + (currency == "EUR" ? "€" : currency)
        case .en: return sign + currency + "\u{00A0}" + number
        }
    }
}
