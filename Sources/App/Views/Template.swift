/// Every Leaf template, by name: a typo is a compile error, and tests render each one.
enum Template: String, CaseIterable {
    case home = "home/index"
    case error = "errors/error"
}
