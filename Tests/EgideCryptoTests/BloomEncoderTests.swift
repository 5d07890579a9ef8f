import EgideCore
import EgideCrypto
import Testing

@Suite struct BloomEncoderTests {
    @Test func the_same_secret_gives_comparable_filters_and_another_does_not() throws {
        let secret = Array("agreed between both offices!".utf8)
        let ours = try BloomEncoder(secret: secret, fields: 2), theirs = try BloomEncoder(secret: secret, fields: 2)
        let stranger = try BloomEncoder(secret: Array("another secret entirely, 32 b".utf8), fields: 2)
        let a = ours.encode(BloomLinkage.features(name: "Nino Beridze", birth: "1990-07-01"))
        let b = theirs.encode(BloomLinkage.features(name: "Нино Беридзе", birth: "1990-07-01"))
        let c = theirs.encode(BloomLinkage.features(name: "Giorgi Kapanadze", birth: "1971-02-11"))
        #expect(a.count == 16 && a == ours.encode(BloomLinkage.features(name: "Nino Beridze", birth: "1990-07-01")))
        #expect(BloomLinkage.dice(a, b) > 0.9, "one person across scripts")
        #expect(BloomLinkage.dice(a, c) < 0.6)
        #expect(BloomLinkage.dice(a, stranger.encode(BloomLinkage.features(name: "Nino Beridze", birth: "1990-07-01"))) < 0.6,
                "without the secret, a guessed name does not reproduce the filter")
        let matches = BloomLinkage.compare([a, c], [c, b], threshold: 0.8)
        #expect(Set(matches.map { [$0.left, $0.right] }) == [[1, 0], [0, 1]])
        #expect(throws: BloomEncoder.EncoderError.secretTooShort) { try BloomEncoder(secret: [1, 2, 3], fields: 1) }
    }
}
