import EgideCore

/// What belongs to no one feature: the home page, "Needs my attention", my account, stored files.
enum PlatformModule: Module {
    static let navigation: [NavigationEntry] = [
        NavigationEntry(position: 10, url: .attention, labelKey: "nav.attention", shows: AttentionPage.isFor, landsHere: AttentionPage.isWorkPage),
        NavigationEntry(position: 100, url: .account, labelKey: "nav.account", shows: { _ in true }),
    ]

    static let encryptedRecords: [any EncryptedRecord.Type] = [EncryptedFileRecord.self]
}
