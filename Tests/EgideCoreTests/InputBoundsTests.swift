import EgideCore
import Testing

/// Numbers and text from requests are bounded and cleaned before anything uses them (issue #14).
@Suite struct InputBoundsTests {
    @Test func a_page_number_is_parsed_into_bounds_without_trapping() throws {
        #expect(try ListPage.parse(nil, size: 50).get() == ListPage(number: 0, size: 50))
        #expect(try ListPage.parse("", size: 50).get().number == 0)
        #expect(try ListPage.parse("3", size: 50).get().range == 150..<200)
        #expect(try ListPage.parse("0007", size: 50).get().number == 7)
        for huge in ["999999999999999999", "9223372036854775807", "9223372036854775808", String(repeating: "9", count: 5_000),
                     String(ListPage.maximumNumber + 1)] {
            #expect(throws: ListPage.Problem.outOfRange(0...ListPage.maximumNumber)) { try ListPage.parse(huge, size: 50).get() }
        }
        for junk in ["-1", "+1", "1e9", "0x10", " 1", "1.5", "abc", "١٢", "9223372036854775807\u{0}"] {
            #expect(throws: ListPage.Problem.notAWholeNumber) { try ListPage.parse(junk, size: 50).get() }
        }
        let last = try! ListPage.parse(String(ListPage.maximumNumber), size: ListPage.maximumSize).get()
        #expect(last.next == nil && last.rangeWithNext.upperBound == ListPage.maximumNumber * ListPage.maximumSize + ListPage.maximumSize + 1)
        #expect(ListPage(number: -5, size: 10_000) == ListPage(number: 0, size: ListPage.maximumSize), "pages built in code are clamped")
        #expect(ListPage(number: 1, size: 50).hasMore(total: 101) && !ListPage(number: 1, size: 50).hasMore(total: 100))
    }

    @Test func control_characters_are_refused_and_line_ends_made_one() {
        #expect(TextInput.clean("  Aline  ", .name, max: 10) == .success("Aline"))
        #expect(TextInput.clean("   ", .text, max: 10) == .success(nil))
        #expect(TextInput.clean(nil, .text, max: 10) == .success(nil))
        #expect(TextInput.clean("Ali\u{0}ne", .name, max: 50) == .failure(.control))
        #expect(TextInput.clean("a\u{1B}[31mred", .text, max: 50) == .failure(.control))
        #expect(TextInput.clean("a\u{85}b", .text, max: 50) == .failure(.control), "C1 controls too")
        #expect(TextInput.clean("line one\r\nline two\rthree", .text, max: 50) == .success("line one\nline two\nthree"))
        #expect(TextInput.clean("tab\there", .text, max: 50) == .success("tab\there"))
        #expect(TextInput.clean("two\nlines", .line, max: 50) == .failure(.control))
        #expect(TextInput.clean("two\r\nlines", .name, max: 50) == .failure(.control))
        #expect(TextInput.clean(String(repeating: "é", count: 11), .text, max: 10) == .failure(.tooLong))
        #expect(TextInput.clean(String(repeating: "é", count: 10), .text, max: 10) == .success(String(repeating: "é", count: 10)))
    }

    @Test func direction_overrides_are_refused_in_names_only() {
        for mark in ["\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}"] {
            #expect(TextInput.clean("Aline\(mark)abraM", .name, max: 50) == .failure(.bidi))
            #expect(TextInput.clean("Quoted \(mark)text", .text, max: 50) == .success("Quoted \(mark)text"), "free text may mix directions")
        }
        // Arabic names, and the plain direction marks, are names.
        #expect(TextInput.clean("أمينة بن صالح", .name, max: 50) == .success("أمينة بن صالح"))
        #expect(TextInput.clean("Amira \u{200F}بن صالح", .name, max: 50) == .success("Amira \u{200F}بن صالح"))
    }

    @Test func lists_are_collapsed_and_capped_and_echoes_cut_to_the_limit() {
        #expect(TextInput.choices(["a", " a", "b", "", "a"], max: 5) == ["a", "b"])
        #expect(TextInput.choices(Array(repeating: "torture", count: 10_000), max: 5) == ["torture"])
        #expect(TextInput.choices((0..<6).map(String.init), max: 5) == nil)
        #expect(TextInput.choices(nil, max: 5) == [])
        #expect(TextInput.echo(String(repeating: "x", count: 3_000_000), max: 20_000)?.count == 20_000)
        #expect(TextInput.echo("short", max: 20_000) == "short")
    }
}
