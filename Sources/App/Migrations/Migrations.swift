import Fluent

/// Every migration, in the order it runs. Append only; never reorder or edit a shipped one.
enum Migrations {
    static var all: [any Migration] {
        [
            CreateInstance(),
            CreateDataKeys(),
            CreateAuditEvents(),
            CreateOrganisations(),
            CreateUsers(),
            CreateSessionsAndTokens(),
            CreateEncryptedFiles(),
            CreateAlerts(),
            CreateCases(),
            AddAlertIdempotencyIndex(),
            DropAlertIdempotencyIndex(),
            CreateFund(),
            AddFundLedgerIndexes(),
            AddArabicCategoryLabels(),
            CreateThrottles(),
            CreateSetupTokens(),
            CreateChangeCounters(),
            CreateScheduledJobs(),
            CreateAppeals(),
            CreateAppealMailings(),
        ]
    }
}
