@testable import App
import Foundation
import Testing

@Suite struct SecretsTests {
    @Test func base64url_matches_foundation_without_padding() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            let foundation = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Secrets.base64URL(bytes) == foundation, "\(length) bytes")
        }
    }

    @Test func tokens_have_the_asked_strength_and_never_repeat() {
        let tokens = (0..<2_000).map { _ in Secrets.token() }
        #expect(Set(tokens).count == tokens.count)
        #expect(tokens.allSatisfy { $0.count == 43 && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" } })
        #expect(Secrets.token(bytes: 18).count == 24)
        // Every bit position is used: the 43rd character carries the last byte's low bits.
        let counts = Dictionary(grouping: tokens.flatMap { Array($0) }, by: { $0 }).mapValues(\.count)
        #expect(counts.count == 64, "all 64 characters appear over 2,000 tokens")
    }
}
