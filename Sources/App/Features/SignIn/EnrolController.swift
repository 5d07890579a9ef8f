import EgideCore
import EgideCrypto
import Fluent
import Vapor

/// Second-factor enrolment: the server shows the secret (QR code drawn as SVG, base32, otpauth
/// URI); the person confirms with a first code and receives ten recovery codes, shown once.
enum EnrolController {
    struct Context: Encodable {
        var action: String
        var qrDataURI: String
        var secret: String
        var uri: String
        var error: String?
    }

    struct CodesContext: Encodable {
        var codes: [String]
        var continueHref: String
    }

    static func enrollingUser(_ request: Request) async throws -> UserRecord {
        guard let principal = request.principal, principal.session == .enrolling,
              let user = try await UserRecord.find(principal.userID, on: request.db) else {
            throw Abort(.forbidden)
        }
        return user
    }

    @Sendable static func show(_ request: Request) async throws -> Response {
        if request.principal?.session == .active { return request.redirect(to: SiteURL.account.href) }
        let user = try await enrollingUser(request)
        let app = request.application
        var seed = try TwoFactor.seed(of: user, vault: app.vault)
        if seed == nil {
            seed = try await request.transaction { db in try await TwoFactor.newPendingSeed(for: user, vault: app.vault, on: db) }
        }
        guard let seed else { throw Abort(.internalServerError) }
        return try await render(request, user: user, seed: seed, error: nil, status: .ok)
    }

    static func render(_ request: Request, user: UserRecord, seed: [UInt8], error: String?, status: HTTPStatus) async throws -> Response {
        let (email, _) = try Accounts.identity(of: user, vault: request.application.vault)
        let totp = TOTP(secret: seed)
        let uri = try totp.otpauthURI(issuer: TwoFactor.issuer, account: email)
        let svg = try QRCode.encode(text: uri).svg()
        let context = Context(
            action: SiteURL.enrolTwoFactor.href,
            qrDataURI: "data:image/svg+xml;base64," + Data(svg.utf8).base64EncodedString(),
            secret: Base32.encode(seed).chunked(4), uri: uri, error: error)
        return try await request.render(.enrol, titleKey: "enrol.title", context, status: status, forms: true)
    }

    @Sendable static func confirm(_ request: Request) async throws -> Response {
        let app = request.application
        let user = try await enrollingUser(request)
        guard let seed = try TwoFactor.seed(of: user, vault: app.vault) else { return request.redirect(to: SiteURL.enrolTwoFactor.href) }
        let typed = ((try? request.content.get(String.self, at: "code")) ?? "").filter { !$0.isWhitespace }
        let now = app.clock.now()
        guard let step = TOTP(secret: seed).verify(code: typed, at: now, lastUsedStep: nil) else {
            return try await render(request, user: user, seed: seed, error: request.t("enrol.failed"), status: .unprocessableEntity)
        }
        let userID = try user.requireID()
        let codes = try await request.transaction { db in
            user.totpConfirmedAt = now
            user.totpLastStep = step
            try await user.save(on: db)
            try await SessionManager.endAll(of: userID, on: db)
            try await AuditRecorder.record(
                .init(actor: .user(userID), organisation: user.$organisation.id, action: "user.two_factor_enrolled",
                      objectType: "user", objectID: SiteURL.id(userID)), at: now, on: db)
            return try await TwoFactor.newRecoveryCodes(for: userID, on: db)
        }
        request.principal?.session = .active  // the page below is the first one of the new session
        let response = try await request.render(
            .recoveryCodes, titleKey: "enrol.codes.title", CodesContext(codes: codes, continueHref: SiteURL.home.href))
        try await SessionManager.start(userID: userID, stage: .active, for: request, response: response)
        return response
    }
}

extension String {
    /// The string in groups of `size` characters separated by spaces (easier to type from a screen).
    func chunked(_ size: Int) -> String {
        var groups: [String] = []
        var current = ""
        for character in self {
            current.append(character)
            if current.count == size { groups.append(current); current = "" }
        }
        if !current.isEmpty { groups.append(current) }
        return groups.joined(separator: " ")
    }
}
