import EgideCore

/// Organisations, accounts and the audit trail.
enum AdministrationModule: Module {
    static let navigation: [NavigationEntry] = [
        NavigationEntry(position: 60, url: .adminOrganisations, labelKey: "nav.organisations",
                        shows: { $0.has(.administrator) }, landsHere: { $0.has(.administrator) }),
        NavigationEntry(position: 61, url: .adminUsers, labelKey: "nav.users", shows: { $0.has(.administrator) }),
        NavigationEntry(position: 90, url: .adminAudit, labelKey: "nav.audit",
                        shows: { AdminPolicy.evaluate($0, .viewAuditTrail).isAllowed }, landsHere: { $0.has(.auditor) }),
    ]

    static let encryptedRecords: [any EncryptedRecord.Type] = [OrganisationRecord.self, UserRecord.self]
}
