import EgideCore

/// One entry of the main menu, declared by the module that owns the page. The menu, and the page
/// a person lands on after signing in, are assembled from these declarations (`Modules.navigation`):
/// a new module adds its entries to its own `navigation`, not to the layout.
struct NavigationEntry: Sendable {
    /// Where the entry sits in the menu (lower first); modules leave gaps between theirs.
    var position: Int
    var url: SiteURL
    /// The catalogue key of the entry's label.
    var labelKey: String
    /// Whether this actor sees the entry.
    var shows: @Sendable (Actor) -> Bool
    /// Whether this page is this actor's daily work page: the first such entry is where they land
    /// after signing in, and what `/` shows them.
    var landsHere: @Sendable (Actor) -> Bool = { _ in false }
}

extension Modules {
    /// The menu for a signed-in actor, in position order.
    static func navigation(for actor: Actor) -> [NavigationEntry] {
        all.flatMap { $0.navigation }.sorted { $0.position < $1.position }.filter { $0.shows(actor) }
    }

    /// The page this actor starts from: the first work page of their menu, else their account.
    static func landing(for actor: Actor) -> SiteURL {
        navigation(for: actor).first { $0.landsHere(actor) }?.url ?? .account
    }
}
