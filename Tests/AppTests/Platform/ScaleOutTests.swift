@testable import App
import EgideCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SQLKit
import Testing
import Vapor
import VaporTesting

/// Several nodes on one database (SPEC §2.4): what one node counts, issues, creates or changes
/// holds on the others at once, and scheduled work runs once for the instance.
@Suite struct ScaleOutTests {
    @Test func sign_in_throttling_counts_failures_from_every_node_and_survives_a_restart() async throws {
        try await withApp { a in
            let (_, admin) = try await Fixtures.hostAdmin(a)
            try await withSecondNode(of: a) { b async throws in
                let client = TestClient(a)
                for attempt in 0..<5 {
                    client.app = attempt.isMultiple(of: 2) ? a : b
                    #expect(try await client.post("/sign-in", [("email", admin.email), ("password", "wrong guess number x")]).status == .unauthorized)
                }
                client.app = b
                #expect(try await client.post("/sign-in", [("email", admin.email), ("password", admin.password)]).status == .tooManyRequests,
                        "three failures on one node and two on the other make five for the instance")
            }
            // A node started afterwards (a restart) knows the count too.
            try await withSecondNode(of: a) { restarted async throws in
                let blocked = try await TestClient(restarted).post("/sign-in", [("email", admin.email), ("password", admin.password)])
                #expect(blocked.status == .tooManyRequests)
            }
            a.clock.advance(by: 31)
            #expect(try await TestClient(a).post("/sign-in", [("email", admin.email), ("password", admin.password)]).status == .seeOther)
        }
    }

    @Test func the_throttle_stores_neither_the_account_nor_the_address_and_forgets_lapsed_counters() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            try await TestClient(app).post("/sign-in", [("email", admin.email), ("password", "wrong guess number x")])
            let sql = app.db as! any SQLDatabase
            let rows = try await sql.select().columns("tag").from(Throttle.schema).all()
            #expect(!rows.isEmpty)
            for row in rows {
                let tag = try row.decode(column: "tag", as: Data.self)
                #expect(tag.count == 32, "a keyed hash, not a value")
                #expect(!String(decoding: tag, as: UTF8.self).contains(admin.email))
            }
            try await Throttle.prune(app, now: app.clock.now())
            #expect(try await sql.select().columns("tag").from(Throttle.schema).all().count == rows.count, "a live counter stays")
            try await Throttle.prune(app, now: app.clock.now().addingTimeInterval(Throttle.window + 1))
            #expect(try await sql.select().columns("tag").from(Throttle.schema).all().isEmpty)
        }
    }

    @Test func the_public_alert_cap_holds_for_the_instance_not_per_node() async throws {
        try await withApp { a in
            _ = try await AlertFixtures.chain(a)
            a.egideConfig.publicAlertsPerMinute = 3
            try await withSecondNode(of: a) { b async throws in
                b.egideConfig.publicAlertsPerMinute = 3
                var statuses: [HTTPStatus] = []
                for (index, node) in [a, b, a, b, b].enumerated() {
                    let res = try await node.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders,
                                                  body: AlertFixtures.json(AlertFixtures.alert(key: UUID().uuidString)))
                    statuses.append(res.status)
                }
                #expect(statuses == [.created, .created, .created, .tooManyRequests, .tooManyRequests])
                #expect(try await AlertRecord.query(on: a.db).count() == 3, "a refused alert is not saved")
                // The web form gives the sender's text back with the reason.
                let form = TestClient(b)
                _ = try await form.get("/alert")
                let refused = try await form.post("/alert", [("idempotencyKey", UUID().uuidString), ("defenderName", "Jean Mukendi"),
                                                             ("country", "CD"), ("categories[]", "threats"), ("needs[]", "relocation"),
                                                             ("narrative", "Arrested at dawn with two colleagues."), ("senderIsDefender", "no")])
                #expect(refused.status == .tooManyRequests)
                #expect(refused.text.contains("Arrested at dawn with two colleagues."))
                a.clock.advance(by: 61)
                let later = try await b.send(.POST, "/api/v1/public/alerts", headers: AlertFixtures.jsonHeaders,
                                             body: AlertFixtures.json(AlertFixtures.alert(key: UUID().uuidString)))
                #expect(later.status == .created, "the cap is per minute")
            }
        }
    }

    @Test func a_setup_link_printed_by_one_node_works_on_another_and_dies_with_the_claim() async throws {
        try await withApp { a in
            try await withSecondNode(of: a) { b async throws in
                let printedByA = try await SetupGate.issue(a, now: a.clock.now())
                let printedByB = try await SetupGate.issue(b, now: b.clock.now())
                #expect(try await TestClient(b).get("/setup/\(printedByA)").status == .ok, "B honours A's link")
                #expect(try await TestClient(a).get("/setup/\(printedByB)").status == .ok, "starting B did not void A's link")
                let client = TestClient(b)
                let claimed = try await client.post("/setup/\(printedByA)", [
                    ("organisationName", "Protection Lyon"), ("slug", "lyon"), ("country", "FR"), ("name", "Awa"),
                    ("email", "awa@example.org"), ("password", "a long and unusual passphrase"),
                    ("passwordConfirmation", "a long and unusual passphrase")])
                #expect(claimed.status == .seeOther)
                #expect(try await TestClient(a).get("/setup/\(printedByB)").status == .notFound)
                #expect(try await (a.db as! any SQLDatabase).select().column("hash").from(SetupGate.schema).all().isEmpty,
                        "no token outlives the claim")
            }
        }
    }

    @Test func a_key_made_on_another_node_a_moment_ago_serves_at_once() async throws {
        try await withApp { a in
            let (_, admin) = try await Fixtures.hostAdmin(a)
            try await withSecondNode(of: a) { b async throws in
                let client = TestClient(b)
                try await client.signIn(admin)
                // A new partner organisation, made on node A: its key exists only in A's memory and the database.
                let partner = try await Fixtures.organisation(a, type: .partner, country: "CM", name: "Réseau Yaoundé")
                let owner = Accounts.owner(try partner.requireID())
                #expect((try? b.vault.currentRing().activeKey(for: owner)) == nil, "B has not seen the key yet")
                let res = try await client.post("/admin/users/invite", [("organisation", SiteURL.id(try partner.requireID())),
                                                                        ("email", "verif@example.org"), ("roles[]", Role.verifier.rawValue)])
                #expect(res.status == .ok, "the invitation seals the email with the new key: \(res.status)")
                #expect(res.text.contains("/invitation/"))
                #expect((try? b.vault.currentRing().activeKey(for: owner)) != nil)
            }
        }
    }

    @Test func a_shred_on_one_node_drops_the_key_on_another_that_still_holds_the_old_key_file() async throws {
        try await withApp { a in
            let doomed = try await Fixtures.organisation(a, type: .partner, country: "CD", name: "Partenaire Goma")
            let kept = try await Fixtures.organisation(a, type: .partner, country: "CM", name: "Partenaire Douala")
            try await withSecondNode(of: a) { b async throws in
                let doomedOwner = Accounts.owner(try doomed.requireID()), keptOwner = Accounts.owner(try kept.requireID())
                #expect((try? b.vault.currentRing().activeKey(for: doomedOwner)) != nil)
                // Node A shreds: the organisation's keys are destroyed and the key file is replaced.
                try await KeyCustody.shred(a, organisation: doomed)
                let stale = try await b.vault.reload(on: b.db)
                #expect(stale > 0, "node B still holds the old key file, and says so")
                #expect((try? b.vault.currentRing().activeKey(for: doomedOwner)) == nil, "the destroyed key left node B's memory")
                #expect((try? b.vault.currentRing().activeKey(for: keptOwner)) != nil, "node B goes on serving the others")
                await #expect(throws: Vault.VaultError.self, "a key node B would wrap could be read by no other node") {
                    try await b.transaction { db in _ = try await b.vault.createKey(owner: "org:test", on: db) }
                }
            }
        }
    }

    @Test func a_category_changed_on_one_node_reaches_the_pages_of_another_within_a_second() async throws {
        try await withApp { a in
            let (_, admin) = try await Fixtures.hostAdmin(a)
            try await withSecondNode(of: a) { b async throws in
                let watcher = ChangeWatcher.start(b, every: .milliseconds(50))
                defer { watcher.cancel() }
                #expect(!(try await b.alertCategories.codes(on: b.db)).contains("eviction"))
                let before = try await b.send(.GET, "/alert")
                #expect(!before.text.contains("Forced eviction"))
                let client = TestClient(a)
                try await client.signIn(admin)
                let added = try await client.post(SiteURL.alertCategories.href, [("code", "eviction"), ("labelEN", "Forced eviction"),
                                                                               ("labelFR", "Expulsion forcée")])
                #expect(added.status == .seeOther)
                var seen = false
                for _ in 0..<40 where !seen {
                    try await Task.sleep(for: .milliseconds(50))
                    seen = try await b.alertCategories.codes(on: b.db).contains("eviction")
                }
                #expect(seen, "node B's codes follow within a second, not after its 10 s cache")
                #expect(try await b.send(.GET, "/alert").text.contains("Forced eviction"))
            }
        }
    }

    @Test func a_scheduled_job_runs_once_per_instance_and_another_node_takes_over_a_lapsed_lease() async throws {
        try await withApp { a in
            try await withSecondNode(of: a) { b async throws in
                let runs = NIOLockedValueBox(0)
                let job = Jobs.Job(name: "test.count", every: 300, lease: 60) { _, _ in runs.withLockedValue { $0 += 1 } }
                // Both nodes knock at once, many times.
                await withTaskGroup(of: Void.self) { group in
                    for round in 0..<8 {
                        group.addTask { await Jobs.tick([job], node: "a", app: round.isMultiple(of: 2) ? a : b) }
                        group.addTask { await Jobs.tick([job], node: "b", app: round.isMultiple(of: 2) ? b : a) }
                    }
                }
                #expect(runs.withLockedValue { $0 } == 1)
                a.clock.advance(by: 301)
                await Jobs.tick([job], node: "b", app: b)
                await Jobs.tick([job], node: "a", app: a)
                #expect(runs.withLockedValue { $0 } == 2, "due again after its period, and run once")
                // A node that dies holding the lease: the other waits for the lease to lapse, then runs it.
                a.clock.advance(by: 301)
                #expect(try await Jobs.claim(job, node: "a", now: a.clock.now(), app: a))
                #expect(await Jobs.tick([job], node: "b", app: b).isEmpty)
                a.clock.advance(by: 61)
                #expect(await Jobs.tick([job], node: "b", app: b) == ["test.count"])
                #expect(runs.withLockedValue { $0 } == 3)
                let row = try #require(try await (a.db as! any SQLDatabase).select().columns("runs", "last_outcome")
                    .from(Jobs.schema).where("name", .equal, SQLBind("test.count")).first())
                #expect(try row.decode(column: "runs", as: Int.self) == 3)
                #expect(try row.decode(column: "last_outcome", as: String.self) == "ok")
            }
        }
    }

    @Test func the_scheduled_prune_deletes_sessions_past_their_timeouts_only() async throws {
        try await withApp { app in
            let (_, admin) = try await Fixtures.hostAdmin(app)
            let client = TestClient(app)
            try await client.signIn(admin)
            let live = try await SessionRecord.query(on: app.db).count()
            #expect(live > 0)
            try await SessionManager.prune(app, now: app.clock.now())
            #expect(try await SessionRecord.query(on: app.db).count() == live)
            try await SessionManager.prune(app, now: app.clock.now().addingTimeInterval(app.egideConfig.sessionIdleTimeout + 1))
            #expect(try await SessionRecord.query(on: app.db).count() == 0)
        }
    }

    @Test func every_registered_job_has_a_unique_name_and_runs_on_a_fresh_instance() async throws {
        try await withApp { app in
            let jobs = Jobs.registry(app.egideConfig)
            #expect(Set(jobs.map(\.name)).count == jobs.count)
            let ran = await Jobs.tick(jobs, node: "test", app: app)
            #expect(ran == jobs.map(\.name))
            let failed = try await (app.db as! any SQLDatabase).select().column("name").from(Jobs.schema)
                .where("last_outcome", .notEqual, SQLBind("ok")).all()
            #expect(failed.isEmpty)
        }
    }
}

/// Behind a reverse proxy, the staff sign-in throttle counts the client nginx names, and only when
/// the peer is a proxy the operator listed.
@Suite struct TrustedProxyTests {
    @Test func x_real_ip_counts_only_from_a_listed_proxy() async throws {
        try await withApp { app async throws in
            func client(peer: String, header: String?) throws -> String? {
                var headers = HTTPHeaders()
                if let header { headers.add(name: "X-Real-IP", value: header) }
                return Request(application: app, method: .POST, url: "/sign-in", headers: headers,
                               remoteAddress: try SocketAddress(ipAddress: peer, port: 4000), on: app.eventLoopGroup.next()).throttleClient
            }
            #expect(try client(peer: "127.0.0.1", header: "203.0.113.9") == "127.0.0.1", "no proxy listed: the header is ignored")
            app.egideConfig.trustedProxies = ["127.0.0.1"]
            #expect(try client(peer: "127.0.0.1", header: "203.0.113.9") == "203.0.113.9")
            #expect(try client(peer: "198.51.100.7", header: "203.0.113.9") == "198.51.100.7", "a client cannot name itself")
            #expect(try client(peer: "127.0.0.1", header: nil) == "127.0.0.1")
        }
    }

    @Test func the_proxy_list_must_hold_addresses() throws {
        var options = LaunchOptions()
        options.dataDirectory = "/tmp/egide-config-test"
        let config = try AppConfig.load(environment: ["EGIDE_TRUSTED_PROXIES": "127.0.0.1, ::1"], options: options)
        #expect(config.trustedProxies == ["127.0.0.1", "::1"])
        #expect(throws: ConfigurationError.self) {
            try AppConfig.load(environment: ["EGIDE_TRUSTED_PROXIES": "nginx.local"], options: options)
        }
    }
}
