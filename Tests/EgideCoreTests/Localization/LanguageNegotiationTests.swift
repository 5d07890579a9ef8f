import Testing
@testable import EgideCore

@Suite struct LanguageNegotiationTests {
    @Test func french_accept_language_chooses_french() {
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "fr-FR,fr;q=0.9") == .fr)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "fr-CA") == .fr)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "FR") == .fr)
    }

    @Test func other_or_missing_languages_fall_back_to_english() {
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: nil) == .en)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "de-DE,it;q=0.5") == .en)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "") == .en)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "*") == .en)
    }

    @Test func quality_values_order_the_ranges() {
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "en;q=0.4, fr;q=0.8") == .fr)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "de, fr;q=0.7, en;q=0.6") == .fr)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "en-GB, fr;q=0.9") == .en)
    }

    @Test func a_zero_quality_excludes_a_language() {
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "fr;q=0, de") == .en)
    }

    @Test func malformed_entries_are_ignored_not_fatal() {
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: "en;q=abc, fr") == .fr)
        #expect(LanguageNegotiation.choose(preference: nil, acceptLanguage: ";;,,fr;q=2,en") == .en)
    }

    @Test func a_valid_preference_overrides_the_header() {
        #expect(LanguageNegotiation.choose(preference: "en", acceptLanguage: "fr-FR") == .en)
        #expect(LanguageNegotiation.choose(preference: "FR", acceptLanguage: "en") == .fr)
    }

    @Test func an_unknown_preference_is_ignored() {
        #expect(LanguageNegotiation.choose(preference: "xx", acceptLanguage: "fr") == .fr)
    }
}
