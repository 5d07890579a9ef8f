@testable import App
@testable import EgideBench
import EgideCore
import EgideCrypto
import Foundation
import Testing

@Suite struct IntakeBenchTests {
    @Test func percentiles_are_taken_by_nearest_rank() {
        let values = (1...100).map(Double.init)
        #expect(IntakeBench.percentile(0.50, ofSorted: values) == 50)
        #expect(IntakeBench.percentile(0.99, ofSorted: values) == 99)
        #expect(IntakeBench.percentile(1.00, ofSorted: values) == 100)
        #expect(IntakeBench.percentile(0.00, ofSorted: values) == 1)
        #expect(IntakeBench.percentile(0.99, ofSorted: [7]) == 7)
        #expect(IntakeBench.percentile(0.50, ofSorted: [1, 2, 3]) == 2)
        #expect(IntakeBench.percentile(0.50, ofSorted: []) == 0)
    }

    @Test func the_options_default_to_two_thousand_alerts_from_eight_clients_and_refuse_nonsense() throws {
        let defaults = try IntakeBench.Settings(requests: nil, concurrency: nil)
        #expect(defaults.requests == 2_000 && defaults.concurrency == 8)
        #expect(defaults.warmUp == 32)
        #expect(try IntakeBench.Settings(requests: 10, concurrency: 8).warmUp == 10)
        #expect(throws: CommandFailure.self) { try IntakeBench.Settings(requests: 0, concurrency: 8) }
        #expect(throws: CommandFailure.self) { try IntakeBench.Settings(requests: 100, concurrency: 0) }
        #expect(throws: CommandFailure.self) { try IntakeBench.Settings(requests: 100, concurrency: 1_000) }
    }

    @Test func sample_alerts_are_valid_bilingual_and_carry_a_narrative_of_one_to_two_kilobytes() {
        let categories = Set(AlertCategories.seeded.map(\.code))
        let alerts = (0..<200).map { SampleAlerts.input(number: $0) }
        for alert in alerts {
            let size = alert.narrative?.utf8.count ?? 0
            #expect((1_000...2_000).contains(size), "narrative of \(size) bytes")
            guard case .success = AlertIntake.validate(alert, categories: categories, now: Date(), fallbackLanguage: .en) else {
                Issue.record("sample alert refused: \(alert)")
                continue
            }
        }
        #expect(Set(alerts.compactMap(\.idempotencyKey)).count == alerts.count)
        #expect(Set(alerts.compactMap(\.language)) == ["fr", "en"])
    }

    @Test func processor_time_is_read_from_proc_stat_even_when_the_command_name_has_spaces_and_parentheses() {
        let stat = "1234 (egide (serve) x) S 1 1234 1234 0 -1 4194560 2000 0 0 0 150 30 0 0 20 0 8 0 5000 1000 300"
        #expect(BenchProcess.cpuTicks(stat: stat) == 180)
        #expect(BenchProcess.cpuTicks(stat: "1234 (egide) S 1 2") == nil)
        #expect(BenchProcess.cpuTicks(stat: "garbage") == nil)
    }

    @Test func the_floor_row_seals_each_personal_field_bound_to_its_own_row_and_column() throws {
        var ring = KeyRing()
        try ring.insert(DataKey.generate(), owner: "bench", makeActive: true)
        let cipher = FieldCipher(ring: ring)
        let alert = SampleAlerts.input(number: 1)
        let binds = try IntakeBench.FloorRow.binds(alert, number: 1, cipher: cipher)
        #expect(binds.count == IntakeBench.FloorRow.columns.count)
        #expect(IntakeBench.FloorRow.insert.filter { $0 == "?" }.count == binds.count)
        guard case .text(let id) = binds[0], case .blob(var narrative) = binds[binds.count - 2] else {
            Issue.record("unexpected binds: \(binds)")
            return
        }
        let blob = narrative.readBytes(length: narrative.readableBytes) ?? []
        let opened = try cipher.openString(blob, owner: "bench", context: FieldContext(table: "alerts", recordID: id, field: "narrative"))
        #expect(opened == alert.narrative)
    }
}
