import EgideCore
import Fluent
import Vapor

/// The public alert form (`/alerte` in French, `/alert` in English), the receipt, and the sender's
/// follow-up with receipt and passphrase. No account, no JavaScript, no cookie but the CSRF one,
/// and nothing about the sender's connection is stored or logged.
enum PublicAlertController {
    /// The form's fields as posted (checkboxes as arrays, yes/no as strings, files).
    struct Posted: Content {
        var defenderName: String?
        var organisationName: String?
        var senderIsDefender: String?
        var country: String?
        var region: String?
        var incidentDate: String?
        var categories: [String]?
        var fieldOfWork: String?
        var narrative: String?
        var needs: [String]?
        var contact: String?
        var contactChannel: String?
        var consentToContact: String?
        var language: String?
        var idempotencyKey: String?
        var files: [File]?

        var input: AlertInput {
            AlertInput(defenderName: defenderName, organisationName: organisationName,
                       senderIsDefender: senderIsDefender.map { $0 == "yes" }, country: country, region: region,
                       incidentDate: incidentDate, categories: categories, fieldOfWork: fieldOfWork, narrative: narrative,
                       needs: needs, contact: contact, contactChannel: contactChannel,
                       consentToContact: consentToContact.map { $0 == "yes" }, language: language,
                       idempotencyKey: idempotencyKey)
        }
    }

    struct Check: Encodable { var value: String; var label: String; var checked: Bool }

    struct FormContext: Encodable {
        var action: String
        var followUpHref: String
        var problems: [FieldProblem]
        var input: AlertInput
        var senderIsDefender: String
        var countries: String
        var categories: [Check]
        var needs: [Check]
        var fieldsOfWork: [SelectOption]
        var contactChannels: [SelectOption]
        var languages: [SelectOption]
        var consent: Bool
        var idempotencyKey: String
        var maxFiles: Int
        var maxFileMB: Int
        /// Staff recording an alert they received: the channel to choose.
        var staff: Bool
        var channels: [SelectOption]
    }

    struct ReceiptContext: Encodable {
        var receipt: String
        var passphrase: String
        var followUpHref: String
    }

    struct FollowUpContext: Encodable {
        var action: String
        var problems: [FieldProblem]
        var receipt: String?
        /// Set once receipt and passphrase matched.
        var status: StatusView?
        var addAction: String
        var passphrase: String?
        var added: Bool
    }

    struct StatusView: Encodable {
        var label: String
        var explanation: String
        var received: String
        var updated: String
    }

    // MARK: Routes

    /// The handlers of one language's public pages (the language comes from the address).
    struct Pages: Sendable {
        let form, submit, followUpForm, followUp, add: @Sendable (Request) async throws -> Response
    }

    static func pages(_ language: Language) -> Pages {
        Pages(form: { try await form($0, language) }, submit: { try await submit($0, language) },
              followUpForm: { try await followUpForm($0, language) }, followUp: { try await followUp($0, language) },
              add: { try await add($0, language) })
    }

    /// The blank form is the same for every visitor but its hidden keys: kept rendered (`SharedPages`).
    static func form(_ request: Request, _ language: Language) async throws -> Response {
        request.pin(language, to: SiteURL.publicAlert)
        return try await request.renderShared(.publicAlert, titleKey: "alert.public.title", forms: true) { formKey in
            try await formContext(request, posted: nil, problems: [], staff: false, channel: nil, formKey: formKey)
        }
    }

    static func renderForm(_ request: Request, posted: Posted?, problems: [FieldProblem], staff: Bool,
                           status: HTTPStatus? = nil, channel: String? = nil) async throws -> Response {
        let context = try await formContext(request, posted: posted, problems: problems, staff: staff, channel: channel,
                                            formKey: Secrets.token(bytes: 18))
        return try await request.render(.publicAlert, titleKey: staff ? "alert.new.title" : "alert.public.title", context,
                                        status: status ?? (problems.isEmpty ? .ok : .unprocessableEntity), forms: true)
    }

    /// The form's content; `formKey` is the idempotency key of a blank form (a resent form keeps its own).
    static func formContext(_ request: Request, posted: Posted?, problems: [FieldProblem], staff: Bool, channel: String?,
                            formKey: String) async throws -> FormContext {
        // What was typed comes back only up to each field's limit (never a 3 MB narrative).
        let input = posted?.input.echoable ?? AlertInput(language: request.language.rawValue)
        let categories = try await AlertQueries.categories(on: request.db)
        let chosen = Set(input.categories ?? [])
        let needs = Set(input.needs ?? [])
        return FormContext(
            action: staff ? SiteURL.alerts.href : SiteURL.publicAlert(request.language).href,
            followUpHref: SiteURL.publicFollowUp(request.language).href,
            problems: problems, input: input, senderIsDefender: TextInput.echo(posted?.senderIsDefender, max: 3) ?? "",
            countries: request.countryOptions(selected: input.country),
            categories: categories.map { Check(value: $0.code, label: $0.label(in: request.language), checked: chosen.contains($0.code)) },
            needs: AlertNeed.allCases.map { Check(value: $0.rawValue, label: request.t($0.labelKey), checked: needs.contains($0.rawValue)) },
            fieldsOfWork: FieldOfWork.allCases.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0.rawValue == input.fieldOfWork) },
            contactChannels: ContactChannel.allCases.filter { $0 != ContactChannel.none }.map {
                SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0.rawValue == input.contactChannel)
            },
            languages: Language.allCases.map { SelectOption(value: $0.rawValue, label: $0.endonym, selected: $0.rawValue == (input.language ?? request.language.rawValue)) },
            consent: input.consentToContact ?? false,
            idempotencyKey: posted?.idempotencyKey.flatMap { $0.count >= 16 && $0.count <= 100 ? $0 : nil } ?? formKey,
            maxFiles: AlertIntake.maximumFiles, maxFileMB: FileStore.maximumSize / (1024 * 1024), staff: staff,
            channels: AlertChannel.staffChannels.map { SelectOption(value: $0.rawValue, label: request.t($0.labelKey), selected: $0.rawValue == channel) })
    }

    static func submit(_ request: Request, _ language: Language) async throws -> Response {
        request.pin(language, to: SiteURL.publicAlert)
        let posted = try request.content.decode(Posted.self)
        let app = request.application
        let categories = try await request.application.alertCategories.codes(on: request.db)
        var problems: AlertIntake.Problems = []
        let uploads = AlertIntake.uploads(posted.files ?? [], problems: &problems)
        let validated = AlertIntake.validate(posted.input, categories: categories, now: app.clock.now(), fallbackLanguage: language)
        if case .failure(let list) = validated { problems = list.items + problems }
        guard problems.isEmpty, case .success(let draft) = validated else {
            return try await renderForm(request, posted: posted, problems: fieldProblems(problems, request), staff: false)
        }
        do {
            let result = try await AlertIntake.submit(draft, uploads: uploads, origin: .init(channel: .webForm, audit: .publicSender), app: app)
            return try await receiptPage(request, result.receipt)
        } catch AlertIntake.SubmitError.idempotencyConflict {
            var fresh = posted
            fresh.idempotencyKey = nil
            return try await renderForm(request, posted: fresh, problems: [FieldProblem(field: "narrative", message: request.t("alert.public.resubmit"))], staff: false)
        } catch AlertIntake.SubmitError.busy {
            return try await renderForm(request, posted: posted, problems: [FieldProblem(field: "narrative", message: request.t("alert.public.busy"))],
                                        staff: false, status: .tooManyRequests)
        } catch AlertIntake.SubmitError.noHost {
            return try await renderForm(request, posted: posted, problems: [FieldProblem(field: "narrative", message: request.t("alert.public.notReady"))],
                                        staff: false, status: .serviceUnavailable)
        }
    }

    static func receiptPage(_ request: Request, _ receipt: AlertReceipt) async throws -> Response {
        let context = ReceiptContext(receipt: receipt.receipt, passphrase: receipt.passphrase,
                                     followUpHref: SiteURL.publicFollowUp(request.language).href)
        return try await request.render(.publicAlertReceipt, titleKey: "alert.receipt.title", context, status: .created)
    }

    static func fieldProblems(_ problems: AlertIntake.Problems, _ request: Request) -> [FieldProblem] {
        problems.map { problem in
            let limit = problem.key == "form.tooLong" ? AlertInput.Limits.max(for: problem.field) : nil
            let message = limit.map { request.t("form.tooLong.max", String($0)) } ?? request.t(problem.key)
            return FieldProblem(field: problem.field, message: request.t("alert.field.\(problem.field)") + " — " + message)
        }
    }

    // MARK: Follow-up

    static func followUpForm(_ request: Request, _ language: Language) async throws -> Response {
        request.pin(language, to: SiteURL.publicFollowUp)
        return try await request.renderShared(.publicFollowUp, titleKey: "alert.followUp.title", forms: true) { _ in
            followUpContext(request, receipt: nil, passphrase: nil, status: nil, problems: [], added: false)
        }
    }

    static func followUpContext(_ request: Request, receipt: String?, passphrase: String?, status: StatusView?,
                                problems: [FieldProblem], added: Bool) -> FollowUpContext {
        FollowUpContext(
            action: SiteURL.publicFollowUp(request.language).href, problems: problems, receipt: receipt, status: status,
            addAction: SiteURL.publicFollowUpAdd(request.language).href, passphrase: status == nil ? nil : passphrase,
            added: added)
    }

    static func renderFollowUp(_ request: Request, receipt: String?, passphrase: String?, status: StatusView?,
                               problems: [FieldProblem], added: Bool = false, code: HTTPStatus? = nil) async throws -> Response {
        let context = followUpContext(request, receipt: receipt, passphrase: passphrase, status: status, problems: problems, added: added)
        return try await request.render(.publicFollowUp, titleKey: "alert.followUp.title", context,
                                        status: code ?? (problems.isEmpty ? .ok : .unprocessableEntity), forms: true)
    }

    struct Credentials: Content {
        var receipt: String?
        var passphrase: String?
        var information: String?
        var files: [File]?
    }

    enum LookUp {
        case success(AlertRecord)
        case failure(Response)
    }

    /// Looks the sender's alert up; on failure renders the form again with one vague message.
    static func lookUp(_ request: Request, _ credentials: Credentials) async throws -> LookUp {
        let receipt = credentials.receipt ?? "", passphrase = credentials.passphrase ?? ""
        guard !receipt.isEmpty, !passphrase.isEmpty, receipt.count <= 40, passphrase.count <= 60 else {
            return .failure(try await renderFollowUp(request, receipt: receipt, passphrase: nil, status: nil,
                                                     problems: [FieldProblem(field: "receipt", message: request.t("alert.followUp.missing"))]))
        }
        switch try await AlertQueries.forSender(receipt: receipt, passphrase: passphrase, app: request.application) {
        case .found(let alert): return .success(alert)
        case .notFound:
            return .failure(try await renderFollowUp(request, receipt: receipt, passphrase: nil, status: nil,
                                                     problems: [FieldProblem(field: "receipt", message: request.t("alert.followUp.unknown"))]))
        case .throttled(let wait):
            return .failure(try await renderFollowUp(request, receipt: receipt, passphrase: nil, status: nil,
                problems: [FieldProblem(field: "receipt", message: request.t("alert.followUp.throttled", Throttle.minutes(wait)))],
                code: .tooManyRequests))
        }
    }

    static func statusView(_ alert: AlertRecord, _ request: Request) -> StatusView {
        let status = alert.status.publicStatus
        return StatusView(label: request.t(status.labelKey),
                          explanation: request.t("alert.publicStatus.\(status.rawValue).explanation"),
                          received: request.day(alert.receivedAt), updated: request.day(alert.updatedAt))
    }

    static func followUp(_ request: Request, _ language: Language) async throws -> Response {
        request.pin(language, to: SiteURL.publicFollowUp)
        let credentials = try request.content.decode(Credentials.self)
        switch try await lookUp(request, credentials) {
        case .failure(let response): return response
        case .success(let alert):
            return try await renderFollowUp(request, receipt: credentials.receipt, passphrase: credentials.passphrase,
                                            status: statusView(alert, request), problems: [])
        }
    }

    static func add(_ request: Request, _ language: Language) async throws -> Response {
        request.pin(language, to: SiteURL.publicFollowUp)
        let credentials = try request.content.decode(Credentials.self)
        switch try await lookUp(request, credentials) {
        case .failure(let response): return response
        case .success(let alert):
            var problems: AlertIntake.Problems = []
            let uploads = AlertIntake.uploads(credentials.files ?? [], problems: &problems)
            let text = credentials.information?.trimmedWhitespace ?? ""
            if text.count > AlertIntake.maximumNarrative { problems.append(("information", "form.tooLong")) }
            if text.isEmpty && uploads.isEmpty && problems.isEmpty { problems.append(("information", "form.required")) }
            guard problems.isEmpty else {
                return try await renderFollowUp(request, receipt: credentials.receipt, passphrase: credentials.passphrase,
                                                status: statusView(alert, request), problems: fieldProblems(problems, request))
            }
            try await AlertWorkflow.addSenderInformation(text.isEmpty ? nil : text, uploads: uploads, to: alert, app: request.application)
            return try await renderFollowUp(request, receipt: credentials.receipt, passphrase: credentials.passphrase,
                                            status: statusView(alert, request), problems: [], added: true)
        }
    }
}
