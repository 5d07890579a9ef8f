import EgideCrypto
import Foundation
import Vapor

/// Password rules and hashing for the app: 12 to 128 characters, not one of the 10,000 most common
/// passwords (`Resources/Security/common-passwords.txt`), hashed with scrypt (PHC string, N=2^17 in
/// production) through the shared gate that bounds how many hashes run at once.
package struct PasswordService: Sendable {
    let hasher: EgideCrypto.PasswordHasher
    let common: Set<String>
    let policy = PasswordPolicy()

    init(resources: String, logN: Int) throws {
        let path = resources + "/Resources/Security/common-passwords.txt"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationError(problems: ["the common-password list \(path) is missing"])
        }
        common = Set(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.lowercased() })
        hasher = EgideCrypto.PasswordHasher(parameters: try ScryptParameters(logN: logN))
    }

    /// The catalogue key of what is wrong with `password` as a new password, or `nil`.
    func problem(with password: String) -> String? {
        switch policy.check(password) {
        case .tooShort: return "password.tooShort"
        case .tooLong: return "password.tooLong"
        case nil: break
        }
        return common.contains(password.lowercased()) ? "password.common" : nil
    }

    package func hash(_ password: String) async throws -> String { try await hasher.hash(password) }

    /// Verifies against the stored hash, or does the same work against nothing (unknown account),
    /// so the answer takes as long either way.
    func verify(_ password: String, against stored: String?) async -> Bool {
        guard let stored else {
            _ = await hasher.verifyDummy(password)
            return false
        }
        return (try? await hasher.verify(password, against: stored)) ?? false
    }
}

extension Application {
    private struct PasswordsKey: StorageKey { typealias Value = PasswordService }

    package var passwordService: PasswordService {
        get { storage[PasswordsKey.self]! }
        set { storage[PasswordsKey.self] = newValue }
    }
}
