@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The executable copy of docs/ACCESS-CONTROL.md: every registered route × every role (in the host
/// organisation and in a partner) × a record of their own organisation and of another one.
/// A route without a row in `rules` fails the test, so no route can be added unexamined.
@Suite struct AccessMatrixTests {
    /// Who is calling.
    struct Persona: CustomStringConvertible {
        var role: Role?
        var organisationType: OrganisationType
        var description: String { "\(role?.rawValue ?? "anonymous")@\(organisationType.rawValue)" }
        var isHostAdmin: Bool { role == .administrator && organisationType == .host }
    }

    /// Whose record a route with `:id` is called on.
    enum Scope: String, CaseIterable { case own, other }

    /// What must happen.
    enum Outcome: Equatable {
        /// The handler ran (any status but 401/403/404 and no bounce to sign-in).
        case reached
        case signInRequired
        case forbidden
        case notFound
    }

    typealias Rule = @Sendable (Persona, Scope) -> Outcome

    static let everyone: Rule = { _, _ in .reached }
    static let badToken: Rule = { _, _ in .notFound }
    static let signedIn: Rule = { p, _ in p.role == nil ? .signInRequired : .reached }
    static let signedInUnknownID: Rule = { p, _ in p.role == nil ? .signInRequired : .notFound }
    static let halfSignedIn: Rule = { _, _ in .signInRequired }
    /// Administration lists and forms every administrator reaches (scoped inside).
    static let anyAdmin: Rule = { p, _ in p.role == nil ? .signInRequired : p.role == .administrator ? .reached : .forbidden }
    /// Host administrators only.
    static let hostAdmin: Rule = { p, _ in
        p.role == nil ? .signInRequired : p.role != .administrator ? .forbidden : p.isHostAdmin ? .reached : .forbidden
    }
    /// A record by id: own organisation reached, another's answers 404 (unless host administrator).
    static let scopedRecord: Rule = { p, s in
        p.role == nil ? .signInRequired : p.role != .administrator ? .forbidden : (p.isHostAdmin || s == .own) ? .reached : .notFound
    }
    /// Editing an organisation: host administrators; others 403 on their own, 404 on another's.
    static let organisationEdit: Rule = { p, s in
        p.role == nil ? .signInRequired : p.role != .administrator ? .forbidden : p.isHostAdmin ? .reached : s == .own ? .forbidden : .notFound
    }
    /// A host-administrator action on a user (sensitive-field permissions): same answers as `organisationEdit`.
    static let hostAdminOnUser: Rule = organisationEdit

    /// Alert handlers: protection officers and coordinators of the host (consortium members too).
    static func isHandler(_ p: Persona) -> Bool { p.organisationType == .host && (p.role == .protectionOfficer || p.role == .coordinator) }
    /// The queue and settings pages: handlers reach them; partner staff with the gate's role get 403.
    static let alertList: Rule = { p, _ in p.role == nil ? .signInRequired : isHandler(p) ? .reached : .forbidden }
    /// One alert by id (a random one here): handlers and partner officers past the gate get 404.
    static let alertRecord: Rule = { p, _ in
        guard let role = p.role else { return .signInRequired }
        return role == .protectionOfficer || role == .coordinator ? .notFound : .forbidden
    }
    /// Recording an alert: handlers, and partner protection officers and verifiers.
    static let alertRecording: Rule = { p, _ in
        guard let role = p.role else { return .signInRequired }
        if isHandler(p) { return .reached }
        return p.organisationType != .host && (role == .protectionOfficer || role == .verifier) ? .reached : .forbidden
    }
    static let verifierList: Rule = { p, _ in p.role == nil ? .signInRequired : p.role == .verifier ? .reached : .forbidden }
    static let verifierRecord: Rule = { p, _ in p.role == nil ? .signInRequired : p.role == .verifier ? .notFound : .forbidden }
    static let alertSettings: Rule = { p, _ in p.role == nil ? .signInRequired : p.isHostAdmin ? .reached : .forbidden }
    static let alertCategory: Rule = { p, _ in p.role == nil ? .signInRequired : p.isHostAdmin ? .notFound : .forbidden }

    /// Case pages: protection officers and coordinators pass the gate (host or partner; CasePolicy
    /// scopes what they see); a case by id (a random one here) answers 404 to them.
    static let caseStaff: Rule = { p, _ in
        guard let role = p.role else { return .signInRequired }
        return role == .protectionOfficer || role == .coordinator ? .reached : .forbidden
    }
    static let caseOpening: Rule = { p, _ in
        guard let role = p.role else { return .signInRequired }
        return isHandler(p) ? .reached : .forbidden
    }
    static let caseRecord: Rule = alertRecord

    /// The fund's gate: fund managers, coordinators, auditors and protection officers (host or
    /// partner); FundPolicy and the scoped queries decide inside.
    static func isFundStaff(_ p: Persona) -> Bool {
        guard let role = p.role else { return false }
        return FundPolicy.readerRoles.contains(role)
    }
    static let fundList: Rule = { p, _ in p.role == nil ? .signInRequired : isFundStaff(p) ? .reached : .forbidden }
    /// Opening a fund: fund managers of a host (the persona's only role decides).
    static let fundOpening: Rule = { p, _ in
        guard p.role != nil else { return .signInRequired }
        guard isFundStaff(p) else { return .forbidden }
        return p.role == .fundManager && p.organisationType.handlesProtection ? .reached : .forbidden
    }
    /// Money moved outside a record (rates): fund managers.
    static let fundMoney: Rule = { p, _ in
        guard p.role != nil else { return .signInRequired }
        return isFundStaff(p) && p.role == .fundManager ? .reached : .forbidden
    }
    /// Requesting a grant (the form): fund managers, protection officers, coordinators.
    static let grantRequesting: Rule = { p, _ in
        guard let role = p.role else { return .signInRequired }
        return FundPolicy.requesterRoles.contains(role) ? .reached : .forbidden
    }
    /// A fund, allocation or grant by id (a random one here): 404 past the gate.
    static let fundRecord: Rule = { p, _ in p.role == nil ? .signInRequired : isFundStaff(p) ? .notFound : .forbidden }

    /// Appeals: the gate lets the appeals roles and administrators through; AppealPolicy lets
    /// the host's and consortium members' staff in (partners get 403), and a document by id (a
    /// random one here) answers 404 past the gate.
    static func isAppealStaff(_ p: Persona) -> Bool {
        guard let role = p.role else { return false }
        return AppealPolicy.readerRoles.union([.administrator]).contains(role)
    }
    static func appealRule(_ action: AppealAction) -> Rule {
        { p, _ in
            guard let role = p.role else { return .signInRequired }
            guard isAppealStaff(p) else { return .forbidden }
            let actor = Actor(userID: UUID(), organisationID: UUID(), organisationType: p.organisationType, roles: [role])
            return AppealPolicy.evaluate(actor, action, nil).isAllowed ? .reached : .forbidden
        }
    }
    static let appealRecord: Rule = { p, _ in p.role == nil ? .signInRequired : isAppealStaff(p) ? .notFound : .forbidden }

    static let rules: [String: Rule] = [
        // Published appeals: a list, a page per document and the feed, per document language.
        "GET /fr/appels": everyone, "GET /fr/appels.atom": everyone, "GET /fr/appels/:slug": badToken,
        "GET /en/appeals": everyone, "GET /en/appeals.atom": everyone, "GET /en/appeals/:slug": badToken,
        "GET /es/appeals": everyone, "GET /es/appeals.atom": everyone, "GET /es/appeals/:slug": badToken,
        "GET /ar/appeals": everyone, "GET /ar/appeals.atom": everyone, "GET /ar/appeals/:slug": badToken,
        // Appeals (web).
        "GET /appeals": appealRule(.view), "GET /appeals/new": appealRule(.write), "POST /appeals": appealRule(.write),
        "GET /appeals/settings": appealRule(.configure), "POST /appeals/settings": appealRule(.configure),
        "GET /appeals/:id": appealRecord, "GET /appeals/:id/edit": appealRecord, "POST /appeals/:id/edit": appealRecord,
        "POST /appeals/:id/versions": appealRecord, "POST /appeals/:id/submit": appealRecord, "POST /appeals/:id/return": appealRecord,
        "POST /appeals/:id/approve": appealRecord, "POST /appeals/:id/publish": appealRecord, "POST /appeals/:id/close": appealRecord,
        "POST /appeals/:id/comments": appealRecord, "POST /appeals/:id/consents": appealRecord, "POST /appeals/:id/targets": appealRecord,
        "POST /appeals/:id/replies": appealRecord, "POST /appeals/:id/mailings": appealRecord,
        "POST /appeals/:id/cases": appealRecord, "POST /appeals/:id/declaration": appealRecord,
        "GET /appeals/subscribers": appealRule(.manageMailing), "POST /appeals/subscribers": appealRule(.manageMailing),
        "POST /appeals/subscribers/:id/remove": { p, _ in
            guard let role = p.role else { return .signInRequired }
            guard isAppealStaff(p) else { return .forbidden }
            let actor = Actor(userID: UUID(), organisationID: UUID(), organisationType: p.organisationType, roles: [role])
            return AppealPolicy.evaluate(actor, .manageMailing, nil).isAllowed ? .notFound : .forbidden
        },
        // The unsubscribe link: its token is the credential (an unknown one answers 404).
        "GET /unsubscribe/:token": badToken, "POST /unsubscribe/:token": badToken,
        "GET /api/v1/appeals": { _, _ in .signInRequired }, "GET /api/v1/appeals/:id": { _, _ in .signInRequired },
        "POST /api/v1/appeals": { _, _ in .signInRequired }, "POST /api/v1/appeals/:id/steps": { _, _ in .signInRequired },
        // The public pages, one address per language, spelled out: a new public address must be
        // added here by hand, where a reviewer sees that it opens something to everyone.
        "GET /fr": everyone, "GET /en": everyone, "GET /ar": everyone,
        "GET /fr/alerte": everyone, "POST /fr/alerte": everyone, "GET /fr/alerte/suivi": everyone,
        "POST /fr/alerte/suivi": everyone, "POST /fr/alerte/suivi/ajout": everyone,
        "GET /en/alert": everyone, "POST /en/alert": everyone, "GET /en/alert/follow-up": everyone,
        "POST /en/alert/follow-up": everyone, "POST /en/alert/follow-up/add": everyone,
        "GET /ar/alert": everyone, "POST /ar/alert": everyone, "GET /ar/alert/follow-up": everyone,
        "POST /ar/alert/follow-up": everyone, "POST /ar/alert/follow-up/add": everyone,
        // The addresses printed before the language prefix.
        "GET /alerte": everyone, "POST /alerte": everyone, "GET /alert": everyone, "POST /alert": everyone,
        "GET /alerte/suivi": everyone, "POST /alerte/suivi": everyone, "POST /alerte/suivi/ajout": everyone,
        "GET /alert/follow-up": everyone, "POST /alert/follow-up": everyone, "POST /alert/follow-up/add": everyone,
        "GET /attention": signedIn,
        "GET /alerts/new": alertRecording, "POST /alerts": alertRecording, "GET /alerts": alertList,
        "GET /alerts/:id": alertRecord, "GET /alerts/:id/files/:file": alertRecord, "POST /alerts/:id/triage": alertRecord,
        "POST /alerts/:id/assign": alertRecord, "POST /alerts/:id/comments": alertRecord, "POST /alerts/:id/verification": alertRecord,
        "POST /alerts/:id/decision": alertRecord, "POST /alerts/:id/merge": alertRecord,
        "POST /alerts/:id/case": alertRecord,
        // Cases (web): the gate lets officers and coordinators through; CasePolicy decides the rest.
        "GET /cases": caseStaff, "GET /referrals": caseStaff, "GET /cases/new": caseOpening, "POST /cases": caseOpening,
        "GET /cases/:id": caseRecord, "GET /cases/:id/access": caseRecord, "GET /cases/:id/assessments/new": caseRecord,
        "POST /cases/:id/assessments": caseRecord, "POST /cases/:id/people": caseRecord, "POST /cases/:id/people/:person": caseRecord,
        "POST /cases/:id/measures": caseRecord, "POST /cases/:id/measures/:item": caseRecord, "POST /cases/:id/plan-reviews": caseRecord,
        "POST /cases/:id/support": caseRecord, "POST /cases/:id/support/:item": caseRecord, "POST /cases/:id/referrals": caseRecord,
        "POST /cases/:id/referrals/:item": caseRecord, "POST /cases/:id/follow-ups": caseRecord, "POST /cases/:id/follow-ups/:item": caseRecord,
        "POST /cases/:id/notes": caseRecord, "POST /cases/:id/reviews": caseRecord, "POST /cases/:id/status": caseRecord,
        "POST /cases/:id/close": caseRecord, "POST /cases/:id/impact": caseRecord, "POST /cases/:id/reopen": caseRecord,
        "POST /cases/:id/team": caseRecord, "POST /cases/:id/grants": caseRecord,
        "GET /referrals/:id": caseRecord, "POST /referrals/:id/answer": caseRecord,
        "GET /verification": verifierList, "GET /verification/:id": verifierRecord,
        "POST /verification/:id/findings": verifierRecord, "POST /verification/:id/decline": verifierRecord,
        "GET /admin/alert-settings": alertSettings, "POST /admin/alert-settings": alertSettings,
        "POST /admin/alert-settings/categories": alertSettings, "POST /admin/alert-settings/categories/:id": alertCategory,
        "POST /api/v1/public/alerts": everyone, "POST /api/v1/public/alerts/status": everyone, "POST /api/v1/public/alerts/updates": everyone,
        "GET /api/v1/alerts": { _, _ in .signInRequired }, "GET /api/v1/alerts/:id": { _, _ in .signInRequired },
        // Cases API: bearer tokens only, so a browser session gets 401 (CaseAPITests covers scopes and CasePolicy).
        "GET /api/v1/cases": { _, _ in .signInRequired }, "GET /api/v1/cases/:id": { _, _ in .signInRequired },
        "POST /api/v1/cases": { _, _ in .signInRequired }, "POST /api/v1/cases/:id/assessments": { _, _ in .signInRequired },
        "POST /api/v1/cases/:id/follow-ups": { _, _ in .signInRequired },
        "GET /": everyone, "GET /healthz": everyone, "GET /language/fr": everyone, "GET /language/en": everyone, "GET /language/ar": everyone,
        "GET /setup/:token": badToken, "POST /setup/:token": badToken,
        "GET /sign-in": everyone, "POST /sign-in": { _, _ in .signInRequired }, "POST /sign-out": everyone,
        "GET /invitation/:token": badToken, "POST /invitation/:token": badToken,
        "GET /sign-in/code": halfSignedIn, "POST /sign-in/code": halfSignedIn,
        "GET /account/two-factor": signedIn,
        "POST /account/two-factor": { p, _ in p.role == nil ? .signInRequired : .forbidden },
        "GET /account": signedIn, "POST /account/two-factor/replace": signedIn,
        "GET /account/password": signedIn, "POST /account/password": signedIn,
        "GET /account/sessions": signedIn, "POST /account/sessions/:id/end": signedInUnknownID,
        "GET /account/tokens": signedIn, "POST /account/tokens": signedIn, "POST /account/tokens/:id/revoke": signedInUnknownID,
        "GET /admin/organisations": anyAdmin, "POST /admin/organisations": hostAdmin, "GET /admin/organisations/new": hostAdmin,
        "GET /admin/organisations/:id": scopedRecord, "GET /admin/organisations/:id/edit": organisationEdit,
        "POST /admin/organisations/:id/edit": organisationEdit,
        "GET /admin/users": anyAdmin, "GET /admin/users/invite": anyAdmin, "POST /admin/users/invite": anyAdmin,
        "GET /admin/users/:id": scopedRecord, "POST /admin/users/:id/roles": scopedRecord,
        "POST /admin/users/:id/disable": scopedRecord, "POST /admin/users/:id/enable": scopedRecord,
        "POST /admin/users/:id/reset-two-factor": scopedRecord, "POST /admin/users/:id/reinvite": scopedRecord,
        // Sensitive-field permissions: host administrators only (403 on their own organisation's users, 404 on another's).
        "POST /admin/users/:id/permissions": hostAdminOnUser,
        "GET /unseal": everyone, "POST /unseal": everyone,
        "GET /admin/audit": { p, _ in
            guard let role = p.role else { return .signInRequired }
            return (role == .administrator || role == .auditor) && p.organisationType == .host ? .reached : .forbidden
        },
        // The emergency fund (web).
        "GET /funds": fundList, "GET /funds/new": fundOpening, "POST /funds": fundOpening,
        "GET /funds/rates": fundList, "POST /funds/rates": fundMoney,
        "GET /funds/:id": fundRecord, "POST /funds/:id/allocations": fundRecord, "POST /funds/:id/allocations/:item": fundRecord,
        "GET /funds/:id/statement": fundRecord, "GET /funds/:id/statement.csv": fundRecord,
        "GET /grants": fundList, "GET /grants/new": grantRequesting, "POST /grants": grantRequesting,
        "GET /grants/:id": fundRecord, "GET /grants/:id/edit": fundRecord, "GET /grants/:id/files/:file": fundRecord,
        "POST /grants/:id/edit": fundRecord, "POST /grants/:id/submit": fundRecord, "POST /grants/:id/screen": fundRecord,
        "POST /grants/:id/ask": fundRecord, "POST /grants/:id/reject": fundRecord, "POST /grants/:id/approve": fundRecord,
        "POST /grants/:id/withdraw": fundRecord, "POST /grants/:id/cancel": fundRecord, "POST /grants/:id/complete": fundRecord,
        "POST /grants/:id/report-request": fundRecord, "POST /grants/:id/close": fundRecord, "POST /grants/:id/disburse": fundRecord,
        "POST /grants/:id/report": fundRecord,
        // Fund API: bearer tokens only (FundAPITests covers scopes and the policy).
        "GET /api/v1/funds": { _, _ in .signInRequired }, "GET /api/v1/funds/:id": { _, _ in .signInRequired },
        "GET /api/v1/grants": { _, _ in .signInRequired }, "GET /api/v1/grants/:id": { _, _ in .signInRequired },
        "POST /api/v1/grants": { _, _ in .signInRequired }, "POST /api/v1/grants/:id/approvals": { _, _ in .signInRequired },
        "POST /api/v1/grants/:id/disbursements": { _, _ in .signInRequired },
        "GET /api/v1/openapi.json": everyone,
        // The API ignores cookies: a signed-in browser is not authenticated there.
        "GET /api/v1/me": { _, _ in .signInRequired },
    ]

    static func key(_ route: Route) -> String {
        "\(route.method.rawValue) /" + route.path.map(\.description).joined(separator: "/")
    }

    func outcome(of res: TestingHTTPResponse) -> Outcome {
        // 401, or 429 once the empty sign-in attempts are throttled: either way, not signed in.
        if res.status == .unauthorized || res.status == .tooManyRequests { return .signInRequired }
        if res.status == .seeOther, res.headers.first(name: .location)?.hasPrefix("/sign-in") == true { return .signInRequired }
        if res.status == .forbidden { return .forbidden }
        if res.status == .notFound { return .notFound }
        return .reached
    }

    @Test func every_route_has_a_rule() async throws {
        try await withApp { app in
            let missing = app.routes.all.map(Self.key).filter { Self.rules[$0] == nil }
            #expect(missing.isEmpty, "routes without an access rule: \(missing)")
        }
    }

    @Test func every_route_answers_every_role_as_the_matrix_says() async throws {
        try await withApp { app in
            let host = try await Fixtures.organisation(app, type: .host, slug: "host", country: "FR")
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "partner", country: "CM")
            let other = try await Fixtures.organisation(app, type: .partner, slug: "other", country: "CD")
            let targets = [
                try host.requireID(): try await Fixtures.account(app, in: host, roles: [.trainer]).id,
                try partner.requireID(): try await Fixtures.account(app, in: partner, roles: [.trainer]).id,
            ]
            let otherTarget = try await Fixtures.account(app, in: other, roles: [.trainer]).id
            var personas: [(Persona, OrganisationRecord)] = [(Persona(role: nil, organisationType: .partner), partner)]
            personas += Role.allCases.map { (Persona(role: $0, organisationType: .host), host) }
            personas += AdminPolicy.assignableRoles(in: .partner).map { (Persona(role: $0, organisationType: .partner), partner) }

            var failures: [String] = []
            for (persona, organisation) in personas {
                let orgID = try organisation.requireID()
                let client = TestClient(app)
                let account = try await persona.role.asyncFlatMap { try await Fixtures.account(app, in: organisation, roles: [$0]) }
                // Sign-out last, so it does not end the session the other routes use.
                let routes = app.routes.all.sorted { (Self.key($0) == "POST /sign-out" ? 1 : 0) < (Self.key($1) == "POST /sign-out" ? 1 : 0) }
                for route in routes {
                    guard let rule = Self.rules[Self.key(route)] else { continue }
                    let hasID = route.path.contains { $0.description == ":id" }
                    for scope in hasID ? Scope.allCases : [.own] {
                        if let account, client.sessionCookie == nil { try await client.signIn(account) }
                        let isOrganisationRoute = route.path.count > 1 && route.path[1].description == "organisations"
                        let id: UUID = route.path.first?.description.hasPrefix("admin") != true ? UUID()
                            : isOrganisationRoute ? (scope == .own ? orgID : try other.requireID())
                            : (scope == .own ? targets[orgID]! : otherTarget)
                        let path = "/" + route.path.map { component -> String in
                            switch component.description {
                            case ":id": SiteURL.id(id)
                            case ":token": "not-a-valid-token"
                            default: component.description
                            }
                        }.joined(separator: "/")
                        let res = route.method == .GET ? try await client.get(path) : try await client.post(path, [])
                        let expected = rule(persona, scope), actual = outcome(of: res)
                        if expected != actual {
                            failures.append("\(Self.key(route)) as \(persona) on \(scope): expected \(expected), got \(actual) (\(res.status.code))")
                        }
                    }
                }
            }
            #expect(failures.isEmpty, "\(failures.count) mismatches:\n\(failures.joined(separator: "\n"))")
        }
    }

    @Test func a_record_outside_the_scope_answers_exactly_like_a_missing_one() async throws {
        try await withApp { app in
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "partner")
            let other = try await Fixtures.organisation(app, type: .partner, slug: "other")
            let admin = try await Fixtures.account(app, in: partner, roles: [.administrator])
            let foreign = try await Fixtures.account(app, in: other, roles: [.verifier])
            let client = TestClient(app)
            try await client.signIn(admin)
            for base in ["/admin/users/", "/admin/organisations/"] {
                let realID = SiteURL.id(base.contains("users") ? foreign.id : try other.requireID())
                let randomID = SiteURL.id(UUID())
                let existing = try await client.get(base + realID)
                let missing = try await client.get(base + randomID)
                #expect(existing.status == .notFound && missing.status == .notFound)
                // The page echoes its own address (language switch); apart from that, not one byte differs.
                #expect(existing.text.replacingOccurrences(of: realID, with: "ID") == missing.text.replacingOccurrences(of: randomID, with: "ID"),
                        "\(base): a foreign record must be indistinguishable from a missing one")
                #expect(existing.headers.count == missing.headers.count)
            }
        }
    }
}
