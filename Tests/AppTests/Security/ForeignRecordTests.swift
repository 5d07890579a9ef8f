@testable import App
import EgideCore
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Every route with an id in the route table, pages, actions and API: a record that exists in
/// another organisation answers exactly like a missing one (404, the same body), and the actor's
/// own record — the control — does not answer 404 (issue #15: the access matrix probed with
/// random ids only, so "another organisation's record" and "no record" were never told apart).
@Suite struct ForeignRecordTests {
    /// Routes whose ids are not records of an organisation, with the reason.
    static let notOrganisationRecords: [String: String] = [
        "POST /admin/alert-settings/categories/:id": "violation categories are instance-wide, edited by host administrators only",
        "GET /setup/:token": "a one-time token", "POST /setup/:token": "a one-time token",
        "GET /invitation/:token": "a one-time token", "POST /invitation/:token": "a one-time token",
        "GET /fr/appels/:slug": "a published document, public by design", "GET /en/appeals/:slug": "a published document, public by design",
        "GET /es/appeals/:slug": "a published document, public by design", "GET /ar/appeals/:slug": "a published document, public by design",
        "GET /unsubscribe/:token": "a subscriber's own secret link", "POST /unsubscribe/:token": "a subscriber's own secret link",
    ]

    /// One organisation's records of every kind a route can name.
    struct Records {
        var alert: UUID, file: UUID, caseID: UUID, person: UUID, measure: UUID, support: UUID, referral: UUID, followUp: UUID
    }

    /// Two organisations that both handle alerts and cases (the host in Lyon, a consortium member in
    /// Geneva), two partners, and people in each.
    struct World {
        var host: Records, geneva: Records
        var genevaCoordinator: TestAccount, genevaClient: TestClient, genevaToken: String
        var partnerOfficer: TestAccount, partnerClient: TestClient
        var verifier: TestAccount, verifierClient: TestClient, ownRequest: UUID, foreignRequest: UUID
        var partnerAdmin: TestAccount, adminClient: TestClient, ownUser: UUID, foreignUser: UUID, ownOrganisation: UUID, foreignOrganisation: UUID
        var ownSession: UUID, foreignSession: UUID, ownToken: UUID, foreignToken: UUID
        var fund: FundWorld
        /// A document of Geneva's (the caller's) and one of the host's.
        var ownAppeal: UUID, foreignAppeal: UUID
        /// An address on Geneva's appeals list and one on the host's.
        var ownSubscriber: UUID, foreignSubscriber: UUID
    }

    /// The emergency fund: the host's fund allocated to two sibling partners (Cameroon and Congo),
    /// each with a grant and a file; a second fund, Geneva's, in which Cameroon has no part. The
    /// caller is Cameroon's fund manager: its own allocation and grant are found; its sibling's,
    /// and Geneva's fund, answer 404.
    struct FundWorld {
        var client: TestClient, token: String
        var ownFund: UUID, foreignFund: UUID, ownAllocation: UUID, siblingAllocation: UUID
        var ownGrant: UUID, siblingGrant: UUID, ownFile: UUID, siblingFile: UUID
    }

    static func fundWorld(_ app: Application, host: OrganisationRecord, geneva: OrganisationRecord, cameroon: OrganisationRecord,
                          congo: OrganisationRecord) async throws -> FundWorld {
        func manager(_ organisation: OrganisationRecord, _ type: OrganisationType, _ roles: Set<Role> = [.fundManager]) async throws -> (TestAccount, Actor) {
            let account = try await Fixtures.account(app, in: organisation, roles: roles)
            return (account, Actor(userID: account.id, organisationID: account.organisationID, organisationType: type, roles: roles))
        }
        let (_, hostA) = try await manager(host, .host), (_, hostB) = try await manager(host, .host)
        let (_, genevaA) = try await manager(geneva, .consortiumMember), (_, genevaB) = try await manager(geneva, .consortiumMember)
        let (cmAccount, _) = try await manager(cameroon, .partner)
        let (_, cmOfficer) = try await manager(cameroon, .partner, [.protectionOfficer])
        let (_, cdOfficer) = try await manager(congo, .partner, [.protectionOfficer])
        let draft = { (name: String, second: Actor) in
            FundWorkflow.FundDraft(name: name, donor: "EU", currency: "EUR", budget: 10_000_000, startsOn: "2026-01-01", endsOn: "2026-12-31",
                                   managers: [second.userID])
        }
        let hostFund = try await FundWorkflow.createFund(draft("Host fund", hostB), by: hostA, app: app)
        let genevaFund = try await FundWorkflow.createFund(draft("Geneva fund", genevaB), by: genevaA, app: app)
        var allocations: [UUID] = []
        for (fund, giver, confirmer, receiver) in [(hostFund, hostA, hostB, cameroon), (hostFund, hostA, hostB, congo), (genevaFund, genevaA, genevaB, congo)] {
            let id = try await FundWorkflow.allocate(fund: fund, parent: nil, to: try receiver.requireID(), amount: 1_000_000, delegationLimit: 200_000, by: giver, app: app)
            try await FundWorkflow.settleAllocation(id, confirm: true, by: confirmer, app: app)
            allocations.append(id)
        }
        var grants: [UUID] = [], files: [UUID] = []
        for (allocation, officer) in [(allocations[0], cmOfficer), (allocations[1], cdOfficer)] {
            let grant = try await GrantWorkflow.request(.init(allocationID: allocation, caseID: nil, category: .legal, country: "CM", amount: 50_000,
                                                              details: .init(beneficiary: "Aline Mbarga", justification: "Lawyer's fees.")),
                                                        submit: true, by: officer, app: app)
            let file = try await app.transaction { db in
                let file = try await FileStore.store(Data("receipt".utf8), name: "receipt.pdf", mediaType: "application/pdf", organisation: officer.organisationID,
                                                     purpose: "grant.receipt", at: app.clock.now(), on: db, vault: app.vault)
                let entry = GrantEntryRecord()
                entry.id = UUID()
                entry.grantID = grant
                entry.organisationID = officer.organisationID
                entry.kind = "reportReceived"
                entry.actorID = officer.userID
                entry.fileID = file
                entry.createdAt = app.clock.now()
                try await entry.create(on: db)
                return file
            }
            grants.append(grant)
            files.append(file)
        }
        let client = TestClient(app)
        try await client.signIn(cmAccount)
        return FundWorld(client: client, token: try await CaseAPINetwork.token(app, cmAccount, Set(APIScope.allCases)),
                         ownFund: hostFund, foreignFund: genevaFund, ownAllocation: allocations[0], siblingAllocation: allocations[1],
                         ownGrant: grants[0], siblingGrant: grants[1], ownFile: files[0], siblingFile: files[1])
    }

    static func records(_ app: Application, owner: Actor, alert: UUID, partner: UUID) async throws -> Records {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 0, count: 32)
        let record = try #require(try await AlertRecord.find(alert, on: app.db))
        try await AlertWorkflow.addSenderInformation(nil, uploads: [AlertUpload(name: "photo.png", kind: .png, bytes: png)], to: record, app: app)
        let file = try #require(try await AlertAttachmentRecord.query(on: app.db).filter(\.$alertID == alert).first()).fileID
        let caseID = try await CaseWorkflow.open(.init(country: "CM", summary: "Threatened.", defender: .init(name: "Aline Mbarga")), by: owner, app: app)
        try await CaseWorkflow.addMeasure(caseID, stage: .prevention, .init(description: "Move.", domain: .physical, ownerKind: .staff),
                                          assignee: nil, due: nil, by: owner, app: app)
        try await CaseWorkflow.addSupport(caseID, type: .legal, .init(description: "Lawyer.", provider: .inHouse), cost: nil, partner: nil, by: owner, app: app)
        try await CaseWorkflow.refer(caseID, to: partner, shares: [], consentRecorded: true, message: "Please help.", by: owner, app: app)
        let followUp = try await CaseWorkflow.scheduleFollowUp(caseID, due: app.clock.now().addingTimeInterval(86_400), purpose: "Call.",
                                                               assignee: nil, by: owner, app: app)
        func item(_ kind: CaseItemRecord.Kind) async throws -> UUID {
            try #require(try await CaseItemRecord.query(on: app.db).filter(\.$caseID == caseID).filter(\.$kind == kind).first()).id!
        }
        let person = try #require(try await CasePersonRecord.query(on: app.db).filter(\.$caseID == caseID).first()).id!
        return Records(alert: alert, file: file, caseID: caseID, person: person, measure: try await item(.measure),
                       support: try await item(.support), referral: try await item(.referral), followUp: followUp)
    }

    /// A draft about the author's first case, with a target to reply from.
    static func appeal(_ app: Application, by author: Actor) async throws -> UUID {
        let caseID = try #require(try await CaseQueries.visible(to: author, on: app.db).first()).id
        let id = try await AppealWorkflow.create(.init(kind: .urgentAppeal, country: "CM", themes: [.threats], language: .fr,
                                                       text: AppealText(title: "Menaces", body: "L'Observatoire a été informé…"),
                                                       caseIDs: caseID.map { [$0] } ?? []), by: author, app: app)
        try await AppealWorkflow.addTarget(id, name: "Ministre de la Justice", institution: "Ministère", address: "Yaoundé", by: author, app: app)
        return id
    }

    static func subscriber(_ app: Application, by actor: Actor) async throws -> UUID {
        try await AppealSubscribers.add(email: "reader-\(UUID().uuidString.prefix(6))@example.org", name: nil, languages: [.fr], by: actor, app: app)
        return try #require(try await AppealSubscriberRecord.query(on: app.db).filter(\.$organisationID == actor.organisationID).first()).id!
    }

    static func world(_ app: Application) async throws -> World {
        let host = try await Fixtures.organisation(app, type: .host, slug: "lyon", country: "FR", name: "Host NGO")
        let geneva = try await Fixtures.organisation(app, type: .consortiumMember, slug: "geneve", country: "CH", name: "Consortium Geneva")
        let cameroon = try await Fixtures.organisation(app, type: .partner, slug: "cm", country: "CM", name: "Partner CM")
        let congo = try await Fixtures.organisation(app, type: .partner, slug: "cd", country: "CD", name: "Partner CD")
        let hostOfficer = try await Fixtures.account(app, in: host, roles: [.protectionOfficer])
        let genevaCoordinator = try await Fixtures.account(app, in: geneva, roles: [.coordinator])
        let hostCoordinator = try await Fixtures.account(app, in: host, roles: [.coordinator])
        let partnerOfficer = try await Fixtures.account(app, in: cameroon, roles: [.protectionOfficer])
        let verifier = try await Fixtures.account(app, in: cameroon, roles: [.verifier])
        let otherVerifier = try await Fixtures.account(app, in: congo, roles: [.verifier])
        let partnerAdmin = try await Fixtures.account(app, in: cameroon, roles: [.administrator])
        let otherUser = try await Fixtures.account(app, in: congo, roles: [.trainer])
        // The partner administrator's own target: an account of their organisation that no other probe uses.
        let ownUser = try await Fixtures.account(app, in: cameroon, roles: [.trainer])
        func actor(_ account: TestAccount, _ type: OrganisationType, _ roles: Set<Role>) -> Actor {
            Actor(userID: account.id, organisationID: account.organisationID, organisationType: type, roles: roles)
        }
        let hostActor = actor(hostOfficer, .host, [.protectionOfficer]), genevaActor = actor(genevaCoordinator, .consortiumMember, [.coordinator])

        // The host's alert comes through the public API; Geneva's is recorded for Geneva.
        let hostAlert = try await AlertFixtures.alertID(app, receipt: try await AlertFixtures.submit(app, AlertFixtures.alert()).receipt)
        let categories = Set(try await AlertQueries.categories(on: app.db).map(\.code))
        let draft = try AlertIntake.validate(AlertInput(defenderName: "Joseph K.", country: "CD", narrative: "Arrested.", language: "fr"),
                                             categories: categories, now: app.clock.now(), fallbackLanguage: .fr).get()
        let genevaAlert = try await AlertIntake.submit(
            draft, uploads: [], origin: .init(channel: .phone, recordedBy: genevaCoordinator.id, recordedByOrganisation: genevaCoordinator.organisationID,
                                              audit: .user(genevaCoordinator.id)),
            owner: genevaCoordinator.organisationID, app: app).alertID

        // Verification requests on the host's alert: one to the Cameroon verifier, one to Congo's.
        try await AlertWorkflow.triage(hostAlert, urgency: .p2, note: nil, by: hostActor, app: app)
        let verifiers = try await UserRecord.query(on: app.db).filter(\.$id ~~ [verifier.id, otherVerifier.id]).all()
        try await AlertWorkflow.requestVerification(hostAlert, verifiers: verifiers, message: nil, by: hostActor, app: app)
        let requests = try await VerificationRequestRecord.query(on: app.db).all()
        let ownRequest = try #require(requests.first { $0.verifierID == verifier.id }).id!
        let foreignRequest = try #require(requests.first { $0.verifierID == otherVerifier.id }).id!

        let clients = try await [genevaCoordinator, partnerOfficer, verifier, partnerAdmin, otherUser].asyncMap { account in
            let client = TestClient(app)
            try await client.signIn(account)
            return client
        }
        // A second session and a token of the Geneva coordinator's own, and another person's.
        try await TestClient(app).signIn(genevaCoordinator)
        let sessions = try await SessionRecord.query(on: app.db).all()
        let ownSession = try #require(sessions.last { $0.$user.id == genevaCoordinator.id }).id!
        let foreignSession = try #require(sessions.first { $0.$user.id == otherUser.id }).id!
        // A spare token to revoke as the own control, apart from the one the API probes use.
        _ = try await CaseAPINetwork.token(app, genevaCoordinator, [.readAccount])
        let spare = try #require(try await APITokenRecord.query(on: app.db).filter(\.$user.$id == genevaCoordinator.id).first()).id!
        let genevaToken = try await CaseAPINetwork.token(app, genevaCoordinator, Set(APIScope.allCases))
        _ = try await CaseAPINetwork.token(app, otherUser, [.readAccount])
        let tokens = try await APITokenRecord.query(on: app.db).all()
        return World(
            host: try await records(app, owner: hostActor, alert: hostAlert, partner: try cameroon.requireID()),
            geneva: try await records(app, owner: genevaActor, alert: genevaAlert, partner: try congo.requireID()),
            genevaCoordinator: genevaCoordinator, genevaClient: clients[0], genevaToken: genevaToken,
            partnerOfficer: partnerOfficer, partnerClient: clients[1],
            verifier: verifier, verifierClient: clients[2], ownRequest: ownRequest, foreignRequest: foreignRequest,
            partnerAdmin: partnerAdmin, adminClient: clients[3], ownUser: ownUser.id, foreignUser: otherUser.id,
            ownOrganisation: try cameroon.requireID(), foreignOrganisation: try congo.requireID(),
            ownSession: ownSession, foreignSession: foreignSession,
            ownToken: spare,
            foreignToken: try #require(tokens.first { $0.$user.id == otherUser.id }).id!,
            fund: try await fundWorld(app, host: host, geneva: geneva, cameroon: cameroon, congo: congo),
            ownAppeal: try await appeal(app, by: genevaActor), foreignAppeal: try await appeal(app, by: hostActor),
            ownSubscriber: try await subscriber(app, by: genevaActor), foreignSubscriber: try await subscriber(app, by: actor(hostCoordinator, .host, [.coordinator])))
    }

    /// Who calls a route, and its ids: the caller's own record, and another organisation's.
    struct Probe {
        var client: TestClient?
        var token: String?
        var own: [String: UUID]
        var foreign: [String: UUID]
    }

    static func probe(_ route: String, _ w: World) -> Probe? {
        let parts = route.split(separator: " ")[1].split(separator: "/").map(String.init)
        func caseItems(_ r: Records) -> [String: UUID] {
            let items = ["measures": r.measure, "support": r.support, "referrals": r.referral, "follow-ups": r.followUp]
            let item = parts.compactMap { items[$0] }.first
            return [":id": r.caseID, ":person": r.person, ":item": item ?? r.measure]
        }
        switch parts.first {
        case "alerts":
            return Probe(client: w.genevaClient, own: [":id": w.geneva.alert, ":file": w.geneva.file], foreign: [":id": w.host.alert, ":file": w.host.file])
        case "cases":
            return Probe(client: w.genevaClient, own: caseItems(w.geneva), foreign: caseItems(w.host))
        case "referrals":
            return Probe(client: w.partnerClient, own: [":id": w.host.referral], foreign: [":id": w.geneva.referral])
        case "verification":
            return Probe(client: w.verifierClient, own: [":id": w.ownRequest], foreign: [":id": w.foreignRequest])
        case "account":
            return parts[1] == "sessions"
                ? Probe(client: w.genevaClient, own: [":id": w.ownSession], foreign: [":id": w.foreignSession])
                : Probe(client: w.genevaClient, own: [":id": w.ownToken], foreign: [":id": w.foreignToken])
        case "admin":
            return parts[1] == "organisations"
                ? Probe(client: w.adminClient, own: [":id": w.ownOrganisation], foreign: [":id": w.foreignOrganisation])
                : Probe(client: w.adminClient, own: [":id": w.ownUser], foreign: [":id": w.foreignUser])
        case "funds":
            let f = w.fund
            return Probe(client: f.client, own: [":id": f.ownFund, ":item": f.ownAllocation], foreign: [":id": f.foreignFund, ":item": f.siblingAllocation])
        case "grants":
            let f = w.fund
            return Probe(client: f.client, own: [":id": f.ownGrant, ":file": f.ownFile], foreign: [":id": f.siblingGrant, ":file": f.siblingFile])
        case "api" where parts[2] == "funds":
            return Probe(token: w.fund.token, own: [":id": w.fund.ownFund], foreign: [":id": w.fund.foreignFund])
        case "appeals" where parts[1] == "subscribers":
            return Probe(client: w.genevaClient, own: [":id": w.ownSubscriber], foreign: [":id": w.foreignSubscriber])
        case "appeals":
            return Probe(client: w.genevaClient, own: [":id": w.ownAppeal], foreign: [":id": w.foreignAppeal])
        case "api" where parts[2] == "appeals":
            return Probe(token: w.genevaToken, own: [":id": w.ownAppeal], foreign: [":id": w.foreignAppeal])
        case "api" where parts[2] == "grants":
            return Probe(token: w.fund.token, own: [":id": w.fund.ownGrant], foreign: [":id": w.fund.siblingGrant])
        case "api":
            let records = parts[2] == "alerts" ? ([":id": w.geneva.alert], [":id": w.host.alert]) : (caseItems(w.geneva), caseItems(w.host))
            return Probe(token: w.genevaToken, own: records.0, foreign: records.1)
        default:
            return nil
        }
    }

    static func send(_ app: Application, _ method: HTTPMethod, _ path: String, _ probe: Probe) async throws -> TestingHTTPResponse {
        if let token = probe.token {
            var headers: HTTPHeaders = ["Authorization": "Bearer \(token)"]
            if method == .POST { headers.add(name: .contentType, value: "application/json") }
            return try await app.send(method, path, headers: headers, body: method == .POST ? "{}" : nil)
        }
        let client = try #require(probe.client)
        return method == .GET ? try await client.get(path) : try await client.post(path, [])
    }

    @Test func another_organisations_record_answers_exactly_like_a_missing_one_on_every_route_with_an_id() async throws {
        try await withApp { app in
            let world = try await Self.world(app)
            // Reads first, so that no action (a declined request, a revoked token) changes what they see.
            let routes = app.routes.all.filter { $0.path.contains { if case .parameter = $0 { true } else { false } } }
                .sorted { ($0.method == .GET ? 0 : 1, AccessMatrixTests.key($0)) < ($1.method == .GET ? 0 : 1, AccessMatrixTests.key($1)) }
            var checked = 0, failures: [String] = []
            for route in routes {
                let key = AccessMatrixTests.key(route)
                if Self.notOrganisationRecords[key] != nil { continue }
                guard let probe = Self.probe(key, world) else { failures.append("\(key): no probe"); continue }
                let names = route.path.compactMap { if case .parameter(let name) = $0 { ":" + name } else { nil } }
                func path(_ ids: [String: UUID]) -> String {
                    "/" + route.path.map { component in ids[component.description].map(SiteURL.id) ?? component.description }.joined(separator: "/")
                }
                // Every way of naming a foreign record: each id in turn taken from the other organisation.
                for foreignName in names {
                    var foreign = probe.own, missing = probe.own
                    if foreignName == ":id" { foreign = probe.foreign; missing = probe.foreign.mapValues { _ in UUID() } }
                    foreign[foreignName] = probe.foreign[foreignName]
                    missing[foreignName] = UUID()
                    let foreignPath = path(foreign), missingPath = path(missing)
                    let a = try await Self.send(app, route.method, foreignPath, probe)
                    let b = try await Self.send(app, route.method, missingPath, probe)
                    func normalised(_ res: TestingHTTPResponse, _ ids: [String: UUID]) -> String {
                        ids.values.reduce(res.text) { $0.replacingOccurrences(of: SiteURL.id($1), with: "ID") }
                    }
                    if a.status != .notFound || b.status != .notFound {
                        failures.append("\(key) with a foreign \(foreignName): \(a.status.code), a missing one: \(b.status.code)")
                    } else if normalised(a, foreign) != normalised(b, missing) {
                        failures.append("\(key) with a foreign \(foreignName): the body differs from a missing record's")
                    }
                    checked += 1
                }
                // The control: the caller's own record is found.
                let own = try await Self.send(app, route.method, path(probe.own), probe)
                if own.status == .notFound || own.status == .unauthorized { failures.append("\(key) on the caller's own record: \(own.status.code)") }
            }
            #expect(failures.isEmpty, "\(failures.count) problems:\n\(failures.joined(separator: "\n"))")
            #expect(checked >= 55, "only \(checked) foreign twins were checked")
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
