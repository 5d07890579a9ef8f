import Crypto
import EgideCore
import Testing
@testable import EgideCrypto

/// The shared deterministic generator (EgideCore), so a failing property case replays from its seed.
typealias SplitMix64 = SeededGenerator

enum ChainFixture {
    static let actions = ["auth.signin", "person.create", "person.update", "case.export", "user.invite"]

    /// A valid chain of `count` events with varied optional fields and details.
    static func chain(count: Int, using rng: inout SplitMix64) -> [StoredAuditEvent] {
        var head = AuditChainHead.genesis
        var events: [StoredAuditEvent] = []
        for index in 0..<count {
            var details: [String: String] = [:]
            for key in ["ip", "reason", "field", "count"] where Bool.random(using: &rng) {
                details[key] = "\(key)-\(Int.random(in: 0..<1000, using: &rng))"
            }
            let record = head.nextRecord(
                timeMillis: 1_700_000_000_000 + Int64(index) * 1_000,
                actor: Bool.random(using: &rng) ? "public" : "user-\(Int.random(in: 1...9, using: &rng))",
                organisation: Bool.random(using: &rng) ? "org-\(Int.random(in: 1...3, using: &rng))" : nil,
                action: actions.randomElement(using: &rng) ?? "x",
                objectType: Bool.random(using: &rng) ? "person" : nil,
                objectID: Bool.random(using: &rng) ? "id-\(index)" : nil,
                details: details)
            let event = StoredAuditEvent(sealing: record)
            events.append(event)
            head = AuditChainHead(sequence: record.sequence, hash: event.hash)
        }
        return events
    }

    /// Recomputes links and hashes from `start` on, as an attacker with write access but no signing key could.
    static func rechain(_ events: inout [StoredAuditEvent], from start: Int) {
        for index in start..<events.count {
            var record = events[index].record
            record.previousHash = index == 0 ? AuditEventRecord.genesisHash : events[index - 1].hash
            events[index] = StoredAuditEvent(sealing: record)
        }
    }

    static var seeds: [UInt64] { (1...40).map { UInt64($0) * 7919 } }
}

@Suite struct AuditChainTests {
    @Test func canonical_encoding_and_hash_match_the_documented_layout() {
        // Expected bytes and hash computed independently in Python from the documented layout.
        let record = AuditEventRecord(
            sequence: 1, timeMillis: 1_700_000_000_123, actor: "public", organisation: nil,
            action: "auth.signin.failed", objectType: "user", objectID: "",
            details: ["zeta": "1", "alpha": "é", "mid": ""], previousHash: AuditEventRecord.genesisHash)
        #expect(Hex.encode(record.canonicalEncoding) ==
            "00000000000000010000018bcfe5687b000000067075626c69630000000012617574682e7369676e696e2e6661696c6564"
            + "01000000047573657201000000000000000300000005616c70686100000002c3a9000000036d696400000000000000047a"
            + "6574610000000131")
        #expect(Hex.encode(record.chainHash) == "5506b5f4278b981d648cc8dacd87ed653fa71321b3ffe6dadf976f5bd829f1e1")
    }

    @Test func nil_and_empty_optionals_and_shifted_detail_boundaries_hash_differently() {
        let base = AuditEventRecord(sequence: 1, timeMillis: 0, actor: "public", organisation: nil, action: "a",
                                    objectType: nil, objectID: nil, details: ["a": "bc"],
                                    previousHash: AuditEventRecord.genesisHash)
        var empty = base
        empty.organisation = ""
        var shifted = base
        shifted.details = ["ab": "c"]
        #expect(base.chainHash != empty.chainHash)
        #expect(base.chainHash != shifted.chainHash)
    }

    @Test func valid_random_chains_verify_and_report_their_head() {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            let events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let last = events[events.count - 1]
            #expect(AuditChainVerifier.verify(events)
                == .intact(head: AuditChainHead(sequence: last.record.sequence, hash: last.hash)))
        }
    }

    @Test func editing_any_field_is_reported_as_a_hash_mismatch_at_that_event() {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            var events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let k = Int.random(in: 0..<events.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0: events[k].record.timeMillis += 1
            case 1: events[k].record.actor += "x"
            case 2: events[k].record.organisation = events[k].record.organisation == nil ? "org-9" : nil
            case 3: events[k].record.action = "audit.disable"
            case 4: events[k].record.objectType = events[k].record.objectType == nil ? "" : nil
            case 5: events[k].record.objectID = (events[k].record.objectID ?? "") + "1"
            default: events[k].record.details["note", default: ""] += "edited"
            }
            let expected = AuditChainFailure(sequence: Int64(k + 1), kind: .hashMismatch)
            #expect(AuditChainVerifier.verify(events) == .broken(expected), "seed \(seed)")
        }
    }

    @Test func deleting_an_event_is_reported_as_a_gap_at_the_missing_sequence() {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            var events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let k = Int.random(in: 0..<(events.count - 1), using: &rng)
            events.remove(at: k)
            let expected = AuditChainFailure(sequence: Int64(k + 1), kind: .sequenceGap(found: Int64(k + 2)))
            #expect(AuditChainVerifier.verify(events) == .broken(expected), "seed \(seed)")
        }
    }

    @Test func inserting_a_well_formed_event_breaks_the_link_of_the_next_one() {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            var events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let k = Int.random(in: 0..<(events.count - 1), using: &rng)
            let previous = k == 0 ? AuditChainHead.genesis
                : AuditChainHead(sequence: Int64(k), hash: events[k - 1].hash)
            let forged = StoredAuditEvent(sealing: previous.nextRecord(
                timeMillis: 1, actor: "attacker", organisation: nil, action: "person.delete"))
            events.insert(forged, at: k)
            for index in (k + 1)..<events.count { events[index].record.sequence += 1 }  // renumbered, not re-hashed
            let expected = AuditChainFailure(sequence: Int64(k + 2), kind: .brokenLink)
            #expect(AuditChainVerifier.verify(events) == .broken(expected), "seed \(seed)")
        }
    }

    @Test func inserting_a_duplicate_sequence_is_reported_as_not_increasing() {
        var rng = SplitMix64(state: 99)
        var events = ChainFixture.chain(count: 30, using: &rng)
        events.insert(events[9], at: 10)
        #expect(AuditChainVerifier.verify(events)
            == .broken(AuditChainFailure(sequence: 11, kind: .sequenceNotIncreasing(found: 10))))
    }

    @Test func swapping_two_events_contents_breaks_the_link_at_the_first_one() {
        for seed in ChainFixture.seeds {
            var rng = SplitMix64(state: seed)
            var events = ChainFixture.chain(count: Int.random(in: 20...50, using: &rng), using: &rng)
            let i = Int.random(in: 0..<(events.count - 1), using: &rng)
            let j = Int.random(in: (i + 1)..<events.count, using: &rng)
            // Rows keep their sequence numbers (the log is read ORDER BY sequence); everything else moves.
            var a = events[j], b = events[i]
            a.record.sequence = Int64(i + 1)
            b.record.sequence = Int64(j + 1)
            events[i] = a
            events[j] = b
            let expected = AuditChainFailure(sequence: Int64(i + 1), kind: .brokenLink)
            #expect(AuditChainVerifier.verify(events) == .broken(expected), "seed \(seed)")
        }
    }

    @Test func swapping_two_rows_in_an_export_is_reported_as_a_sequence_gap() {
        var rng = SplitMix64(state: 5)
        var events = ChainFixture.chain(count: 25, using: &rng)
        events.swapAt(4, 11)
        #expect(AuditChainVerifier.verify(events)
            == .broken(AuditChainFailure(sequence: 5, kind: .sequenceGap(found: 12))))
    }

    @Test func verification_can_continue_from_a_previously_verified_head() {
        var rng = SplitMix64(state: 3)
        let events = ChainFixture.chain(count: 30, using: &rng)
        let anchor = AuditChainHead(sequence: 20, hash: events[19].hash)
        #expect(AuditChainVerifier.verify(events[20...], startingAfter: anchor)
            == .intact(head: AuditChainHead(sequence: 30, hash: events[29].hash)))
        let wrongAnchor = AuditChainHead(sequence: 20, hash: events[18].hash)
        #expect(AuditChainVerifier.verify(events[20...], startingAfter: wrongAnchor)
            == .broken(AuditChainFailure(sequence: 21, kind: .brokenLink)))
    }
}
