import EgideCore
import Foundation
import Testing

@Suite struct UUIDTextTests {
    @Test func text_is_read_and_written_as_foundation_does() {
        for _ in 0..<500 {
            let id = UUID()
            #expect(id.lowercasedText == id.uuidString.lowercased())
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.uuidString.lowercased()) == id)
            #expect(UUID(text: Substring(id.uuidString)) == id)
        }
        #expect(UUID(text: "00000000-0000-0000-0000-000000000000")?.lowercasedText == "00000000-0000-0000-0000-000000000000")
        #expect(UUID(text: "FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF")?.lowercasedText == "ffffffff-ffff-ffff-ffff-ffffffffffff")
    }

    /// Stricter than Foundation, whose `sscanf` takes a leading space.
    @Test func anything_but_the_36_character_form_is_refused() {
        let valid = "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"
        for text in ["", "017f22e2-79b0-7cc3-98c4-dc0c0c07398", valid + "0", "017f22e2079b0-7cc3-98c4-dc0c0c07398f",
                     "017f22e2-79b0-7cc3-98c4-dc0c0c07398g", "017f22e2-79b0-7cc3-98c4+dc0c0c07398f", " 17f22e2-79b0-7cc3-98c4-dc0c0c07398f",
                     "017f22e279b07cc398c4dc0c0c07398f", "017f22e2-79b0-7cc3-98c4-dc0c0c07398é"] {
            #expect(UUID(text: text) == nil, "\(text)")
        }
    }
}
