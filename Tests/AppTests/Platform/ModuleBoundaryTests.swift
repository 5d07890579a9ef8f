import Foundation
import Testing

/// Modules are built on the shared kit, not on each other (issue #15): `Features/Cases` names
/// nothing declared in `Features/Alerts` but the alert-to-case hand-off, so a new module copies
/// neither Alerts nor Cases and takes what they share from `Kit/` and EgideCore.
@Suite struct ModuleBoundaryTests {
    /// What Cases may name of Alerts, and why: the hand-off of a verified alert to a case.
    static let handOff: [String: String] = [
        "AlertRecord": "a case is opened from, or attached to, a verified alert",
        "AlertEntryRecord": "the alert's history records that it became a case",
        "AlertQueries": "the alert handed off is looked up through the alert scope (404 outside it)",
        "AlertsController": "attaching an alert is a form of the alert page, shown again with its error",
    ]

    static func swiftFiles(_ folder: String) throws -> [URL] {
        let root = URL(fileURLWithPath: packageRoot + "/Sources/App/Features/" + folder)
        return try FileManager.default.contentsOfDirectory(at: root, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
    }

    /// The names of the types a folder declares (top level and nested).
    static func declaredTypes(_ folder: String) throws -> Set<String> {
        let pattern = try NSRegularExpression(pattern: #"^\s*(?:public |package |internal |private |fileprivate )?(?:final )?(?:class|struct|enum|protocol|actor) ([A-Z][A-Za-z0-9]*)"#,
                                              options: .anchorsMatchLines)
        var names = Set<String>()
        for file in try swiftFiles(folder) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                names.insert(String(text[Range(match.range(at: 1), in: text)!]))
            }
        }
        return names
    }

    @Test func cases_name_nothing_of_alerts_but_the_hand_off() throws {
        let alerts = try Self.declaredTypes("Alerts")
        #expect(alerts.contains("AlertRecord") && alerts.contains("AlertWorkflow"), "the scan reads the Alerts folder")
        let cases = try Self.declaredTypes("Cases")
        var borrowed: [String] = []
        for file in try Self.swiftFiles("Cases") {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in alerts.subtracting(cases) where Self.handOff[name] == nil {
                if text.range(of: #"\b\#(name)\b"#, options: .regularExpression) != nil { borrowed.append("\(file.lastPathComponent): \(name)") }
            }
            if text.range(of: #""alert\.(form|filter|queue)\."#, options: .regularExpression) != nil {
                borrowed.append("\(file.lastPathComponent): an alert form string (use the shared form.* or list.* keys)")
            }
        }
        #expect(borrowed.isEmpty, "Cases borrows from Alerts instead of the kit: \(borrowed)")
    }

    /// The emergency fund, the first module built on the kit alone: it names nothing of Alerts
    /// (files come from `Uploads`/`Downloads`, documents from `SealedDocument`), and of Cases only
    /// what tying a grant to a case needs. Cases names nothing of the fund: its grants reach the
    /// case file through `Module.casePanel`.
    static let fundUsesOfCases: [String: String] = [
        "CaseRecord": "a grant is tied to a case: its code and country",
        "CaseQueries": "the case a grant is tied to is looked up through the case scope (404 outside it); names share the case blind index",
        "CaseFileReader": "the request form lists the case's security-plan measures and its defender, as the reader may see them",
        "CaseContent": "the identity the shared name index reads",
        "Identity": "`CaseContent.Identity`, the words the shared name index reads",
    ]

    /// A file's code without its comments and string literals (a header named "…-Options" is not the type `Options`).
    static func code(_ text: String) -> String {
        text.replacingOccurrences(of: #"//[^\n]*"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #""(?:[^"\\\n]|\\.)*""#, with: "\"\"", options: .regularExpression)
    }

    @Test func the_fund_builds_on_the_kit_and_cases_name_nothing_of_it() throws {
        let alerts = try Self.declaredTypes("Alerts"), cases = try Self.declaredTypes("Cases"), fund = try Self.declaredTypes("Fund")
        #expect(fund.contains("GrantRecord") && fund.contains("FundModule"), "the scan reads the Fund folder")
        var borrowed: [String] = []
        for file in try Self.swiftFiles("Fund") {
            let text = Self.code(try String(contentsOf: file, encoding: .utf8))
            for name in alerts.subtracting(fund) where text.range(of: #"\b\#(name)\b"#, options: .regularExpression) != nil {
                borrowed.append("\(file.lastPathComponent): \(name) (Alerts)")
            }
            for name in cases.subtracting(fund) where Self.fundUsesOfCases[name] == nil {
                if text.range(of: #"\b\#(name)\b"#, options: .regularExpression) != nil { borrowed.append("\(file.lastPathComponent): \(name) (Cases)") }
            }
        }
        for file in try Self.swiftFiles("Cases") {
            let text = Self.code(try String(contentsOf: file, encoding: .utf8))
            for name in fund.subtracting(cases) where text.range(of: #"\b\#(name)\b"#, options: .regularExpression) != nil {
                borrowed.append("\(file.lastPathComponent): \(name) (Fund, in Cases)")
            }
        }
        #expect(borrowed.isEmpty, "the fund and the cases reach across instead of through the kit: \(borrowed)")
    }
}
