import App
import EgideCore
import Fluent
import Foundation
import Vapor

/// The demo's protection cases: about 80 fictional cases in French and English, in every status,
/// written only through `CaseWorkflow` (the same code paths as production), so encryption, name
/// tokens, timelines and the audit chain are exactly what real use produces.
///
/// About 25 cases are opened from the demo's verified alerts (the alert moves to `case_opened`),
/// a few verified alerts are attached to an existing case of the same defender (one of them after
/// the case is reopened), the rest are opened directly. Each case is planned as a story — team,
/// relatives at risk, consent, risk assessments going up and down, a security plan, support,
/// referrals to the partners, follow-ups (some overdue), coordinator reviews, closure with impact
/// records at closure, 3 and 12 months — and every step of every case and every alert is played
/// in time order with Egide's clock set to the step's moment, so the audit log stays in time order.
///
/// Most cases are of the last four months, like the alerts; a handful are older (opened about
/// 14 months ago, before the alert intake was in use) so that impact records at 12 months exist
/// with realistic dates.
enum DemoCases {
    typealias Random = DemoAlerts.Random

    // MARK: Who does what (emails of `DemoData.organisations`)

    static func email(_ local: String) -> String { DemoAlerts.email(local) }
    static let coordinator = email("karim.benali")
    static let officers = [email("aissatou.diallo"), email("julien.roux")]
    static let genevaOfficer = DemoAlerts.genevaHandler
    /// Partner staff who answer referrals and write follow-up notes on the cases granted to their organisation.
    static let partnerHandlers: [String: String] = ["cm-yaounde": email("helene.mvogo"), "cd-bukavu": email("patrick.mukendi")]
    /// The partner working in or near each country (referrals, partner-delivered support).
    static let partnerOf: [String: String] = [
        "CM": "cm-yaounde", "CF": "cm-yaounde", "TD": "cm-yaounde", "CD": "cd-bukavu", "BI": "cd-bukavu",
        "TN": "tn-tunis", "GE": "ge-tbilisi", "AM": "ge-tbilisi",
    ]
    /// The local currency of support costs (EUR elsewhere, and for a share of each country's costs).
    static let currencyOf: [String: String] = ["CM": "XAF", "CF": "XAF", "TD": "XAF", "CD": "CDF", "TN": "TND", "GE": "GEL"]
    /// Approximate units of each currency for one euro, to price support in local currency.
    static let perEuro: [String: Double] = ["EUR": 1, "XAF": 655.957, "CDF": 3_100, "TND": 3.4, "GEL": 3.1]

    // MARK: How many

    /// How the cases end, by status. About 25 of them come from verified alerts (see `Planner.build`).
    static let statuses: [(CaseStatus, Int)] = [(.open, 6), (.active, 26), (.monitoring, 18), (.closed, 20), (.reopened, 10)]
    /// Verified alerts left waiting for a decision (the most recently verified ones).
    static let alertsLeftVerified = 9
    /// Verified alerts attached to an existing case of the same defender.
    static let alertsAttached = 4
    /// Direct cases of each country (the cases from alerts come on top).
    static let countries: [(String, Int)] = [("CM", 16), ("CD", 15), ("TN", 11), ("GE", 11)]

    // MARK: Plans

    enum Step: Sendable {
        case open(by: String)
        case attach(alert: Int, by: String)
        case team(lead: String, members: [String], by: String)
        case grant(String, by: String)
        case person(PersonRole, isOrganisation: Bool, CaseContent.Identity, by: String)
        /// The defender's consent recorded, with their gender identity or sexual orientation if they gave it.
        case consent(CaseContent.Sensitive?, by: String)
        case assess(CaseContent.Assessment, judged: RiskLevel, by: String)
        /// Items are named by a label unique in their case, so later steps can refer to them.
        case measure(String, MeasureStage, CaseContent.Measure, assignee: String?, due: Date?, by: String)
        case measureState(String, MeasureState, note: String?, by: String)
        case planReview(String, by: String)
        case support(String, SupportType, CaseContent.Support, cost: Money?, partner: String?, by: String)
        case supportState(String, SupportState, outcome: String?, by: String)
        case refer(String, to: String, shares: Set<ReferralShare>, consent: Bool, message: String, by: String)
        case referral(String, ReferralState, text: String?, by: String)
        case followUp(String, due: Date, purpose: String, assignee: String, by: String)
        case followUpDone(String, FollowUpState, notes: String, newThreat: Bool, by: String)
        case partnerNote(String, by: String)
        case review(CaseContent.Review, by: String)
        case status(CaseStatus, by: String)
        case close(CaseOutcome, situation: String, CaseContent.Impact, by: String)
        case impact(ImpactMoment, CaseContent.Impact, by: String)
    }

    struct Plan: Sendable {
        var country: String
        var region: String?
        var summary: String
        var fieldOfWork: FieldOfWork?
        /// The index of the verified alert it is opened from (in the alert plans).
        var alert: Int?
        var defender: CaseContent.Identity
        var defenderIsOrganisation: Bool
        /// The status the story ends in.
        var fate: CaseStatus
        var steps: [(at: Date, step: Step)]
    }

    /// Writes the stories of every case, ending before `end`, beside the alerts' `alerts` plans;
    /// `start` is when the demo network was created.
    static func plan(alerts: [DemoAlerts.Plan], start: Date, end: Date, seed: UInt64 = 0xCA5E_2026) -> [Plan] {
        var planner = Planner(start: start, end: end, rng: Random(state: seed), alerts: alerts)
        return planner.build()
    }

    /// A verified alert as the planner sees it.
    struct VerifiedAlert {
        var index: Int
        var received: Date
        var verified: Date
        /// Who handled it (the triaging officer, or the one it was assigned to).
        var officer: String
        var geneva: Bool
    }

    /// The alerts whose story ends verified, oldest verification first.
    static func verifiedAlerts(_ alerts: [DemoAlerts.Plan]) -> [VerifiedAlert] {
        alerts.enumerated().compactMap { index, plan -> VerifiedAlert? in
            var officer = plan.geneva ? genevaOfficer : nil
            var last: (TimeInterval, AlertWorkflow.Decision)?
            var merged = false
            for (after, step) in plan.steps {
                switch step {
                case .triage(_, let by, _): officer = officer ?? by
                case .assign(let to, _): if !plan.geneva { officer = to }
                case .decide(let decision, _, _): last = (after, decision)
                case .merge: merged = true
                default: break
                }
            }
            guard !merged, let last, last.1 == .verified, let officer else { return nil }
            return VerifiedAlert(index: index, received: plan.received, verified: plan.received.addingTimeInterval(last.0),
                                 officer: officer, geneva: plan.geneva)
        }.sorted { $0.verified < $1.verified }
    }

    /// One case before its story is written.
    struct Spec {
        var fate: CaseStatus
        var openAt: Date
        var country: String
        var geneva = false
        var alert: VerifiedAlert?
        /// A later alert about the same defender, attached to this case.
        var attach: VerifiedAlert?
        /// Opened before the alerts' four months (so it has an impact record at 12 months).
        var old = false
        /// Closed early enough for its impact record at 3 months to be due.
        var earlyClosure = false
        /// How it was closed (dealt out when the specs are made).
        var outcome: CaseOutcome?
    }

    /// What the story knows of its case while it is written.
    struct Story {
        let fr: Bool
        let name: String
        let region: String
        let woman: Bool
        let country: String
        let theme: FieldOfWork
        let lead: String
        let host: Bool
        let partner: String?
        let partnerName: String?
        var team: [String] = []
        var consent = false
        var granted = false
        var status: CaseStatus = .open
        var judged: RiskLevel?
        var computed: RiskLevel?
        var nextReview: Date?
        var versions = 0
        var labels = 0
        var usedMeasures: Set<Int> = []
        var measures: [(label: String, state: MeasureState)] = []
        var supports: [(label: String, state: SupportState)] = []
        var usedSupports: Set<Int> = []
        var referrals: [(label: String, state: ReferralState, partner: String)] = []
        /// Scheduled follow-ups: when they are due, when (and how) they get recorded.
        var followUps: [(label: String, due: Date, recorded: Date, assignee: String)] = []
        var reviews = 0
        var planReviews = 0
        var steps: [(at: Date, step: Step)] = []

        func text(_ pair: DemoCaseTexts.Pair) -> String {
            DemoAlertTexts.fill(fr ? pair.fr : pair.en, name: name, region: region, organisation: name, woman: woman)
        }

        mutating func label(_ prefix: String) -> String {
            labels += 1
            return "\(prefix)\(labels)"
        }

        var members: [String] { [lead] + team }
    }

    struct Planner {
        let start: Date
        let end: Date
        var rng: Random
        let alerts: [DemoAlerts.Plan]
        var usedNames: [String] = []
        var organisationsLeft = DemoCaseTexts.organisations
        var sensitiveLeft = DemoCaseTexts.sensitive

        init(start: Date, end: Date, rng: Random, alerts: [DemoAlerts.Plan]) {
            self.start = start
            self.end = end
            self.rng = rng
            self.alerts = alerts
            usedNames = alerts.flatMap { [$0.input.defenderName, $0.input.organisationName].compactMap { $0 } }
        }

        /// The last moment a step may take place (the alerts' latest steps are a little earlier).
        var limit: Date { end.addingTimeInterval(-20 * 60) }

        func ago(_ days: Double) -> Date { end.addingTimeInterval(-days * 86400) }
        mutating func days(_ range: ClosedRange<Double>) -> TimeInterval { Double.random(in: range, using: &rng) * 86400 }
        mutating func between(_ from: Date, _ to: Date) -> Date {
            guard to > from else { return from }
            return from.addingTimeInterval(Double.random(in: 0...to.timeIntervalSince(from), using: &rng))
        }

        // MARK: Which cases

        mutating func build() -> [Plan] {
            let verified = DemoCases.verifiedAlerts(alerts)
            var older = Array(verified.dropLast(alertsLeftVerified))
            // A few verified alerts about a defender who already has a case: attached to it.
            var attached: [VerifiedAlert] = []
            var attachCountries: Set<String> = []
            for candidate in older.shuffled(using: &rng) where attached.count < alertsAttached {
                let country = alerts[candidate.index].input.country ?? ""
                guard !candidate.geneva, candidate.received < ago(35), candidate.received > ago(100),
                      alerts[candidate.index].input.defenderName != nil, !attachCountries.contains(country) else { continue }
                attached.append(candidate)
                attachCountries.insert(country)
            }
            older.removeAll { alert in attached.contains { $0.index == alert.index } }

            var quota = Dictionary(uniqueKeysWithValues: statuses)
            var specs: [Spec] = []
            func take(_ status: CaseStatus) { quota[status, default: 0] -= 1 }

            // Old cases (before the alerts' four months): four closed and one reopened lately.
            for (offset, country) in ["CM", "CD", "TN", "GE", "CM"].enumerated() {
                let fate: CaseStatus = offset == 4 ? .reopened : .closed
                specs.append(Spec(fate: fate, openAt: ago(440 - Double(offset) * 3) + days(0...1), country: country, old: true))
                take(fate)
            }
            // Cases that get a verified alert attached later: two reopened for it, two still active.
            for (offset, alert) in attached.enumerated() {
                let fate: CaseStatus = offset < 2 ? .reopened : .active
                let earliest = max(ago(124), start.addingTimeInterval(2 * 86400)) + rng.hours(0...96)
                let openAt = max(earliest, alert.received.addingTimeInterval(-days(fate == .reopened ? 45...70 : 15...40)))
                specs.append(Spec(fate: fate, openAt: openAt, country: alerts[alert.index].input.country ?? "CM", attach: alert))
                take(fate)
            }
            // Cases opened from verified alerts, a few hours to a few days after the decision.
            for alert in older {
                let openAt = min(alert.verified.addingTimeInterval(rng.hours(1...72)), limit.addingTimeInterval(-86400))
                let age = end.timeIntervalSince(openAt) / 86400
                var fate: CaseStatus
                switch age {
                case ..<25: fate = .active
                case ..<60: fate = rng.chance(0.5) ? .active : .monitoring
                default:
                    let weights: [(CaseStatus, Double)] = [(.active, 3), (.monitoring, 3), (.closed, 3), (.reopened, age > 70 ? 1.5 : 0)]
                    fate = pickWeighted(weights.filter { (quota[$0.0] ?? 0) > 4 && $0.1 > 0 }) ?? .active
                }
                specs.append(Spec(fate: fate, openAt: openAt, country: alerts[alert.index].input.country ?? "CM", geneva: alert.geneva, alert: alert))
                take(fate)
            }
            // Direct cases for the rest, in each country.
            var countriesLeft = DemoCases.countries.flatMap { Array(repeating: $0.0, count: $0.1) }.shuffled(using: &rng)
            var direct: [Spec] = []
            var early = 0
            for (status, _) in statuses {
                for _ in 0..<max(0, quota[status] ?? 0) {
                    let country = countriesLeft.popLast() ?? "CM"
                    var spec = Spec(fate: status, openAt: end, country: country)
                    switch status {
                    case .open: spec.openAt = ago(Double.random(in: 0.3...4, using: &rng))
                    case .active: spec.openAt = ago(Double.random(in: 5...122, using: &rng))
                    case .monitoring: spec.openAt = ago(Double.random(in: 25...122, using: &rng))
                    case .closed:
                        if early < 3 {
                            early += 1
                            spec.earlyClosure = true
                            spec.openAt = ago(Double.random(in: 118...124, using: &rng))
                        } else {
                            spec.openAt = ago(Double.random(in: 30...124, using: &rng))
                        }
                    case .reopened: spec.openAt = ago(Double.random(in: 50...124, using: &rng))
                    }
                    direct.append(spec)
                }
            }
            // A few handled by the Geneva consortium member.
            var genevaLeft = 4
            for index in direct.indices where genevaLeft > 0 && ["GE", "TN"].contains(direct[index].country) && direct[index].fate != .open {
                direct[index].geneva = true
                genevaLeft -= 1
            }
            specs += direct

            // Outcomes dealt out: every outcome among the closed cases (the old ones, whose impact
            // records at 3 and 12 months exist, after a clear ending); the reopened ones had milder ends.
            let closedCount = specs.filter { $0.fate == .closed }.count
            var outcomes = CaseOutcome.allCases + (0..<max(0, closedCount - CaseOutcome.allCases.count)).map { _ in
                rng.pick([.riskReduced, .riskReduced, .riskReduced, .relocated, .riskUnchanged, .declinedSupport, .lostContact, .other] as [CaseOutcome])
            }
            outcomes.shuffle(using: &rng)
            for index in specs.indices where specs[index].fate == .closed && specs[index].old {
                let wanted: [CaseOutcome] = [.riskReduced, .relocated, .riskUnchanged, .riskReduced, .declinedSupport]
                let pick = outcomes.firstIndex(of: wanted[index % wanted.count]) ?? outcomes.firstIndex(of: .riskReduced) ?? 0
                specs[index].outcome = outcomes.remove(at: pick)
            }
            for index in specs.indices where specs[index].fate == .closed && !specs[index].old { specs[index].outcome = outcomes.removeFirst() }
            let milder: [CaseOutcome] = [.riskReduced, .riskUnchanged, .lostContact, .declinedSupport, .relocated, .other]
            for (offset, index) in specs.indices.filter({ specs[$0].fate == .reopened }).enumerated() {
                specs[index].outcome = milder[offset % milder.count]
            }

            specs.sort { $0.openAt < $1.openAt }
            return specs.map { plan(for: $0) }
        }

        mutating func pickWeighted<T>(_ weights: [(T, Double)]) -> T? {
            let total = weights.map(\.1).reduce(0, +)
            guard total > 0 else { return nil }
            var roll = Double.random(in: 0..<total, using: &rng)
            for (value, weight) in weights {
                if roll < weight { return value }
                roll -= weight
            }
            return weights.last?.0
        }

        // MARK: Who the case is about

        /// A defender's name unlike every other name of the demo (alerts and cases), with its
        /// spelling in the country's script as an alias now and then.
        mutating func uniqueName(country: String, woman: Bool) -> (name: String, alias: String?) {
            let pools = [DemoAlertTexts.names[country], DemoCaseTexts.moreNames[country]].compactMap { $0 }
            let firsts = pools.flatMap { woman ? $0.women : $0.men }
            let lasts = pools.flatMap(\.surnames)
            let native = pools.map(\.nativeShare).max() ?? 0
            for attempt in 0..<500 {
                let first = rng.pick(firsts), last = rng.pick(lasts)
                let name = first.0 + " " + last.0
                guard attempt > 400 || !usedNames.contains(where: { NameMatcher.isLikelySame($0, name) || NameMatcher.isLikelySame(name, $0) })
                else { continue }
                usedNames.append(name)
                var alias: String?
                if let a = first.1, let b = last.1, rng.chance(native * 2) { alias = a + " " + b }
                return (name, alias)
            }
            return ("\(firsts[0].0) \(lasts[0].0)", nil)
        }

        func isWoman(_ name: String, country: String) -> Bool {
            if let set = DemoAlerts.duplicateSets.first(where: { $0.variants.contains { $0.name == name } }) { return set.woman }
            let first = name.split(separator: " ").first.map(String.init) ?? ""
            let pools = [DemoAlertTexts.names[country], DemoCaseTexts.moreNames[country]].compactMap { $0 }
            return pools.contains { $0.women.contains { $0.0 == first || $0.1 == first } }
        }

        mutating func dateOfBirth(age: ClosedRange<Double>) -> String {
            DemoAlerts.day(end.addingTimeInterval(-Double.random(in: age, using: &rng) * 365.25 * 86400))
        }

        mutating func contact(_ country: String, fr: Bool, number: Int) -> String {
            let dial = DemoAlertTexts.dialCodes[country] ?? "33"
            return (fr ? "Signal : +" : "Signal: +") + "\(dial) 000 000 \(String(format: "%03d", 500 + number))"
        }

        // MARK: One case

        mutating func plan(for spec: Spec) -> Plan {
            let number = usedNames.count
            let host = !spec.geneva
            var fr: Bool
            var region: String
            var name: String
            var alias: String?
            var woman: Bool
            var isOrganisation = false
            var theme: FieldOfWork
            var summary: String
            var contacts: String?
            let country = spec.country
            var lead: String
            var opener: String

            if let source = spec.alert ?? spec.attach {
                // The defender the alert is about.
                let input = alerts[source.index].input
                fr = input.language != Language.en.rawValue
                region = input.region ?? rng.pick(DemoAlertTexts.regions[country].map { fr ? $0.fr : $0.en } ?? ["—"])
                isOrganisation = input.defenderName == nil
                name = input.defenderName ?? input.organisationName ?? "—"
                woman = !isOrganisation && isWoman(name, country: country)
                theme = input.fieldOfWork.flatMap(FieldOfWork.init(rawValue:)) ?? .other
                contacts = input.contact
                lead = source.officer
                opener = lead
                if spec.alert != nil {
                    var narrative = input.narrative ?? ""
                    for marker in [DemoAlertTexts.fictional.fr, DemoAlertTexts.fictional.en] {
                        narrative = narrative.replacingOccurrences(of: marker, with: "")
                    }
                    summary = (fr ? DemoCaseTexts.fromAlert.fr : DemoCaseTexts.fromAlert.en) + narrative
                        + (fr ? DemoCaseTexts.fictional.fr : DemoCaseTexts.fictional.en)
                } else {
                    let pairs = DemoCaseTexts.summaries[theme] ?? DemoCaseTexts.summaries[.other]!
                    let pair = rng.pick(pairs)
                    summary = DemoAlertTexts.fill(fr ? pair.fr : pair.en, name: name, region: region, organisation: name, woman: woman)
                        + (fr ? DemoCaseTexts.fictional.fr : DemoCaseTexts.fictional.en)
                    // The case was opened directly, before the alert: its own officer.
                    lead = rng.pick(officers)
                    opener = lead
                }
            } else {
                fr = country == "GE" ? false : country == "TN" ? rng.chance(0.6) : country == "CM" ? rng.chance(0.75) : true
                let regions = DemoAlertTexts.regions[country]!
                region = rng.pick(fr ? regions.fr : regions.en)
                if rng.chance(0.14), var left = organisationsLeft[country], !left.isEmpty {
                    name = left.removeFirst()
                    organisationsLeft[country] = left
                    isOrganisation = true
                    woman = false
                    theme = rng.pick([.other, .landEnvironment, .journalism, .womensRights, .lgbtqi] as [FieldOfWork])
                    let pair = rng.pick(DemoCaseTexts.organisationSummaries)
                    summary = DemoAlertTexts.fill(fr ? pair.fr : pair.en, name: name, region: region, organisation: name, woman: false)
                } else {
                    var themes = FieldOfWork.allCases
                    if !["CM", "TN", "GE"].contains(country) { themes.removeAll { $0 == .lgbtqi } }
                    theme = rng.pick(themes)
                    woman = theme == .womensRights || theme == .srhr ? rng.chance(0.85) : rng.chance(0.5)
                    (name, alias) = uniqueName(country: country, woman: woman)
                    let pair = rng.pick(DemoCaseTexts.summaries[theme]!)
                    summary = DemoAlertTexts.fill(fr ? pair.fr : pair.en, name: name, region: region, organisation: name, woman: woman)
                }
                summary += fr ? DemoCaseTexts.fictional.fr : DemoCaseTexts.fictional.en
                if spec.geneva {
                    lead = genevaOfficer
                    opener = lead
                } else {
                    let roll = Double.random(in: 0..<1, using: &rng)
                    lead = roll < 0.12 ? coordinator : rng.pick(officers)
                    // Now and then the coordinator opens the case and hands it to an officer.
                    opener = roll > 0.85 ? coordinator : lead
                }
                if rng.chance(0.8) { contacts = contact(country, fr: fr, number: number) }
            }

            let partner = partnerOf[country]
            let partnerName = partner.flatMap { slug in DemoData.organisations.first { $0.slug == slug }?.name }
            var story = Story(fr: fr, name: name, region: region, woman: woman, country: country, theme: theme, lead: lead, host: host,
                              partner: partner, partnerName: partnerName)
            let defender = CaseContent.Identity(
                name: name, aliases: alias, dateOfBirth: !isOrganisation && rng.chance(0.4) ? dateOfBirth(age: 26...58) : nil,
                contacts: contacts, address: rng.chance(0.3) ? story.text(DemoCaseTexts.addresses) : nil,
                notes: rng.chance(0.4) ? story.text(rng.pick(DemoCaseTexts.identityNotes)) : nil)
            write(&story, spec: spec, opener: opener, defender: defender, isOrganisation: isOrganisation)
            return Plan(country: country, region: region, summary: summary, fieldOfWork: theme, alert: spec.alert?.index,
                        defender: defender, defenderIsOrganisation: isOrganisation, fate: spec.fate, steps: story.steps)
        }

        /// Adds `step` at `date` unless it would fall after the demo's "now".
        func add(_ story: inout Story, _ date: Date, _ step: Step) {
            guard date <= limit else { return }
            story.steps.append((date, step))
        }

        // MARK: The story

        mutating func write(_ s: inout Story, spec: Spec, opener: String, defender: CaseContent.Identity, isOrganisation: Bool) {
            var t = spec.openAt
            add(&s, t, .open(by: opener))
            // The team: handed from the coordinator to the lead, or an officer joining.
            if s.host {
                let others = ([coordinator] + officers).filter { $0 != s.lead }
                if opener != s.lead {
                    t += rng.hours(0.3...4)
                    s.team = rng.chance(0.5) ? [opener] : []
                    add(&s, t, .team(lead: s.lead, members: s.team, by: opener))
                } else if rng.chance(0.5) {
                    t += rng.hours(1...24)
                    s.team = [rng.pick(others.filter { $0 != coordinator })].filter { $0 != s.lead }
                    if s.team.isEmpty { s.team = [coordinator] }
                    add(&s, t, .team(lead: s.lead, members: s.team, by: s.lead))
                }
            }
            // Relatives at risk (an organisation's people instead).
            let surname = defender.name.split(separator: " ").last.map(String.init) ?? ""
            if isOrganisation {
                if rng.chance(0.7) {
                    t += rng.hours(1...20)
                    let woman = rng.chance(0.5)
                    let first = uniqueName(country: s.country, woman: woman).name
                    add(&s, t, .person(.colleague, isOrganisation: false,
                                       CaseContent.Identity(name: first, notes: s.text(rng.pick(DemoCaseTexts.colleagueNotes))), by: s.lead))
                }
            } else {
                let count = rng.pick([0, 0, 1, 1, 1, 2, 2])
                var relations = DemoCaseTexts.relatives.shuffled(using: &rng)
                for _ in 0..<count {
                    guard let relation = relations.popLast() else { break }
                    t += rng.hours(1...20)
                    let pools = [DemoAlertTexts.names[s.country], DemoCaseTexts.moreNames[s.country]].compactMap { $0 }
                    let firsts = pools.flatMap { relation.woman ? $0.women : $0.men }.map(\.0)
                    let first = firsts.isEmpty ? (relation.woman ? "Marie" : "Jean") : rng.pick(firsts)
                    let identity = CaseContent.Identity(
                        name: first + " " + surname, dateOfBirth: relation.child ? dateOfBirth(age: 8...16) : nil,
                        notes: s.fr ? relation.relation.fr : relation.relation.en)
                    add(&s, t, .person(.relative, isOrganisation: false, identity, by: s.lead))
                }
                // Consent recorded, sometimes with gender identity or sexual orientation in the person's words.
                if rng.chance(s.theme == .lgbtqi ? 0.8 : 0.22) {
                    t += rng.hours(2...48)
                    var sensitive: CaseContent.Sensitive?
                    if s.theme == .lgbtqi || rng.chance(0.15), !sensitiveLeft.isEmpty {
                        let chosen = sensitiveLeft.removeFirst()
                        sensitive = CaseContent.Sensitive(genderIdentity: chosen.gender.map { s.fr ? $0.fr : $0.en },
                                                          sexualOrientation: chosen.orientation.map { s.fr ? $0.fr : $0.en })
                    }
                    s.consent = true
                    add(&s, t, .consent(sensitive, by: s.lead))
                }
            }

            if spec.fate == .open {
                // Just opened: the first assessment is under way; a first need and a call already planned.
                if rng.chance(0.5) { t += rng.hours(0.5...6); addMeasure(&s, at: t, initial: true) }
                if rng.chance(0.5) { t += rng.hours(0.5...6); addSupport(&s, at: t) }
                t += rng.hours(0.5...6)
                scheduleFollowUp(&s, at: t, due: t + days(1...6))
                return
            }

            // The first assessment, and the plan agreed with the defender.
            t += rng.hours(3...48)
            let base: [FieldOfWork: Int] = [.journalism: 3, .landEnvironment: 4, .lgbtqi: 4, .srhr: 3, .antiTorture: 3, .womensRights: 4,
                                            .minorityRights: 4, .labourRights: 3, .corruption: 2, .other: 3]
            let initial = RiskLevel(value: min(5, max(1, (base[s.theme] ?? 3) + rng.pick([-1, -1, 0, 0, 1])))) ?? .elevated
            assess(&s, at: t, target: initial, trigger: "initial")
            for _ in 0..<rng.pick([2, 2, 3, 3, 4]) {
                t += rng.hours(0.3...8)
                addMeasure(&s, at: t, initial: true)
            }
            for _ in 0..<rng.pick([1, 1, 2, 2, 3]) {
                t += rng.hours(0.5...12)
                addSupport(&s, at: t)
            }
            t += rng.hours(0.5...6)
            scheduleFollowUp(&s, at: t, due: t + days(4...14))
            // Referred at once to the local partner now and then (more often where the partner has protection staff to answer).
            if let partner = s.partner, rng.chance(partnerHandlers[partner] != nil ? 0.35 : 0.12) {
                t += rng.hours(2...48)
                refer(&s, at: t)
            }
            // The partner on the ground follows some cases with the team from the start.
            if let partner = s.partner, partnerHandlers[partner] != nil, rng.chance(0.3) {
                t += rng.hours(1...24)
                grant(&s, at: t)
            }

            // Then the work until the case is closed (or until now).
            let closeAt: Date?
            var reopenAt: Date?
            switch spec.fate {
            case .closed:
                if spec.old {
                    closeAt = spec.openAt + days(30...50)
                } else if spec.earlyClosure {
                    closeAt = min(spec.openAt + days(12...22), ago(100))
                } else {
                    let span = limit.timeIntervalSince(spec.openAt)
                    closeAt = spec.openAt.addingTimeInterval(max(12 * 86400, span * Double.random(in: 0.35...0.85, using: &rng)))
                }
            case .reopened:
                if spec.old {
                    closeAt = spec.openAt + days(30...40)
                    reopenAt = closeAt! + days(372...378)
                } else if let attach = spec.attach {
                    closeAt = attach.received - days(3...12)
                    reopenAt = attach.verified + rng.hours(2...20)
                } else {
                    let span = limit.timeIntervalSince(spec.openAt)
                    closeAt = spec.openAt.addingTimeInterval(max(15 * 86400, span * Double.random(in: 0.25...0.5, using: &rng)))
                    reopenAt = between(closeAt! + 10 * 86400, limit - 3 * 86400)
                }
            default:
                closeAt = nil
            }
            let workEnd = min(closeAt ?? limit, limit)
            // Monitoring: the support is delivered; the team keeps in touch. Some cases go back and forth.
            var statusChanges: [(Date, CaseStatus)] = []
            let span = workEnd.timeIntervalSince(t)
            if spec.fate == .monitoring {
                if rng.chance(0.3), span > 30 * 86400 {
                    statusChanges.append((t.addingTimeInterval(span * 0.3), .monitoring))
                    statusChanges.append((t.addingTimeInterval(span * 0.45), .active))
                }
                statusChanges.append((t.addingTimeInterval(span * Double.random(in: 0.6...0.85, using: &rng)), .monitoring))
            } else if spec.fate == .active, rng.chance(0.2), span > 30 * 86400 {
                statusChanges.append((t.addingTimeInterval(span * 0.4), .monitoring))
                statusChanges.append((t.addingTimeInterval(span * Double.random(in: 0.6...0.8, using: &rng)), .active))
            } else if [.closed, .reopened].contains(spec.fate), rng.chance(0.4), span > 20 * 86400 {
                statusChanges.append((t.addingTimeInterval(span * 0.7), .monitoring))
            }
            work(&s, from: t, to: workEnd, statusChanges: statusChanges, attach: spec.fate == .active ? spec.attach : nil)

            guard let closeAt else { return }
            close(&s, at: closeAt, outcome: spec.outcome ?? .riskReduced, reopenAt: reopenAt)
            guard let reopenAt else { return }
            // Reopened: a new threat (often a new alert about the same defender), a new assessment and plan.
            var r = reopenAt
            add(&s, r, .status(.reopened, by: s.lead))
            s.status = .reopened
            if let attach = spec.attach {
                r += rng.hours(0.1...1)
                add(&s, r, .attach(alert: attach.index, by: s.lead))
            }
            r += rng.hours(2...30)
            if s.versions < 4 {
                let raised = RiskLevel(value: min(5, (s.computed ?? .moderate).value + rng.pick([1, 1, 2]))) ?? .high
                assess(&s, at: r, target: raised, trigger: rng.chance(0.7) ? "new_threat" : "change")
            }
            r += rng.hours(0.5...6)
            addMeasure(&s, at: r, initial: true)
            r += rng.hours(0.5...6)
            scheduleFollowUp(&s, at: r, due: r + days(3...12))
            work(&s, from: r, to: limit, statusChanges: [], attach: nil, busy: 0.5)
        }

        /// The case's work between `from` and `to`: measures and support moving on, referrals
        /// answered, follow-ups recorded (a new threat prompting a reassessment), scheduled
        /// reassessments, reviews — one thing every few days.
        mutating func work(_ s: inout Story, from: Date, to: Date, statusChanges: [(Date, CaseStatus)], attach: VerifiedAlert?,
                           busy: Double = 1) {
            guard to > from else { return }
            let span = to.timeIntervalSince(from) / 86400
            let count = max(2, min(12, Int((span / 7 * busy).rounded())))
            var beats = (0..<count).map { _ in from.addingTimeInterval(Double.random(in: 0...(to.timeIntervalSince(from)), using: &rng)) }
            beats.sort()
            var changes = statusChanges.sorted { $0.0 < $1.0 }
            var attachAt = attach.map { $0.verified.addingTimeInterval(rng.hours(2...30)) }
            var previous = from
            for beat in beats + [to] {
                let isLast = beat == to
                // Follow-ups recorded since the previous beat.
                recordFollowUps(&s, until: beat, before: to)
                while let change = changes.first, change.0 <= beat {
                    changes.removeFirst()
                    if change.0 > previous || change.0 >= from {
                        add(&s, change.0, .status(change.1, by: s.lead))
                        s.status = change.1
                    }
                }
                if let at = attachAt, at <= beat, let attach {
                    // A verified alert about the same defender: attached, and the risk reassessed.
                    add(&s, at, .attach(alert: attach.index, by: s.lead))
                    attachAt = nil
                    if s.versions < 4, at + 86400 < to {
                        let raised = RiskLevel(value: min(5, (s.computed ?? .moderate).value + 1)) ?? .high
                        assess(&s, at: at + rng.hours(4...20), target: raised, trigger: "new_threat")
                    }
                }
                previous = beat
                if isLast { break }
                act(&s, at: beat)
            }
        }

        /// One piece of work at `date`, chosen among what the case allows.
        mutating func act(_ s: inout Story, at date: Date) {
            var choices: [(Int, Double)] = []
            let openMeasures = s.measures.filter { $0.state.isOpen }
            let openSupports = s.supports.filter { $0.state.isOpen }
            let openReferrals = s.referrals.filter { $0.state.isOpen }
            if !openMeasures.isEmpty { choices.append((0, 4)) }
            if !openSupports.isEmpty { choices.append((1, 3)) }
            if !openReferrals.isEmpty { choices.append((2, 2.5)) }
            if s.measures.count < 8 { choices.append((3, 1.5)) }
            if s.supports.count < 4 { choices.append((4, 1)) }
            if let partner = s.partner, s.referrals.count < 2 { choices.append((5, partnerHandlers[partner] != nil ? 0.8 : 0.15)) }
            if s.granted { choices.append((6, 1.2)) }
            if s.versions < 4, let next = s.nextReview, next <= date { choices.append((7, 6)) }
            if s.versions < 4 { choices.append((8, 0.5)) }
            if s.host, s.reviews < 2 { choices.append((9, 0.9)) }
            if s.planReviews < 1, s.measures.count >= 3 { choices.append((10, 0.8)) }
            if !s.granted, let partner = s.partner, partnerHandlers[partner] != nil { choices.append((11, 0.5)) }
            guard let choice = pickWeighted(choices) else { return }
            switch choice {
            case 0:
                let measure = rng.pick(openMeasures)
                let next: MeasureState = measure.state == .planned
                    ? (pickWeighted([(MeasureState.inProgress, 6), (.done, 2.5), (.dropped, 1.5)]) ?? .inProgress)
                    : (rng.chance(0.8) ? .done : .dropped)
                setMeasure(&s, measure.label, next, at: date)
            case 1:
                let support = rng.pick(openSupports)
                let next: SupportState = support.state == .requested
                    ? (pickWeighted([(SupportState.approved, 6.5), (.declined, 1.5), (.cancelled, 1.2)]) ?? .approved)
                    : (rng.chance(0.85) ? .delivered : .cancelled)
                setSupport(&s, support.label, next, at: date)
            case 2:
                let referral = rng.pick(openReferrals)
                if partnerHandlers[referral.partner] != nil {
                    let next: ReferralState = referral.state == .proposed
                        ? (pickWeighted([(ReferralState.accepted, 7), (.declined, 2), (.withdrawn, 0.7)]) ?? .accepted)
                        : (rng.chance(0.85) ? .reported : .withdrawn)
                    setReferral(&s, referral.label, next, at: date)
                    if next == .accepted, !s.granted, rng.chance(0.7) { grant(&s, at: date + rng.hours(0.1...1)) }
                } else if rng.chance(0.25) {
                    setReferral(&s, referral.label, .withdrawn, at: date)
                }
            case 3: addMeasure(&s, at: date, initial: false)
            case 4: addSupport(&s, at: date)
            case 5: refer(&s, at: date)
            case 6:
                if let partner = s.partner, let handler = partnerHandlers[partner] {
                    add(&s, date, .partnerNote(s.text(rng.pick(DemoCaseTexts.partnerNotes)), by: handler))
                }
            case 7: reassess(&s, at: date, trigger: "scheduled")
            case 8: reassess(&s, at: date, trigger: "change")
            case 9:
                s.reviews += 1
                let kind: CaseReviewKind = (s.judged ?? .moderate) >= .high && rng.chance(0.7) ? .conference : rng.pick(CaseReviewKind.allCases)
                let words = rng.pick(DemoCaseTexts.reviews[kind]!)
                add(&s, date, .review(CaseContent.Review(kind: kind, findings: s.text(words.findings), actions: s.text(words.actions)), by: coordinator))
            case 10:
                s.planReviews += 1
                add(&s, date, .planReview(s.text(rng.pick(DemoCaseTexts.planReviews)), by: s.lead))
            default:
                grant(&s, at: date)
            }
        }

        // MARK: Risk

        mutating func assess(_ s: inout Story, at date: Date, target: RiskLevel, trigger: String) {
            guard date <= limit else { return }
            let pool = DemoCaseTexts.threats[s.theme] ?? DemoCaseTexts.threats[.other]!
            let range: ClosedRange<Int> = switch target {
            case .low: 1...2
            case .moderate: 1...3
            case .elevated: 2...4
            case .high: 3...5
            case .critical: 4...5
            }
            var assessment = CaseContent.Assessment(threats: [], vulnerabilities: [], capacities: [], justification: "", trigger: trigger)
            var computed = target
            for _ in 0..<400 {
                let threats = pool.shuffled(using: &rng).prefix(Int.random(in: 1...min(3, pool.count), using: &rng))
                assessment.threats = threats.enumerated().map { index, threat in
                    CaseContent.Threat(actor: threat.actor, space: threat.space, description: s.text(threat.text),
                                       likelihood: Int.random(in: index == 0 ? range : 1...range.upperBound, using: &rng),
                                       impact: Int.random(in: index == 0 ? range : 1...range.upperBound, using: &rng))
                }
                assessment.vulnerabilities = DemoCaseTexts.vulnerabilities.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
                    .map { CaseContent.Factor(description: s.text($0), weight: Int.random(in: 1...5, using: &rng)) }
                assessment.capacities = DemoCaseTexts.capacities.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
                    .map { CaseContent.Factor(description: s.text($0), weight: Int.random(in: 1...5, using: &rng)) }
                guard let score = try? CaseWorkflow.score(of: assessment) else { continue }
                computed = score.level
                if computed == target { break }
            }
            // The officer's own level: usually the computed one, sometimes a step higher or lower, with the reason.
            var judged = computed
            if rng.chance(0.28) {
                let up = computed == .critical ? false : computed == .low ? true : rng.chance(0.6)
                judged = RiskLevel(value: computed.value + (up ? 1 : -1)) ?? computed
                assessment.justification = s.text(rng.pick(up ? DemoCaseTexts.justificationHigher : DemoCaseTexts.justificationLower))
            } else {
                assessment.justification = s.text(rng.pick(DemoCaseTexts.justificationSame))
            }
            add(&s, date, .assess(assessment, judged: judged, by: s.lead))
            s.versions += 1
            s.computed = computed
            s.judged = judged
            s.nextReview = date.addingTimeInterval(Double(judged.suggestedReviewDays) * 86400)
            if s.status == .open { s.status = .active }
        }

        mutating func reassess(_ s: inout Story, at date: Date, trigger: String) {
            let current = (s.computed ?? .elevated).value
            let delta = switch trigger {
            case "new_threat": rng.pick([1, 1, 2])
            case "change": rng.pick([-1, -1, 1])
            default: rng.pick([-1, -1, -1, 0, 0, 1])
            }
            assess(&s, at: date, target: RiskLevel(value: min(5, max(1, current + delta))) ?? .elevated, trigger: trigger)
        }

        // MARK: Plan, support, referrals

        mutating func addMeasure(_ s: inout Story, at date: Date, initial: Bool) {
            let candidates = DemoCaseTexts.measures.indices.filter { index in
                !s.usedMeasures.contains(index) && (initial ? DemoCaseTexts.measures[index].stage != .followUp : true)
                    && (s.partner != nil || DemoCaseTexts.measures[index].owner != .partner)
            }
            guard !candidates.isEmpty else { return }
            let index = rng.pick(candidates)
            s.usedMeasures.insert(index)
            let measure = DemoCaseTexts.measures[index]
            let label = s.label("m")
            let ownerName: String? = switch measure.owner {
            case .partner: s.partnerName
            case .defender: isOrganisationName(s) ? s.name : nil
            case .staff: nil
            }
            let content = CaseContent.Measure(description: s.text(measure.text), domain: measure.domain, ownerKind: measure.owner,
                                              ownerName: ownerName, note: nil)
            let assignee = measure.owner == .staff ? rng.pick(s.members) : nil
            let due: Date? = rng.chance(0.7) ? date + days(5...40) : nil
            add(&s, date, .measure(label, measure.stage, content, assignee: assignee, due: due, by: s.lead))
            s.measures.append((label, .planned))
        }

        func isOrganisationName(_ s: Story) -> Bool { DemoCaseTexts.organisations.values.contains { $0.contains(s.name) } }

        mutating func setMeasure(_ s: inout Story, _ label: String, _ state: MeasureState, at date: Date) {
            guard let index = s.measures.firstIndex(where: { $0.label == label }), date <= limit else { return }
            let note = DemoCaseTexts.measureNotes[state].map { s.text(rng.pick($0)) }
            add(&s, date, .measureState(label, state, note: rng.chance(0.7) ? note : nil, by: s.lead))
            s.measures[index].state = state
        }

        mutating func addSupport(_ s: inout Story, at date: Date) {
            let candidates = DemoCaseTexts.supports.indices.filter { index in
                !s.usedSupports.contains(index) && (s.partner != nil || DemoCaseTexts.supports[index].provider != .partnerReferral)
            }
            guard !candidates.isEmpty else { return }
            let index = rng.pick(candidates)
            s.usedSupports.insert(index)
            let support = DemoCaseTexts.supports[index]
            let label = s.label("s")
            let currency = currencyOf[s.country].flatMap { rng.chance(0.7) ? $0 : nil } ?? "EUR"
            var cost: Money?
            if support.euros > 0 {
                let euros = Double(support.euros) * Double.random(in: 0.8...1.3, using: &rng)
                cost = money(euros: euros, currency: currency)
            } else if rng.chance(0.5) {
                cost = Money(minorUnits: 0, currency: currency)
            }
            let partner = support.provider == .partnerReferral ? s.partner : nil
            let content = CaseContent.Support(description: s.text(support.text), provider: support.provider,
                                              providerName: support.provider == .partnerReferral ? s.partnerName : support.providerName.map(s.text),
                                              outcome: nil)
            add(&s, date, .support(label, support.type, content, cost: cost, partner: partner, by: s.lead))
            s.supports.append((label, .requested))
        }

        /// A round amount of `currency` worth about `euros`.
        func money(euros: Double, currency: String) -> Money {
            let local = euros * (perEuro[currency] ?? 1)
            let step: Double = switch currency {
            case "XAF": 500
            case "CDF": 1_000
            case "EUR": 10
            default: 5
            }
            let major = Int64(max(step, (local / step).rounded() * step))
            let minorDigits = Currency(code: currency)?.minorDigits ?? 2
            var scale: Int64 = 1
            for _ in 0..<minorDigits { scale *= 10 }
            return Money(minorUnits: major * scale, currency: currency)
        }

        mutating func setSupport(_ s: inout Story, _ label: String, _ state: SupportState, at date: Date) {
            guard let index = s.supports.firstIndex(where: { $0.label == label }), date <= limit else { return }
            // The coordinator decides on spending for the host; the Geneva officer for Geneva's cases.
            let by = s.host && [.approved, .declined].contains(state) ? coordinator : s.lead
            let outcome = DemoCaseTexts.supportOutcomes[state].map { s.text(rng.pick($0)) }
            add(&s, date, .supportState(label, state, outcome: outcome, by: by))
            s.supports[index].state = state
        }

        mutating func refer(_ s: inout Story, at date: Date) {
            guard let partner = s.partner, date <= limit else { return }
            var shares: Set<ReferralShare> = [.situationSummary]
            if rng.chance(0.7) { shares.insert(.riskLevel) }
            if rng.chance(0.4) { shares.insert(.securityPlan) }
            // Names and contacts only with the person's consent recorded.
            if s.consent {
                shares.insert(.peopleNames)
                if rng.chance(0.5) { shares.insert(.contacts) }
            }
            let label = s.label("r")
            add(&s, date, .refer(label, to: partner, shares: shares, consent: s.consent, message: s.text(rng.pick(DemoCaseTexts.referralMessages)),
                                 by: s.lead))
            s.referrals.append((label, .proposed, partner))
        }

        mutating func setReferral(_ s: inout Story, _ label: String, _ state: ReferralState, at date: Date) {
            guard let index = s.referrals.firstIndex(where: { $0.label == label }), date <= limit else { return }
            let by = state.isPartnerAnswer ? (partnerHandlers[s.referrals[index].partner] ?? s.lead) : s.lead
            add(&s, date, .referral(label, state, text: DemoCaseTexts.referralAnswers[state].map { s.text(rng.pick($0)) }, by: by))
            s.referrals[index].state = state
        }

        mutating func grant(_ s: inout Story, at date: Date) {
            guard let partner = s.partner, partnerHandlers[partner] != nil, !s.granted, date <= limit else { return }
            add(&s, date, .grant(partner, by: s.lead))
            s.granted = true
        }

        // MARK: Follow-ups

        /// Schedules a contact due at `due`; it will be recorded a little after (or, now and then,
        /// much later — and if that is after "now", it stays overdue).
        mutating func scheduleFollowUp(_ s: inout Story, at date: Date, due: Date) {
            guard date <= limit else { return }
            let label = s.label("f")
            let assignee = rng.pick(s.members)
            let lag = rng.chance(0.22) ? days(3...20) : days(0.05...1.5)
            add(&s, date, .followUp(label, due: due, purpose: s.text(rng.pick(DemoCaseTexts.followUpPurposes)), assignee: assignee, by: s.lead))
            s.followUps.append((label, due, due + lag, assignee))
        }

        /// Records the follow-ups whose moment has come by `date` (never after `end`, the end of this
        /// stretch of work), and schedules the next contact after each.
        mutating func recordFollowUps(_ s: inout Story, until date: Date, before end: Date) {
            while let index = s.followUps.indices.min(by: { s.followUps[$0].recorded < s.followUps[$1].recorded }),
                  s.followUps[index].recorded <= date, s.followUps[index].recorded < end {
                let followUp = s.followUps.remove(at: index)
                let state = pickWeighted([(FollowUpState.done, 8), (.missed, 1.2), (.cancelled, 0.6)]) ?? .done
                let newThreat = state == .done && rng.chance(0.16)
                let notes = newThreat ? s.text(rng.pick(DemoCaseTexts.newThreats)) : s.text(rng.pick(DemoCaseTexts.followUpNotes[state]!))
                add(&s, followUp.recorded, .followUpDone(followUp.label, state, notes: notes, newThreat: newThreat, by: followUp.assignee))
                var next = followUp.recorded + rng.hours(0.1...2)
                if newThreat, s.versions < 4, next + 86400 < end {
                    let raised = RiskLevel(value: min(5, (s.computed ?? .elevated).value + rng.pick([1, 1, 2]))) ?? .high
                    next += rng.hours(6...60)
                    assess(&s, at: min(next, end - 3600), target: raised, trigger: "new_threat")
                    next += rng.hours(0.2...3)
                }
                let due = next + (state == .missed ? days(1...3) : days(10...35))
                if next < end { scheduleFollowUp(&s, at: next, due: due) }
            }
        }

        // MARK: Closure and impact

        mutating func close(_ s: inout Story, at date: Date, outcome: CaseOutcome, reopenAt: Date?) {
            // What was still open is settled first (after everything else the case's story holds).
            var t = max(date - rng.hours(3...8), (s.steps.map(\.at).max() ?? date) + 60)
            func next() -> Date { t += rng.hours(0.1...0.6); return t }
            for followUp in s.followUps {
                add(&s, next(), .followUpDone(followUp.label, .cancelled, notes: s.text(DemoCaseTexts.followUpNotes[.cancelled]![1]), newThreat: false,
                                              by: s.lead))
            }
            s.followUps = []
            for measure in s.measures where measure.state.isOpen { setMeasure(&s, measure.label, rng.chance(0.7) ? .done : .dropped, at: next()) }
            for support in s.supports where support.state.isOpen {
                setSupport(&s, support.label, support.state == .approved ? .delivered : .cancelled, at: next())
            }
            for referral in s.referrals where referral.state.isOpen {
                let answered = referral.state == .accepted && partnerHandlers[referral.partner] != nil
                setReferral(&s, referral.label, answered ? .reported : .withdrawn, at: next())
            }
            let closedAt = max(date, t + rng.hours(0.2...1))
            let atClosure = impact(s, outcome, .closure)
            add(&s, closedAt, .close(outcome, situation: s.text(DemoCaseTexts.closures[outcome]!), atClosure, by: s.lead))
            s.status = .closed
            // The impact records at 3 and 12 months, when they have come due (before any reopening).
            for moment in [ImpactMoment.threeMonths, .twelveMonths] {
                let due = moment.dueDate(closedAt: closedAt) + days(0...6)
                if due < limit, reopenAt.map({ due < $0 }) ?? true {
                    let record = impact(s, outcome, moment)
                    add(&s, due, .impact(moment, record, by: s.lead))
                }
            }
        }

        mutating func impact(_ s: Story, _ outcome: CaseOutcome, _ moment: ImpactMoment) -> CaseContent.Impact {
            var answers: [ImpactQuestion: ImpactAnswer]
            switch outcome {
            case .riskReduced:
                answers = [.safe: .yes, .stillActive: .yes, .inLocalNetwork: .yes, .trained: rng.pick([.yes, .partly]), .relocatedAndReturned: .no]
            case .riskUnchanged:
                answers = [.safe: .partly, .stillActive: .yes, .inLocalNetwork: .partly, .trained: .partly, .relocatedAndReturned: .no]
            case .relocated:
                answers = [.safe: .yes, .stillActive: .partly, .inLocalNetwork: moment == .twelveMonths ? .yes : .partly, .trained: .yes,
                           .relocatedAndReturned: moment == .twelveMonths ? .yes : .no]
            case .inDetention:
                answers = [.safe: .no, .stillActive: .no, .inLocalNetwork: .yes, .trained: .unknown, .relocatedAndReturned: .no]
            case .deceased, .lostContact:
                answers = Dictionary(uniqueKeysWithValues: ImpactQuestion.allCases.map { ($0, ImpactAnswer.unknown) })
            case .declinedSupport:
                answers = [.safe: .partly, .stillActive: .yes, .inLocalNetwork: .unknown, .trained: .no, .relocatedAndReturned: .no]
            case .other:
                answers = [.safe: .partly, .stillActive: .yes, .inLocalNetwork: .partly, .trained: .unknown, .relocatedAndReturned: .unknown]
            }
            return CaseContent.Impact(answers: Dictionary(uniqueKeysWithValues: answers.map { ($0.key.rawValue, $0.value) }),
                                      notes: s.text(rng.pick(DemoCaseTexts.impactNotes[moment]!)))
        }
    }

    // MARK: Playing the plans

    struct StepFailed: Error, CustomStringConvertible {
        var what: String
        var step: String
        var underlying: any Error
        var description: String { "egide demo: \(what), step \(step): \(underlying)" }
    }

    /// Plays every step of the alerts', the cases' and the fund's plans together, in time order
    /// (the cases' steps after the alerts' at the same moment, the fund's last), so the audit log
    /// stays in time order. The alerts' steps run as `DemoAlerts.play` runs them.
    static func play(alerts: [DemoAlerts.Plan], cases: [Plan], fund: DemoFund.Plan? = nil, appeals: DemoAppeals.Plan? = nil,
                     network: DemoData.Network, app: Application, time: DemoAlerts.TimeTravel) async throws {
        enum Entry {
            case alert(DemoAlerts.Step)
            case caseStep(Step)
            case fundStep(DemoFund.Step)
            case appealStep(DemoAppeals.Step)
        }
        var schedule: [(at: Date, rank: Int, index: Int, order: Int, entry: Entry)] = []
        for (index, plan) in alerts.enumerated() {
            for (order, item) in plan.steps.enumerated() {
                schedule.append((plan.received.addingTimeInterval(item.after), 0, index, order, .alert(item.step)))
            }
        }
        for (index, plan) in cases.enumerated() {
            for (order, item) in plan.steps.enumerated() { schedule.append((item.at, 1, index, order, .caseStep(item.step))) }
        }
        for (order, item) in (fund?.steps ?? []).enumerated() { schedule.append((item.at, 2, 0, order, .fundStep(item.step))) }
        for (order, item) in (appeals?.steps ?? []).enumerated() { schedule.append((item.at, 3, 0, order, .appealStep(item.step))) }
        schedule.sort { ($0.at, $0.rank, $0.index, $0.order) < ($1.at, $1.rank, $1.index, $1.order) }

        var player = Player(app: app, network: network, alertPlans: alerts, casePlans: cases,
                            categories: Set(try await AlertQueries.categories(on: app.db).map(\.code)))
        var fundPlayer = fund.map { DemoFund.Player(app: app, network: network, plan: $0) }
        var appealPlayer = DemoAppeals.Player(app: app, network: network)
        for entry in schedule {
            time.go(to: entry.at)
            switch entry.entry {
            case .alert(let step):
                do {
                    try await player.perform(step, alert: entry.index)
                } catch {
                    throw DemoAlerts.StepFailed(alert: entry.index, step: "\(step)", underlying: error)
                }
            case .caseStep(let step):
                do {
                    try await player.perform(step, case: entry.index)
                } catch {
                    throw StepFailed(what: "case \(entry.index)", step: "\(step)", underlying: error)
                }
            case .fundStep(let step):
                try await fundPlayer?.perform(step, caseIDs: player.caseIDs)
            case .appealStep(let step):
                try await appealPlayer.perform(step, caseIDs: player.caseIDs)
            }
        }
    }

    struct Player {
        let app: Application
        let network: DemoData.Network
        let alertPlans: [DemoAlerts.Plan]
        let casePlans: [Plan]
        let categories: Set<String>
        var alertIDs: [Int: UUID] = [:]
        var caseIDs: [Int: UUID] = [:]
        var items: [Int: [String: UUID]] = [:]

        init(app: Application, network: DemoData.Network, alertPlans: [DemoAlerts.Plan], casePlans: [Plan], categories: Set<String>) {
            self.app = app
            self.network = network
            self.alertPlans = alertPlans
            self.casePlans = casePlans
            self.categories = categories
        }

        func who(_ email: String) -> Actor { network.staff[email]! }
        func organisation(_ slug: String) -> UUID { network.organisations[slug]! }

        /// One alert step, through `DemoAlerts.perform` (as `DemoAlerts.play` runs them).
        mutating func perform(_ step: DemoAlerts.Step, alert index: Int) async throws {
            let geneva = organisation("geneve")
            if case .receive = step {
                alertIDs[index] = try await DemoAlerts.receive(alertPlans[index], categories: categories, staff: network.staff, geneva: geneva, app: app)
                return
            }
            try await DemoAlerts.perform(step, on: alertIDs[index]!, ids: alertIDs, staff: network.staff, users: network.users, app: app)
        }

        /// One case step, through `CaseWorkflow`.
        mutating func perform(_ step: Step, case index: Int) async throws {
            let plan = casePlans[index]
            if case .open(let by) = step {
                let opening = CaseWorkflow.Opening(country: plan.country, region: plan.region, summary: plan.summary, fieldOfWork: plan.fieldOfWork,
                                                   alertID: plan.alert.map { alertIDs[$0]! }, defender: plan.defender,
                                                   defenderIsOrganisation: plan.defenderIsOrganisation)
                caseIDs[index] = try await CaseWorkflow.open(opening, by: who(by), app: app)
                return
            }
            let id = caseIDs[index]!
            switch step {
            case .open:
                break
            case .attach(let alert, let by):
                try await CaseWorkflow.attach(alert: alertIDs[alert]!, to: id, by: who(by), app: app)
            case .team(let lead, let members, let by):
                try await CaseWorkflow.setTeam(id, lead: who(lead).userID, team: Set(members.map { who($0).userID }), by: who(by), app: app)
            case .grant(let slug, let by):
                try await CaseWorkflow.setGrant(id, organisation: organisation(slug), granted: true, by: who(by), app: app)
            case .person(let role, let isOrganisation, let identity, let by):
                try await CaseWorkflow.savePerson(nil, in: id, role: role, isOrganisation: isOrganisation, identity: identity, sensitive: nil,
                                                  consent: false, by: who(by), app: app)
            case .consent(let sensitive, let by):
                guard let defender = try await CasePersonRecord.query(on: app.db).filter(\.$caseID == id).filter(\.$role == .defender).first()
                else { throw Abort(.notFound) }
                try await CaseWorkflow.savePerson(try defender.requireID(), in: id, role: .defender, isOrganisation: plan.defenderIsOrganisation,
                                                  identity: plan.defender, sensitive: sensitive, consent: true, by: who(by), app: app)
            case .assess(let assessment, let judged, let by):
                try await CaseWorkflow.assess(id, assessment, judged: judged, nextReview: nil, by: who(by), app: app)
            case .measure(let label, let stage, let measure, let assignee, let due, let by):
                try await CaseWorkflow.addMeasure(id, stage: stage, measure, assignee: assignee.map { who($0).userID }, due: due, by: who(by), app: app)
                try await remember(label, kind: .measure, in: index)
            case .measureState(let label, let state, let note, let by):
                try await CaseWorkflow.updateMeasure(item(label, index), in: id, state: state, note: note, by: who(by), app: app)
            case .planReview(let summary, let by):
                try await CaseWorkflow.reviewPlan(id, summary: summary, by: who(by), app: app)
            case .support(let label, let type, let support, let cost, let partner, let by):
                try await CaseWorkflow.addSupport(id, type: type, support, cost: cost, partner: partner.map(organisation), by: who(by), app: app)
                try await remember(label, kind: .support, in: index)
            case .supportState(let label, let state, let outcome, let by):
                try await CaseWorkflow.updateSupport(item(label, index), in: id, state: state, outcome: outcome, by: who(by), app: app)
            case .refer(let label, let partner, let shares, let consent, let message, let by):
                try await CaseWorkflow.refer(id, to: organisation(partner), shares: shares, consentRecorded: consent, message: message,
                                             by: who(by), app: app)
                try await remember(label, kind: .referral, in: index)
            case .referral(let label, let state, let text, let by):
                try await CaseWorkflow.answerReferral(item(label, index), in: id, state: state, text: text, by: who(by), app: app)
            case .followUp(let label, let due, let purpose, let assignee, let by):
                try await CaseWorkflow.scheduleFollowUp(id, due: due, purpose: purpose, assignee: who(assignee).userID, by: who(by), app: app)
                try await remember(label, kind: .followUp, in: index)
            case .followUpDone(let label, let state, let notes, let newThreat, let by):
                try await CaseWorkflow.completeFollowUp(item(label, index), in: id, state: state, notes: notes, newThreat: newThreat,
                                                        by: who(by), app: app)
            case .partnerNote(let notes, let by):
                try await CaseWorkflow.addPartnerNote(id, notes: notes, by: who(by), app: app)
            case .review(let review, let by):
                try await CaseWorkflow.recordReview(id, review, by: who(by), app: app)
            case .status(let status, let by):
                try await CaseWorkflow.setStatus(id, to: status, by: who(by), app: app)
            case .close(let outcome, let situation, let impact, let by):
                try await CaseWorkflow.close(id, outcome: outcome, situation: situation, impact: impact, by: who(by), app: app)
            case .impact(let moment, let impact, let by):
                try await CaseWorkflow.recordImpact(id, moment: moment, impact, by: who(by), app: app)
            }
        }

        func item(_ label: String, _ index: Int) throws -> UUID {
            guard let id = items[index]?[label] else { throw Abort(.notFound, reason: "no item \(label)") }
            return id
        }

        /// Names the item of `kind` the step just made (the one of the case not named yet; partner
        /// notes are follow-ups too, but not scheduled contacts).
        mutating func remember(_ label: String, kind: CaseItemRecord.Kind, in index: Int) async throws {
            let known = Set(items[index]?.values.map { $0 } ?? [])
            var query = CaseItemRecord.query(on: app.db).filter(\.$caseID == caseIDs[index]!).filter(\.$kind == kind)
            if kind == .followUp { query = query.filter(\.$category == "contact") }
            guard let made = try await query.all().first(where: { !known.contains($0.id!) }) else { throw Abort(.notFound, reason: "no new \(kind)") }
            items[index, default: [:]][label] = try made.requireID()
        }
    }

    // MARK: What was made

    /// Counts of what the demo's case module holds, for the printed summary and the tests.
    struct Summary: Sendable, Equatable {
        var total = 0
        var byStatus: [CaseStatus: Int] = [:]
        var fromAlerts = 0
        var attachedAlerts = 0
        var assessments = 0
        var measures = 0
        var supports = 0
        var referrals = 0
        var overdueFollowUps = 0
        /// Cases granted to the Cameroon partner and to the Congo partner.
        var grantedCameroon = 0
        var grantedCongo = 0

        /// Two lines for the console.
        var lines: [String] {
            guard total > 0 else { return [] }
            let states = CaseStatus.allCases.map { "\(byStatus[$0] ?? 0) \($0.rawValue)" }
            return ["\(total) protection cases (most of the last four months, a few older ones with their 12-month impact records): "
                        + states.joined(separator: ", ") + ";",
                    "\(fromAlerts) opened from verified alerts, \(attachedAlerts) alerts attached to a case; \(assessments) risk assessments, "
                        + "\(measures) plan measures, \(supports) support requests, \(referrals) referrals, \(overdueFollowUps) follow-ups overdue;"
                        + " \(grantedCameroon) cases shared with the Cameroon partner (\(partnerHandlers["cm-yaounde"]!)),"
                        + " \(grantedCongo) with the Congo partner (\(partnerHandlers["cd-bukavu"]!))."]
        }
    }

    static func summary(on db: any Database, now: Date, organisations: [String: UUID]) async throws -> Summary {
        var summary = Summary()
        let cases = try await CaseRecord.query(on: db).all()
        summary.total = cases.count
        for status in CaseStatus.allCases { summary.byStatus[status] = cases.filter { $0.status == status }.count }
        summary.fromAlerts = cases.filter { $0.alertID != nil }.count
        summary.attachedAlerts = try await AlertRecord.query(on: db).filter(\.$status == .attachedToCase).count()
        summary.assessments = try await CaseItemRecord.query(on: db).filter(\.$kind == .assessment).count()
        summary.measures = try await CaseItemRecord.query(on: db).filter(\.$kind == .measure).count()
        summary.supports = try await CaseItemRecord.query(on: db).filter(\.$kind == .support).count()
        summary.referrals = try await CaseItemRecord.query(on: db).filter(\.$kind == .referral).count()
        let open = Set(cases.filter { $0.status.isOpen }.compactMap(\.id))
        summary.overdueFollowUps = try await CaseItemRecord.query(on: db).filter(\.$kind == .followUp)
            .filter(\.$state == FollowUpState.scheduled.rawValue).filter(\.$dueAt < now).all()
            .filter { open.contains($0.caseID) }.count
        if let cameroon = organisations["cm-yaounde"] {
            summary.grantedCameroon = try await CaseGrantRecord.query(on: db).filter(\.$organisationID == cameroon).count()
        }
        if let congo = organisations["cd-bukavu"] {
            summary.grantedCongo = try await CaseGrantRecord.query(on: db).filter(\.$organisationID == congo).count()
        }
        return summary
    }
}
