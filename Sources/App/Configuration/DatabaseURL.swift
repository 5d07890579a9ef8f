import Foundation

/// Checks a `DATABASE_URL` before any connection is attempted.
enum DatabaseURL {
    struct Problem: Error { var message: String }

    /// The URL with its password replaced by `***` if it is a usable PostgreSQL URL.
    static func validate(_ raw: String) -> Result<String, Problem> {
        guard let components = URLComponents(string: raw), let scheme = components.scheme else {
            return .failure(Problem(message: "DATABASE_URL is not a URL (expected postgres://user:password@host:5432/database)"))
        }
        guard ["postgres", "postgresql"].contains(scheme.lowercased()) else {
            return .failure(Problem(message: "DATABASE_URL scheme '\(scheme)' is not supported (use postgres://…; leave it unset for the embedded SQLite database)"))
        }
        var missing: [String] = []
        if (components.host ?? "").isEmpty { missing.append("a host") }
        if components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/")).isEmpty { missing.append("a database name") }
        if (components.user ?? "").isEmpty { missing.append("a user") }
        guard missing.isEmpty else {
            return .failure(Problem(message: "DATABASE_URL lacks \(missing.joined(separator: " and ")) (expected postgres://user:password@host:5432/database)"))
        }
        var redacted = components
        if redacted.password != nil { redacted.password = "***" }
        return .success(redacted.string ?? "postgres://…")
    }
}
