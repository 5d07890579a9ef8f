@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The appeals workflow end to end: four eyes, consent per channel, references, follow-ups,
/// withdrawal, the closed letter, and what the public pages and the feed show.
@Suite struct AppealWorkflowTests {
    @Test func a_document_is_published_only_after_review_approval_by_a_non_author_and_the_defenders_consent() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await w.draft(app)
            // A reviewer's suggested edit makes them an author.
            try await AppealWorkflow.revise(id, .fr, AppealText(title: "Cameroun : menaces contre une défenseure",
                                                                body: "L'Observatoire a été informé par des sources fiables.\n\n## Actions requises\n\n- Garantir son intégrité."),
                                            by: w.comms1, app: app)
            // Nothing skips review.
            await #expect(throws: Refusal.self) { try await AppealWorkflow.approve(id, .fr, read: nil, by: w.comms2, app: app) }
            try await AppealWorkflow.submit(id, .fr, by: w.officer, app: app)
            // A protection officer does not approve; the author of a revision may not either.
            await #expect(throws: Abort.self) { try await AppealWorkflow.approve(id, .fr, read: nil, by: w.officer, app: app) }
            await #expect(throws: Refusal(key: "appeal.refusal.ownText")) { try await AppealWorkflow.approve(id, .fr, read: nil, by: w.comms1, app: app) }
            // Another organisation's communications officer does not even see it.
            await #expect(throws: Abort.self) { try await AppealWorkflow.approve(id, .fr, read: nil, by: w.tunisComms, app: app) }
            try await AppealWorkflow.approve(id, .fr, read: nil, by: w.comms2, app: app)
            let appeal = try #require(try await AppealRecord.find(id, on: app.db))
            let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: app.clock.now())
            let mmyy = String(format: "%02d%02d", year.month!, year.year! % 100)
            #expect(appeal.reference == "CMR 001 / \(mmyy) / OBS 001")
            #expect(appeal.slug == "cmr-001-\(mmyy)-obs-001")
            // Publishing needs the defender's consent for the public page: the mailing's does not count.
            await #expect(throws: Refusal(key: "appeal.refusal.consentMissing")) { try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app) }
            try await w.consent(app, id, .mailing)
            await #expect(throws: Refusal(key: "appeal.refusal.consentMissing")) { try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app) }
            try await w.consent(app, id, .publicPage)
            // The protection officer records consent but does not publish.
            await #expect(throws: Abort.self) { try await AppealWorkflow.publish(id, .fr, by: w.officer, app: app) }
            try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app)
            let version = try await AppealWorld.version(app, id)
            #expect(version.state == .published && version.publishedRevision == 2)

            let page = try await app.send(.GET, "/fr/appels/\(try #require(appeal.slug))")
            #expect(page.status == .ok)
            #expect(page.text.contains("Cameroun : menaces contre une défenseure"))
            #expect(page.text.contains("og:title") && page.text.contains("application/atom+xml"))
            let feed = try await app.send(.GET, "/fr/appels.atom")
            #expect(feed.status == .ok && feed.headers.first(name: .contentType)?.hasPrefix("application/atom+xml") == true)
            #expect(feed.text.contains("une défenseure") && feed.text.contains("cmr-001-\(mmyy)-obs-001"))
            // Nothing of the case file but the published text: no case code, no summary, no contact, no name not in the text.
            for text in [page.text, feed.text, try await app.send(.GET, "/fr/appels").text] {
                for canary in [AppealWorld.summaryCanary, AppealWorld.contactCanary, w.caseCode, AppealWorld.defender] {
                    #expect(!text.contains(canary), "a public page shows \(canary)")
                }
            }
            // The other languages have nothing yet.
            #expect(try await app.send(.GET, "/en/appeals/\(appeal.slug!)").status == .notFound)
        }
    }

    @Test func a_withdrawn_consent_takes_every_version_offline_with_a_trace() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await w.draft(app)
            try await AppealWorkflow.addVersion(id, .en, AppealText(title: "Cameroon: threats against a defender", body: "The Observatory has been informed."),
                                                by: w.comms1, app: app)
            try await w.approve(app, id)
            try await AppealWorkflow.submit(id, .en, by: w.comms1, app: app)
            try await AppealWorkflow.approve(id, .en, read: nil, by: w.comms2, app: app)
            try await w.consent(app, id, .publicPage)
            try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app)
            try await AppealWorkflow.publish(id, .en, by: w.comms2, app: app)
            let slug = try #require(try await AppealRecord.find(id, on: app.db)?.slug)
            #expect(try await app.send(.GET, "/en/appeals/\(slug)").status == .ok)
            // The feed and the list, as kept for the next visitors, hold it.
            #expect(try await app.send(.GET, "/en/appeals.atom").text.contains(slug))
            #expect(try await app.send(.GET, "/fr/appels").text.contains(slug))

            try await w.consent(app, id, .publicPage, granted: false)
            for language in [AppealLanguage.fr, .en] {
                let version = try await AppealWorld.version(app, id, language)
                #expect(version.state == .withdrawn && version.publishedRevision == nil)
            }
            #expect(try await app.send(.GET, "/en/appeals/\(slug)").status == .notFound)
            #expect(try await app.send(.GET, "/fr/appels/\(slug)").status == .notFound)
            #expect(!(try await app.send(.GET, "/en/appeals.atom").text.contains(slug)))
            #expect(!(try await app.send(.GET, "/fr/appels").text.contains(slug)))
            let audit = try await AuditEventModel.query(on: app.db).filter(\.$action == "appeal.unpublish").count()
            #expect(audit == 2)
            #expect(try await AppealEventRecord.query(on: app.db).filter(\.$appealID == id).filter(\.$kind == "withdrawn").count() == 2)
            // Publishing again needs consent again, and a new review.
            await #expect(throws: Refusal.self) { try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app) }
        }
    }

    @Test func a_closed_letter_never_reaches_a_public_page_or_the_feed() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await w.draft(app, kind: .closedLetter, title: "Lettre fermée au ministre", body: "Monsieur le Ministre, CLOSED-LETTER-TEXT")
            try await w.approve(app, id)
            // The public-page consent is not even recordable for it; publishing needs the authorities' consent.
            await #expect(throws: Refusal(key: "appeal.refusal.consentMissing")) { try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app) }
            try await w.consent(app, id, .authorities)
            try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app)
            let version = try await AppealWorld.version(app, id)
            #expect(version.state == .published && version.publishedRevision == nil && version.wasPublished)
            // Even with a slug and a published revision forced into the row, the public side refuses a closed letter.
            version.publishedRevision = version.revision
            try await version.save(on: app.db)
            let slug = try #require(try await AppealRecord.find(id, on: app.db)?.slug)
            #expect(try await app.send(.GET, "/fr/appels/\(slug)").status == .notFound)
            #expect(!(try await app.send(.GET, "/fr/appels.atom").text.contains("CLOSED-LETTER-TEXT")))
            #expect(!(try await app.send(.GET, "/fr/appels").text.contains("Lettre fermée")))
            // The web form refuses a public-page consent for it.
            let client = TestClient(app)
            try await client.signIn(w.officerAccount)
            let refused = try await client.post(SiteURL.appealAction(id, .consents).href,
                                                [("person", SiteURL.id(w.defenderID)), ("channel", "public_page"), ("answer", "granted")])
            #expect(refused.status == .conflict)
        }
    }

    /// The staff list shows each appeal's title as its current revision says it, its reference once
    /// issued, and its versions' states; its filters work; another organisation sees none of it.
    @Test func the_staff_list_shows_each_appeals_current_title_and_state() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let issued = try await w.draft(app, title: "Première version du titre")
            try await AppealWorkflow.revise(issued, .fr, AppealText(title: "Cameroun : menaces, titre revu", body: "Texte revu."), by: w.comms1, app: app)
            try await w.approve(app, issued)
            let draft = try await w.draft(app, title: "Brouillon : détention au Cameroun")
            let reference = try #require(try await AppealRecord.find(issued, on: app.db)?.reference)
            let client = TestClient(app)
            try await client.signIn(w.comms1Account)
            let list = try await client.get(SiteURL.appeals.href).text
            #expect(list.contains("Cameroun : menaces, titre revu") && !list.contains("Première version du titre"), "the current revision's title")
            #expect(list.contains("Brouillon : détention au Cameroun"))
            #expect(list.contains(reference.htmlEscaped()))
            #expect(list.contains(SiteURL.appeal(draft, language: nil).href) && list.contains(SiteURL.appeal(issued, language: nil).href))
            let drafts = try await client.get(SiteURL.appeals.href + "?state=draft").text
            #expect(drafts.contains("Brouillon : détention au Cameroun") && !drafts.contains("titre revu"))
            let tunis = TestClient(app)
            let tunisAccount = try await Fixtures.account(app, in: w.tunis, roles: [.communicationsOfficer], name: "Tunis reader")
            try await tunis.signIn(tunisAccount)
            let foreign = try await tunis.get(SiteURL.appeals.href).text
            #expect(!foreign.contains("titre revu") && !foreign.contains("Brouillon : détention"))
        }
    }

    @Test func concurrent_approvals_never_share_a_reference_and_follow_ups_take_suffixes() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            var ids: [UUID] = []
            for index in 0..<10 { ids.append(try await w.draft(app, title: "Appel \(index)")) }
            for id in ids { try await AppealWorkflow.submit(id, .fr, by: w.officer, app: app) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in ids.enumerated() {
                    let approver = index % 2 == 0 ? w.comms2 : w.coordinator
                    group.addTask { try await AppealWorkflow.approve(id, .fr, read: nil, by: approver, app: app) }
                }
                try await group.waitForAll()
            }
            let appeals = try await AppealRecord.query(on: app.db).filter(\.$id ~~ ids).all()
            #expect(Set(appeals.compactMap(\.reference)).count == 10)
            #expect(Set(appeals.compactMap(\.slug)).count == 10)
            #expect(Set(appeals.compactMap(\.yearlySequence)) == Set(1...10))
            #expect(Set(appeals.compactMap(\.countrySequence)) == Set(1...10))

            let original = try #require(appeals.first { $0.yearlySequence == 1 })
            let reference = try #require(original.reference)
            var followUps: [UUID] = []
            for kind in [FollowUpKind.release, .sentencing] {
                let id = try await AppealWorkflow.create(.init(kind: .urgentAppeal, country: "ZZ", themes: [], language: .fr,
                                                               text: AppealText(title: "Suite", body: "Nouvelles informations."),
                                                               parentID: try original.requireID(), followUpKind: kind), by: w.comms1, app: app)
                try await AppealWorkflow.submit(id, .fr, by: w.comms1, app: app)
                try await AppealWorkflow.approve(id, .fr, read: nil, by: w.comms2, app: app)
                followUps.append(id)
            }
            let first = try #require(try await AppealRecord.find(followUps[0], on: app.db))
            let second = try #require(try await AppealRecord.find(followUps[1], on: app.db))
            #expect(first.reference == reference + ".1" && second.reference == reference + ".2")
            #expect(first.country == "CM" && first.followUpKind == .release)
            // The follow-up inherits the original's cases, so the same defender must consent.
            #expect(try await AppealQueries.caseIDs(of: followUps[0], on: app.db) == [w.caseID])
            // A follow-up of a draft, or of a follow-up, is refused.
            let draft = try await w.draft(app)
            await #expect(throws: Refusal(key: "appeal.refusal.parentNotIssued")) {
                try await AppealWorkflow.create(.init(kind: .urgentAppeal, country: "ZZ", themes: [], language: .fr, text: AppealText(title: "x", body: "y"),
                                                      parentID: draft), by: w.comms1, app: app)
            }
            await #expect(throws: Refusal(key: "appeal.refusal.followUpOfFollowUp")) {
                try await AppealWorkflow.create(.init(kind: .urgentAppeal, country: "ZZ", themes: [], language: .fr, text: AppealText(title: "x", body: "y"),
                                                      parentID: followUps[0]), by: w.comms1, app: app)
            }
        }
    }

    @Test func an_organisations_own_pattern_numbers_its_documents() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            try await AppealWorkflow.savePattern(try ReferencePattern("{YYYY}/{ISO3}/{yearly:04}"), by: w.coordinator, app: app)
            await #expect(throws: Abort.self) { try await AppealWorkflow.savePattern(.observatory, by: w.comms1, app: app) }
            let id = try await w.draft(app)
            try await w.approve(app, id)
            let year = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: app.clock.now()).year!
            #expect(try await AppealRecord.find(id, on: app.db)?.reference == "\(year)/CMR/0001")
        }
    }

    @Test func published_text_is_sanitised_on_the_public_page_and_in_the_feed() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let hostile = """
                Texte <script>alert('x')</script> et <img src=x onerror=alert(1)>.

                [lien](javascript:alert(1)) [autre](JAVASCRIPT:alert(2)) <a href="javascript:alert(3)" onclick="x()">a</a>

                ![image](https://tracker.example/pixel.png)
                """
            let id = try await w.draft(app, body: hostile)
            try await w.approve(app, id)
            try await w.consent(app, id, .publicPage)
            try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app)
            let slug = try #require(try await AppealRecord.find(id, on: app.db)?.slug)
            let page = try await app.send(.GET, "/fr/appels/\(slug)").text
            let feed = try await app.send(.GET, "/fr/appels.atom").text
            // The feed's content is HTML escaped once more as XML text: read it as a feed reader does.
            let content = try #require(feed.range(of: "<content type=\"html\">").flatMap { start in
                feed.range(of: "</content>", range: start.upperBound..<feed.endIndex).map { String(feed[start.upperBound..<$0.lowerBound]) }
            })
            let contentHTML = content.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            let eventHandler = try NSRegularExpression(pattern: "<[a-zA-Z][^<>]*\\son[a-z]+\\s*=", options: [.caseInsensitive])
            // Attribute values (quoted, their quotes escaped) may hold any text: an event handler is an attribute name.
            let quoted = try NSRegularExpression(pattern: "\"[^\"]*\"")
            for html in [page, contentHTML] {
                let markup = quoted.stringByReplacingMatches(in: html, range: NSRange(html.startIndex..., in: html), withTemplate: "\"\"")
                #expect(!html.contains("<script"))
                #expect(!html.contains("<img"))
                #expect(!html.lowercased().contains("href=\"javascript"))
                #expect(eventHandler.firstMatch(in: markup, range: NSRange(markup.startIndex..., in: markup)) == nil)
                // What was written is shown as text, not lost.
                #expect(html.contains("&lt;script&gt;"))
            }
        }
    }
}

@Suite struct AppealTextTests {
    @Test func the_documents_highest_heading_becomes_the_pages_second_level() {
        #expect(AppealText.html("## Actions\n\ntext").hasPrefix("<h2>Actions</h2>"))
        #expect(AppealText.html("# Actions\n\n## Détail").contains("<h2>Actions</h2>"))
        #expect(AppealText.html("# Actions\n\n## Détail").contains("<h3>Détail</h3>"))
        #expect(AppealText.html("```\n# not a heading\n```\n\n### Three").contains("<h2>Three</h2>"))
        #expect(AppealText.topHeadingLevel("#hashtag, not a heading") == 2)
    }
}

/// The review's safeguards: a document linked to no case, approving what one read, follow-ups.
@Suite struct AppealSafeguardTests {
    @Test func a_document_linked_to_no_case_publishes_only_after_a_non_author_declares_it_names_no_defender() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await AppealWorkflow.create(.init(kind: .statement, country: "CM", themes: [], language: .fr,
                                                           text: AppealText(title: "Déclaration", body: "Nos organisations s'inquiètent.")),
                                                     by: w.comms1, app: app)
            try await AppealWorkflow.submit(id, .fr, by: w.comms1, app: app)
            try await AppealWorkflow.approve(id, .fr, read: 1, by: w.comms2, app: app)
            await #expect(throws: Refusal(key: "appeal.refusal.noCase")) { try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app) }
            // Its author may not declare it; a protection officer neither.
            await #expect(throws: Refusal(key: "appeal.refusal.ownText")) { try await AppealWorkflow.declareNoDefender(id, by: w.comms1, app: app) }
            await #expect(throws: Abort.self) { try await AppealWorkflow.declareNoDefender(id, by: w.officer, app: app) }
            try await AppealWorkflow.declareNoDefender(id, by: w.comms2, app: app)
            try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app)
            #expect(try await AppealWorld.version(app, id).isOnline)
            // Online, it takes no new case; a case linked before publication asks for its defenders' consent again.
            await #expect(throws: Refusal(key: "appeal.refusal.linkWhileOnline")) { try await AppealWorkflow.linkCase(id, code: w.caseCode, by: w.officer, app: app) }
            let other = try await AppealWorkflow.create(.init(kind: .statement, country: "CM", themes: [], language: .fr,
                                                              text: AppealText(title: "Autre", body: "Texte.")), by: w.comms1, app: app)
            try await AppealWorkflow.declareNoDefender(other, by: w.comms2, app: app)
            // A communications officer cannot link a case they cannot see; its officer can.
            await #expect(throws: Refusal(key: "appeal.refusal.unknownCase")) { try await AppealWorkflow.linkCase(other, code: w.caseCode, by: w.comms1, app: app) }
            try await AppealWorkflow.linkCase(other, code: w.caseCode.lowercased(), by: w.officer, app: app)
            let linked = try #require(try await AppealRecord.find(other, on: app.db))
            #expect(linked.noDefenderBy == nil)
            try await AppealWorkflow.submit(other, .fr, by: w.comms1, app: app)
            try await AppealWorkflow.approve(other, .fr, read: 1, by: w.comms2, app: app)
            await #expect(throws: Refusal(key: "appeal.refusal.consentMissing")) { try await AppealWorkflow.publish(other, .fr, by: w.comms2, app: app) }
        }
    }

    @Test func an_approval_names_the_revision_read_and_refuses_a_text_changed_since() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await w.draft(app)
            try await AppealWorkflow.submit(id, .fr, by: w.officer, app: app)
            // The author adds a detail while the approver reads revision 1.
            try await AppealWorkflow.revise(id, .fr, AppealText(title: "Titre", body: "Un détail ajouté après la relecture."), by: w.officer, app: app)
            await #expect(throws: Refusal(key: "appeal.refusal.changedSinceRead")) {
                try await AppealWorkflow.approve(id, .fr, read: 1, by: w.comms2, app: app)
            }
            try await AppealWorkflow.approve(id, .fr, read: 2, by: w.comms2, app: app)
            #expect(try await AppealWorld.version(app, id).approvedRevision == 2)
            // The web form without the revision read is malformed.
            let other = try await w.draft(app)
            try await AppealWorkflow.submit(other, .fr, by: w.officer, app: app)
            let client = TestClient(app)
            try await client.signIn(w.comms2Account)
            #expect(try await client.post(SiteURL.appealAction(other, .approve).href, [("language", "fr")]).status == .badRequest)
            #expect(try await client.post(SiteURL.appealAction(other, .approve).href, [("language", "fr"), ("revision", "7")]).status == .conflict)
            let approved = try await client.post(SiteURL.appealAction(other, .approve).href, [("language", "fr"), ("revision", "1")])
            #expect(approved.status == .seeOther)
        }
    }

    @Test func a_closed_letter_has_no_follow_up_and_a_public_follow_up_names_only_a_public_original() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let letter = try await w.draft(app, kind: .closedLetter, title: "Lettre", body: "Monsieur le Ministre,")
            try await w.approve(app, letter)
            await #expect(throws: Refusal(key: "appeal.refusal.followUpOfClosedLetter")) {
                try await AppealWorkflow.create(.init(kind: .urgentAppeal, country: "ZZ", themes: [], language: .fr, text: AppealText(title: "x", body: "y"),
                                                      parentID: letter), by: w.comms1, app: app)
            }
            // An original approved but never published: its follow-up's page does not name it.
            let original = try await w.draft(app)
            try await w.approve(app, original)
            let followUp = try await AppealWorkflow.create(.init(kind: .urgentAppeal, country: "ZZ", themes: [], language: .fr,
                                                                 text: AppealText(title: "Libération", body: "Libéré."), parentID: original,
                                                                 followUpKind: .release), by: w.comms1, app: app)
            try await AppealWorkflow.submit(followUp, .fr, by: w.comms1, app: app)
            try await AppealWorkflow.approve(followUp, .fr, read: nil, by: w.comms2, app: app)
            try await w.consent(app, followUp, .publicPage)
            try await AppealWorkflow.publish(followUp, .fr, by: w.comms2, app: app)
            let page = try await app.send(.GET, "/fr/appels/\(try #require(try await AppealRecord.find(followUp, on: app.db)?.slug))")
            #expect(page.status == .ok)
            #expect(!page.text.contains(app.catalogue.text("appeal.public.followUpOf", in: .fr)))
        }
    }
}
