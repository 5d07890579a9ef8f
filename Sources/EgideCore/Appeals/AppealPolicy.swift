import Foundation

/// What the appeals pages and API do.
public enum AppealAction: String, CaseIterable, Sendable {
    /// The list and a document's page (their organisation's documents).
    case view
    /// Start a document or a language version, write a revision, submit it for review.
    case write
    /// Comment on a version in review, send it back to its authors.
    case review
    /// Approve a version: never one of its authors.
    case approve
    /// Publish an approved version, close a document, send a closed letter.
    case publish
    /// Record or withdraw a defender's consent.
    case recordConsent
    /// Subscribers and mailings.
    case manageMailing
    /// The reference pattern of the organisation.
    case configure
}

/// What a decision about one document needs to know: whose it is and who wrote the version.
public struct AppealTarget: Sendable, Equatable {
    public var organisationID: UUID
    /// Everyone who wrote a revision of the version concerned.
    public var authors: Set<UUID>
    public init(organisationID: UUID, authors: Set<UUID> = []) {
        self.organisationID = organisationID
        self.authors = authors
    }
}

/// The appeals policy, as pure functions.
///
/// - Appeals are written in organisations that handle protection (the host and consortium
///   members): communications officers, coordinators and protection officers write, comment and
///   record consents; auditors read. Partners see none.
/// - Approving a version is for communications officers and coordinators who wrote none of it:
///   a reviewer who suggested an edit became an author, and someone else approves.
/// - Publishing, mailings and subscribers are for communications officers and coordinators; the
///   reference pattern for coordinators and administrators.
/// - A document belongs to its organisation: another organisation's answers 404 (the queries).
public enum AppealPolicy: Policy {
    public static let writerRoles: Set<Role> = [.communicationsOfficer, .coordinator, .protectionOfficer]
    public static let readerRoles: Set<Role> = writerRoles.union([.auditor])
    public static let publisherRoles: Set<Role> = [.communicationsOfficer, .coordinator]

    public static func evaluate(_ actor: Actor, _ action: AppealAction, _ target: AppealTarget?) -> Decision {
        guard actor.organisationType.handlesProtection else { return .deny("appeals are written by organisations that handle protection") }
        if let target, target.organisationID != actor.organisationID { return .deny("another organisation's document") }
        let holds = { (roles: Set<Role>) in !actor.roles.isDisjoint(with: roles) }
        switch action {
        case .view:
            return holds(readerRoles) ? .allow : .deny("no appeals role")
        case .write, .review, .recordConsent:
            return holds(writerRoles) ? .allow : .deny("does not write appeals")
        case .approve:
            guard holds(publisherRoles) else { return .deny("does not approve appeals") }
            if let target, target.authors.contains(actor.userID) { return .deny("nobody approves what they wrote") }
            return .allow
        case .publish, .manageMailing:
            return holds(publisherRoles) ? .allow : .deny("does not publish appeals")
        case .configure:
            return actor.has(.coordinator) || actor.has(.administrator) ? .allow : .deny("not a coordinator or administrator")
        }
    }
}
