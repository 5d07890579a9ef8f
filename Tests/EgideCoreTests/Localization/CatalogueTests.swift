import Testing
@testable import EgideCore

@Suite struct CatalogueTests {
    let catalogue = Catalogue(strings: [
        .fr: ["greeting": "Bonjour {0}", "only.fr": "seulement"],
        .en: ["greeting": "Hello {0}", "only.en": "only"],
    ])

    @Test func text_is_returned_in_the_requested_language_with_arguments() {
        #expect(catalogue.text("greeting", in: .fr, ["Awa"]) == "Bonjour Awa")
        #expect(catalogue.text("greeting", in: .en, ["Awa"]) == "Hello Awa")
    }

    @Test func an_argument_containing_a_placeholder_is_not_expanded_again() {
        let c = Catalogue(strings: [.en: ["k": "{0} and {1}"], .fr: ["k": "{0} et {1}"]])
        #expect(c.text("k", in: .en, ["{1}", "x"]) == "{1} and x")
    }

    @Test func a_key_missing_in_french_falls_back_to_english_then_to_the_key() {
        #expect(catalogue.text("only.en", in: .fr) == "only")
        #expect(catalogue.text("nowhere", in: .fr) == "nowhere")
    }

    @Test func missing_keys_are_reported_per_language() {
        let missing = catalogue.missingKeys()
        #expect(missing[.fr] == ["only.en"])
        #expect(missing[.en] == ["only.fr"])
        #expect(catalogue.contains("greeting"))
        #expect(!catalogue.contains("only.fr"))
    }
}
