@testable import App
import EgideCore
import Foundation
import Testing

/// The OpenAPI document says what the API returns: every enumeration it lists is the Swift enum
/// the API encodes, value for value (issue #14: `AlertSummary.status` lacked two statuses the API
/// returned). Every enumeration of the document must be named here, so a new one cannot go unchecked.
@Suite struct OpenAPIDocumentTests {
    static func values<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> Set<String> where T.RawValue == String {
        Set(T.allCases.map(\.rawValue))
    }

    /// Each documented enumeration (schema/property path) and the values the code can produce.
    static let expected: [String: Set<String>] = [
        "Me/roles/items": values(Role.self), "Me/organisation/type": values(OrganisationType.self),
        "AlertInput/fieldOfWork": values(FieldOfWork.self), "AlertInput/needs/items": values(AlertNeed.self),
        "AlertInput/contactChannel": values(ContactChannel.self).subtracting([ContactChannel.none.rawValue]),
        "AlertInput/language": values(Language.self), "PublicAlertStatus/status": values(PublicAlertStatus.self),
        "AlertSummary/status": values(AlertStatus.self), "AlertSummary/urgency": values(Urgency.self),
        "GrantSummary/category": values(SupportCategory.self), "GrantInput/category": values(SupportCategory.self),
        "FundDetail/categories/items": values(SupportCategory.self), "GrantSummary/state": values(GrantState.self),
        "AllocationLine/state": values(AllocationState.self), "GrantTranche/method": values(DisbursementMethod.self),
        "TrancheInput/method": values(DisbursementMethod.self),
        "RiskLevel/name": values(RiskLevel.self), "CaseSummary/status": values(CaseStatus.self), "CaseDetail/status": values(CaseStatus.self),
        "CaseDetail/view": ["full", "limited"], "CaseDetail/fieldOfWork": values(FieldOfWork.self), "CasePerson/role": values(PersonRole.self),
        "Threat/actor": values(ThreatActorType.self), "Threat/space": values(ThreatSpace.self),
        "CaseAssessment/trigger": Set(CasesAPIController.AssessmentInput.triggers), "CaseMeasure/stage": values(MeasureStage.self),
        "CaseMeasure/domain": values(MeasureDomain.self), "CaseMeasure/state": values(MeasureState.self),
        "CaseMeasure/ownerKind": values(MeasureOwnerKind.self), "CaseSupport/type": values(SupportType.self),
        "CaseSupport/provider": values(SupportProvider.self), "CaseSupport/state": values(SupportState.self),
        "CaseReferral/state": values(ReferralState.self), "CaseReferral/shared/items": values(ReferralShare.self),
        "CaseFollowUp/kind": ["contact", "partner_note"], "CaseReview/kind": values(CaseReviewKind.self),
        "CaseImpact/moment": values(ImpactMoment.self), "CaseImpact/answers/additionalProperties": values(ImpactAnswer.self),
        "CaseInput/fieldOfWork": values(FieldOfWork.self), "AssessmentInput/threats/items/actor": values(ThreatActorType.self),
        "AssessmentInput/threats/items/space": values(ThreatSpace.self), "AssessmentInput/judgedLevel": values(RiskLevel.self),
        "AssessmentInput/trigger": Set(CasesAPIController.AssessmentInput.triggers),
        "AppealSummary/kind": values(AppealKind.self), "AppealInput/kind": values(AppealKind.self),
        "AppealSummary/themes/items": values(AppealTheme.self), "AppealInput/themes/items": values(AppealTheme.self),
        "AppealSummary/originalLanguage": values(AppealLanguage.self), "AppealInput/language": values(AppealLanguage.self),
        "AppealVersion/language": values(AppealLanguage.self), "AppealVersionSummary/language": values(AppealLanguage.self),
        "AppealStepInput/language": values(AppealLanguage.self),
        "AppealSummary/followUpKind": values(FollowUpKind.self), "AppealInput/followUpKind": values(FollowUpKind.self),
        "AppealVersion/state": values(AppealState.self), "AppealVersionSummary/state": values(AppealState.self),
        "AppealDetail/defenders/items/consents/items/channel": values(AppealChannel.self),
        "AppealStepInput/step": [AppealStep.submit, .returnToDraft, .approve, .publish, .close].reduce(into: Set<String>()) { $0.insert($1.rawValue) },
    ]

    /// Every `enum` in the document's schemas, by schema and property path (`properties` left out).
    static func documented() throws -> [String: Set<String>] {
        let data = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Resources/OpenAPI/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        var found: [String: Set<String>] = [:]
        func walk(_ node: Any, _ path: [String]) {
            guard let object = node as? [String: Any] else { return }
            if let values = object["enum"] as? [String] { found[path.joined(separator: "/")] = Set(values) }
            for (key, child) in object where key != "enum" { walk(child, key == "properties" ? path : path + [key]) }
        }
        for (name, schema) in schemas { walk(schema, [name]) }
        return found
    }

    @Test func every_documented_enumeration_is_the_one_the_api_encodes() throws {
        let documented = try Self.documented()
        #expect(Set(documented.keys) == Set(Self.expected.keys), "an enumeration of the document is not checked here, or is gone")
        for (path, values) in documented {
            #expect(values == Self.expected[path], "\(path): the document lists \(values.sorted()), the code produces \(Self.expected[path]?.sorted() ?? [])")
        }
    }

    /// The alert list's `status` parameter lists exactly what the queue's filters accept.
    @Test func the_alert_list_documents_the_status_values_it_accepts() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Resources/OpenAPI/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        let list = try #require((paths[APIURL.alerts.openAPIPath] as? [String: Any])?["get"] as? [String: Any])
        let parameters = try #require(list["parameters"] as? [[String: Any]])
        let status = try #require(parameters.first { $0["name"] as? String == "status" })
        let values = try #require((status["schema"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(values) == Set(AlertQueuePage.Filters.statusValues + ["new"]))
    }
}
