import EgideCore
import LeafKit

/// The `#t("key")` Leaf tag: the catalogue string for the page's language (`lang` at the top of
/// the context). Extra parameters fill `{0}`, `{1}`…. Output is HTML-escaped like any `#( )`.
struct TranslateTag: LeafTag {
    let catalogue: Catalogue

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let key = ctx.parameters.first?.string else {
            throw LeafError(.unknownError("#t needs a catalogue key as its first parameter"))
        }
        let language = ctx.data["lang"]?.string.flatMap(Language.init(preference:)) ?? .fallback
        let arguments = ctx.parameters.dropFirst().map { $0.string ?? "" }
        return .string(catalogue.text(key, in: language, Array(arguments)))
    }
}
