@testable import App
@testable import EgideBench
import Testing

@Suite struct BenchParsingTests {
    @Test func the_openssl_speed_line_is_read_as_operations_per_second() {
        let openssl3 = """
            Doing AES-256-GCM for 1s on 256 size blocks: 1745028 AES-256-GCM's in 0.99s
            version: 3.0.19
            """
        #expect(CryptoBench.parseOpenSSL(openssl3) == 1745028.0 / 0.99)
        let older = "Doing aes-256-gcm for 3s on 256 size blocks: 24504261 aes-256-gcm ops in 3.00s"
        #expect(CryptoBench.parseOpenSSL(older) == 24504261.0 / 3.0)
        #expect(CryptoBench.parseOpenSSL("nothing useful") == nil)
    }

    @Test func a_wrk_report_is_read_with_its_latencies_and_errors() {
        let report = """
            Running 10s test @ http://127.0.0.1:8080/en/alert
              1 threads and 32 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency     3.21ms  812.00us  21.40ms   90.12%
                Req/Sec    10.01k   401.22    10.80k    71.00%
              Latency Distribution
                 50%    3.05ms
                 75%    3.40ms
                 90%    3.90ms
                 99%  812.00us
              99634 requests in 10.00s, 1.92GB read
              Socket errors: connect 0, read 2, write 0, timeout 1
              Non-2xx or 3xx responses: 7
            Requests/sec:   9962.41
            Transfer/sec:    196.32MB
            """
        let load = PagesBench.parseWrk(report)
        #expect(load?.perSecond == 9962.41 && load?.requests == 99634)
        #expect(load.map { abs($0.p50 - 0.00305) < 1e-9 && abs($0.p99 - 0.000812) < 1e-9 } == true)
        #expect(load?.unexpected == 7 && load?.socketErrors == 3)
        #expect(PagesBench.parseWrk("wrk: connection refused") == nil)
        #expect(PagesBench.duration("1.50s") == 1.5 && PagesBench.duration("2m") == 120 && PagesBench.duration("abc") == nil)
    }

    @Test func a_page_meets_its_target_only_within_both_rate_and_tail() {
        let floor = PagesBench.Load(perSecond: 20_000, p50: 0.001, p99: 0.002, requests: 1, unexpected: 0, socketErrors: 0)
        var page = PagesBench.Load(perSecond: 6_000, p50: 0.004, p99: 0.030, requests: 1, unexpected: 0, socketErrors: 0)
        #expect(PagesBench.met(PagesBench.publicPage, page, floor: floor))
        page.p99 = 0.060
        #expect(!PagesBench.met(PagesBench.publicPage, page, floor: floor))
        page = PagesBench.Load(perSecond: 4_000, p50: 0.004, p99: 0.010, requests: 1, unexpected: 0, socketErrors: 0)
        #expect(!PagesBench.met(PagesBench.publicPage, page, floor: floor))
        #expect(PagesBench.met(.p50(0.025), page, floor: floor))
    }
}
