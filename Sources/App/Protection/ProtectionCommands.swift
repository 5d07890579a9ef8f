import Vapor

/// Registers the data-protection commands: `backup`, `restore`, `audit verify|checkpoint`.
func registerProtectionCommands(_ app: Application) {
}
