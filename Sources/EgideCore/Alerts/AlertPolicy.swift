import Foundation

/// What can be done with alerts.
public enum AlertAction: String, CaseIterable, Sendable {
    /// The queue, an alert's page, its attachments.
    case listAlerts, viewAlert
    /// Record an alert received by phone, Signal, email, in person or from a partner.
    case recordAlert
    case triage, assign, comment, requestVerification, decide, merge
    /// Answer a verification request (the request names the verifier).
    case respondToVerification
    /// Deadlines, the verification rule, the category taxonomy.
    case configureAlerts
}

/// The alert policy, as a pure function.
///
/// - Alerts belong to the organisation that runs the protection mechanism (the host, or a
///   consortium member for the alerts it records). Its protection officers and coordinators handle
///   them; nobody else reads them — administrators and auditors included (need-to-know).
/// - Partner staff (protection officers, verifiers) record the alerts they receive; what they
///   record goes to the host and they do not read the queue.
/// - A verifier answers only the verification requests addressed to them, and sees only what
///   verifying needs (never the sender's contact).
/// - Host administrators configure deadlines, the rule and the categories.
/// The alert (or verification request) an action names.
public struct AlertTarget: Sendable, Equatable {
    /// The organisation that owns the alert.
    public var organisation: UUID?
    /// The user a verification request is addressed to.
    public var verifier: UUID?
    public init(organisation: UUID? = nil, verifier: UUID? = nil) {
        self.organisation = organisation
        self.verifier = verifier
    }
}

public enum AlertPolicy: Policy {
    /// The roles that handle alerts.
    public static let handlerRoles: Set<Role> = [.protectionOfficer, .coordinator]

    public static func isHandler(_ actor: Actor) -> Bool {
        actor.organisationType.handlesProtection && !actor.roles.isDisjoint(with: handlerRoles)
    }

    /// Whether `actor` may do `action` to `target` (its owner, or the verifier a request is
    /// addressed to; `nil` for lists, recording and settings).
    public static func evaluate(_ actor: Actor, _ action: AlertAction, _ target: AlertTarget?) -> Decision {
        let alertOrganisation = target?.organisation, requestedVerifier = target?.verifier
        switch action {
        case .configureAlerts:
            return actor.isHostAdministrator ? .allow : .deny("only host administrators configure alerts")
        case .recordAlert:
            if isHandler(actor) { return .allow }
            return actor.organisationType.isPartnering
                && (actor.has(.protectionOfficer) || actor.has(.verifier))
                ? .allow : .deny("not a protection officer or verifier")
        case .respondToVerification:
            guard actor.has(.verifier) else { return .deny("not a verifier") }
            guard let requestedVerifier else { return .allow }  // lists are scoped by the query
            return requestedVerifier == actor.userID ? .allow : .deny("request addressed to someone else")
        case .listAlerts, .viewAlert, .triage, .assign, .comment, .requestVerification, .decide, .merge:
            guard isHandler(actor) else { return .deny("not a protection officer or coordinator") }
            guard let alertOrganisation else { return .allow }
            return alertOrganisation == actor.organisationID ? .allow : .deny("another organisation's alert")
        }
    }
}
