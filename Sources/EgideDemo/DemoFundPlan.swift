import App
import EgideCore
import Foundation

/// Writing the fund's story: the grants' fates, amounts, approvers, dates, cases, words and money.
extension DemoFund {
    /// What the planner knows of a demo case.
    struct CaseInfo {
        var index: Int
        var country: String
        var opened: Date
        /// The first closure, if any.
        var closed: Date?
        /// When it was shared with the Yaoundé partner.
        var sharedWithYaounde: Date?
        var geneva: Bool
        var fr: Bool
        var defender: String
        var isOrganisation: Bool
        /// Who led it from when (opening and team changes).
        var leads: [(Date, String)]

        func lead(at date: Date) -> String? { leads.last { $0.0 < date }?.1 }
        func isOpen(at date: Date) -> Bool { opened.addingTimeInterval(86400) < date && (closed.map { $0 > date } ?? true) }
    }

    /// A step of a grant's story, days after its request; money and days are worked out when the
    /// request's date is known.
    enum Action {
        case request(submit: Bool)
        case submit(Pair?)
        case screen, ask(Pair), reject(Pair), approve(String), withdraw(Pair), cancel(Pair)
        case disburse(share: Double, last: Bool)
        case complete
        case requestReport(dueDays: Double)
        case receiveReport(Pair, file: Bool)
        case close
    }

    struct Planner {
        let end: Date
        var rng: Random
        let cases: [CaseInfo]
        var steps: [(at: Date, step: Step)] = []
        var grants: [GrantPlan] = []
        var usedCases: Set<Int> = []
        var usedNames: Set<String> = []
        var categoryDeck: [SupportCategory] = []

        init(end: Date, rng: Random, cases plans: [DemoCases.Plan]) {
            self.end = end
            self.rng = rng
            cases = plans.enumerated().compactMap { index, plan in
                var opened: Date?, closed: Date?, shared: Date?, leads: [(Date, String)] = []
                for (at, step) in plan.steps {
                    switch step {
                    case .open(let by):
                        opened = at
                        leads.append((at, by))
                    case .team(let lead, _, _): leads.append((at, lead))
                    case .grant(let slug, _) where slug == "cm-yaounde": shared = shared ?? at
                    case .close: closed = closed ?? at
                    default: break
                    }
                }
                guard let opened else { return nil }
                return CaseInfo(index: index, country: plan.country, opened: opened, closed: closed, sharedWithYaounde: shared,
                                geneva: leads.first?.1 == DemoCases.genevaOfficer, fr: plan.summary.contains("Dossier fictif"),
                                defender: plan.defender.name, isOrganisation: plan.defenderIsOrganisation, leads: leads)
            }
            usedNames = Set(plans.map(\.defender.name))
        }

        /// The last moment a step may take place, and the first a grant may be requested (the allocations are confirmed).
        var limit: Date { end.addingTimeInterval(-20 * 60) }
        var earliestGrant: Date { ago(128) }
        func ago(_ days: Double) -> Date { end.addingTimeInterval(-days * 86400) }
        mutating func days(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &rng) }
        mutating func text(_ pairs: [Pair], fr: Bool) -> String { let pair = rng.pick(pairs); return fr ? pair.fr : pair.en }

        mutating func build() -> Plan {
            // Funds, allocations (each confirmed or withdrawn by a second fund manager), rates.
            for spec in funds { steps.append((ago(spec.daysAgo), .openFund(spec.key))) }
            for spec in allocations {
                steps.append((ago(spec.daysAgo), .allocate(spec.label)))
                if let by = spec.settledBy {
                    steps.append((ago(spec.daysAgo - days(0.1...1.5)), .settle(spec.label, confirm: !spec.withdraw, by: by)))
                }
            }
            for series in rates {
                for (position, value) in series.values.enumerated() {
                    guard let value else { continue }
                    let at = ago(rateDays[position] - days(0...2))
                    let by = rng.pick(managers[series.organisation]!)
                    steps.append((at, .rate(from: series.from, to: series.to, nanos: try! ExchangeRate.parseNanos(value), on: DemoAlerts.day(at), by: by)))
                }
            }
            // Every category at least once, then the common needs more often.
            categoryDeck = SupportCategory.allCases.shuffled(using: &rng)
            var overdue = 0
            for (fate, labels) in slots {
                for (position, label) in labels.enumerated() {
                    var special: Special = .none
                    switch (fate, label, position) {
                    case (.rejected, "eu-lyon", _): special = .aboveCeiling
                    case (.screening, "eu-lyon", _), (.approved, "eu-lyon", _): special = .aboveLyonLimit  // two Lyon approvers
                    case (.screening, "eu-yaounde", _): special = .waitingLyon
                    case (.screening, "eu-tunis", _): special = .waitingLyon
                    case (.closed, "eu-yaounde", 3): special = .wholeCascade
                    case (.disbursed, "eu-vigilance", _): special = .threeLevels
                    // Paid in Congolese francs whichever cases happen to be open (the tests count on it).
                    case (.closed, "eu-lyon", 0), (.disbursing, "ch-lyon", _), (.justified, "ch-lyon", _): special = .inCongo
                    case (.reportDue, _, _):
                        special = position.isMultiple(of: 2) ? .overdue : .dueSoon
                        if special == .overdue { overdue += 1 }
                    default: break
                    }
                    grant(fate, label, special)
                }
            }
            precondition(overdue >= 3)
            checkBudgets()
            return Plan(grants: grants, steps: steps)
        }

        enum Special: Equatable { case none, aboveCeiling, aboveLyonLimit, waitingLyon, threeLevels, wholeCascade, overdue, dueSoon, inCongo }

        mutating func pickCategory(for fund: FundSpec) -> SupportCategory {
            let weights: [(SupportCategory, Double)] = [
                (.urgentRelocation, 5), (.legal, 5), (.medicalPsychosocial, 5), (.digitalSecurity, 4), (.physicalSecurity, 4),
                (.humanitarianFamily, 3), (.secureTransport, 2), (.communications, 2), (.urgentMonitoring, 2), (.securityCapacityBuilding, 1), (.other, 1),
            ]
            while true {
                let pick: SupportCategory
                if !categoryDeck.isEmpty {
                    pick = categoryDeck.removeFirst()
                } else {
                    var roll = Double.random(in: 0..<weights.map(\.1).reduce(0, +), using: &rng)
                    pick = weights.first { roll -= $0.1; return roll < 0 }?.0 ?? .legal
                }
                if fund.categories.contains(pick) { return pick }
                if !categoryDeck.isEmpty { categoryDeck.append(pick) }
            }
        }

        /// An amount in major units for a grant under `label`: mostly within the first delegation
        /// limit, some above it (two or three approvers), rarely near the ceiling.
        mutating func pickAmount(_ label: String, _ special: Special) -> Int64 {
            let spec = allocation(label)
            let ceiling = fund(spec.fund).ceiling
            func round(_ value: Double) -> Int64 { Int64((value / 50).rounded()) * 50 }
            switch special {
            case .aboveCeiling: return ceiling + 2_500
            case .aboveLyonLimit: return round(days(Double(spec.limit) + 500...Double(ceiling) - 500))
            case .waitingLyon, .threeLevels: return round(days(2_300...4_600))
            case .wholeCascade: return 6_500
            default: break
            }
            let roll = days(0...1)
            switch spec.organisation {
            case "lyon": return roll < 0.72 ? round(days(800...Double(spec.limit))) : round(days(Double(spec.limit) + 100...Double(ceiling) - 600))
            case "tunis": return roll < 0.65 ? round(days(600...Double(spec.limit))) : round(days(Double(spec.limit) + 100...4_800))
            default: return roll < 0.7 ? round(days(300...Double(spec.limit))) : roll < 0.95 ? round(days(Double(spec.limit) + 50...2_000)) : round(days(2_100...4_500))
            }
        }

        /// The fund managers who approve `amount` (minor units) under `label`, lowest level first,
        /// none of them the requester: checked against `FourEyes` as the workflow will check it.
        mutating func approvers(_ amount: Int64, _ label: String, requester: String) -> [String] {
            let chain = DemoFund.chain(label)
            var ids: [String: UUID] = [:]
            func id(_ key: String) -> UUID { if let known = ids[key] { return known }; let new = UUID(); ids[key] = new; return new }
            let levels = chain.map { ApprovalLevel(organisationID: id($0.organisation), delegationLimit: $0.limit) }
            let required = FourEyes.requiredLevels(amount: amount, chain: levels)
            var chosen: [String] = []
            for level in 0..<required {
                let candidates = managers[chain[level].organisation]!.filter { !chosen.contains($0) && $0 != requester }
                chosen.append(rng.pick(candidates))
            }
            var recorded: [RecordedApproval] = []
            for approver in chosen {
                let organisation = managers.first { $0.value.contains(approver) }!.key
                precondition(FourEyes.refusal(approver: id(approver), approverOrganisation: id(organisation), requester: id(requester), amount: amount,
                                              ceiling: fund(allocation(label).fund).ceiling * 100, chain: levels, approvals: recorded) == nil,
                             "demo fund: \(approver) cannot approve \(amount) under \(label)")
                recorded.append(RecordedApproval(userID: id(approver), level: FourEyes.level(of: id(organisation), in: levels)!))
            }
            precondition(FourEyes.isComplete(recorded, amount: amount, chain: levels))
            return chosen
        }

        /// Plans one grant: its story in days, then its date, case, beneficiary, words and money.
        mutating func grant(_ fate: GrantState, _ label: String, _ special: Special) {
            let spec = allocation(label)
            let fundSpec = fund(spec.fund)
            let index = grants.count
            let category = special == .aboveCeiling ? .urgentRelocation : pickCategory(for: fundSpec)
            let amount = pickAmount(label, special) * 100
            let organisation = spec.organisation
            let decider = { (rng: inout Random) in rng.pick(managers[organisation]!) }

            // 1. The story, in days after the request (the requester is settled later, but never a fund manager).
            var story: [(Double, Action)] = []
            var t = 0.0
            func add(_ gap: ClosedRange<Double>, _ action: Action, _ planner: inout Planner) {
                t += planner.days(gap)
                story.append((t, action))
            }
            let placeholder = requesters[organisation]![0]
            var approving = special == .aboveCeiling ? [] : approvers(amount, label, requester: placeholder)
            let startsAsDraft = fate == .draft || rng.chance(0.25)
            story.append((0, .request(submit: !startsAsDraft)))
            var reportAt: (offset: Double, due: Double)?
            build: do {
                if fate == .draft { break build }
                if startsAsDraft { add(0.1...3, .submit(nil), &self) }
                if fate == .submitted { break build }
                if fate == .withdrawn {
                    if rng.chance(0.5) { add(0.3...2, .screen, &self) }
                    add(1...8, .withdraw(rng.pick(DemoFundTexts.withdrawals)), &self)
                    break build
                }
                if fate == .rejected, ![.aboveCeiling, .inCongo].contains(special), rng.chance(0.3) {
                    add(0.5...3, .reject(rng.pick(DemoFundTexts.rejections)), &self)
                    break build
                }
                add(0.2...2, .screen, &self)
                if fate == .rejected {
                    add(0.5...5, .reject(special == .aboveCeiling ? DemoFundTexts.aboveCeiling : rng.pick(DemoFundTexts.rejections)), &self)
                    break build
                }
                if fate == .moreInformation {
                    add(0.5...3, .ask(rng.pick(DemoFundTexts.questions)), &self)
                    break build
                }
                if rng.chance(0.2) {
                    add(0.5...3, .ask(rng.pick(DemoFundTexts.questions)), &self)
                    add(1...6, .submit(rng.pick(DemoFundTexts.answers)), &self)
                    add(0.2...2, .screen, &self)
                }
                if fate == .screening {
                    // Waiting for a higher level: the lower ones have approved.
                    let given = special == .none ? 0 : approving.count - 1
                    approving = Array(approving.prefix(given))
                    for approver in approving { add(0.2...2, .approve(approver), &self) }
                    break build
                }
                for approver in approving { add(0.1...2, .approve(approver), &self) }
                if fate == .approved { break build }
                if fate == .cancelled, rng.chance(0.5) {
                    add(3...15, .cancel(rng.pick(DemoFundTexts.cancellations)), &self)
                    break build
                }
                // Tranches: one, two or three; some grants end under budget (the rest is released).
                let count = fate == .disbursing || fate == .cancelled ? rng.pick([2, 2, 3]) : rng.pick([1, 1, 1, 2, 2, 3])
                let shares: [Double] = count == 1 ? [1] : count == 2 ? rng.pick([[0.6, 0.4], [0.5, 0.5]]) : [0.5, 0.3, 0.2]
                let paying = fate == .disbursing ? Int.random(in: 1..<count, using: &rng) : fate == .cancelled ? 1 : count
                let underBudget = fate != .disbursing && fate != .cancelled && rng.chance(0.15)
                for tranche in 0..<paying {
                    let last = tranche == count - 1
                    add(tranche == 0 ? 1...5 : 10...24, .disburse(share: last && underBudget ? shares[tranche] * 0.7 : shares[tranche],
                                                                  last: last && !underBudget), &self)
                }
                if fate == .disbursing { break build }
                if fate == .cancelled {
                    add(4...15, .cancel(rng.pick(DemoFundTexts.cancellations)), &self)
                    break build
                }
                if underBudget { add(1...5, .complete, &self) }
                if fate == .disbursed { break build }
                if fate == .closed, amount <= 1_000_00, rng.chance(0.6) {
                    add(2...12, .close, &self)  // a small grant closed on its receipts, without a report
                    break build
                }
                let due = days(30...40)
                add(0.2...3, .requestReport(dueDays: due), &self)
                reportAt = (t, due)
                if fate == .reportDue { break build }
                t = t - days(0...10) + due  // received around the due day
                story.append((t, .receiveReport(rng.pick(DemoFundTexts.reports), file: rng.chance(0.75))))
                if fate == .justified { break build }
                add(2...12, .close, &self)
            }

            // 2. When: recent for the states still moving, anywhere in the fund's life for the others;
            // a report due a few days ago or in a few days. Long stories are compressed to fit.
            let span = end.timeIntervalSince(earliestGrant) / 86400 - 0.5
            var anchor: Double  // days between the request and now
            if let reportAt, fate == .reportDue {
                anchor = reportAt.offset + (special == .overdue ? reportAt.due + days(2...25) : days(0.5...(reportAt.due - 4)))
            } else {
                let slack: ClosedRange<Double> = switch fate {
                case .draft, .submitted: 0.1...5
                case .screening, .moreInformation, .approved: 0.3...9
                case .disbursing: 0.5...15
                case .disbursed, .justified: 1...30
                default: 1...90
                }
                anchor = t + days(slack)
            }
            let scale = anchor > span ? span / anchor : 1
            anchor *= scale
            let requestedAt = end.addingTimeInterval(-anchor * 86400)
            func date(_ offset: Double, clamped: Bool = true) -> Date {
                let at = requestedAt.addingTimeInterval(offset * scale * 86400)
                return clamped ? min(at, limit) : at
            }

            // 3. A case (Lyon's own, or one shared with Yaoundé) open when the request is made, or a beneficiary without one.
            var requester = rng.pick(requesters[organisation]!)
            var caseInfo: CaseInfo?
            if ["lyon", "cm-yaounde"].contains(organisation), ![.aboveCeiling, .inCongo].contains(special), rng.chance(organisation == "lyon" ? 0.75 : 0.6) {
                let candidates = cases.filter { info in
                    !usedCases.contains(info.index) && info.isOpen(at: requestedAt)
                        && (organisation == "lyon" ? !info.geneva : (info.sharedWithYaounde.map { $0.addingTimeInterval(43_200) < requestedAt } ?? false))
                }
                if !candidates.isEmpty {
                    let info = rng.pick(candidates)
                    usedCases.insert(info.index)
                    caseInfo = info
                    if organisation == "lyon" {
                        // The case's lead asks if they are a requester here; otherwise the coordinator, who sees every case.
                        let lead = info.lead(at: requestedAt)
                        requester = lead.flatMap { requesters["lyon"]!.contains($0) ? $0 : nil } ?? email("karim.benali")
                    }
                }
            }
            let country = caseInfo?.country ?? (special == .inCongo ? "CD" : rng.pick(countries[label]!))
            let fr = caseInfo?.fr ?? (["GE", "LY"].contains(country) ? false : country == "TN" ? rng.chance(0.6) : country == "CM" ? rng.chance(0.75) : true)
            var beneficiary = caseInfo?.defender ?? ""
            var isOrganisation = caseInfo?.isOrganisation ?? false
            if caseInfo == nil {
                let names = DemoCaseTexts.moreNames[country] ?? DemoAlertTexts.names[country] ?? DemoFundTexts.libyanNames
                let free = (DemoFundTexts.organisations[country] ?? []).filter { !usedNames.contains($0) }
                if !free.isEmpty, rng.chance(0.3) {
                    beneficiary = rng.pick(free)
                    isOrganisation = true
                } else {
                    repeat {
                        beneficiary = rng.pick(rng.chance(0.5) ? names.women : names.men).0 + " " + rng.pick(names.surnames).0
                    } while usedNames.contains(beneficiary)
                }
                usedNames.insert(beneficiary)
            }

            // 4. The words: budget lines summing to the amount, justification, the plan's measures, the host of a relocation.
            let lines = DemoFundTexts.budgetLines[category]!
            var budget: [GrantContent.BudgetLine] = []
            var left = amount
            for (position, (line, share)) in lines.enumerated() {
                let value = position == lines.count - 1 ? left : Int64((Double(amount) * share / 100).rounded()) * 100
                budget.append(GrantContent.BudgetLine(label: fr ? line.fr : line.en, amount: value))
                left -= value
            }
            let justification = DemoAlertTexts.fill(text(DemoFundTexts.justifications[category]!, fr: fr), name: beneficiary, region: "",
                                                    organisation: beneficiary, woman: false) + (fr ? DemoFundTexts.fictional.fr : DemoFundTexts.fictional.en)
            var measures: [String] = []
            if let domain = DemoFundTexts.measureDomains[category], caseInfo != nil || rng.chance(0.3) {
                let matching = DemoCaseTexts.measures.filter { $0.domain == domain }
                for measure in matching.shuffled(using: &rng).prefix(rng.pick([1, 1, 2])) { measures.append(fr ? measure.text.fr : measure.text.en) }
            }
            let host = category == .urgentRelocation ? rng.pick(DemoFundTexts.hosts[country] ?? DemoFundTexts.hosts["GE"]!) : nil
            let details = GrantContent.Details(beneficiary: beneficiary, beneficiaryIsOrganisation: isOrganisation, budgetLines: budget,
                                               justification: justification, measures: measures, hostOrganisation: host)
            grants.append(GrantPlan(fate: fate, allocation: label, requester: requester, caseIndex: caseInfo?.index, category: category,
                                    country: country, amount: amount, details: details))

            // 5. The steps, with the money worked out at the rates of the day.
            var disbursed: Int64 = 0
            for (offset, action) in story {
                let at = date(offset)
                let step: Step
                switch action {
                case .request(let submit): step = .request(index, submit: submit)
                case .submit(let answer): step = .submit(index, note: answer.map { fr ? $0.fr : $0.en })
                case .screen: step = .decide(index, .screen, note: nil, by: decider(&rng))
                case .ask(let question): step = .decide(index, .askInformation, note: fr ? question.fr : question.en, by: decider(&rng))
                case .reject(let reason): step = .decide(index, .reject, note: fr ? reason.fr : reason.en, by: decider(&rng))
                case .approve(let approver): step = .approve(index, by: approver)
                case .withdraw(let reason): step = .withdraw(index, note: fr ? reason.fr : reason.en)
                case .cancel(let reason): step = .cancel(index, note: fr ? reason.fr : reason.en, by: decider(&rng))
                case .disburse(let share, let last):
                    let tranche = self.tranche(amount: amount, paid: disbursed, share: share, last: last, fund: fundSpec.currency,
                                               country: country, organisation: organisation, category: category, at: at, fr: fr)
                    disbursed += tranche.value
                    step = .disburse(index, tranche.plan, by: decider(&rng))
                case .complete: step = .completeDisbursement(index, by: decider(&rng))
                case .requestReport(let due): step = .requestReport(index, due: DemoAlerts.day(date(offset + due, clamped: false)), by: decider(&rng))
                case .receiveReport(let note, let file): step = .receiveReport(index, note: fr ? note.fr : note.en, file: file, by: decider(&rng))
                case .close: step = .close(index, by: decider(&rng))
                }
                steps.append((at, step))
            }
        }

        /// The currency a grant is paid in: the local one where the demo has rates, else the fund's.
        static func paymentCurrency(country: String, fund: String) -> String {
            switch country {
            case "CM", "CF", "TD": "XAF"
            case "CD": "CDF"
            case "TN": "TND"
            default: fund
            }
        }

        static func power(_ digits: Int) -> Int128 { (0..<digits).reduce(Int128(1)) { value, _ in value * 10 } }

        /// One tranche of `share` of `amount` (or what is left, for the last), in the payment
        /// currency at the paying organisation's latest rate: rounded to a sum one would pay, never
        /// more than what is left in the fund's currency, and the last one exactly what is left.
        mutating func tranche(amount: Int64, paid: Int64, share: Double, last: Bool, fund: String, country: String, organisation: String,
                              category: SupportCategory, at: Date, fr: Bool) -> (plan: TranchePlan, value: Int64) {
            let remaining = amount - paid
            let target = last ? remaining : min(remaining, Int64((Double(amount) * share).rounded()))
            let currency = Self.paymentCurrency(country: country, fund: fund)
            let day = DemoAlerts.day(at)
            var method: DisbursementMethod = switch currency {
            case "XAF": rng.pick([.mobileMoney, .mobileMoney, .cash])
            case "CDF": rng.pick([.mobileMoney, .cash])
            case "TND": rng.pick([.bankTransfer, .cash])
            default: .bankTransfer
            }
            if [.digitalSecurity, .physicalSecurity, .communications].contains(category), rng.chance(0.4) { method = .inKind }
            let note = rng.chance(0.5) ? text(DemoFundTexts.trancheNotes, fr: fr) : nil
            let receipt = rng.chance(0.25)
            guard currency != fund else {
                let value = last ? target : target - target % 1_000
                return (TranchePlan(method: method, paid: Money(minorUnits: value, currency: fund), rateNanos: nil, rateOn: day, paidOn: day,
                                    note: note, receipt: receipt), value)
            }
            let (nanos, rateOn) = rate(organisation: organisation, from: fund, to: currency, at: at)
            let rate = ExchangeRate(fundCurrency: fund, paymentCurrency: currency, nanos: nanos)
            func value(_ minor: Int64) -> Int64 { rate.toFundCurrency(Money(minorUnits: minor, currency: currency))?.minorUnits ?? 0 }
            let digits = Currency(code: currency)!.minorDigits, fundDigits = Currency(code: fund)!.minorDigits
            let divisor = Int128(ExchangeRate.scale) * Self.power(fundDigits)
            let exact = Int64((Int128(target) * Int128(nanos) * Self.power(digits) + divisor / 2) / divisor)
            var minor: Int64
            if last {
                // A whole number of units if one converts exactly to what is left; else the minor unit that does.
                let whole = Int64(Self.power(digits))
                minor = ([whole, 1].lazy.compactMap { unit -> Int64? in
                    let base = (exact + unit / 2) / unit * unit
                    return [0, -1, 1, -2, 2].lazy.map { base + $0 * unit }.first { value($0) == remaining }
                }.first) ?? exact
            } else {
                // A round sum: 500 XAF, one dinar, 1,000 Congolese francs.
                let unit: Int64 = ["XAF": 500, "TND": 1_000, "CDF": 100_000][currency] ?? Int64(Self.power(digits))
                minor = exact / unit * unit
            }
            while value(minor) > remaining { minor -= 1 }
            return (TranchePlan(method: method, paid: Money(minorUnits: minor, currency: currency), rateNanos: nanos, rateOn: rateOn, paidOn: day,
                                note: note, receipt: receipt), value(minor))
        }

        /// The latest rate `organisation` entered for the pair on or before `at`.
        func rate(organisation: String, from: String, to: String, at: Date) -> (nanos: Int64, day: String) {
            let entered = steps.compactMap { step -> (Date, Int64, String)? in
                guard case .rate(let f, let t, let nanos, let day, let by) = step.step, f == from, t == to,
                      managers[organisation]!.contains(by), step.at <= at else { return nil }
                return (step.at, nanos, day)
            }
            guard let latest = entered.max(by: { $0.0 < $1.0 }) else { fatalError("demo fund: no \(from)/\(to) rate for \(organisation)") }
            return (latest.1, latest.2)
        }

        /// Every allocation can bear what is approved under it and what it passed on.
        func checkBudgets() {
            for spec in allocations {
                let passedOn = allocations.filter { $0.parent == spec.label && !$0.withdraw }.map(\.amount).reduce(0, +) * 100
                let committed = grants.filter { $0.allocation == spec.label && (GrantState.approvedOrLater + [.cancelled]).contains($0.fate) }
                    .map(\.amount).reduce(0, +)
                precondition(passedOn + committed <= spec.amount * 100, "demo fund: \(spec.label) overspent")
            }
        }
    }
}

