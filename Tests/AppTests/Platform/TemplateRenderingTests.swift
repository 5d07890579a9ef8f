@testable import App
import Testing
import Vapor

/// Every template renders with a sample context in every language.
@Suite struct TemplateRenderingTests {
    @Test(arguments: Template.allCases) func template_renders_with_a_sample_context(template: Template) async throws {
        try await withApp { app in
            app.get("render-sample") { req async throws -> Response in
                switch template {
                case .home: try await req.render(.home, titleKey: "home.title", HomeController.Context())
                case .error: try await req.render(.error, titleKey: "error.404.title", ErrorPageContext(status: .notFound, detail: "sample"))
                }
            }
            for language in ["fr", "en"] {
                let res = try await app.send(.GET, "/render-sample", headers: ["Accept-Language": language])
                #expect(res.status == .ok)
                #expect(res.text.contains(#"<html lang="\#(language)">"#))
                #expect(res.text.contains("</html>"))
                #expect(!res.text.contains("#t("), "an unrendered tag leaked into \(template)")
            }
        }
    }
}
