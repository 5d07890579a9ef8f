import Crypto
import _CryptoExtras

/// scrypt cost parameters (RFC 7914) and the single place that calls the KDF.
///
/// Memory per derivation is about `128 × N × r` bytes: the default
/// `ln = 17, r = 8, p = 1` takes 128 MiB and one core for about 0.3 s in a
/// release build (about 1.2 s in a debug build; measured on the 2-core
/// development machine), which is why hashing goes through `HashingGate`.
///
/// Accepted ranges (also applied to parameters read back from storage, so a
/// tampered hash cannot make the server allocate gigabytes):
/// `1 ≤ ln ≤ 20` with `ln < 16 × r`, `1 ≤ r ≤ 16`, `1 ≤ p ≤ 16`, and
/// `128 × 2^ln × r ≤ 1 GiB`. (`r ≤ 16` also keeps within the memory limit
/// swift-crypto passes to BoringSSL, which has one spare page of slack.)
public struct ScryptParameters: Sendable, Equatable {
    /// Why a parameter set is refused.
    public enum ValidationError: Error, Equatable, Sendable {
        /// `ln`, `r` or `p` outside the accepted ranges above.
        case outOfRange
    }

    /// log2 of the CPU/memory cost N.
    public let logN: Int
    /// Block size r.
    public let blockSize: Int
    /// Parallelisation p.
    public let parallelism: Int

    /// Bytes of random salt for new hashes.
    public static let saltLength = 16
    /// Bytes of derived output for new hashes and wrapping keys.
    public static let outputLength = 32

    /// `ln = 17, r = 8, p = 1` (N = 131 072, 128 MiB), the OWASP-recommended minimum.
    public static let `default` = ScryptParameters(unchecked: 17, 8, 1)

    /// A validated parameter set.
    /// - Throws: `ScryptParameters.ValidationError.outOfRange` outside the accepted ranges.
    public init(logN: Int, blockSize: Int = 8, parallelism: Int = 1) throws(ValidationError) {
        guard Self.isAcceptable(logN: logN, blockSize: blockSize, parallelism: parallelism) else {
            throw .outOfRange
        }
        self.init(unchecked: logN, blockSize, parallelism)
    }

    init(unchecked logN: Int, _ blockSize: Int, _ parallelism: Int) {
        self.logN = logN
        self.blockSize = blockSize
        self.parallelism = parallelism
    }

    /// Approximate peak memory of one derivation, in bytes.
    public var memoryBytes: Int { 128 * (1 << logN) * blockSize }

    static func isAcceptable(logN: Int, blockSize: Int, parallelism: Int) -> Bool {
        guard (1...20).contains(logN), (1...16).contains(blockSize), (1...16).contains(parallelism),
              logN < 16 * blockSize
        else { return false }
        return 128 * (1 << logN) * blockSize <= 1 << 30
    }

    /// Runs scrypt; `password` and `salt` are raw bytes.
    /// - Throws: `KDFFailure` if the underlying implementation refuses (not expected for validated parameters).
    func deriveKey(password: [UInt8], salt: [UInt8], outputLength: Int) throws(KDFFailure) -> [UInt8] {
        do {
            let key = try KDF.Scrypt.deriveKey(
                from: password, salt: salt, outputByteCount: outputLength,
                rounds: 1 << logN, blockSize: blockSize, parallelism: parallelism)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw KDFFailure()
        }
    }
}

/// The KDF implementation reported an error (internal; mapped by callers).
struct KDFFailure: Error, Equatable {}
