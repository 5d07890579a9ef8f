/// An async counting semaphore bounding how many password hashes run at once.
///
/// scrypt at the default parameters allocates 128 MiB per call; without a
/// bound, a burst of sign-in attempts multiplies that until the process is
/// killed. Callers beyond the permit count wait in FIFO order (waiting costs
/// a suspended task, not memory for a hash). Waiting is not cancellable: a
/// cancelled task still waits for, uses and returns its permit.
/// Combine with rate limiting; the gate bounds memory, not queue length.
public actor HashingGate {
    /// The gate `PasswordHasher` uses unless given another: 2 permits per process.
    public static let shared = HashingGate()

    /// Maximum number of bodies running at once.
    public nonisolated let permits: Int
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// A gate with `permits` slots (values below 1 are treated as 1).
    public init(permits: Int = 2) {
        self.permits = max(1, permits)
        self.available = max(1, permits)
    }

    /// Tasks currently suspended waiting for a permit.
    public var waitingCount: Int { waiters.count }

    /// Runs `body` once a permit is free, releasing the permit afterwards
    /// whether `body` returns or throws.
    /// - Throws: whatever `body` throws.
    public nonisolated func withPermit<T: Sendable, E: Error>(
        _ body: @Sendable () async throws(E) -> T
    ) async throws(E) -> T {
        await acquire()
        let result: Result<T, E>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await release()
        return try result.get()
    }

    private func acquire() async {
        if available > 0 {
            available -= 1
            return
        }
        await withCheckedContinuation { continuation in
            waiters.append(continuation)
        }
    }

    private func release() {
        if waiters.isEmpty {
            available += 1
        } else {
            // Hand the permit straight to the oldest waiter.
            waiters.removeFirst().resume()
        }
    }
}
