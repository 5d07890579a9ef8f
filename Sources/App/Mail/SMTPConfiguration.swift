import NIOCore

/// Where and how to connect to an SMTP server.
public struct SMTPConfiguration: Sendable {
    public enum Security: Sendable, Hashable {
        /// No TLS at all. Only for loopback test servers: credentials are refused unless the host is loopback.
        case plain
        /// Plain connection upgraded with STARTTLS (port 587). Required: if the server does not
        /// offer STARTTLS, `connect` fails before any mail or credentials are sent.
        case startTLS
        /// TLS from the first byte (port 465).
        case implicitTLS
    }

    /// Which certificate authorities are trusted. Hostname verification is always on.
    public enum TrustRoots: Sendable, Hashable {
        /// The system's CA store.
        case system
        /// The system's CA store plus the certificate(s) in a PEM file, e.g. a test CA or a
        /// self-signed test certificate.
        case systemAndPEMFile(String)
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: SMTPCredentials?
    /// The name sent with EHLO; should be this machine's fully qualified domain name.
    public var ehloName: String
    public var trustRoots: TrustRoots
    /// Time allowed for the TCP connection to be established.
    public var connectTimeout: Duration
    /// Time allowed for each reply (greeting, each command, the TLS handshake, the final reply
    /// to DATA). When it expires the connection is closed and `SMTPError.timeout` is thrown.
    public var commandTimeout: Duration

    /// - Parameter port: Defaults to 587 for `.startTLS`, 465 for `.implicitTLS`, 25 for `.plain`.
    public init(
        host: String,
        port: Int? = nil,
        security: Security = .startTLS,
        credentials: SMTPCredentials? = nil,
        ehloName: String = "localhost",
        trustRoots: TrustRoots = .system,
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(60)
    ) {
        self.host = host
        self.security = security
        self.port = port ?? {
            switch security {
            case .plain: 25
            case .startTLS: 587
            case .implicitTLS: 465
            }
        }()
        self.credentials = credentials
        self.ehloName = ehloName
        self.trustRoots = trustRoots
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Checks done before any connection is opened.
    func validate() throws {
        guard !ehloName.isEmpty, ehloName.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SMTPError.invalidConfiguration(reason: "EHLO name must be a non-empty ASCII word")
        }
        guard (1...65535).contains(port) else {
            throw SMTPError.invalidConfiguration(reason: "port \(port) out of range")
        }
        if credentials != nil && security == .plain && !isLoopbackHost {
            throw SMTPError.invalidConfiguration(
                reason: "refusing to send credentials without TLS to the non-loopback host \(host)")
        }
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    var isLoopbackHost: Bool {
        let bare = host.trimmingBrackets
        if bare.lowercased() == "localhost" { return true }
        switch try? SocketAddress(ipAddress: bare, port: 0) {
        case .v4?: return bare.split(separator: ".").first == "127"
        case .v6(let address)?: return SocketAddress.v6(address).ipAddress == "::1"
        default: return false
        }
    }

    /// The name for SNI and certificate verification. Nil for an IP literal: SNI cannot carry one,
    /// and NIOSSL then verifies the certificate against the peer's IP address instead.
    var tlsServerHostname: String? {
        (try? SocketAddress(ipAddress: host.trimmingBrackets, port: 0)) == nil ? host : nil
    }
}

/// A username and password for AUTH PLAIN / AUTH LOGIN. The password never appears in
/// `description`, `debugDescription`, `dump` or any error.
public struct SMTPCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    public var description: String { "SMTPCredentials(username: \(username.debugDescription), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "<redacted>"]) }
}

extension String {
    var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}

extension Duration {
    /// Converts to NIO's `TimeAmount`, saturating instead of overflowing.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        guard seconds < Int64.max / 1_000_000_000 else { return .nanoseconds(.max) }
        return .nanoseconds(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000))
    }
}
