@testable import App
import ConsoleKit
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor

/// The identity commands (`egide org|user|token …`), run in-process on the test database.
@Suite struct CommandTests {
    func run(_ app: Application, _ arguments: [String]) async throws {
        var context = CommandContext(console: Terminal(), input: CommandInput(arguments: ["egide"] + arguments))
        context.application = app
        try await app.asyncCommands.group().run(using: &context)
    }

    @Test func org_create_then_user_invite_make_an_invited_account() async throws {
        try await withApp { app in
            try await run(app, ["org", "create", "--name", "Réseau Yaoundé", "--slug", "cm-yde", "--type", "partner", "--country", "cm"])
            let organisation = try #require(try await OrganisationRecord.query(on: app.db).filter(\.$slug == "cm-yde").first())
            #expect(organisation.type == .partner && organisation.country == "CM")
            try await run(app, ["user", "invite", "--org", "cm-yde", "--role", "verifier,fund_manager", "--email", "v@example.org"])
            let user = try #require(try await Accounts.findUser(email: "v@example.org", on: app.db, vault: app.vault))
            #expect(Set(try await AdminQueries.roles(of: user.requireID(), on: app.db)) == [.verifier, .fundManager])
            #expect(try await InvitationRecord.query(on: app.db).filter(\.$user.$id == user.requireID()).count() == 1)
        }
    }

    @Test func bad_arguments_are_all_reported_and_change_nothing() async throws {
        try await withApp { app in
            await #expect(throws: CommandFailure.self) {
                try await run(app, ["org", "create", "--name", "X", "--slug", "9bad", "--type", "host", "--country", "ZZ"])
            }
            do {
                try await run(app, ["org", "create", "--name", "", "--slug", "9bad", "--type", "host", "--country", "ZZ"])
                Issue.record("four bad arguments were accepted")
            } catch let failure as CommandFailure {
                #expect(failure.message.components(separatedBy: "\n").count == 4)
            }
            #expect(try await OrganisationRecord.query(on: app.db).count() == 0)
            try await run(app, ["org", "create", "--name", "P", "--slug", "pp", "--type", "partner", "--country", "TN"])
            await #expect(throws: CommandFailure.self) {
                try await run(app, ["user", "invite", "--org", "pp", "--role", "coordinator", "--email", "c@example.org"])
            }
            #expect(try await UserRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func user_disable_and_reset_two_factor_end_sessions() async throws {
        try await withApp { app in
            let (host, _) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(officer)
            try await run(app, ["user", "reset-2fa", officer.email])
            #expect(try await client.get("/account").status != .ok)
            #expect(try await UserRecord.find(officer.id, on: app.db)?.totpConfirmedAt == nil)
            try await run(app, ["user", "disable", officer.email])
            #expect(try await UserRecord.find(officer.id, on: app.db)?.disabledAt != nil)
            await #expect(throws: CommandFailure.self) { try await run(app, ["user", "disable", "nobody@example.org"]) }
        }
    }

    @Test func token_create_makes_a_working_token() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            try await run(app, ["token", "create", "--email", admin.email, "--scopes", "account:read", "--days", "7"])
            let token = try #require(try await APITokenRecord.query(on: app.db).first())
            #expect(token.scopes == "account:read")
            #expect(abs(token.expiresAt.timeIntervalSince(app.clock.now()) - 7 * 86400) < 60)
            await #expect(throws: CommandFailure.self) {
                try await run(app, ["token", "create", "--email", admin.email, "--scopes", "everything"])
            }
        }
    }
}
