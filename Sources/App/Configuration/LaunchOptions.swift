/// The options every data-touching command shares (`serve`, `migrate`, `doctor`, …), taken out of
/// the command line before Vapor's own parser sees it, so one flag means the same for all commands.
public struct LaunchOptions: Sendable, Equatable {
    /// `--data-dir PATH` or `--data-dir=PATH`.
    public var dataDirectory: String?
    /// `--database-url URL` or `--database-url=URL`.
    public var databaseURL: String?
    /// `--unseal`: ask for the key-file passphrase at start (`serve`).
    public var unseal = false
    /// Flags given without a value, reported as configuration problems.
    public var incomplete: [String] = []

    static let dataDirFlag = "--data-dir"
    static let databaseURLFlag = "--database-url"

    /// Splits `arguments` into the shared options and the rest, which goes to Vapor's commands.
    public static func extract(from arguments: [String]) -> (LaunchOptions, [String]) {
        var options = LaunchOptions()
        var rest: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--unseal" {
                options.unseal = true
                index = arguments.index(after: index)
                continue
            }
            var matched = false
            for flag in [dataDirFlag, databaseURLFlag] {
                var value: String?
                if argument == flag {
                    matched = true
                    let next = arguments.index(after: index)
                    if next < arguments.endIndex, !arguments[next].hasPrefix("--") {
                        value = arguments[next]
                        index = next
                    }
                } else if argument.hasPrefix(flag + "=") {
                    matched = true
                    value = String(argument.dropFirst(flag.count + 1))
                }
                guard matched else { continue }
                if let value, !value.isEmpty {
                    if flag == dataDirFlag { options.dataDirectory = value } else { options.databaseURL = value }
                } else {
                    options.incomplete.append(flag)
                }
                break
            }
            if !matched { rest.append(argument) }
            index = arguments.index(after: index)
        }
        return (options, rest)
    }
}
