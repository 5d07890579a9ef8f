import Foundation
import Testing
@testable import EgideCore

@Suite struct CountriesTests {
    @Test func the_countries_egide_works_in_are_known_with_localised_names() {
        for code in ["FR", "CH", "BE", "TN", "CF", "CM", "CD", "GE"] { #expect(Countries.isValid(code), "\(code)") }
        #expect(Countries.name("CM", in: .fr) == "Cameroun")
        #expect(Countries.name("GE", in: .fr) == "Géorgie")
        #expect(Countries.name("CM", in: .en) == "Cameroon")
    }

    @Test func regions_that_are_not_countries_are_excluded() {
        for code in ["EU", "UN", "QO", "ZZ", "C", "CMR", "cm1"] { #expect(!Countries.isValid(code), "\(code)") }
        #expect(Countries.codes.count > 240 && Countries.codes.count < 260)
    }

    @Test func countries_are_sorted_by_their_name_in_the_language() {
        let french = Countries.all(in: .fr).map(\.name)
        #expect(french.firstIndex(of: "Égypte")! < french.firstIndex(of: "France")!)
    }

    /// The lists are worked out once per language: they must be what asking ICU afresh gives.
    @Test(arguments: Language.allCases) func the_kept_lists_are_the_fresh_ones(language: Language) {
        let locale = Locale(identifier: language.rawValue)
        let fresh = Countries.codes.map { ($0, locale.localizedString(forRegionCode: $0) ?? $0) }
            .sorted { $0.1.compare($1.1, options: [.caseInsensitive, .diacriticInsensitive], locale: locale) == .orderedAscending }
        #expect(Countries.all(in: language).map(\.code) == fresh.map(\.0))
        #expect(Countries.all(in: language).map(\.name) == fresh.map(\.1))
        #expect(Countries.name("cm", in: language) == locale.localizedString(forRegionCode: "CM"))
        #expect(Countries.name("XX", in: language) == (locale.localizedString(forRegionCode: "XX") ?? "XX"))
    }
}
