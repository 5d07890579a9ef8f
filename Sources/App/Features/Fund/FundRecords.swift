import EgideCore
import Fluent
import Foundation

/// An emergency fund: a donor's money in one currency, owned by the organisation that opened it.
/// Amounts are integers of the currency's minor units (`Money`), never floating point.
package final class FundRecord: Model, @unchecked Sendable {
    package static let schema = "funds"

    @ID(key: .id) package var id: UUID?
    /// The organisation that opened the fund and answers for it to the donor.
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "name") package var name: String
    @Field(key: "donor") package var donor: String
    /// ISO 4217, upper case.
    @Field(key: "currency") package var currency: String
    @Field(key: "budget") package var budget: Int64
    /// Days, `YYYY-MM-DD`.
    @Field(key: "starts_on") package var startsOn: String
    @Field(key: "ends_on") package var endsOn: String
    /// Eligible categories, `SupportCategory.store`.
    @Field(key: "categories") package var categories: String
    /// The most one grant may be (`nil`: no ceiling but the chain's limits).
    @OptionalField(key: "grant_ceiling") package var grantCeiling: Int64?
    @Field(key: "criteria") package var criteria: String
    @Field(key: "created_by") package var createdBy: UUID
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    var money: (Int64) -> Money { { Money(minorUnits: $0, currency: self.currency) } }
}

/// The fund managers of the owning organisation who answer for a fund (approve at its level).
package final class FundManagerRecord: Model, @unchecked Sendable {
    package static let schema = "fund_managers"

    @ID(key: .id) package var id: UUID?
    @Field(key: "fund_id") package var fundID: UUID
    @Field(key: "user_id") package var userID: UUID

    package init() {}
    init(fundID: UUID, userID: UUID) {
        self.id = UUID()
        self.fundID = fundID
        self.userID = userID
    }
}

/// Budget moved down the cascade: from the fund (root allocation, `parent_id` empty) or from a
/// parent allocation, to an organisation, with that organisation's delegation limit.
package final class AllocationRecord: Model, WorkflowRecord, @unchecked Sendable {
    package static let schema = "fund_allocations"
    static let auditObjectType = "allocation"

    @ID(key: .id) package var id: UUID?
    @Field(key: "fund_id") package var fundID: UUID
    /// The organisation receiving the allocation.
    @Field(key: "organisation_id") package var organisationID: UUID
    @OptionalField(key: "parent_id") package var parentID: UUID?
    @Field(key: "amount") package var amount: Int64
    /// Its fund managers approve alone up to this amount; above it, the level above approves too.
    @Field(key: "delegation_limit") package var delegationLimit: Int64
    @Field(key: "state") package var state: AllocationState
    @Field(key: "proposed_by") package var proposedBy: UUID
    @OptionalField(key: "confirmed_by") package var confirmedBy: UUID?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}
}

/// A grant request, tied to a case or to an organisation at risk. What could identify the
/// beneficiary — name, budget lines, justification, host organisation — is one encrypted document
/// (`GrantContent.Details`) under the requesting organisation's key, bound to this row.
package final class GrantRecord: Model, WorkflowRecord, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "grants"
    static let auditObjectType = "grant"

    @ID(key: .id) package var id: UUID?
    /// `GR-2026-0042`: how the grant is named in lists, reminders and the audit trail.
    @Field(key: "code") package var code: String
    @Field(key: "year") package var year: Int
    @Field(key: "sequence") package var sequence: Int
    @Field(key: "fund_id") package var fundID: UUID
    @Field(key: "allocation_id") package var allocationID: UUID
    /// The requesting organisation: the allocation's.
    @Field(key: "organisation_id") package var organisationID: UUID
    @OptionalField(key: "case_id") package var caseID: UUID?
    @Field(key: "category") package var category: SupportCategory
    /// ISO 3166-1 alpha-2 of the beneficiary, for statements by country.
    @Field(key: "country") package var country: String
    /// In the fund's currency.
    @Field(key: "amount") package var amount: Int64
    @Field(key: "currency") package var currency: String
    /// Paid so far, in the fund's currency (the sum of the tranches; the ledger is the reference).
    @Field(key: "disbursed") package var disbursed: Int64
    @Field(key: "state") package var state: GrantState
    @Field(key: "requested_by") package var requestedBy: UUID
    @Field(key: "details_ct") package var detailsCiphertext: Data
    @OptionalField(key: "submitted_at") package var submittedAt: Date?
    @OptionalField(key: "decided_at") package var decidedAt: Date?
    /// `YYYY-MM-DD`: when the narrative and financial report is due.
    @OptionalField(key: "report_due_on") package var reportDueOn: String?
    @Field(key: "created_at") package var createdAt: Date
    @Field(key: "updated_at") package var updatedAt: Date

    package init() {}

    package static func ref(_ id: UUID, _ field: String) -> FieldRef { FieldRef(schema, id, field) }
}

/// One approval of a grant: who, when, at which level, under which allocation and limit.
package final class GrantApprovalRecord: Model, @unchecked Sendable {
    package static let schema = "grant_approvals"

    @ID(key: .id) package var id: UUID?
    @Field(key: "grant_id") package var grantID: UUID
    @Field(key: "user_id") package var userID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "level") package var level: Int
    /// The allocation whose authority the approver used (`nil` at the fund owner's level).
    @OptionalField(key: "allocation_id") package var allocationID: UUID?
    @OptionalField(key: "delegation_limit") package var delegationLimit: Int64?
    @Field(key: "approved_at") package var approvedAt: Date

    package init() {}
}

/// Something said or done on a grant, for its history: a step, a question, an answer, a report.
/// The words are encrypted under the grant's organisation's key.
package final class GrantEntryRecord: Model, EncryptedRecord, @unchecked Sendable {
    static let encryptionOwnerColumn: String? = "organisation_id"
    package static let schema = "grant_entries"

    @ID(key: .id) package var id: UUID?
    @Field(key: "grant_id") package var grantID: UUID
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "kind") package var kind: String
    @Field(key: "actor_id") package var actorID: UUID
    @OptionalField(key: "note_ct") package var noteCiphertext: Data?
    @OptionalField(key: "file_id") package var fileID: UUID?
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// A tranche paid: in the payment currency, with the rate to the fund's currency and its date.
package final class DisbursementRecord: Model, @unchecked Sendable {
    package static let schema = "grant_disbursements"

    @ID(key: .id) package var id: UUID?
    @Field(key: "grant_id") package var grantID: UUID
    @Field(key: "tranche") package var tranche: Int
    @Field(key: "method") package var method: DisbursementMethod
    @Field(key: "paid_amount") package var paidAmount: Int64
    @Field(key: "paid_currency") package var paidCurrency: String
    /// Payment-currency units per fund-currency unit × 10⁹ (`ExchangeRate`); 10⁹ when the same currency.
    @Field(key: "rate_nanos") package var rateNanos: Int64
    @Field(key: "rate_on") package var rateOn: String
    /// The tranche in the fund's currency (`ExchangeRate.toFundCurrency`).
    @Field(key: "amount") package var amount: Int64
    @Field(key: "paid_on") package var paidOn: String
    @Field(key: "recorded_by") package var recordedBy: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// One movement of a fund's budget or money, in the fund's currency. The statement is these sums.
package final class LedgerEntryRecord: Model, @unchecked Sendable {
    package static let schema = "fund_ledger"

    @ID(key: .id) package var id: UUID?
    @Field(key: "fund_id") package var fundID: UUID
    /// The allocation the entry belongs to (received, committed from, paid from).
    @Field(key: "allocation_id") package var allocationID: UUID
    /// For `allocate`: the parent allocation it came from (`nil`: from the fund itself).
    @OptionalField(key: "source_id") package var sourceID: UUID?
    @OptionalField(key: "grant_id") package var grantID: UUID?
    @Field(key: "kind") package var kind: LedgerKind
    @Field(key: "amount") package var amount: Int64
    /// Denormalised for statements by category and country (grant entries only).
    @OptionalField(key: "category") package var category: String?
    @OptionalField(key: "country") package var country: String?
    @Field(key: "actor_id") package var actorID: UUID
    @Field(key: "at") package var at: Date

    package init() {}
}

/// A rate entered by finance: 1 unit of `fund_currency` = rate units of `payment_currency` on a day.
package final class ExchangeRateRecord: Model, @unchecked Sendable {
    package static let schema = "exchange_rates"

    @ID(key: .id) package var id: UUID?
    @Field(key: "organisation_id") package var organisationID: UUID
    @Field(key: "fund_currency") package var fundCurrency: String
    @Field(key: "payment_currency") package var paymentCurrency: String
    @Field(key: "rate_nanos") package var rateNanos: Int64
    @Field(key: "rate_on") package var rateOn: String
    @Field(key: "entered_by") package var enteredBy: UUID
    @Field(key: "created_at") package var createdAt: Date

    package init() {}
}

/// Keyed blind indexes of the words of a grant beneficiary's name, for the duplicate-support check.
package final class GrantNameTokenRecord: Model, @unchecked Sendable {
    package static let schema = "grant_name_tokens"

    @ID(key: .id) package var id: UUID?
    @Field(key: "grant_id") package var grantID: UUID
    @Field(key: "token") package var token: Int

    package init() {}
    init(grantID: UUID, token: Int) {
        self.id = UUID()
        self.grantID = grantID
        self.token = token
    }
}
