import EgideCore
import EgideCrypto
import Fluent
import Foundation
import SQLKit
import Vapor

extension AlertInput {
    /// The longest each field may be: what intake accepts, and what a refused form shows again.
    enum Limits {
        static let name = 200, region = 200, narrative = 20_000, contact = 300, date = 10, code = 40
        /// Categories or needs in one alert (each counted once).
        static let choices = 50

        /// The longest text a field of the form takes, to say it when refusing a longer one.
        static func max(for field: String) -> Int? {
            switch field {
            case "defenderName", "organisationName": name
            case "region": region
            case "narrative", "information": narrative
            case "contact": contact
            default: nil
            }
        }
    }

    /// The input as a refused form may show it again: each field cut to its limit, lists to theirs.
    var echoable: AlertInput {
        var copy = self
        copy.defenderName = TextInput.echo(defenderName, max: Limits.name)
        copy.organisationName = TextInput.echo(organisationName, max: Limits.name)
        copy.country = TextInput.echo(country, max: Limits.code)
        copy.region = TextInput.echo(region, max: Limits.region)
        copy.incidentDate = TextInput.echo(incidentDate, max: Limits.date)
        copy.categories = categories.map { Array($0.prefix(Limits.choices)) }
        copy.fieldOfWork = TextInput.echo(fieldOfWork, max: Limits.code)
        copy.narrative = TextInput.echo(narrative, max: Limits.narrative)
        copy.needs = needs.map { Array($0.prefix(Limits.choices)) }
        copy.contact = TextInput.echo(contact, max: Limits.contact)
        copy.contactChannel = TextInput.echo(contactChannel, max: Limits.code)
        copy.language = TextInput.echo(language, max: Limits.code)
        copy.idempotencyKey = TextInput.echo(idempotencyKey, max: 100)
        return copy
    }
}

/// What a sender (or a staff member recording a call) submits — the JSON body of
/// `POST /api/v1/public/alerts` and the fields of the forms, with the same names.
package struct AlertInput: Content, Sendable, Equatable {
    package var defenderName: String?
    package var organisationName: String?
    var senderIsDefender: Bool?
    package var country: String?
    package var region: String?
    package var incidentDate: String?
    package var categories: [String]?
    package var fieldOfWork: String?
    package var narrative: String?
    package var needs: [String]?
    package var contact: String?
    var contactChannel: String?
    var consentToContact: Bool?
    package var language: String?
    var idempotencyKey: String?
    package init(defenderName: String? = nil, organisationName: String? = nil, senderIsDefender: Bool? = nil,
                 country: String? = nil, region: String? = nil, incidentDate: String? = nil, categories: [String]? = nil,
                 fieldOfWork: String? = nil, narrative: String? = nil, needs: [String]? = nil, contact: String? = nil,
                 contactChannel: String? = nil, consentToContact: Bool? = nil, language: String? = nil,
                 idempotencyKey: String? = nil) {
        self.defenderName = defenderName
        self.organisationName = organisationName
        self.senderIsDefender = senderIsDefender
        self.country = country
        self.region = region
        self.incidentDate = incidentDate
        self.categories = categories
        self.fieldOfWork = fieldOfWork
        self.narrative = narrative
        self.needs = needs
        self.contact = contact
        self.contactChannel = contactChannel
        self.consentToContact = consentToContact
        self.language = language
        self.idempotencyKey = idempotencyKey
    }
}

/// An input that passed every check, in the types the record stores.
package struct AlertDraft: Sendable {
    var defenderName: String?
    var organisationName: String?
    var senderIsDefender: Bool
    var country: String
    var region: String?
    var incidentDate: String?
    var categories: [String]
    var fieldOfWork: FieldOfWork?
    var narrative: String
    var needs: [AlertNeed]
    var contact: String?
    var contactChannel: ContactChannel?
    var consentToContact: Bool
    var language: Language
    var idempotencyKey: String?
}

/// A file that came with an alert, already checked and stripped of metadata.
/// A file sent with an alert (the kit's `Upload`).
package typealias AlertUpload = Upload

/// What the sender keeps: the receipt code and the passphrase, shown once.
package struct AlertReceipt: Content, Sendable, Equatable {
    package var receipt: String
    package var passphrase: String
}

/// Intake: validation shared by the public form, the JSON API and the staff form; the receipt and
/// passphrase; the write of the alert with its audit event in one transaction.
package enum AlertIntake {
    /// The problem messages are catalogue keys, per field name.
    typealias Problems = [(field: String, key: String)]

    static let maximumNarrative = Limits.narrative
    static let maximumFiles = 5
    /// Blind-index width for defender and organisation names: sized for ~100 000 alerts, so each
    /// index value is shared by many alerts and the index alone singles out nobody.
    static let nameIndexBits = (try? BlindIndexSizing.bits(forExpectedRecords: 100_000)) ?? 8

    /// Checks `input`; returns the draft, or the problems (one per field) when anything is wrong.
    typealias Limits = AlertInput.Limits

    package static func validate(_ input: AlertInput, categories: Set<String>, now: Date, fallbackLanguage: Language) -> Result<AlertDraft, ProblemList> {
        var problems: Problems = []
        func text(_ value: String?, _ field: String, max: Int, kind: TextInput.Kind = .line) -> String? {
            switch TextInput.clean(value, kind, max: max) {
            case .success(let text): return text
            case .failure(let problem): problems.append((field, TextInput.messageKey(problem))); return nil
            }
        }
        let defender = text(input.defenderName, "defenderName", max: Limits.name, kind: .name)
        let organisation = text(input.organisationName, "organisationName", max: Limits.name, kind: .name)
        if defender == nil && organisation == nil && !problems.contains(where: { $0.field.hasSuffix("Name") }) {
            problems.append(("defenderName", "alert.form.defender.required"))
        }
        let country = text(input.country, "country", max: 2)?.uppercased()
        if country == nil { problems.append(("country", "form.required")) }
        else if !Countries.isValid(country!) { problems.append(("country", "form.country.invalid")) }
        let region = text(input.region, "region", max: Limits.region)
        var incidentDate: String?
        if let raw = text(input.incidentDate, "incidentDate", max: 10) {
            if let date = Day.parse(raw), date <= now.addingTimeInterval(36 * 3600),
               date >= Date(timeIntervalSince1970: 0) {
                incidentDate = raw
            } else {
                problems.append(("incidentDate", "alert.form.date.invalid"))
            }
        }
        // Each category once; more than the taxonomy could hold is refused before anything else looks at them.
        let chosenCategories = TextInput.choices(input.categories, max: Limits.choices)?.sorted() ?? []
        if TextInput.choices(input.categories, max: Limits.choices) == nil || chosenCategories.contains(where: { !categories.contains($0) }) {
            problems.append(("categories", "alert.form.category.invalid"))
        }
        var fieldOfWork: FieldOfWork?
        if let raw = text(input.fieldOfWork, "fieldOfWork", max: 40) {
            fieldOfWork = FieldOfWork(rawValue: raw)
            if fieldOfWork == nil { problems.append(("fieldOfWork", "alert.form.choice.invalid")) }
        }
        let narrative = text(input.narrative, "narrative", max: maximumNarrative, kind: .text)
        if narrative == nil && !problems.contains(where: { $0.field == "narrative" }) { problems.append(("narrative", "form.required")) }
        let sentNeeds = TextInput.choices(input.needs, max: Limits.choices)
        let needs = (sentNeeds ?? []).compactMap(AlertNeed.init(rawValue:))
        if sentNeeds == nil || needs.count != sentNeeds?.count { problems.append(("needs", "alert.form.choice.invalid")) }
        let contact = text(input.contact, "contact", max: Limits.contact, kind: .text)
        var channel: ContactChannel?
        if let raw = text(input.contactChannel, "contactChannel", max: 20) {
            channel = ContactChannel(rawValue: raw)
            if channel == nil { problems.append(("contactChannel", "alert.form.choice.invalid")) }
        }
        if contact != nil, channel == nil || channel == ContactChannel.none, !problems.contains(where: { $0.field == "contactChannel" }) {
            problems.append(("contactChannel", "alert.form.channel.required"))
        }
        let consent = input.consentToContact ?? false
        if contact != nil && !consent { problems.append(("consentToContact", "alert.form.consent.required")) }
        var language = fallbackLanguage
        if let raw = text(input.language, "language", max: 5) {
            if let chosen = Language(rawValue: raw) { language = chosen } else { problems.append(("language", "alert.form.choice.invalid")) }
        }
        var idempotencyKey: String?
        if let raw = input.idempotencyKey {
            let valid = (16...100).contains(raw.count)
                && raw.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || $0 == "-" || $0 == "_" }
            if valid { idempotencyKey = raw } else { problems.append(("idempotencyKey", "alert.form.idempotency.invalid")) }
        }
        guard problems.isEmpty, let country, let narrative else { return .failure(ProblemList(problems)) }
        return .success(AlertDraft(
            defenderName: defender, organisationName: organisation, senderIsDefender: input.senderIsDefender ?? false,
            country: country, region: region, incidentDate: incidentDate, categories: chosenCategories,
            fieldOfWork: fieldOfWork, narrative: narrative, needs: needs.sorted { $0.rawValue < $1.rawValue },
            contact: contact, contactChannel: contact == nil ? nil : channel, consentToContact: consent,
            language: language, idempotencyKey: idempotencyKey))
    }

    /// Reads and checks the files of a multipart form (`Uploads.read`, at most `maximumFiles`).
    static func uploads(_ files: [File], problems: inout Problems) -> [AlertUpload] {
        Uploads.read(files, field: "files", maximumFiles: maximumFiles, problems: &problems)
    }

    // MARK: Receipt and passphrase

    /// Crockford-style groups the sender can copy by hand: the receipt (40 bits, a lookup key, not
    /// a secret) and the passphrase (100 bits). Both are stored only as keyed hashes.
    static func credentials(from material: [UInt8]) -> AlertReceipt {
        let receiptChars = Array(Base32.encode(material.prefix(5)))
        let passChars = Array(Base32.encode(material[5..<20]).prefix(20))
        let receipt = "EG-" + String(receiptChars[0..<4]) + "-" + String(receiptChars[4..<8])
        let passphrase = stride(from: 0, to: 20, by: 5).map { String(passChars[$0..<($0 + 5)]) }.joined(separator: "-")
        return AlertReceipt(receipt: receipt, passphrase: passphrase)
    }

    /// What a typed receipt or passphrase is compared as: upper case, no spaces or dashes, and the
    /// look-alike digits folded (`0`→`O`, `1`→`I`, `8`→`B`): the alphabet has none of them.
    static func normalise(_ typed: String) -> String {
        String(typed.uppercased().compactMap { character -> Character? in
            switch character {
            case " ", "-", "\t", "\n": nil
            case "0": "O"
            case "1": "I"
            case "8": "B"
            default: character
            }
        })
    }

    static func receiptTag(_ receipt: String, vault: Vault) throws -> Data {
        try vault.uniqueTag("alert.receipt", normalise(receipt))
    }

    static func passphraseTag(_ passphrase: String, vault: Vault) throws -> Data {
        try vault.uniqueTag("alert.passphrase", normalise(passphrase))
    }

    /// A keyed fingerprint of everything submitted (files included), so an idempotency key reused
    /// for different content is refused instead of silently answered with another alert's receipt.
    static func payloadTag(_ draft: AlertDraft, uploads: [AlertUpload], vault: Vault) throws -> Data {
        var parts: [String] = [draft.defenderName ?? "", draft.organisationName ?? "", String(draft.senderIsDefender), draft.country,
                               draft.region ?? "", draft.incidentDate ?? "", draft.categories.joined(separator: ","),
                               draft.fieldOfWork?.rawValue ?? "", draft.narrative, draft.needs.map(\.rawValue).joined(separator: ","),
                               draft.contact ?? "", draft.contactChannel?.rawValue ?? "", String(draft.consentToContact)]
        parts += uploads.map { Data(SHA256.hash(data: $0.bytes)).base64EncodedString() }
        return try vault.uniqueTag("alert.payload", parts.map { "\($0.utf8.count):\($0)" }.joined())
    }

    /// 20 bytes the receipt and passphrase are drawn from: derived from the idempotency key and
    /// the content (so a retry gets the same pair back without anything reversible being stored),
    /// or random without a key.
    static func material(idempotencyKey: String?, payloadTag: Data, vault: Vault) throws -> [UInt8] {
        guard let idempotencyKey else {
            var generator = SystemRandomNumberGenerator()
            return (0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        }
        let tag = try vault.uniqueTag("alert.receipt-material", idempotencyKey + ":" + payloadTag.base64EncodedString())
        return Array(tag.prefix(20))
    }

    // MARK: Writing

    /// How an alert came in, for the record and the audit log.
    package struct Origin: Sendable {
        var channel: AlertChannel
        var recordedBy: UUID?
        var recordedByOrganisation: UUID?
        var audit: AuditActor
        package init(channel: AlertChannel, recordedBy: UUID? = nil, recordedByOrganisation: UUID? = nil, audit: AuditActor) {
            self.channel = channel
            self.recordedBy = recordedBy
            self.recordedByOrganisation = recordedByOrganisation
            self.audit = audit
        }
    }

    enum SubmitError: Error {
        /// The idempotency key was used before for a different alert.
        case idempotencyConflict
        /// No organisation runs the protection mechanism yet (the instance is not set up).
        case noHost
        /// The instance took its cap of public alerts in the last minute
        /// (`EGIDE_PUBLIC_ALERTS_PER_MINUTE`, counted over every node); nothing was saved.
        case busy
    }

    /// Stores the alert, its files, the first history entry and the audit event, and returns the
    /// receipt only once the transaction holding them has committed. Concurrent submissions are
    /// committed together (`IntakeWriter`): one transaction and one disk flush for all the alerts
    /// waiting at that moment, each answered after that commit.
    package static func submit(_ draft: AlertDraft, uploads: [AlertUpload], origin: Origin, owner organisation: UUID? = nil,
                       app: Application) async throws -> (receipt: AlertReceipt, alertID: UUID, created: Bool) {
        let vault = app.vault
        let payload = try payloadTag(draft, uploads: uploads, vault: vault)
        let credentials = credentials(from: try material(idempotencyKey: draft.idempotencyKey, payloadTag: payload, vault: vault))
        let job = IntakeWriter.Job(
            // Time-ordered: alerts arrive in bursts, and an id in order is appended to the indexes
            // keyed by it (the alert's, its entries', its audit events') instead of landing on a
            // random page of each. Only staff see an alert's id, next to its reception time.
            id: UUID.timeOrdered(at: app.clock.now()), draft: draft, uploads: uploads, origin: origin, owner: organisation, payloadTag: payload,
            idempotencyTag: try draft.idempotencyKey.map { try vault.uniqueTag("alert.idempotency", $0) },
            receiptTag: try receiptTag(credentials.receipt, vault: vault),
            passphraseTag: try passphraseTag(credentials.passphrase, vault: vault),
            defenderIndex: try draft.defenderName.map { try AlertQueries.nameIndex($0, vault: vault) },
            organisationIndex: try draft.organisationName.map { try AlertQueries.nameIndex($0, vault: vault) })
        let outcome = try await app.intakeWriter.submit(job, app: app)
        return (credentials, outcome.id, outcome.created)
    }
}

/// Problems of a submitted alert, by field (catalogue keys).
package struct ProblemList: Error, Sendable {
    package var items: [(field: String, key: String)]
    init(_ items: [(field: String, key: String)]) { self.items = items }
}
