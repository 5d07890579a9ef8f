import Testing
@testable import EgideCrypto

@Suite struct QRCodeTests {
    static let hello = Array("HELLO WORLD".utf8)
    static let otpauth = Array(("otpauth://totp/Egide:alice%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        + "&issuer=Egide&algorithm=SHA1&digits=6&period=30").utf8)
    /// Printable ASCII 0x20–0x7E twice, then "0123456789": 200 bytes, version 10.
    static let long = Array(UInt8(32)...UInt8(126)) + Array(UInt8(32)...UInt8(126)) + Array("0123456789".utf8)

    static func picture(_ code: QRCode) -> String {
        (0..<code.size).map { y in
            String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "#" : "." })
        }.joined(separator: "\n")
    }

    @Test(arguments: [
        (hello, QRCode.Mask.pattern2, 1, QRReference.helloMask2),
        (hello, .pattern4, 1, QRReference.helloMask4),
        (otpauth, .pattern5, 8, QRReference.otpauthMask5),
        (long, .pattern7, 10, QRReference.longMask7),
    ])
    func forced_mask_matrix_equals_independent_reference(data: [UInt8], mask: QRCode.Mask, version: Int, reference: String) throws {
        let code = try QRCode.encode(bytes: data, mask: mask)
        #expect(code.version == version)
        #expect(code.mask == mask)
        #expect(Self.picture(code) == reference)
    }

    // Penalty per mask 0–7 as computed by qrcodegen 1.8.0 (`_get_penalty_score`).
    @Test(arguments: [
        (hello, [1135, 1090, 1063, 1200, 1011, 1156, 1141, 1197], QRCode.Mask.pattern4),
        (otpauth, [2805, 2443, 2530, 2407, 2293, 2657, 2529, 2492], .pattern4),
        (long, [3087, 3222, 2951, 3032, 3242, 3114, 2914, 3007], .pattern6),
    ])
    func penalty_scores_and_automatic_mask_match_reference(data: [UInt8], scores: [Int], best: QRCode.Mask) throws {
        let computed = try QRCode.Mask.allCases.map { mask in
            let code = try QRCode.encode(bytes: data, mask: mask)
            return QRPenalty.score(size: code.size, modules: code.modules)
        }
        #expect(computed == scores)
        #expect(try QRCode.encode(bytes: data).mask == best)
    }

    @Test func automatic_mask_output_equals_reference_for_hello_world() throws {
        #expect(Self.picture(try QRCode.encode(text: "HELLO WORLD")) == QRReference.helloMask4)
    }

    // ISO/IEC 18004 Table C.1, level M, masks 0–7.
    static let formatStrings = ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
                                "100010111111001", "100000011001110", "100111110010111", "100101010100000"]

    @Test func both_format_information_copies_match_the_iso_table_for_every_mask() throws {
        for mask in QRCode.Mask.allCases {
            let code = try QRCode.encode(bytes: Self.otpauth, mask: mask)
            let n = code.size
            // Copy 1, most significant bit first: (0…5, 8), (7, 8), (8, 8), (8, 7), (8, 5…0).
            var first: [(Int, Int)] = (0...5).map { ($0, 8) } + [(7, 8), (8, 8), (8, 7)]
            first += (0...5).reversed().map { (8, $0) }
            // Copy 2: (8, n−1 … n−7), then (n−8 … n−1, 8).
            let second: [(Int, Int)] = (1...7).map { (8, n - $0) } + (0..<8).map { (n - 8 + $0, 8) }
            let read = { (cells: [(Int, Int)]) in String(cells.map { code.isDark(x: $0.0, y: $0.1) ? "1" : "0" }) }
            #expect(read(first) == Self.formatStrings[mask.rawValue])
            #expect(read(second) == Self.formatStrings[mask.rawValue])
            #expect(code.isDark(x: 8, y: n - 8))  // dark module
        }
    }

    @Test func version_information_matches_the_iso_table() {
        // ISO/IEC 18004 Table D.1.
        #expect(QRTables.versionBits(version: 7) == 0x07C94)
        #expect(QRTables.versionBits(version: 8) == 0x085BC)
        #expect(QRTables.versionBits(version: 10) == 0x0A4D3)
        #expect(QRTables.versionBits(version: 40) == 0x28C69)
    }

    @Test func alignment_positions_match_the_iso_table() {
        #expect(QRTables.alignmentPositions(version: 1) == [])
        #expect(QRTables.alignmentPositions(version: 2) == [6, 18])
        #expect(QRTables.alignmentPositions(version: 7) == [6, 22, 38])
        #expect(QRTables.alignmentPositions(version: 14) == [6, 26, 46, 66])
        #expect(QRTables.alignmentPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRTables.alignmentPositions(version: 36) == [6, 24, 50, 76, 102, 128, 154])
        #expect(QRTables.alignmentPositions(version: 40) == [6, 30, 58, 86, 114, 142, 170])
    }

    @Test func data_capacity_at_level_m_matches_the_iso_table() {
        let expected = [16, 28, 44, 64, 86, 108, 124, 154, 182, 216]
        #expect((1...10).map { QRTables.dataCodewords(version: $0) } == expected)
        #expect(QRTables.dataCodewords(version: 40) == 2334)  // 2 331 bytes after mode and count bits
    }

    @Test(arguments: [(14, 1), (15, 2), (106, 6), (107, 7), (122, 7), (123, 8), (213, 10), (214, 11), (2331, 40)])
    func smallest_fitting_version_is_chosen(byteCount: Int, version: Int) throws {
        let code = try QRCode.encode(bytes: Array(repeating: 0x61, count: byteCount), mask: .pattern0)
        #expect(code.version == version)
        #expect(code.size == 4 * version + 17)
    }

    @Test func data_beyond_version_40_is_rejected() {
        #expect(throws: QRCode.EncodingError.dataTooLong(byteCount: 2332)) {
            try QRCode.encode(bytes: Array(repeating: 0, count: 2332))
        }
    }

    @Test func svg_is_self_contained_and_draws_exactly_the_dark_modules() throws {
        let code = try QRCode.encode(bytes: Self.otpauth)
        let svg = code.svg()
        let extent = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(extent) \(extent)\""))
        #expect(svg.hasSuffix("\"/></svg>"))
        #expect(svg.contains("<rect width=\"\(extent)\" height=\"\(extent)\" fill=\"#fff\"/>"))
        for forbidden in ["<script", "href", "url(", "<image", "<style", "javascript", " on"] {
            #expect(!svg.contains(forbidden))  // no script, no external reference, no event handler
        }

        // Re-rasterise the path: every "M x,y h n v1 h-n z" fills n modules of row y from x.
        let d = try #require(svg.split(separator: "d=\"").last?.split(separator: "\"").first)
        var drawn = Array(repeating: false, count: extent * extent)
        for command in d.split(separator: "M") {
            let parts = command.split(whereSeparator: { ",hvz".contains($0) })
            let x = try #require(Int(parts[0])), y = try #require(Int(parts[1])), run = try #require(Int(parts[2]))
            #expect(parts[3] == "1" && parts[4] == "-\(run)")
            for column in x..<(x + run) { drawn[y * extent + column] = true }
        }
        for y in 0..<extent {
            for x in 0..<extent {
                #expect(drawn[y * extent + x] == code.isDark(x: x - 4, y: y - 4))
            }
        }
    }

    @Test func svg_size_attributes_are_added_only_on_request() throws {
        let code = try QRCode.encode(text: "HELLO WORLD")
        #expect(!code.svg().contains("width=\"116\""))
        #expect(code.svg(pixelsPerModule: 4).contains(" width=\"116\" height=\"116\""))
    }

    @Test func provisioning_uri_of_a_real_secret_fits_in_version_10() throws {
        let totp = TOTP(secret: TOTP.generateSecret())
        let uri = try totp.otpauthURI(issuer: "Egide", account: "defender.with.a.long.name@organisation.example")
        let code = try QRCode.encode(text: uri)
        #expect((1...10).contains(code.version))
    }

    @Test func reed_solomon_matches_the_iso_annex_i_example() {
        // Version 1-M "01234567" (ISO/IEC 18004 Annex I): 16 data codewords → 10 EC codewords.
        let data: [UInt8] = [0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11,
                             0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11]
        let ecc = ReedSolomon.remainder(data[...], generator: ReedSolomon.generator(degree: 10))
        #expect(ecc == [0xA5, 0x24, 0xD4, 0xC1, 0xED, 0x36, 0xC7, 0x87, 0x2C, 0x55])
    }
}
