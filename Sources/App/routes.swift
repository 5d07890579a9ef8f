import Vapor

/// THE route table: every route Egide answers, grouped by who may call it.
/// A route added here without a row in the access-matrix test makes that test fail (issue #3).
func routes(_ app: Application) throws {
    // Public: no account, no personal data.
    app.get("", use: HomeController.show)
    app.get("healthz", use: HealthController.check)
    app.get("language", ":code", use: LanguageController.choose)
}
