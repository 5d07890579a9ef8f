@testable import App
import EgideCore
import Fluent
import SQLKit
import Foundation
import Testing
import VaporTesting

/// What an officer and a verifier meet every day: a confirmation after each action, selects that
/// preselect what is saved, only real people to ask, and a verification rule that says which
/// branch it applies.
@Suite struct DailyUseTests {
    @Test func an_action_is_confirmed_once_on_the_page_it_returns_to() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Joseph Kabila Mutombo"))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let triaged = try await officer.post(SiteURL.alertAction(id, .triage).href, [("urgency", "p2")])
            #expect(triaged.status == .seeOther && triaged.headers.first(name: .location) == SiteURL.alert(id).href)
            let page = try await officer.get(SiteURL.alert(id).href)
            #expect(page.text.contains("role=\"status\">Urgency set.<"))
            // Once: the next page no longer shows it.
            #expect(!(try await officer.get(SiteURL.alert(id).href)).text.contains("Urgency set."))
            // A cookie naming anything but a known confirmation shows nothing.
            officer.cookies["__Host-egide-flash"] = "alert.refused.transition"
            #expect(!(try await officer.get(SiteURL.alert(id).href)).text.contains("role=\"status\""))
        }
    }

    @Test func the_status_select_preselects_the_current_status_and_sending_it_changes_nothing() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let alertID = try await CaseWorkflowTests.verifiedAlert(app, chain)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            #expect(try await officer.post("/cases", [("country", "CM"), ("summary", "Threatened after the hearing."), ("defenderName", "Aline Mbarga"),
                                                      ("fieldOfWork", "journalism"), ("alert", SiteURL.id(alertID))]).status == .seeOther)
            let record = try await CaseWorkflowTests.onlyCase(app)
            let id = try record.requireID()
            #expect(try await officer.post(SiteURL.caseAction(id, .status).href, [("status", "active")]).status == .seeOther)
            let page = try await officer.get(SiteURL.caseFile(id).href).text
            let select = try #require(page.range(of: "<select id=\"status\"")).upperBound
            let options = String(page[select...]).components(separatedBy: "</select>")[0]
            #expect(options.contains("value=\"active\" selected"), "the current status is preselected: \(options)")
            #expect(options.components(separatedBy: " selected").count == 2, "one option only is preselected")
            let entries = try await CaseEntryRecord.query(on: app.db).filter(\.$caseID == id).count()
            let unchanged = try await officer.post(SiteURL.caseAction(id, .status).href, [("status", "active")])
            #expect(unchanged.status == .seeOther)
            #expect(try await CaseRecord.find(id, on: app.db)?.status == .active)
            #expect(try await CaseEntryRecord.query(on: app.db).filter(\.$caseID == id).count() == entries, "nothing was recorded")
            #expect((try await officer.get(SiteURL.caseFile(id).href)).text.contains("Nothing changed."))
        }
    }

    @Test func only_active_verifiers_are_offered_and_accepted() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let invited = try await Fixtures.account(app, in: chain.cameroon, roles: [.verifier], name: "Invited Never Joined")
            let user = try #require(try await UserRecord.find(invited.id, on: app.db))
            user.totpConfirmedAt = nil
            try await user.save(on: app.db)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            #expect(try await officer.post(SiteURL.alertAction(id, .triage).href, [("urgency", "p2")]).status == .seeOther)
            let page = try await officer.get(SiteURL.alert(id).href).text
            #expect(page.contains("Verifier Douala") && !page.contains("Invited Never Joined") && !page.contains(SiteURL.id(invited.id)))
            let refused = try await officer.post(SiteURL.alertAction(id, .verification).href, [("verifiers[]", SiteURL.id(invited.id))])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await VerificationRequestRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func the_rule_names_the_branch_it_applies_and_what_each_still_lacks() async throws {
        try await withApp { app in
            let request = Request(application: app, on: app.eventLoopGroup.next())
            let rule = VerificationRule.standard
            let text = { (findings: [GradedFinding]) in AlertPage.proposal(rule.evaluate(findings), rule: rule, findings: findings, request: request) }
            let none = text([])
            #expect(none.contains("0 of the 2") && none.contains("Single source") && none.contains("graded B or better"))
            let one = [GradedFinding(organisationID: UUID(), reliability: .a, credibility: .probablyTrue)]
            let single = text(one)
            #expect(single.contains("(single source)") && single.contains("A2") && single.contains("1 of 2"), "\(single)")
            #expect(!single.contains("Not enough"))
            let two = [GradedFinding(organisationID: UUID(), reliability: .c, credibility: .probablyTrue),
                       GradedFinding(organisationID: UUID(), reliability: .d, credibility: .confirmed)]
            #expect(text(two).contains("(independent sources)"))
        }
    }
}

@Suite struct QueueAndFormWordingTests {
    @Test func the_queue_reads_new_as_received_and_names_the_values_it_accepts() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            _ = try await AlertFixtures.submit(app, AlertFixtures.alert(name: "Joseph Kabila Mutombo"))
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let new = try await officer.get("/alerts?status=new")
            #expect(new.status == .ok && new.text.contains("Joseph Kabila Mutombo") && !new.text.contains("filter-problem"))
            let odd = try await officer.get("/alerts?status=waiting")
            #expect(odd.status == .ok && odd.text.contains("id=\"filter-problem\"") && odd.text.contains("in_verification"))
            #expect(odd.text.contains("Joseph Kabila Mutombo"), "the open alerts are shown")
        }
    }

    @Test func a_refused_long_text_says_the_limit() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let res = try await officer.post(SiteURL.alertAction(id, .comments).href, [("comment", String(repeating: "x", count: 10_001))])
            #expect(res.status == .unprocessableEntity || res.status == .ok)
            #expect(res.text.contains("characters at most"), "the message names the limit")
        }
    }
}

@Suite struct OneLanguagePerPageTests {
    /// The public alert pages are in the language of their address, header included, whatever
    /// language the visitor chose before (a defender follows a link in the language they read).
    @Test func the_public_alert_pages_speak_the_language_of_their_address_throughout() async throws {
        try await withApp { app in
            for (path, cookie, lang, home, other) in [("/alert", "fr", "en", ">Home<", ">Accueil<"), ("/alerte", "en", "fr", ">Accueil<", ">Home<"),
                                                      ("/alert/follow-up", "fr", "en", ">Home<", ">Accueil<"),
                                                      ("/alerte/suivi", "en", "fr", ">Accueil<", ">Home<")] {
                let page = try await app.send(.GET, path, headers: ["Cookie": "egide-lang=\(cookie)"])
                #expect(page.status == .ok)
                #expect(page.text.contains("<html lang=\"\(lang)\""), "\(path)")
                #expect(page.text.contains(home) && !page.text.contains(other), "\(path): the header is in another language")
            }
        }
    }
}

@Suite struct CaseListFilterTests {
    @Test func the_case_list_names_the_status_values_it_accepts() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let officer = TestClient(app)
            try await officer.signIn(chain.officer)
            let known = try await officer.get("/cases?status=monitoring")
            #expect(known.status == .ok && !known.text.contains("filter-problem"))
            let odd = try await officer.get("/cases?status=pending")
            #expect(odd.status == .ok && odd.text.contains("id=\"filter-problem\"") && odd.text.contains("monitoring"))
        }
    }
}

/// The case list's rows are written in Swift (`CaseListPage.html`), not by Leaf: every value must
/// still be escaped, and each cell keep its label for the narrow layout.
@Suite struct CaseListRowsTests {
    @Test func every_value_in_a_row_is_escaped_and_every_cell_labelled() async throws {
        try await withApp { app in
            let request = Request(application: app, on: app.eventLoopGroup.any())
            let hostile = #"<script>alert("x")</script>&'"#
            let rows = [CaseListPage.Row(href: "/cases/\"x", code: hostile, country: hostile, status: hostile, statusTone: "ok", risk: hostile,
                                         riskTone: "danger", lead: hostile, review: hostile, reviewDue: true, updated: hostile),
                        CaseListPage.Row(href: "/cases/y", code: "CMR-2026-0002", country: "Cameroun", status: "Open", statusTone: "ok", risk: nil,
                                         riskTone: "", lead: "Awa", review: nil, reviewDue: false, updated: "1 Dec")]
            let html = CaseListPage.html(rows, labels: .init(request))
            #expect(!html.contains("<script>") && !html.contains(#"="/cases/"x""#))
            #expect(html.components(separatedBy: "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;").count - 1 == 7,
                    "code, updated, country, status, risk, review and lead, each escaped")
            #expect(html.components(separatedBy: "<td data-label=").count - 1 == 12)
            #expect(html.contains(#"<span class="badge danger">"#) && html.contains(#"<span class="badge warn">"#))
            #expect(html.contains("<div>—</div>"), "no review date: a dash")
            #expect(html.contains(#"<a href="/cases/y" class="code" dir="ltr">CMR-2026-0002</a>"#))
        }
    }
}

@Suite struct AlertQueueRowsTests {
    @Test func every_value_in_a_row_is_escaped_and_every_cell_labelled() async throws {
        try await withApp { app in
            let request = Request(application: app, on: app.eventLoopGroup.any())
            let hostile = #"<script>alert("x")</script>&'"#
            let rows = [AlertQueuePage.Row(href: "/alerts/\"x", reference: hostile, name: hostile, country: hostile, urgency: hostile,
                                           urgencyTone: "danger", status: hostile, deadline: hostile, deadlineState: hostile, deadlineTone: "warn",
                                           assignee: hostile, received: hostile),
                        AlertQueuePage.Row(href: "/alerts/y", reference: "AL-2026-0002", name: "Awa", country: "Cameroun", urgency: nil,
                                           urgencyTone: "", status: "Received", deadline: "2 Dec", deadlineState: nil, deadlineTone: "",
                                           assignee: "Karim", received: "1 Dec")]
            let labels = AlertQueuePage.Labels(request)
            let html = AlertQueuePage.html(rows, labels: labels)
            #expect(!html.contains("<script>") && !html.contains(#"="/alerts/"x""#))
            #expect(html.components(separatedBy: "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;").count - 1 == 9,
                    "reference, received, urgency, name, country, status, deadline, its state and the assignee, each escaped")
            #expect(html.components(separatedBy: "<td data-label=").count - 1 == 14)
            #expect(html.contains(#"<span class="badge danger">"#) && html.contains(#"<span class="badge warn">"#))
            #expect(html.contains(#"<span class="badge">"# + SharedPages.escaped(labels.untriaged) + "</span>"), "no urgency yet: untriaged")
            #expect(html.contains(#"<a href="/alerts/y" class="reference-link" dir="ltr">AL-2026-0002</a>"#))
            #expect(html.contains(#"<div dir="auto">Awa</div>"#), "a name may be written right to left")
        }
    }
}

@Suite struct SelectOptionsTests {
    @Test func every_option_is_escaped_and_the_chosen_one_selected() {
        let html = SelectOptions([SelectOption(value: #""><script>"#, label: "<b>&'", selected: false),
                                  SelectOption(value: "cm", label: "Cameroun", selected: true)]).html
        #expect(html == #"<option value="&quot;&gt;&lt;script&gt;">&lt;b&gt;&amp;&#39;</option><option value="cm" selected>Cameroun</option>"#)
        #expect(SelectOptions([]).html.isEmpty)
    }
}

@Suite struct RowCountTests {
    /// `countRows` counts in SQL what Fluent's `count()` counts: filters kept, sorting and paging dropped.
    @Test func rows_are_counted_as_fluent_counts_them() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            for name in ["Awa Ndiaye", "Paul Biya Ndzana", "Marie Claire Atangana"] {
                _ = try await AlertFixtures.submit(app, AlertFixtures.alert(name: name))
            }
            let country = try #require(try await AlertRecord.query(on: app.db).first()).country
            let queries: [() -> QueryBuilder<AlertRecord>] = [
                { AlertRecord.query(on: app.db) },
                { AlertRecord.query(on: app.db).filter(\.$country == country).filter(\.$mergedInto == nil) },
                { AlertRecord.query(on: app.db).filter(\.$country == "ZZ") },
                { AlertRecord.query(on: app.db).sort(\.$receivedAt, .descending).range(0..<1) },
            ]
            let counts = try await queries.asyncMap { try await $0().countRows() }
            #expect(counts == [3, 3, 0, 3], "the page's total counts every row, not the page")
            #expect(Array(counts.prefix(3)) == (try await queries.prefix(3).asyncMap { try await $0().count() }))
        }
    }
}

/// `columns(...)` reads what Fluent's records read, value for value, and the `column:` filters select
/// what Fluent's operators select (on PostgreSQL through SQLKit, on SQLite through `SQLiteColumns`).
@Suite struct ColumnReadTests {
    @Test func columns_read_the_values_the_records_hold() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            for name in ["Awa Ndiaye", "Paul Biya Ndzana"] { _ = try await AlertFixtures.submit(app, AlertFixtures.alert(name: name)) }
            let first = try #require(try await AlertRecord.query(on: app.db).sort(\.$receivedAt).first())
            first.urgency = .p2
            first.assigneeID = chain.officer.id
            try await first.save(on: app.db)
            let records = try await AlertRecord.query(on: app.db).sort(\.$id).all()
            let rows = try await AlertRecord.query(on: app.db).sort(column: \.$id).columns([
                AlertRecord.key(\.$id), AlertRecord.key(\.$organisationID), AlertRecord.key(\.$year), AlertRecord.key(\.$status),
                AlertRecord.key(\.$urgency), AlertRecord.key(\.$assigneeID), AlertRecord.key(\.$receivedAt), AlertRecord.key(\.$receiptTag),
                AlertRecord.key(\.$senderIsDefender), AlertRecord.key(\.$defenderIndex), AlertRecord.key(\.$country)])
            #expect(rows.count == 2 && records.count == 2)
            for (row, record) in zip(rows, records) {
                #expect(try row(\.$id) == record.id && row(\.$organisationID) == record.organisationID && row(\.$year) == record.year)
                #expect(try row(\.$status) == record.status && row(\.$urgency) == record.urgency && row(\.$assigneeID) == record.assigneeID)
                #expect(try row(\.$receivedAt) == record.receivedAt && row(\.$receiptTag) == record.receiptTag && row(\.$country) == record.country)
                #expect(try row(\.$senderIsDefender) == record.senderIsDefender && row(\.$defenderIndex) == record.defenderIndex)
                #expect(throws: (any Error).self, "a field that was not selected is an error") { try row(\.$narrativeCiphertext) }
                #expect(throws: (any Error).self, "an optional one too, not a nil") { try row(\.$mergedInto) }
            }
            let changed = try #require(try rows.first { try $0(\.$id) == first.id }), other = try #require(try rows.first { try $0(\.$id) != first.id })
            #expect(try changed(\.$urgency) == .p2 && other(\.$urgency) == nil, "an optional reads its value and its absence")
            #expect(try changed(\.$assigneeID) == chain.officer.id && other(\.$assigneeID) == nil)
            // A value that does not read is an error, not a crash or a default.
            try await (app.db as! any SQLDatabase).raw("UPDATE alerts SET status = 'no-such-status'").run()
            let unreadable = try await AlertRecord.query(on: app.db).columns([AlertRecord.key(\.$status)])
            #expect(throws: (any Error).self) { try unreadable[0](\.$status) }
        }
    }

    @Test func column_filters_select_what_fluent_operators_select() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            for name in ["Awa Ndiaye", "Paul Biya Ndzana", "Marie Claire Atangana"] { _ = try await AlertFixtures.submit(app, AlertFixtures.alert(name: name)) }
            let first = try #require(try await AlertRecord.query(on: app.db).sort(\.$receivedAt).first())
            first.status = .triaged
            first.assigneeID = chain.officer.id
            try await first.save(on: app.db)
            let ids = { (query: QueryBuilder<AlertRecord>) in try await query.all().map { try $0.requireID() } }
            let pairs: [(QueryBuilder<AlertRecord>, QueryBuilder<AlertRecord>)] = [
                (AlertRecord.query(on: app.db).filter(column: \.$status, .equal, .triaged), AlertRecord.query(on: app.db).filter(\.$status == .triaged)),
                (AlertRecord.query(on: app.db).filter(column: \.$assigneeID, .equal, nil), AlertRecord.query(on: app.db).filter(\.$assigneeID == nil)),
                (AlertRecord.query(on: app.db).filter(column: \.$status, in: [.received, .closed]), AlertRecord.query(on: app.db).filter(\.$status ~~ [.received, .closed])),
                (AlertRecord.query(on: app.db).filter(column: \.$status, in: [.received], false), AlertRecord.query(on: app.db).filter(\.$status !~ [.received])),
                (AlertRecord.query(on: app.db).filter(column: \.$receivedAt, .lessThan, first.receivedAt), AlertRecord.query(on: app.db).filter(\.$receivedAt < first.receivedAt)),
            ]
            for (mine, fluents) in pairs {
                let (got, expected) = (try await ids(mine), try await ids(fluents))
                #expect(Set(got) == Set(expected) && got.count == expected.count)
            }
            let sorted = try await ids(AlertRecord.query(on: app.db).sort(column: \.$status, .descending).sort(column: \.$id))
            #expect(sorted == (try await ids(AlertRecord.query(on: app.db).sort(\.$status, .descending).sort(\.$id))))
            #expect(sorted.first == first.id, "triaged sorts after received, descending first")
            let (triaged, unassigned) = (try await ids(pairs[0].0), try await ids(pairs[1].0))
            #expect(triaged == [try first.requireID()] && unassigned.count == 2)
        }
    }
}

@Suite struct GrantListRowsTests {
    @Test func every_value_in_a_row_is_escaped_and_every_cell_labelled() async throws {
        try await withApp { app in
            let request = Request(application: app, on: app.eventLoopGroup.any())
            let hostile = #"<script>alert("x")</script>&'"#
            let rows = [GrantListPage.Row(href: "/grants/\"x", code: hostile, fund: hostile, organisation: hostile, category: hostile,
                                          amount: hostile, state: hostile, stateTone: "warn", caseCode: hostile, updated: hostile),
                        GrantListPage.Row(href: "/grants/y", code: "GR-2026-0002", fund: "Urgence", organisation: "Réseau", category: "Relocation",
                                          amount: "1 200,00 EUR", state: "Draft", stateTone: "", caseCode: nil, updated: "1 Dec")]
            let html = GrantListPage.html(rows, labels: .init(request))
            #expect(!html.contains("<script>") && !html.contains(#"="/grants/"x""#))
            #expect(html.components(separatedBy: "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;").count - 1 == 8,
                    "code, fund, case, updated, category, amount, state and organisation, each escaped")
            #expect(html.components(separatedBy: "<td data-label=").count - 1 == 10)
            #expect(html.components(separatedBy: #"class="num""#).count - 1 == 2, "amounts aligned as numbers")
            #expect(html.contains(#"<a href="/grants/y" class="code" dir="ltr">GR-2026-0002</a><br><span class="muted"><bdi>Urgence</bdi> · 1 Dec</span>"#),
                    "no case: the fund and the day only")
        }
    }
}

@Suite struct AppealListRowsTests {
    @Test func every_value_in_a_row_is_escaped_and_every_cell_labelled() async throws {
        try await withApp { app in
            let request = Request(application: app, on: app.eventLoopGroup.any())
            let hostile = #"<script>alert("x")</script>&'"#
            let rows = [AppealListPage.Row(href: "/appeals/\"x", reference: hostile, title: hostile, kind: hostile, country: hostile,
                                           versions: [Badge(label: hostile, tone: "ok"), Badge(label: "EN · Draft", tone: "")],
                                           followUpOf: hostile, updated: hostile),
                        AppealListPage.Row(href: "/appeals/y", reference: "TUN 003 / 0725 / OBS 045", title: "Libérez Olfa", kind: "Urgent",
                                           country: "Tunisie", versions: [], followUpOf: nil, updated: "1 déc.")]
            let html = AppealListPage.html(rows, labels: .init(request))
            #expect(!html.contains("<script>") && !html.contains(#"="/appeals/"x""#))
            #expect(html.components(separatedBy: "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;").count - 1 == 7,
                    "reference, country, updated, follow-up, title, kind and a version badge, each escaped")
            #expect(html.components(separatedBy: "<td data-label=").count - 1 == 8)
            #expect(html.contains(#"<div class="badges"><span class="badge ok">"#) && html.contains(#"<span class="badge">EN · Draft</span>"#))
            #expect(html.contains(#"<span class="muted">Tunisie · 1 déc.</span>"#), "no follow-up: the country and the day only")
            #expect(html.contains(#"<div dir="auto">Libérez Olfa</div>"#))
        }
    }
}
