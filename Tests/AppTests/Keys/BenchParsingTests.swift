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
}
