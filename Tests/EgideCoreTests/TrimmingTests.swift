import EgideCore
import Foundation
import Testing

@Suite struct TrimmingTests {
    @Test(arguments: [
        "", " ", "\n\t ", "Amina", "  Amina Diallo  ", "\u{00A0}Nadia\u{3000}", "\u{2028}ligne\u{2029}",
        "\u{200B}zero width stays\u{200B}", "\r\nمحمد بن صالح\r\n", "\u{0085}x\u{1680}", "a  b", "é\u{0301} ", " 🇨🇲 ",
    ])
    func trims_exactly_like_foundation(_ text: String) {
        #expect(text.trimmedWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text[...].trimmedWhitespace == text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func trims_the_same_characters_as_foundation_across_the_basic_plane() {
        let differing = (0...0xFFFF).compactMap(Unicode.Scalar.init).filter { scalar in
            let text = String(scalar) + "x" + String(scalar)
            return text.trimmedWhitespace != text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(differing.isEmpty, "\(differing.map { String($0.value, radix: 16) })")
    }
}
