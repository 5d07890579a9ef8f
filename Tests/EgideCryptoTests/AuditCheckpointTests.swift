import Crypto
import Foundation
import Testing
@testable import EgideCrypto

@Suite struct AuditCheckpointTests {
    static let signingKey = Curve25519.Signing.PrivateKey()

    static func checkpoint(_ events: [StoredAuditEvent], size: Int) throws -> SignedAuditCheckpoint {
        let head = size == 0 ? AuditChainHead.genesis
            : AuditChainHead(sequence: Int64(size), hash: events[size - 1].hash)
        return try SignedAuditCheckpoint(signing: AuditCheckpoint(head: head, timeMillis: 1_700_000_000_000 + Int64(size)),
                                         with: signingKey)
    }

    @Test func intact_log_passes_its_checkpoints() throws {
        var rng = SplitMix64(state: 11)
        let events = ChainFixture.chain(count: 40, using: &rng)
        let checkpoints = try [0, 10, 25, 40].map { try Self.checkpoint(events, size: $0) }
        let result = try AuditChainVerifier.verify(events, against: checkpoints, publicKey: Self.signingKey.publicKey)
        #expect(result == .intact(head: AuditChainHead(sequence: 40, hash: events[39].hash)))
    }

    @Test func truncated_tail_is_detected_at_the_first_missing_sequence() throws {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            var events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let checkpoint = try Self.checkpoint(events, size: events.count)
            let kept = Int.random(in: 0..<events.count, using: &rng)
            let size = Int64(events.count)
            events.removeLast(events.count - kept)
            // The chain alone cannot tell.
            guard case .intact = AuditChainVerifier.verify(events) else {
                Issue.record("truncated chain should still link, seed \(seed)")
                continue
            }
            let expected = AuditChainFailure(sequence: Int64(kept + 1), kind: .truncated(checkpointSize: size))
            #expect(try AuditChainVerifier.verify(events, against: [checkpoint], publicKey: Self.signingKey.publicKey)
                == .broken(expected), "seed \(seed)")
        }
    }

    @Test func rechained_log_is_detected_at_the_first_checkpoint_covering_the_change() throws {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            var events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let sizes = Array(stride(from: 5, through: events.count, by: 5))
            let checkpoints = try sizes.map { try Self.checkpoint(events, size: $0) }
            let k = Int.random(in: 0..<sizes[sizes.count - 1], using: &rng)
            events[k].record.action = "audit.purge"
            ChainFixture.rechain(&events, from: k)
            // The chain alone cannot tell.
            guard case .intact = AuditChainVerifier.verify(events) else {
                Issue.record("re-chained log should still link, seed \(seed)")
                continue
            }
            let firstCovering = try #require(sizes.first { $0 >= k + 1 })
            let expected = AuditChainFailure(sequence: Int64(firstCovering), kind: .checkpointMismatch)
            #expect(try AuditChainVerifier.verify(events, against: checkpoints, publicKey: Self.signingKey.publicKey)
                == .broken(expected), "seed \(seed)")
        }
    }

    @Test func chain_damage_before_a_checkpoint_is_reported_as_chain_damage() throws {
        var rng = SplitMix64(state: 21)
        var events = ChainFixture.chain(count: 30, using: &rng)
        let checkpoint = try Self.checkpoint(events, size: 30)
        events[6].record.actor = "someone-else"
        #expect(try AuditChainVerifier.verify(events, against: [checkpoint], publicKey: Self.signingKey.publicKey)
            == .broken(AuditChainFailure(sequence: 7, kind: .hashMismatch)))
    }

    @Test func checkpoint_with_a_bad_signature_is_refused() throws {
        var rng = SplitMix64(state: 8)
        let events = ChainFixture.chain(count: 20, using: &rng)
        let genuine = try Self.checkpoint(events, size: 20)
        let otherSigner = try SignedAuditCheckpoint(signing: genuine.checkpoint, with: Curve25519.Signing.PrivateKey())
        #expect(!otherSigner.isValid(for: Self.signingKey.publicKey))
        #expect(throws: SignedAuditCheckpoint.CheckpointError.invalidSignature(size: 20)) {
            try AuditChainVerifier.verify(events, against: [otherSigner], publicKey: Self.signingKey.publicKey)
        }
        // Lowering the size in the serialised form (to hide a truncation) invalidates the signature.
        let lowered = genuine.serialized.replacingOccurrences(of: "\"size\":20", with: "\"size\":15")
        #expect(lowered != genuine.serialized)
        #expect(!(try SignedAuditCheckpoint(serialized: lowered)).isValid(for: Self.signingKey.publicKey))
    }

    @Test func serialised_checkpoint_round_trips_as_json() throws {
        var rng = SplitMix64(state: 4)
        let events = ChainFixture.chain(count: 20, using: &rng)
        let signed = try Self.checkpoint(events, size: 20)
        let text = signed.serialized
        #expect(text.hasPrefix("{\"headHash\":\"\(Hex.encode(events[19].hash))\",\"signature\":\""))
        #expect(text.hasSuffix("\",\"size\":20,\"time\":1700000000020,\"version\":1}"))
        let parsed = try SignedAuditCheckpoint(serialized: text)
        #expect(parsed == signed)
        #expect(parsed.isValid(for: Self.signingKey.publicKey))
    }

    @Test(arguments: ["", "{}", "not json", "{\"headHash\":\"00\",\"signature\":\"\",\"size\":1,\"time\":0,\"version\":1}"])
    func malformed_checkpoint_text_is_rejected(text: String) {
        #expect(throws: SignedAuditCheckpoint.CheckpointError.malformed) { try SignedAuditCheckpoint(serialized: text) }
    }

    @Test func signed_message_has_the_documented_layout() throws {
        let checkpoint = AuditCheckpoint(head: AuditChainHead(sequence: 258, hash: Array(repeating: 0xAB, count: 32)),
                                         timeMillis: 1)
        let expected = Array("egide-audit-checkpoint-v1".utf8) + [0, 0, 0, 0, 0, 0, 1, 2]
            + Array(repeating: 0xAB, count: 32) + [0, 0, 0, 0, 0, 0, 0, 1]
        #expect(checkpoint.signedMessage == expected)
    }
}
