import Foundation

/// A step of a language version's life.
public enum AppealStep: String, CaseIterable, Sendable {
    /// Write a new revision of the text (a draft, a version in review, or an update of a
    /// published one, which goes back to draft while the published text stays online).
    case revise
    case submit
    /// Send back to its authors with the reviewers' comments.
    case returnToDraft = "return"
    case approve
    case publish
    case close
    /// A defender's consent was withdrawn: off the public page and the feed.
    case withdraw

    public var labelKey: String { "appeal.step.\(rawValue)" }
}

/// The rules of the appeals workflow, as pure functions: which step is open from which state,
/// and what publishing needs.
public enum AppealSteps {
    /// The state after `step` from `state`, or `nil` when the step is not open.
    public static func next(_ state: AppealState, _ step: AppealStep, wasPublished: Bool) -> AppealState? {
        switch (step, state) {
        case (.revise, .draft), (.revise, .inReview): return state
        case (.revise, .approved), (.revise, .published), (.revise, .updated), (.revise, .withdrawn): return .draft
        case (.submit, .draft): return .inReview
        case (.returnToDraft, .inReview): return .draft
        case (.approve, .inReview): return .approved
        case (.publish, .approved): return wasPublished ? .updated : .published
        case (.close, .draft), (.close, .inReview), (.close, .approved), (.close, .published), (.close, .updated), (.close, .withdrawn): return .closed
        case (.withdraw, .published), (.withdraw, .updated): return .withdrawn
        // A version being updated after publication is still online until the update is published.
        case (.withdraw, .draft), (.withdraw, .inReview), (.withdraw, .approved): return wasPublished ? state : nil
        default: return nil
        }
    }

    /// The steps a page offers from `state` (the policy and consents decide who may take them).
    public static func open(from state: AppealState, wasPublished: Bool) -> [AppealStep] {
        AppealStep.allCases.filter { $0 != .withdraw && $0 != .revise && next(state, $0, wasPublished: wasPublished) != nil }
    }

    /// The consent in force for one defender and one channel: the latest recorded.
    public struct Consent: Sendable, Equatable {
        public var personID: UUID
        public var channel: AppealChannel
        public var granted: Bool
        public var at: Date
        public init(personID: UUID, channel: AppealChannel, granted: Bool, at: Date) {
            self.personID = personID
            self.channel = channel
            self.granted = granted
            self.at = at
        }
    }

    /// The defenders named whose consent for `channel` is not in force (empty: the channel may be used).
    public static func missingConsent(for channel: AppealChannel, defenders: [UUID], consents: [Consent]) -> [UUID] {
        defenders.filter { person in
            let latest = consents.filter { $0.personID == person && $0.channel == channel }.max { $0.at < $1.at }
            return latest?.granted != true
        }
    }

    /// Why `kind` may not use `channel` (a closed letter never reaches the public), or `nil`.
    public static func refusal(kind: AppealKind, channel: AppealChannel) -> String? {
        kind.channels.contains(channel) ? nil : "appeal.refusal.closedLetter"
    }
}
