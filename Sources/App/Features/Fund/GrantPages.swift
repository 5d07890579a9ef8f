import EgideCore
import Fluent
import Vapor

/// The grants list: codes, never beneficiaries' names (like cases outside their file).
enum GrantListPage {
    struct Row: Encodable {
        var href: String
        var code: String
        var fund: String
        var organisation: String
        var category: String
        var amount: String
        var state: String
        var stateTone: String
        var caseCode: String?
        var updated: String
    }

    struct Context: Encodable {
        /// The table's rows, as markup (`TableRows`).
        var rowsHTML: String
        var hasRows: Bool
        var states: SelectOptions
        var funds: SelectOptions
        var olderHref: String?
        var newerHref: String?
        var requestOptions: SelectOptions
        /// Whether the person may request a grant under one of `requestOptions`.
        var canRequest: Bool
        var newHref: String
    }

    static let pageSize = 50

    static func build(for actor: Actor, on request: Request) async throws -> Context {
        let db = request.db
        let scope = try await FundQueries.scope(for: actor, on: db)
        let values = request.queryValues
        let asked = values["state"] ?? "open"
        let fundFilter = values["fund"].flatMap { UUID(text: $0) }
        let page = try request.listPage(size: pageSize)
        let query = try await FundQueries.visibleGrants(to: actor, scope: scope, on: db)
        switch asked {
        case "all": break
        case "open": query.filter(column: \.$state, in: [.rejected, .closed, .withdrawn, .cancelled], false)
        default:
            guard let state = GrantState(rawValue: asked) else { throw Abort(.unprocessableEntity, reason: request.t("grant.filter.unknownState")) }
            query.filter(column: \.$state, .equal, state)
        }
        if let fundFilter { query.filter(column: \.$fundID, .equal, fundFilter) }
        var records = try await listed(query.sort(column: \.$updatedAt, .descending).range(page.rangeWithNext))
        let hasOlder = records.count > pageSize
        records = Array(records.prefix(pageSize))
        let names = scope.fundNames
        let funds = names.map { (id: $0.key, name: $0.value) }
        let caseIDs = records.compactMap(\.caseID)
        let caseCodes = caseIDs.isEmpty ? [:] : Dictionary(
            try await CaseRecord.query(on: db).filter(column: \.$id, in: caseIDs).columns([CaseRecord.key(\.$id), CaseRecord.key(\.$code)])
                .map { (try $0(\.$id), try $0(\.$code)) }, uniquingKeysWith: { a, _ in a })
        let directory = StaffDirectory(request)
        try await directory.preload(users: [], organisations: records.map(\.organisationID))
        let words = request.words
        var rows: [Row] = []
        for grant in records {
            rows.append(Row(href: SiteURL.grant(grant.id).href, code: grant.code, fund: names[grant.fundID] ?? "—",
                            organisation: try await directory.organisation(grant.organisationID), category: words(grant.category.labelKey),
                            amount: Money(minorUnits: grant.amount, currency: grant.currency).formatted(language: words.language),
                            state: words(grant.state.labelKey), stateTone: GrantPage.tone(grant.state),
                            caseCode: grant.caseID.flatMap { caseCodes[$0] }, updated: words.day(grant.updatedAt)))
        }
        func href(_ number: Int) -> String {
            var items = [URLQueryItem(name: "state", value: asked)]
            if let fundFilter { items.append(URLQueryItem(name: "fund", value: SiteURL.id(fundFilter))) }
            if number > 0 { items.append(URLQueryItem(name: "page", value: String(number))) }
            var components = URLComponents()
            components.queryItems = items
            return SiteURL.grants.href + "?" + (components.percentEncodedQuery ?? "")
        }
        var requestOptions: [SelectOption] = []
        if FundPolicy.evaluate(actor, .requestGrant, nil).isAllowed {
            for allocation in scope.held(by: actor.organisationID).sorted(by: { $0.createdAt < $1.createdAt }) {
                let fundName = names[allocation.fundID] ?? "—"
                requestOptions.append(SelectOption(value: SiteURL.id(allocation.id!), label: "\(fundName) — \(try await directory.organisation(allocation.organisationID))", selected: false))
            }
        }
        return Context(
            rowsHTML: html(rows, labels: Labels(request)), hasRows: !rows.isEmpty,
            states: SelectOptions([SelectOption(value: "open", label: request.t("grant.filter.open"), selected: asked == "open"),
                                   SelectOption(value: "all", label: request.t("grant.filter.all"), selected: asked == "all")]
                + GrantState.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: asked == $0.rawValue) }),
            funds: SelectOptions(funds.sorted { $0.name < $1.name }.map { SelectOption(value: SiteURL.id($0.id), label: $0.name, selected: $0.id == fundFilter) }),
            olderHref: hasOlder ? page.next.map { href($0.number) } : nil, newerHref: page.previous.map { href($0.number) },
            requestOptions: SelectOptions(requestOptions), canRequest: !requestOptions.isEmpty, newHref: SiteURL.newGrant(case: nil, allocation: nil).href)
    }
}

extension GrantListPage {
    /// What a row shows, read as columns (`QueryBuilder.columns`).
    struct Listed {
        var id: UUID
        var code: String
        var fundID: UUID
        var organisationID: UUID
        var category: SupportCategory
        var amount: Int64
        var currency: String
        var state: GrantState
        var caseID: UUID?
        var updatedAt: Date
    }

    /// The columns `Listed` reads (found once: `Model.path(for:)` makes a whole record to ask).
    private static let columns = [
            GrantRecord.key(\.$id), GrantRecord.key(\.$code), GrantRecord.key(\.$fundID), GrantRecord.key(\.$organisationID),
            GrantRecord.key(\.$category), GrantRecord.key(\.$amount), GrantRecord.key(\.$currency), GrantRecord.key(\.$state),
            GrantRecord.key(\.$caseID), GrantRecord.key(\.$updatedAt),
    ]

    static func listed(_ query: QueryBuilder<GrantRecord>) async throws -> [Listed] {
        try await query.columns(columns).map { row in
            Listed(id: try row(\.$id), code: try row(\.$code), fundID: try row(\.$fundID), organisationID: try row(\.$organisationID),
                   category: try row(\.$category), amount: try row(\.$amount), currency: try row(\.$currency), state: try row(\.$state),
                   caseID: try row(\.$caseID), updatedAt: try row(\.$updatedAt))
        }
    }

    /// The column names the rows repeat, translated once a page.
    struct Labels {
        var code, category, amount, state, organisation: String

        init(_ request: Request) {
            code = request.t("grant.col.code"); category = request.t("grant.field.category"); amount = request.t("grant.field.amount")
            state = request.t("grant.col.state"); organisation = request.t("grant.field.organisation")
        }
    }

    /// The table rows (`TableRows`).
    static func html(_ rows: [Row], labels: Labels) -> String {
        let table = TableRows(rows: rows.count)
        for row in rows {
            table.row {
                table.cell(labels.code) {
                    table.link(row.href, class: "code", row.code)
                    table.markup("<br><span class=\"muted\"><bdi>")
                    table.text(row.fund)
                    table.markup("</bdi>")
                    if let caseCode = row.caseCode {
                        table.markup(" · <bdi dir=\"ltr\">")
                        table.text(caseCode)
                        table.markup("</bdi>")
                    }
                    table.markup(" · ")
                    table.text(row.updated)
                    table.markup("</span>")
                }
                table.cell(labels.category) { table.text(row.category) }
                table.cell(labels.amount, numeric: true) { table.text(row.amount) }
                table.cell(labels.state) { table.badge(row.stateTone, row.state) }
                table.cell(labels.organisation, auto: true) { table.text(row.organisation) }
            }
        }
        return table.html
    }
}

/// One grant: what is asked, who approved under which authority, what was paid at which rate,
/// the duplicate-support check, the history, and the steps the reader may take now.
enum GrantPage {
    struct Approval: Encodable { var who: String; var organisation: String; var authority: String; var when: String }
    struct Tranche: Encodable {
        var number: Int
        var method: String
        var paid: String
        var rate: String
        var value: String
        var paidOn: String
        var by: String
    }
    struct Entry: Encodable { var when: String; var who: String; var what: String; var note: String?; var fileHref: String? }
    struct Line: Encodable { var label: String; var amount: String }
    /// Another grant, which the reader may see, for probably the same beneficiary.
    struct Duplicate: Encodable { var code: String; var href: String; var name: String; var similarity: Int; var state: String; var whose: String }
    /// The duplicate-support check: grants the reader may see, and how many they may not.
    struct DuplicateCheck: Encodable {
        var shown: [Duplicate] = []
        var hidden = 0
        var hiddenText: String?
        /// Whether there is anything to report (set with the rest by `DuplicateSupportCheck`).
        var found = false
    }

    struct Can: Encodable {
        var edit = false, submit = false, withdraw = false, screen = false, ask = false, reject = false
        var approve = false, cancel = false, disburse = false, complete = false, requestReport = false, report = false, close = false
    }

    struct Context: Encodable {
        var code: String
        var state: String
        var stateTone: String
        var facts: [Fact]
        var beneficiary: String
        var justification: String
        var measures: [String]
        var hostOrganisation: String?
        var lines: [Line]
        var approvals: [Approval]
        var waitingFor: String?
        var approveBlocked: String?
        var duplicates: DuplicateCheck
        var duplicateChecked: Bool
        var tranches: [Tranche]
        var entries: [Entry]
        var can: Can
        var actions: [String: String]
        var currencies: [SelectOption]
        var methods: [SelectOption]
        var fundCurrency: String
        var suggestedRate: String
        var today: String
        var remaining: String
        /// Approved (or later): what is paid and what remains mean something.
        var paymentsOpen: Bool
        var problems: [FieldProblem]
    }

    static func tone(_ state: GrantState) -> String {
        switch state {
        case .submitted, .screening, .moreInformation, .reportDue: "warn"
        case .approved, .disbursing, .disbursed, .justified: "ok"
        case .rejected, .cancelled: "danger"
        case .draft, .closed, .withdrawn: ""
        }
    }

    /// What the page reads of one grant, once.
    struct Loaded {
        var grant: GrantRecord
        var fund: FundRecord
        var levels: [ApprovalLevel]
        var approvals: [GrantApprovalRecord]
        var tranches: [DisbursementRecord]
        var entries: [GrantEntryRecord]
        var money: (Int64) -> String
        var recorded: [RecordedApproval] { approvals.map { RecordedApproval(userID: $0.userID, level: $0.level) } }
    }

    static func build(_ grant: GrantRecord, for actor: Actor, scope: FundScope, problems: [FieldProblem] = [], on request: Request) async throws -> Context {
        let db = request.db
        let id = try grant.requireID()
        guard let fund = try await FundRecord.find(grant.fundID, on: db) else { throw Abort(.notFound) }
        let language = request.language
        let loaded = Loaded(
            grant: grant, fund: fund, levels: try await FundQueries.chain(under: grant.allocationID, fund: fund, on: db).map(\.level),
            approvals: try await GrantApprovalRecord.query(on: db).filter(\.$grantID == id).sort(\.$approvedAt).all(),
            tranches: try await DisbursementRecord.query(on: db).filter(\.$grantID == id).sort(\.$tranche).all(),
            entries: try await GrantEntryRecord.query(on: db).filter(\.$grantID == id).sort(\.$createdAt, .descending).all(),
            money: { Money(minorUnits: $0, currency: fund.currency).formatted(language: language) })
        let directory = StaffDirectory(request)
        try await directory.preload(users: loaded.approvals.map(\.userID) + loaded.tranches.map(\.recordedBy) + loaded.entries.map(\.actorID) + [grant.requestedBy],
                                    organisations: loaded.levels.map(\.organisationID))
        let details = try GrantContent.open(grant, vault: request.application.vault)
        let (can, approveBlocked) = permissions(loaded, actor: actor, request: request)
        let today = Day.text(request.application.clock.now())
        // The latest rate entered by an organisation of the grant's chain, suggested for a payment.
        let latest = try await ExchangeRateRecord.query(on: db).filter(\.$organisationID ~~ loaded.levels.map(\.organisationID))
            .filter(\.$fundCurrency == fund.currency).filter(\.$rateOn <= today).sort(\.$rateOn, .descending).first()
        return Context(
            code: grant.code, state: request.t(grant.state.labelKey), stateTone: tone(grant.state),
            facts: try await facts(loaded, directory: directory, request: request),
            beneficiary: details.beneficiary, justification: details.justification, measures: details.measures,
            hostOrganisation: details.hostOrganisation, lines: details.budgetLines.map { Line(label: $0.label, amount: loaded.money($0.amount)) },
            approvals: try await approvals(loaded, directory: directory, request: request),
            waitingFor: request.list(try await waitingFor(loaded, directory: directory)).nonEmpty, approveBlocked: approveBlocked,
            // For those who decide only: shown to a requester, it would tell whether any name is
            // supported elsewhere to whoever types it into a draft.
            duplicates: can.ask ? try await DuplicateSupportCheck.run(for: grant, actor: actor, scope: scope, on: request) : .init(),
            duplicateChecked: can.ask,
            tranches: try await tranches(loaded, directory: directory, request: request),
            entries: try await history(loaded, directory: directory, request: request), can: can,
            actions: Dictionary(uniqueKeysWithValues: GrantForm.allCases.map { (String(describing: $0), SiteURL.grantAction(id, $0).href) }),
            currencies: Currency.offered.map { SelectOption(value: $0.code, label: $0.code, selected: $0.code == (latest?.paymentCurrency ?? fund.currency)) },
            methods: DisbursementMethod.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: false) },
            fundCurrency: fund.currency,
            suggestedRate: latest.map { ExchangeRate(fundCurrency: fund.currency, paymentCurrency: $0.paymentCurrency, nanos: $0.rateNanos).text } ?? "",
            today: today, remaining: loaded.money(grant.amount - grant.disbursed), paymentsOpen: GrantState.approvedOrLater.contains(grant.state),
            problems: problems)
    }

    static func facts(_ loaded: Loaded, directory: StaffDirectory, request: Request) async throws -> [Fact] {
        let grant = loaded.grant, money = loaded.money
        var facts = [
            Fact(label: request.t("grant.field.fund"), value: loaded.fund.name),
            Fact(label: request.t("grant.field.organisation"), value: try await directory.organisation(grant.organisationID)),
            Fact(label: request.t("grant.field.requester"), value: try await directory.user(grant.requestedBy)),
            Fact(label: request.t("grant.field.category"), value: request.t(grant.category.labelKey)),
            Fact(label: request.t("grant.field.country"), value: Countries.name(grant.country, in: request.language)),
            Fact(label: request.t("grant.field.amount"), value: money(grant.amount)),
            Fact(label: request.t("grant.field.disbursed"), value: money(grant.disbursed)),
        ]
        if let caseID = grant.caseID, let record = try await CaseRecord.find(caseID, on: request.db) {
            facts.insert(Fact(label: request.t("grant.field.case"), value: record.code), at: 0)
        }
        if let ceiling = loaded.fund.grantCeiling { facts.append(Fact(label: request.t("fund.field.ceiling"), value: money(ceiling))) }
        if let due = grant.reportDueOn, let day = Day.parse(due) { facts.append(Fact(label: request.t("grant.field.reportDue"), value: request.day(day))) }
        return facts
    }

    /// Who approved, under which authority.
    static func approvals(_ loaded: Loaded, directory: StaffDirectory, request: Request) async throws -> [Approval] {
        var approvals: [Approval] = []
        for approval in loaded.approvals {
            let limit = approval.delegationLimit.map { request.t("grant.approval.limit", loaded.money($0)) } ?? request.t("grant.approval.owner")
            approvals.append(Approval(who: try await directory.user(approval.userID), organisation: try await directory.organisation(approval.organisationID),
                                      authority: limit, when: request.moment(approval.approvedAt)))
        }
        return approvals
    }

    /// While the grant is decided: the organisations whose approval is still missing.
    static func waitingFor(_ loaded: Loaded, directory: StaffDirectory) async throws -> [String] {
        guard loaded.grant.state.isBeingDecided || loaded.grant.state == .submitted else { return [] }
        var names: [String] = []
        for level in FourEyes.missingLevels(loaded.recorded, amount: loaded.grant.amount, chain: loaded.levels) {
            names.append(try await directory.organisation(loaded.levels[level].organisationID))
        }
        return names
    }

    /// What the reader may do now, from `FundPolicy` and `FourEyes` (the template only reads
    /// these), and why they may not approve when they are a decider who cannot.
    static func permissions(_ loaded: Loaded, actor: Actor, request: Request) -> (Can, String?) {
        let grant = loaded.grant, state = grant.state
        let target = FundTarget(chain: loaded.levels.map(\.organisationID), requesterID: grant.requestedBy)
        let requests = FundPolicy.evaluate(actor, .requestGrant, target).isAllowed
        let decides = FundPolicy.evaluate(actor, .decideGrant, target).isAllowed
        var can = Can()
        can.edit = requests && (state == .draft || state == .moreInformation)
        can.submit = can.edit
        can.withdraw = requests && state.isBeforeDecision
        can.screen = decides && state == .submitted
        can.ask = decides && (state == .submitted || state == .screening)
        can.reject = can.ask
        var blocked: String?
        if can.ask {
            if let key = FourEyes.refusal(approver: actor.userID, approverOrganisation: actor.organisationID, requester: grant.requestedBy,
                                          amount: grant.amount, ceiling: loaded.fund.grantCeiling, chain: loaded.levels, approvals: loaded.recorded) {
                blocked = request.t(key)
            } else {
                can.approve = true
            }
        }
        can.cancel = decides && state.holdsCommitment
        can.disburse = can.cancel
        can.complete = decides && state == .disbursing
        can.requestReport = decides && state == .disbursed
        can.report = decides && state == .reportDue
        can.close = decides && (state == .disbursed || state == .justified)
        return (can, blocked)
    }

    /// The tranches paid, each with its currency, rate and value in the fund's currency.
    static func tranches(_ loaded: Loaded, directory: StaffDirectory, request: Request) async throws -> [Tranche] {
        let currency = loaded.fund.currency
        var views: [Tranche] = []
        for tranche in loaded.tranches {
            let rate = ExchangeRate(fundCurrency: currency, paymentCurrency: tranche.paidCurrency, nanos: tranche.rateNanos)
            views.append(Tranche(
                number: tranche.tranche, method: request.t(tranche.method.labelKey),
                paid: Money(minorUnits: tranche.paidAmount, currency: tranche.paidCurrency).formatted(language: request.language),
                rate: tranche.paidCurrency == currency ? "—" : rateText(rate, on: tranche.rateOn, request: request),
                value: loaded.money(tranche.amount), paidOn: request.day(iso: tranche.paidOn), by: try await directory.user(tranche.recordedBy)))
        }
        return views
    }

    /// `1 EUR = 655,957 XAF (1 mars 2026)` in the reader's language.
    static func rateText(_ rate: ExchangeRate, on day: String, request: Request) -> String {
        "1 \(rate.fundCurrency) = \(request.decimal(rate.text)) \(rate.paymentCurrency) (\(request.day(iso: day)))"
    }

    /// Every step, newest first, with its words (decrypted) and its file.
    static func history(_ loaded: Loaded, directory: StaffDirectory, request: Request) async throws -> [Entry] {
        let id = try loaded.grant.requireID()
        var views: [Entry] = []
        for entry in loaded.entries {
            let note = try entry.noteCiphertext.map {
                try request.application.vault.open($0, owner: Accounts.owner(entry.organisationID), FieldRef(GrantEntryRecord.schema, entry.id!, "note"))
            }
            views.append(Entry(when: request.moment(entry.createdAt), who: try await directory.user(entry.actorID),
                               what: request.t("grant.entry.\(entry.kind)"), note: note, fileHref: entry.fileID.map { SiteURL.grantFile(id, $0).href }))
        }
        return views
    }
}

/// The duplicate-support check shown before approval: other grants in the same category (the same
/// need), in any fund, office or partner, whose beneficiary is probably the same person or
/// organisation — `NameMatcher`, across scripts and spellings ("Hocine Bensalah" in Lyon is
/// "حسين بن صالح" in Tunis). Candidates are the grants sharing a keyed name token (a word or a
/// word's skeleton) with this one; their names are compared decrypted, in memory. Grants the
/// reader may not see are only counted, in one line after the others (never dated or named).
/// Grants whose keys were destroyed are skipped.
enum DuplicateSupportCheck {
    static func run(for grant: GrantRecord, actor: Actor, scope: FundScope, on request: Request) async throws -> GrantPage.DuplicateCheck {
        let db = request.db, vault = request.application.vault
        let id = try grant.requireID()
        var result = GrantPage.DuplicateCheck()
        let mine = try GrantContent.open(grant, vault: vault)
        let me = PersonName(mine.beneficiary)
        let tokens = try await GrantNameTokenRecord.query(on: db).filter(\.$grantID == id).all(\.$token)
        guard !me.isEmpty, !tokens.isEmpty else { return result }
        let sharing = Set(try await GrantNameTokenRecord.query(on: db).filter(\.$token ~~ tokens).filter(\.$grantID != id).all(\.$grantID))
        guard !sharing.isEmpty else { return result }
        let names = NameComparator()
        var matches: [(grant: GrantRecord, score: Double, name: String)] = []
        for other in try await GrantRecord.query(on: db).filter(\.$id ~~ Array(sharing)).filter(\.$category == grant.category)
            .filter(\.$state !~ [.draft, .withdrawn, .rejected]).sort(\.$createdAt).all() {
            guard let theirs = try? GrantContent.open(other, vault: vault), theirs.beneficiaryIsOrganisation == mine.beneficiaryIsOrganisation else { continue }
            let score = names.similarity(me, PersonName(theirs.beneficiary))
            if score >= NameMatcher.threshold { matches.append((other, score, theirs.beneficiary)) }
        }
        guard !matches.isEmpty else { return result }
        let visible = Set(try await FundQueries.visibleGrants(to: actor, scope: scope, on: db).filter(\.$id ~~ matches.compactMap(\.grant.id)).all(\.$id))
        let directory = StaffDirectory(request)
        for match in matches {
            let other = match.grant
            guard visible.contains(other.id!) else { result.hidden += 1; continue }
            result.shown.append(GrantPage.Duplicate(
                code: other.code, href: SiteURL.grant(other.id!).href, name: match.name, similarity: Int((match.score * 100).rounded()),
                state: request.t(other.state.labelKey),
                whose: other.organisationID == grant.organisationID ? request.t("grant.duplicate.sameOrganisation")
                    : try await directory.organisation(other.organisationID)))
        }
        result.hiddenText = result.hidden > 0 ? request.t("grant.duplicate.hidden", String(result.hidden)) : nil
        result.found = !result.shown.isEmpty || result.hidden > 0
        return result
    }
}
