import EgideCore
import Foundation
import Vapor

/// What a feature module declares about itself. `Modules.all` lists the modules; the menu, the
/// sign-in landing page, "Needs my attention" and the key-rotation registry are assembled from
/// these declarations, so adding a module means writing its declaration and listing it once here
/// (plus its routes in `routes.swift` and its migrations, in order, in `Migrations.all`).
protocol Module {
    /// Its entries in the main menu.
    static var navigation: [NavigationEntry] { get }
    /// Its record types holding encrypted columns (`EncryptedRecord`): `egide keys rotate`
    /// re-encrypts exactly these, and a test holds them to the live schema.
    static var encryptedRecords: [any EncryptedRecord.Type] { get }
    /// The work of this module waiting on `actor` now, one list per kind of work, for the
    /// "Needs my attention" page (empty when none).
    static func attention(for actor: Actor, on request: Request, now: Date) async throws -> [WorkList]
    /// What it shows on the file of case `caseID` (the caller has authorised reading the case);
    /// `nil` for nothing.
    static func casePanel(_ caseID: UUID, for actor: Actor, on request: Request) async throws -> CasePanel?
}

extension Module {
    static var navigation: [NavigationEntry] { [] }
    static var encryptedRecords: [any EncryptedRecord.Type] { [] }
    static func attention(for actor: Actor, on request: Request, now: Date) async throws -> [WorkList] { [] }
    static func casePanel(_ caseID: UUID, for actor: Actor, on request: Request) async throws -> CasePanel? { nil }
}

/// Every module, in the order their work appears on "Needs my attention".
enum Modules {
    static let all: [any Module.Type] = [
        PlatformModule.self, AlertsModule.self, CasesModule.self, FundModule.self, AppealsModule.self, AdministrationModule.self,
    ]
}
