@testable import App
import EgideCore
import Foundation
import Testing

/// The locale catalogues are complete and every key the code or templates ask for exists.
@Suite struct CatalogueCompletenessTests {
    let catalogue = try! Catalogue.load(fromResources: packageRoot)

    /// Every `#t("key"…)` literal in every template.
    static func templateKeys() throws -> Set<String> {
        var keys = Set<String>()
        let viewsRoot = packageRoot + "/Resources/Views"
        let enumerator = FileManager.default.enumerator(atPath: viewsRoot)
        let pattern = try NSRegularExpression(pattern: #"#t\("([^"]+)""#)
        while let file = enumerator?.nextObject() as? String {
            guard file.hasSuffix(".leaf") else { continue }
            let text = try String(contentsOfFile: viewsRoot + "/" + file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                keys.insert((text as NSString).substring(with: match.range(at: 1)))
            }
        }
        return keys
    }

    @Test func every_key_exists_in_every_language() {
        let missing = catalogue.missingKeys()
        #expect(missing.isEmpty, "missing keys: \(missing)")
    }

    /// How to recognise each language's own script; `nil` for languages written in Latin script,
    /// where a word may rightly be the same as in English (`Organisation`, `Notes`). Adding a
    /// language without saying how to recognise it fails below.
    static let script: [Language: ClosedRange<Unicode.Scalar>?] = [.fr: nil, .en: nil, .ar: "\u{0600}"..."\u{06FF}"]

    /// Strings that are the same in every language: the product's name.
    static let sameEverywhere: Set<String> = ["alert.system"]

    /// A string with words that shows none of its language's script is English left behind: the
    /// fallback a reader of that language must never meet.
    @Test(arguments: Language.allCases) func no_string_is_left_untranslated(language: Language) throws {
        guard let script = Self.script[language] else {
            Issue.record("say in CatalogueCompletenessTests.script how \(language) is written")
            return
        }
        guard let script else { return }
        let words = try NSRegularExpression(pattern: "[A-Za-z]{3,}")
        let untranslated = catalogue.allKeys.subtracting(Self.sameEverywhere).filter { key in
            let english = catalogue.text(key, in: .en)
            guard words.firstMatch(in: english, range: NSRange(english.startIndex..., in: english)) != nil else { return false }
            return !catalogue.text(key, in: language).unicodeScalars.contains { script.contains($0) }
        }
        #expect(untranslated.isEmpty, "\(language) strings left in English: \(untranslated.sorted())")
    }

    @Test func every_key_a_template_uses_exists() throws {
        let keys = try Self.templateKeys()
        #expect(keys.count > 10)
        let unknown = keys.filter { !catalogue.contains($0) }
        #expect(unknown.isEmpty, "templates use unknown keys: \(unknown.sorted())")
    }

    /// The keys the alert module builds from its vocabularies and field names.
    static var alertKeys: [String] {
        var keys = AlertStatus.allCases.map(\.labelKey) + PublicAlertStatus.allCases.flatMap { [$0.labelKey, $0.labelKey + ".explanation"] }
        keys += RejectionReason.allCases.map(\.labelKey) + Urgency.allCases.map(\.labelKey)
        keys += [DeadlineState.onTime, .dueSoon, .overdue].map(\.labelKey) + AlertChannel.allCases.map(\.labelKey)
        keys += AlertNeed.allCases.map(\.labelKey) + FieldOfWork.allCases.map(\.labelKey) + ContactChannel.allCases.map(\.labelKey)
        keys += SourceReliability.allCases.map(\.labelKey) + InformationCredibility.allCases.map(\.labelKey)
        keys += VerificationRequestRecord.State.allCases.map(\.labelKey)
        keys += AlertEntryRecord.Kind.allCases.map { "alert.entry.\($0.rawValue)" }
        keys += ["sender", "finding", "staff"].map { "alert.file.source.\($0)" }
        keys += ["transition", "triageFirst", "alreadyAsked", "mergeSelf", "alreadyMerged"].map { "alert.refused.\($0)" }
        keys += ["verification.refused.closed", "alert.settings.deadline.range", "alert.settings.deadline.order"]
        keys += ["defenderName", "organisationName", "senderIsDefender", "country", "region", "incidentDate", "categories", "fieldOfWork",
                 "narrative", "needs", "contact", "contactChannel", "consentToContact", "language", "idempotencyKey", "files", "channel",
                 "information", "receipt", "passphrase", "verifiers", "duplicates", "into"].map { "alert.field.\($0)" }
        keys += ["reliability", "credibility", "notes", "files"].map { "verification.field.\($0)" }
        keys += ["nav.attention", "nav.alerts", "nav.recordAlert", "nav.verification", "nav.alertSettings"]
        return keys
    }

    @Test func every_key_the_code_builds_exists() {
        let keys = ErrorPageContext.catalogueKeys
            + ["nav.home", "nav.organisations", "nav.users", "nav.account", "nav.audit", "home.title", "audit.chain.ok", "audit.chain.broken"]
            + Role.allCases.map(\.labelKey) + OrganisationType.allCases.map(\.labelKey)
            + APIScope.allCases.map { "token.scope.\($0.rawValue)" }
            + ["user.status.active", "user.status.invited", "user.status.enrolling", "user.status.disabled"]
            + Self.alertKeys
        let unknown = keys.filter { !catalogue.contains($0) }
        #expect(unknown.isEmpty, "code uses unknown keys: \(unknown)")
    }

    /// The confirmations actions show (`flash: "flash.…"`, `done: "flash.…"`), read from the
    /// sources, and the menu labels the modules declare.
    @Test func every_confirmation_and_menu_key_exists() throws {
        let pattern = try NSRegularExpression(pattern: #""(flash\.[A-Za-z.]+)""#)
        var keys = Modules.all.flatMap { $0.navigation }.map(\.labelKey)
        let root = URL(fileURLWithPath: packageRoot + "/Sources/App")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
        for file in files where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                keys.append(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        #expect(keys.filter { $0.hasPrefix("flash.") }.count >= 30, "the scan found too few confirmations: \(keys.count)")
        let unknown = keys.filter { !catalogue.contains($0) }
        #expect(unknown.isEmpty, "code uses unknown keys: \(unknown)")
    }

    @Test func no_translation_is_left_empty_or_identical_to_its_key() {
        for key in catalogue.allKeys {
            for language in Language.allCases {
                let text = catalogue.text(key, in: language)
                #expect(!text.trimmingCharacters(in: .whitespaces).isEmpty, "\(language) \(key) is empty")
                #expect(text != key, "\(language) \(key) is untranslated")
            }
        }
    }
}
