import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The threads password hashes run on: a few threads of their own, at a lower scheduling
/// priority (nice 10) than the threads that answer requests.
///
/// scrypt takes ~0.1–0.3 s of processor time per hash. On the shared global queue, a flood of
/// sign-in attempts kept every core busy hashing at the same priority as the event loops, and the
/// public alert form — which costs microseconds — waited behind it. At nice 10 the kernel gives
/// the event loops ~10× the share of a busy core, yet an idle machine hashes exactly as fast as
/// before (a lower priority only matters when there is contention). Linux only: elsewhere the
/// threads keep the default priority.
final class HashingThreads: @unchecked Sendable {
    static let shared = HashingThreads(count: 2, nice: 10)

    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []

    init(count: Int, nice: Int32) {
        for index in 0..<max(1, count) {
            let thread = Thread { [self] in
                #if os(Linux)
                // On Linux the nice value belongs to the thread, and `who` 0 is the calling thread.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
                #endif
                run()
            }
            thread.name = "egide-hashing-\(index)"
            thread.start()
        }
    }

    /// Runs `job` on one of the threads.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// This thread's nice value (for tests): what `setpriority` set on a hashing thread.
    static func currentNice() -> Int32 {
        #if os(Linux)
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        return 0
        #endif
    }
}
