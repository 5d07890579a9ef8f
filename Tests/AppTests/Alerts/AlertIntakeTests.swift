@testable import App
import EgideCore
import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
import VaporTesting

@Suite struct AlertIntakeTests {
    @Test func the_api_returns_a_receipt_and_a_passphrase_that_open_the_status() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            #expect(receipt.receipt.range(of: #"^EG-[A-Z2-7]{4}-[A-Z2-7]{4}$"#, options: .regularExpression) != nil)
            #expect(receipt.passphrase.range(of: #"^([A-Z2-7]{5}-){3}[A-Z2-7]{5}$"#, options: .regularExpression) != nil)
            let status = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders,
                                            body: AlertFixtures.json(["receipt": receipt.receipt.lowercased(), "passphrase": receipt.passphrase]))
            #expect(status.status == .ok)
            #expect(status.text.contains(#""status":"received""#))
            // Neither code is stored as such.
            let alert = try #require(try await AlertRecord.query(on: app.db).first())
            #expect(alert.receiptTag.count == 32 && alert.passphraseTag.count == 32)
            #expect(alert.status == .received && alert.channel == .api && alert.urgency == nil)
            // An untriaged alert is due within the P1 deadline.
            #expect(alert.deadlineAt.timeIntervalSince(alert.receivedAt) == 24 * 3600)
        }
    }

    @Test func the_same_idempotency_key_never_creates_a_second_alert() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let fields = AlertFixtures.alert(key: "retry-key-0123456789abcdef")
            let first = try await AlertFixtures.submit(app, fields)
            let again = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders, body: AlertFixtures.json(fields))
            #expect(again.status == .ok)
            #expect(try JSONDecoder().decode(AlertReceipt.self, from: Data(again.text.utf8)) == first)
            #expect(try await AlertRecord.query(on: app.db).count() == 1)
            // The same key for different content is refused, and nothing is created.
            var changed = fields
            changed["narrative"] = "Something else entirely."
            let conflict = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders, body: AlertFixtures.json(changed))
            #expect(conflict.status == .conflict)
            #expect(conflict.text.contains("idempotencyKey"))
            #expect(try await AlertRecord.query(on: app.db).count() == 1)
            // Without a key, the same content is a second alert with a different receipt.
            var keyless = fields
            keyless["idempotencyKey"] = nil
            let other = try await AlertFixtures.submit(app, keyless)
            #expect(other.receipt != first.receipt)
        }
    }

    /// Alerts waiting together are written in one transaction (group commit), each with its own
    /// answer: consecutive sequence numbers, one history entry and one audit event each, a retry
    /// inside the same batch answered with the first alert, a reused key with other content
    /// refused without sinking the rest.
    @Test func alerts_committed_together_each_get_their_own_result() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let auditBefore = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db)).sequence
            func job(_ narrative: String, key: String?) throws -> IntakeWriter.Job {
                let input = AlertInput(defenderName: "Aline Mbarga", senderIsDefender: false, country: "CM", categories: ["threats"],
                                       narrative: narrative, needs: ["legal"], language: "fr", idempotencyKey: key)
                let draft = try AlertIntake.validate(input, categories: ["threats"], now: app.clock.now(), fallbackLanguage: .fr).get()
                let payload = try AlertIntake.payloadTag(draft, uploads: [], vault: app.vault)
                return IntakeWriter.Job(
                    id: UUID(), draft: draft, uploads: [], origin: .init(channel: .api, audit: .publicSender), owner: nil,
                    payloadTag: payload, idempotencyTag: try key.map { try app.vault.uniqueTag("alert.idempotency", $0) },
                    receiptTag: Data(UUID().uuidString.utf8), passphraseTag: Data(UUID().uuidString.utf8),
                    defenderIndex: nil, organisationIndex: nil)
            }
            let first = try job("First narrative.", key: "batch-key-aaaaaaaaaaaaaaaa")
            let jobs = [first, try job("Second narrative.", key: nil), try job("First narrative.", key: "batch-key-aaaaaaaaaaaaaaaa"),
                        try job("Other content, same key.", key: "batch-key-aaaaaaaaaaaaaaaa"), try job("Third narrative.", key: "batch-key-bbbbbbbbbbbbbbbb")]
            let results = try await IntakeWriter.write(jobs, app: app)
            let outcomes = results.map { try? $0.get() }
            #expect(outcomes[0]?.id == first.id && outcomes[0]?.created == true)
            #expect(outcomes[1]?.created == true && outcomes[4]?.created == true)
            #expect(outcomes[2]?.id == first.id && outcomes[2]?.created == false)
            if case .failure(let error) = results[3] {
                #expect(error as? AlertIntake.SubmitError == .idempotencyConflict)
            } else {
                Issue.record("the reused key with other content was accepted")
            }
            let alerts = try await AlertRecord.query(on: app.db).sort(\.$sequence).all()
            #expect(alerts.map(\.sequence) == [1, 2, 3])
            #expect(Set(try alerts.map { try $0.requireID() }) == Set([jobs[0].id, jobs[1].id, jobs[4].id]))
            #expect(try await AlertEntryRecord.query(on: app.db).count() == 3)
            let head = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))
            #expect(head.sequence == auditBefore + 3)

            // Concurrent submissions through the API: every one answered, none lost or doubled.
            let receipts = try await withThrowingTaskGroup(of: AlertReceipt.self) { group in
                for index in 0..<24 {
                    group.addTask { try await AlertFixtures.submit(app, AlertFixtures.alert(narrative: "Concurrent \(index).", key: "concurrent-key-\(index)-abcdefgh")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(receipts.map(\.receipt)).count == 24)
            let sequences = try await AlertRecord.query(on: app.db).sort(\.$sequence).all().map(\.sequence)
            #expect(sequences == Array(1...27))
            let finalHead = try await AuditLogCheck.verify(on: ProtectionTest.sql(app.db))
            #expect(finalHead.sequence == auditBefore + 27)
        }
    }

    /// Most alerts have no idempotency key, so SQLite's statistics once made the lookup of a
    /// batch's keys read the whole alerts table, once per batch. The lookup must stay a search
    /// per key, with statistics skewed the way real use skews them, and find exactly the keys.
    @Test func looking_up_a_batch_of_idempotency_keys_never_reads_the_whole_table() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            for index in 0..<40 { _ = try await AlertFixtures.submit(app, AlertFixtures.alert(narrative: "Without a key \(index).")) }
            var receipts: [String: String] = [:]
            for index in 0..<3 {
                let key = "lookup-key-\(index)-abcdefghijkl"
                receipts[key] = try await AlertFixtures.submit(app, AlertFixtures.alert(narrative: "With a key \(index).", key: key)).receipt
            }
            let sql = try #require(app.db as? any SQLDatabase)
            let tags = try (0..<40).map { try app.vault.uniqueTag("alert.idempotency", "lookup-key-\($0)-abcdefghijkl") }
            let statement = IntakeState.existingStatement(tags, dialect: sql.dialect.name)
            if sql.dialect.name == "sqlite" {
                try await sql.raw("ANALYZE").run()
                var plan = SQLQueryString("EXPLAIN QUERY PLAN ")
                plan.appendInterpolation(statement)
                let details = try await sql.raw(plan).all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(details.contains { $0.contains("USING INDEX \(IntakeState.idempotencyIndex)") }, "\(details)")
                #expect(!details.contains { $0.hasPrefix("SCAN") }, "\(details)")
                // The index named is the unique one of exactly the idempotency tags, and the only one.
                let columns = try await sql.raw("SELECT name FROM pragma_index_info(\(bind: IntakeState.idempotencyIndex))").all()
                    .map { try $0.decode(column: "name", as: String.self) }
                #expect(columns == ["idempotency_tag"])
                let unique = try await sql.raw("SELECT \"unique\" AS u FROM pragma_index_list('alerts') WHERE name = \(bind: IntakeState.idempotencyIndex)").first()
                #expect(try unique?.decode(column: "u", as: Int.self) == 1)
                let indexes = try await sql.raw("SELECT il.name AS name FROM pragma_index_list('alerts') AS il, pragma_index_info(il.name) AS ii WHERE ii.name = 'idempotency_tag'").all()
                #expect(indexes.count == 1)
            }
            let found = try await sql.raw(statement).all().map { try $0.decode(column: "id", as: UUID.self) }
            var expected: [UUID] = []
            for receipt in receipts.values { expected.append(try await AlertFixtures.alertID(app, receipt: receipt)) }
            #expect(Set(found) == Set(expected) && found.count == 3)
        }
    }

    /// Intake writes its rows with SQLKit statements, not Fluent models: each column must hold
    /// exactly what Fluent writes for the same value (UUIDs, dates, enums, booleans, blobs differ
    /// by dialect), so the alert, its first entry and its audit event are compared with copies
    /// written through the models.
    @Test func intake_rows_hold_the_values_fluent_would_write() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert(key: "columns-key-0123456789", extra: [
                "organisationName": "Collectif", "region": "Littoral", "incidentDate": "2026-01-05", "contact": "+237 600 000",
                "contactChannel": "signal", "consentToContact": true, "senderIsDefender": true]))
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let sql = try #require(app.db as? any SQLDatabase)
            let postgres = sql.dialect.name == "postgresql"
            // On SQLite the rows were written by the direct writer, not through sqlite-kit.
            #expect(postgres || app.directSQLiteWriter?.isStarted == true)
            #expect(id.timeOrderedDate != nil)
            /// Each column as the database holds it: its type and value as text.
            func stored(_ table: String, _ key: String, _ value: any Encodable & Sendable, _ columns: [String]) async throws -> [String: String] {
                let expressions = columns.map { postgres ? "pg_typeof(\($0))::text || ':' || coalesce(\($0)::text, 'NULL') AS \($0)"
                                                         : "typeof(\($0)) || ':' || quote(\($0)) AS \($0)" }
                let row = try #require(try await sql.raw("SELECT \(unsafeRaw: expressions.joined(separator: ", ")) FROM \(ident: table) WHERE \(ident: key) = \(bind: value)").first())
                return try Dictionary(uniqueKeysWithValues: columns.map { ($0, try row.decode(column: $0, as: String.self)) })
            }
            /// The same type and value — dates within a microsecond: the copies are made from dates
            /// read back, and SQLite's `real` seconds do not round-trip the last bits of a `Date`.
            func same(_ a: String?, _ b: String?) -> Bool {
                guard let a, let b else { return a == b }
                if a.hasPrefix("real:"), b.hasPrefix("real:"), let x = Double(a.dropFirst(5)), let y = Double(b.dropFirst(5)) { return abs(x - y) < 1e-6 }
                return a == b
            }

            let alertColumns = ["organisation_id", "year", "payload_tag", "channel", "status", "urgency", "rejection_reason", "country",
                                "categories", "needs", "field_of_work", "sender_is_defender", "consent_to_contact", "contact_channel",
                                "language", "defender_name_ct", "defender_index", "organisation_name_ct", "organisation_index", "region_ct",
                                "incident_date_ct", "narrative_ct", "contact_ct", "recorded_by", "recorded_by_organisation", "assignee_id",
                                "received_at", "triaged_at", "deadline_at", "answered_at", "decided_at", "decision_grounds_ct", "merged_into",
                                "updated_at"]
            let alert = try #require(try await AlertRecord.find(id, on: app.db))
            #expect(alert.organisationID == chain.host.id && alert.contactChannel == .signal && alert.fieldOfWork == .journalism)
            #expect(alert.senderIsDefender && alert.consentToContact && alert.idempotencyTag != nil && alert.recordedBy == nil)
            let copy = AlertRecord()
            copy.id = UUID()
            copy.organisationID = alert.organisationID; copy.year = alert.year; copy.sequence = alert.sequence + 1000
            copy.receiptTag = Data(repeating: 1, count: 32); copy.passphraseTag = alert.passphraseTag
            copy.idempotencyTag = Data(repeating: 2, count: 32); copy.payloadTag = alert.payloadTag
            copy.channel = alert.channel; copy.status = alert.status; copy.country = alert.country
            copy.categoryList = alert.categoryList; copy.needList = alert.needList; copy.fieldOfWork = alert.fieldOfWork
            copy.senderIsDefender = alert.senderIsDefender; copy.consentToContact = alert.consentToContact
            copy.contactChannel = alert.contactChannel; copy.language = alert.language
            copy.defenderNameCiphertext = alert.defenderNameCiphertext; copy.defenderIndex = alert.defenderIndex
            copy.organisationNameCiphertext = alert.organisationNameCiphertext; copy.organisationIndex = alert.organisationIndex
            copy.regionCiphertext = alert.regionCiphertext; copy.incidentDateCiphertext = alert.incidentDateCiphertext
            copy.narrativeCiphertext = alert.narrativeCiphertext; copy.contactCiphertext = alert.contactCiphertext
            copy.recordedBy = alert.recordedBy; copy.recordedByOrganisation = alert.recordedByOrganisation
            copy.receivedAt = alert.receivedAt; copy.deadlineAt = alert.deadlineAt; copy.updatedAt = alert.updatedAt
            try await copy.create(on: app.db)
            let raw = try await stored(AlertRecord.schema, "id", id, alertColumns + ["id", "sequence", "receipt_tag", "idempotency_tag"])
            let fluent = try await stored(AlertRecord.schema, "id", try copy.requireID(), alertColumns + ["id", "sequence", "receipt_tag", "idempotency_tag"])
            for column in alertColumns { #expect(same(raw[column], fluent[column]), "alerts.\(column)") }
            for column in ["id", "sequence", "receipt_tag", "idempotency_tag"] {
                #expect(raw[column]?.split(separator: ":").first == fluent[column]?.split(separator: ":").first, "alerts.\(column) type")
            }
            #expect(try AlertQueries.open(alert, vault: app.vault).contact == "+237 600 000")

            let entry = try #require(try await AlertEntryRecord.query(on: app.db).filter(\.$alertID == id).first())
            #expect(entry.kind == .received && entry.actorID == nil)
            let entryCopy = AlertEntryRecord(alertID: id, organisationID: entry.organisationID, kind: entry.kind, actorID: entry.actorID,
                                             details: AuditEventModel.decode(entry.details), createdAt: entry.createdAt)
            try await entryCopy.create(on: app.db)
            let entryColumns = ["alert_id", "organisation_id", "kind", "actor_id", "body_ct", "details", "created_at"]
            let rawEntry = try await stored(AlertEntryRecord.schema, "id", try entry.requireID(), entryColumns + ["id"])
            let fluentEntry = try await stored(AlertEntryRecord.schema, "id", try entryCopy.requireID(), entryColumns + ["id"])
            for column in entryColumns { #expect(same(rawEntry[column], fluentEntry[column]), "alert_entries.\(column)") }
            #expect(rawEntry["id"]?.split(separator: ":").first == fluentEntry["id"]?.split(separator: ":").first)

            let event = try #require(try await AuditEventModel.query(on: app.db).filter(\.$action == "alert.receive").first())
            let eventSequence = try event.requireID()
            let eventCopy = AuditEventModel(event.stored)
            eventCopy.id = eventSequence + 1_000_000
            try await eventCopy.create(on: app.db)
            let eventColumns = ["occurred_at", "actor", "organisation_id", "action", "object_type", "object_id", "details", "prev_hash", "hash"]
            let rawEvent = try await stored(AuditEventModel.schema, "seq", eventSequence, eventColumns + ["seq"])
            let fluentEvent = try await stored(AuditEventModel.schema, "seq", eventSequence + 1_000_000, eventColumns + ["seq"])
            for column in eventColumns { #expect(same(rawEvent[column], fluentEvent[column]), "audit_events.\(column)") }
            #expect(rawEvent["seq"]?.split(separator: ":").first == fluentEvent["seq"]?.split(separator: ":").first)
            #expect(event.objectID == SiteURL.id(id) && event.actor == "public" && event.organisationID == chain.host.id?.uuidString.lowercased())
        }
    }

    @Test func invalid_alerts_get_a_problem_naming_each_field_and_nothing_is_saved() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let res = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders,
                                         body: AlertFixtures.json(["categories": ["threats", "not_a_category"], "incidentDate": "2026-02-31",
                                                                   "contact": "+237 600", "contactChannel": "signal", "idempotencyKey": "short"]))
            #expect(res.status == .unprocessableEntity)
            #expect(res.headers.first(name: .contentType)?.hasPrefix("application/problem+json") == true)
            let problem = try JSONDecoder().decode(Problem.self, from: Data(res.text.utf8))
            let fields = Set(problem.errors?.map(\.field) ?? [])
            #expect(fields == ["defenderName", "country", "narrative", "categories", "incidentDate", "consentToContact", "idempotencyKey"])
            let badType = try await app.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders, body: #"{"narrative": 12}"#)
            #expect(badType.status == .unprocessableEntity)
            #expect(try await AlertRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func guessing_passphrases_is_throttled_per_receipt() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let wrong = AlertFixtures.json(["receipt": receipt.receipt, "passphrase": "AAAAA-BBBBB-CCCCC-DDDDD"])
            for _ in 0..<5 {
                let res = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders, body: wrong)
                #expect(res.status == .notFound)
            }
            let right = AlertFixtures.json(["receipt": receipt.receipt, "passphrase": receipt.passphrase])
            let throttled = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders, body: right)
            #expect(throttled.status == .tooManyRequests)
            // An unknown receipt answers exactly like a wrong passphrase.
            let unknown = try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders,
                                             body: AlertFixtures.json(["receipt": "EG-AAAA-AAAA", "passphrase": receipt.passphrase]))
            #expect(unknown.status == .notFound)
            app.clock.advance(by: 16 * 60)
            #expect(try await app.send(.POST, "/api/v1/public/alerts/status", headers: AlertFixtures.jsonHeaders, body: right).status == .ok)
        }
    }

    @Test func the_sender_adds_information_that_reaches_the_alert_history() async throws {
        try await withApp { app in
            let chain = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let res = try await app.send(.POST, "/api/v1/public/alerts/updates", headers: AlertFixtures.jsonHeaders,
                                         body: AlertFixtures.json(["receipt": receipt.receipt, "passphrase": receipt.passphrase,
                                                                   "information": "They came back to her house last night."]))
            #expect(res.status == .created)
            let client = TestClient(app)
            try await client.signIn(chain.officer)
            let id = try await AlertFixtures.alertID(app, receipt: receipt.receipt)
            let page = try await client.get(SiteURL.alert(id).href)
            #expect(page.status == .ok)
            #expect(page.text.contains("They came back to her house last night."))
            #expect(page.text.contains("Information added by the sender") || page.text.contains("Information ajoutée"))
        }
    }

    @Test func the_public_form_works_without_an_account_in_both_languages_and_sets_only_the_csrf_cookie() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let addresses = [("/fr/alerte", "fr", "Lancer une alerte"), ("/en/alert", "en", "Raise an alert"), ("/ar/alert", "ar", "أرسل بلاغًا"),
                             ("/alerte", "fr", "Lancer une alerte"), ("/alert", "en", "Raise an alert")]
            for (path, language, heading) in addresses {
                let client = TestClient(app)
                let form = try await client.get(path, headers: ["Accept-Language": language == "fr" ? "en" : "fr"])
                #expect(form.status == .ok)
                // The address decides the language, whatever the browser prefers.
                let direction = language == "ar" ? "rtl" : "ltr"
                #expect(form.text.contains(#"<html lang="\#(language)" dir="\#(direction)">"#) && form.text.contains(heading), "\(path)")
                let cookies = form.headers[.setCookie]
                #expect(cookies.count == 1 && cookies[0].contains("egide-csrf"), "\(cookies)")
                #expect(!cookies[0].lowercased().contains("expires") && !cookies[0].lowercased().contains("max-age"))
                let key = try #require(form.text.range(of: #"name="idempotencyKey" value="([^"]+)""#, options: .regularExpression).map { String(form.text[$0]) })
                let idempotency = String(key.split(separator: "\"")[3])

                let empty = try await client.post(path, [("idempotencyKey", idempotency), ("narrative", "Texte gardé")])
                #expect(empty.status == .unprocessableEntity)
                #expect(empty.text.contains("form-problems") && empty.text.contains("Texte gardé"))

                let sent = try await client.post(path, [("idempotencyKey", idempotency), ("defenderName", "Jean Mukendi"), ("country", "CD"),
                                                        ("categories[]", "threats"), ("categories[]", "surveillance"), ("needs[]", "relocation"),
                                                        ("narrative", "Menaces répétées."), ("senderIsDefender", "no")])
                #expect(sent.status == .created)
                #expect(sent.text.contains(#"id="receipt""#) && sent.text.contains(#"id="passphrase""#))
                // A second press of the button (same form) is the same alert.
                let resent = try await client.post(path, [("idempotencyKey", idempotency), ("defenderName", "Jean Mukendi"), ("country", "CD"),
                                                          ("categories[]", "threats"), ("categories[]", "surveillance"), ("needs[]", "relocation"),
                                                          ("narrative", "Menaces répétées."), ("senderIsDefender", "no")])
                #expect(resent.status == .created)
                #expect(Self.receipt(in: resent.text) == Self.receipt(in: sent.text))
            }
            #expect(try await AlertRecord.query(on: app.db).count() == addresses.count)
            let alert = try #require(try await AlertRecord.query(on: app.db).first())
            #expect(alert.categories == ["surveillance", "threats"] && alert.needs == [.relocation] && alert.channel == .webForm)
        }
    }

    @Test func the_follow_up_page_shows_the_status_and_takes_additions() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let client = TestClient(app)
            _ = try await client.get("/alerte/suivi")
            let wrong = try await client.post("/alerte/suivi", [("receipt", receipt.receipt), ("passphrase", "nope")])
            #expect(wrong.status == .unprocessableEntity && !wrong.text.contains(#"id="status""#))
            let shown = try await client.post("/alerte/suivi", [("receipt", receipt.receipt), ("passphrase", receipt.passphrase.lowercased().replacingOccurrences(of: "-", with: " "))])
            #expect(shown.status == .ok && shown.text.contains(#"id="status""#) && shown.text.contains("Reçue"))
            // The page never shows back what was sent (someone else may hold the codes).
            #expect(!shown.text.contains("She was followed"))
            let added = try await client.post("/alerte/suivi/ajout", [("receipt", receipt.receipt), ("passphrase", receipt.passphrase), ("information", "Nouvelle menace.")])
            #expect(added.status == .ok && added.text.contains(#"id="added""#))
            #expect(try await AlertEntryRecord.query(on: app.db).filter(\.$kind == .senderUpdate).count() == 1)
        }
    }

    @Test func the_arabic_follow_up_page_reads_right_to_left_and_offers_the_other_languages_at_their_own_addresses() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let receipt = try await AlertFixtures.submit(app, AlertFixtures.alert())
            let client = TestClient(app)
            let form = try await client.get("/ar/alert/follow-up", headers: ["Accept-Language": "fr", "Cookie": "egide-lang=en"])
            #expect(form.status == .ok && form.text.contains(#"<html lang="ar" dir="rtl">"#))
            #expect(form.headers.first(name: .contentLanguage) == "ar")
            // The switch leads to the same page in the other languages, not to a cookie.
            #expect(form.text.contains(#"href="/fr/alerte/suivi""#) && form.text.contains(#"href="/en/alert/follow-up""#))
            let shown = try await client.post("/ar/alert/follow-up", [("receipt", receipt.receipt), ("passphrase", receipt.passphrase)])
            #expect(shown.status == .ok && shown.text.contains(#"id="status""#) && shown.text.contains("تم الاستلام"))
            let added = try await client.post("/ar/alert/follow-up/add", [("receipt", receipt.receipt), ("passphrase", receipt.passphrase), ("information", "تهديد جديد.")])
            #expect(added.status == .ok && added.text.contains(#"id="added""#) && added.text.contains(#"dir="rtl""#))
            let entry = try #require(try await AlertEntryRecord.query(on: app.db).filter(\.$kind == .senderUpdate).first())
            #expect(entry.kind == .senderUpdate)
        }
    }

    @Test func uploads_are_checked_by_content_and_images_lose_their_metadata() async throws {
        try await withApp { app in
            _ = try await AlertFixtures.chain(app)
            let client = TestClient(app)
            let form = try await client.get("/alert")
            let token = try #require(client.csrfCookie)
            _ = form
            let png = UploadSamples.pngWithText("GPS 3.848N 11.502E secret-location")
            let boundary = "----egide-test-boundary"
            var body = ""
            for (name, value) in [("_csrf", token), ("defenderName", "Aline"), ("country", "CM"), ("narrative", "Photo attached.")] {
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            let head = "--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"IMG_0001.png\"\r\nContent-Type: image/png\r\n\r\n"
            var data = Data((body + head).utf8)
            data.append(Data(png))
            data.append(Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"notes.exe\"\r\nContent-Type: image/png\r\n\r\nMZ-not-an-image\r\n--\(boundary)--\r\n".utf8))
            var headers: HTTPHeaders = ["Content-Type": "multipart/form-data; boundary=\(boundary)"]
            headers.replaceOrAdd(name: .cookie, value: client.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            let refused = try await app.testing().sendRequest(.POST, "/alert", headers: headers, body: ByteBuffer(data: data))
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.text.contains("only photos"))
            #expect(try await AlertRecord.query(on: app.db).count() == 0)

            var good = Data((body + head).utf8)
            good.append(Data(png))
            good.append(Data("\r\n--\(boundary)--\r\n".utf8))
            let accepted = try await app.testing().sendRequest(.POST, "/alert", headers: headers, body: ByteBuffer(data: good))
            #expect(accepted.status == .created)
            let file = try #require(try await EncryptedFileRecord.query(on: app.db).first())
            let (name, content) = try FileStore.open(file, vault: app.vault)
            #expect(name == "IMG_0001.png" && file.mediaType == "image/png")
            #expect(!String(decoding: content, as: UTF8.self).contains("secret-location"))
            #expect(UploadInspector.kind(of: Array(content)) == .png)
        }
    }

    static func receipt(in html: String) -> String? {
        html.range(of: #"EG-[A-Z2-7]{4}-[A-Z2-7]{4}"#, options: .regularExpression).map { String(html[$0]) }
    }
}

/// Small files for upload tests.
enum UploadSamples {
    /// A 1×1 PNG with a tEXt chunk holding `text`.
    static func pngWithText(_ text: String) -> [UInt8] {
        func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
            let length = UInt32(data.count)
            let typed = Array(type.utf8) + data
            return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
                + typed + crc32(typed)
        }
        let ihdr: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]
        let idat: [UInt8] = [0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr)
            + chunk("tEXt", Array("Comment".utf8) + [0] + Array(text.utf8)) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    /// A minimal JPEG: SOI, an APP1 EXIF segment holding `text`, a COM segment, SOS with data, EOI.
    static func jpegWithExif(_ text: String) -> [UInt8] {
        let exif = Array("Exif".utf8) + [0, 0] + Array(text.utf8)
        let app1 = [0xFF, 0xE1, UInt8((exif.count + 2) >> 8), UInt8((exif.count + 2) & 0xFF)] + exif
        let comment = Array("camera serial 1234".utf8)
        let com = [0xFF, 0xFE, UInt8((comment.count + 2) >> 8), UInt8((comment.count + 2) & 0xFF)] + comment
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        let sos: [UInt8] = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x12, 0x34, 0x56]
        return [0xFF, 0xD8] + app0 + app1 + com + sos + [0xFF, 0xD9]
    }

    static func crc32(_ bytes: [UInt8]) -> [UInt8] {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        crc ^= 0xFFFF_FFFF
        return [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]
    }
}

@Suite struct UploadInspectorTests {
    @Test func jpeg_metadata_segments_are_removed_and_the_image_kept() throws {
        let original = UploadSamples.jpegWithExif("GPSLatitude 3.848 secret-place")
        let (kind, clean) = try UploadInspector.sanitise(original)
        #expect(kind == .jpeg)
        #expect(!String(decoding: clean, as: UTF8.self).contains("secret-place"))
        #expect(!String(decoding: clean, as: UTF8.self).contains("camera serial"))
        #expect(String(decoding: clean, as: UTF8.self).contains("JFIF"))
        #expect(clean.suffix(2) == [0xFF, 0xD9] && clean.contains(0x56))
    }

    @Test func png_text_chunks_are_removed() throws {
        let (kind, clean) = try UploadInspector.sanitise(UploadSamples.pngWithText("secret-place"))
        #expect(kind == .png)
        #expect(!String(decoding: clean, as: UTF8.self).contains("secret-place"))
        #expect(String(decoding: clean, as: UTF8.self).contains("IDAT") && String(decoding: clean, as: UTF8.self).contains("IEND"))
    }

    @Test func other_files_and_broken_images_are_refused() {
        #expect(throws: UploadInspector.Problem.unsupportedType) { try UploadInspector.sanitise(Array("MZ\u{90}executable".utf8)) }
        #expect(throws: UploadInspector.Problem.malformed) { try UploadInspector.sanitise([0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, 0x01]) }
        #expect(UploadInspector.kind(of: Array("%PDF-1.7".utf8)) == .pdf)
    }
}

@Suite struct UploadBodyLimitTests {
    /// Forms are read whole before the CSRF check; only the routes that take files may send 56 MB,
    /// so an anonymous client cannot make any other address buffer a large body.
    /// The limit comes from the route table (`post(_:collecting:)`), not from a list of paths.
    @Test func only_the_upload_routes_accept_large_bodies() async throws {
        try await withApp { app in
            func limit(_ key: String) -> Int? { app.routes.all.first { AccessMatrixTests.key($0) == key }?.declaredBodyLimit }
            #expect(limit("POST /alerte") == 56 * 1024 * 1024 && limit("POST /alert/follow-up/add") == 56 * 1024 * 1024)
            #expect(limit("POST /alerts/:id/comments") == nil)
            #expect(limit("POST /verification/:id/findings") == 56 * 1024 * 1024)
        }
    }

    @Test func a_large_body_to_another_form_is_refused_before_it_is_read() async throws {
        try await withApp { app in
            let big = "comment=" + String(repeating: "a", count: 200_000)
            let res = try await app.testing(method: .running(port: 0)).sendRequest(
                .POST, "/alerts/\(SiteURL.id(UUID()))/comments", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: big))
            #expect(res.status == .payloadTooLarge)
            let upload = try await app.testing(method: .running(port: 0)).sendRequest(
                .POST, "/alert", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: ByteBuffer(string: big))
            #expect(upload.status == .forbidden)  // read whole, then refused for its missing CSRF token
        }
    }
}
