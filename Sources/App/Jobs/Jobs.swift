import Fluent
import Foundation
import SQLKit
import Vapor

/// Periodic work that must run **once per instance**, however many nodes serve it: each job has a
/// row in `scheduled_jobs` with its next due time; a node runs a job only after taking its lease in
/// one atomic statement (`claim`), and hands it back with the next due time (`finish`). A node killed
/// in the middle leaves a lease that lapses, and another node takes the job over: so a job must be
/// safe to run twice (delete what is stale, send what is not marked sent…). See docs/DEVELOPMENT.md,
/// "Scheduled work".
enum Jobs {
    static let schema = "scheduled_jobs"

    /// One kind of periodic work.
    struct Job: Sendable {
        /// Stable name: the row's key (`module.what`).
        var name: String
        /// Time between two runs.
        var every: TimeInterval
        /// How long a run may take before another node may take the job over.
        var lease: TimeInterval
        var run: @Sendable (Application, Date) async throws -> Void
    }

    /// Every job of the instance. A module adds its own here (and its test beside the job's code).
    static func registry(_ config: AppConfig) -> [Job] {
        var jobs = [
            Job(name: "throttles.prune", every: 5 * 60, lease: 60) { app, now in try await Throttle.prune(app, now: now) },
            Job(name: "sessions.prune", every: 15 * 60, lease: 60) { app, now in try await SessionManager.prune(app, now: now) },
            // The appeals' mailings: what is due, a batch at a time (AppealMailer).
            Job(name: "appeals.mailings", every: 15, lease: 600) { app, now in try await AppealMailer.run(app, now: now) },
        ]
        if case .sqlite = config.database {
            // Planner statistics (PostgreSQL's autovacuum keeps its own).
            jobs.append(Job(name: "sqlite.optimize", every: 24 * 3600, lease: 600) { app, _ in
                try await (app.db as! any SQLDatabase).raw("PRAGMA optimize").run()
            })
        }
        return jobs
    }

    /// Takes `job`'s lease for `node` if the job is due and nobody holds a live lease. One UPDATE:
    /// of two nodes trying at once, exactly one gets the row back.
    static func claim(_ job: Job, node: String, now: Date, app: Application) async throws -> Bool {
        let at = Int64(now.timeIntervalSince1970)
        return try await app.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("""
                INSERT INTO \(ident: schema) (name, due_at, runs) VALUES (\(bind: job.name), \(bind: at), 0)
                ON CONFLICT (name) DO NOTHING
                """).run()
            return try await sql.raw("""
                UPDATE \(ident: schema) SET lease_owner = \(bind: node), lease_until = \(bind: at + Int64(job.lease)), last_started_at = \(bind: at)
                WHERE name = \(bind: job.name) AND due_at <= \(bind: at) AND (lease_until IS NULL OR lease_until < \(bind: at))
                RETURNING name
                """).first() != nil
        }
    }

    /// Hands the job back: due again `every` later (a minute later after a failure, or sooner if
    /// `every` is shorter), the lease released, the outcome recorded. Only the lease holder can.
    static func finish(_ job: Job, node: String, started: Date, finished: Date, failed: Bool, app: Application) async throws {
        let next = Int64(started.addingTimeInterval(failed ? min(60, job.every) : job.every).timeIntervalSince1970)
        try await app.transaction { db in
            try await (db as! any SQLDatabase).raw("""
                UPDATE \(ident: schema) SET due_at = \(bind: next), lease_owner = NULL, lease_until = NULL,
                last_finished_at = \(bind: Int64(finished.timeIntervalSince1970)), last_outcome = \(bind: failed ? "failed" : "ok"), runs = runs + 1
                WHERE name = \(bind: job.name) AND lease_owner = \(bind: node)
                """).run()
        }
    }

    /// Runs, on this node, every job that is due and that this node wins. Returns the names run.
    @discardableResult
    static func tick(_ jobs: [Job], node: String, app: Application) async -> [String] {
        var ran: [String] = []
        for job in jobs {
            let started = app.clock.now()
            guard (try? await claim(job, node: node, now: started, app: app)) == true else { continue }
            var failed = false
            do { try await job.run(app, started) } catch {
                failed = true
                app.logger.warning("scheduled job \(job.name) failed; it will be tried again in a minute")
            }
            try? await finish(job, node: node, started: started, finished: app.clock.now(), failed: failed, app: app)
            ran.append(job.name)
        }
        return ran
    }

    /// The loop `egide serve` runs: every `interval` (with a little jitter, so nodes started together
    /// do not knock at the same moment), `tick`.
    static func start(_ app: Application, every interval: Duration = .seconds(15)) -> Task<Void, Never> {
        let node = "\(ProcessInfo.processInfo.hostName)/\(getpid())/\(UUID().uuidString.prefix(8))"
        let jobs = registry(app.egideConfig)
        return Task {
            while !Task.isCancelled {
                await tick(jobs, node: node, app: app)
                try? await Task.sleep(for: interval + .milliseconds(Int.random(in: 0...2000)))
            }
        }
    }
}
