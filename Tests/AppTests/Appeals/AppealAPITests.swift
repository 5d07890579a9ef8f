@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The appeals API takes the pages' steps with the pages' decisions: four eyes and consent refusals
/// are 409 problems, bad input 422, and a reader who may not see a linked case learns neither its
/// code nor its defender's name.
@Suite struct AppealAPITests {
    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ fields: [String: Any]? = nil, token: String) async throws -> TestingHTTPResponse {
        var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
        if fields != nil { headers.add(name: .contentType, value: "application/json") }
        return try await app.send(method, path, headers: headers, body: fields.map(AlertFixtures.json))
    }

    @Test func the_api_takes_the_same_steps_with_the_same_refusals() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let scopes: Set<APIScope> = [.readAppeals, .writeAppeals]
            let officer = try await CaseAPINetwork.token(app, w.officerAccount, scopes)
            let comms1 = try await CaseAPINetwork.token(app, w.comms1Account, scopes)
            let comms2 = try await CaseAPINetwork.token(app, w.comms2Account, scopes)
            let created = try await Self.send(app, .POST, "/api/v1/appeals", [
                "kind": "urgent_appeal", "country": "CM", "themes": ["threats"], "language": "fr", "title": "Menaces",
                "body": "L'Observatoire a été informé.", "caseIds": [SiteURL.id(w.caseID)]], token: officer)
            #expect(created.status == .created)
            let detail = try created.content.decode(AppealsAPIController.Detail.self)
            let id = detail.appeal.id
            #expect(detail.cases == [w.caseCode] && detail.defenders.first?.name == AppealWorld.defender)
            // A title is one line.
            let multiline = try await Self.send(app, .POST, "/api/v1/appeals", [
                "kind": "statement", "country": "CM", "language": "fr", "title": "Two\nlines", "body": "x"], token: comms1)
            #expect(multiline.status == .unprocessableEntity)
            #expect(try await Self.send(app, .POST, "/api/v1/appeals/\(SiteURL.id(id))/steps", ["language": "fr", "step": "submit"], token: officer).status == .ok)
            // Approving needs the revision read; the author of a revision never approves.
            #expect(try await Self.send(app, .POST, "/api/v1/appeals/\(SiteURL.id(id))/steps", ["language": "fr", "step": "approve"], token: comms2).status
                    == .unprocessableEntity)
            #expect(try await Self.send(app, .POST, "/api/v1/appeals/\(SiteURL.id(id))/steps", ["language": "fr", "step": "approve", "revision": 1],
                                        token: officer).status == .forbidden)
            try await AppealWorkflow.revise(id, .fr, AppealText(title: "Menaces", body: "Texte revu."), by: w.comms1, app: app)
            let own = try await Self.send(app, .POST, "/api/v1/appeals/\(SiteURL.id(id))/steps", ["language": "fr", "step": "approve", "revision": 2],
                                          token: comms1)
            #expect(own.status == .conflict)
            let approved = try await Self.send(app, .POST, "/api/v1/appeals/\(SiteURL.id(id))/steps", ["language": "fr", "step": "approve", "revision": 2],
                                               token: comms2)
            #expect(approved.status == .ok)
            #expect(try approved.content.decode(AppealsAPIController.Detail.self).appeal.reference != nil)
            // No consent yet: 409 with the reason.
            let refused = try await Self.send(app, .POST, "/api/v1/appeals/\(SiteURL.id(id))/steps", ["language": "fr", "step": "publish"], token: comms2)
            #expect(refused.status == .conflict && refused.text.contains("consented"))
            // A communications officer may not see the case: neither its code nor the defender's name.
            let seen = try await Self.send(app, .GET, "/api/v1/appeals/\(SiteURL.id(id))", token: comms2)
            let read = try seen.content.decode(AppealsAPIController.Detail.self)
            #expect(read.cases.isEmpty && read.defenders.count == 1 && read.defenders[0].name == nil && read.defenders[0].caseCode == nil)
            #expect(!seen.text.contains(w.caseCode) && !seen.text.contains(AppealWorld.summaryCanary))
            // The officer's reading of the names is in the audit log.
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "appeal.read").count() >= 1)
            let list = try await Self.send(app, .GET, "/api/v1/appeals", token: comms2)
            #expect(try list.content.decode(AppealsAPIController.List.self).items.map(\.id) == [id])
        }
    }
}
