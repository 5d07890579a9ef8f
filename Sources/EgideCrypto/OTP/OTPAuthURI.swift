/// `otpauth://` provisioning URIs (the de-facto "Key Uri Format" read by
/// authenticator apps from a QR code):
///
///     otpauth://totp/<Issuer>:<account>?secret=<BASE32>&issuer=<Issuer>&algorithm=SHA1&digits=6&period=30
///
/// Issuer and account are UTF-8 percent-encoded, leaving only RFC 3986
/// unreserved characters (`A–Z a–z 0–9 - . _ ~`) literal, so spaces become
/// `%20` (never `+`) and `@` becomes `%40`. The secret is unpadded base32.
extension TOTP {
    /// Why a provisioning URI cannot be built.
    public enum URIError: Error, Equatable, Sendable {
        /// Issuer is empty or contains `:` (apps split the label on the first colon).
        case invalidIssuer
        /// Account is empty or contains `:`.
        case invalidAccount
    }

    /// The provisioning URI for this secret.
    /// - Throws: `TOTP.URIError` when issuer or account is empty or contains a colon.
    public func otpauthURI(issuer: String, account: String) throws(URIError) -> String {
        guard !issuer.isEmpty, !issuer.contains(":") else { throw .invalidIssuer }
        guard !account.isEmpty, !account.contains(":") else { throw .invalidAccount }
        let encodedIssuer = Self.percentEncode(issuer)
        return "otpauth://totp/\(encodedIssuer):\(Self.percentEncode(account))"
            + "?secret=\(Base32.encode(secret))"
            + "&issuer=\(encodedIssuer)"
            + "&algorithm=SHA1&digits=\(digits.rawValue)&period=\(Self.period)"
    }

    /// Percent-encodes every UTF-8 byte outside the RFC 3986 unreserved set.
    static func percentEncode(_ string: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.append(byte)
            default:
                output.append(UInt8(ascii: "%"))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
