import EgideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// The appeals' mailing list: subscribers (added by communications staff, or the network's own
/// staff), and their unsubscribing with the link every mail carries.
package enum AppealSubscribers {
    package static func emailIndex(_ email: String, vault: Vault) throws -> Int {
        Int(try vault.blindIndex("appeal.subscriber.email", bits: Accounts.emailIndexBits).value(for: Accounts.normaliseEmail(email)))
    }

    static func email(of subscriber: AppealSubscriberRecord, vault: Vault) throws -> String {
        try vault.open(subscriber.emailCiphertext, owner: Accounts.owner(subscriber.organisationID),
                       FieldRef(AppealSubscriberRecord.schema, try subscriber.requireID(), "email"))
    }

    static func name(of subscriber: AppealSubscriberRecord, vault: Vault) throws -> String? {
        try subscriber.nameCiphertext.map {
            try vault.open($0, owner: Accounts.owner(subscriber.organisationID), FieldRef(AppealSubscriberRecord.schema, try subscriber.requireID(), "name"))
        }
    }

    static func token(of subscriber: AppealSubscriberRecord, vault: Vault) throws -> String {
        try vault.open(subscriber.tokenCiphertext, owner: Accounts.owner(subscriber.organisationID),
                       FieldRef(AppealSubscriberRecord.schema, try subscriber.requireID(), "token"))
    }

    /// Adds an address to the organisation's list; `false` when it is already on it (or has
    /// unsubscribed: only they can come back).
    @discardableResult
    package static func add(email: String, name: String?, languages: [AppealLanguage], kind: String = "subscriber", by actor: Actor,
                            app: Application) async throws -> Bool {
        guard AppealPolicy.evaluate(actor, .manageMailing, nil).isAllowed else { throw Abort(.forbidden) }
        let normalised = Accounts.normaliseEmail(email)
        guard Accounts.isPlausibleEmail(normalised), (try? MailAddress(normalised)) != nil else { throw Refusal(key: "appeal.subscriber.invalid") }
        let vault = app.vault, now = app.clock.now()
        return try await app.transaction { db in
            try await lockNamed(AppealWorkflow.sequenceLockKey, on: db)
            let index = try emailIndex(normalised, vault: vault)
            for candidate in try await AppealSubscriberRecord.query(on: db).filter(\.$organisationID == actor.organisationID)
                .filter(\.$emailIndex == index).all() where (try? Self.email(of: candidate, vault: vault)) == normalised {
                return false
            }
            let id = UUID(), owner = Accounts.owner(actor.organisationID)
            let subscriber = AppealSubscriberRecord()
            subscriber.id = id
            subscriber.organisationID = actor.organisationID
            subscriber.emailCiphertext = try vault.seal(normalised, owner: owner, FieldRef(AppealSubscriberRecord.schema, id, "email"))
            subscriber.emailIndex = index
            subscriber.nameCiphertext = try name.map { try vault.seal($0, owner: owner, FieldRef(AppealSubscriberRecord.schema, id, "name")) }
            subscriber.languages = AppealLanguage.allCases.filter(languages.contains).map(\.rawValue).joined(separator: ",")
            subscriber.kind = kind
            let token = Secrets.token()
            subscriber.tokenCiphertext = try vault.seal(token, owner: owner, FieldRef(AppealSubscriberRecord.schema, id, "token"))
            subscriber.tokenHash = Secrets.hash(token)
            subscriber.createdBy = actor.userID
            subscriber.createdAt = now
            try await subscriber.create(on: db)
            try await AuditRecorder.record(.init(actor: .user(actor.userID), organisation: actor.organisationID, action: "appeal.subscriber",
                                                 objectType: "appeal_subscriber", objectID: SiteURL.id(id), details: ["kind": kind]),
                                           at: now, on: db)
            return true
        }
    }

    /// Takes an address off the list (staff), keeping the row so that it is never mailed again.
    package static func remove(_ id: UUID, by actor: Actor, app: Application) async throws {
        guard AppealPolicy.evaluate(actor, .manageMailing, nil).isAllowed else { throw Abort(.forbidden) }
        let now = app.clock.now()
        try await app.transaction { db in
            guard let subscriber = try await AppealSubscriberRecord.query(on: db).filter(\.$id == id)
                .filter(\.$organisationID == actor.organisationID).first() else { throw Abort(.notFound) }
            try await unsubscribe(subscriber, at: now, on: db, audit: .user(actor.userID))
        }
    }

    /// The subscriber an unsubscribe link names, if the token is one.
    static func find(token: String, on db: any Database) async throws -> AppealSubscriberRecord? {
        guard token.count <= 64 else { return nil }
        return try await AppealSubscriberRecord.query(on: db).filter(\.$tokenHash == Secrets.hash(token)).first()
    }

    /// Unsubscribes and cancels what was still waiting to be sent to them.
    static func unsubscribe(_ subscriber: AppealSubscriberRecord, at now: Date, on db: any Database, audit: AuditActor) async throws {
        let id = try subscriber.requireID()
        if subscriber.unsubscribedAt == nil {
            subscriber.unsubscribedAt = now
            try await subscriber.save(on: db)
        }
        try await AppealRecipientRecord.query(on: db).filter(\.$subscriberID == id).filter(\.$state == .pending).set(\.$state, to: .cancelled).update()
        try await AuditRecorder.record(.init(actor: audit, organisation: subscriber.organisationID, action: "appeal.unsubscribe",
                                             objectType: "appeal_subscriber", objectID: SiteURL.id(id), details: [:]), at: now, on: db)
    }
}

/// Sending a published text to the list: one mailing per text, one row per recipient, sent in
/// the background by `AppealMailer`.
package enum AppealMailings {
    /// Queues the mailing of the published `language` version of `appealID` to every subscriber who
    /// reads that language. Needs the defenders' consent to the mailing; refuses a second mailing of
    /// the same text. Returns how many recipients were queued.
    @discardableResult
    package static func send(_ appealID: UUID, _ language: AppealLanguage, by actor: Actor, app: Application) async throws -> Int {
        try await AppealWorkflow.versionChange(appealID, language, action: "appeal.mailing", permission: .manageMailing, by: actor, app: app) {
            appeal, version, db, now in
            if let refusal = try await AppealQueries.channelRefusal(appeal, .mailing, on: db) { throw Refusal(key: refusal) }
            guard let revision = version.publishedRevision else { throw Refusal(key: "appeal.mailing.notOnline") }
            let versionID = try version.requireID()
            let mailing: AppealMailingRecord
            if let existing = try await AppealMailingRecord.query(on: db).filter(\.$versionID == versionID).filter(\.$revision == revision).first() {
                // A mailing cancelled (consent withdrawn, then given again) may be taken up again:
                // what was cancelled waits again; what left never leaves twice.
                guard existing.state == "cancelled" else { throw Refusal(key: "appeal.mailing.alreadySent") }
                existing.state = "sending"
                existing.finishedAt = nil
                try await existing.save(on: db)
                try await AppealRecipientRecord.query(on: db).filter(\.$mailingID == existing.requireID()).filter(\.$state == .cancelled)
                    .set(\.$state, to: .pending).set(\.$nextAttemptAt, to: now).update()
                mailing = existing
            } else {
                mailing = AppealMailingRecord()
                mailing.id = UUID()
                mailing.appealID = appealID
                mailing.versionID = versionID
                mailing.organisationID = appeal.organisationID
                mailing.language = language
                mailing.revision = revision
                mailing.state = "sending"
                mailing.createdBy = actor.userID
                mailing.createdAt = now
                try await mailing.create(on: db)
            }
            let mailingID = try mailing.requireID()
            let already = Set(try await AppealRecipientRecord.query(on: db).filter(\.$mailingID == mailingID).all().map(\.subscriberID))
            var count = 0
            for subscriber in try await AppealSubscriberRecord.query(on: db).filter(\.$organisationID == appeal.organisationID)
                .filter(\.$unsubscribedAt == nil).all() where subscriber.languageList.contains(language) && !already.contains(subscriber.id ?? UUID()) {
                let recipient = AppealRecipientRecord()
                recipient.id = UUID()
                recipient.mailingID = mailingID
                recipient.subscriberID = try subscriber.requireID()
                recipient.state = .pending
                recipient.attempts = 0
                recipient.nextAttemptAt = now
                try await recipient.create(on: db)
                count += 1
            }
            let waiting = try await AppealRecipientRecord.query(on: db).filter(\.$mailingID == mailingID).filter(\.$state == .pending).count()
            if waiting == 0 { mailing.state = "done"; mailing.finishedAt = now; try await mailing.save(on: db) }
            try await AppealWorkflow.eventRecord(appealID, appeal.organisationID, language, "mailing", actor: actor, at: now, on: db)
            return (["revision": String(revision), "recipients": String(waiting)], waiting)
        }
    }

    /// Cancels what has not left yet of the document's mailings (the mailing consent was withdrawn).
    static func cancelPending(_ appealID: UUID, on db: any Database) async throws {
        let mailings = try await AppealMailingRecord.query(on: db).filter(\.$appealID == appealID).all().compactMap(\.id)
        guard !mailings.isEmpty else { return }
        try await AppealRecipientRecord.query(on: db).filter(\.$mailingID ~~ mailings).filter(\.$state == .pending).set(\.$state, to: .cancelled).update()
        try await AppealMailingRecord.query(on: db).filter(\.$appealID == appealID).filter(\.$state == "sending").set(\.$state, to: "cancelled").update()
    }

    /// A mailing's counts by state.
    static func counts(_ mailingID: UUID, on db: any Database) async throws -> [AppealRecipientRecord.State: Int] {
        var counts: [AppealRecipientRecord.State: Int] = [:]
        for recipient in try await AppealRecipientRecord.query(on: db).filter(\.$mailingID == mailingID).all() { counts[recipient.state, default: 0] += 1 }
        return counts
    }
}

/// Sends what is due, in the background (the `appeals.mailings` job; once per instance however
/// many nodes run). Each recipient is claimed in one statement before their message is handed to
/// the server and marked after: a recipient is never sent twice — one left `sending` by a node
/// that stopped is marked `uncertain`, not sent again. Temporary failures are retried with
/// growing delays; a refused address is recorded; the server's text, which may repeat the
/// address, is not kept.
package enum AppealMailer {
    static let batch = 200
    static let retryDelays: [TimeInterval] = [60, 300, 1800, 7200]
    /// A claim older than this was left by a sender that stopped.
    static let lease: TimeInterval = 600

    /// Sends what is due at `now`; the number of messages the server accepted.
    @discardableResult
    package static func run(_ app: Application, now: Date) async throws -> Int {
        guard let mail = app.egideConfig.mail else { return 0 }
        // Claims left by a sender that stopped: possibly sent, so never sent again.
        try await app.transaction { db in
            try await AppealRecipientRecord.query(on: db).filter(\.$state == .sending).filter(\.$claimedAt < now.addingTimeInterval(-lease))
                .set(\.$state, to: .uncertain).update()
        }
        let due = try await AppealRecipientRecord.query(on: app.db).filter(\.$state == .pending).filter(\.$nextAttemptAt <= now)
            .sort(\.$nextAttemptAt).limit(batch).all()
        var connection: SMTPConnection?
        var sent = 0
        var texts: [UUID: MessageText] = [:]
        sending: for recipient in due {
            guard try await claim(recipient, now: now, app: app) else { continue }
            do {
                guard let message = try await message(for: recipient, mail: mail, texts: &texts, app: app) else {
                    try await mark(recipient, .cancelled, code: nil, now: now, app: app)
                    continue
                }
                if connection == nil { connection = try await SMTPConnection.connect(configuration: mail.smtp) }
                _ = try await connection!.send(message)
                try await mark(recipient, .sent, code: nil, now: now, app: app)
                sent += 1
            } catch let error as SMTPError {
                let code = error.replyCode
                if error.isPermanent {
                    try await mark(recipient, .refused, code: code, now: now, app: app)
                } else if case .deliveryUncertain = error {
                    try await mark(recipient, .uncertain, code: code, now: now, app: app)
                } else if recipient.attempts > retryDelays.count {
                    try await mark(recipient, .failed, code: code, now: now, app: app)
                } else {
                    try await retry(recipient, code: code, now: now, app: app)
                }
                // The server or the connection is in trouble (not one address): the rest waits for the next run.
                if case .temporaryFailure = error { continue }
                if !error.isPermanent { break sending }
            } catch MailMessageError.invalidAddress {
                try await mark(recipient, .refused, code: "invalid address", now: now, app: app)
            } catch {
                // Anything else (a key, the database): not sent, tried again later.
                app.logger.warning("appeal mailing: a message could not be prepared; it will be tried again")
                try? await retry(recipient, code: "not prepared", now: now, app: app)
                break sending
            }
        }
        await connection?.close()
        try await finish(app, now: now)
        return sent
    }

    /// Takes `recipient` for sending, if nobody else did: one UPDATE, checked by what it returns.
    static func claim(_ recipient: AppealRecipientRecord, now: Date, app: Application) async throws -> Bool {
        let at = app.clock.now()
        let id = try recipient.requireID()
        let claimed = try await app.transaction { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: AppealRecipientRecord.schema) SET state = 'sending', attempts = attempts + 1, claimed_at = \(bind: at)
                WHERE id = \(bind: id) AND state = 'pending' RETURNING id
                """).all().count == 1
        }
        if claimed { recipient.attempts += 1 }
        return claimed
    }

    static func mark(_ recipient: AppealRecipientRecord, _ state: AppealRecipientRecord.State, code: String?, now: Date, app: Application) async throws {
        let id = try recipient.requireID()
        try await app.transaction { db in
            try await AppealRecipientRecord.query(on: db).filter(\.$id == id).set(\.$state, to: state).set(\.$lastCode, to: code)
                .set(\.$sentAt, to: state == .sent ? now : nil).update()
        }
    }

    static func retry(_ recipient: AppealRecipientRecord, code: String?, now: Date, app: Application) async throws {
        let id = try recipient.requireID()
        let delay = retryDelays[min(max(recipient.attempts - 1, 0), retryDelays.count - 1)]
        try await app.transaction { db in
            try await AppealRecipientRecord.query(on: db).filter(\.$id == id).set(\.$state, to: .pending).set(\.$lastCode, to: code)
                .set(\.$nextAttemptAt, to: now.addingTimeInterval(delay)).update()
        }
    }

    /// Marks as done the mailings with nothing left to send.
    static func finish(_ app: Application, now: Date) async throws {
        try await app.transaction { db in
            for mailing in try await AppealMailingRecord.query(on: db).filter(\.$state == "sending").all() {
                let open = try await AppealRecipientRecord.query(on: db).filter(\.$mailingID == mailing.requireID())
                    .filter(\.$state ~~ [.pending, .sending]).count()
                if open == 0 {
                    mailing.state = "done"
                    mailing.finishedAt = now
                    try await mailing.save(on: db)
                }
            }
        }
    }

    /// What one mailing's messages share: its text rendered once per run.
    struct MessageText {
        var subject: String
        var text: String
        var html: String
        var publicURL: String
        var language: AppealLanguage
    }

    /// The message for one recipient, or `nil` when it must not leave. Checked for each message,
    /// not once per run, so a withdrawn consent, an update or a cancelled mailing stops the very
    /// next one: the mailing cancelled, the text no longer the one online, the consent to the
    /// mailing withdrawn, the subscriber gone.
    static func message(for recipient: AppealRecipientRecord, mail: AppConfig.Mail, texts: inout [UUID: MessageText], app: Application) async throws -> MailMessage? {
        let db = app.db, vault = app.vault
        guard let mailing = try await AppealMailingRecord.find(recipient.mailingID, on: db), mailing.state == "sending",
              let appeal = try await AppealRecord.find(mailing.appealID, on: db), appeal.kind.isPublic, let slug = appeal.slug,
              let version = try await AppealVersionRecord.find(mailing.versionID, on: db), version.publishedRevision == mailing.revision,
              try await AppealQueries.channelRefusal(appeal, .mailing, on: db) == nil,
              let subscriber = try await AppealSubscriberRecord.find(recipient.subscriberID, on: db), subscriber.unsubscribedAt == nil else { return nil }
        // The instance's public address (required with a mail server: AppConfig).
        let base = app.egideConfig.publicBaseURL ?? ""
        if texts[recipient.mailingID] == nil {
            guard let text = try await AppealQueries.text(of: mailing.versionID, revision: mailing.revision, on: db, vault: vault) else { return nil }
            texts[recipient.mailingID] = MessageText(subject: (appeal.reference.map { $0 + " — " } ?? "") + text.title,
                                                     text: MarkdownText.plainText(text.body), html: AppealText.html(text.body),
                                                     publicURL: base + SiteURL.publicAppeal(mailing.language, slug: slug).href, language: mailing.language)
        }
        guard let parts = texts[recipient.mailingID] else { return nil }
        let unsubscribe = base + SiteURL.unsubscribe(token: try AppealSubscribers.token(of: subscriber, vault: vault)).href
        let words = app.catalogue
        let interface = parts.language.interface
        let footerText = "\n\n—\n" + words.text("appeal.mail.online", in: interface, [parts.publicURL]) + "\n"
            + words.text("appeal.mail.unsubscribe", in: interface, [unsubscribe]) + "\n"
        let footerHTML = "<hr><p>" + HTMLEscaping.escape(words.text("appeal.mail.online", in: interface, [""])) + "<a href=\"\(HTMLEscaping.escape(parts.publicURL))\">"
            + HTMLEscaping.escape(parts.publicURL) + "</a></p><p><a href=\"\(HTMLEscaping.escape(unsubscribe))\">"
            + HTMLEscaping.escape(words.text("appeal.mail.unsubscribeLink", in: interface, [])) + "</a></p>"
        let html = "<!DOCTYPE html><html lang=\"\(parts.language.rawValue)\" dir=\"\(parts.language.direction)\"><body>" + parts.html + footerHTML + "</body></html>"
        let domain = URL(string: base)?.host ?? "egide.invalid"
        return try MailMessage(from: mail.from, to: try MailAddress(try AppealSubscribers.email(of: subscriber, vault: vault)), subject: parts.subject,
                               textBody: parts.text + footerText, htmlBody: html,
                               headers: [MailHeader("List-Unsubscribe", "<\(unsubscribe)>"), MailHeader("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")],
                               messageID: "<\(SiteURL.id(try recipient.requireID()))@\(domain)>")
    }
}

extension SMTPError {
    /// The reply code (and enhanced code) of a refusal, for the recipient's row; never the text.
    var replyCode: String? {
        switch self {
        case .recipientRefused(_, let reply), .temporaryFailure(_, let reply), .unexpectedReply(_, let reply):
            return [String(reply.code), reply.enhancedStatusCode].compactMap { $0 }.joined(separator: " ")
        case .authenticationFailed: return "auth"
        case .timeout: return "timeout"
        case .connectionFailed, .tlsFailed, .startTLSUnavailable, .protocolError, .invalidConfiguration: return "connection"
        case .deliveryUncertain: return "no final reply"
        }
    }
}
