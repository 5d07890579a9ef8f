import App
import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// `egide demo [--data-dir DIR]`: fills an empty Egide with a realistic network — a host NGO in
/// Lyon, a consortium member in Geneva, a network member in Brussels, local partners in Cameroon,
/// DR Congo, Tunisia and Georgia — and accounts of every role, printed with their password and
/// TOTP secret so a newcomer can sign in as anyone at once; then about 200 fictional alerts of the
/// last four months in every state, with verification requests and findings (see `DemoAlerts`),
/// about 80 protection cases in every status, many opened from those alerts (see `DemoCases`),
/// and an EU and a Swiss emergency fund allocated Lyon → Tunis office → two local partners, with
/// about 60 grants in every state (see `DemoFund`).
/// Refused on a database that has data.
package struct DemoCommand: AsyncCommand {
    package struct Signature: CommandSignature { package init() {} }

    package init() {}

    package var help: String { "Fills an empty data folder with demonstration organisations, accounts and alerts (never on real data)." }

    package func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let loaded = try await DemoData.load(into: app)
        let accounts = loaded.accounts
        let console = context.console
        console.output("Demo data created. Every account below uses the password shown; add its TOTP secret".consoleText())
        console.output("to an authenticator app (or compute a code with `oathtool --totp -b SECRET`).".consoleText())
        console.output("".consoleText())
        for account in accounts {
            let line = "\(account.organisation.padding(toLength: 10, withPad: " ", startingAt: 0)) \(account.roles.padding(toLength: 24, withPad: " ", startingAt: 0)) \(account.email.padding(toLength: 36, withPad: " ", startingAt: 0)) TOTP \(account.secret)"
            console.output(line.consoleText())
        }
        console.output("".consoleText())
        console.output("Password for every demo account: \(DemoData.password)".consoleText())
        console.output("".consoleText())
        for line in loaded.alerts.lines { console.output(line.consoleText()) }
        for line in loaded.cases.lines { console.output(line.consoleText()) }
        for line in loaded.fund.lines { console.output(line.consoleText()) }
        for line in loaded.appeals.lines { console.output(line.consoleText()) }
        console.output("Sign in as a protection officer (aissatou.diallo@example.org) and open /attention, then the queue at /alerts;".consoleText())
        console.output("as a partner verifier (e.g. amira.bensalah@example.org) open /verification to answer the requests waiting there.".consoleText())
        console.output("Cases: /cases as the coordinator (karim.benali@example.org: every case of the host) or an officer (their own);".consoleText())
        console.output("a partner officer (helene.mvogo@example.org) sees the cases granted to her organisation and its referrals.".consoleText())
        console.output("Emergency fund: /funds and /grants as a fund manager of Lyon (sophie.laurent@example.org: both funds, every level),".consoleText())
        console.output("of the Tunis office (hela.benamor@example.org) or of a partner (estelle.ngo@example.org: Yaoundé's allocations only).".consoleText())
        console.output("In Arabic: choose العربية in the language switch of any page (right to left), or open the public form at /ar/alert;".consoleText())
        console.output("two Tunisian alerts were sent in Arabic (the alert queue shows them beside their Latin-script duplicates).".consoleText())
        if let linkage = loaded.linkage {
            console.output(("Duplicates across offices and scripts: the Tunis office opened a case and requested grant \(linkage.grantCode ?? "—") for "
                + "\(linkage.native), whom Lyon follows as \(linkage.latin); both case files and the grant's duplicate check show it.").consoleText())
        }
    }
}

/// The demonstration network. Kept apart from the command so tests load exactly the same data.
enum DemoData {
    /// Demo accounts only: printed on the console, never used for real data.
    static let password = "demo passphrase for egide"

    struct Printed {
        var organisation: String
        var roles: String
        var email: String
        var secret: String
    }

    struct Organisation {
        var slug: String
        var name: String
        var type: OrganisationType
        var country: String
        var people: [(name: String, email: String, roles: Set<Role>)]
    }

    static let organisations: [Organisation] = [
        .init(slug: "lyon", name: "Égide Protection — Lyon", type: .host, country: "FR", people: [
            ("Claire Martin", "claire.martin@example.org", [.administrator]),
            ("Karim Benali", "karim.benali@example.org", [.coordinator]),
            ("Aïssatou Diallo", "aissatou.diallo@example.org", [.protectionOfficer]),
            ("Julien Roux", "julien.roux@example.org", [.protectionOfficer]),
            ("Sophie Laurent", "sophie.laurent@example.org", [.fundManager]),
            ("Bertrand Giraud", "bertrand.giraud@example.org", [.fundManager]),
            ("Léa Moreau", "lea.moreau@example.org", [.communicationsOfficer]),
            ("Marc Petit", "marc.petit@example.org", [.trainer]),
            ("Nadia Haddad", "nadia.haddad@example.org", [.auditor]),
        ]),
        .init(slug: "geneve", name: "Coalition pour la protection — Genève", type: .consortiumMember, country: "CH", people: [
            ("Thomas Keller", "thomas.keller@example.org", [.protectionOfficer]),
        ]),
        // The host's regional office: it receives a share of the funds and allocates it to the partners.
        .init(slug: "tunis", name: "Égide Protection — Bureau régional de Tunis", type: .consortiumMember, country: "TN", people: [
            ("Héla Ben Amor", "hela.benamor@example.org", [.fundManager]),
            ("Tarek Bouazizi", "tarek.bouazizi@example.org", [.fundManager]),
            ("Dorra Kooli", "dorra.kooli@example.org", [.protectionOfficer]),
        ]),
        .init(slug: "bruxelles", name: "Réseau européen des défenseur·ses — Bruxelles", type: .networkMember, country: "BE", people: [
            ("Inès Dubois", "ines.dubois@example.org", [.trainer]),
        ]),
        .init(slug: "cm-yaounde", name: "Réseau des défenseurs du Cameroun", type: .partner, country: "CM", people: [
            ("Paul Essomba", "paul.essomba@example.org", [.administrator]),
            ("Jean-Paul Mbarga", "jeanpaul.mbarga@example.org", [.verifier]),
            ("Estelle Ngo", "estelle.ngo@example.org", [.fundManager]),
            ("Hélène Mvogo", "helene.mvogo@example.org", [.protectionOfficer]),
        ]),
        .init(slug: "cd-bukavu", name: "Collectif des défenseurs du Sud-Kivu", type: .partner, country: "CD", people: [
            ("Espérance Mwamba", "esperance.mwamba@example.org", [.verifier]),
            ("Patrick Mukendi", "patrick.mukendi@example.org", [.protectionOfficer]),
        ]),
        .init(slug: "tn-tunis", name: "Vigilance Droits — Tunis", type: .partner, country: "TN", people: [
            ("Amira Ben Salah", "amira.bensalah@example.org", [.verifier]),
            ("Sami Ouertani", "sami.ouertani@example.org", [.fundManager]),
            ("Rania Chebbi", "rania.chebbi@example.org", [.protectionOfficer]),
        ]),
        .init(slug: "ge-tbilisi", name: "Defenders' Shelter — Tbilisi", type: .partner, country: "GE", people: [
            ("Nino Beridze", "nino.beridze@example.org", [.verifier]),
        ]),
    ]

    /// What `load` made: the accounts to print and the alerts', cases' and fund's counts.
    struct Loaded: Sendable {
        var accounts: [Printed]
        var alerts: DemoAlerts.Summary
        var cases = DemoCases.Summary()
        var fund = DemoFund.Summary()
        var linkage: DemoLinkage.Outcome?
        var appeals = DemoAppeals.Summary()
    }

    /// How far back the demo network begins: the organisations and accounts exist before the first
    /// alert, and before a few old protection cases (closed over a year ago, with their impact
    /// records at 3 and 12 months); the alerts and most cases are of the last four months.
    static let history: TimeInterval = 450 * 86400

    struct NotEmpty: Error, CustomStringConvertible {
        var description: String { "egide demo: this database already holds data; run it on a new --data-dir" }
    }

    /// Loads the demo network and (unless `alerts` is false: a test that needs only the network)
    /// its alerts and (unless `cases` is false too) its protection cases; refuses a database that
    /// already has organisations. The clock is moved back to when the network begins and forward
    /// through the history of the alerts and cases, then restored: everything is dated as if Egide
    /// had been in use for months.
    static func load(into app: Application, alerts: Bool = true, cases: Bool = true) async throws -> Loaded {
        guard try await OrganisationRecord.query(on: app.db).count() == 0 else {
            throw CommandFailure(message: NotEmpty().description)
        }
        let hash = try await app.passwordService.hash(password)
        let end = app.clock.now()
        let time = DemoAlerts.TimeTravel(app.clock)
        do {
            time.go(to: end.addingTimeInterval(-history))
            let start = app.clock.now()
            let network = try await app.transaction { db in
                var network = Network()
                for organisation in organisations {
                    let record = try await Accounts.createOrganisation(
                        name: organisation.name, slug: organisation.slug, type: organisation.type, country: organisation.country,
                        by: .system, at: start, on: db, vault: app.vault)
                    let orgID = try record.requireID()
                    network.organisations[organisation.slug] = orgID
                    for person in organisation.people {
                        let user = try await Accounts.createUser(organisation: orgID, email: person.email, name: person.name,
                                                                 roles: person.roles, by: .system, at: start, on: db, vault: app.vault)
                        let seed = TOTP.generateSecret()
                        user.passwordHash = hash
                        try TwoFactor.setSeed(seed, for: user, confirmedAt: start, vault: app.vault)
                        try await user.save(on: db)
                        network.printed.append(Printed(organisation: organisation.slug, roles: person.roles.sorted().map(\.rawValue).joined(separator: ","),
                                                       email: person.email, secret: Base32.encode(seed)))
                        network.staff[person.email] = Actor(userID: try user.requireID(), organisationID: orgID,
                                                            organisationType: organisation.type, roles: person.roles)
                        network.users[person.email] = user
                    }
                }
                return network
            }
            let geneva = network.organisations["geneve"]!
            if alerts && cases {
                // The cases' steps are played among the alerts' ones, in time order (cases are opened from verified alerts).
                // The fund's grants are tied to cases, and played among them.
                let plans = DemoAlerts.plan(end: end)
                let casePlans = DemoCases.plan(alerts: plans, start: start, end: end)
                try await DemoCases.play(alerts: plans, cases: casePlans, fund: DemoFund.plan(cases: casePlans, end: end),
                                         appeals: DemoAppeals.plan(cases: casePlans, end: end), network: network, app: app, time: time)
            } else if alerts {
                try await DemoAlerts.play(DemoAlerts.plan(end: end), staff: network.staff, users: network.users, geneva: geneva,
                                          app: app, time: time)
            }
            time.back()
            let linkage = cases ? try await DemoLinkage.play(network: network, app: app) : nil
            // One invitation still waiting (sent today, so still valid), to show what a pending account looks like.
            let now = app.clock.now()
            let bukavu = network.organisations["cd-bukavu"]!
            try await app.transaction { db in
                let pending = try await Accounts.createUser(organisation: bukavu, email: "nouveau.verificateur@example.org",
                                                            name: "", roles: [.verifier], by: .system, at: now, on: db, vault: app.vault)
                _ = try await Invitations.issue(for: try pending.requireID(), by: .system, organisation: bukavu, at: now, on: db)
            }
            return Loaded(accounts: network.printed, alerts: try await DemoAlerts.summary(on: app.db, geneva: geneva),
                          cases: try await DemoCases.summary(on: app.db, now: now, organisations: network.organisations),
                          fund: try await DemoFund.summary(on: app.db, now: now), linkage: linkage,
                          appeals: try await DemoAppeals.summary(on: app.db))
        } catch {
            time.back()
            throw error
        }
    }

    /// What the first transaction made, by slug and email.
    struct Network: Sendable {
        var organisations: [String: UUID] = [:]
        var printed: [Printed] = []
        var staff: [String: Actor] = [:]
        var users: [String: UserRecord] = [:]
    }
}
