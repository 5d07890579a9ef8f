@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// The appeals' mailing end to end, against a real SMTP server (aiosmtpd, `tests/smtp/smtp_sink.py`):
/// each recipient gets exactly one message, a batch cut in the middle resumes without sending
/// anyone twice, a refused address is recorded, and unsubscribing works from the mail's link.
@Suite(.serialized) struct AppealMailingTests {
    /// A published appeal with its defender's consent to the mailing, and `readers` French readers on the list.
    static func published(_ app: Application, _ w: AppealWorld, readers: [String]) async throws -> UUID {
        let id = try await w.draft(app)
        try await w.approve(app, id)
        try await w.consent(app, id, .publicPage)
        try await w.consent(app, id, .mailing)
        try await AppealWorkflow.publish(id, .fr, by: w.comms2, app: app)
        for reader in readers {
            try await AppealSubscribers.add(email: reader, name: nil, languages: [.fr], by: w.comms1, app: app)
        }
        // An English reader: not sent the French version.
        try await AppealSubscribers.add(email: "english.reader@example.org", name: nil, languages: [.en], by: w.comms1, app: app)
        return id
    }

    static func useSink(_ app: Application, _ sink: SMTPSink) throws {
        app.egideConfig.mail = AppConfig.Mail(
            smtp: SMTPConfiguration(host: "127.0.0.1", port: sink.port, security: .plain, commandTimeout: .seconds(15)),
            from: try MailAddress("appels@egide.example", displayName: "Observatoire"))
        app.egideConfig.publicBaseURL = "https://egide.example"
    }

    static func states(_ app: Application) async throws -> [String: AppealRecipientRecord.State] {
        var states: [String: AppealRecipientRecord.State] = [:]
        for recipient in try await AppealRecipientRecord.query(on: app.db).all() {
            let subscriber = try #require(try await AppealSubscriberRecord.find(recipient.subscriberID, on: app.db))
            states[try AppealSubscribers.email(of: subscriber, vault: app.vault)] = recipient.state
        }
        return states
    }

    @Test func every_recipient_receives_exactly_one_message_and_nothing_of_the_case_file() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withApp { app in
            try Self.useSink(app, sink)
            let w = try await AppealWorld.build(app)
            let readers = (1...5).map { "reader\($0)@example.org" }
            let id = try await Self.published(app, w, readers: readers)
            #expect(try await AppealMailings.send(id, .fr, by: w.comms2, app: app) == 5)
            // Never two mailings of one text.
            await #expect(throws: Refusal(key: "appeal.mailing.alreadySent")) { try await AppealMailings.send(id, .fr, by: w.comms1, app: app) }
            // A protection officer does not mail.
            await #expect(throws: Abort.self) { try await AppealMailings.send(id, .fr, by: w.officer, app: app) }
            #expect(try await AppealMailer.run(app, now: app.clock.now()) == 5)
            #expect(try await AppealMailer.run(app, now: app.clock.now().addingTimeInterval(3600)) == 0)
            let messages = try sink.messages()
            #expect(messages.flatMap(\.rcptTos).sorted() == readers)
            let appeal = try #require(try await AppealRecord.find(id, on: app.db))
            for message in messages {
                let raw = try sink.rawMessage(message)
                #expect(message.subject?.hasPrefix(appeal.reference ?? "?") == true)
                #expect(message.text?.contains("L'Observatoire a été informé") == true)
                #expect(message.text?.contains("https://egide.example/fr/appels/\(appeal.slug!)") == true)
                #expect(raw.contains("List-Unsubscribe: <https://egide.example/unsubscribe/"))
                for canary in [AppealWorld.summaryCanary, AppealWorld.contactCanary, w.caseCode] {
                    #expect(!raw.contains(canary) && !(message.text ?? "").contains(canary) && !(message.html ?? "").contains(canary))
                }
            }
            #expect(Set(try await Self.states(app).values) == [.sent])
            let mailing = try #require(try await AppealMailingRecord.query(on: app.db).first())
            #expect(mailing.state == "done")
        }
    }

    @Test func a_batch_cut_in_the_middle_resumes_without_sending_anyone_twice() async throws {
        let sink = try await SMTPSink.start(["--drop-after", "2"])
        defer { sink.stop() }
        try await withApp { app in
            try Self.useSink(app, sink)
            let w = try await AppealWorld.build(app)
            let readers = (1...6).map { "reader\($0)@example.org" }
            let id = try await Self.published(app, w, readers: readers)
            try await AppealMailings.send(id, .fr, by: w.comms2, app: app)
            // A sender that stopped after claiming one recipient: that one may have left, so it is never sent again.
            let stranded = try #require(try await AppealRecipientRecord.query(on: app.db).first())
            try await AppealRecipientRecord.query(on: app.db).filter(\.$id == stranded.requireID()).set(\.$state, to: .sending)
                .set(\.$claimedAt, to: app.clock.now().addingTimeInterval(-3600)).update()
            // The server drops the connection after two messages: the third is not accepted and waits.
            let first = try await AppealMailer.run(app, now: app.clock.now())
            #expect(first == 2)
            #expect(try sink.messages().count == 2)
            let afterCut = try await Self.states(app)
            #expect(afterCut.values.filter { $0 == .pending }.count == 3)
            #expect(afterCut.values.filter { $0 == .uncertain }.count == 1)
            // The next run, after the retry delay, sends the rest.
            let second = try await AppealMailer.run(app, now: app.clock.now().addingTimeInterval(120))
            #expect(second == 3)
            let received = try sink.messages().flatMap(\.rcptTos)
            #expect(received.count == Set(received).count, "someone received the mailing twice: \(received)")
            #expect(received.count == 5)
            let strandedEmail = try AppealSubscribers.email(of: try #require(try await AppealSubscriberRecord.find(stranded.subscriberID, on: app.db)), vault: app.vault)
            #expect(!received.contains(strandedEmail))
            #expect(try await Self.states(app)[strandedEmail] == .uncertain)
        }
    }

    @Test func a_refused_address_is_recorded_and_a_temporary_failure_retried_then_given_up() async throws {
        let sink = try await SMTPSink.start(["--refuse", "refuse", "--tempfail", "later"])
        defer { sink.stop() }
        try await withApp { app in
            try Self.useSink(app, sink)
            let w = try await AppealWorld.build(app)
            let id = try await Self.published(app, w, readers: ["ok@example.org", "refuse-me@example.org", "later@example.org"])
            try await AppealMailings.send(id, .fr, by: w.comms2, app: app)
            var now = app.clock.now()
            #expect(try await AppealMailer.run(app, now: now) == 1)
            var states = try await Self.states(app)
            #expect(states["ok@example.org"] == .sent && states["refuse-me@example.org"] == .refused && states["later@example.org"] == .pending)
            let refused = try #require(try await AppealRecipientRecord.query(on: app.db).filter(\.$state == .refused).first())
            #expect(refused.lastCode == "550 5.1.1")
            // Retried with growing delays, then given up.
            for _ in 0..<8 {
                now = now.addingTimeInterval(3 * 3600)
                try await AppealMailer.run(app, now: now)
            }
            states = try await Self.states(app)
            #expect(states["later@example.org"] == .failed)
            #expect(try sink.messages().flatMap(\.rcptTos) == ["ok@example.org"])
            #expect(try await AppealMailingRecord.query(on: app.db).first()?.state == "done")
        }
    }

    @Test func unsubscribing_from_the_mails_link_stops_what_was_waiting() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await Self.published(app, w, readers: ["leaving@example.org", "staying@example.org"])
            try await AppealMailings.send(id, .fr, by: w.comms2, app: app)
            let leaving = try #require(try await AppealSubscriberRecord.query(on: app.db).all()
                .first { (try? AppealSubscribers.email(of: $0, vault: app.vault)) == "leaving@example.org" })
            let token = try AppealSubscribers.token(of: leaving, vault: app.vault)
            // Following the link asks to confirm (a mail scanner unsubscribes no one).
            let page = try await app.send(.GET, "/unsubscribe/\(token)")
            #expect(page.status == .ok && page.text.contains("<form"))
            #expect(try await AppealSubscriberRecord.find(leaving.requireID(), on: app.db)?.unsubscribedAt == nil)
            // The mail program's one-click post, without a form token.
            let posted = try await app.send(.POST, "/unsubscribe/\(token)", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                            body: "List-Unsubscribe=One-Click")
            #expect(posted.status == .ok)
            #expect(try await AppealSubscriberRecord.find(leaving.requireID(), on: app.db)?.unsubscribedAt != nil)
            let states = try await Self.states(app)
            #expect(states["leaving@example.org"] == .cancelled && states["staying@example.org"] == .pending)
            #expect(try await app.send(.GET, "/unsubscribe/not-a-token").status == .notFound)
            // Staff cannot put them back.
            #expect(try await AppealSubscribers.add(email: "LEAVING@example.org", name: nil, languages: [.fr], by: w.comms1, app: app) == false)
        }
    }

    @Test func a_withdrawn_mailing_consent_cancels_what_has_not_left() async throws {
        try await withApp { app in
            let w = try await AppealWorld.build(app)
            let id = try await Self.published(app, w, readers: ["a@example.org", "b@example.org"])
            try await AppealMailings.send(id, .fr, by: w.comms2, app: app)
            try await w.consent(app, id, .mailing, granted: false)
            #expect(Set(try await Self.states(app).values) == [.cancelled])
            #expect(try await AppealMailingRecord.query(on: app.db).first()?.state == "cancelled")
            // The public page stays: only the mailing consent was withdrawn.
            #expect(try await AppealWorld.version(app, id).publishedRevision != nil)
        }
    }
}
