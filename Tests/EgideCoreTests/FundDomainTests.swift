import Foundation
import Testing
@testable import EgideCore

/// The emergency fund's pure rules: the four-eyes chain, the grant lifecycle, exact exchange
/// rates and the fund policy.
@Suite struct FundDomainTests {
    // A partner holding a sub-allocation (limit 1 000,00), the regional office above it (limit
    // 5 000,00) and the fund's owner (no limit but the ceiling): the chain of a partner's grant.
    let partner = UUID(), regional = UUID(), owner = UUID(), stranger = UUID()
    var chain: [ApprovalLevel] {
        [ApprovalLevel(organisationID: partner, delegationLimit: 100_000),
         ApprovalLevel(organisationID: regional, delegationLimit: 500_000),
         ApprovalLevel(organisationID: owner, delegationLimit: nil)]
    }

    func approval(_ level: Int) -> RecordedApproval { RecordedApproval(userID: UUID(), level: level) }

    // MARK: Four eyes

    @Test func each_delegation_limit_exceeded_adds_one_level_of_approval() {
        #expect(FourEyes.requiredLevels(amount: 1, chain: chain) == 1)
        #expect(FourEyes.requiredLevels(amount: 100_000, chain: chain) == 1)  // at the limit: the partner alone
        #expect(FourEyes.requiredLevels(amount: 100_001, chain: chain) == 2)
        #expect(FourEyes.requiredLevels(amount: 500_000, chain: chain) == 2)
        #expect(FourEyes.requiredLevels(amount: 500_001, chain: chain) == 3)
        #expect(FourEyes.requiredLevels(amount: 900_000_000, chain: chain) == 3)
        // A chain without an unlimited owner: an amount above every limit exceeds it.
        let bounded = Array(chain.prefix(2))
        #expect(!FourEyes.exceedsChain(amount: 500_000, chain: bounded))
        #expect(FourEyes.exceedsChain(amount: 500_001, chain: bounded))
        #expect(!FourEyes.exceedsChain(amount: 900_000_000, chain: chain))
        #expect(FourEyes.exceedsChain(amount: 1, chain: []))
    }

    @Test func a_higher_level_stands_for_a_lower_one_never_the_reverse() {
        // Two levels needed.
        #expect(FourEyes.covered([approval(0), approval(1)], required: 2) == 2)
        #expect(FourEyes.covered([approval(1), approval(0)], required: 2) == 2)  // order does not matter
        #expect(FourEyes.covered([approval(1), approval(1)], required: 2) == 2)  // level 1 stands for level 0
        #expect(FourEyes.covered([approval(2), approval(0)], required: 2) == 2)
        #expect(FourEyes.covered([approval(0), approval(0)], required: 2) == 1)  // two partners are not the regional office
        #expect(FourEyes.covered([approval(0)], required: 2) == 1)
        // Three levels: greedy from the top keeps the owner's approver for the owner's level.
        #expect(FourEyes.covered([approval(2), approval(0), approval(1)], required: 3) == 3)
        #expect(FourEyes.covered([approval(2), approval(2), approval(2)], required: 3) == 3)
        #expect(FourEyes.covered([approval(1), approval(1), approval(0)], required: 3) == 2)
        #expect(FourEyes.covered([approval(0), approval(0), approval(0)], required: 3) == 1)
        #expect(FourEyes.covered([], required: 1) == 0)
    }

    @Test func above_the_first_limit_no_single_approver_completes_a_grant_whatever_their_level() {
        for amount: Int64 in [100_001, 300_000, 500_000, 500_001, 1_000_000] {
            for level in chain.indices {
                #expect(!FourEyes.isComplete([approval(level)], amount: amount, chain: chain), "\(amount) by level \(level)")
            }
        }
        // Under the limit, one approver of the partner suffices.
        #expect(FourEyes.isComplete([approval(0)], amount: 100_000, chain: chain))
        // Above it, a partner approver then a regional one complete it.
        #expect(FourEyes.isComplete([approval(0), approval(1)], amount: 300_000, chain: chain))
        #expect(FourEyes.missingLevels([approval(0)], amount: 300_000, chain: chain) == [1])
        #expect(FourEyes.missingLevels([], amount: 300_000, chain: chain) == [0, 1])
    }

    @Test func a_three_level_grant_needs_three_different_approvers_climbing_the_chain() {
        let amount: Int64 = 600_000
        // The regional office twice covers levels 0 and 1; the third must be the owner's.
        let twoRegional = [approval(1), approval(1)]
        #expect(!FourEyes.isComplete(twoRegional, amount: amount, chain: chain))
        #expect(FourEyes.missingLevels(twoRegional, amount: amount, chain: chain) == [2])
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: partner, requester: UUID(), amount: amount, ceiling: nil,
                                 chain: chain, approvals: twoRegional) == "grant.refusal.higherLevelNeeded")
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: owner, requester: UUID(), amount: amount, ceiling: nil,
                                 chain: chain, approvals: twoRegional) == nil)
        #expect(FourEyes.isComplete(twoRegional + [approval(2)], amount: amount, chain: chain))
        // One per level, in any order.
        #expect(FourEyes.isComplete([approval(2), approval(0), approval(1)], amount: amount, chain: chain))
        #expect(!FourEyes.isComplete([approval(2), approval(0)], amount: amount, chain: chain))
        #expect(FourEyes.missingLevels([approval(2), approval(0)], amount: amount, chain: chain) == [1])
    }

    @Test func a_requester_never_approves_their_own_request() {
        let requester = UUID()
        for organisation in [partner, regional, owner] {
            #expect(FourEyes.refusal(approver: requester, approverOrganisation: organisation, requester: requester, amount: 50_000,
                                     ceiling: nil, chain: chain, approvals: []) == "grant.refusal.ownRequest")
        }
        // Not even as the second approver of an amount whose first level is covered.
        #expect(FourEyes.refusal(approver: requester, approverOrganisation: regional, requester: requester, amount: 300_000,
                                 ceiling: nil, chain: chain, approvals: [approval(0)]) == "grant.refusal.ownRequest")
    }

    @Test func one_person_approves_once() {
        let first = UUID()
        let approvals = [RecordedApproval(userID: first, level: 1)]
        #expect(FourEyes.refusal(approver: first, approverOrganisation: regional, requester: UUID(), amount: 300_000,
                                 ceiling: nil, chain: chain, approvals: approvals) == "grant.refusal.alreadyApproved")
        // The same person's second approval would cover level 0: refused nonetheless.
        #expect(FourEyes.covered(approvals + [RecordedApproval(userID: first, level: 1)], required: 2) == 2)
    }

    @Test func an_amount_above_the_fund_ceiling_is_never_approved() {
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: owner, requester: UUID(), amount: 1_000_001,
                                 ceiling: 1_000_000, chain: chain, approvals: []) == "grant.refusal.aboveCeiling")
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: owner, requester: UUID(), amount: 1_000_000,
                                 ceiling: 1_000_000, chain: chain, approvals: []) == nil)
        // A chain whose every level is limited refuses above the last limit, ceiling or not.
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: regional, requester: UUID(), amount: 500_001,
                                 ceiling: nil, chain: Array(chain.prefix(2)), approvals: []) == "grant.refusal.aboveCeiling")
    }

    @Test func an_organisation_outside_the_chain_does_not_approve() {
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: stranger, requester: UUID(), amount: 50_000,
                                 ceiling: nil, chain: chain, approvals: []) == "grant.refusal.notInChain")
        #expect(FourEyes.level(of: stranger, in: chain) == nil)
        #expect(FourEyes.level(of: regional, in: chain) == 1)
        // An organisation at two levels answers at its highest.
        let twice = chain + [ApprovalLevel(organisationID: partner, delegationLimit: nil)]
        #expect(FourEyes.level(of: partner, in: twice) == 3)
    }

    @Test func a_second_approver_of_the_same_level_adds_nothing_above_the_limit() {
        let approvals = [approval(0)]
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: partner, requester: UUID(), amount: 300_000,
                                 ceiling: nil, chain: chain, approvals: approvals) == "grant.refusal.higherLevelNeeded")
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: regional, requester: UUID(), amount: 300_000,
                                 ceiling: nil, chain: chain, approvals: approvals) == nil)
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: owner, requester: UUID(), amount: 300_000,
                                 ceiling: nil, chain: chain, approvals: approvals) == nil)
        // The regional office first: the partner may still complete it.
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: partner, requester: UUID(), amount: 300_000,
                                 ceiling: nil, chain: chain, approvals: [approval(1)]) == nil)
        // Once complete, nobody adds anything.
        #expect(FourEyes.refusal(approver: UUID(), approverOrganisation: owner, requester: UUID(), amount: 50_000,
                                 ceiling: nil, chain: chain, approvals: approvals) == "grant.refusal.higherLevelNeeded")
    }

    // MARK: Grant lifecycle

    @Test func the_grant_lifecycle_allows_exactly_its_table() {
        let allowed: Set<String> = [
            "draft>submitted", "more_information>submitted", "submitted>screening",
            "screening>more_information", "screening>approved", "screening>rejected", "submitted>rejected",
            "draft>withdrawn", "submitted>withdrawn", "screening>withdrawn", "more_information>withdrawn",
            "approved>disbursing", "approved>disbursed", "disbursing>disbursed",
            "approved>cancelled", "disbursing>cancelled",
            "disbursed>report_due", "disbursed>closed", "report_due>justified", "justified>closed",
        ]
        for from in GrantState.allCases {
            for to in GrantState.allCases {
                #expect(GrantLifecycle.canMove(from: from, to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) → \(to)")
            }
        }
        // Nothing leaves a final state; nothing is approved without screening; money once out is not withdrawn.
        for state in GrantState.allCases where state.isFinal {
            #expect(GrantState.allCases.allSatisfy { !GrantLifecycle.canMove(from: state, to: $0) }, "\(state)")
        }
        #expect(GrantState.allCases.filter(\.holdsCommitment) == [.approved, .disbursing])
        #expect(GrantState.allCases.filter(\.isFinal) == [.rejected, .closed, .withdrawn, .cancelled])
        #expect(!GrantLifecycle.canMove(from: .disbursing, to: .withdrawn))
        #expect(!GrantLifecycle.canMove(from: .submitted, to: .approved))
    }

    // MARK: Exchange rates

    @Test func a_typed_rate_is_read_exactly_in_billionths() throws {
        #expect(try ExchangeRate.parseNanos("655.957") == 655_957_000_000)
        #expect(try ExchangeRate.parseNanos(" 655,957 ") == 655_957_000_000)
        #expect(try ExchangeRate.parseNanos("1") == 1_000_000_000)
        #expect(try ExchangeRate.parseNanos("0.000000001") == 1)
        #expect(try ExchangeRate.parseNanos("3.35") == 3_350_000_000)
        #expect(try ExchangeRate.parseNanos("999999999.999999999") == 999_999_999_999_999_999)
        #expect(ExchangeRate(fundCurrency: "EUR", paymentCurrency: "XAF", nanos: 655_957_000_000).text == "655.957")
        #expect(ExchangeRate(fundCurrency: "EUR", paymentCurrency: "USD", nanos: 1_000_000_000).text == "1")
        #expect(ExchangeRate(fundCurrency: "EUR", paymentCurrency: "USD", nanos: 1).text == "0.000000001")
    }

    @Test(arguments: [
        ("", ExchangeRate.InputError.empty), ("   ", .empty),
        ("abc", .invalid), ("1.2.3", .invalid), ("1.", .invalid), (".5", .invalid), ("-1", .invalid), ("+1", .invalid),
        ("1e3", .invalid), ("1 000", .invalid), ("1234567890", .invalid), ("\u{0663}", .invalid),
        ("0.0000000001", .tooPrecise), ("655.9570000001", .tooPrecise),
        ("0", .zero), ("0.000000000", .zero), ("000", .zero),
    ])
    func a_typed_rate_is_refused_with_its_reason(text: String, reason: ExchangeRate.InputError) {
        #expect(throws: reason) { try ExchangeRate.parseNanos(text) }
    }

    func convert(_ minor: Int64, _ paid: String, rate: String, to fund: String = "EUR") throws -> Int64 {
        let nanos = try ExchangeRate.parseNanos(rate)
        let value = try #require(ExchangeRate(fundCurrency: fund, paymentCurrency: paid, nanos: nanos).toFundCurrency(Money(minorUnits: minor, currency: paid)))
        #expect(value.currency == fund)
        return value.minorUnits
    }

    @Test func a_plain_decimal_reads_back_to_the_same_amount() throws {
        for money in [Money(minorUnits: 250_000, currency: "EUR"), Money(minorUnits: 1_639_893, currency: "XAF"),
                      Money(minorUnits: 3_350, currency: "TND"), Money(minorUnits: 5, currency: "CDF"), Money(minorUnits: 0, currency: "GNF")] {
            #expect(try Money.parse(money.plainDecimal, currency: money.currency) == money, "\(money.plainDecimal)")
        }
        #expect(Money(minorUnits: 250_000, currency: "EUR").plainDecimal == "2500.00")
        #expect(Money(minorUnits: 3_350, currency: "TND").plainDecimal == "3.350")
        #expect(Money(minorUnits: -5, currency: "EUR").plainDecimal == "-0.05")
    }

    @Test func a_value_too_large_for_64_bits_is_refused_not_trapped() {
        // The most a form accepts, 10¹² francs, at a billionth of a franc per euro: ~10²³ cents.
        let rate = ExchangeRate(fundCurrency: "EUR", paymentCurrency: "XAF", nanos: 1)
        #expect(rate.toFundCurrency(Money(minorUnits: Money.maximumMajorUnits, currency: "XAF")) == nil)
        #expect(rate.toFundCurrency(Money(minorUnits: 1, currency: "XAF"))?.minorUnits == 100_000_000_000)
    }

    @Test func a_payment_converts_exactly_with_each_currency_s_minor_digits() throws {
        // 655 957 XAF (no decimals) at 655.957 = EUR 1 000,00.
        #expect(try convert(655_957, "XAF", rate: "655.957") == 100_000)
        // TND has three decimals: 3,350 TND at 3.35 = EUR 1,00; 1,000 TND = 0,2985… → 0,30.
        #expect(try convert(3_350, "TND", rate: "3.35") == 100)
        #expect(try convert(1_000, "TND", rate: "3.35") == 30)
        // CDF has two: 31 005,00 CDF at 3100.5 = EUR 10,00.
        #expect(try convert(3_100_500, "CDF", rate: "3100.5") == 1_000)
        // Into a fund without decimals (the rate is per unit of the fund's currency): EUR 1,00 at 0.001524.
        #expect(try convert(100, "EUR", rate: "0.001524", to: "XAF") == 656)  // 1 / 0.001524 = 656.17…
        // The largest amount a form accepts does not overflow: 10¹² XAF = EUR 1 524 490 172,37.
        #expect(try convert(1_000_000_000_000, "XAF", rate: "655.957") == 152_449_017_237)
    }

    @Test func conversion_rounds_half_away_from_zero_at_the_exact_boundary() throws {
        // 1 XAF at 200 = 0,005 EUR exactly: half a cent rounds up, to 0,01.
        #expect(try convert(1, "XAF", rate: "200") == 1)
        // 5 XAF = 0,025 EUR: half away from zero gives 0,03 (half to even would give 0,02).
        #expect(try convert(5, "XAF", rate: "200") == 3)
        #expect(try convert(3, "XAF", rate: "200") == 2)
        // A billionth above the rate, the value is just under half a cent: down to 0.
        #expect(try convert(1, "XAF", rate: "200.000000001") == 0)
        // A billionth below, just over half: up.
        #expect(try convert(1, "XAF", rate: "199.999999999") == 1)
        // A correction (negative) rounds away from zero too.
        #expect(try convert(-5, "XAF", rate: "200") == -3)
        #expect(try convert(-1, "XAF", rate: "200.000000001") == 0)
    }

    // MARK: Policy

    func actor(_ roles: Set<Role>, _ type: OrganisationType, org: UUID = UUID()) -> Actor {
        Actor(userID: UUID(), organisationID: org, organisationType: type, roles: roles)
    }

    @Test func an_administrator_without_the_fund_manager_role_moves_no_money() {
        let admin = actor([.administrator, .coordinator], .host, org: owner)
        let target = FundTarget(chain: [partner, owner])
        for action: FundAction in [.createFund, .manageMoney, .decideGrant] {
            #expect(!FundPolicy.evaluate(admin, action, target).isAllowed, "\(action)")
            #expect(!FundPolicy.evaluate(admin, action, nil).isAllowed, "\(action)")
        }
        let plainAdmin = actor([.administrator], .host, org: owner)
        #expect(!FundPolicy.evaluate(plainAdmin, .viewFunds, nil).isAllowed)
        #expect(!FundPolicy.evaluate(plainAdmin, .requestGrant, nil).isAllowed)
        // With the role, the same administrator manages money in the chain (four eyes still apply).
        let managing = actor([.administrator, .fundManager], .host, org: owner)
        #expect(FundPolicy.evaluate(managing, .manageMoney, target).isAllowed)
        #expect(FundPolicy.evaluate(managing, .createFund, nil).isAllowed)
    }

    @Test func partners_receive_allocations_and_do_not_open_funds() {
        #expect(!FundPolicy.evaluate(actor([.fundManager, .administrator], .partner), .createFund, nil).isAllowed)
        #expect(!FundPolicy.evaluate(actor([.fundManager], .networkMember), .createFund, nil).isAllowed)
        #expect(FundPolicy.evaluate(actor([.fundManager], .consortiumMember), .createFund, nil).isAllowed)
        #expect(FundPolicy.evaluate(actor([.fundManager], .host), .createFund, nil).isAllowed)
        #expect(!FundPolicy.evaluate(actor([.coordinator], .host), .createFund, nil).isAllowed)
    }

    @Test func money_is_managed_and_decided_only_inside_its_chain() {
        let inside = actor([.fundManager], .partner, org: partner)
        let outside = actor([.fundManager], .partner, org: stranger)
        let target = FundTarget(chain: [partner, regional, owner])
        for action: FundAction in [.manageMoney, .decideGrant] {
            #expect(FundPolicy.evaluate(inside, action, target).isAllowed, "\(action)")
            #expect(!FundPolicy.evaluate(outside, action, target).isAllowed, "\(action)")
        }
        // Requests are made under one's own allocation only, never a parent's or a sibling's.
        let officer = actor([.protectionOfficer], .partner, org: partner)
        #expect(FundPolicy.evaluate(officer, .requestGrant, target).isAllowed)
        #expect(!FundPolicy.evaluate(officer, .requestGrant, FundTarget(chain: [regional, owner])).isAllowed)
        #expect(!FundPolicy.evaluate(officer, .decideGrant, target).isAllowed)
        #expect(!FundPolicy.evaluate(actor([.auditor], .host, org: owner), .requestGrant, target).isAllowed)
        #expect(FundPolicy.evaluate(actor([.auditor], .host, org: owner), .viewGrants, target).isAllowed)
        for role: Role in [.verifier, .trainer, .communicationsOfficer] {
            #expect(!FundPolicy.evaluate(actor([role], .host, org: owner), .viewFunds, nil).isAllowed, "\(role)")
        }
    }
}
