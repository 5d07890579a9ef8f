import EgideCore
import Fluent
import Vapor

/// `GET /api/v1/me`: the account behind the token.
enum MeController {
    struct Organisation: Content {
        var id: UUID
        var slug: String
        var type: String
        var country: String
    }

    struct Me: Content {
        var id: UUID
        var name: String
        var email: String
        var roles: [String]
        var organisation: Organisation
    }

    @Sendable static func show(_ request: Request) async throws -> Me {
        let actor = try request.actor()
        guard let user = try await UserRecord.find(actor.userID, on: request.db),
              let organisation = try await OrganisationRecord.find(actor.organisationID, on: request.db) else { throw Abort(.unauthorized) }
        let (email, name) = try Accounts.identity(of: user, vault: request.application.vault)
        return Me(id: actor.userID, name: name, email: email, roles: actor.roles.sorted().map(\.rawValue),
                  organisation: Organisation(id: actor.organisationID, slug: organisation.slug,
                                             type: organisation.type.rawValue, country: organisation.country))
    }
}

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the JSON API.
enum OpenAPIController {
    @Sendable static func document(_ request: Request) async throws -> Response {
        let path = request.application.egideConfig.resourcesDirectory + "/Resources/OpenAPI/openapi.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw Abort(.internalServerError) }
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = .json
        return response
    }
}
