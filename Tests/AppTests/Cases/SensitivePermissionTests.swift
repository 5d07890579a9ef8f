@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Host administrators grant and withdraw, on the admin user page, the permission to see each
/// sensitive field of the people in cases (`SensitiveField.permission`); `CasePolicy.maySee` then
/// shows each field only to its holders.
@Suite struct SensitivePermissionTests {
    static let genderValue = "Gender-value-7Q2"
    static let orientationValue = "Orientation-value-K9X"

    /// A host with an administrator, a protection officer and a coordinator, and a case led by the
    /// officer whose defender's sensitive fields were recorded with consent.
    struct Setting {
        var host: OrganisationRecord
        var admin: TestAccount
        var officer: TestAccount
        var coordinator: TestAccount
        var caseID: UUID
        var officerPath: String { SiteURL.adminUser(officer.id).href }
        var permissionsPath: String { SiteURL.adminUserAction(officer.id, .permissions).href }
        var casePath: String { SiteURL.caseFile(caseID).href }
    }

    static func setting(_ app: Application) async throws -> Setting {
        let (host, admin) = try await Fixtures.hostAdmin(app)
        let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer], name: "Officer Lyon")
        let coordinator = try await Fixtures.account(app, in: host, roles: [.coordinator], name: "Coordinator Lyon")
        let actor = Actor(userID: officer.id, organisationID: officer.organisationID, organisationType: .host, roles: [.protectionOfficer])
        let caseID = try await CaseWorkflow.open(
            .init(country: "CM", summary: "Followed and threatened after a hearing.", fieldOfWork: nil,
                  defender: CaseContent.Identity(name: "Aline Mbarga")),
            by: actor, app: app)
        let person = try #require(try await CasePersonRecord.query(on: app.db).filter(\.$caseID == caseID).first())
        try await CaseWorkflow.savePerson(
            try person.requireID(), in: caseID, role: .defender, isOrganisation: false, identity: CaseContent.Identity(name: "Aline Mbarga"),
            sensitive: CaseContent.Sensitive(genderIdentity: genderValue, sexualOrientation: orientationValue), consent: true,
            by: actor, app: app)
        return Setting(host: host, admin: admin, officer: officer, coordinator: coordinator, caseID: caseID)
    }

    static func held(_ app: Application, _ user: UUID) async throws -> Set<String> {
        try await CaseQueries.permissions(of: user, on: app.db)
    }

    @Test func a_host_administrator_grants_and_withdraws_each_field_separately() async throws {
        try await withApp { app in
            let s = try await Self.setting(app)
            let admin = TestClient(app)
            try await admin.signIn(s.admin)

            // The page offers the fieldset, nothing ticked.
            let page = try await admin.get(s.officerPath)
            #expect(page.status == .ok)
            #expect(page.text.contains(#"id="permissions""#) && page.text.contains(#"action="\#(s.permissionsPath)""#))
            #expect(page.text.contains(#"value="case.sensitive.gender_identity">"#), "unticked at first")

            // Before any grant, the officer sees neither field.
            let officer = TestClient(app)
            try await officer.signIn(s.officer)
            let before = try await officer.get(s.casePath)
            #expect(before.status == .ok && before.text.contains("Aline Mbarga"))
            #expect(!before.text.contains(Self.genderValue) && !before.text.contains(Self.orientationValue))

            // Grant gender identity only.
            let granted = try await admin.post(s.permissionsPath, [("permissions[]", SensitiveField.genderIdentity.permission)])
            #expect(granted.status == .seeOther)
            let location = try #require(granted.headers.first(name: .location))
            #expect(location.hasPrefix(s.officerPath))
            let confirmed = try await admin.get(location)
            #expect(confirmed.text.contains(#"class="notice-ok""#), "the page confirms the change")
            #expect(confirmed.text.contains(#"value="case.sensitive.gender_identity" checked"#))
            #expect(!confirmed.text.contains(#"value="case.sensitive.sexual_orientation" checked"#))
            #expect(try await Self.held(app, s.officer.id) == [SensitiveField.genderIdentity.permission])
            let row = try #require(try await UserPermissionRecord.query(on: app.db).filter(\.$userID == s.officer.id).first())
            #expect(row.grantedBy == s.admin.id)

            // The officer (lead of the case) now sees the gender identity, not the orientation.
            let after = try await officer.get(s.casePath)
            #expect(after.status == .ok)
            #expect(after.text.contains(Self.genderValue))
            #expect(!after.text.contains(Self.orientationValue))

            // A coordinator of the same organisation, without permissions, sees neither.
            let coordinator = TestClient(app)
            try await coordinator.signIn(s.coordinator)
            let theirs = try await coordinator.get(s.casePath)
            #expect(theirs.status == .ok && theirs.text.contains("Aline Mbarga"))
            #expect(!theirs.text.contains(Self.genderValue) && !theirs.text.contains(Self.orientationValue))

            // Withdrawal: an empty form withdraws everything.
            let withdrawn = try await admin.post(s.permissionsPath, [])
            #expect(withdrawn.status == .seeOther)
            #expect(try await Self.held(app, s.officer.id).isEmpty)
            let gone = try await officer.get(s.casePath)
            #expect(gone.status == .ok && !gone.text.contains(Self.genderValue) && !gone.text.contains(Self.orientationValue))

            // Audited, with the permission strings only, in an intact chain.
            let events = try await AuditEventModel.query(on: app.db).filter(\.$action == "user.permissions").sort(\.$id).all()
            #expect(events.count == 2)
            #expect(events.map { AuditEventModel.decode($0.details)["permissions"] } == [SensitiveField.genderIdentity.permission, ""])
            #expect(events.allSatisfy { $0.objectID == SiteURL.id(s.officer.id) && $0.actor == AuditActor.user(s.admin.id).value })
            let text = events.map { [$0.actor, $0.objectID ?? "", $0.details].joined(separator: " ") }.joined(separator: "\n")
            #expect(!text.contains("Officer Lyon") && !text.contains(s.officer.email) && !text.contains(Self.genderValue))
            _ = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))
        }
    }

    @Test func unknown_permissions_and_ineligible_users_are_refused_with_a_form_error() async throws {
        try await withApp { app in
            let s = try await Self.setting(app)
            let trainer = try await Fixtures.account(app, in: s.host, roles: [.trainer])
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "cm", country: "CM")
            let partnerOfficer = try await Fixtures.account(app, in: partner, roles: [.protectionOfficer])
            let admin = TestClient(app)
            try await admin.signIn(s.admin)

            let unknown = try await admin.post(s.permissionsPath, [("permissions[]", SensitiveField.genderIdentity.permission),
                                                                   ("permissions[]", "case.sensitive.everything")])
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.text.contains("form-problems") && unknown.text.contains("#permissions"))
            #expect(try await Self.held(app, s.officer.id).isEmpty, "nothing is granted when one value is refused")

            for target in [trainer, partnerOfficer] {
                // No fieldset for them, and the route refuses them.
                let page = try await admin.get(SiteURL.adminUser(target.id).href)
                #expect(page.status == .ok && !page.text.contains(#"id="permissions""#))
                let res = try await admin.post(SiteURL.adminUserAction(target.id, .permissions).href,
                                               [("permissions[]", SensitiveField.genderIdentity.permission)])
                #expect(res.status == .unprocessableEntity)
                #expect(res.text.contains("form-problems"))
                #expect(try await Self.held(app, target.id).isEmpty)
            }
            #expect(try await AuditEventModel.query(on: app.db).filter(\.$action == "user.permissions").count() == 0)
        }
    }

    @Test func only_host_administrators_grant_and_never_to_themselves() async throws {
        try await withApp { app in
            let s = try await Self.setting(app)
            let member = try await Fixtures.organisation(app, type: .consortiumMember, slug: "member", country: "SN")
            let memberAdmin = try await Fixtures.account(app, in: member, roles: [.administrator])
            let memberOfficer = try await Fixtures.account(app, in: member, roles: [.protectionOfficer])
            let handlingAdmin = try await Fixtures.account(app, in: s.host, roles: [.administrator, .coordinator])
            let gender = [("permissions[]", SensitiveField.genderIdentity.permission)]

            // A consortium member's administrator: 403 on their own officer (no fieldset), 404 on the host's.
            let client = TestClient(app)
            try await client.signIn(memberAdmin)
            let ownPage = try await client.get(SiteURL.adminUser(memberOfficer.id).href)
            #expect(ownPage.status == .ok && !ownPage.text.contains(#"id="permissions""#))
            #expect(try await client.post(SiteURL.adminUserAction(memberOfficer.id, .permissions).href, gender).status == .forbidden)
            #expect(try await client.post(s.permissionsPath, gender).status == .notFound)

            // A host administrator who also coordinates cannot grant themselves.
            let own = TestClient(app)
            try await own.signIn(handlingAdmin)
            #expect(try await own.post(SiteURL.adminUserAction(handlingAdmin.id, .permissions).href, gender).status == .forbidden)
            let ownAccount = try await own.get(SiteURL.adminUser(handlingAdmin.id).href)
            #expect(!ownAccount.text.contains(#"id="permissions""#))

            // The host administrator may grant to the consortium member's officer.
            let host = TestClient(app)
            try await host.signIn(s.admin)
            #expect(try await host.post(SiteURL.adminUserAction(memberOfficer.id, .permissions).href, gender).status == .seeOther)

            #expect(try await Self.held(app, s.officer.id).isEmpty)
            #expect(try await Self.held(app, handlingAdmin.id).isEmpty)
            #expect(try await Self.held(app, memberOfficer.id) == [SensitiveField.genderIdentity.permission])
        }
    }

    @Test func a_partner_administrator_cannot_grant() async throws {
        try await withApp { app in
            let partner = try await Fixtures.organisation(app, type: .partner, slug: "cm", country: "CM")
            let partnerAdmin = try await Fixtures.account(app, in: partner, roles: [.administrator])
            let partnerOfficer = try await Fixtures.account(app, in: partner, roles: [.protectionOfficer])
            let client = TestClient(app)
            try await client.signIn(partnerAdmin)
            let res = try await client.post(SiteURL.adminUserAction(partnerOfficer.id, .permissions).href,
                                            [("permissions[]", SensitiveField.genderIdentity.permission)])
            #expect(res.status == .forbidden)
            #expect(try await Self.held(app, partnerOfficer.id).isEmpty)
        }
    }
}

extension SensitivePermissionTests {
    @Test func losing_the_casework_roles_withdraws_the_permissions() async throws {
        try await withApp { app in
            let (host, admin) = try await Fixtures.hostAdmin(app)
            let officer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
            try await UserPermissionRecord(userID: officer.id, permission: SensitiveField.genderIdentity.permission, grantedBy: admin.id,
                                           grantedAt: app.clock.now()).create(on: app.db)
            let client = TestClient(app)
            try await client.signIn(admin)
            // Still a coordinator: the permission stays.
            try await client.post("/admin/users/\(SiteURL.id(officer.id))/roles", [("roles[]", "coordinator")])
            #expect(try await UserPermissionRecord.query(on: app.db).filter(\.$userID == officer.id).count() == 1)
            // A trainer only: it is withdrawn.
            try await client.post("/admin/users/\(SiteURL.id(officer.id))/roles", [("roles[]", "trainer")])
            #expect(try await UserPermissionRecord.query(on: app.db).filter(\.$userID == officer.id).count() == 0)
        }
    }
}
