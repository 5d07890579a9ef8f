/// Every problem found in the configuration at once, so an operator fixes them in one go.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// One line per problem, each naming the setting and what is wrong with it.
    public var problems: [String]

    public var description: String {
        (["Egide cannot start: the configuration has \(problems.count) problem(s):"]
            + problems.map { "  - \($0)" }
            + ["Nothing was read or written. Fix the above and start again."])
            .joined(separator: "\n")
    }
}
