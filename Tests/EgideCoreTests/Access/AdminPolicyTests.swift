import Foundation
import Testing
@testable import EgideCore

@Suite struct AdminPolicyTests {
    let host = UUID(), partner = UUID(), other = UUID()

    func actor(_ roles: Set<Role>, org: UUID, type: OrganisationType) -> Actor {
        Actor(userID: UUID(), organisationID: org, organisationType: type, roles: roles)
    }

    @Test func a_host_administrator_administers_every_organisation() {
        let admin = actor([.administrator], org: host, type: .host)
        for action in AdminAction.allCases {
            #expect(AdminPolicy.evaluate(admin, action, AdminTarget(organisation: partner, user: UUID())).isAllowed, "\(action)")
        }
    }

    @Test func a_partner_administrator_stays_within_their_own_organisation() {
        let admin = actor([.administrator], org: partner, type: .partner)
        #expect(AdminPolicy.evaluate(admin, .inviteUser, AdminTarget(organisation: partner)).isAllowed)
        #expect(AdminPolicy.evaluate(admin, .disableUser, AdminTarget(organisation: partner, user: UUID())).isAllowed)
        #expect(!AdminPolicy.evaluate(admin, .inviteUser, AdminTarget(organisation: other)).isAllowed)
        #expect(!AdminPolicy.evaluate(admin, .viewUser, AdminTarget(organisation: other, user: UUID())).isAllowed)
        #expect(!AdminPolicy.evaluate(admin, .createOrganisation).isAllowed)
        #expect(!AdminPolicy.evaluate(admin, .editOrganisation, AdminTarget(organisation: partner)).isAllowed)
        #expect(!AdminPolicy.evaluate(admin, .viewAuditTrail).isAllowed)
    }

    @Test(arguments: Role.allCases.filter { $0 != .administrator })
    func other_roles_administer_nothing(role: Role) {
        let user = actor([role], org: host, type: .host)
        for action in AdminAction.allCases where action != .viewAuditTrail {
            #expect(!AdminPolicy.evaluate(user, action, AdminTarget(organisation: host)).isAllowed, "\(role) \(action)")
        }
    }

    @Test func nobody_changes_their_own_access() {
        let admin = actor([.administrator], org: host, type: .host)
        for action in [AdminAction.changeRoles, .disableUser, .resetTwoFactor, .changeSensitivePermissions] {
            #expect(!AdminPolicy.evaluate(admin, action, AdminTarget(organisation: host, user: admin.userID)).isAllowed)
        }
        #expect(AdminPolicy.evaluate(admin, .viewUser, AdminTarget(organisation: host, user: admin.userID)).isAllowed)
    }

    @Test func only_host_administrators_grant_sensitive_field_permissions_and_never_to_themselves() {
        let hostAdmin = actor([.administrator], org: host, type: .host)
        #expect(AdminPolicy.evaluate(hostAdmin, .changeSensitivePermissions, AdminTarget(organisation: host, user: UUID())).isAllowed)
        #expect(AdminPolicy.evaluate(hostAdmin, .changeSensitivePermissions, AdminTarget(organisation: partner, user: UUID())).isAllowed)
        let partnerAdmin = actor([.administrator], org: partner, type: .partner)
        #expect(!AdminPolicy.evaluate(partnerAdmin, .changeSensitivePermissions, AdminTarget(organisation: partner, user: UUID())).isAllowed)
        #expect(!AdminPolicy.evaluate(partnerAdmin, .changeSensitivePermissions, AdminTarget(organisation: other, user: UUID())).isAllowed)
        let memberAdmin = actor([.administrator], org: other, type: .consortiumMember)
        #expect(!AdminPolicy.evaluate(memberAdmin, .changeSensitivePermissions, AdminTarget(organisation: other, user: UUID())).isAllowed)
        // Not on themselves, even a host administrator who also handles cases.
        let handlingAdmin = actor([.administrator, .coordinator], org: host, type: .host)
        #expect(!AdminPolicy.evaluate(handlingAdmin, .changeSensitivePermissions, AdminTarget(organisation: host, user: handlingAdmin.userID)).isAllowed)
        #expect(!AdminPolicy.evaluate(actor([.coordinator], org: host, type: .host), .changeSensitivePermissions,
                                      AdminTarget(organisation: host, user: UUID())).isAllowed)
    }

    @Test func the_audit_trail_is_for_host_administrators_and_auditors() {
        #expect(AdminPolicy.evaluate(actor([.auditor], org: host, type: .host), .viewAuditTrail).isAllowed)
        #expect(!AdminPolicy.evaluate(actor([.auditor], org: partner, type: .partner), .viewAuditTrail).isAllowed)
        #expect(!AdminPolicy.evaluate(actor([.protectionOfficer], org: host, type: .host), .viewAuditTrail).isAllowed)
    }

    @Test func partners_cannot_be_given_coordinating_roles() {
        let admin = actor([.administrator], org: host, type: .host)
        #expect(AdminPolicy.mayGrant([.verifier], in: .partner, by: admin).isAllowed)
        #expect(!AdminPolicy.mayGrant([.coordinator], in: .partner, by: admin).isAllowed)
        #expect(!AdminPolicy.mayGrant([.auditor], in: .partner, by: admin).isAllowed)
        #expect(!AdminPolicy.mayGrant([], in: .host, by: admin).isAllowed)
        #expect(AdminPolicy.mayGrant(Set(Role.allCases), in: .host, by: admin).isAllowed)
    }
}
