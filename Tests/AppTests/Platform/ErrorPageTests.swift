@testable import App
import Foundation
import Testing
import Vapor

/// An internal failure whose message must never reach a client.
private struct InternalFailure: Error, CustomStringConvertible {
    var description: String { "secret-internal-detail at /srv/egide/Sources/App/Thing.swift:42" }
}

private struct Payload: Content { var name: String }

@Suite struct ErrorPageTests {
    @Test func a_missing_page_answers_404_in_the_users_language() async throws {
        try await withApp { app in
            let fr = try await app.send(.GET, "/nulle-part", headers: ["Accept-Language": "fr"])
            #expect(fr.status == .notFound)
            #expect(fr.headers.contentType?.subType == "html")
            #expect(fr.text.contains("Page introuvable"))
            let en = try await app.send(.GET, "/nowhere", headers: ["Accept-Language": "en"])
            #expect(en.text.contains("Page not found"))
            #expect(en.text.contains(#"<html lang="en" dir="ltr">"#))
            let ar = try await app.send(.GET, "/nowhere", headers: ["Accept-Language": "ar"])
            #expect(ar.status == .notFound && ar.text.contains(#"<html lang="ar" dir="rtl">"#))
            #expect(ar.text.contains("الصفحة غير موجودة"), "\(ar.text)")
        }
    }

    @Test func api_errors_are_problem_documents() async throws {
        try await withApp { app in
            let res = try await app.send(.GET, "/api/v1/nothing-here")
            #expect(res.status == .notFound)
            #expect(res.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(res.text.utf8))
            #expect(problem.status == 404)
            #expect(problem.title == "Not Found")
            #expect(problem.type == "about:blank")
        }
    }

    @Test func an_internal_error_reveals_nothing_on_a_page_or_in_the_api() async throws {
        try await withApp { app in
            app.get("boom") { _ -> String in throw InternalFailure() }
            app.get("api", "v1", "boom") { _ -> String in throw InternalFailure() }
            let page = try await app.send(.GET, "/boom", headers: ["Accept-Language": "fr"])
            #expect(page.status == .internalServerError)
            #expect(page.text.contains("Un problème est survenu de notre côté"))
            let api = try await app.send(.GET, "/api/v1/boom")
            #expect(api.status == .internalServerError)
            for body in [page.text, api.text] {
                #expect(!body.contains("secret-internal-detail"))
                #expect(!body.contains(".swift"))
                #expect(!body.contains("InternalFailure"))
            }
        }
    }

    @Test func a_client_error_reason_is_given_to_api_clients() async throws {
        try await withApp { app in
            app.get("api", "v1", "teapot") { _ -> String in throw Abort(.conflict, reason: "The alert was already merged.") }
            let res = try await app.send(.GET, "/api/v1/teapot")
            let problem = try JSONDecoder().decode(Problem.self, from: Data(res.text.utf8))
            #expect(problem.status == 409)
            #expect(problem.detail == "The alert was already merged.")
        }
    }

    @Test func a_validation_problem_names_each_field() async throws {
        try await withApp { app in
            app.post("api", "v1", "check") { _ -> String in
                throw ProblemError(status: .unprocessableEntity, detail: "2 fields are invalid.", errors: [
                    .init(field: "country", detail: "must be an ISO 3166-1 code"),
                    .init(field: "narrative", detail: "is required"),
                ])
            }
            let res = try await app.send(.POST, "/api/v1/check", headers: ["Content-Type": "application/json"], body: "{}")
            #expect(res.status == .unprocessableEntity)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(res.text.utf8))
            #expect(problem.errors?.map(\.field) == ["country", "narrative"])
        }
    }

    @Test func malformed_json_is_a_400_problem_not_a_500() async throws {
        try await withApp { app in
            app.post("api", "v1", "echo") { req -> String in try req.content.decode(Payload.self).name }
            let res = try await app.send(.POST, "/api/v1/echo", headers: ["Content-Type": "application/json"], body: "{not json")
            #expect(res.status == .badRequest)
            #expect(res.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
        }
    }

    @Test func a_wrong_method_is_not_a_server_error() async throws {
        try await withApp { app in
            let res = try await app.send(.DELETE, "/")
            #expect(res.status.code < 500)
        }
    }
}
