import Foundation
import Logging
import NIOCore

/// Egide's configuration, decoded once at start from the environment and the shared flags.
///
/// `load` validates everything before anything touches the disk: a malformed `DATABASE_URL`
/// and an unwritable data folder are both reported in one `ConfigurationError`.
public struct AppConfig: Sendable {
    /// Where the data lives.
    public enum Database: Sendable, Equatable {
        /// The embedded default: one SQLite file in the data folder.
        case sqlite(path: String)
        /// A PostgreSQL server; `redacted` is the URL without its password, safe to print.
        case postgres(url: String, redacted: String)

        /// `sqlite` or `postgresql`, as `egide doctor` prints it.
        public var kind: String {
            switch self {
            case .sqlite: "sqlite"
            case .postgres: "postgresql"
            }
        }
    }

    /// The data folder (SQLite file, later key files and backups). Created with mode 0700.
    public var dataDirectory: String
    public var database: Database
    /// The folder holding `Resources/` and `Public/` (the working directory by default).
    public var resourcesDirectory: String
    public var logLevel: Logger.Level
    /// Where the key-encryption key lives (`EGIDE_KEK_FILE`, or `egide.kek` in the data folder).
    public var kekFile: String
    /// Whether the key file was put elsewhere than beside the data (`EGIDE_KEK_FILE`).
    public var kekFileIsSeparate: Bool
    /// Sign-in sessions end after this much inactivity (`EGIDE_SESSION_IDLE_MINUTES`, default 30).
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    /// …and after this long whatever the activity (`EGIDE_SESSION_ABSOLUTE_HOURS`, default 12).
    public var sessionAbsoluteTimeout: TimeInterval = 12 * 3600
    /// `Secure` and `__Host-` cookies (default). `EGIDE_INSECURE_COOKIES=1` drops both, for a
    /// development server reached over plain HTTP at an address other than localhost.
    public var secureCookies: Bool = true
    /// The address people use to reach Egide (`EGIDE_BASE_URL`, e.g. https://egide.example.org),
    /// used in links Egide hands out; when unset, loopback addresses are trusted from the request.
    public var publicBaseURL: String?
    /// The mail server appeals are mailed through (`EGIDE_SMTP_URL`, `EGIDE_MAIL_FROM`,
    /// `EGIDE_SMTP_CA_FILE`); `nil`: mailings wait, and the appeals pages say why.
    public var mail: Mail?

    public struct Mail: Sendable {
        public var smtp: SMTPConfiguration
        public var from: MailAddress
    }
    /// Public alerts accepted per minute across the instance (`EGIDE_PUBLIC_ALERTS_PER_MINUTE`;
    /// 0: no limit). Counted from the public alerts of the last minute, for every node together;
    /// nothing about the sender is kept.
    public var publicAlertsPerMinute: Int = 120
    /// Public forms of one kind (`PublicWork`) handled at once on a node before the next get a 503
    /// (`EGIDE_PUBLIC_WORK_LIMIT`, default 32).
    public var publicWorkLimit: Int = 32
    /// Addresses of the reverse proxies in front of Egide (`EGIDE_TRUSTED_PROXIES`, comma-separated
    /// IPs). From them only, the `X-Real-IP` header names the client for the staff sign-in throttle;
    /// nothing else reads it, and no public route looks at any client address.
    public var trustedProxies: Set<String> = []
    /// Templates and `Public/` files read from disk on every request, and no page kept rendered
    /// (`EGIDE_RELOAD_TEMPLATES=1`): for a developer editing them, never in service (docs/DEVELOPMENT.md).
    public var reloadTemplates: Bool = false
    /// `egide serve` answers the pages kept for every signed-out visitor itself, in front of Vapor
    /// (`FrontDoorServer`); `EGIDE_FRONT_DOOR=0` runs Vapor's server alone (docs/DEPLOYMENT.md, "Speed").
    public var frontDoor: Bool = true
    /// scrypt cost for new password hashes: N = 2^scryptLogN (17 in production; tests lower it).
    public var scryptLogN: Int = 17

    public static let defaultDataDirectory = "./egide-data"
    public static let sqliteFileName = "egide.sqlite"

    /// Decodes and validates the configuration; throws every problem found, touching nothing.
    public static func load(
        environment: [String: String],
        options: LaunchOptions,
        workingDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ConfigurationError) -> AppConfig {
        var problems = options.incomplete.map { "\($0) needs a value" }

        let rawDataDir = options.dataDirectory ?? environment["EGIDE_DATA_DIR"] ?? defaultDataDirectory
        let dataDirectory = absolute(rawDataDir, from: workingDirectory)
        problems += DataDirectory.problems(at: dataDirectory)

        var database = Database.sqlite(path: dataDirectory + "/" + sqliteFileName)
        if let url = options.databaseURL ?? environment["DATABASE_URL"], !url.isEmpty {
            switch DatabaseURL.validate(url) {
            case .success(let redacted): database = .postgres(url: url, redacted: redacted)
            case .failure(let problem): problems.append(problem.message)
            }
        }

        var logLevel = Logger.Level.info
        if let raw = environment["EGIDE_LOG_LEVEL"] ?? environment["LOG_LEVEL"] {
            if let level = Logger.Level(rawValue: raw.lowercased()) { logLevel = level } else {
                problems.append("EGIDE_LOG_LEVEL '\(raw)' is not one of trace, debug, info, notice, warning, error, critical")
            }
        }

        let resources = absolute(environment["EGIDE_RESOURCES_DIR"] ?? workingDirectory, from: workingDirectory)
        if !FileManager.default.fileExists(atPath: resources + "/Resources/Views") {
            problems.append("EGIDE_RESOURCES_DIR: no Resources/Views folder in \(resources) (run Egide from its source folder or set EGIDE_RESOURCES_DIR)")
        }

        var kekFile = dataDirectory + "/egide.kek"
        var kekFileIsSeparate = false
        if let path = environment["EGIDE_KEK_FILE"], !path.isEmpty {
            kekFile = absolute(path, from: workingDirectory)
            kekFileIsSeparate = true
            let folder = (kekFile as NSString).deletingLastPathComponent
            if !FileManager.default.fileExists(atPath: folder) {
                problems.append("EGIDE_KEK_FILE: the folder \(folder) does not exist")
            }
        }

        var config = AppConfig(
            dataDirectory: dataDirectory, database: database, resourcesDirectory: resources, logLevel: logLevel,
            kekFile: kekFile, kekFileIsSeparate: kekFileIsSeparate)
        if let raw = environment["EGIDE_SESSION_IDLE_MINUTES"] {
            if let minutes = Int(raw), (1...24 * 60).contains(minutes) { config.sessionIdleTimeout = TimeInterval(minutes * 60) } else {
                problems.append("EGIDE_SESSION_IDLE_MINUTES '\(raw)' is not a number of minutes between 1 and 1440")
            }
        }
        if let raw = environment["EGIDE_SESSION_ABSOLUTE_HOURS"] {
            if let hours = Int(raw), (1...72).contains(hours) { config.sessionAbsoluteTimeout = TimeInterval(hours * 3600) } else {
                problems.append("EGIDE_SESSION_ABSOLUTE_HOURS '\(raw)' is not a number of hours between 1 and 72")
            }
        }
        if let raw = environment["EGIDE_BASE_URL"], !raw.isEmpty {
            if let url = URLComponents(string: raw), ["http", "https"].contains(url.scheme ?? ""), !(url.host ?? "").isEmpty {
                config.publicBaseURL = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            } else {
                problems.append("EGIDE_BASE_URL '\(raw)' is not an http(s) address such as https://egide.example.org")
            }
        }
        if let raw = environment["EGIDE_PUBLIC_ALERTS_PER_MINUTE"] {
            if let limit = Int(raw), (0...100_000).contains(limit) { config.publicAlertsPerMinute = limit } else {
                problems.append("EGIDE_PUBLIC_ALERTS_PER_MINUTE '\(raw)' is not a number between 0 (no limit) and 100000")
            }
        }
        if let raw = environment["EGIDE_PUBLIC_WORK_LIMIT"] {
            if let limit = Int(raw), (1...100_000).contains(limit) { config.publicWorkLimit = limit } else {
                problems.append("EGIDE_PUBLIC_WORK_LIMIT '\(raw)' is not a number between 1 and 100000")
            }
        }
        if let raw = environment["EGIDE_TRUSTED_PROXIES"], !raw.isEmpty {
            let addresses = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let invalid = addresses.filter { (try? SocketAddress(ipAddress: $0, port: 0)) == nil }
            if invalid.isEmpty { config.trustedProxies = Set(addresses) } else {
                problems.append("EGIDE_TRUSTED_PROXIES '\(raw)' must list IP addresses separated by commas, e.g. 127.0.0.1,::1")
            }
        }
        if let insecure = flag("EGIDE_INSECURE_COOKIES", in: environment, problems: &problems) { config.secureCookies = !insecure }
        if let reload = flag("EGIDE_RELOAD_TEMPLATES", in: environment, problems: &problems) { config.reloadTemplates = reload }
        if let frontDoor = flag("EGIDE_FRONT_DOOR", in: environment, problems: &problems) { config.frontDoor = frontDoor }

        config.mail = mail(environment, problems: &problems)
        if config.mail != nil, config.publicBaseURL == nil {
            // Every mail links to the public page and to its unsubscribe address: they must work outside.
            problems.append("EGIDE_SMTP_URL is set: EGIDE_BASE_URL must give the address people reach Egide at, e.g. https://egide.example.org")
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return config
    }

    /// `EGIDE_SMTP_URL` = `smtp+starttls://user:password@host:587` (STARTTLS required),
    /// `smtps://…:465` (TLS from the start) or `smtp://host:25` (no TLS: loopback relays only, and
    /// never with a password to another host); `EGIDE_MAIL_FROM` = `Name <address>` or `address`;
    /// `EGIDE_SMTP_CA_FILE`: a PEM certificate to trust besides the system's.
    static func mail(_ environment: [String: String], problems: inout [String]) -> Mail? {
        guard let raw = environment["EGIDE_SMTP_URL"], !raw.isEmpty else {
            if environment["EGIDE_MAIL_FROM"] != nil { problems.append("EGIDE_MAIL_FROM is set but EGIDE_SMTP_URL is not") }
            return nil
        }
        guard let url = URLComponents(string: raw), let scheme = url.scheme, let host = url.host, !host.isEmpty else {
            problems.append("EGIDE_SMTP_URL is not an address such as smtp+starttls://user:password@mail.example.org:587")
            return nil
        }
        let security: SMTPConfiguration.Security
        switch scheme.lowercased() {
        case "smtp+starttls", "submission": security = .startTLS
        case "smtps": security = .implicitTLS
        case "smtp": security = .plain
        default:
            problems.append("EGIDE_SMTP_URL: the scheme must be smtp+starttls, smtps or smtp (not \(scheme))")
            return nil
        }
        var credentials: SMTPCredentials?
        if let user = url.user, !user.isEmpty { credentials = SMTPCredentials(username: user, password: url.password ?? "") }
        if security == .plain, credentials != nil, !["127.0.0.1", "::1", "localhost"].contains(host) {
            problems.append("EGIDE_SMTP_URL: a password is never sent without TLS to another machine; use smtp+starttls:// or smtps://")
            return nil
        }
        var trust = SMTPConfiguration.TrustRoots.system
        if let file = environment["EGIDE_SMTP_CA_FILE"], !file.isEmpty {
            guard FileManager.default.fileExists(atPath: file) else {
                problems.append("EGIDE_SMTP_CA_FILE: no file at \(file)")
                return nil
            }
            trust = .systemAndPEMFile(file)
        }
        guard let fromText = environment["EGIDE_MAIL_FROM"], !fromText.isEmpty else {
            problems.append("EGIDE_SMTP_URL is set: EGIDE_MAIL_FROM must say who appeals are mailed from, e.g. Observatoire <appels@example.org>")
            return nil
        }
        var address = fromText.trimmingCharacters(in: .whitespaces), name: String?
        if let open = address.lastIndex(of: "<"), address.hasSuffix(">") {
            name = String(address[..<open]).trimmingCharacters(in: .whitespaces)
            address = String(address[address.index(after: open)..<address.index(before: address.endIndex)])
        }
        guard let from = try? MailAddress(address, displayName: name?.isEmpty == false ? name : nil) else {
            problems.append("EGIDE_MAIL_FROM '\(fromText)' is not an e-mail address")
            return nil
        }
        return Mail(smtp: SMTPConfiguration(host: host, port: url.port, security: security, credentials: credentials,
                                            ehloName: ProcessInfo.processInfo.hostName, trustRoots: trust),
                    from: from)
    }

    /// A yes/no variable: 1/true/yes or 0/false/no/empty; nil when unset.
    static func flag(_ name: String, in environment: [String: String], problems: inout [String]) -> Bool? {
        guard let raw = environment[name] else { return nil }
        switch raw.lowercased() {
        case "1", "true", "yes": return true
        case "0", "false", "no", "": return false
        default:
            problems.append("\(name) '\(raw)' must be 1 or 0")
            return nil
        }
    }

    static func absolute(_ path: String, from base: String) -> String {
        let joined = path.hasPrefix("/") ? path : base + "/" + path
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }
}
