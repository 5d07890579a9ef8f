import Foundation
import Testing
@testable import EgideCore

@Suite struct CaseDomainTests {
    // MARK: Lifecycles

    @Test func the_case_lifecycle_allows_exactly_its_table() {
        let allowed: Set<String> = [
            "open>active", "open>monitoring", "open>closed",
            "active>monitoring", "active>closed",
            "monitoring>active", "monitoring>closed",
            "closed>reopened",
            "reopened>active", "reopened>monitoring", "reopened>closed",
        ]
        for from in CaseStatus.allCases {
            for to in CaseStatus.allCases {
                #expect(CaseLifecycle.canMove(from: from, to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        // A reopened case moves on like an open one.
        for to in CaseStatus.allCases where to != .reopened {
            #expect(CaseLifecycle.canMove(from: .reopened, to: to) == CaseLifecycle.canMove(from: .open, to: to), "\(to)")
        }
        #expect(CaseStatus.allCases.filter(\.isOpen) == [.open, .active, .monitoring, .reopened])
    }

    @Test func the_referral_lifecycle_allows_exactly_its_table() {
        let allowed: Set<String> = [
            "proposed>accepted", "proposed>declined", "proposed>withdrawn",
            "accepted>reported", "accepted>withdrawn",
        ]
        for from in ReferralState.allCases {
            for to in ReferralState.allCases {
                #expect(ReferralLifecycle.canMove(from: from, to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        #expect(ReferralState.allCases.filter(\.isOpen) == [.proposed, .accepted])
        #expect(ReferralState.allCases.filter(\.isPartnerAnswer) == [.accepted, .declined, .reported])
    }

    @Test func the_support_lifecycle_allows_exactly_its_table() {
        let allowed: Set<String> = [
            "requested>approved", "requested>declined", "requested>cancelled",
            "approved>delivered", "approved>cancelled",
        ]
        for from in SupportState.allCases {
            for to in SupportState.allCases {
                #expect(SupportLifecycle.canMove(from: from, to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        #expect(SupportState.allCases.filter(\.isOpen) == [.requested, .approved])
        #expect(MeasureState.allCases.filter(\.isOpen) == [.planned, .inProgress])
    }

    // MARK: Vocabulary

    /// Every label key of the case vocabulary, as locale files must hold them.
    static var allLabelKeys: [String] {
        CaseStatus.allCases.map(\.labelKey) + PersonRole.allCases.map(\.labelKey)
            + SensitiveField.allCases.map(\.labelKey) + ThreatActorType.allCases.map(\.labelKey)
            + ThreatSpace.allCases.map(\.labelKey) + MeasureStage.allCases.map(\.labelKey)
            + MeasureDomain.allCases.map(\.labelKey) + MeasureOwnerKind.allCases.map(\.labelKey)
            + MeasureState.allCases.map(\.labelKey) + SupportType.allCases.map(\.labelKey)
            + SupportProvider.allCases.map(\.labelKey) + SupportState.allCases.map(\.labelKey)
            + ReferralState.allCases.map(\.labelKey) + ReferralShare.allCases.map(\.labelKey)
            + FollowUpState.allCases.map(\.labelKey) + CaseReviewKind.allCases.map(\.labelKey)
            + CaseOutcome.allCases.map(\.labelKey) + ImpactMoment.allCases.map(\.labelKey)
            + ImpactQuestion.allCases.map(\.labelKey) + ImpactAnswer.allCases.map(\.labelKey)
            + RiskLevel.allCases.map(\.labelKey) + RiskTrend.allCases.map(\.labelKey)
            + RiskInputError.Item.allCases.map { RiskInputError(item: $0, index: 0, value: 0).labelKey }
    }

    static var allRawValues: [String] {
        CaseStatus.allCases.map(\.rawValue) + PersonRole.allCases.map(\.rawValue) + SensitiveField.allCases.map(\.rawValue)
            + ThreatActorType.allCases.map(\.rawValue) + ThreatSpace.allCases.map(\.rawValue)
            + MeasureStage.allCases.map(\.rawValue) + MeasureDomain.allCases.map(\.rawValue)
            + MeasureOwnerKind.allCases.map(\.rawValue) + MeasureState.allCases.map(\.rawValue)
            + SupportType.allCases.map(\.rawValue) + SupportProvider.allCases.map(\.rawValue)
            + SupportState.allCases.map(\.rawValue) + ReferralState.allCases.map(\.rawValue)
            + ReferralShare.allCases.map(\.rawValue) + FollowUpState.allCases.map(\.rawValue)
            + CaseReviewKind.allCases.map(\.rawValue) + CaseOutcome.allCases.map(\.rawValue)
            + ImpactMoment.allCases.map(\.rawValue) + ImpactQuestion.allCases.map(\.rawValue)
            + ImpactAnswer.allCases.map(\.rawValue) + RiskLevel.allCases.map(\.rawValue)
            + RiskTrend.allCases.map(\.rawValue) + MoneyInputError.allCases.map(\.rawValue)
    }

    @Test func raw_values_are_snake_case_and_label_keys_unique_under_case() {
        for raw in Self.allRawValues {
            #expect(!raw.isEmpty && raw.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }, "\(raw)")
        }
        let keys = Self.allLabelKeys
        #expect(Set(keys).count == keys.count)
        for key in keys { #expect(key.hasPrefix("case."), "\(key)") }
        for key in ["case.status.open", "case.status.reopened", "case.measure.stage.prevention", "case.measure.stage.follow_up",
                    "case.support.type.material", "case.support.type.digital_security", "case.outcome.relocated",
                    "case.threat.actor.police", "case.threat.actor.state_security", "case.risk.level.critical",
                    "case.impact.moment.three_months", "case.referral.share.code_and_country", "case.followup.state.missed",
                    "case.support.provider.partner_referral", "case.measure.owner.defender", "case.person.role.defender"] {
            #expect(keys.contains(key), "\(key)")
        }
        #expect(MoneyInputError.tooManyDecimals.labelKey == "money.error.too_many_decimals")
        #expect(ThreatActorType.allCases.count == 12)
        #expect(MeasureStage.followUp.rawValue == "follow_up")
        #expect(ImpactMoment.twelveMonths.rawValue == "twelve_months")
    }

    @Test func codable_uses_the_raw_values() throws {
        let data = try JSONEncoder().encode([SupportType.digitalSecurity])
        #expect(String(decoding: data, as: UTF8.self) == #"["digital_security"]"#)
        #expect(try JSONDecoder().decode([CaseOutcome].self, from: Data(#"["lost_contact"]"#.utf8)) == [.lostContact])
    }

    @Test func each_sensitive_field_has_its_own_permission() {
        #expect(SensitiveField.genderIdentity.permission == "case.sensitive.gender_identity")
        #expect(SensitiveField.sexualOrientation.permission == "case.sensitive.sexual_orientation")
        #expect(SensitiveField.allCases.map(\.labelKey) == ["case.sensitive.field.gender_identity", "case.sensitive.field.sexual_orientation"])
    }

    @Test func referrals_always_share_the_code_and_need_consent_for_names_and_contacts() {
        #expect(ReferralShare.shared([]) == [.codeAndCountry])
        #expect(ReferralShare.shared([.riskLevel]) == [.codeAndCountry, .riskLevel])
        #expect(ReferralShare.allCases.filter(\.requiresConsent) == [.peopleNames, .contacts])
        #expect(ReferralShare.check([.situationSummary, .riskLevel, .securityPlan], consentRecorded: false).isAllowed)
        #expect(!ReferralShare.check([.peopleNames], consentRecorded: false).isAllowed)
        #expect(!ReferralShare.check([.riskLevel, .contacts], consentRecorded: false).isAllowed)
        #expect(ReferralShare.check(Set(ReferralShare.allCases), consentRecorded: true).isAllowed)
    }

    @Test func only_scheduled_follow_ups_past_their_date_are_overdue() {
        let due = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(FollowUpState.scheduled.isOverdue(due: due, now: due.addingTimeInterval(1)))
        #expect(!FollowUpState.scheduled.isOverdue(due: due, now: due))
        #expect(!FollowUpState.scheduled.isOverdue(due: due, now: due.addingTimeInterval(-3600)))
        for state in [FollowUpState.done, .missed, .cancelled] {
            #expect(!state.isOverdue(due: due, now: due.addingTimeInterval(86400)), "\(state)")
        }
    }

    @Test func impact_is_recorded_at_closure_then_three_and_twelve_months_later() throws {
        #expect(ImpactMoment.allCases.map(\.dueAfterClosure) == [0, 3, 12])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        let closed = try #require(calendar.date(from: DateComponents(year: 2026, month: 8, day: 31, hour: 12)))
        let day = { (date: Date) -> [Int?] in
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            return [parts.year, parts.month, parts.day]
        }
        #expect(ImpactMoment.closure.dueDate(closedAt: closed, calendar: calendar) == closed)
        #expect(day(ImpactMoment.threeMonths.dueDate(closedAt: closed, calendar: calendar)) == [2026, 11, 30])
        #expect(day(ImpactMoment.twelveMonths.dueDate(closedAt: closed, calendar: calendar)) == [2027, 8, 31])
    }

    // MARK: Case code

    @Test func case_codes_are_zero_padded_to_four_digits_and_grow_beyond() throws {
        #expect(try #require(CaseCode(country: "CMR", year: 2026, sequence: 42)).description == "CMR-2026-0042")
        #expect(try #require(CaseCode(country: "cmr", year: 2026, sequence: 1)).description == "CMR-2026-0001")
        #expect(try #require(CaseCode(country: "TUN", year: 2025, sequence: 9999)).description == "TUN-2025-9999")
        #expect(try #require(CaseCode(country: "GEO", year: 2026, sequence: 10000)).description == "GEO-2026-10000")
        #expect(try #require(CaseCode(country: "COD", year: 2026, sequence: 123_456)).description == "COD-2026-123456")
        #expect(try #require(CaseCode(countryAlpha2: "cm", year: 2026, sequence: 42)).description == "CMR-2026-0042")
        #expect(try #require(CaseCode(countryAlpha2: "XK", year: 2026, sequence: 7)).description == "XKX-2026-0007")
        #expect(CaseCode(country: "ZZZ", year: 2026, sequence: 1) == nil)
        #expect(CaseCode(country: "CMR", year: 2026, sequence: 0) == nil)
        #expect(CaseCode(country: "CMR", year: 999, sequence: 1) == nil)
        #expect(CaseCode(country: "CMR", year: 10000, sequence: 1) == nil)
        #expect(CaseCode(countryAlpha2: "ZZ", year: 2026, sequence: 1) == nil)
    }

    @Test(arguments: ["CMR-2026-0042", "cmr-2026-0042", "  Cmr-2026-0042\n", "CMR-2026-42", "CMR-2026-00042",
                      "CMR – 2026 – 0042", "CMR\u{2011}2026\u{2011}0042", " CMR - 2026 - 42 "])
    func typed_case_codes_are_read(_ typed: String) {
        #expect(CaseCode(parsing: typed) == CaseCode(country: "CMR", year: 2026, sequence: 42), "\(typed)")
        #expect(CaseCode(typed)?.description == "CMR-2026-0042", "\(typed)")
    }

    @Test(arguments: ["", "CMR", "CMR-2026", "CMR-2026-0000", "CMR-26-0042", "CMR-20266-0042", "CM-2026-0042",
                      "ZZZ-2026-0042", "CMR-2026-00A2", "CMR-2026-0042-1", "CMR_2026_0042", "CMR-2026--42",
                      "CMR-2026-+42", "CMR-2026-1234567890", "CMR 2026 0042", "ÇMR-2026-0042", "CMR-２０２６-0042",
                      "CMR-2026-", "-2026-0042"])
    func malformed_case_codes_are_refused(_ typed: String) {
        #expect(CaseCode(parsing: typed) == nil, "\(typed)")
    }

    @Test func case_codes_round_trip_through_text_and_json() throws {
        var generator = SeededGenerator(seed: 2026)
        let countries = Countries.codes.compactMap { Countries.alpha3($0) }
        for _ in 0..<500 {
            let sequence = [Int.random(in: 1...9999, using: &generator), Int.random(in: 1...CaseCode.maximumSequence, using: &generator)]
                .randomElement(using: &generator)!
            let code = try #require(CaseCode(country: countries.randomElement(using: &generator)!,
                                             year: Int.random(in: 1990...2100, using: &generator), sequence: sequence))
            #expect(CaseCode(parsing: code.description) == code)
            #expect(CaseCode(parsing: code.description.lowercased()) == code)
        }
        let code = try #require(CaseCode(parsing: "TUN-2026-0003"))
        let data = try JSONEncoder().encode([code])
        #expect(String(decoding: data, as: UTF8.self) == #"["TUN-2026-0003"]"#)
        #expect(try JSONDecoder().decode([CaseCode].self, from: data) == [code])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([CaseCode].self, from: Data(#"["TUN-2026-0"]"#.utf8)) }
    }

    @Test func case_codes_sort_like_a_register() throws {
        let codes = try ["TUN-2026-0002", "CMR-2026-0042", "CMR-2025-0100", "CMR-2026-0005", "CMR-2026-10000"]
            .map { try #require(CaseCode(parsing: $0)) }
        #expect(codes.sorted().map(\.description) == ["CMR-2025-0100", "CMR-2026-0005", "CMR-2026-0042", "CMR-2026-10000", "TUN-2026-0002"])
    }

    // MARK: Countries

    @Test func every_country_has_an_alpha3_code() {
        for code in Countries.codes {
            let alpha3 = Countries.alpha3(code)
            #expect(alpha3 != nil, "\(code) has no alpha-3")
            if let alpha3 { #expect(Countries.alpha2(fromAlpha3: alpha3) == code, "\(code)") }
        }
        #expect(Countries.alpha3Table.count == 250)
        #expect(Set(Countries.alpha3Table.values).count == 250)
        for (alpha2, alpha3) in Countries.alpha3Table {
            #expect(alpha2.count == 2 && alpha3.count == 3 && alpha3 == alpha3.uppercased(), "\(alpha2)")
        }
        for (alpha2, alpha3) in [("CM", "CMR"), ("cd", "COD"), ("CG", "COG"), ("CF", "CAF"), ("TN", "TUN"), ("GE", "GEO"),
                                 ("CH", "CHE"), ("FR", "FRA"), ("BI", "BDI"), ("SS", "SSD"), ("PS", "PSE"), ("XK", "XKX"),
                                 (" gb ", "GBR"), ("KM", "COM"), ("YT", "MYT")] {
            #expect(Countries.alpha3(alpha2) == alpha3, "\(alpha2)")
        }
        for unknown in ["", "ZZ", "EU", "CMR", "C"] { #expect(Countries.alpha3(unknown) == nil, "\(unknown)") }
        #expect(Countries.isValidAlpha3("cod"))
        #expect(!Countries.isValidAlpha3("ZZZ"))
    }

    // MARK: Money

    @Test(arguments: [
        ("1 250,50", "EUR", Int64(125_050)), ("1250.50", "EUR", 125_050), ("1,250.50", "EUR", 125_050),
        ("1.250,50", "EUR", 125_050), ("1\u{202F}250,50", "EUR", 125_050), ("1\u{00A0}250,50", "EUR", 125_050),
        ("1 250,50 €", "EUR", 125_050), ("€1,250.50", "EUR", 125_050), ("EUR 1,250.50", "EUR", 125_050),
        ("1250,5 eur", "eur", 125_050), ("  12  ", "EUR", 1200), ("0", "EUR", 0), ("0,05", "EUR", 5), ("007", "EUR", 700),
        ("1,250,000", "USD", 125_000_000), ("US$ 3.5", "USD", 350), ("1'250.50", "CHF", 125_050), ("£ 20", "GBP", 2000),
        ("25.000", "XAF", 25000), ("25 000", "XAF", 25000), ("25,000", "XOF", 25000), ("1.250.000", "XOF", 1_250_000),
        ("XAF 25 000", "XAF", 25000), ("١٢٥٠", "EUR", 125_000), ("۱۲۵۰٫", "EUR", -1), ("١٬٢٥٠٫٥٠", "EUR", 125_050), ("1٬250٫50", "EUR", 125_050),
        ("1,250", "TND", 1250), ("1.250,500", "TND", 1_250_500), ("12,5", "TND", 12500), ("0,500", "TND", 500),
        ("12,5", "KWD", 12500), ("1500", "JPY", 1500), ("1000000000000", "EUR", 100_000_000_000_000),
        ("1 000 000 000 000,00", "EUR", 100_000_000_000_000), ("1000000000000", "TND", 1_000_000_000_000_000),
    ])
    func typed_amounts_are_read(_ typed: String, _ currency: String, _ expected: Int64) {
        let parsed = Money(parsing: typed, currency: currency)
        if expected < 0 {
            #expect(parsed == nil, "\(typed)")
        } else {
            #expect(parsed == Money(minorUnits: expected, currency: currency.uppercased()), "\(typed) \(currency)")
        }
    }

    @Test(arguments: [
        ("", "EUR", MoneyInputError.empty), ("   ", "EUR", .empty), ("€", "EUR", .empty), ("12", "ZZZ", .unknownCurrency),
        ("12", "", .unknownCurrency), ("-5", "EUR", .negative), ("\u{2212}5", "EUR", .negative), ("- 1 250,50", "EUR", .negative),
        ("abc", "EUR", .notANumber), ("12abc", "EUR", .notANumber), ("$12", "EUR", .notANumber), ("12 USD", "EUR", .notANumber),
        ("+12", "EUR", .notANumber), ("12 34", "EUR", .notANumber), ("1,,2", "EUR", .notANumber), (".5", "EUR", .notANumber),
        ("5.", "EUR", .notANumber), ("1 250.000,50", "EUR", .notANumber), ("1.2.3,4", "EUR", .notANumber),
        ("1,2,3", "EUR", .notANumber), ("1,250.50.1", "EUR", .notANumber), ("1e3", "EUR", .notANumber),
        ("12 ,5", "EUR", .notANumber), ("1,25 0", "EUR", .notANumber), ("½", "EUR", .notANumber),
        ("1,250", "EUR", .ambiguous), ("1.250", "USD", .ambiguous), ("10,505", "EUR", .ambiguous), ("999.999", "CHF", .ambiguous),
        ("10,5055", "EUR", .tooManyDecimals), ("0,505", "EUR", .tooManyDecimals), ("1 250,505", "EUR", .tooManyDecimals),
        ("1250,505", "EUR", .tooManyDecimals), ("25,5", "XAF", .tooManyDecimals), ("25,00", "XOF", .tooManyDecimals),
        ("1,2345", "TND", .tooManyDecimals), ("1000000000001", "EUR", .tooLarge), ("1000000000000,01", "EUR", .tooLarge),
        ("99999999999999999999", "EUR", .tooLarge), ("1,000,000,000,001", "USD", .tooLarge),
    ])
    func bad_amounts_are_refused_with_their_reason(_ typed: String, _ currency: String, _ reason: MoneyInputError) {
        #expect(throws: reason, "\(typed) \(currency)") { try Money.parse(typed, currency: currency) }
        #expect(Money(parsing: typed, currency: currency) == nil)
    }

    @Test func amounts_are_formatted_for_each_language() {
        let nnbsp = "\u{202F}", nbsp = "\u{00A0}"
        let cases: [(Money, String, String)] = [
            (Money(minorUnits: 125_050, currency: "EUR"), "1\(nnbsp)250,50\(nbsp)€", "EUR\(nbsp)1,250.50"),
            (Money(minorUnits: 5, currency: "EUR"), "0,05\(nbsp)€", "EUR\(nbsp)0.05"),
            (Money(minorUnits: 0, currency: "USD"), "0,00\(nbsp)USD", "USD\(nbsp)0.00"),
            (Money(minorUnits: 100, currency: "CHF"), "1,00\(nbsp)CHF", "CHF\(nbsp)1.00"),
            (Money(minorUnits: 1_234_567_890, currency: "EUR"), "12\(nnbsp)345\(nnbsp)678,90\(nbsp)€", "EUR\(nbsp)12,345,678.90"),
            (Money(minorUnits: 25000, currency: "XAF"), "25\(nnbsp)000\(nbsp)XAF", "XAF\(nbsp)25,000"),
            (Money(minorUnits: 999, currency: "XOF"), "999\(nbsp)XOF", "XOF\(nbsp)999"),
            (Money(minorUnits: 1250, currency: "TND"), "1,250\(nbsp)TND", "TND\(nbsp)1.250"),
            (Money(minorUnits: 1_250_005, currency: "KWD"), "1\(nnbsp)250,005\(nbsp)KWD", "KWD\(nbsp)1,250.005"),
            (Money(minorUnits: -150, currency: "EUR"), "-1,50\(nbsp)€", "-EUR\(nbsp)1.50"),
            (Money(minorUnits: 1234, currency: "XYZ"), "12,34\(nbsp)XYZ", "XYZ\(nbsp)12.34"),
        ]
        for (money, french, english) in cases {
            #expect(money.formatted(language: .fr) == french, "\(money)")
            #expect(money.formatted(language: .en) == english, "\(money)")
        }
    }

    @Test func arabic_amounts_keep_western_digits_and_the_code_after_the_number() {
        let nbsp = "\u{00A0}"
        #expect(Money(minorUnits: 125_050, currency: "EUR").formatted(language: .ar) == "1,250.50\(nbsp)EUR")
        #expect(Money(minorUnits: 1250, currency: "TND").formatted(language: .ar) == "1.250\(nbsp)TND")
        #expect(Money(minorUnits: -150, currency: "XAF").formatted(language: .ar) == "-150\(nbsp)XAF")
    }

    /// Days are remembered once written: the remembered day must be the UTC day of each date.
    @Test func a_remembered_day_is_the_utc_day_of_each_date() {
        let lastSecond = Date(timeIntervalSince1970: 1_780_012_799)  // 28 May 2026, 23:59:59 UTC
        for _ in 0..<2 {
            #expect(Language.en.day(lastSecond) == "28 May 2026")
            #expect(Language.en.day(lastSecond.addingTimeInterval(1)) == "29 May 2026")
            #expect(Language.en.day(lastSecond.addingTimeInterval(-86_399)) == "28 May 2026")
            #expect(Language.fr.day(lastSecond.addingTimeInterval(1)).contains("29 mai 2026"))
            #expect(Language.en.day(Date(timeIntervalSince1970: -1)) == "31 Dec 1969")
        }
    }

    /// Date-times are remembered per minute: each must still be its own minute, the same day's
    /// date and a moment never sharing what was written.
    @Test func a_remembered_moment_is_the_utc_minute_of_each_date() {
        let lastSecond = Date(timeIntervalSince1970: 1_780_012_799)  // 28 May 2026, 23:59:59 UTC
        for _ in 0..<2 {
            #expect(Language.en.moment(lastSecond).hasSuffix("23:59 UTC"))
            #expect(Language.en.moment(lastSecond.addingTimeInterval(-59)).hasSuffix("23:59 UTC"))
            #expect(Language.en.moment(lastSecond.addingTimeInterval(-60)).hasSuffix("23:58 UTC"))
            let next = Language.en.moment(lastSecond.addingTimeInterval(1))
            #expect(next.contains("29 May 2026") && next.hasSuffix("00:00 UTC"), "\(next)")
            #expect(Language.en.day(lastSecond) == "28 May 2026")
            #expect(Language.fr.moment(lastSecond).contains("28 mai 2026") && Language.fr.moment(lastSecond).contains("23:59"))
        }
    }

    @Test func dates_spell_the_month_in_each_language_with_western_digits() {
        let date = Date(timeIntervalSince1970: 1_780_000_000)  // 28 May 2026, 20:26 UTC
        #expect(Language.fr.day(date).contains("28 mai 2026"))
        #expect(Language.en.day(date) == "28 May 2026")
        #expect(Language.en.moment(date).hasSuffix("20:26 UTC"))
        let arabic = Language.ar.moment(date)
        #expect(arabic.contains("مايو") && arabic.contains("2026") && arabic.contains("20:26"), "\(arabic)")
        #expect(!arabic.unicodeScalars.contains { (0x0660...0x0669).contains($0.value) || (0x06F0...0x06F9).contains($0.value) })
    }

    @Test func lists_use_the_arabic_comma_in_arabic() {
        #expect(["a", "b"].joined(separator: Language.ar.listSeparator) == "a\u{060C} b")
        #expect(["a", "b"].joined(separator: Language.fr.listSeparator) == "a, b")
        #expect(Language.ar.percent(90) == "90\u{066A}" && Language.en.percent(90) == "90%" && Language.fr.percent(90) == "90\u{202F}%")
    }

    @Test func formatted_amounts_read_back_to_the_same_amount_in_every_offered_currency() throws {
        var generator = SeededGenerator(seed: 1250)
        for currency in Currency.offered {
            for _ in 0..<60 {
                let magnitude = [Int64(1_000), 1_000_000, 1_000_000_000_000].randomElement(using: &generator)!
                let money = Money(minorUnits: Int64.random(in: 0..<magnitude, using: &generator), currency: currency.code)
                for language in Language.allCases {
                    let text = money.formatted(language: language)
                    #expect(Money(parsing: text, currency: currency.code) == money, "\(text)")
                }
            }
        }
    }

    @Test func the_offered_currencies_carry_their_minor_digits() throws {
        let codes = Currency.offered.map(\.code)
        #expect(codes == codes.sorted() && Set(codes).count == codes.count)
        for code in ["EUR", "USD", "CHF", "GBP", "XAF", "XOF", "CDF", "TND", "GEL", "KES", "UGX", "GNF"] {
            #expect(codes.contains(code), "\(code)")
        }
        for currency in Currency.offered {
            #expect(currency.code.count == 3 && currency.code.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) })
            #expect([0, 2, 3].contains(currency.minorDigits), "\(currency.code)")
        }
        for code in ["XAF", "XOF", "JPY", "KRW", "UGX", "GNF", "RWF", "BIF"] { #expect(Currency(code: code)?.minorDigits == 0, "\(code)") }
        for code in ["TND", "KWD", "BHD", "JOD", "LYD", "OMR", "IQD"] { #expect(Currency(code: code)?.minorDigits == 3, "\(code)") }
        for code in ["EUR", "USD", "CHF", "CDF", "GEL", "KES"] { #expect(Currency(code: code)?.minorDigits == 2, "\(code)") }
        #expect(Currency(code: " eur ")?.code == "EUR")
        #expect(Currency(code: "ZZZ") == nil)
        #expect(Money(minorUnits: 1, currency: "XAF").minorDigits == 0)
        #expect(Money(minorUnits: 1, currency: "ZZZ").minorDigits == 2)
    }

    // MARK: Risk scoring

    typealias Threat = RiskScoring.Threat

    func score(_ threats: [Threat], _ vulnerabilities: [Int] = [], _ capacities: [Int] = []) throws -> RiskScore {
        try RiskScoring.score(threats: threats, vulnerabilities: vulnerabilities, capacities: capacities)
    }

    func randomAssessment(_ generator: inout SeededGenerator) -> ([Threat], [Int], [Int]) {
        let threats = (0..<Int.random(in: 0...5, using: &generator)).map { _ in
            Threat(likelihood: Int.random(in: 1...5, using: &generator), impact: Int.random(in: 1...5, using: &generator))
        }
        let vulnerabilities = (0..<Int.random(in: 0...6, using: &generator)).map { _ in Int.random(in: 1...5, using: &generator) }
        let capacities = (0..<Int.random(in: 0...6, using: &generator)).map { _ in Int.random(in: 1...5, using: &generator) }
        return (threats, vulnerabilities, capacities)
    }

    @Test func the_worked_examples_of_the_documentation_hold() throws {
        // Example 1: a journalist — arrest threat 4×4, smear campaign 5×2; lives alone at a known
        // address (4), unencrypted phone (3); a lawyer on call (3), an alert network (2).
        let journalist = try score([Threat(likelihood: 4, impact: 4), Threat(likelihood: 5, impact: 2)], [4, 3], [3, 2])
        #expect(journalist.highestThreat == 16 && journalist.otherThreats == 10)
        #expect(journalist.vulnerabilityWeights == 7 && journalist.capacityWeights == 5)
        #expect(journalist.threatFactor == 17)
        #expect(abs(journalist.vulnerabilityFactor - 22.0 / 15) < 1e-12)
        #expect(abs(journalist.capacityFactor - 20.0 / 15) < 1e-12)
        #expect(abs(journalist.score - 18.7) < 1e-9)
        #expect(journalist.level == .high)
        // Example 2: the same without the two capacities.
        let alone = try score([Threat(likelihood: 4, impact: 4), Threat(likelihood: 5, impact: 2)], [4, 3])
        #expect(abs(alone.score - 3740.0 / 150) < 1e-9)  // 24.93
        #expect(alone.level == .critical)
        // Example 3: one possible, serious threat (3×3) and nothing else recorded; then with three
        // heavy vulnerabilities; then with three strong capacities instead.
        #expect(try score([Threat(likelihood: 3, impact: 3)]).score == 9)
        #expect(try score([Threat(likelihood: 3, impact: 3)]).level == .elevated)
        #expect(try score([Threat(likelihood: 3, impact: 3)], [5, 5, 5]).score == 18)
        #expect(try score([Threat(likelihood: 3, impact: 3)], [5, 5, 5]).level == .high)
        #expect(try score([Threat(likelihood: 3, impact: 3)], [], [5, 5, 5]).score == 4.5)
        #expect(try score([Threat(likelihood: 3, impact: 3)], [], [5, 5, 5]).level == .moderate)
        // Example 4: the worst case.
        let worst = try score([Threat(likelihood: 5, impact: 5)], [5, 5, 5, 5, 5])
        #expect(worst.threatFactor == 25 && worst.vulnerabilityFactor == 2 && worst.capacityFactor == 1 && worst.score == 50)
        #expect(worst.level == .critical)
        // Example 5: several threats add a tenth of the others, up to 25.
        #expect(try score([Threat(likelihood: 3, impact: 3), Threat(likelihood: 3, impact: 3), Threat(likelihood: 3, impact: 3)]).threatFactor == 10.8)
        #expect(try score(Array(repeating: Threat(likelihood: 5, impact: 5), count: 4)).threatFactor == 25)
    }

    @Test func thresholds_are_inclusive_and_exact() throws {
        #expect(RiskScoring.thresholds.map(\.from) == [0, 3, 6, 12, 20])
        #expect(try score([Threat(likelihood: 1, impact: 2)]).level == .low)        // 2
        #expect(try score([Threat(likelihood: 1, impact: 3)]).level == .moderate)   // 3
        #expect(try score([Threat(likelihood: 1, impact: 5)]).level == .moderate)   // 5
        #expect(try score([Threat(likelihood: 2, impact: 3)]).level == .elevated)   // 6
        #expect(try score([Threat(likelihood: 2, impact: 5)]).level == .elevated)   // 10
        #expect(try score([Threat(likelihood: 3, impact: 4)]).level == .high)       // 12
        #expect(try score([Threat(likelihood: 4, impact: 4)]).level == .high)       // 16
        #expect(try score([Threat(likelihood: 4, impact: 5)]).level == .critical)   // 20
        // 16 × (25/15) ÷ (20/15) is exactly 20 but not in floating point: the level is decided in integers.
        let onTheLine = try score([Threat(likelihood: 4, impact: 4)], [5, 5], [5])
        #expect(abs(onTheLine.score - 20) < 1e-9)
        #expect(onTheLine.level == .critical)
        // 12 × (18/15) ÷ (24/15) = 9: elevated, not pushed down by rounding.
        #expect(try score([Threat(likelihood: 3, impact: 4)], [3], [5, 4]).level == .elevated)
    }

    @Test func without_threats_the_level_is_the_lowest_whatever_else() throws {
        for vulnerabilities in [[], [5], [5, 5, 5, 5, 5], [1, 2, 3]] {
            for capacities in [[], [1], [5, 5, 5]] {
                let result = try score([], vulnerabilities, capacities)
                #expect(result.level == .low && result.score == 0 && result.threatFactor == 0)
            }
        }
    }

    @Test func all_inputs_at_worst_is_critical() throws {
        for vulnerabilityCount in 3...10 {
            #expect(try score([Threat(likelihood: 5, impact: 5)], Array(repeating: 5, count: vulnerabilityCount)).level == .critical)
        }
        // Even the worst threat alone, nothing else recorded.
        #expect(try score([Threat(likelihood: 5, impact: 5)]).level == .critical)
    }

    @Test func raising_a_likelihood_or_an_impact_never_lowers_the_level_exhaustively() throws {
        // One threat against one optional vulnerability and capacity: every combination.
        for vulnerability in 0...5 {
            for capacity in 0...5 {
                let v = vulnerability == 0 ? [] : [vulnerability], c = capacity == 0 ? [] : [capacity]
                for likelihood in 1...5 {
                    for impact in 1...5 {
                        let base = try score([Threat(likelihood: likelihood, impact: impact)], v, c)
                        if likelihood < 5 {
                            let raised = try score([Threat(likelihood: likelihood + 1, impact: impact)], v, c)
                            #expect(raised.level >= base.level && raised.score >= base.score)
                        }
                        if impact < 5 {
                            let raised = try score([Threat(likelihood: likelihood, impact: impact + 1)], v, c)
                            #expect(raised.level >= base.level && raised.score >= base.score)
                        }
                    }
                }
            }
        }
    }

    @Test func the_level_moves_the_right_way_when_inputs_change_randomised() throws {
        var generator = SeededGenerator(seed: 0xE91DE)
        for _ in 0..<5000 {
            let (threats, vulnerabilities, capacities) = randomAssessment(&generator)
            let base = try score(threats, vulnerabilities, capacities)

            let threat = Threat(likelihood: Int.random(in: 1...5, using: &generator), impact: Int.random(in: 1...5, using: &generator))
            let moreThreats = try score(threats + [threat], vulnerabilities, capacities)
            #expect(moreThreats.level >= base.level && moreThreats.score >= base.score, "adding \(threat) to \(threats)")

            let moreVulnerable = try score(threats, vulnerabilities + [Int.random(in: 1...5, using: &generator)], capacities)
            #expect(moreVulnerable.level >= base.level && moreVulnerable.score >= base.score)

            let moreCapable = try score(threats, vulnerabilities, capacities + [Int.random(in: 1...5, using: &generator)])
            #expect(moreCapable.level <= base.level && moreCapable.score <= base.score)

            if !threats.isEmpty {
                var raised = threats
                let index = Int.random(in: 0..<threats.count, using: &generator)
                if Bool.random(using: &generator) {
                    raised[index].likelihood = Int.random(in: raised[index].likelihood...5, using: &generator)
                } else {
                    raised[index].impact = Int.random(in: raised[index].impact...5, using: &generator)
                }
                let worse = try score(raised, vulnerabilities, capacities)
                #expect(worse.level >= base.level && worse.score >= base.score, "\(threats) → \(raised)")
            }

            // Deterministic, and the order of the lists does not matter.
            #expect(try score(threats, vulnerabilities, capacities) == base)
            #expect(try score(threats.shuffled(using: &generator), vulnerabilities.shuffled(using: &generator),
                              capacities.shuffled(using: &generator)) == base)
            #expect(base.score >= 0 && base.score <= 50)
            #expect(base.threatFactor <= 25 && (1...2).contains(base.vulnerabilityFactor) && (1...2).contains(base.capacityFactor))
            #expect(abs(base.score - base.threatFactor * base.vulnerabilityFactor / base.capacityFactor) < 1e-9)
        }
    }

    @Test func out_of_range_inputs_are_refused_naming_the_item() {
        let fine = Threat(likelihood: 3, impact: 3)
        #expect(throws: RiskInputError(item: .threatLikelihood, index: 1, value: 0)) {
            try score([fine, Threat(likelihood: 0, impact: 3)])
        }
        #expect(throws: RiskInputError(item: .threatImpact, index: 0, value: 6)) {
            try score([Threat(likelihood: 2, impact: 6)])
        }
        #expect(throws: RiskInputError(item: .vulnerability, index: 2, value: 0)) { try score([fine], [1, 5, 0]) }
        #expect(throws: RiskInputError(item: .capacity, index: 0, value: 6)) { try score([fine], [1], [6, 9]) }
        #expect(throws: RiskInputError(item: .capacity, index: 1, value: -1)) { try score([], [], [1, -1]) }
        #expect(RiskInputError(item: .threatLikelihood, index: 0, value: 0).labelKey == "case.risk.error.threat_likelihood")
        #expect(RiskInputError(item: .vulnerability, index: 0, value: 0).labelKey == "case.risk.error.vulnerability")
    }

    @Test func risk_levels_have_values_one_to_five_and_a_trend() {
        #expect(RiskLevel.allCases.map(\.value) == [1, 2, 3, 4, 5])
        for level in RiskLevel.allCases { #expect(RiskLevel(value: level.value) == level) }
        #expect(RiskLevel(value: 0) == nil && RiskLevel(value: 6) == nil)
        #expect(RiskLevel.allCases.sorted() == RiskLevel.allCases)
        #expect(RiskLevel.allCases.map(\.suggestedReviewDays) == [90, 60, 30, 14, 7])
        #expect(RiskTrend.of([]) == nil)
        #expect(RiskTrend.of([.high]) == nil)
        #expect(RiskTrend.of([.low, .high]) == .up)
        #expect(RiskTrend.of([.critical, .high]) == .down)
        #expect(RiskTrend.of([.low, .moderate, .moderate]) == .same)
        #expect(RiskTrend.of([.critical, .low, .elevated]) == .up)
    }

    // MARK: Policy

    let host = UUID(), partnerGranted = UUID(), partnerOther = UUID(), referralPartner = UUID()

    struct Cast {
        var actors: [String: Actor] = [:]
        var context: CaseAccess
    }

    /// The ten people of the matrix, around one case of the host.
    func cast() -> Cast {
        func person(_ roles: Set<Role>, _ organisation: UUID, _ type: OrganisationType) -> Actor {
            Actor(userID: UUID(), organisationID: organisation, organisationType: type, roles: roles)
        }
        let lead = person([.protectionOfficer], host, .host), team = person([.protectionOfficer], host, .host)
        var cast = Cast(context: CaseAccess(organisationID: host, leadOfficerID: lead.userID, teamMemberIDs: [team.userID],
                                            grantedOrganisationIDs: [partnerGranted], referralTargetOrganisationID: referralPartner))
        cast.actors = [
            "coordinator": person([.coordinator], host, .host),
            "lead": lead,
            "team": team,
            "otherOfficer": person([.protectionOfficer], host, .host),
            "grantedPartnerOfficer": person([.protectionOfficer], partnerGranted, .partner),
            "otherPartnerOfficer": person([.protectionOfficer], partnerOther, .networkMember),
            "referralTargetOfficer": person([.protectionOfficer], referralPartner, .partner),
            "hostAdministrator": person([.administrator], host, .host),
            "auditor": person([.auditor], host, .host),
            "verifier": person([.verifier], host, .host),
        ]
        return cast
    }

    static let caseWorkers: Set<String> = ["coordinator", "lead", "team"]
    static let leadOrCoordinator: Set<String> = ["coordinator", "lead"]
    static let expected: [CaseAction: Set<String>] = [
        .listCases: ["coordinator", "lead", "team", "otherOfficer", "grantedPartnerOfficer", "otherPartnerOfficer", "referralTargetOfficer"],
        .createCase: ["coordinator", "lead", "team", "otherOfficer"],
        .viewCase: caseWorkers.union(["grantedPartnerOfficer"]),
        .editCase: caseWorkers, .assessRisk: caseWorkers, .editPlan: caseWorkers, .manageSupport: caseWorkers, .refer: caseWorkers,
        .manageTeam: leadOrCoordinator, .closeCase: leadOrCoordinator, .reopenCase: leadOrCoordinator,
        .viewAccessLog: leadOrCoordinator,
        .answerReferral: ["referralTargetOfficer"],
        // Scheduling and recording follow-ups is the case team's; a granted partner adds notes (issue #14).
        .addFollowUp: caseWorkers,
        .addPartnerNote: caseWorkers.union(["grantedPartnerOfficer"]),
        .recordReview: ["coordinator"],
        .viewCaseStatistics: ["coordinator", "auditor"],
    ]

    @Test func the_policy_matrix_holds_for_every_action_and_person() {
        let cast = cast()
        #expect(Set(Self.expected.keys) == Set(CaseAction.allCases), "every action has its row")
        for action in CaseAction.allCases {
            for (name, actor) in cast.actors.sorted(by: { $0.key < $1.key }) {
                let allowed = Self.expected[action]?.contains(name) ?? false
                #expect(CasePolicy.evaluate(actor, action, cast.context).isAllowed == allowed, "\(action) by \(name)")
            }
        }
    }

    @Test func without_a_case_only_lists_creation_statistics_and_referral_queues_are_decided() {
        let cast = cast()
        for (name, actor) in cast.actors {
            for action in CaseAction.allCases where ![.listCases, .createCase, .viewCaseStatistics, .answerReferral].contains(action) {
                #expect(!CasePolicy.evaluate(actor, action, nil).isAllowed, "\(action) by \(name)")
            }
        }
        #expect(CasePolicy.evaluate(cast.actors["referralTargetOfficer"]!, .answerReferral, nil).isAllowed)
        #expect(!CasePolicy.evaluate(cast.actors["verifier"]!, .answerReferral, nil).isAllowed)
        #expect(CasePolicy.evaluate(cast.actors["otherOfficer"]!, .createCase, nil).isAllowed)
        #expect(!CasePolicy.evaluate(cast.actors["grantedPartnerOfficer"]!, .createCase, nil).isAllowed)
    }

    @Test func partners_get_a_limited_view_and_handlers_of_the_case_the_full_one() {
        let cast = cast()
        #expect(CasePolicy.view(cast.actors["coordinator"]!, context: cast.context) == .full)
        #expect(CasePolicy.view(cast.actors["lead"]!, context: cast.context) == .full)
        #expect(CasePolicy.view(cast.actors["team"]!, context: cast.context) == .full)
        #expect(CasePolicy.view(cast.actors["grantedPartnerOfficer"]!, context: cast.context) == .limited)
        for name in ["otherOfficer", "otherPartnerOfficer", "referralTargetOfficer", "hostAdministrator", "auditor", "verifier"] {
            #expect(CasePolicy.view(cast.actors[name]!, context: cast.context) == nil, "\(name)")
        }
        // A partner's verifier does not get the limited view through the grant.
        let partnerVerifier = Actor(userID: UUID(), organisationID: partnerGranted, organisationType: .partner, roles: [.verifier])
        #expect(CasePolicy.view(partnerVerifier, context: cast.context) == nil)
    }

    @Test func a_coordinator_sees_the_cases_of_their_organisation_only() {
        let consortium = UUID()
        let consortiumLead = Actor(userID: UUID(), organisationID: consortium, organisationType: .consortiumMember, roles: [.protectionOfficer])
        let theirCase = CaseAccess(organisationID: consortium, leadOfficerID: consortiumLead.userID)
        let hostCoordinator = Actor(userID: UUID(), organisationID: host, organisationType: .host, roles: [.coordinator])
        #expect(!CasePolicy.evaluate(hostCoordinator, .viewCase, theirCase).isAllowed)
        #expect(CasePolicy.evaluate(consortiumLead, .viewCase, theirCase).isAllowed)
        #expect(CasePolicy.evaluate(consortiumLead, .closeCase, theirCase).isAllowed)
        // A host administrator who is also a protection officer on the case sees it as the officer.
        let adminOfficer = Actor(userID: UUID(), organisationID: host, organisationType: .host, roles: [.administrator, .protectionOfficer])
        let hostCase = CaseAccess(organisationID: host, leadOfficerID: UUID(), teamMemberIDs: [adminOfficer.userID])
        #expect(CasePolicy.evaluate(adminOfficer, .viewCase, hostCase).isAllowed)
        #expect(!CasePolicy.evaluate(adminOfficer, .closeCase, hostCase).isAllowed)
    }

    @Test func sensitive_fields_need_the_full_case_and_their_own_permission() {
        let cast = cast()
        let both: Set<String> = Set(SensitiveField.allCases.map(\.permission))
        let genderOnly: Set<String> = [SensitiveField.genderIdentity.permission]
        for name in ["coordinator", "lead", "team"] {
            let actor = cast.actors[name]!
            for field in SensitiveField.allCases {
                #expect(CasePolicy.maySee(field, actor: actor, grantedPermissions: both, context: cast.context).isAllowed, "\(name) \(field)")
                #expect(!CasePolicy.maySee(field, actor: actor, grantedPermissions: [], context: cast.context).isAllowed, "\(name) \(field)")
            }
            #expect(CasePolicy.maySee(.genderIdentity, actor: actor, grantedPermissions: genderOnly, context: cast.context).isAllowed)
            #expect(!CasePolicy.maySee(.sexualOrientation, actor: actor, grantedPermissions: genderOnly, context: cast.context).isAllowed)
        }
        for name in ["otherOfficer", "grantedPartnerOfficer", "otherPartnerOfficer", "referralTargetOfficer", "hostAdministrator", "auditor", "verifier"] {
            for field in SensitiveField.allCases {
                #expect(!CasePolicy.maySee(field, actor: cast.actors[name]!, grantedPermissions: both, context: cast.context).isAllowed, "\(name) \(field)")
            }
        }
    }
}
