import Foundation

/// What can be done with protection cases.
public enum CaseAction: String, CaseIterable, Sendable {
    /// The case list (scoped by the query to what the actor may see), and opening a case.
    case listCases, createCase
    /// A case's page; its people, organisations, country, field of work, status.
    case viewCase, editCase
    /// The lead officer, the team, and the partner organisations granted access.
    case manageTeam
    case assessRisk, editPlan, manageSupport
    /// Refer the case to a partner organisation (and withdraw the referral).
    case refer
    /// Accept, decline or report back on a referral (the referral names the partner).
    case answerReferral
    /// Schedule follow-ups and record how they went (the case team: full view).
    case addFollowUp
    /// A follow-up note: how a partner granted access reports on the defender (any view).
    case addPartnerNote
    /// Case conference or audit.
    case recordReview
    case closeCase, reopenCase
    /// Who viewed the case file.
    case viewAccessLog
    /// Aggregate figures only (cases by status, country, level, support type).
    case viewCaseStatistics
}

/// The case acted on, as the policy needs it.
public struct CaseAccess: Sendable, Equatable {
    /// The organisation that opened the case and holds its file.
    public var organisationID: UUID
    public var leadOfficerID: UUID?
    public var teamMemberIDs: Set<UUID>
    /// Partner organisations given access to the case (need-to-know, limited view).
    public var grantedOrganisationIDs: Set<UUID>
    /// For `answerReferral`: the organisation the referral is addressed to.
    public var referralTargetOrganisationID: UUID?

    public init(organisationID: UUID, leadOfficerID: UUID?, teamMemberIDs: Set<UUID> = [],
                grantedOrganisationIDs: Set<UUID> = [], referralTargetOrganisationID: UUID? = nil) {
        self.organisationID = organisationID
        self.leadOfficerID = leadOfficerID
        self.teamMemberIDs = teamMemberIDs
        self.grantedOrganisationIDs = grantedOrganisationIDs
        self.referralTargetOrganisationID = referralTargetOrganisationID
    }
}

/// How much of a case file an actor sees.
public enum CaseView: String, Sendable, Equatable {
    /// Everything, sensitive fields subject to their own permission (`CasePolicy.maySee`).
    case full
    /// A partner's view: the case without people's sensitive fields and without the access log.
    case limited
}

/// The case policy, as a pure function. Case files hold what can get a defender killed: the rule
/// is need-to-know, and no role opens a case file by itself.
///
/// - Handlers are the protection officers and coordinators of a host or consortium-member
///   organisation. Any handler may open a case, and becomes its lead officer.
/// - A coordinator of the owning organisation sees and acts on every case of it, and is the only
///   one to record case conferences and audits.
/// - A protection officer of the owning organisation sees and acts only on the cases they lead or
///   are on the team of. Among them, only the lead (or a coordinator) manages the team and the
///   partner grants, closes and reopens the case, and sees who viewed it.
/// - Protection officers and coordinators of an organisation the case is granted to (a partner,
///   a network member) see a limited view (`CaseDisclosure.limited`) and add follow-up notes;
///   nothing else: scheduling and recording follow-ups is the case team's.
/// - A referral is answered (accepted, declined, reported back on) by a protection officer or
///   coordinator of the organisation it is addressed to. Answering does not open the case file:
///   the partner sees what the officer chose to share (`ReferralShare`) until access is granted.
/// - Administrators, auditors and every other role get no case file by their role alone. Auditors
///   and coordinators see aggregate figures (`viewCaseStatistics`), which name no one.
/// - Sensitive fields (gender identity, sexual orientation) also need their own permission: see `maySee`.
public enum CasePolicy: Policy {
    /// The roles that handle cases.
    public static let handlerRoles: Set<Role> = [.protectionOfficer, .coordinator]

    /// A protection officer or coordinator of a host or consortium-member organisation.
    public static func isHandler(_ actor: Actor) -> Bool {
        actor.organisationType.handlesProtection && !actor.roles.isDisjoint(with: handlerRoles)
    }

    /// How much of the case `actor` sees; `nil`: nothing (the App answers 404).
    public static func view(_ actor: Actor, context: CaseAccess) -> CaseView? {
        if isHandler(actor), context.organisationID == actor.organisationID {
            if actor.has(.coordinator) || isOnCase(actor, context) { return .full }
        }
        if context.organisationID != actor.organisationID, context.grantedOrganisationIDs.contains(actor.organisationID),
           !actor.roles.isDisjoint(with: handlerRoles) {
            return .limited
        }
        return nil
    }

    /// Whether `actor` may do `action`; `context` describes the case acted on (`nil` for the list,
    /// creation, statistics, and the list of referrals addressed to the actor's organisation).
    public static func evaluate(_ actor: Actor, _ action: CaseAction, _ context: CaseAccess?) -> Decision {
        switch action {
        case .viewCaseStatistics:
            return actor.has(.auditor) || (actor.has(.coordinator) && isHandler(actor))
                ? .allow : .deny("aggregate figures are for coordinators and auditors")
        case .createCase:
            return isHandler(actor) ? .allow : .deny("not a protection officer or coordinator")
        case .listCases:
            // The query shows each actor only the cases `view` allows.
            return actor.roles.isDisjoint(with: handlerRoles) ? .deny("not a protection officer or coordinator") : .allow
        case .answerReferral:
            guard !actor.roles.isDisjoint(with: handlerRoles) else { return .deny("not a protection officer or coordinator") }
            guard let context else { return .allow }  // lists are scoped by the query
            return context.referralTargetOrganisationID == actor.organisationID
                ? .allow : .deny("referral addressed to another organisation")
        default:
            break
        }
        guard let context else { return .deny("no case given") }
        guard let view = view(actor, context: context) else { return .deny("not on this case (need-to-know)") }
        let isLeadOrCoordinator = actor.has(.coordinator) || context.leadOfficerID == actor.userID
        switch action {
        case .viewCase:
            return .allow
        case .addPartnerNote:
            return .allow
        case .editCase, .assessRisk, .editPlan, .manageSupport, .refer, .addFollowUp:
            return view == .full ? .allow : .deny("partners see a limited view and add follow-up notes only")
        case .manageTeam, .closeCase, .reopenCase, .viewAccessLog:
            guard view == .full else { return .deny("partners see a limited view and add follow-up notes only") }
            return isLeadOrCoordinator ? .allow : .deny("only the lead officer or a coordinator")
        case .recordReview:
            return view == .full && actor.has(.coordinator) ? .allow : .deny("case reviews are for coordinators")
        case .listCases, .createCase, .answerReferral, .viewCaseStatistics:
            return .allow  // decided above
        }
    }

    /// Whether `actor` may see (and edit) a person's sensitive `field` in the case: they must see
    /// the full case and hold that field's own permission (`SensitiveField.permission`) among
    /// `grantedPermissions`. Partners' limited view never shows them.
    public static func maySee(_ field: SensitiveField, actor: Actor, grantedPermissions: Set<String>,
                              context: CaseAccess) -> Decision {
        guard view(actor, context: context) == .full else { return .deny("needs the full case file") }
        return grantedPermissions.contains(field.permission) ? .allow : .deny("needs the permission \(field.permission)")
    }

    static func isOnCase(_ actor: Actor, _ context: CaseAccess) -> Bool {
        context.leadOfficerID == actor.userID || context.teamMemberIDs.contains(actor.userID)
    }
}

/// Which parts of a case file a view discloses: the one decision that the case page and the API
/// both read (`CaseFileReader` leaves out what this withholds, so neither door can show more).
public struct CaseDisclosure: Sendable, Equatable {
    /// The situation (the case's summary) and the defender's situation at closure.
    public var situation: Bool
    /// People's aliases, date of birth, contacts, address and notes (names and roles always).
    public var personDetails: Bool
    /// Gender identity and sexual orientation — each also needs its own permission (`CasePolicy.maySee`).
    public var sensitiveFields: Bool
    /// An assessment's threats, vulnerabilities, capacities and justification (levels always).
    public var assessmentDetails: Bool
    /// Referrals to other organisations, and the messages, answers and reports of referrals.
    public var allReferrals: Bool
    public var referralMessages: Bool
    /// Case conferences and audits.
    public var reviews: Bool
    /// The notes of impact records (the answers always).
    public var impactNotes: Bool

    /// What `view` discloses. The full view discloses everything; a partner's limited view the
    /// code, status, facts, names and roles, risk levels, plan, support, follow-ups, its own
    /// organisation's referrals (without their texts) and the impact answers.
    public static func of(_ view: CaseView) -> CaseDisclosure {
        let full = view == .full
        return CaseDisclosure(situation: full, personDetails: full, sensitiveFields: full, assessmentDetails: full,
                              allReferrals: full, referralMessages: full, reviews: full, impactNotes: full)
    }
}
