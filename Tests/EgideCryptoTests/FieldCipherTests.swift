import Crypto
import Testing
@testable import EgideCrypto

@Suite struct FieldCipherTests {
    static let owner = "org-7f3a"
    static let context = FieldContext(table: "people", recordID: "3b1f6c2e-0000-4000-8000-000000000001", field: "full_name")

    static func ring(active key: DataKey = .generate(), owner: String = owner) throws -> KeyRing {
        var ring = KeyRing()
        try ring.insert(key, owner: owner, makeActive: true)
        return ring
    }

    @Test func sealed_value_opens_with_the_same_context() throws {
        let cipher = FieldCipher(ring: try Self.ring())
        let blob = try cipher.seal(string: "Hélène N'Diaye-Kaboré", owner: Self.owner, context: Self.context)
        #expect(try cipher.openString(blob, owner: Self.owner, context: Self.context) == "Hélène N'Diaye-Kaboré")
        let empty = try cipher.seal([], owner: Self.owner, context: Self.context)
        #expect(try cipher.open(empty, owner: Self.owner, context: Self.context) == [])
    }

    @Test func blob_has_the_documented_layout() throws {
        let key = DataKey.generate(id: try KeyID("k2024-01"))
        let cipher = FieldCipher(ring: try Self.ring(active: key))
        let plaintext = Array("secret".utf8)
        let blob = try cipher.seal(plaintext, owner: Self.owner, context: Self.context)
        #expect(blob[0] == 0x01)
        #expect(blob[1] == 8)
        #expect(Array(blob[2..<10]) == Array("k2024-01".utf8))
        #expect(blob.count == 2 + 8 + 12 + plaintext.count + 16)
        #expect(try FieldCipher.keyID(of: blob) == key.id)
        // Decrypt by hand with AES-GCM and the documented associated data.
        var aad = Array("egide-field-v1".utf8) + Array(blob[0..<10])
        for part in [Self.context.table, Self.context.recordID, Self.context.field] {
            let bytes = Array(part.utf8)
            aad += [0, 0, 0, UInt8(bytes.count)] + bytes
        }
        let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: blob[10..<22]),
                                        ciphertext: blob[22..<(blob.count - 16)], tag: blob[(blob.count - 16)...])
        #expect(Array(try AES.GCM.open(box, using: key.key, authenticating: aad)) == plaintext)
    }

    @Test(arguments: [
        FieldContext(table: "people", recordID: "3b1f6c2e-0000-4000-8000-000000000002", field: "full_name"),
        FieldContext(table: "people", recordID: "3b1f6c2e-0000-4000-8000-000000000001", field: "phone"),
        FieldContext(table: "cases", recordID: "3b1f6c2e-0000-4000-8000-000000000001", field: "full_name"),
    ])
    func ciphertext_moved_to_another_row_column_or_table_fails(to other: FieldContext) throws {
        let cipher = FieldCipher(ring: try Self.ring())
        let blob = try cipher.seal(string: "value", owner: Self.owner, context: Self.context)
        #expect(throws: FieldCipher.CipherError.authenticationFailed) {
            try cipher.open(blob, owner: Self.owner, context: other)
        }
    }

    @Test func context_fields_cannot_be_shifted_into_each_other() throws {
        let cipher = FieldCipher(ring: try Self.ring())
        let blob = try cipher.seal(string: "v", owner: Self.owner, context: FieldContext(table: "ab", recordID: "c", field: "d"))
        #expect(throws: FieldCipher.CipherError.authenticationFailed) {
            try cipher.open(blob, owner: Self.owner, context: FieldContext(table: "a", recordID: "bc", field: "d"))
        }
    }

    @Test func flipping_any_single_byte_makes_opening_fail() throws {
        let cipher = FieldCipher(ring: try Self.ring())
        let blob = try cipher.seal(string: "a name worth protecting", owner: Self.owner, context: Self.context)
        for index in blob.indices {
            var tampered = blob
            tampered[index] ^= 0x01
            #expect(throws: FieldCipher.CipherError.self) {
                try cipher.open(tampered, owner: Self.owner, context: Self.context)
            }
        }
    }

    @Test func unknown_key_id_is_reported() throws {
        let sealing = FieldCipher(ring: try Self.ring())
        let blob = try sealing.seal(string: "value", owner: Self.owner, context: Self.context)
        let other = FieldCipher(ring: try Self.ring())
        #expect(throws: FieldCipher.CipherError.unknownKey(try FieldCipher.keyID(of: blob))) {
            try other.open(blob, owner: Self.owner, context: Self.context)
        }
    }

    @Test func key_of_another_owner_is_refused() throws {
        let cipher = FieldCipher(ring: try Self.ring())
        let blob = try cipher.seal(string: "value", owner: Self.owner, context: Self.context)
        #expect(throws: FieldCipher.CipherError.wrongOwner(try FieldCipher.keyID(of: blob))) {
            try cipher.open(blob, owner: "org-other", context: Self.context)
        }
    }

    @Test func malformed_blobs_are_reported_as_such() throws {
        let cipher = FieldCipher(ring: try Self.ring())
        let blob = try cipher.seal(string: "value", owner: Self.owner, context: Self.context)
        #expect(throws: FieldCipher.CipherError.malformedBlob) { try cipher.open([], owner: Self.owner, context: Self.context) }
        #expect(throws: FieldCipher.CipherError.malformedBlob) {
            try cipher.open(Array(blob.prefix(2 + 16 + 12 + 15)), owner: Self.owner, context: Self.context)
        }
        #expect(throws: FieldCipher.CipherError.unsupportedVersion(2)) {
            try cipher.open([2] + blob.dropFirst(), owner: Self.owner, context: Self.context)
        }
    }

    @Test func sealing_without_an_active_key_fails() throws {
        let cipher = FieldCipher(ring: try Self.ring())
        #expect(throws: FieldCipher.CipherError.noActiveKey(owner: "org-new")) {
            try cipher.seal(string: "v", owner: "org-new", context: Self.context)
        }
    }

    @Test func rotated_ring_opens_old_and_new_blobs_and_seals_with_the_new_key() throws {
        let old = DataKey.generate()
        var ring = try Self.ring(active: old)
        let oldBlob = try FieldCipher(ring: ring).seal(string: "before rotation", owner: Self.owner, context: Self.context)

        let new = DataKey.generate()
        try ring.insert(new, owner: Self.owner)
        try ring.activate(new.id, for: Self.owner)
        let cipher = FieldCipher(ring: ring)
        let newBlob = try cipher.seal(string: "after rotation", owner: Self.owner, context: Self.context)

        #expect(try FieldCipher.keyID(of: oldBlob) == old.id)
        #expect(try FieldCipher.keyID(of: newBlob) == new.id)
        #expect(try cipher.openString(oldBlob, owner: Self.owner, context: Self.context) == "before rotation")
        #expect(try cipher.openString(newBlob, owner: Self.owner, context: Self.context) == "after rotation")
    }

    @Test func ring_rejects_duplicates_and_cross_owner_activation() throws {
        let key = DataKey.generate()
        var ring = try Self.ring(active: key)
        #expect(throws: KeyRing.RingError.duplicateKeyID(key.id)) { try ring.insert(key, owner: "org-b") }
        #expect(throws: KeyRing.RingError.keyBelongsToAnotherOwner(key.id)) { try ring.activate(key.id, for: "org-b") }
        try ring.remove(key.id)
        #expect(throws: KeyRing.RingError.noActiveKey(owner: Self.owner)) { try ring.activeKey(for: Self.owner) }
        #expect(throws: KeyRing.RingError.unknownKey(key.id)) { try ring.key(id: key.id) }
    }

    @Test func key_ids_are_validated() throws {
        #expect(KeyID.random().rawValue.count == 16)
        #expect(KeyID.random() != KeyID.random())
        #expect(throws: KeyError.invalidKeyID) { try KeyID("") }
        #expect(throws: KeyError.invalidKeyID) { try KeyID("has space") }
        #expect(throws: KeyError.invalidKeyID) { try KeyID(String(repeating: "a", count: 65)) }
        #expect(throws: KeyError.invalidKeyLength(16)) { try DataKey(id: .random(), key: SymmetricKey(size: .bits128)) }
    }
}

@Suite struct KeyWrappingTests {
    @Test func wrapped_data_key_unwraps_to_the_same_key() throws {
        let kek = KeyEncryptionKey.generate()
        let dek = DataKey.generate()
        let wrapped = try kek.wrap(dek, owner: "org-1")
        let unwrapped = try kek.unwrap(wrapped, owner: "org-1")
        #expect(unwrapped.id == dek.id)
        #expect(unwrapped.key.withUnsafeBytes { Array($0) } == dek.key.withUnsafeBytes { Array($0) })
        #expect(!wrapped.contains(subsequence: dek.key.withUnsafeBytes { Array($0) }))
    }

    @Test func unwrapping_with_another_kek_or_owner_fails() throws {
        let kek = KeyEncryptionKey.generate()
        let wrapped = try kek.wrap(DataKey.generate(), owner: "org-1")
        #expect(throws: KeyEncryptionKey.WrapError.authenticationFailed) {
            try KeyEncryptionKey.generate().unwrap(wrapped, owner: "org-1")
        }
        #expect(throws: KeyEncryptionKey.WrapError.authenticationFailed) { try kek.unwrap(wrapped, owner: "org-2") }
    }

    @Test func wrapped_key_cannot_be_relabelled_or_altered() throws {
        let kek = KeyEncryptionKey.generate()
        let wrapped = try kek.wrap(DataKey.generate(id: try KeyID("aaaa")), owner: "org-1")
        var relabelled = wrapped
        relabelled[2] = UInt8(ascii: "b")
        #expect(throws: KeyEncryptionKey.WrapError.authenticationFailed) { try kek.unwrap(relabelled, owner: "org-1") }
        for index in 6..<wrapped.count {
            var tampered = wrapped
            tampered[index] ^= 0x40
            #expect(throws: KeyEncryptionKey.WrapError.authenticationFailed) { try kek.unwrap(tampered, owner: "org-1") }
        }
        #expect(throws: KeyEncryptionKey.WrapError.malformedWrappedKey) { try kek.unwrap(Array(wrapped.dropLast()), owner: "org-1") }
    }

    static let fast = ScryptParameters(unchecked: 10, 8, 1)

    @Test func passphrase_sealed_kek_round_trips() throws {
        let kek = KeyEncryptionKey.generate()
        let sealed = try PassphraseSealedKEK.seal(kek, passphrase: "operator passphrase, long enough", parameters: Self.fast)
        #expect(sealed.hasPrefix("$egide-kek-v1$ln=10,r=8,p=1$"))
        let recovered = try PassphraseSealedKEK.unseal(sealed, passphrase: "operator passphrase, long enough")
        #expect(recovered.bytes == kek.bytes)
    }

    @Test func wrong_passphrase_is_reported_clearly() throws {
        let sealed = try PassphraseSealedKEK.seal(.generate(), passphrase: "right passphrase", parameters: Self.fast)
        #expect(throws: PassphraseSealedKEK.SealError.wrongPassphrase) {
            try PassphraseSealedKEK.unseal(sealed, passphrase: "wrong passphrase")
        }
    }

    @Test func altered_parameters_or_malformed_text_are_detected() throws {
        let sealed = try PassphraseSealedKEK.seal(.generate(), passphrase: "right passphrase", parameters: Self.fast)
        let downgraded = sealed.replacingOccurrences(of: "ln=10", with: "ln=9")
        #expect(throws: PassphraseSealedKEK.SealError.wrongPassphrase) {
            try PassphraseSealedKEK.unseal(downgraded, passphrase: "right passphrase")
        }
        #expect(throws: PassphraseSealedKEK.SealError.malformed) {
            try PassphraseSealedKEK.unseal("$egide-kek-v1$ln=10,r=8,p=1$abc", passphrase: "right passphrase")
        }
        #expect(throws: PassphraseSealedKEK.SealError.malformed) {
            try PassphraseSealedKEK.unseal(String(sealed.dropLast(4)), passphrase: "right passphrase")
        }
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
