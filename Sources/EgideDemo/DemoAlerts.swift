import App
import EgideCore
import Fluent
import Foundation
import Vapor

/// The demo's alerts: about 200 fictional alerts over the last 120 days, in every state of the
/// protocol, written through the same code paths as production (`AlertIntake.submit`,
/// `AlertWorkflow.*`), so encryption, history and the audit chain are exactly what real use
/// produces. Each alert is planned as a story (received, triaged, sent to verifiers, answered,
/// decided…); all the steps of all the stories are then played in time order with Egide's clock
/// set to each step's moment, so dates, deadlines and the audit log read like four months of work.
package enum DemoAlerts {
    /// How the story of one alert ends.
    enum Fate: Equatable, CaseIterable {
        case received, triaged, inVerification, verified, verifiedThenClosed, notVerified
        case rejectedOutOfMandate, rejectedInsufficient, merged, closedAfterTriage, closedUntriaged
    }

    /// How many alerts end each way (the deliberate duplicates included).
    static let fates: [(Fate, Int)] = [
        (.received, 16), (.triaged, 26), (.inVerification, 32), (.verified, 36), (.verifiedThenClosed, 22),
        (.notVerified, 16), (.rejectedOutOfMandate, 10), (.rejectedInsufficient, 10), (.merged, 2),
        (.closedAfterTriage, 22), (.closedUntriaged, 8),
    ]

    /// How many alerts each country gets.
    static let countries: [(String, Int)] = [("CM", 50), ("CD", 50), ("TN", 38), ("GE", 34), ("BI", 8), ("CF", 8), ("TD", 6), ("AM", 6)]

    /// How long ago the untriaged alerts came in, in hours: on time, due soon (the first 24 hours
    /// are the P1 deadline until triage) and overdue.
    static let untriagedAges: [Double] = [0.5, 1.5, 3, 5, 8, 12, 15, 19, 21.5, 23, 32, 48, 80, 120]

    // MARK: Who does what (emails of `DemoData.organisations`)

    static func email(_ local: String) -> String { local + "@example.org" }
    static let lyonHandlers = ["aissatou.diallo", "julien.roux", "aissatou.diallo", "julien.roux", "karim.benali"].map(email)
    static let genevaHandler = email("thomas.keller")
    /// The partner verifier asked first for an alert of each country, and a second partner asked for
    /// independent confirmation where one works nearby.
    static let localVerifier: [String: String] = [
        "CM": email("jeanpaul.mbarga"), "CD": email("esperance.mwamba"), "TN": email("amira.bensalah"), "GE": email("nino.beridze"),
        "BI": email("esperance.mwamba"), "CF": email("jeanpaul.mbarga"), "TD": email("jeanpaul.mbarga"), "AM": email("nino.beridze"),
    ]
    static let secondVerifier: [String: String] = [
        "CM": email("esperance.mwamba"), "CD": email("jeanpaul.mbarga"), "BI": email("jeanpaul.mbarga"),
        "CF": email("esperance.mwamba"), "TD": email("esperance.mwamba"),
    ]
    /// Partner staff who record alerts brought to them (verifiers and protection officers).
    static let partnerRecorders: [String: [String]] = [
        "CM": [email("jeanpaul.mbarga")], "CD": [email("patrick.mukendi"), email("esperance.mwamba")], "TN": [email("amira.bensalah")],
        "GE": [email("nino.beridze")], "BI": [email("patrick.mukendi")], "CF": [email("jeanpaul.mbarga")],
        "TD": [email("jeanpaul.mbarga")], "AM": [email("nino.beridze")],
    ]

    // MARK: Deliberate duplicates

    struct Variant {
        var name: String
        var language: Language
        var channel: AlertChannel
        var fate: Fate
        /// Days between receipt and the demo's "now".
        var daysAgo: Double
    }

    struct DuplicateSet {
        var country: String
        var region: String
        var caseIndex: Int
        var woman: Bool
        var variants: [Variant]
    }

    /// The same defender (or organisation) reported more than once, spelled or transliterated
    /// differently, so the alert page shows possible duplicates. Variants whose fate is `.merged`
    /// are merged into the set's first variant.
    static let duplicateSets: [DuplicateSet] = [
        DuplicateSet(country: "TN", region: "Sfax", caseIndex: 11, woman: false, variants: [
            Variant(name: "Mohamed Ben Salah", language: .fr, channel: .webForm, fate: .verified, daysAgo: 18),
            Variant(name: "Mohammed Bensalah", language: .en, channel: .api, fate: .merged, daysAgo: 17.2),
            Variant(name: "محمد بن صالح", language: .ar, channel: .signal, fate: .triaged, daysAgo: 2.6),
        ]),
        DuplicateSet(country: "TN", region: "Gafsa", caseIndex: 2, woman: true, variants: [
            Variant(name: "Salma Gharbi", language: .fr, channel: .webForm, fate: .inVerification, daysAgo: 6),
            Variant(name: "سلمى غربي", language: .ar, channel: .partner, fate: .received, daysAgo: 20.0 / 24),
        ]),
        DuplicateSet(country: "GE", region: "Kutaisi", caseIndex: 0, woman: false, variants: [
            Variant(name: "Levan Gelashvili", language: .en, channel: .webForm, fate: .notVerified, daysAgo: 40),
            Variant(name: "ლევან გელაშვილი", language: .en, channel: .partner, fate: .triaged, daysAgo: 5),
        ]),
        DuplicateSet(country: "CM", region: "Ebolowa", caseIndex: 1, woman: false, variants: [
            Variant(name: "Jean-Claude Atangana", language: .fr, channel: .phone, fate: .verified, daysAgo: 30),
            Variant(name: "ATANGANA Jean Claude", language: .fr, channel: .partner, fate: .merged, daysAgo: 29.4),
        ]),
        DuplicateSet(country: "CD", region: "Walungu", caseIndex: 7, woman: false, variants: [
            Variant(name: "Chançard Bisimwa", language: .fr, channel: .partner, fate: .inVerification, daysAgo: 8),
            Variant(name: "Chancard Bissimwa", language: .fr, channel: .signal, fate: .triaged, daysAgo: 7),
        ]),
        DuplicateSet(country: "AM", region: "Gyumri", caseIndex: 10, woman: true, variants: [
            Variant(name: "Anahit Sargsyan", language: .en, channel: .webForm, fate: .verifiedThenClosed, daysAgo: 50),
            Variant(name: "Անահիտ Սարգսյան", language: .en, channel: .api, fate: .received, daysAgo: 50.0 / 24),
        ]),
        DuplicateSet(country: "GE", region: "Kutaisi", caseIndex: 13, woman: false, variants: [
            Variant(name: "Rainbow Solidarity Kutaisi", language: .en, channel: .email, fate: .closedAfterTriage, daysAgo: 70),
            Variant(name: "Rainbow Solidarity – Kutaisi", language: .en, channel: .webForm, fate: .inVerification, daysAgo: 10),
        ]),
    ]

    // MARK: Plans

    enum Step: Sendable {
        case receive
        case triage(Urgency, by: String, note: String?)
        case assign(to: String, by: String)
        case comment(String, by: String)
        case request([String], by: String, message: String?)
        case respond(verifier: String, SourceReliability, InformationCredibility, notes: String)
        case decline(verifier: String, reason: String)
        case decide(AlertWorkflow.Decision, by: String, grounds: String)
        case merge(into: Int, by: String)
        case senderUpdate(String)
    }

    struct Plan: Sendable {
        var input: AlertInput
        var channel: AlertChannel
        /// Who recorded it (nil: the sender used the form or the API).
        var recorder: String?
        /// Handled by the Geneva consortium member rather than the Lyon host.
        var geneva: Bool
        var received: Date
        /// Each step's delay after receipt.
        var steps: [(after: TimeInterval, step: Step)]
    }

    /// The demo's deterministic generator: the same demo on every run.
    package typealias Random = SeededGenerator

    /// Writes the stories of every alert, ending before `end`.
    static func plan(end: Date, seed: UInt64 = 0xE61D_E2026) -> [Plan] {
        var planner = Planner(end: end, rng: Random(state: seed))
        return planner.build()
    }

    struct Planner {
        let end: Date
        var rng: Random
        var plans: [Plan] = []
        var usedNames: [String: [String]] = [:]
        var organisationsLeft = DemoAlertTexts.organisations
        var untriaged = 0

        mutating func build() -> [Plan] {
            // The duplicates first, so their indices are known to the merge steps.
            for set in duplicateSets {
                let first = plans.count
                for variant in set.variants {
                    let fate = variant.fate
                    let about = DemoAlertTexts.cases[set.caseIndex]
                    var plan = alert(country: set.country, language: variant.language, region: set.region, caseIndex: set.caseIndex,
                                     name: variant.name, woman: set.woman, fate: fate, channel: variant.channel,
                                     organisationName: about.aboutOrganisation ? variant.name : nil)
                    if fate == .merged {
                        let by = plan.geneva ? genevaHandler : rng.pick(lyonHandlers)
                        plan.steps.append((rng.hours(6...20), .merge(into: first, by: by)))
                    }
                    place(&plan, age: variant.daysAgo * 86400, fate: fate)
                    plans.append(plan)
                }
            }
            // The rest: fates and countries dealt out, every partner verifier getting requests.
            var fatesLeft: [Fate] = []
            for (fate, count) in fates {
                let taken = duplicateSets.flatMap(\.variants).filter { $0.fate == fate }.count
                fatesLeft += Array(repeating: fate, count: count - taken)
            }
            var countriesLeft: [String] = []
            for (country, count) in countries {
                let taken = duplicateSets.filter { $0.country == country }.map(\.variants.count).reduce(0, +)
                countriesLeft += Array(repeating: country, count: count - taken)
            }
            fatesLeft.shuffle(using: &rng)
            countriesLeft.shuffle(using: &rng)
            // Two open requests for each partner verifier, whatever the shuffle gave.
            var forced = ["CM", "CD", "TN", "GE", "CM", "CD", "TN", "GE"]
            var genevaFates: [Fate] = [.received, .triaged, .inVerification, .verified, .closedAfterTriage, .closedAfterTriage]
            for fate in fatesLeft {
                var country: String
                var onlyAsked = false
                if fate == .inVerification, let next = forced.first {
                    forced.removeFirst()
                    country = next
                    countriesLeft.remove(at: countriesLeft.firstIndex(of: next)!)
                    onlyAsked = true
                } else {
                    country = countriesLeft.removeLast()
                }
                let geneva = !onlyAsked && genevaFates.contains(fate)
                if geneva { genevaFates.remove(at: genevaFates.firstIndex(of: fate)!) }
                var plan = pooled(country: country, fate: fate, geneva: geneva, onlyAsked: onlyAsked)
                place(&plan, age: age(for: fate), fate: fate)
                plans.append(plan)
            }
            return plans
        }

        /// How long ago an alert with this fate came in (before `place` makes room for its story).
        mutating func age(for fate: Fate) -> TimeInterval {
            switch fate {
            case .received:
                untriaged += 1
                return DemoAlerts.untriagedAges[(untriaged - 1) % DemoAlerts.untriagedAges.count] * 3600 + rng.hours(0...0.3)
            case .triaged: return rng.hours(4...(6 * 24))
            case .inVerification: return rng.hours(24...(10 * 24))
            default: return rng.hours((14 * 24)...(120 * 24))
            }
        }

        mutating func pooled(country: String, fate: Fate, geneva: Bool, onlyAsked: Bool) -> Plan {
            let english = rng.chance(DemoAlertTexts.englishShare[country] ?? 0)
            let language: Language = english ? .en : .fr
            let regions = DemoAlertTexts.regions[country]!
            let region = rng.pick(english ? regions.en : regions.fr)
            let candidates = DemoAlertTexts.cases.indices.filter { index in
                let about = DemoAlertTexts.cases[index]
                return about.countries.contains(country) && (!about.aboutOrganisation || !(organisationsLeft[country] ?? []).isEmpty)
            }
            let caseIndex = rng.pick(candidates)
            let about = DemoAlertTexts.cases[caseIndex]
            let woman = about.women || rng.chance(0.5)
            let name = uniqueName(country: country, woman: woman)
            var organisationName: String?
            if about.aboutOrganisation {
                organisationName = organisationsLeft[country]!.removeFirst()
            }
            let channel: AlertChannel
            if geneva {
                channel = .phone
            } else if fate == .rejectedInsufficient {
                channel = rng.chance(0.7) ? .webForm : .api
            } else {
                channel = weightedChannel()
            }
            return alert(country: country, language: language, region: region, caseIndex: caseIndex, name: name, woman: woman,
                         fate: fate, channel: channel, organisationName: organisationName, geneva: geneva, onlyAsked: onlyAsked)
        }

        mutating func weightedChannel() -> AlertChannel {
            let weights: [(AlertChannel, Int)] = [(.webForm, 34), (.api, 8), (.partner, 22), (.phone, 12), (.signal, 16), (.email, 5), (.inPerson, 3)]
            var roll = Int.random(in: 0..<weights.map(\.1).reduce(0, +), using: &rng)
            for (channel, weight) in weights {
                if roll < weight { return channel }
                roll -= weight
            }
            return .webForm
        }

        /// A name unlike every other of the country in the demo (so only the deliberate duplicates
        /// show as possible duplicates), in the country's own script now and then.
        mutating func uniqueName(country: String, woman: Bool) -> String {
            let pool = DemoAlertTexts.names[country]!
            let native = rng.chance(pool.nativeShare)
            // Compared as written, both ways round (the score is not symmetric), as the alert page compares them.
            var used = usedNames[country] ?? duplicateSets.filter { $0.country == country }.flatMap { $0.variants.map(\.name) }
            while true {
                let first = rng.pick(woman ? pool.women : pool.men)
                let last = rng.pick(pool.surnames)
                var name = first.0 + " " + last.0
                if native, let a = first.1, let b = last.1 { name = a + " " + b }
                guard !used.contains(where: { NameMatcher.isLikelySame($0, name) || NameMatcher.isLikelySame(name, $0) }) else { continue }
                used.append(name)
                usedNames[country] = used
                return name
            }
        }

        // MARK: One alert's story

        mutating func alert(country: String, language: Language, region: String, caseIndex: Int, name: String, woman: Bool,
                            fate: Fate, channel: AlertChannel, organisationName: String?, geneva: Bool = false,
                            onlyAsked: Bool = false) -> Plan {
            let about = DemoAlertTexts.cases[caseIndex]
            // What the team writes about it is French unless the sender wrote in English.
            let fr = language != .en
            let text: String
            var categories = about.categories
            var needs = about.needs.map(\.rawValue)
            var work: FieldOfWork? = rng.chance(0.9) ? about.work : nil
            switch fate {
            case .rejectedOutOfMandate:
                let pair = rng.pick(DemoAlertTexts.outOfMandate)
                text = fr ? pair.fr : pair.en
                categories = rng.chance(0.5) ? [] : ["threats"]
                needs = rng.chance(0.5) ? [] : [AlertNeed.material.rawValue]
                work = rng.chance(0.5) ? nil : .other
            case .rejectedInsufficient:
                let pair = rng.pick(DemoAlertTexts.insufficient)
                text = fr ? pair.fr : pair.en
                categories = rng.chance(0.6) ? [] : [about.categories[0]]
                needs = []
                work = nil
            default:
                text = fr ? about.fr : about.en
                if rng.chance(0.4), needs.count > 1 { needs.removeLast() }
            }
            let narrative: String
            if language == .ar, let arabic = about.ar {
                narrative = DemoAlertTexts.fill(woman ? arabic.woman : arabic.man, name: name, region: DemoAlertTexts.arabicRegions[region] ?? region,
                                                organisation: organisationName ?? "", woman: woman) + DemoAlertTexts.fictional.ar
            } else {
                narrative = DemoAlertTexts.fill(text, name: name, region: region, organisation: organisationName ?? "", woman: woman)
                    + (fr ? DemoAlertTexts.fictional.fr : DemoAlertTexts.fictional.en)
            }

            // Contact: given with consent, or not at all (always withheld for the vague alerts).
            var contact: String?
            var contactChannel: ContactChannel?
            if fate != .rejectedInsufficient && rng.chance(0.65) {
                let chosen: ContactChannel = channel == .signal ? .signal : rng.pick([.signal, .signal, .whatsapp, .email, .telegram, .phone])
                contactChannel = chosen
                let latinName = NameMatcher.latin(name).replacingOccurrences(of: " ", with: ".")
                contact = chosen == .email ? "\(latinName.isEmpty ? "contact" : latinName)@example.org"
                    : "+\(DemoAlertTexts.dialCodes[country]!) 000 000 \(String(format: "%03d", plans.count))"
            }
            let incidentDate: String? = rng.chance(0.8) ? "-\(Int.random(in: 0...6, using: &rng))" : nil  // days before receipt
            let input = AlertInput(
                defenderName: about.aboutOrganisation ? nil : name, organisationName: organisationName,
                senderIsDefender: about.firstPerson, country: country, region: rng.chance(0.9) ? region : nil,
                incidentDate: incidentDate, categories: categories, fieldOfWork: work?.rawValue, narrative: narrative,
                needs: needs, contact: contact, contactChannel: contactChannel?.rawValue, consentToContact: contact != nil,
                language: language.rawValue,
                idempotencyKey: channel == .api ? "demo-api-\(String(format: "%04d", plans.count))-\(String(rng.next(), radix: 36))" : nil)

            var recorder: String?
            switch channel {
            case .webForm, .api: recorder = nil
            case .partner: recorder = rng.pick(partnerRecorders[country]!)
            default: recorder = geneva ? genevaHandler : rng.pick(lyonHandlers)
            }
            var plan = Plan(input: input, channel: channel, recorder: recorder, geneva: geneva, received: end, steps: [(0, .receive)])
            story(&plan, fate: fate, country: country, fr: fr, urgency: about.urgency, onlyAsked: onlyAsked)
            return plan
        }

        /// Dates the receipt `age` before the end (earlier if the story needs more time), and lets a
        /// few senders come back with their receipt to add something before the team answers.
        mutating func place(_ plan: inout Plan, age: TimeInterval, fate: Fate) {
            let span = max(age, (plan.steps.map(\.after).max() ?? 0) + rng.hours(0.2...6))
            if [.webForm, .api].contains(plan.channel), fate != .merged, rng.chance(0.22) {
                let next = min(plan.steps.dropFirst().map(\.after).min() ?? span, span - 600)
                if next > 2 * 3600 {
                    let pair = rng.pick(DemoAlertTexts.senderUpdates)
                    let text = plan.input.language == Language.fr.rawValue ? pair.fr : pair.en
                    plan.steps.append((Double.random(in: 3600...(next - 1800), using: &rng), .senderUpdate(text)))
                }
            }
            plan.steps.sort { $0.after < $1.after }
            plan.received = end.addingTimeInterval(-span)
        }

        mutating func story(_ plan: inout Plan, fate: Fate, country: String, fr: Bool, urgency base: Urgency, onlyAsked: Bool) {
            var t: TimeInterval = 0
            func text(_ pairs: [DemoAlertTexts.Pair]) -> String { let pair = rng.pick(pairs); return fr ? pair.fr : pair.en }
            func then(_ hours: ClosedRange<Double>, _ step: Step) {
                t += rng.hours(hours)
                plan.steps.append((t, step))
            }
            let officer = plan.geneva ? genevaHandler : rng.pick(lyonHandlers)
            let coordinator = plan.geneva ? genevaHandler : email("karim.benali")
            let local = localVerifier[country]!
            let second = secondVerifier[country]

            var urgency = base
            if rng.chance(0.25), let less = Urgency.allCases.first(where: { $0 > base }) { urgency = less }
            else if rng.chance(0.1), let more = Urgency.allCases.last(where: { $0 < base }) { urgency = more }
            if fate == .rejectedOutOfMandate || fate == .rejectedInsufficient { urgency = rng.chance(0.5) ? .p4 : .p3 }

            func triage() {
                let delay: ClosedRange<Double> = switch urgency {
                case .p1: 0.3...3
                case .p2: 1...12
                case .p3, .p4: 2...40
                }
                then(delay, .triage(urgency, by: officer, note: rng.chance(0.4) ? text(DemoAlertTexts.triageNotes) : nil))
                let others = (plan.geneva ? [genevaHandler] : lyonHandlers).filter { $0 != officer }
                if !others.isEmpty, rng.chance(0.2) { then(0.2...4, .assign(to: rng.pick(others), by: coordinator)) }
                if rng.chance(0.3) { then(1...20, .comment(text(DemoAlertTexts.comments), by: officer)) }
            }
            func ask(_ verifiers: [String]) {
                then(1...20, .request(verifiers, by: officer, message: rng.chance(0.8) ? text(DemoAlertTexts.requestMessages) : nil))
            }
            func answer(_ verifier: String, _ grade: (SourceReliability, InformationCredibility)) {
                let pairs = grade.1 <= .probablyTrue
                    ? (grade.0 <= .b ? DemoAlertTexts.strongFindings : DemoAlertTexts.fairFindings) : DemoAlertTexts.weakFindings
                then(12...96, .respond(verifier: verifier, grade.0, grade.1, notes: text(pairs)))
            }
            func decline(_ verifier: String) { then(6...48, .decline(verifier: verifier, reason: text(DemoAlertTexts.declines))) }
            func decide(_ decision: AlertWorkflow.Decision, _ key: String, after: ClosedRange<Double> = 8...48) {
                then(after, .decide(decision, by: officer, grounds: text([DemoAlertTexts.grounds[key]!])))
            }
            let strong: [(SourceReliability, InformationCredibility)] = [(.b, .probablyTrue), (.b, .probablyTrue), (.a, .probablyTrue), (.b, .confirmed), (.a, .confirmed)]
            let weak: [(SourceReliability, InformationCredibility)] = [(.c, .possiblyTrue), (.d, .possiblyTrue), (.c, .doubtful), (.d, .doubtful), (.e, .improbable), (.f, .cannotBeJudged)]

            switch fate {
            case .received, .merged:
                break
            case .triaged:
                triage()
            case .inVerification:
                triage()
                if onlyAsked || second == nil || rng.chance(0.5) {
                    ask([local] + (second != nil && rng.chance(0.3) ? [second!] : []))
                } else if rng.chance(0.6) {
                    ask([local, second!])
                    answer(local, (.c, .probablyTrue))
                } else {
                    ask([local])
                    decline(local)
                    ask([second!])
                }
            case .verified, .verifiedThenClosed:
                triage()
                if let second, ["BI", "CF", "TD"].contains(country) || rng.chance(0.35) {
                    // Two independent partners, each "fairly reliable, probably true".
                    ask([local, second])
                    answer(local, (.c, .probablyTrue))
                    answer(second, (.c, .probablyTrue))
                } else {
                    // One reliable partner suffices; a second one still asked is withdrawn by the decision.
                    ask([local] + (second != nil && rng.chance(0.25) ? [second!] : []))
                    answer(local, rng.pick(strong))
                }
                decide(.verified, "verified")
                if fate == .verifiedThenClosed { decide(.closed, "closed_after_verified", after: 72...600) }
            case .notVerified:
                triage()
                if let second, rng.chance(0.3) {
                    ask([local])
                    decline(local)
                    ask([second])
                    answer(second, rng.pick(weak))
                } else if rng.chance(0.2) {
                    ask([local])
                    answer(local, (.c, .probablyTrue))  // one fair source: the rule does not propose "verified"
                } else {
                    ask([local])
                    answer(local, rng.pick(weak))
                }
                decide(.notVerified, "not_verified", after: 24...96)
            case .rejectedOutOfMandate:
                if rng.chance(0.4) { triage() }
                decide(.rejected(.outOfMandate), "out_of_mandate", after: 4...30)
            case .rejectedInsufficient:
                if rng.chance(0.5) {
                    triage()
                    then(2...24, .comment(fr ? "Aucun moyen de recontacter l'expéditeur." : "No way to reach the sender.", by: officer))
                }
                decide(.rejected(.insufficientInformation), "insufficient_information", after: 24...120)
            case .closedAfterTriage:
                triage()
                decide(.closed, "closed_after_triage", after: 24...240)
            case .closedUntriaged:
                decide(.closed, "closed_untriaged", after: 2...30)
            }
        }
    }

    // MARK: Playing the plans

    /// Moves Egide's clock to each step's moment, and back to the real time at the end.
    final class TimeTravel: @unchecked Sendable {
        let clock: EgideClock
        private(set) var shift: TimeInterval = 0

        init(_ clock: EgideClock) { self.clock = clock }

        /// Sets the clock to `date`, unless it already shows a later time (steps planned a moment
        /// apart run one after the other): the audit log stays in time order.
        func go(to date: Date) {
            let delta = date.timeIntervalSince(clock.now())
            guard delta > 0 || shift == 0 else { return }
            clock.advance(by: delta)
            shift += delta
        }

        func back() {
            clock.advance(by: -shift)
            shift = 0
        }
    }

    struct StepFailed: Error, CustomStringConvertible {
        var alert: Int
        var step: String
        var underlying: any Error
        var description: String { "egide demo: alert \(alert), step \(step): \(underlying)" }
    }

    /// Plays every step of `plans` in time order. `staff` and `users` are keyed by email.
    static func play(_ plans: [Plan], staff: [String: Actor], users: [String: UserRecord], geneva: UUID,
                     app: Application, time: TimeTravel) async throws {
        let categories = Set(try await AlertQueries.categories(on: app.db).map(\.code))
        var schedule: [(at: Date, alert: Int, order: Int, step: Step)] = []
        for (index, plan) in plans.enumerated() {
            for (order, item) in plan.steps.enumerated() {
                schedule.append((plan.received.addingTimeInterval(item.after), index, order, item.step))
            }
        }
        schedule.sort { ($0.at, $0.alert, $0.order) < ($1.at, $1.alert, $1.order) }
        var ids: [Int: UUID] = [:]
        for entry in schedule {
            time.go(to: entry.at)
            let plan = plans[entry.alert]
            do {
                if case .receive = entry.step {
                    ids[entry.alert] = try await receive(plan, categories: categories, staff: staff, geneva: geneva, app: app)
                    continue
                }
                try await perform(entry.step, on: ids[entry.alert]!, ids: ids, staff: staff, users: users, app: app)
            } catch {
                throw StepFailed(alert: entry.alert, step: "\(entry.step)", underlying: error)
            }
        }
    }

    /// One step after receipt on alert `id` (`ids`: the alerts received so far, by plan index, for merges).
    static func perform(_ step: Step, on id: UUID, ids: [Int: UUID], staff: [String: Actor], users: [String: UserRecord],
                        app: Application) async throws {
        func who(_ email: String) -> Actor { staff[email]! }
        switch step {
        case .receive:
            break
        case .triage(let urgency, let by, let note):
            try await AlertWorkflow.triage(id, urgency: urgency, note: note, by: who(by), app: app)
        case .assign(let to, let by):
            try await AlertWorkflow.assign(id, to: who(to).userID, by: who(by), app: app)
        case .comment(let text, let by):
            try await AlertWorkflow.comment(id, text: text, by: who(by), app: app)
        case .request(let verifiers, let by, let message):
            try await AlertWorkflow.requestVerification(id, verifiers: verifiers.map { users[$0]! }, message: message, by: who(by), app: app)
        case .respond(let verifier, let reliability, let credibility, let notes):
            let request = try await pendingRequest(alert: id, verifier: who(verifier).userID, on: app.db)
            try await AlertWorkflow.respond(request, finding: .init(reliability: reliability, credibility: credibility, notes: notes, uploads: []),
                                            by: who(verifier), app: app)
        case .decline(let verifier, let reason):
            let request = try await pendingRequest(alert: id, verifier: who(verifier).userID, on: app.db)
            try await AlertWorkflow.decline(request, reason: reason, by: who(verifier), app: app)
        case .decide(let decision, let by, let grounds):
            try await AlertWorkflow.decide(id, decision, grounds: grounds, by: who(by), app: app)
        case .merge(let primary, let by):
            try await AlertWorkflow.merge(id, into: ids[primary]!, by: who(by), app: app)
        case .senderUpdate(let text):
            guard let alert = try await AlertRecord.find(id, on: app.db) else { throw Abort(.notFound) }
            try await AlertWorkflow.addSenderInformation(text, uploads: [], to: alert, app: app)
        }
    }

    static func receive(_ plan: Plan, categories: Set<String>, staff: [String: Actor], geneva: UUID, app: Application) async throws -> UUID {
        let now = app.clock.now()
        var input = plan.input
        // The incident date is planned in days before receipt.
        if let offset = input.incidentDate.flatMap(Int.init) {
            input.incidentDate = day(now.addingTimeInterval(TimeInterval(offset) * 86400))
        }
        let draft: AlertDraft
        switch AlertIntake.validate(input, categories: categories, now: now, fallbackLanguage: .fr) {
        case .success(let valid): draft = valid
        case .failure(let problems): throw CommandFailure(message: "egide demo: invalid alert: \(problems.items.map { "\($0.field) \($0.key)" })")
        }
        let recorder = plan.recorder.map { staff[$0]! }
        let origin = AlertIntake.Origin(channel: plan.channel, recordedBy: recorder?.userID, recordedByOrganisation: recorder?.organisationID,
                                        audit: recorder.map { .user($0.userID) } ?? .publicSender)
        return try await AlertIntake.submit(draft, uploads: [], origin: origin, owner: plan.geneva ? geneva : nil, app: app).alertID
    }

    static func pendingRequest(alert: UUID, verifier: UUID, on db: any Database) async throws -> UUID {
        guard let request = try await VerificationRequestRecord.query(on: db).filter(\.$alertID == alert)
            .filter(\.$verifierID == verifier).filter(\.$state == .pending).first() else { throw Abort(.notFound) }
        return try request.requireID()
    }

    static func day(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    // MARK: What was made

    /// Counts of what the demo holds, for the printed summary and the tests.
    struct Summary: Sendable, Equatable {
        var total = 0
        var byStatus: [AlertStatus: Int] = [:]
        var findings = 0
        var pendingRequests = 0
        var merged = 0
        var geneva = 0

        /// Two lines for the console: how many alerts are in each state, then the rest.
        var lines: [String] {
            let states = AlertStatus.allCases.map { status in
                "\(byStatus[status] ?? 0) \(status.rawValue.replacingOccurrences(of: "_", with: " "))"
            }
            return ["\(total) alerts over the last 120 days: " + states.joined(separator: ", ") + ";",
                    "\(findings) verifier findings, \(pendingRequests) verification requests waiting, \(merged) duplicates merged;"
                        + " \(geneva) alerts belong to the Geneva team (thomas.keller@example.org)."]
        }
    }

    static func summary(on db: any Database, geneva: UUID) async throws -> Summary {
        var summary = Summary()
        summary.total = try await AlertRecord.query(on: db).count()
        for status in AlertStatus.allCases {
            summary.byStatus[status] = try await AlertRecord.query(on: db).filter(\.$status == status).count()
        }
        summary.findings = try await VerificationFindingRecord.query(on: db).count()
        summary.pendingRequests = try await VerificationRequestRecord.query(on: db).filter(\.$state == .pending).count()
        summary.merged = try await AlertRecord.query(on: db).filter(\.$mergedInto != nil).count()
        summary.geneva = try await AlertRecord.query(on: db).filter(\.$organisationID == geneva).count()
        return summary
    }
}

/// The demo's draws, on the shared deterministic generator.
extension SeededGenerator {
    package mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    package mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
    mutating func hours(_ range: ClosedRange<Double>) -> TimeInterval { Double.random(in: range, using: &self) * 3600 }
}
