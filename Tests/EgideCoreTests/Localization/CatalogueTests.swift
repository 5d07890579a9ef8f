import Testing
@testable import EgideCore

@Suite struct CatalogueTests {
    let catalogue = Catalogue(strings: [
        .fr: ["greeting": "Bonjour {0}", "only.fr": "seulement"],
        .en: ["greeting": "Hello {0}", "only.en": "only"],
        .ar: ["greeting": "مرحبًا {0}", "only.en": "فقط", "only.fr": "فقط"],
    ])

    @Test func text_is_returned_in_the_requested_language_with_arguments() {
        #expect(catalogue.text("greeting", in: .fr, ["Awa"]) == "Bonjour Awa")
        #expect(catalogue.text("greeting", in: .en, ["Awa"]) == "Hello Awa")
    }

    @Test func arguments_of_a_right_to_left_sentence_keep_their_own_direction() {
        #expect(catalogue.text("greeting", in: .ar, ["Awa N'Diaye."]) == "مرحبًا \u{2068}Awa N'Diaye.\u{2069}")
        #expect(catalogue.text("greeting", in: .ar, [""]) == "مرحبًا ")
        #expect(!catalogue.text("greeting", in: .fr, ["Awa"]).unicodeScalars.contains { $0.value == 0x2068 })
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
        #expect(missing[.ar] == nil)
        #expect(catalogue.contains("greeting"))
        #expect(!catalogue.contains("only.fr"))
    }
}
