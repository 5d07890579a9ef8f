import Dispatch
import Foundation

/// Password hashing with scrypt, stored as PHC strings (see `PHCString`).
///
/// * Passwords are NFC-normalised, then UTF-8 encoded, before hashing, so the
///   same password typed on different systems verifies. Changing this would
///   invalidate every stored hash.
/// * `verify` compares in constant time; a stored string that does not parse
///   is an error, never a silent `false`.
/// * The synchronous methods block the calling thread for the whole
///   derivation. The `async` overloads (picked automatically from async code)
///   wait for a `HashingGate` permit and run the derivation on a Dispatch
///   worker thread, keeping Swift's small cooperative pool free.
/// * `verifyDummy` runs exactly the `verify` code path against a random hash
///   with the configured parameters, for unknown user names, so that "no such
///   user" and "wrong password" take the same time. (Users whose stored hash
///   has cheaper, older parameters verify faster until rehashed: call
///   `needsRehash` after each successful sign-in.)
public struct PasswordHasher: Sendable {
    /// Why hashing or verification failed.
    public enum HashingError: Error, Equatable, Sendable {
        /// The stored string is not an acceptable `$scrypt$` PHC string.
        case malformedHash
        /// The scrypt implementation reported an error.
        case derivationFailed
    }

    /// Parameters for new hashes, and the floor below which `needsRehash` is true.
    public let parameters: ScryptParameters
    /// Bounds concurrent derivations in the `async` entry points.
    public let gate: HashingGate
    private let dummyHash: String

    /// A hasher producing hashes with `parameters`.
    public init(parameters: ScryptParameters = .default, gate: HashingGate = .shared) {
        self.parameters = parameters
        self.gate = gate
        self.dummyHash = PHCString(
            parameters: parameters,
            salt: SecureRandom.bytes(ScryptParameters.saltLength),
            hash: SecureRandom.bytes(ScryptParameters.outputLength)
        ).encoded
    }

    /// Hashes `password` with a fresh 16-byte salt; returns the PHC string.
    /// - Throws: `HashingError.derivationFailed` if scrypt fails.
    public func hash(_ password: String) throws(HashingError) -> String {
        let salt = SecureRandom.bytes(ScryptParameters.saltLength)
        let hash = try derive(password, parameters: parameters, salt: salt, length: ScryptParameters.outputLength)
        return PHCString(parameters: parameters, salt: salt, hash: hash).encoded
    }

    /// Whether `password` matches the stored PHC string (constant-time comparison).
    /// - Throws: `HashingError.malformedHash` if `phc` does not parse;
    ///   `HashingError.derivationFailed` if scrypt fails.
    public func verify(_ password: String, against phc: String) throws(HashingError) -> Bool {
        guard let stored = PHCString(parsing: phc) else { throw .malformedHash }
        let candidate = try derive(password, parameters: stored.parameters, salt: stored.salt, length: stored.hash.count)
        return ConstantTime.equals(candidate, stored.hash)
    }

    /// `true` when `phc` should be replaced by a fresh hash after a successful
    /// sign-in: any parameter, salt or hash length below the configured ones,
    /// or a string that does not parse at all.
    public func needsRehash(_ phc: String) -> Bool {
        guard let stored = PHCString(parsing: phc) else { return true }
        return stored.parameters.logN < parameters.logN
            || stored.parameters.blockSize < parameters.blockSize
            || stored.parameters.parallelism < parameters.parallelism
            || stored.salt.count < ScryptParameters.saltLength
            || stored.hash.count < ScryptParameters.outputLength
    }

    var dummyHashForTesting: String { dummyHash }

    /// Does the work of `verify` for a user that does not exist; always `false`.
    public func verifyDummy(_ password: String) -> Bool {
        (try? verify(password, against: dummyHash)) ?? false
    }

    /// `hash(_:)` behind the gate, off the cooperative thread pool.
    /// - Throws: `HashingError.derivationFailed` if scrypt fails.
    public func hash(_ password: String) async throws(HashingError) -> String {
        try await gated { () throws(HashingError) in try self.hash(password) }
    }

    /// `verify(_:against:)` behind the gate, off the cooperative thread pool.
    /// - Throws: `HashingError.malformedHash` or `.derivationFailed`, as the synchronous form.
    public func verify(_ password: String, against phc: String) async throws(HashingError) -> Bool {
        try await gated { () throws(HashingError) in try self.verify(password, against: phc) }
    }

    /// `verifyDummy(_:)` behind the gate, off the cooperative thread pool.
    public func verifyDummy(_ password: String) async -> Bool {
        (try? await gated { () throws(HashingError) in self.verifyDummy(password) }) ?? false
    }

    private func gated<T: Sendable>(
        _ work: @escaping @Sendable () throws(HashingError) -> T
    ) async throws(HashingError) -> T {
        try await gate.withPermit { () async throws(HashingError) -> T in
            let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, HashingError>, Never>) in
                HashingThreads.shared.submit {
                    continuation.resume(returning: Result { () throws(HashingError) in try work() })
                }
            }
            return try result.get()
        }
    }

    private func derive(
        _ password: String, parameters: ScryptParameters, salt: [UInt8], length: Int
    ) throws(HashingError) -> [UInt8] {
        let bytes = Array(password.precomposedStringWithCanonicalMapping.utf8)
        do {
            return try parameters.deriveKey(password: bytes, salt: salt, outputLength: length)
        } catch {
            throw .derivationFailed
        }
    }
}
