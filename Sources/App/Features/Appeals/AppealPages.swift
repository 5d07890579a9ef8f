import EgideCore
import Fluent
import SQLKit
import Vapor

/// The appeals list: reference, title in the original language, kind, country, and each language
/// version's state.
enum AppealListPage {
    struct Row: Encodable {
        var href: String
        var reference: String
        var title: String
        var kind: String
        var country: String
        var versions: [Badge]
        var followUpOf: String?
        var updated: String
    }

    struct Context: Encodable {
        /// The table's rows, as markup (`TableRows`).
        var rowsHTML: String
        var hasRows: Bool
        var states: SelectOptions
        var kinds: SelectOptions
        var newHref: String?
        var settingsHref: String?
        var subscribersHref: String?
        var olderHref: String?
        var newerHref: String?
    }

    static let pageSize = 50

    static func build(for actor: Actor, on request: Request) async throws -> Context {
        let db = request.db, vault = request.application.vault
        let values = request.queryValues
        let asked = values["state"] ?? ""
        let kind = values["kind"].flatMap(AppealKind.init(rawValue:))
        let page = try request.listPage(size: pageSize)
        let query = AppealQueries.visible(to: actor, on: db)
        if let kind { query.filter(column: \.$kind, .equal, kind) }
        if let state = AppealState(rawValue: asked) {
            let ids = try await AppealVersionRecord.query(on: db).filter(\.$organisationID == actor.organisationID).filter(\.$state == state).all().map(\.appealID)
            query.filter(column: \.$id, in: Set(ids))
        } else if !asked.isEmpty {
            throw Abort(.unprocessableEntity, reason: request.t("appeal.filter.unknownState"))
        }
        var records = try await listed(query.sort(column: \.$updatedAt, .descending).range(page.rangeWithNext))
        let hasOlder = records.count > pageSize
        records = Array(records.prefix(pageSize))
        let versions = try await Dictionary(grouping: versions(of: records.map(\.id), on: db), by: \.appealID)
        let parentIDs = records.compactMap(\.parentID)
        let parents = parentIDs.isEmpty ? [:] : Dictionary(
            try await AppealRecord.query(on: db).filter(column: \.$id, in: parentIDs).columns([AppealRecord.key(\.$id), AppealRecord.key(\.$reference)])
                .map { (try $0(\.$id), try $0(\.$reference) ?? "") }, uniquingKeysWith: { a, _ in a })
        // Each appeal's title is its original version's current revision: read in one query.
        let originals = Dictionary(uniqueKeysWithValues: records.compactMap { appeal in
            let own = versions[appeal.id] ?? []
            return (own.first { $0.language == appeal.originalLanguage } ?? own.min { $0.language < $1.language }).map { (appeal.id, $0) }
        })
        let titles = try await titles(of: Array(originals.values), on: db, vault: vault)
        let words = request.words
        var rows: [Row] = []
        for appeal in records {
            let own = (versions[appeal.id] ?? []).sorted { $0.language < $1.language }
            rows.append(Row(href: SiteURL.appeal(appeal.id, language: nil).href, reference: appeal.reference ?? words("appeal.notIssued"),
                            title: originals[appeal.id].flatMap { titles[$0.id] } ?? "",
                            kind: words(appeal.kind.labelKey), country: words.country(appeal.country),
                            versions: own.map { Badge(label: "\($0.language.rawValue.uppercased()) · " + words($0.state.labelKey), tone: AppealPage.tone($0.state)) },
                            followUpOf: appeal.parentID.flatMap { parents[$0] }, updated: words.day(appeal.updatedAt)))
        }
        func href(_ number: Int) -> String {
            var items = [URLQueryItem(name: "state", value: asked)]
            if let kind { items.append(URLQueryItem(name: "kind", value: kind.rawValue)) }
            if number > 0 { items.append(URLQueryItem(name: "page", value: String(number))) }
            var components = URLComponents()
            components.queryItems = items
            return SiteURL.appeals.href + "?" + (components.percentEncodedQuery ?? "")
        }
        return Context(
            rowsHTML: html(rows, labels: Labels(request)), hasRows: !rows.isEmpty,
            states: SelectOptions([SelectOption(value: "", label: request.t("list.filter.any"), selected: asked.isEmpty)]
                + AppealState.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: asked == $0.rawValue) }),
            kinds: SelectOptions([SelectOption(value: "", label: request.t("list.filter.any"), selected: kind == nil)]
                + AppealKind.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: kind == $0) }),
            newHref: AppealPolicy.evaluate(actor, .write, nil).isAllowed ? SiteURL.newAppeal(case: nil, parent: nil).href : nil,
            settingsHref: AppealPolicy.evaluate(actor, .configure, nil).isAllowed ? SiteURL.appealSettings.href : nil,
            subscribersHref: AppealPolicy.evaluate(actor, .manageMailing, nil).isAllowed ? SiteURL.appealSubscribers.href : nil,
            olderHref: hasOlder ? page.next.map { href($0.number) } : nil, newerHref: page.previous.map { href($0.number) })
    }
}

extension AppealListPage {
    /// What a row shows of an appeal, read as columns (`QueryBuilder.columns`).
    struct Listed {
        var id: UUID
        var kind: AppealKind
        var country: String
        var originalLanguage: AppealLanguage
        var reference: String?
        var parentID: UUID?
        var updatedAt: Date
    }

    /// …and of each of its language versions.
    struct ListedVersion {
        var id: UUID
        var appealID: UUID
        var language: AppealLanguage
        var state: AppealState
    }

    /// The columns read (found once: `Model.path(for:)` makes a whole record to ask).
    private static let columns = [
        AppealRecord.key(\.$id), AppealRecord.key(\.$kind), AppealRecord.key(\.$country), AppealRecord.key(\.$originalLanguage),
        AppealRecord.key(\.$reference), AppealRecord.key(\.$parentID), AppealRecord.key(\.$updatedAt),
    ]
    private static let versionColumns = [
        AppealVersionRecord.key(\.$id), AppealVersionRecord.key(\.$appealID), AppealVersionRecord.key(\.$language),
        AppealVersionRecord.key(\.$state),
    ]

    static func listed(_ query: QueryBuilder<AppealRecord>) async throws -> [Listed] {
        try await query.columns(columns).map { row in
            Listed(id: try row(\.$id), kind: try row(\.$kind), country: try row(\.$country), originalLanguage: try row(\.$originalLanguage),
                   reference: try row(\.$reference), parentID: try row(\.$parentID), updatedAt: try row(\.$updatedAt))
        }
    }

    static func versions(of appeals: [UUID], on db: any Database) async throws -> [ListedVersion] {
        guard !appeals.isEmpty else { return [] }
        return try await AppealVersionRecord.query(on: db).filter(column: \.$appealID, in: appeals).columns(versionColumns).map { row in
            ListedVersion(id: try row(\.$id), appealID: try row(\.$appealID), language: try row(\.$language), state: try row(\.$state))
        }
    }

    /// The title of each version's current revision, by version, in one query; a revision that
    /// cannot be opened has no title (the row shows none rather than failing the list).
    static func titles(of versions: [ListedVersion], on db: any Database, vault: Vault) async throws -> [UUID: String] {
        guard !versions.isEmpty else { return [:] }
        // The revision each version is at, joined in SQL: fifty (version, number) pairs as Fluent
        // filters cost more to build and write out than the query took.
        let rows = try await (db as! any SQLDatabase).raw("""
            SELECT r.id, r.version_id, r.organisation_id, r.text_ct FROM \(ident: AppealRevisionRecord.schema) r
            JOIN \(ident: AppealVersionRecord.schema) v ON v.id = r.version_id AND v.revision = r.number
            WHERE v.id IN (\(binds: versions.map(\.id)))
            """).all()
        var titles: [UUID: String] = [:]
        for row in rows {
            titles[try row.decode(column: "version_id", as: UUID.self)] = try? AppealQueries.title(
                try row.decode(column: "text_ct", as: Data.self), revision: try row.decode(column: "id", as: UUID.self),
                organisation: try row.decode(column: "organisation_id", as: UUID.self), vault: vault)
        }
        return titles
    }

    /// The column names and words the rows repeat, translated once a page.
    struct Labels {
        var reference, title, kind, versions: String
        var followUpOf: (String) -> String

        init(_ request: Request) {
            reference = request.t("appeal.col.reference"); title = request.t("appeal.col.title"); kind = request.t("appeal.field.kind")
            versions = request.t("appeal.col.versions")
            followUpOf = { request.t("appeal.list.followUpOf", $0) }
        }
    }

    /// The table rows (`TableRows`).
    static func html(_ rows: [Row], labels: Labels) -> String {
        let table = TableRows(rows: rows.count)
        for row in rows {
            table.row {
                table.cell(labels.reference) {
                    table.link(row.href, class: "code ref", row.reference)
                    table.markup("<br>")
                    table.muted(row.country + " · " + row.updated + (row.followUpOf.map { " · " + labels.followUpOf($0) } ?? ""))
                }
                table.cell(labels.title, auto: true) { table.text(row.title) }
                table.cell(labels.kind) { table.text(row.kind) }
                table.cell(labels.versions, badges: true) {
                    for badge in row.versions {
                        table.badge(badge.tone, badge.label)
                        table.markup(" ")
                    }
                }
            }
        }
        return table.html
    }
}

/// A document's page: one language version at a time (its text, state and steps, revisions and
/// the diff of the suggested edits, comments), and what the whole document carries: cases,
/// consents, targets and replies, history, original and follow-ups.
enum AppealPage {
    struct Link: Encodable {
        var href: String?
        var label: String
    }

    struct Tab: Encodable {
        var href: String
        var label: String
        var lang: String
        var current: Bool
        var state: String
        var tone: String
    }

    struct Step: Encodable {
        var action: String
        var label: String
        var style: String
        var hint: String?
        /// Sending back: with the reviewer's reason.
        var comment = false
    }

    struct Revision: Encodable {
        var number: Int
        var author: String
        var when: String
        var published: Bool
        var approved: Bool
    }

    struct Diff: Encodable {
        var from: Int
        var to: Int
        var runs: [TextDiff.Run]
        var changed: Bool
        var options: [SelectOption]
        var toOptions: [SelectOption]
    }

    struct Comment: Encodable {
        var author: String
        var when: String
        var revision: Int
        var body: String
    }

    struct Consent: Encodable {
        var label: String
        var state: String
        var tone: String
        var detail: String?
    }

    struct Defender: Encodable {
        var name: String
        /// The case's code and link, for a reader who may see the case only.
        var caseCode: String?
        var caseHref: String?
        var consents: [Consent]
    }

    struct Reply: Encodable {
        var on: String
        var summary: String
    }

    struct Target: Encodable {
        var name: String
        var institution: String
        var address: String
        var replies: [Reply]
    }

    struct Event: Encodable {
        var when: String
        var who: String
        var what: String
    }

    /// The mailing of the version shown: send it, or why not; the mailings so far.
    struct Mailing: Encodable {
        struct Row: Encodable {
            var language: String
            var revision: Int
            var when: String
            var state: String
            var counts: [Badge]
        }
        var action: String?
        var recipients: Int
        var blocked: String?
        var configured: Bool
        var rows: [Row]
        var subscribersHref: String
    }

    struct Context: Encodable {
        var mailing: Mailing?
        var reference: String?
        var kind: String
        var title: String
        var facts: [Fact]
        var parent: Link?
        var followUps: [Link]
        var cases: [Link]
        var tabs: [Tab]
        var language: String
        /// The revision shown: the approve form sends it back (approving what changed since is refused).
        var revision: Int
        var dir: String
        var state: String
        var stateTone: String
        var online: Bool
        var publicHref: String?
        var updating: Bool
        var bodyHTML: String
        var steps: [Step]
        var approveBlocked: String?
        var publishBlocked: String?
        var editHref: String?
        var revisions: [Revision]
        var diff: Diff?
        var comments: [Comment]
        var commentAction: String?
        var defenders: [Defender]
        var consentAction: String?
        /// Linked to no case: the declaration that it names no defender at risk, or the way to make it or to link a case.
        var noCase: Bool
        var declared: String?
        var declareAction: String?
        var linkCaseAction: String?
        var hiddenCases: String?
        var onlyHiddenCases: String?
        var people: [SelectOption]
        var channels: [SelectOption]
        var targets: [Target]
        var targetAction: String?
        var replyAction: String?
        var targetOptions: [SelectOption]
        var history: [Event]
        var versionAction: String?
        var missingLanguages: [SelectOption]
        var followUpHref: String?
        var listHref: String
        var problems: [FieldProblem]
    }

    static func tone(_ state: AppealState) -> String {
        switch state {
        case .draft: ""
        case .inReview: "warn"
        case .approved, .published, .updated: "ok"
        case .closed: ""
        case .withdrawn: "danger"
        }
    }

    static func build(_ read: AppealReader, for actor: Actor, language: AppealLanguage?, problems: [FieldProblem], on request: Request) async throws -> Context {
        let appeal = read.appeal
        let id = try appeal.requireID()
        guard let version = read.version(language) else { throw Abort(.notFound) }
        let record = version.record
        let directory = StaffDirectory(request)
        try await directory.preload(users: read.events.map(\.actorID) + version.revisions.map(\.authorID) + version.comments.map(\.record.authorID))
        let may = { (action: AppealAction) in AppealPolicy.evaluate(actor, action, AppealTarget(organisationID: appeal.organisationID)).isAllowed }
        let mayApprove = AppealPolicy.evaluate(actor, .approve, AppealTarget(organisationID: appeal.organisationID, authors: version.authors)).isAllowed
        let channel: AppealChannel = appeal.kind.isPublic ? .publicPage : .authorities
        let missing = read.missingConsent(channel)
        let noCase = read.cases.isEmpty
        let allAuthors = Set(read.versions.flatMap(\.authors))
        let mayDeclare = noCase && appeal.noDefenderBy == nil
            && AppealPolicy.evaluate(actor, .approve, AppealTarget(organisationID: appeal.organisationID, authors: allAuthors)).isAllowed
        var steps: [Step] = []
        var approveBlocked: String?, publishBlocked: String?
        for step in AppealSteps.open(from: record.state, wasPublished: record.wasPublished) {
            let action = SiteURL.appealAction(id, form(step)).href
            switch step {
            case .submit where may(.write): steps.append(Step(action: action, label: request.t("appeal.step.submit"), style: "", hint: nil))
            case .returnToDraft where may(.review):
                steps.append(Step(action: action, label: request.t("appeal.step.return"), style: "secondary", hint: nil, comment: true))
            case .approve where mayApprove: steps.append(Step(action: action, label: request.t("appeal.step.approve"), style: "", hint: request.t("appeal.show.approveHint")))
            case .approve where may(.approve): approveBlocked = request.t("appeal.refusal.ownText")
            case .publish where may(.publish):
                if noCase && appeal.noDefenderBy == nil {
                    publishBlocked = request.t("appeal.refusal.noCase")
                } else if missing.isEmpty {
                    steps.append(Step(action: action, label: request.t(appeal.kind.isPublic ? (record.wasPublished ? "appeal.step.publishUpdate" : "appeal.step.publish") : "appeal.step.send"),
                                      style: "", hint: nil))
                } else {
                    publishBlocked = request.t("appeal.show.consentMissing", String(missing.count))
                }
            case .close where may(.publish):
                steps.append(Step(action: action, label: request.t("appeal.step.close"), style: "secondary", hint: request.t("appeal.show.closeHint")))
            default: break
            }
        }
        let revisions = version.revisions.map { revision in
            Revision(number: revision.number, author: "", when: request.moment(revision.createdAt),
                     published: revision.number == record.publishedRevision, approved: revision.number == record.approvedRevision)
        }
        var named: [Revision] = []
        for (index, revision) in revisions.enumerated() {
            var row = revision
            row.author = try await directory.user(version.revisions[index].authorID)
            named.append(row)
        }
        var comments: [Comment] = []
        for (comment, body) in version.comments {
            comments.append(Comment(author: try await directory.user(comment.authorID), when: request.moment(comment.createdAt), revision: comment.revision, body: body))
        }
        var history: [Event] = []
        for event in read.events.suffix(100) {
            history.append(Event(when: request.moment(event.createdAt), who: try await directory.user(event.actorID),
                                 what: request.t("appeal.event.\(event.kind)") + (event.language.map { " (\($0.endonym))" } ?? "")))
        }
        let languages = AppealLanguage.allCases.filter { language in !read.versions.contains { $0.record.language == language } }
        let onlineText = record.publishedRevision
        return Context(
            mailing: try await mailing(read, version: record, for: actor, on: request),
            reference: appeal.reference, kind: request.t(appeal.kind.labelKey), title: version.text.title,
            facts: facts(appeal, request: request),
            parent: read.parent.map { Link(href: SiteURL.appeal(try! $0.requireID(), language: nil).href, label: $0.reference ?? request.t("appeal.notIssued")) },
            followUps: read.followUps.map { follow in
                Link(href: SiteURL.appeal(try! follow.requireID(), language: nil).href,
                     label: (follow.reference ?? request.t("appeal.notIssued")) + " — " + request.t((follow.followUpKind ?? .other).labelKey))
            },
            cases: read.cases.filter(\.readable).map { Link(href: SiteURL.caseFile($0.id).href, label: $0.code) },
            tabs: read.versions.map { other in
                Tab(href: SiteURL.appeal(id, language: other.record.language).href, label: other.record.language.endonym, lang: other.record.language.rawValue,
                    current: other.record.language == record.language, state: request.t(other.record.state.labelKey), tone: tone(other.record.state))
            },
            language: record.language.rawValue, revision: record.revision, dir: record.language.direction,
            state: request.t(record.state.labelKey), stateTone: tone(record.state), online: onlineText != nil,
            publicHref: onlineText != nil ? appeal.slug.map { SiteURL.publicAppeal(record.language, slug: $0).href } : nil,
            updating: onlineText != nil && onlineText != record.revision,
            bodyHTML: AppealText.html(version.text.body),
            steps: steps, approveBlocked: approveBlocked, publishBlocked: publishBlocked,
            editHref: may(.write) && record.state.isEditable ? SiteURL.appealAction(id, .edit).href + "?language=\(record.language.rawValue)" : nil,
            revisions: named.reversed(), diff: diff(version, request: request),
            comments: comments, commentAction: may(.review) && record.state != .closed ? SiteURL.appealAction(id, .comments).href : nil,
            defenders: read.defenders.map { defender(appeal, $0, request: request) },
            consentAction: may(.recordConsent) && !read.defenders.isEmpty ? SiteURL.appealAction(id, .consents).href : nil,
            noCase: noCase,
            declared: try await appeal.noDefenderBy.asyncFlatMap { by in
                request.t("appeal.consent.declared", try await directory.user(by), appeal.noDefenderAt.map { request.day($0) } ?? "")
            },
            declareAction: mayDeclare ? SiteURL.appealAction(id, .declaration).href : nil,
            linkCaseAction: may(.write) && !read.versions.contains { $0.record.isOnline } ? SiteURL.appealAction(id, .cases).href : nil,
            hiddenCases: read.cases.filter { !$0.readable }.isEmpty ? nil : request.t("appeal.show.otherCases", String(read.cases.filter { !$0.readable }.count)),
            onlyHiddenCases: read.cases.filter { !$0.readable }.isEmpty ? nil : request.t("appeal.show.onlyHiddenCases", String(read.cases.filter { !$0.readable }.count)),
            people: read.defenders.enumerated().map { index, person in
                SelectOption(value: SiteURL.id(person.personID), label: person.name ?? request.t("appeal.consent.hiddenName", request.t("appeal.consent.caseHidden"), String(index + 1)), selected: false)
            },
            channels: appeal.kind.channels.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: false) },
            targets: read.targets.map { target in
                Target(name: target.name, institution: target.institution, address: target.address,
                       replies: read.replies.filter { $0.record.targetID == target.id }.map { Reply(on: request.day(iso: $0.record.receivedOn), summary: $0.summary) })
            },
            targetAction: may(.write) ? SiteURL.appealAction(id, .targets).href : nil,
            replyAction: may(.write) && !read.targets.isEmpty ? SiteURL.appealAction(id, .replies).href : nil,
            targetOptions: read.targets.map { SelectOption(value: SiteURL.id(try! $0.requireID()), label: "\($0.name) — \($0.institution)", selected: false) },
            history: history.reversed(),
            versionAction: may(.write) && !languages.isEmpty ? SiteURL.appealAction(id, .versions).href : nil,
            missingLanguages: languages.map { SelectOption(value: $0.rawValue, label: $0.endonym, selected: false) },
            followUpHref: may(.write) && appeal.reference != nil && appeal.parentID == nil ? SiteURL.newAppeal(case: nil, parent: id).href : nil,
            listHref: SiteURL.appeals.href, problems: problems)
    }

    static func mailing(_ read: AppealReader, version: AppealVersionRecord, for actor: Actor, on request: Request) async throws -> Mailing? {
        let appeal = read.appeal
        guard appeal.kind.isPublic, AppealPolicy.evaluate(actor, .manageMailing, AppealTarget(organisationID: appeal.organisationID)).isAllowed else { return nil }
        let db = request.db
        let id = try appeal.requireID()
        var rows: [Mailing.Row] = []
        for mailing in try await AppealMailingRecord.query(on: db).filter(\.$appealID == id).sort(\.$createdAt, .descending).all() {
            let counts = try await AppealMailings.counts(try mailing.requireID(), on: db)
            rows.append(.init(language: mailing.language.endonym, revision: mailing.revision, when: request.moment(mailing.createdAt),
                              state: request.t("appeal.mailing.state.\(mailing.state)"),
                              counts: AppealRecipientRecord.State.allCases.compactMap { state in
                                  counts[state].map { Badge(label: request.t("appeal.mailing.count.\(state.rawValue)", String($0)),
                                                            tone: state == .sent ? "ok" : [.refused, .failed, .uncertain].contains(state) ? "danger" : "warn") }
                              }))
        }
        let recipients = try await AppealSubscriberRecord.query(on: db).filter(\.$organisationID == appeal.organisationID)
            .filter(\.$unsubscribedAt == nil).all().filter { $0.languageList.contains(version.language) }.count
        var blocked: String?
        if version.publishedRevision == nil { blocked = request.t("appeal.mailing.notOnline") }
        else if !read.missingConsent(.mailing).isEmpty { blocked = request.t("appeal.mailing.consentMissing") }
        else if try await AppealMailingRecord.query(on: db).filter(\.$versionID == version.requireID())
            .filter(\.$revision == version.publishedRevision!).first() != nil { blocked = request.t("appeal.mailing.alreadySent") }
        else if recipients == 0 { blocked = request.t("appeal.mailing.noRecipient") }
        return Mailing(action: blocked == nil ? SiteURL.appealAction(id, .mailings).href : nil, recipients: recipients, blocked: blocked,
                       configured: request.application.egideConfig.mail != nil, rows: rows, subscribersHref: SiteURL.appealSubscribers.href)
    }

    static func form(_ step: AppealStep) -> AppealForm {
        switch step {
        case .revise: .edit
        case .submit: .submit
        case .returnToDraft: .returnToDraft
        case .approve: .approve
        case .publish, .withdraw: .publish
        case .close: .close
        }
    }

    static func facts(_ appeal: AppealRecord, request: Request) -> [Fact] {
        var facts = [Fact(label: request.t("appeal.field.kind"), value: request.t(appeal.kind.labelKey)),
                     Fact(label: request.t("appeal.field.country"), value: Countries.name(appeal.country, in: request.language))]
        let themes = AppealTheme.list(appeal.themes).map { request.t($0.labelKey) }
        if !themes.isEmpty { facts.append(Fact(label: request.t("appeal.field.themes"), value: themes.joined(separator: request.language.listSeparator))) }
        if let issued = appeal.issuedAt { facts.append(Fact(label: request.t("appeal.field.issued"), value: request.day(issued))) }
        facts.append(Fact(label: request.t("appeal.field.original"), value: appeal.originalLanguage.endonym))
        return facts
    }

    /// The diff between two revisions: by default what changed since the text was submitted for
    /// review (or since the previous revision); `?from=&to=` chooses.
    static func diff(_ version: AppealReader.Version, request: Request) -> Diff? {
        let numbers = version.revisions.map(\.number)
        guard numbers.count >= 2, let last = numbers.last else { return nil }
        let defaultFrom = version.record.submittedRevision.flatMap { $0 < last ? $0 : nil } ?? last - 1
        let askedTo = (try? request.query.get(Int.self, at: "to")).flatMap { numbers.contains($0) ? $0 : nil } ?? last
        let askedFrom = (try? request.query.get(Int.self, at: "from")).flatMap { numbers.contains($0) && $0 < askedTo ? $0 : nil }
            ?? min(defaultFrom, askedTo - 1)
        let vault = request.application.vault
        guard let old = version.revisions.first(where: { $0.number == askedFrom }).flatMap({ try? AppealQueries.open($0, vault: vault) }),
              let new = version.revisions.first(where: { $0.number == askedTo }).flatMap({ try? AppealQueries.open($0, vault: vault) }) else { return nil }
        let runs = TextDiff.runs(from: "# " + old.title + "\n\n" + old.body, to: "# " + new.title + "\n\n" + new.body)
        return Diff(from: askedFrom, to: askedTo, runs: runs, changed: TextDiff.isChange(runs),
                    options: numbers.dropLast().map { SelectOption(value: String($0), label: String($0), selected: $0 == askedFrom) },
                    toOptions: numbers.dropFirst().map { SelectOption(value: String($0), label: String($0), selected: $0 == askedTo) })
    }

    static func defender(_ appeal: AppealRecord, _ defender: AppealReader.Defender, request: Request) -> Defender {
        Defender(name: defender.name ?? request.t("appeal.consent.hidden"), caseCode: defender.name == nil ? nil : defender.caseCode,
                 caseHref: defender.name != nil ? SiteURL.caseFile(defender.caseID).href : nil,
                 consents: appeal.kind.channels.map { channel in
                     guard let consent = defender.consents[channel] else {
                         return Consent(label: request.t(channel.labelKey), state: request.t("appeal.consent.none"), tone: "warn", detail: nil)
                     }
                     return Consent(label: request.t(channel.labelKey), state: request.t(consent.granted ? "appeal.consent.granted" : "appeal.consent.withdrawn"),
                                    tone: consent.granted ? "ok" : "danger", detail: request.day(consent.recordedAt))
                 })
    }
}
