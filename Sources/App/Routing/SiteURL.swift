import EgideCore
import Foundation
import Vapor

/// Every page and endpoint by name: used to build links and redirects, so they never disagree
/// with the route table.
enum SiteURL {
    case home
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
    case adminUserAction(UUID, String)
    case publicAlert(Language)
    case publicFollowUp(Language)
    case publicFollowUpAdd(Language)
    case alerts, newAlert, attention, verificationRequests
    case alert(UUID)
    case alertAction(UUID, String)
    case alertFile(UUID, UUID)
    case verificationRequest(UUID)
    case verificationAction(UUID, String)
    case alertSettings, alertCategories
    case alertCategory(UUID)
    case cases, newCase, referrals
    case caseFile(UUID)
    case caseAction(UUID, String)
    case caseItemAction(UUID, String, UUID)
    case referral(UUID)
    case referralAction(UUID, String)

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
        case .adminUserAction(let id, let action): "/admin/users/\(Self.id(id))/\(action)"
        case .publicAlert(let language): language == .fr ? "/alerte" : "/alert"
        case .publicFollowUp(let language): language == .fr ? "/alerte/suivi" : "/alert/follow-up"
        case .publicFollowUpAdd(let language): language == .fr ? "/alerte/suivi/ajout" : "/alert/follow-up/add"
        case .alerts: "/alerts"
        case .newAlert: "/alerts/new"
        case .attention: "/attention"
        case .verificationRequests: "/verification"
        case .alert(let id): "/alerts/\(Self.id(id))"
        case .alertAction(let id, let action): "/alerts/\(Self.id(id))/\(action)"
        case .alertFile(let id, let file): "/alerts/\(Self.id(id))/files/\(Self.id(file))"
        case .verificationRequest(let id): "/verification/\(Self.id(id))"
        case .verificationAction(let id, let action): "/verification/\(Self.id(id))/\(action)"
        case .alertSettings: "/admin/alert-settings"
        case .alertCategories: "/admin/alert-settings/categories"
        case .alertCategory(let id): "/admin/alert-settings/categories/\(Self.id(id))"
        case .cases: "/cases"
        case .newCase: "/cases/new"
        case .referrals: "/referrals"
        case .caseFile(let id): "/cases/\(Self.id(id))"
        case .caseAction(let id, let action): "/cases/\(Self.id(id))/\(action)"
        case .caseItemAction(let id, let part, let item): "/cases/\(Self.id(id))/\(part)/\(Self.id(item))"
        case .referral(let id): "/referrals/\(Self.id(id))"
        case .referralAction(let id, let action): "/referrals/\(Self.id(id))/\(action)"
        }
    }

    static func id(_ id: UUID) -> String { id.uuidString.lowercased() }

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
