@testable import App
import EgideCore
import Testing
import Vapor

/// Every template renders with a sample context in every language, with no tag left unrendered.
@Suite struct TemplateRenderingTests {
    static func render(_ template: Template, _ req: Request) async throws -> Response {
        let problems = [FieldProblem(field: "email", message: "sample problem")]
        let options = [SelectOption(value: "CM", label: "Cameroun", selected: true)]
        let role = UsersController.RoleOption(value: "verifier", label: "Verifier", checked: true)
        let alertRow = AlertQueuePage.Row(href: "/alerts/x", reference: "AL-2026-0001", name: "N", country: "Cameroun", urgency: "P1",
                                            urgencyTone: "danger", status: "Received", deadline: "d", deadlineState: "Overdue",
                                            deadlineTone: "danger", assignee: "A", received: "r")
        let verificationRow = VerificationPage.Row(href: "/verification/x", reference: "AL-2026-0001", country: "Cameroun",
                                                         urgency: "P1", asked: "a", state: "S", tone: "warn")
        let userRow = UsersController.Row(href: "/admin/users/x", name: "N", email: "e@example.org", organisation: "O",
                                          roles: "Verifier", status: "Active", tone: "ok")
        switch template {
        case .home: return try await req.render(.home, titleKey: "home.title", HomeController.Context())
        case .error: return try await req.render(.error, titleKey: "error.404.title", ErrorPageContext(status: .notFound, detail: "sample"))
        case .setup:
            return try await req.render(.setup, titleKey: "setup.title", SetupController.Context(
                action: "/setup/x", problems: problems, organisationName: "O", slug: "o", countries: CountryOptions.html(in: .fr, selected: "CM"), name: "N", email: "e@example.org"), forms: true)
        case .signIn:
            return try await req.render(.signIn, titleKey: "signIn.title", SignInController.Context(action: "/sign-in", email: "e", error: "sample"), forms: true)
        case .signInCode:
            return try await req.render(.signInCode, titleKey: "signIn.code.title", CodeController.Context(action: "/sign-in/code", error: "sample"), forms: true)
        case .enrol:
            return try await req.render(.enrol, titleKey: "enrol.title", EnrolController.Context(
                action: "/account/two-factor", qrDataURI: "data:image/svg+xml;base64,AA==", secret: "ABCD", uri: "otpauth://totp/x", error: "sample"), forms: true)
        case .recoveryCodes:
            return try await req.render(.recoveryCodes, titleKey: "enrol.codes.title", EnrolController.CodesContext(codes: ["aaaa-bbbb"], continueHref: "/"))
        case .invitation:
            return try await req.render(.invitation, titleKey: "invitation.title", InvitationController.Context(
                action: "/invitation/x", organisation: "O", email: "e@example.org", name: "N", problems: problems), forms: true)
        case .sealed:
            return try await req.render(.sealed, titleKey: "sealed.title", UnsealController.SealedContext(unsealHref: "/unseal"))
        case .unseal:
            return try await req.render(.unseal, titleKey: "unseal.title", UnsealController.Context(action: "/unseal", error: "sample"), forms: true)
        case .adminAudit:
            return try await req.render(.adminAudit, titleKey: "audit.title", AuditTrailPage.Context(
                rows: [.init(seq: 1, time: "t", actor: "System", action: "Account created", code: "user.create", object: "Account X",
                             objectHref: "/admin/users/x", details: "roles=verifier"),
                       .init(seq: 2, time: "t", actor: "A", action: "Alert read", code: "alert.read", object: "Alert AL-2026-0001",
                             objectHref: nil, details: "")],
                actions: options, organisations: options, actors: options, from: "2026-01-01", to: nil, problems: problems,
                chainMessage: "ok", chainBroken: false, olderHref: "/o", newestHref: "/n", formAction: "/admin/audit"))
        case .adminOrganisations:
            return try await req.render(.adminOrganisations, titleKey: "admin.organisations.title", OrganisationsController.ListContext(
                rows: [.init(href: "/x", name: "O", slug: "o", type: "Partner", country: "Cameroun", users: 2)], canCreate: true, newHref: "/n"))
        case .adminOrganisation:
            return try await req.render(.adminOrganisation, titleKey: "admin.organisation.title", OrganisationsController.ShowContext(
                name: "O", slug: "o", type: "Partner", country: "Cameroun", users: [userRow], canEdit: true, editHref: "/e", inviteHref: "/i", created: true))
        case .adminOrganisationForm:
            return try await req.render(.adminOrganisationForm, titleKey: "admin.organisation.title", OrganisationsController.FormContext(
                action: "/a", heading: "H", problems: problems, name: "O", slug: "o", slugLocked: false, types: options, countries: CountryOptions.html(in: .fr, selected: "CM")), forms: true)
        case .adminUsers:
            return try await req.render(.adminUsers, titleKey: "admin.users.title", UsersController.ListContext(rows: [userRow], inviteHref: "/i"))
        case .adminUser:
            return try await req.render(.adminUser, titleKey: "admin.user.title", UsersController.ShowContext(
                id: "x", name: "N", email: "e", organisation: "O", organisationHref: "/o", status: "Active", tone: "ok", roles: [role],
                rolesAction: "/r", actionBase: "/u", canChangeRoles: true, canDisable: true, canEnable: true, canResetTwoFactor: true,
                canReinvite: true, canChangePermissions: true, permissions: [role], permissionsAction: "/p",
                invitationLink: "http://x/invitation/y", notice: "sample", problems: problems), forms: true)
        case .adminInvite:
            return try await req.render(.adminInvite, titleKey: "admin.invite.title", InviteController.Context(
                action: "/i", problems: problems, organisations: options, email: "e", roles: [role]), forms: true)
        case .account:
            return try await req.render(.account, titleKey: "account.title", AccountController.Context(
                name: "N", email: "e", organisation: "O", roles: "R", links: [], resetAction: "/r", error: "sample"), forms: true)
        case .accountPassword:
            return try await req.render(.accountPassword, titleKey: "account.password.title", PasswordController.Context(action: "/p", problems: problems, done: true), forms: true)
        case .accountSessions:
            return try await req.render(.accountSessions, titleKey: "account.sessions.title", SessionsController.Context(
                rows: [.init(started: "s", lastSeen: "l", current: true, endAction: "/e")]), forms: true)
        case .accountTokens:
            return try await req.render(.accountTokens, titleKey: "account.tokens.title", TokensController.Context(
                rows: [.init(name: "n", scopes: "account:read", created: "c", expires: "e", lastUsed: nil, revokeAction: "/r")],
                action: "/t", scopes: [role], problems: problems, newToken: "egide_x"), forms: true)
        case .publicAlert:
            let check = PublicAlertController.Check(value: "threats", label: "Threats", checked: true)
            return try await req.render(.publicAlert, titleKey: "alert.public.title", PublicAlertController.FormContext(
                action: "/alert", followUpHref: "/alert/follow-up", problems: problems,
                input: AlertInput(defenderName: "D", country: "CM", categories: ["threats"], narrative: "N"), senderIsDefender: "yes",
                countries: CountryOptions.html(in: .fr, selected: "CM"), categories: [check], needs: [check], fieldsOfWork: options, contactChannels: options, languages: options,
                consent: true, idempotencyKey: "k", maxFiles: 5, maxFileMB: 10, staff: true, channels: options), forms: true)
        case .publicAlertReceipt:
            return try await req.render(.publicAlertReceipt, titleKey: "alert.receipt.title", PublicAlertController.ReceiptContext(
                receipt: "EG-AAAA-BBBB", passphrase: "AAAAA-BBBBB-CCCCC-DDDDD", followUpHref: "/alert/follow-up"))
        case .publicFollowUp:
            return try await req.render(.publicFollowUp, titleKey: "alert.followUp.title", PublicAlertController.FollowUpContext(
                action: "/f", problems: problems, receipt: "EG-AAAA-BBBB",
                status: .init(label: "Received", explanation: "E", received: "r", updated: "u"),
                addAction: "/a", passphrase: "p", added: true), forms: true)
        case .alertQueue:
            return try await req.render(.alertQueue, titleKey: "alert.queue.title", AlertQueuePage.QueueContext(
                rowsHTML: AlertQueuePage.html([alertRow], labels: .init(req)), hasRows: true, total: 1, statuses: SelectOptions(options), urgencies: SelectOptions(options), countries: CountryOptions.html(in: .fr, selected: "CM"), categories: SelectOptions(options), assignees: SelectOptions(options),
                overdue: true, newHref: "/alerts/new", olderHref: "/o", newerHref: "/n"))
        case .alertShow:
            let fact = Fact(label: "L", value: "V")
            let file = AlertPage.FileLink(href: "/f", name: "photo.jpg", size: "1 KB", source: "sender")
            return try await req.render(.alertShow, titleKey: "alert.show.title", AlertPage.ShowContext(
                id: "x", reference: "AL-2026-0001", name: "N", status: "Received", urgency: "P1", urgencyTone: "danger",
                deadline: "d", deadlineState: "Overdue", deadlineTone: "danger", recorded: true, problems: problems, facts: [fact], contact: [fact],
                narrative: "N", files: [file], mergedInto: "AL-2026-0002", mergedIntoHref: "/m",
                duplicates: [.init(href: "/d", reference: "AL-2026-0003", name: "N", status: "S", score: "90 %", mergeAction: "/m")],
                requests: [.init(verifier: "V", organisation: "O", state: "S", tone: "warn", asked: "a")],
                findings: [.init(verifier: "V", organisation: "O", grade: "B2", reliability: "R", credibility: "C", notes: "N", when: "w", files: [file])],
                proposal: "P", proposesVerified: true, decisionGrounds: "G", timeline: [.init(when: "w", who: "W", what: "X", body: "B")],
                urgencies: options, assignees: options, verifiers: options, decisions: options,
                actions: .init(triage: "/t", assign: "/a", comment: "/c", verification: "/v", decision: "/d", merge: "/m"),
                isOpen: true, caseActions: .init(open: "/cases/new?alert=x", attach: "/alerts/x/case"), caseHref: "/cases/x"), forms: true)
        case .attention:
            return try await req.render(.attention, titleKey: "attention.title", AttentionPage.Context(lists: [
                WorkList(id: "alerts", heading: "H", items: [WorkItem(href: "/alerts/x", code: "AL-2026-0001", title: "T",
                                                                      reasons: [Badge(label: "P1", tone: "danger")], due: "d",
                                                                      rank: .init(severity: 0, date: Date()))],
                         limit: 0, moreHref: "/alerts", moreLabel: "M"),
                WorkList(id: "casework", heading: "H", items: []),
            ], clear: false))
        case .verificationList:
            return try await req.render(.verificationList, titleKey: "verification.list.title",
                                        VerificationPage.ListContext(pending: [verificationRow], done: [verificationRow]))
        case .verificationShow:
            return try await req.render(.verificationShow, titleKey: "verification.show.title", VerificationPage.ShowContext(
                reference: "AL-2026-0001", state: "S", pending: true, problems: problems, message: "M", askedBy: "A", asked: "a",
                facts: [.init(label: "L", value: "V")], defenderName: "D", organisationName: "O", narrative: "N",
                reliabilities: options, credibilities: options, notes: "n", action: "/f", declineAction: "/d", maxFiles: 5), forms: true)
        case .alertSettings:
            return try await req.render(.alertSettings, titleKey: "alert.settings.title", AlertSettingsController.Context(
                problems: problems, saved: true, hours: [.init(name: "p1", label: "P1", value: 24)], independent: 2,
                credibilities: options, reliabilities: options,
                categories: [.init(code: "threats", labelEN: "Threats", labelFR: "Menaces", labelAR: "تهديدات", active: true, action: "/c")],
                action: "/s", categoryAction: "/c"), forms: true)
        case .caseList:
            return try await req.render(.caseList, titleKey: "case.list.title", CaseListPage.ListContext(
                rowsHTML: CaseListPage.html([.init(href: "/cases/x", code: "CMR-2026-0001", country: "Cameroun", status: "Open", statusTone: "ok",
                                                   risk: "High", riskTone: "danger", lead: "L", review: "d", reviewDue: true, updated: "u")],
                                            labels: .init(req)),
                hasRows: true, total: 1, query: "q", statuses: options, countries: CountryOptions.html(in: .fr, selected: "CM"), levels: options, mine: true, canOpen: true, newHref: "/cases/new",
                olderHref: "/o", newerHref: "/n", searched: true, totalCapped: false, filterProblem: "unknown"))
        case .caseNew:
            return try await req.render(.caseNew, titleKey: "case.new.title", CasesController.NewContext(
                problems: problems, action: "/cases", alertID: "x", alertReference: "AL-2026-0001", countries: CountryOptions.html(in: .fr, selected: "CM"), fieldsOfWork: options,
                region: "R", summary: "S", defenderName: "D", defenderIsOrganisation: true, cancelHref: "/cases"), forms: true)
        case .caseShow:
            typealias F = CaseFilePage
            let item = F.ItemView(id: "i", title: "T", state: "S", stateCode: "planned", tone: "warn", meta: "M", body: "B", extra: "E",
                                  action: "/a", isOpen: true, options: options)
            let assessment = F.AssessmentView(
                version: 1, when: "w", who: "W", trigger: "T", computed: "High", computedTone: "danger", judged: "Critical", judgedTone: "danger",
                differs: true, score: "12.0", working: "T × V ÷ C", justification: "J", nextReview: "n",
                threats: [.init(actor: "Police", space: "Offline", description: "D", likelihood: 4, impact: 5, score: 20)],
                vulnerabilities: [.init(description: "V", weight: 3)], capacities: [.init(description: "C", weight: 2)])
            let all = ["people", "assess", "measures", "planReviews", "support", "referrals", "followUps", "notes", "reviews", "status", "close",
                       "impact", "reopen", "team", "grants", "access"]
            return try await req.render(.caseShow, titleKey: "case.show.title", F.ShowContext(
                id: "x", code: "CMR-2026-0001", status: "Open", statusCode: "open", isOpen: true, limited: false, opened: true, problems: problems,
                summary: "S", facts: [.init(label: "L", value: "V")], closure: "C",
                people: [.init(id: "p", name: "N", role: "Defender", roleCode: "defender", isOrganisation: false, facts: [.init(label: "L", value: "V")],
                               sensitive: [.init(label: "L", value: "V")], consent: "c", action: "/p", aliases: "a", dateOfBirth: "d", contacts: "c",
                               address: "a", hasConsent: true)],
                chart: .init(computed: "60,100 300,60", judged: "60,100 300,20", computedPoints: [.init(x: 60, y: 100, label: "High")],
                             judgedPoints: [.init(x: 60, y: 100, label: "High")], gridLines: [.init(x: 0, y: 180, label: "Low")], gridFrom: 92, gridTo: 412, labelX: 86, span: "f → l",
                             description: "D"),
                latest: assessment, assessments: [assessment], reviewDue: true,
                plan: [.init(stage: "Prevention", measures: [item])], planReviews: [item], support: [item], referrals: [item], followUps: [item],
                reviews: [item], impacts: [item], timeline: [.init(when: "w", who: "W", what: "X")],
                panels: [CasePanel(id: "grants", heading: "Grants", rows: [.init(href: "/grants/x", code: "GR-2026-0001", title: "T", state: "S", tone: "ok")],
                                   empty: "none", actionHref: "/grants/new?case=x", actionLabel: "Request")],
                can: .init(edit: true, assess: true, plan: true, support: true, refer: true, followUp: true, note: true, review: true, close: true,
                           reopen: true, team: true, accessLog: true, sensitive: true),
                options: .init(roles: options, stages: options, domains: options, owners: options, staff: options, supportTypes: options,
                               providers: options, currencies: options, partners: options, shares: options, reviewKinds: options, outcomes: options,
                               statuses: options, questions: options, answers: options, moments: options, team: options, grants: options),
                actions: Dictionary(uniqueKeysWithValues: all.map { ($0, "/cases/x/\($0)") })), forms: true)
        case .caseAssessment:
            return try await req.render(.caseAssessment, titleKey: "case.assessment.title", AssessmentController.FormContext(
                code: "CMR-2026-0001", caseHref: "/cases/x", action: "/cases/x/assessments", problems: problems,
                threats: [.init(index: 0, number: 1, actors: options, spaces: options, description: "D", likelihood: options, impact: options)],
                vulnerabilities: [.init(index: 0, number: 1, description: "V", weights: options)],
                capacities: [.init(index: 0, number: 1, description: "C", weights: options)],
                levels: options, triggers: options, justification: "J", nextReview: "2026-12-01", previous: "High"), forms: true)
        case .caseAccess:
            return try await req.render(.caseAccess, titleKey: "case.access.title", CasesController.AccessContext(
                code: "CMR-2026-0001", caseHref: "/cases/x", rows: [.init(who: "W", organisation: "O", what: "X", when: "w")]))
        case .referralList:
            return try await req.render(.referralList, titleKey: "case.referrals.title", ReferralsController.ListContext(
                rows: [.init(href: "/referrals/x", code: "CMR-2026-0001", country: "Cameroun", state: "S", tone: "warn", when: "w")]))
        case .referralShow:
            return try await req.render(.referralShow, titleKey: "case.referral.title", ReferralsController.ShowContext(
                code: "CMR-2026-0001", country: "Cameroun", from: "Host", when: "w", state: "S", stateCode: "proposed", message: "M", summary: "S",
                riskLevel: "High", people: ["N"], contacts: ["C"], plan: ["P"], response: "R", report: "R", problems: problems, canAnswer: true,
                canReport: true, action: "/referrals/x/answer"), forms: true)
        case .fundList:
            return try await req.render(.fundList, titleKey: "fund.list.title", FundListPage.Context(
                rows: [.init(href: "/funds/x", name: "EU", donor: "D", period: "p", received: "r", committed: "c", disbursed: "d", available: "a", owned: true)],
                canCreate: true, newHref: "/funds/new", ratesHref: "/funds/rates", grantsHref: "/grants"))
        case .fundNew:
            return try await req.render(.fundNew, titleKey: "fund.new.title", FundsController.NewContext(
                problems: problems, action: "/funds", values: ["name": "N"], currencies: options, categories: options, managers: options, cancelHref: "/funds"),
                forms: true)
        case .fundShow:
            return try await req.render(.fundShow, titleKey: "fund.show.title", FundsController.ShowContext(
                facts: [.init(label: "L", value: "V")], categories: ["C"], criteria: "C", statement: Self.statement, sources: options,
                organisations: options, allocateAction: "/funds/x/allocations", asOfAction: "/funds/x", grantsHref: "/grants", problems: problems,
                values: ["amount": "1"]), forms: true)
        case .fundStatement:
            return try await req.render(.fundStatement, titleKey: "fund.statement.title", FundsController.StatementPage(statement: Self.statement))
        case .fundRates:
            return try await req.render(.fundRates, titleKey: "fund.rates.title", FundsController.RatesContext(
                rows: [.init(pair: "EUR/XAF", rate: "655.957", on: "2026-01-01", by: "B")], currencies: options, paymentCurrencies: options,
                action: "/funds/rates", canRecord: true, today: "2026-01-01", problems: problems, values: [:]), forms: true)
        case .grantList:
            return try await req.render(.grantList, titleKey: "grant.list.title", GrantListPage.Context(
                rowsHTML: GrantListPage.html([.init(href: "/grants/x", code: "GR-2026-0001", fund: "F", organisation: "O", category: "C", amount: "a",
                                                    state: "S", stateTone: "ok", caseCode: "CMR-2026-0001", updated: "u")], labels: .init(req)),
                hasRows: true,
                states: SelectOptions(options), funds: SelectOptions(options), olderHref: "/grants?page=1", newerHref: nil, requestOptions: SelectOptions(options), canRequest: true, newHref: "/grants/new"))
        case .grantShow:
            var can = GrantPage.Can()
            can.edit = true; can.submit = true; can.withdraw = true; can.screen = true; can.ask = true; can.reject = true; can.approve = true
            can.cancel = true; can.disburse = true; can.complete = true; can.requestReport = true; can.report = true; can.close = true
            return try await req.render(.grantShow, titleKey: "grant.show.title", GrantPage.Context(
                code: "GR-2026-0001", state: "S", stateTone: "warn", facts: [.init(label: "L", value: "V")], beneficiary: "B", justification: "J",
                measures: ["M"], hostOrganisation: "H", lines: [.init(label: "L", amount: "a")],
                approvals: [.init(who: "W", organisation: "O", authority: "A", when: "w")], waitingFor: "O", approveBlocked: nil,
                duplicates: .init(shown: [.init(code: "GR-2026-0002", href: "/grants/y", name: "N", similarity: 93, state: "S", whose: "O")], hidden: 1, hiddenText: "H", found: true), duplicateChecked: true,
                tranches: [.init(number: 1, method: "Cash", paid: "p", rate: "r", value: "v", paidOn: "d", by: "B")],
                entries: [.init(when: "w", who: "W", what: "X", note: "N", fileHref: "/grants/x/files/y")], can: can,
                actions: Dictionary(uniqueKeysWithValues: GrantForm.allCases.map { (String(describing: $0), "/grants/x/\($0.rawValue)") }),
                currencies: options, methods: options, fundCurrency: "EUR", suggestedRate: "655.957", today: "2026-01-01", remaining: "r",
                paymentsOpen: true, problems: problems), forms: true)
        case .grantForm:
            return try await req.render(.grantForm, titleKey: "grant.new.title", GrantsController.FormContext(
                problems: problems, action: "/grants", editing: false, caseCode: "CMR-2026-0001", caseID: "x", allocations: options, categories: options,
                countries: CountryOptions.html(in: .fr, selected: "CM"), measures: options, values: ["beneficiary": "B"], lines: [.init(label: "L", amount: "1")], cancelHref: "/grants",
                currencyHint: "EUR"), forms: true)
        case .appealList:
            return try await req.render(.appealList, titleKey: "appeal.list.title", AppealListPage.Context(
                rowsHTML: AppealListPage.html([.init(href: "/appeals/x", reference: "TUN 003 / 0725 / OBS 045", title: "T", kind: "K", country: "C",
                                                     versions: [Badge(label: "FR · Published", tone: "ok")], followUpOf: "TUN 001 / 0125 / OBS 001",
                                                     updated: "u")], labels: .init(req)),
                hasRows: true,
                states: SelectOptions(options), kinds: SelectOptions(options), newHref: "/appeals/new", settingsHref: "/appeals/settings", subscribersHref: "/appeals/subscribers", olderHref: "/appeals?page=1", newerHref: nil))
        case .appealShow:
            return try await req.render(.appealShow, titleKey: "appeal.show.title", Self.appealPage(problems), forms: true)
        case .appealForm:
            return try await req.render(.appealForm, titleKey: "appeal.new.title", AppealFormPage.Context(
                problems: problems, action: "/appeals", templateAction: "/appeals/new", kinds: options, languages: options,
                countries: CountryOptions.html(in: .fr, selected: "TN"), countryFixed: "Tunisie", themes: options, followUpKinds: options,
                caseCode: "TUN-2026-0001", caseID: "x", parentReference: "TUN 003 / 0725 / OBS 045", parentID: "y",
                values: ["title": "T", "body": "B"], dir: "ltr", cancelHref: "/appeals"), forms: true)
        case .appealEditor:
            return try await req.render(.appealEditor, titleKey: "appeal.edit.title", AppealFormPage.EditorContext(
                problems: problems, action: "/appeals/x/edit", reference: "R", language: "ar", languageName: "العربية", dir: "rtl", state: "S",
                values: ["title": "T", "body": "B"], updatingPublished: true, cancelHref: "/appeals/x"), forms: true)
        case .appealSettings:
            return try await req.render(.appealSettings, titleKey: "appeal.settings.title", AppealsController.AppealSettingsContext(
                pattern: "{ISO3} {seq:03} / {MMYY} / OBS {yearly:03}", example: "TUN 003 / 0725 / OBS 045", problems: problems, listHref: "/appeals"),
                forms: true)
        case .publicAppeals:
            return try await req.render(.publicAppeals, titleKey: "appeal.public.title", PublicAppealsController.ListContext(
                heading: "H", items: [.init(href: "/en/appeals/x", reference: "R", kind: "K", date: "d", title: "T", summary: "S")],
                feedHref: "/en/appeals.atom", dir: "ltr", lang: "en", olderHref: "/en/appeals?page=1", newerHref: nil))
        case .publicAppeal:
            return try await req.render(.publicAppeal, titleKey: "appeal.public.documentTitle", PublicAppealsController.DocumentContext(
                reference: "R", kind: "K", published: "p", updated: "u", title: "T", bodyHTML: "<p>B</p>", dir: "ltr", lang: "en",
                otherLanguages: [.init(href: "/fr/appels/x", lang: "Français")], followUpOf: "P", followUpOfHref: "/en/appeals/p", followUps: [.init(href: "/en/appeals/f", lang: "Release — F")], closed: true,
                listHref: "/en/appeals", feedHref: "/en/appeals.atom"))
        case .appealSubscribers:
            return try await req.render(.appealSubscribers, titleKey: "appeal.subscribers.title", SubscribersController.Context(
                rows: [.init(email: "a@example.org", name: "N", languages: "Français", kind: "K", since: "s", unsubscribed: "u", removeAction: "/appeals/subscribers/x/remove")],
                active: 1, languages: options, values: ["email": "e"], problems: problems, action: "/appeals/subscribers",
                kinds: [SelectOption(value: "subscriber", label: "S", selected: true)], mailConfigured: false, listHref: "/appeals"), forms: true)
        case .unsubscribe:
            return try await req.render(.unsubscribe, titleKey: "appeal.unsubscribe.title", UnsubscribeController.Context(action: "/unsubscribe/t", done: false), forms: true)
        }
    }

    static func appealPage(_ problems: [FieldProblem]) -> AppealPage.Context {
        let options = [SelectOption(value: "v", label: "L", selected: true)]
        return AppealPage.Context(
            mailing: .init(action: "/appeals/x/mailings", recipients: 12, blocked: "B", configured: false,
                           rows: [.init(language: "Français", revision: 2, when: "w", state: "S", counts: [Badge(label: "3 sent", tone: "ok")])],
                           subscribersHref: "/appeals/subscribers"),
            reference: "TUN 003 / 0725 / OBS 045", kind: "K", title: "T", facts: [.init(label: "L", value: "V")], parent: .init(href: "/appeals/p", label: "P"),
            followUps: [.init(href: "/appeals/f", label: "F")], cases: [.init(href: "/cases/c", label: "TUN-2026-0001"), .init(href: nil, label: "TUN-2026-0002")],
            tabs: [.init(href: "/appeals/x?language=fr", label: "Français", lang: "fr", current: true, state: "S", tone: "ok")],
            language: "fr", revision: 2, dir: "ltr", state: "S", stateTone: "ok", online: true, publicHref: "/fr/appels/x", updating: true, bodyHTML: "<p>B</p>",
            steps: [.init(action: "/appeals/x/approve", label: "A", style: "", hint: "H"), .init(action: "/appeals/x/return", label: "R", style: "", hint: nil, comment: true)], approveBlocked: "AB", publishBlocked: "PB",
            editHref: "/appeals/x/edit?language=fr",
            revisions: [.init(number: 2, author: "A", when: "w", published: true, approved: true)],
            diff: .init(from: 1, to: 2, runs: [.init(.same, "a "), .init(.removed, "b "), .init(.added, "c")], changed: true, options: options, toOptions: options),
            comments: [.init(author: "A", when: "w", revision: 1, body: "B")], commentAction: "/appeals/x/comments",
            defenders: [.init(name: "N", caseCode: "C", caseHref: "/cases/c", consents: [.init(label: "L", state: "S", tone: "ok", detail: "d")])],
            consentAction: "/appeals/x/consents", noCase: true, declared: "D", declareAction: "/appeals/x/declaration", linkCaseAction: "/appeals/x/cases",
            hiddenCases: "and 1 case you cannot see", onlyHiddenCases: "Linked cases you cannot see: 1", people: options, channels: options,
            targets: [.init(name: "N", institution: "I", address: "A", replies: [.init(on: "o", summary: "S")])],
            targetAction: "/appeals/x/targets", replyAction: "/appeals/x/replies", targetOptions: options,
            history: [.init(when: "w", who: "W", what: "X")], versionAction: "/appeals/x/versions", missingLanguages: options,
            followUpHref: "/appeals/new?parent=x", listHref: "/appeals", problems: problems)
    }

    static let statement = FundStatement.Context(
        fundName: "EU", donor: "D", currency: "EUR", asOf: "2026-01-01", budget: "b", unallocated: "u", totals: [.init(label: "L", value: "V")],
        allocations: [.init(id: "a", depth: 1, organisation: "O", state: "S", stateTone: "ok", amount: "a", limit: "l", allocatedOn: "o", committed: "c",
                            disbursed: "d", available: "v", raw: [1, 2, 3, 4, 5, 6], confirmAction: "/funds/x/allocations/a", mine: true,
                            newGrantHref: "/grants/new?allocation=a")],
        categories: [.init(label: "C", committed: "c", disbursed: "d", raw: [1, 2])], countries: [.init(label: "C", committed: "c", disbursed: "d", raw: [1, 2])],
        csvHref: "/funds/x/statement.csv", printHref: "/funds/x/statement", fundHref: "/funds/x")

    @Test(arguments: Template.allCases) func template_renders_with_a_sample_context(template: Template) async throws {
        try await withApp { app in
            app.get("render-sample") { req async throws -> Response in try await Self.render(template, req) }
            for language in Language.allCases {
                let res = try await app.send(.GET, "/render-sample", headers: ["Accept-Language": language.rawValue])
                #expect(res.status.code < 500, "\(template) \(language): \(res.status)")
                #expect(res.text.contains(#"<html lang="\#(language.rawValue)" dir="\#(language.direction)">"#))
                #expect(res.text.contains("</html>"))
                #expect(!res.text.contains("#t("), "an unrendered tag leaked into \(template)")
                #expect(!res.text.contains("#("), "an unrendered value leaked into \(template)")
                #expect(!res.text.contains("#if"), "an unrendered condition leaked into \(template)")
            }
        }
    }
}

/// Leaf treats an empty array as true in `#if`: lists must be tested with `count(…) > 0`.
@Suite struct ConditionalRenderingTests {
    @Test func the_problem_box_appears_only_when_there_are_problems() async throws {
        try await withApp { app in
            app.get("with-problems") { req async throws -> Response in
                try await req.render(.accountPassword, titleKey: "account.password.title",
                                     PasswordController.Context(action: "/p", problems: [FieldProblem(field: "password", message: "PROBLEM-TEXT")], done: false), forms: true)
            }
            app.get("without-problems") { req async throws -> Response in
                try await req.render(.accountPassword, titleKey: "account.password.title",
                                     PasswordController.Context(action: "/p", problems: [], done: false), forms: true)
            }
            let with = try await app.send(.GET, "/with-problems")
            let without = try await app.send(.GET, "/without-problems")
            #expect(with.text.contains("PROBLEM-TEXT") && with.text.contains("form-problems"))
            #expect(!without.text.contains("form-problems"))
        }
    }

    @Test func the_token_table_appears_only_when_there_are_tokens() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            let empty = try await client.get("/account/tokens")
            #expect(empty.text.contains("You have no API token.") && !empty.text.contains("<table"))
            try await client.post("/account/tokens", [("name", "t"), ("days", "5"), ("scopes[]", "account:read"), ("password", Fixtures.password)])
            let one = try await client.get("/account/tokens")
            #expect(one.text.contains("<table") && !one.text.contains("You have no API token."))
        }
    }
}
