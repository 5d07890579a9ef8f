import Foundation
import Testing
@testable import EgideCrypto

@Suite struct OTPTests {
    static let rfcSecret = Array("12345678901234567890".utf8)

    @Test func hotp_matches_all_rfc4226_appendix_d_values() {
        let expected = ["755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"]
        for (counter, code) in expected.enumerated() {
            #expect(HOTP.code(secret: Self.rfcSecret, counter: UInt64(counter)) == code)
        }
    }

    @Test(arguments: [
        (59.0, "94287082"), (1_111_111_109, "07081804"), (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"), (2_000_000_000, "69279037"), (20_000_000_000, "65353130"),
    ])
    func totp_matches_rfc6238_appendix_b_sha1_values(seconds: Double, code: String) {
        let totp = TOTP(secret: Self.rfcSecret, digits: .eight)
        #expect(totp.code(at: Date(timeIntervalSince1970: seconds)) == code)
    }

    @Test func six_digit_code_is_the_rfc_value_modulo_one_million() {
        let totp = TOTP(secret: Self.rfcSecret)
        #expect(totp.code(at: Date(timeIntervalSince1970: 59)) == "287082")
        #expect(totp.code(at: Date(timeIntervalSince1970: 1_111_111_109)) == "081804")
    }

    @Test func step_beyond_32_bits_is_computed_without_overflow() {
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 20_000_000_000)) == 666_666_666)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 60)) == 2)
    }

    // 1 111 111 111 s lies in step 37 037 037.
    static let now = Date(timeIntervalSince1970: 1_111_111_111)
    static let nowStep: Int64 = 37_037_037

    @Test func current_code_is_accepted_and_returns_its_step() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(at: Self.now)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: nil) == Self.nowStep)
    }

    @Test func replayed_code_is_rejected() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(at: Self.now)
        let used = totp.verify(code: code, at: Self.now, lastUsedStep: nil)
        #expect(used == Self.nowStep)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: used) == nil)
        #expect(totp.verify(code: code, at: Self.now.addingTimeInterval(15), lastUsedStep: used) == nil)
    }

    @Test func previous_step_code_is_accepted() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(forStep: Self.nowStep - 1)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: nil) == Self.nowStep - 1)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: Self.nowStep - 2) == Self.nowStep - 1)
    }

    @Test func replayed_previous_step_code_is_rejected() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(forStep: Self.nowStep - 1)
        let used = totp.verify(code: code, at: Self.now, lastUsedStep: nil)
        #expect(used == Self.nowStep - 1)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: used) == nil)
    }

    @Test func previous_step_code_is_rejected_once_the_current_step_was_used() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(forStep: Self.nowStep - 1)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: Self.nowStep) == nil)
    }

    @Test func code_from_two_steps_ago_is_rejected() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(forStep: Self.nowStep - 2)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test func code_from_the_next_step_is_rejected() {
        let totp = TOTP(secret: Self.rfcSecret)
        let code = totp.code(forStep: Self.nowStep + 1)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test func wrong_code_is_rejected() {
        let totp = TOTP(secret: Self.rfcSecret)
        let good = totp.code(at: Self.now)
        let wrong = String(good.dropLast()) + (good.last == "0" ? "1" : "0")
        #expect(totp.verify(code: wrong, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test(arguments: ["", "12345", "1234567", "12345a", "12 345", " 123456", "١٢٣٤٥٦", "+12345"])
    func malformed_input_is_rejected(code: String) {
        let totp = TOTP(secret: Self.rfcSecret)
        #expect(totp.verify(code: code, at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test func eight_digit_codes_are_verified_with_eight_digit_configuration() {
        let totp = TOTP(secret: Self.rfcSecret, digits: .eight)
        #expect(totp.verify(code: "14050471", at: Self.now, lastUsedStep: nil) == Self.nowStep)
        #expect(totp.verify(code: "050471", at: Self.now, lastUsedStep: nil) == nil)
    }

    @Test func generated_secrets_are_160_bit_and_distinct() {
        let first = TOTP.generateSecret()
        let second = TOTP.generateSecret()
        #expect(first.count == 20)
        #expect(first != second)
    }

    @Test func otpauth_uri_percent_encodes_issuer_and_account() throws {
        let totp = TOTP(secret: Array("Hello!".utf8) + [0xDE, 0xAD, 0xBE, 0xEF])
        let uri = try totp.otpauthURI(issuer: "Égide Org", account: "alice+1@example.org")
        #expect(uri == "otpauth://totp/%C3%89gide%20Org:alice%2B1%40example.org"
            + "?secret=JBSWY3DPEHPK3PXP&issuer=%C3%89gide%20Org&algorithm=SHA1&digits=6&period=30")
    }

    @Test func otpauth_uri_refuses_colons_and_empty_labels() {
        let totp = TOTP(secret: Self.rfcSecret)
        #expect(throws: TOTP.URIError.invalidIssuer) { try totp.otpauthURI(issuer: "a:b", account: "x") }
        #expect(throws: TOTP.URIError.invalidIssuer) { try totp.otpauthURI(issuer: "", account: "x") }
        #expect(throws: TOTP.URIError.invalidAccount) { try totp.otpauthURI(issuer: "Egide", account: "x:y") }
    }

    @Test func constant_time_equality_distinguishes_every_position() {
        let base: [UInt8] = Array(repeating: 7, count: 16)
        #expect(ConstantTime.equals(base, base))
        for index in base.indices {
            var other = base
            other[index] ^= 0x80
            #expect(!ConstantTime.equals(base, other))
        }
        #expect(!ConstantTime.equals(base, base.dropLast()))
    }
}
