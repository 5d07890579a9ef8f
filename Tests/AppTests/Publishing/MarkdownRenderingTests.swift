import Foundation
import Testing
@testable import App

private let rel = #"rel="nofollow noopener noreferrer""#

@Suite("Ordinary Markdown")
struct MarkdownRenderingTests {
    @Test func headingsAreShiftedByDefault() {
        #expect(MarkdownText.html("# Titre\n\n## Sous-titre") == "<h2>Titre</h2><h3>Sous-titre</h3>")
        #expect(MarkdownText.html("# Titre", headingOffset: 0) == "<h1>Titre</h1>")
        #expect(MarkdownText.html("###### Six") == "<h6>Six</h6>")
        #expect(MarkdownText.html("## Deux", headingOffset: -3) == "<h1>Deux</h1>")
        #expect(MarkdownText.html("# Un", headingOffset: .max) == "<h6>Un</h6>")
        #expect(MarkdownText.html("# Un", headingOffset: .min) == "<h1>Un</h1>")
    }

    @Test func emphasisAndParagraphs() {
        #expect(MarkdownText.html("Un *appel* **urgent** et ~~rien~~.\n\nSecond.")
                == "<p>Un <em>appel</em> <strong>urgent</strong> et <s>rien</s>.</p><p>Second.</p>")
    }

    @Test func lists() {
        #expect(MarkdownText.html("- un\n- deux\n  - trois") == "<ul><li>un</li><li>deux<ul><li>trois</li></ul></li></ul>")
        #expect(MarkdownText.html("1. a\n2. b") == "<ol><li>a</li><li>b</li></ol>")
        #expect(MarkdownText.html("3. c\n4. d") == #"<ol start="3"><li>c</li><li>d</li></ol>"#)
    }

    @Test func links() {
        #expect(MarkdownText.html("[Egide](https://egide.example/fr?a=1&b=2)")
                == #"<p><a href="https://egide.example/fr?a=1&amp;b=2" \#(rel)>Egide</a></p>"#)
        #expect(MarkdownText.html("[Écrire](mailto:presse@egide.example)")
                == #"<p><a href="mailto:presse@egide.example" \#(rel)>Écrire</a></p>"#)
        #expect(MarkdownText.html("[site][e]\n\n[e]: https://egide.example")
                == #"<p><a href="https://egide.example" \#(rel)>site</a></p>"#)
        // Relative links are refused: appeals are also read in feeds and e-mails.
        #expect(MarkdownText.html("[page](/fr/appels)") == "<p>page</p>")
    }

    @Test func autolinks() {
        #expect(MarkdownText.html("Voir <https://egide.example/a_b_c?x=1&y=(2)>.")
                == #"<p>Voir <a href="https://egide.example/a_b_c?x=1&amp;y=(2)" \#(rel)>"#
                + "https://egide.example/a_b_c?x=1&amp;y=(2)</a>.</p>")
        #expect(MarkdownText.html("<presse@egide.example>")
                == #"<p><a href="mailto:presse@egide.example" \#(rel)>presse@egide.example</a></p>"#)
        #expect(MarkdownText.html("<ftp://egide.example>") == "<p>&lt;ftp://egide.example&gt;</p>")
        #expect(MarkdownText.html("a < b et c > d") == "<p>a &lt; b et c &gt; d</p>")
    }

    @Test func blockquotes() {
        #expect(MarkdownText.html("> Libérez-les\n> maintenant.\n\nFin.")
                == "<blockquote><p>Libérez-les maintenant.</p></blockquote><p>Fin.</p>")
    }

    @Test func code() {
        #expect(MarkdownText.html("Tapez `a && b`.") == "<p>Tapez <code>a &amp;&amp; b</code>.</p>")
        #expect(MarkdownText.html("```swift\nlet x = 1 < 2\n```") == "<pre><code>let x = 1 &lt; 2\n</code></pre>")
        #expect(MarkdownText.html("Texte\n```\n<b>\n```") == "<p>Texte</p><pre><code>&lt;b&gt;\n</code></pre>")
    }

    @Test func tablesAndRules() {
        #expect(MarkdownText.html("| Nom | Ville |\n|---|:-:|\n| A. | Tunis |\n\n---\n\nFin")
                == "<table><thead><tr><th>Nom</th><th>Ville</th></tr></thead>"
                + "<tbody><tr><td>A.</td><td>Tunis</td></tr></tbody></table><hr><p>Fin</p>")
    }

    @Test func frenchAndArabic() {
        let french = "# Appel urgent\n\nLe comité « Égide » exige la libération immédiate de Mᵐᵉ Dupré – arrêtée à l’aube."
        #expect(MarkdownText.html(french)
                == "<h2>Appel urgent</h2><p>Le comité « Égide » exige la libération immédiate de Mᵐᵉ Dupré – arrêtée à l’aube.</p>")
        let arabic = "# نداء عاجل\n\nتطالب **اللجنة** بالإفراج الفوري عن [المدافعين](https://egide.example/ar)."
        #expect(MarkdownText.html(arabic)
                == #"<h2>نداء عاجل</h2><p>تطالب <strong>اللجنة</strong> بالإفراج الفوري عن <a href="https://egide.example/ar" \#(rel)>المدافعين</a>.</p>"#)
    }

    @Test func entitiesAndControlCharacters() {
        #expect(MarkdownText.html("&laquo;Ça&nbsp;va&raquo; &amp; AT&T &bogus; \u{1}x") == "<p>«Ça\u{A0}va» &amp; AT&amp;T &amp;bogus; x</p>")
        #expect(MarkdownText.html("a\r\nb\r\n\r\nc") == "<p>a b</p><p>c</p>")
    }

    @Test func leadingRuleIsNotSwallowedAsMetadata() {
        #expect(MarkdownText.html("---\nauteur: X\n---\nTexte") == "<hr><p>auteur: X</p><hr><p>Texte</p>")
    }

    @Test func emptyInput() {
        #expect(MarkdownText.html("") == "")
        #expect(MarkdownText.plainText("  \n\n ") == "")
        #expect(MarkdownText.summary("", maxLength: 10) == "")
    }
}

@Suite("Plain text and summaries")
struct PlainTextTests {
    @Test func plainTextForEmail() {
        let markdown = """
            # Appel urgent

            Le **comité** demande la libération de [Mme X](https://egide.example/x) &amp; de ses proches.
            Écrivez à <presse@egide.example>.

            ## Ce que vous pouvez faire

            - Écrire au *ministre*
            - Signer la [pétition](https://egide.example/p)
              - en ligne

            1. un
            2. deux

            > Nous ne nous tairons pas.

            ![Photo de la manifestation](https://evil.example/p.png)

            ---

            | Nom | Ville |
            |-----|-------|
            | A.  | Tunis |
            """
        let expected = """
            Appel urgent

            Le comité demande la libération de Mme X <https://egide.example/x> & de ses proches. \
            Écrivez à presse@egide.example.

            Ce que vous pouvez faire

            - Écrire au ministre
            - Signer la pétition <https://egide.example/p>
              - en ligne

            1. un
            2. deux

                Nous ne nous tairons pas.

            Photo de la manifestation

            ———

            Nom | Ville
            A. | Tunis
            """
        let plain = MarkdownText.plainText(markdown)
        #expect(plain == expected)
        for syntax in ["**", "](", "# ", "<p", "<a ", "&amp;", "![", "|---"] {
            #expect(!plain.contains(syntax), "\(syntax)")
        }
    }

    @Test func plainTextLineBreaksAndArabic() {
        #expect(MarkdownText.plainText("سطر أول  \nسطر ثان") == "سطر أول\nسطر ثان")
        #expect(MarkdownText.plainText("[https://egide.example](https://egide.example)") == "https://egide.example")
        #expect(MarkdownText.plainText("[lien](javascript:alert(1))") == "lien")
    }

    @Test func summaryCutsAtWordBoundary() {
        let markdown = "# Titre ignoré\n\nLe comité exige la libération immédiate des défenseurs arrêtés hier soir.\n\nSecond paragraphe."
        let summary = MarkdownText.summary(markdown, maxLength: 40)
        #expect(summary == "Le comité exige la libération immédiate…")
        #expect(summary.count <= 40)
        #expect(MarkdownText.summary(markdown, maxLength: 500)
                == "Le comité exige la libération immédiate des défenseurs arrêtés hier soir. Second paragraphe.")
    }

    @Test func summaryHasNoMarkupOrURLs() {
        let summary = MarkdownText.summary("Voir **le [rapport](https://egide.example/r)** & `<b>`.", maxLength: 200)
        #expect(summary == "Voir le rapport & <b>.")
    }

    @Test func summaryEdgeCases() {
        #expect(MarkdownText.summary("Court.", maxLength: 100) == "Court.")
        #expect(MarkdownText.summary("Anticonstitutionnellement", maxLength: 10) == "Anticonst…")
        #expect(MarkdownText.summary("un deux", maxLength: 1) == "…")
        #expect(MarkdownText.summary("un deux", maxLength: 0) == "")
        #expect(MarkdownText.summary("# Seulement un titre", maxLength: 100) == "Seulement un titre")
        #expect(MarkdownText.summary("un, deuxième", maxLength: 9) == "un…")
        let arabic = MarkdownText.summary("تطالب اللجنة بالإفراج الفوري عن المدافعين", maxLength: 20)
        #expect(arabic == "تطالب اللجنة…")
    }
}
