import Crypto
import Synchronization
import Testing
@testable import EgideCrypto

/// The libcrypto engine must write exactly what swift-crypto writes (and read it back), fail on every
/// alteration, survive concurrent use, and give way to swift-crypto when libcrypto is missing or wrong.
@Suite struct AESGCMEngineTests {
    static let owner = "org-5c1d"
    static let context = FieldContext(table: "people", recordID: "9d0e4f7a-0000-4000-8000-000000000003", field: "full_name")
    static let sizes = [0, 1, 256, 10 * 1024]

    static func libcrypto() throws -> AESGCMEngine {
        .libcrypto(try #require(LibCrypto.shared, "libcrypto.so.3 should load (CI installs libssl3)"))
    }

    static func cipher(_ engine: AESGCMEngine, key: DataKey = .generate()) throws -> FieldCipher {
        var ring = KeyRing()
        try ring.insert(key, owner: owner, makeActive: true)
        return FieldCipher(ring: ring, engine: engine)
    }

    static func value(_ count: Int, seed: Int = 0) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ seed) }
    }

    /// The associated data as FieldCipher's documentation describes it, built without FieldCipher.
    static func documentedAssociatedData(blob: [UInt8], context: FieldContext) -> [UInt8] {
        var writer = ByteWriter()
        writer.append("egide-field-v1".utf8)
        writer.append(blob[..<(2 + Int(blob[1]))])
        writer.appendLengthPrefixed(context.table)
        writer.appendLengthPrefixed(context.recordID)
        writer.appendLengthPrefixed(context.field)
        return writer.bytes
    }

    @Test func libcrypto_loads_passes_its_check_and_is_preferred() throws {
        let engine = try Self.libcrypto()
        #expect(engine.agreesWithSwiftCrypto())
        #expect(FieldCipher.engineName.hasPrefix("libcrypto (OpenSSL 3"), "\(FieldCipher.engineName)")
        #expect(AESGCMEngine.swiftCrypto.agreesWithSwiftCrypto())
    }

    @Test(arguments: sizes)
    func what_libcrypto_seals_swift_crypto_opens(size: Int) throws {
        let key = DataKey.generate()
        let plaintext = Self.value(size)
        let blob = try Self.cipher(try Self.libcrypto(), key: key).seal(plaintext, owner: Self.owner, context: Self.context)
        let header = 2 + key.id.rawValue.utf8.count
        #expect(blob.count == header + 12 + size + 16)
        let box = try AES.GCM.SealedBox(combined: blob[header...])
        let aad = Self.documentedAssociatedData(blob: blob, context: Self.context)
        #expect(Array(try AES.GCM.open(box, using: key.key, authenticating: aad)) == plaintext)
        // And through FieldCipher on the fallback engine.
        var ring = KeyRing()
        try ring.insert(key, owner: Self.owner, makeActive: true)
        #expect(try FieldCipher(ring: ring, engine: .swiftCrypto).open(blob, owner: Self.owner, context: Self.context) == plaintext)
    }

    @Test(arguments: sizes)
    func what_swift_crypto_seals_libcrypto_opens(size: Int) throws {
        let key = DataKey.generate()
        let plaintext = Self.value(size, seed: 5)
        let header = FieldCipher.header(keyID: key.id)
        let aad = Self.documentedAssociatedData(blob: header, context: Self.context)
        let box = try AES.GCM.seal(plaintext, using: key.key, authenticating: aad)
        let blob = header + Array(try #require(box.combined))
        let libcrypto = try Self.cipher(try Self.libcrypto(), key: key)
        #expect(try libcrypto.open(blob, owner: Self.owner, context: Self.context) == plaintext)
        // And a blob from FieldCipher on the fallback engine.
        var ring = KeyRing()
        try ring.insert(key, owner: Self.owner, makeActive: true)
        let fallbackBlob = try FieldCipher(ring: ring, engine: .swiftCrypto).seal(plaintext, owner: Self.owner, context: Self.context)
        #expect(try libcrypto.open(fallbackBlob, owner: Self.owner, context: Self.context) == plaintext)
    }

    /// Flips one bit in the nonce, the ciphertext or the tag, or opens at another row: always refused.
    @Test func any_altered_byte_or_context_fails_on_libcrypto() throws {
        let cipher = try Self.cipher(try Self.libcrypto())
        for size in Self.sizes {
            let plaintext = Self.value(size, seed: 9)
            let blob = try cipher.seal(plaintext, owner: Self.owner, context: Self.context)
            let header = blob.count - size - 28
            var positions = [header, header + 11, blob.count - 16, blob.count - 1]
            if size > 0 { positions += [header + 12, header + 12 + size - 1] }
            for position in positions {
                var altered = blob
                altered[position] ^= 0x01
                #expect(throws: FieldCipher.CipherError.authenticationFailed, "byte \(position) of \(blob.count)") {
                    try cipher.open(altered, owner: Self.owner, context: Self.context)
                }
            }
            let otherRow = FieldContext(table: Self.context.table, recordID: "9d0e4f7a-0000-4000-8000-000000000004", field: Self.context.field)
            #expect(throws: FieldCipher.CipherError.authenticationFailed) {
                try cipher.open(blob, owner: Self.owner, context: otherRow)
            }
            // One byte short: a shorter tag (or, for an empty value, too short a blob).
            #expect(throws: size == 0 ? FieldCipher.CipherError.malformedBlob : .authenticationFailed) {
                try cipher.open(Array(blob.dropLast()), owner: Self.owner, context: Self.context)
            }
            // A refused blob leaves the cipher working.
            #expect(try cipher.open(blob, owner: Self.owner, context: Self.context) == plaintext)
        }
    }

    @Test func a_key_with_the_same_id_but_other_material_fails_on_libcrypto() throws {
        let engine = try Self.libcrypto()
        let right = DataKey.generate()
        let wrong = DataKey.generate(id: right.id)
        let blob = try Self.cipher(engine, key: right).seal(Self.value(256), owner: Self.owner, context: Self.context)
        #expect(throws: FieldCipher.CipherError.authenticationFailed) {
            try Self.cipher(engine, key: wrong).open(blob, owner: Self.owner, context: Self.context)
        }
    }

    @Test func concurrent_seals_and_opens_return_every_value_with_distinct_nonces() async throws {
        let cipher = try Self.cipher(try Self.libcrypto())
        let tasks = 24, perTask = 300
        let nonces = try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
            for task in 0..<tasks {
                group.addTask {
                    var nonces: [[UInt8]] = []
                    for index in 0..<perTask {
                        let plaintext = Self.value((task * 37 + index) % 600, seed: task &* 1_000 &+ index)
                        let context = FieldContext(table: "people", recordID: "\(task)-\(index)", field: "full_name")
                        let blob = try cipher.seal(plaintext, owner: Self.owner, context: context)
                        guard try cipher.open(blob, owner: Self.owner, context: context) == plaintext else {
                            Issue.record("task \(task) value \(index) did not come back")
                            return []
                        }
                        let header = blob.count - plaintext.count - 28
                        nonces.append(Array(blob[header..<(header + 12)]))
                    }
                    return nonces
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(nonces.count == tasks * perTask)
        #expect(Set(nonces).count == nonces.count)
    }

    @Test func the_swift_crypto_fallback_still_seals_and_opens() throws {
        #expect(LibCrypto.load(path: "libegide-no-such-library.so.9") == nil)
        let cipher = try Self.cipher(.swiftCrypto)
        for size in Self.sizes {
            let plaintext = Self.value(size, seed: 3)
            let blob = try cipher.seal(plaintext, owner: Self.owner, context: Self.context)
            #expect(try cipher.open(blob, owner: Self.owner, context: Self.context) == plaintext)
            var altered = blob
            altered[altered.count - 1] ^= 0x80
            #expect(throws: FieldCipher.CipherError.authenticationFailed) {
                try cipher.open(altered, owner: Self.owner, context: Self.context)
            }
        }
    }

    /// A libcrypto that reports success without writing the tag is caught by the start-up check,
    /// so it would never be preferred.
    @Test func a_misbehaving_libcrypto_fails_the_check() throws {
        guard case .libcrypto(var library) = try Self.libcrypto() else { return }
        library.control = { _, _, _, _ in 1 }
        #expect(!AESGCMEngine.libcrypto(library).agreesWithSwiftCrypto())
    }

    /// Without RAND_bytes the nonces come from the system generator: still distinct, never zero.
    @Test func nonces_come_from_the_system_generator_when_rand_bytes_fails() throws {
        guard case .libcrypto(var library) = try Self.libcrypto() else { return }
        library.randomBytes = { _, _ in 0 }
        let cipher = try Self.cipher(.libcrypto(library))
        var nonces = Set<[UInt8]>()
        for _ in 0..<300 {
            let blob = try cipher.seal(Self.value(16), owner: Self.owner, context: Self.context)
            #expect(try cipher.open(blob, owner: Self.owner, context: Self.context) == Self.value(16))
            nonces.insert(Array(blob[(blob.count - 44)..<(blob.count - 32)]))
        }
        #expect(nonces.count == 300)
        #expect(!nonces.contains([UInt8](repeating: 0, count: 12)))
    }

    /// RAND_bytes calls made through `countingRandomBytes`.
    static let randomBytesCalls = Atomic<Int>(0)

    /// Nonces are drawn in batches; after a fork (simulated) the child's batch is drawn again.
    @Test func nonces_are_drawn_in_batches_and_drawn_again_after_a_fork() throws {
        guard case .libcrypto(var library) = try Self.libcrypto() else { return }
        library.randomBytes = { buffer, count in
            AESGCMEngineTests.randomBytesCalls.add(1, ordering: .relaxed)
            var generator = SystemRandomNumberGenerator()
            for index in 0..<Int(count) { buffer![index] = generator.next() }
            return 1
        }
        let cipher = try Self.cipher(.libcrypto(library))
        func seal(_ count: Int) throws {
            for _ in 0..<count { _ = try cipher.seal(Self.value(16), owner: Self.owner, context: Self.context) }
        }
        try seal(10)
        #expect(Self.randomBytesCalls.load(ordering: .relaxed) == 1)
        LibCrypto.forkGeneration.add(1, ordering: .relaxed)
        try seal(1)
        #expect(Self.randomBytesCalls.load(ordering: .relaxed) == 2)
        try seal(10)
        #expect(Self.randomBytesCalls.load(ordering: .relaxed) == 2)
    }
}
