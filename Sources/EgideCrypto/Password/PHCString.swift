import Foundation

/// Stored password hashes in the PHC string format for scrypt:
///
///     $scrypt$ln=17,r=8,p=1$<salt>$<hash>
///
/// `salt` and `hash` are standard base64 (`+`, `/`) *without* `=` padding, as
/// the PHC format specifies. Parsing is strict: the three parameters must
/// appear in exactly this order as plain decimal numbers without leading
/// zeros, parameters must pass `ScryptParameters` validation, salts must be
/// 8–64 bytes and hashes 16–64 bytes.
struct PHCString: Sendable, Equatable {
    var parameters: ScryptParameters
    var salt: [UInt8]
    var hash: [UInt8]

    var encoded: String {
        "$scrypt$ln=\(parameters.logN),r=\(parameters.blockSize),p=\(parameters.parallelism)"
            + "$\(UnpaddedBase64.encode(salt))$\(UnpaddedBase64.encode(hash))"
    }

    init(parameters: ScryptParameters, salt: [UInt8], hash: [UInt8]) {
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// `nil` for anything that is not a well-formed, acceptable scrypt PHC string.
    init?(parsing string: String) {
        let parts = string.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        guard let parameters = Self.parameters(parts[2]),
              let salt = Self.salt(parts[3]),
              let hash = UnpaddedBase64.decode(parts[4]), (16...64).contains(hash.count)
        else { return nil }
        self.init(parameters: parameters, salt: salt, hash: hash)
    }

    /// Parses `ln=…,r=…,p=…` (exactly this order) into validated parameters.
    static func parameters(_ text: Substring) -> ScryptParameters? {
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 3,
              let logN = number(fields[0], named: "ln"),
              let blockSize = number(fields[1], named: "r"),
              let parallelism = number(fields[2], named: "p")
        else { return nil }
        return try? ScryptParameters(logN: logN, blockSize: blockSize, parallelism: parallelism)
    }

    /// Decodes an unpadded base64 salt of 8–64 bytes.
    static func salt(_ text: Substring) -> [UInt8]? {
        guard let salt = UnpaddedBase64.decode(text), (8...64).contains(salt.count) else { return nil }
        return salt
    }

    private static func number(_ field: Substring, named name: String) -> Int? {
        guard field.hasPrefix(name + "=") else { return nil }
        let digits = field.dropFirst(name.count + 1)
        guard (1...3).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
              digits.first != "0" || digits.count == 1
        else { return nil }
        return Int(digits)
    }
}

/// Standard-alphabet base64 without padding (PHC string format).
enum UnpaddedBase64: Sendable {
    static func encode(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// `nil` if the text contains `=`, characters outside the alphabet, or an impossible length.
    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        guard !text.contains("="), text.count % 4 != 1 else { return nil }
        let padded = String(text) + String(repeating: "=", count: (4 - text.count % 4) % 4)
        guard let data = Data(base64Encoded: padded) else { return nil }
        let bytes = [UInt8](data)
        guard encode(bytes) == text else { return nil }  // reject non-canonical trailing bits
        return bytes
    }
}
