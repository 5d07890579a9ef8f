import Vapor

/// Registers the data-protection commands: `backup`, `restore`, `audit verify|checkpoint`.
///
/// EgideMain opens the vault and migrates before `backup` and `audit`; `restore` runs with the
/// configuration only (see `RestoreCommand`).
func registerProtectionCommands(_ app: Application) {
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(AuditCommands(), as: "audit")
}
