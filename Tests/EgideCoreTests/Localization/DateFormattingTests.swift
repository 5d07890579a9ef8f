import Foundation
import Testing
@testable import EgideCore

@Suite struct DateFormattingTests {
    static let date = Date(timeIntervalSince1970: 1_795_000_000)  // 18 Nov 2026, 11:06:40 UTC

    @Test func each_language_reads_its_own_dates() {
        #expect(Language.en.day(Self.date) == "18 Nov 2026")
        #expect(Language.fr.day(Self.date) == "18 nov. 2026")
        #expect(Language.ar.day(Self.date).contains("2026") && !Language.ar.day(Self.date).contains("/"))
        #expect(Language.en.moment(Self.date).hasSuffix(" UTC") && Language.en.moment(Self.date).contains("11:06"))
    }

    /// The formatters are kept and shared: many threads at once must each get the right text.
    @Test func kept_formatters_give_the_same_text_from_many_threads() async {
        let expected = Dictionary(uniqueKeysWithValues: Language.allCases.map { ($0, ($0.day(Self.date), $0.moment(Self.date))) })
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<400 {
                group.addTask {
                    let language = Language.allCases[index % Language.allCases.count]
                    return language.day(Self.date) == expected[language]!.0 && language.moment(Self.date) == expected[language]!.1
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.count == 400 && results.allSatisfy { $0 })
    }
}
