import EgideCore
import Foundation
import Vapor

/// The forms of an alert's page (`/alerts/:id/<form>`).
enum AlertForm: String, CaseIterable, Sendable {
    case triage, assign, comments, verification, decision, merge
    /// Attach the alert to an existing case.
    case attachToCase = "case"
}

/// The forms and sub-pages of a case file (`/cases/:id/<form>`).
enum CaseForm: String, CaseIterable, Sendable {
    case people, assessments, measures, support, referrals, notes, reviews, status, close, impact, reopen, team, grants, access
    case newAssessment = "assessments/new", planReviews = "plan-reviews", followUps = "follow-ups"
}

/// The forms on one part of a case file (`/cases/:id/<part>/:item`).
enum CaseItemForm: String, CaseIterable, Sendable {
    case people, measures, support, referrals
    case followUps = "follow-ups"
}

/// The actions on an account of the administration (`/admin/users/:id/<action>`).
enum UserForm: String, CaseIterable, Sendable {
    case roles, disable, enable, reinvite, permissions
    case resetTwoFactor = "reset-two-factor"
}

/// A verifier's answers to a request (`/verification/:id/<form>`).
enum VerificationForm: String, CaseIterable, Sendable { case findings, decline }

/// A partner's answer to a referral (`/referrals/:id/<form>`).
enum ReferralForm: String, CaseIterable, Sendable { case answer }

/// The forms of a fund's page (`/funds/:id/<form>`).
enum FundForm: String, CaseIterable, Sendable {
    case allocations, statement
    case statementCSV = "statement.csv"
}

/// The steps of a grant (`/grants/:id/<form>`).
enum GrantForm: String, CaseIterable, Sendable {
    case edit, submit, screen, ask, reject, approve, withdraw, cancel, disburse, complete, close, report
    case requestReport = "report-request"
}

/// The forms of a document (`/appeals/:id/<form>`); those about one language version carry a
/// `language` field.
enum AppealForm: String, CaseIterable, Sendable {
    case edit, versions, submit, approve, publish, close, comments, consents, targets, replies, mailings, cases, declaration
    case returnToDraft = "return"
}

/// Every page and endpoint by name, forms typed: used to build links, form actions and redirects.
/// `SiteURLTests` holds it to the route table both ways — every address it builds is a
/// registered route, and every page route of the table has its case here — so a link cannot
/// point where nothing answers.
enum SiteURL {
    case home
    /// The home page in one language (`/fr`, `/en`, `/ar`): the address a poster or a partner's
    /// site gives.
    case homeIn(Language)
    case healthz
    case language(Language, next: String?)
    case stylesheet
    case setup(token: String)
    case signIn(next: String?)
    case signInCode
    case unseal
    case signOut
    case enrolTwoFactor
    case replaceTwoFactor
    case invitation(token: String)
    case account, accountPassword, accountSessions, accountTokens
    case endSession(UUID)
    case revokeToken(UUID)
    case adminOrganisations, newOrganisation
    case adminOrganisation(UUID)
    case editOrganisation(UUID)
    case adminUsers, inviteUser, adminAudit
    case adminUser(UUID)
    case adminUserAction(UUID, UserForm)
    /// The public pages, one address per language: `/<code>/<page>` (`/fr/alerte`, `/en/alert`,
    /// `/ar/alert`). See `publicPath` for the scheme.
    case publicAlert(Language)
    case publicFollowUp(Language)
    case publicFollowUpAdd(Language)
    /// The addresses printed before the language prefix (`/alerte`, `/alert/follow-up`…): they keep
    /// answering, in their language, because posters and partners' sites carry them.
    case earlierPublicAlert(Language)
    case earlierPublicFollowUp(Language)
    case earlierPublicFollowUpAdd(Language)
    case alerts, newAlert, attention, verificationRequests
    case alert(UUID)
    case alertAction(UUID, AlertForm)
    case alertFile(UUID, UUID)
    case verificationRequest(UUID)
    case verificationAction(UUID, VerificationForm)
    case alertSettings, alertCategories
    case alertCategory(UUID)
    case cases, newCase, referrals
    case caseFile(UUID)
    case caseAction(UUID, CaseForm)
    case caseItemAction(UUID, CaseItemForm, UUID)
    case referral(UUID)
    case referralAction(UUID, ReferralForm)
    case funds, newFund, exchangeRates
    case fund(UUID)
    case fundAction(UUID, FundForm)
    /// Confirming or withdrawing one proposed allocation of a fund.
    case allocation(UUID, UUID)
    case grants
    /// A new grant request, from a case file (`case`) or for an allocation (`allocation`).
    case newGrant(case: UUID?, allocation: UUID?)
    case grant(UUID)
    case grantAction(UUID, GrantForm)
    case grantFile(UUID, UUID)
    case appeals, appealSettings, appealSubscribers
    case appealSubscriberRemove(UUID)
    /// The link every appeal mail carries (the token is the subscriber's own).
    case unsubscribe(token: String)
    /// A new document, from a case file (`case`) or as a follow-up of an issued one (`parent`).
    case newAppeal(case: UUID?, parent: UUID?)
    /// A document's page, showing one language version (its original when `nil`).
    case appeal(UUID, language: AppealLanguage?)
    case appealAction(UUID, AppealForm)
    /// The public pages of published documents, one address per document language: the list,
    /// a document (by its reference's slug) and the Atom feed.
    case publicAppeals(AppealLanguage)
    case publicAppeal(AppealLanguage, slug: String)
    case appealFeed(AppealLanguage)

    /// The path (and query) to put in an `href` or a `Location`.
    var href: String {
        switch self {
        case .home: "/"
        case .healthz: "/healthz"
        case .stylesheet: "/css/egide.css"
        case .language(let language, let next): Self.with("/language/\(language.rawValue)", next: next)
        case .setup(let token): "/setup/\(token)"
        case .signIn(let next): Self.with("/sign-in", next: next)
        case .signInCode: "/sign-in/code"
        case .unseal: "/unseal"
        case .signOut: "/sign-out"
        case .enrolTwoFactor: "/account/two-factor"
        case .replaceTwoFactor: "/account/two-factor/replace"
        case .invitation(let token): "/invitation/\(token)"
        case .account: "/account"
        case .accountPassword: "/account/password"
        case .accountSessions: "/account/sessions"
        case .accountTokens: "/account/tokens"
        case .endSession(let id): "/account/sessions/\(Self.id(id))/end"
        case .revokeToken(let id): "/account/tokens/\(Self.id(id))/revoke"
        case .adminOrganisations: "/admin/organisations"
        case .newOrganisation: "/admin/organisations/new"
        case .adminOrganisation(let id): "/admin/organisations/\(Self.id(id))"
        case .editOrganisation(let id): "/admin/organisations/\(Self.id(id))/edit"
        case .adminUsers: "/admin/users"
        case .inviteUser: "/admin/users/invite"
        case .adminAudit: "/admin/audit"
        case .adminUser(let id): "/admin/users/\(Self.id(id))"
        case .adminUserAction(let id, let action): "/admin/users/\(Self.id(id))/\(action.rawValue)"
        case .homeIn(let language): "/\(language.rawValue)"
        case .publicAlert(let language): "/\(language.rawValue)" + Self.publicPath(.alert, language)
        case .publicFollowUp(let language): "/\(language.rawValue)" + Self.publicPath(.followUp, language)
        case .publicFollowUpAdd(let language): "/\(language.rawValue)" + Self.publicPath(.followUpAdd, language)
        case .earlierPublicAlert(let language): Self.publicPath(.alert, language)
        case .earlierPublicFollowUp(let language): Self.publicPath(.followUp, language)
        case .earlierPublicFollowUpAdd(let language): Self.publicPath(.followUpAdd, language)
        case .alerts: "/alerts"
        case .newAlert: "/alerts/new"
        case .attention: "/attention"
        case .verificationRequests: "/verification"
        case .alert(let id): "/alerts/\(Self.id(id))"
        case .alertAction(let id, let action): "/alerts/\(Self.id(id))/\(action.rawValue)"
        case .alertFile(let id, let file): "/alerts/\(Self.id(id))/files/\(Self.id(file))"
        case .verificationRequest(let id): "/verification/\(Self.id(id))"
        case .verificationAction(let id, let action): "/verification/\(Self.id(id))/\(action.rawValue)"
        case .alertSettings: "/admin/alert-settings"
        case .alertCategories: "/admin/alert-settings/categories"
        case .alertCategory(let id): "/admin/alert-settings/categories/\(Self.id(id))"
        case .cases: "/cases"
        case .newCase: "/cases/new"
        case .referrals: "/referrals"
        case .caseFile(let id): "/cases/\(Self.id(id))"
        case .caseAction(let id, let action): "/cases/\(Self.id(id))/\(action.rawValue)"
        case .caseItemAction(let id, let part, let item): "/cases/\(Self.id(id))/\(part.rawValue)/\(Self.id(item))"
        case .referral(let id): "/referrals/\(Self.id(id))"
        case .referralAction(let id, let action): "/referrals/\(Self.id(id))/\(action.rawValue)"
        case .funds: "/funds"
        case .newFund: "/funds/new"
        case .exchangeRates: "/funds/rates"
        case .fund(let id): "/funds/\(Self.id(id))"
        case .fundAction(let id, let form): "/funds/\(Self.id(id))/\(form.rawValue)"
        case .allocation(let id, let item): "/funds/\(Self.id(id))/allocations/\(Self.id(item))"
        case .grants: "/grants"
        case .newGrant(let caseID, let allocation): Self.query("/grants/new", ["case": caseID.map(Self.id), "allocation": allocation.map(Self.id)])
        case .grant(let id): "/grants/\(Self.id(id))"
        case .grantAction(let id, let form): "/grants/\(Self.id(id))/\(form.rawValue)"
        case .grantFile(let id, let file): "/grants/\(Self.id(id))/files/\(Self.id(file))"
        case .appeals: "/appeals"
        case .appealSettings: "/appeals/settings"
        case .appealSubscribers: "/appeals/subscribers"
        case .appealSubscriberRemove(let id): "/appeals/subscribers/\(Self.id(id))/remove"
        case .unsubscribe(let token): "/unsubscribe/\(token)"
        case .newAppeal(let caseID, let parent): Self.query("/appeals/new", ["case": caseID.map(Self.id), "parent": parent.map(Self.id)])
        case .appeal(let id, let language): Self.query("/appeals/\(Self.id(id))", ["language": language?.rawValue])
        case .appealAction(let id, let form): "/appeals/\(Self.id(id))/\(form.rawValue)"
        case .publicAppeals(let language): "/\(language.rawValue)/" + Self.appealsSegment(language)
        case .publicAppeal(let language, let slug): "/\(language.rawValue)/" + Self.appealsSegment(language) + "/\(slug)"
        case .appealFeed(let language): "/\(language.rawValue)/" + Self.appealsSegment(language) + ".atom"
        }
    }

    static func id(_ id: UUID) -> String { id.lowercasedText }

    /// The public appeals' segment: French in French (`/fr/appels`), English otherwise (`/ar/appeals`).
    static func appealsSegment(_ language: AppealLanguage) -> String { language == .fr ? "appels" : "appeals" }

    /// The public pages whose address carries their language.
    enum PublicPage { case alert, followUp, followUpAdd }

    /// A public page's path after the language prefix: in the language's own words where it is
    /// written in Latin script (`/alerte/suivi` in French), in English otherwise (`/ar/alert`), so
    /// that every address can be typed on any phone keyboard and read aloud over a bad line.
    static func publicPath(_ page: PublicPage, _ language: Language) -> String {
        let french = language == .fr
        switch page {
        case .alert: return french ? "/alerte" : "/alert"
        case .followUp: return french ? "/alerte/suivi" : "/alert/follow-up"
        case .followUpAdd: return french ? "/alerte/suivi/ajout" : "/alert/follow-up/add"
        }
    }

    /// The languages whose public pages had an address before the language prefix.
    static let earlierPublicLanguages: [Language] = [.fr, .en]

    /// The language a path carries: `/ar`, `/ar/…` (every page under a language prefix is public),
    /// or one of the earlier public addresses (`/alerte…` French, `/alert…` English); `nil` for
    /// every other path. Read before anything renders, so a refused form or an error on
    /// `/ar/alert` answers in Arabic too.
    static func language(ofPath path: String) -> Language? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if let first = segments.first, let language = Language(rawValue: String(first)) { return language }
        // A document language the interface does not speak (`/es/appeals/…`): its framing language.
        if let first = segments.first, let language = AppealLanguage(rawValue: String(first)) { return language.interface }
        return earlierPublicPaths[path]
    }

    /// The earlier public addresses and their language (read on every request: built once).
    private static let earlierPublicPaths: [String: Language] = Dictionary(uniqueKeysWithValues: earlierPublicLanguages.flatMap { language in
        [SiteURL.earlierPublicAlert(language), .earlierPublicFollowUp(language), .earlierPublicFollowUpAdd(language)].map { ($0.href, language) }
    })

    private static func query(_ base: String, _ items: [String: String?]) -> String {
        let present = items.compactMap { key, value in value.map { URLQueryItem(name: key, value: $0) } }.sorted { $0.name < $1.name }
        guard !present.isEmpty else { return base }
        var components = URLComponents()
        components.queryItems = present
        return base + "?" + (components.percentEncodedQuery ?? "")
    }

    private static func with(_ base: String, next: String?) -> String {
        guard let next, next != "/" else { return base }
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "next", value: next)]
        return base + "?" + (components.percentEncodedQuery ?? "")
    }

    /// A redirect target that stays on this site: a path starting with one `/`, never `//host`
    /// or a backslash trick; anything else becomes the home page (no open redirect).
    static func localPath(_ candidate: String?) -> String {
        // Only printable ASCII: browsers silently drop tabs and newlines, so "/\t/evil" would become "//evil".
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), !candidate.contains("\\"),
              candidate.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }),
              candidate.count <= 2048 else { return SiteURL.home.href }
        return candidate
    }
}
