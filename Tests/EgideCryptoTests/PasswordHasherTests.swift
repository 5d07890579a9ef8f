import Foundation
import Testing
@testable import EgideCrypto

@Suite struct PasswordHasherTests {
    static let fast = ScryptParameters(unchecked: 10, 8, 1)
    static let hasher = PasswordHasher(parameters: fast, gate: HashingGate(permits: 2))

    @Test func hash_round_trips_and_rejects_a_wrong_password() throws {
        let phc = try Self.hasher.hash("correct horse battery staple")
        #expect(try Self.hasher.verify("correct horse battery staple", against: phc))
        #expect(try !Self.hasher.verify("correct horse battery stapler", against: phc))
        #expect(try !Self.hasher.verify("", against: phc))
    }

    @Test func hash_is_a_phc_string_with_16_byte_salt_and_32_byte_hash() throws {
        let phc = try Self.hasher.hash("correct horse battery staple")
        let parts = phc.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 5)
        #expect(parts[1] == "scrypt" && parts[2] == "ln=10,r=8,p=1")
        #expect(!parts[3].contains("=") && !parts[4].contains("="))
        #expect(UnpaddedBase64.decode(parts[3])?.count == 16)
        #expect(UnpaddedBase64.decode(parts[4])?.count == 32)
    }

    @Test func same_password_gets_a_different_salt_each_time() throws {
        #expect(try Self.hasher.hash("same password here") != Self.hasher.hash("same password here"))
    }

    @Test func hash_made_by_another_implementation_verifies() throws {
        // Python hashlib.scrypt(b"correct horse battery staple", salt=bytes(range(16)), n=1024, r=8, p=1, dklen=32)
        let phc = "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU"
        #expect(try Self.hasher.verify("correct horse battery staple", against: phc))
        #expect(try !Self.hasher.verify("Correct horse battery staple", against: phc))
    }

    @Test func password_is_nfc_normalised_before_hashing() throws {
        // Python: scrypt(NFC("Hélène Sécurité 2024")), same salt and parameters as above.
        let phc = "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$7wzCF4l8iQVRBTuA2EcfVlBHWL0WmeKlK0IfJQtuEW4"
        let precomposed = "H\u{E9}l\u{E8}ne S\u{E9}curit\u{E9} 2024"
        let decomposed = "He\u{301}le\u{300}ne Se\u{301}curite\u{301} 2024"
        #expect(try Self.hasher.verify(precomposed, against: phc))
        #expect(try Self.hasher.verify(decomposed, against: phc))
    }

    @Test func scrypt_matches_the_rfc7914_test_vector() throws {
        let parameters = try ScryptParameters(logN: 10, blockSize: 8, parallelism: 16)
        let key = try parameters.deriveKey(password: Array("password".utf8), salt: Array("NaCl".utf8), outputLength: 64)
        #expect(Hex.encode(key) == "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
            + "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
    }

    @Test(arguments: [
        "", "not a hash", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        "$scrypt$ln=10,r=8$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$r=8,ln=10,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=010,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=25,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=0,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw==$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGh",
        "$scrypt$ln=10,r=8,p=1$AAECAwQFBgcICQoLDA0ODw$mp90zEQd5XGhjEv4WArVH4Z0XRSzkGWtJK2S/AXJlRU$",
    ])
    func unparseable_stored_hash_is_an_error_not_false(phc: String) {
        #expect(throws: PasswordHasher.HashingError.malformedHash) {
            try Self.hasher.verify("correct horse battery staple", against: phc)
        }
    }

    @Test func needs_rehash_when_stored_parameters_are_below_configuration() throws {
        let stronger = PasswordHasher(parameters: try ScryptParameters(logN: 11), gate: HashingGate())
        let phc = try Self.hasher.hash("password for rehash")
        #expect(stronger.needsRehash(phc))
        #expect(!Self.hasher.needsRehash(phc))
        let wider = PasswordHasher(parameters: try ScryptParameters(logN: 10, blockSize: 9), gate: HashingGate())
        #expect(wider.needsRehash(phc))
        #expect(Self.hasher.needsRehash("garbage"))
        #expect(!PasswordHasher(parameters: try ScryptParameters(logN: 9)).needsRehash(phc))
    }

    @Test func default_parameters_meet_the_minimum_cost() {
        let parameters = PasswordHasher().parameters
        #expect(parameters.logN >= 17)
        #expect(parameters.blockSize == 8)
        #expect(parameters.parallelism == 1)
        #expect(parameters.memoryBytes >= 128 * 1024 * 1024)
    }

    @Test func default_parameters_round_trip() throws {
        let hasher = PasswordHasher()
        let phc = try hasher.hash("a reasonably long passphrase")
        #expect(phc.hasPrefix("$scrypt$ln=17,r=8,p=1$"))
        #expect(try hasher.verify("a reasonably long passphrase", against: phc))
    }

    @Test func dummy_verification_uses_the_configured_parameters_and_never_matches() throws {
        let stored = try #require(PHCString(parsing: Self.hasher.dummyHashForTesting))
        #expect(stored.parameters == Self.fast)
        #expect(stored.salt.count == 16 && stored.hash.count == 32)
        #expect(!Self.hasher.verifyDummy("correct horse battery staple"))
        #expect(!Self.hasher.verifyDummy(""))
    }

    @Test func async_entry_points_hash_and_verify() async throws {
        let phc = try await Self.hasher.hash("async password value")
        let ok = try await Self.hasher.verify("async password value", against: phc)
        let wrong = try await Self.hasher.verify("async password valuE", against: phc)
        let dummy = await Self.hasher.verifyDummy("async password value")
        #expect(ok && !wrong && !dummy)
        await #expect(throws: PasswordHasher.HashingError.malformedHash) {
            try await Self.hasher.verify("x", against: "$scrypt$")
        }
    }

    @Test func out_of_range_parameters_are_refused() {
        #expect(throws: ScryptParameters.ValidationError.outOfRange) { try ScryptParameters(logN: 0) }
        #expect(throws: ScryptParameters.ValidationError.outOfRange) { try ScryptParameters(logN: 21) }
        #expect(throws: ScryptParameters.ValidationError.outOfRange) { try ScryptParameters(logN: 10, blockSize: 17) }
        #expect(throws: ScryptParameters.ValidationError.outOfRange) { try ScryptParameters(logN: 10, parallelism: 0) }
        #expect(throws: ScryptParameters.ValidationError.outOfRange) { try ScryptParameters(logN: 20, blockSize: 9) }
    }
}

@Suite struct PasswordPolicyTests {
    let policy = PasswordPolicy()

    @Test func twelve_to_128_characters_are_accepted() {
        #expect(policy.check(String(repeating: "a", count: 12)) == nil)
        #expect(policy.check(String(repeating: "a", count: 128)) == nil)
    }

    @Test func eleven_characters_are_too_short() {
        #expect(policy.check(String(repeating: "a", count: 11)) == .tooShort(minimum: 12, actual: 11))
    }

    @Test func more_than_128_characters_are_too_long() {
        #expect(policy.check(String(repeating: "a", count: 129)) == .tooLong(maximum: 128, actual: 129))
    }

    @Test func length_counts_code_points_after_nfc() {
        // e + combining acute is one character after NFC; 11 of them are still too short.
        let decomposed = String(repeating: "e\u{301}", count: 11)
        #expect(PasswordPolicy.length(of: decomposed) == 11)
        #expect(policy.check(decomposed) == .tooShort(minimum: 12, actual: 11))
        #expect(PasswordPolicy.length(of: "ქართული ენა") == 11)
        #expect(PasswordPolicy.length(of: "كلمة المرور") == 11)
    }
}

@Suite struct HashingGateTests {
    actor Tracker {
        var current = 0
        var peak = 0
        func enter() { current += 1; peak = max(peak, current) }
        func leave() { current -= 1 }
    }

    @Test func no_more_than_the_permitted_number_of_bodies_run_at_once() async {
        let gate = HashingGate(permits: 2)
        let tracker = Tracker()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    await gate.withPermit {
                        await tracker.enter()
                        try? await Task.sleep(for: .milliseconds(30))
                        await tracker.leave()
                    }
                }
            }
        }
        #expect(await tracker.peak == 2)
        #expect(await tracker.current == 0)
        #expect(await gate.waitingCount == 0)
    }

    @Test func permit_is_released_when_the_body_throws() async throws {
        struct Boom: Error, Equatable {}
        let gate = HashingGate(permits: 1)
        await #expect(throws: Boom()) { try await gate.withPermit { () async throws(Boom) in throw Boom() } }
        let value = await gate.withPermit { 42 }  // would wait forever if the permit leaked
        #expect(value == 42)
    }

    /// A flood of sign-in attempts must not take the processor from the threads answering pages:
    /// hashes run on threads of their own at nice 10.
    @Test func hashes_run_on_threads_of_lower_priority() async throws {
        let nice = await withCheckedContinuation { continuation in
            HashingThreads.shared.submit { continuation.resume(returning: HashingThreads.currentNice()) }
        }
        #if os(Linux)
        #expect(nice == 10)
        #endif
        let hasher = PasswordHasher(parameters: try ScryptParameters(logN: 10))
        let hash = try await hasher.hash("correct horse battery staple")
        #expect(try await hasher.verify("correct horse battery staple", against: hash))
    }
}
