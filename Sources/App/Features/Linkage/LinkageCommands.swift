import EgideCore
import EgideCrypto
import Fluent
import Foundation
import Vapor

/// `egide linkage score | export | compare | resolve`: the record-linkage engine from the command
/// line (docs/LINKAGE.md).
struct LinkageCommands: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] {
        ["score": LinkageScoreCommand(), "export": LinkageExportCommand(), "compare": LinkageCompareCommand(), "resolve": LinkageResolveCommand(),
         "reindex": LinkageReindexCommand()]
    }
    var help: String { "Name similarity, and linkage with another instance through Bloom-filter encodings." }
}

/// Reads `name<TAB>name` lines on standard input and prints one similarity in [0, 1] per line.
struct LinkageScoreCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Reads tab-separated pairs of names on standard input; prints one similarity in [0, 1] per line, same order." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let names = NameComparator()
        var number = 0
        while let line = readLine(strippingNewline: true) {
            number += 1
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw CommandFailure(message: "egide linkage score: line \(number): expected two names separated by one tab, found \(parts.count) field(s)")
            }
            print(String(format: "%.6f", names.similarity(String(parts[0]), String(parts[1]))))
        }
    }
}

/// The people an instance has supported, for export: beneficiaries of grants that went past a
/// decision and the defenders of protection cases. Each is named outside by an opaque id, a
/// keyed tag of its record that only this instance can resolve (`egide linkage resolve`).
enum SupportedPeople {
    struct Person {
        var opaqueID: String
        var label: String
        var name: String
        var birth: String?
    }

    static func all(app: Application) async throws -> [Person] {
        var people: [Person] = []
        for grant in try await GrantRecord.query(on: app.db).filter(\.$state !~ [.draft, .withdrawn, .rejected]).all() {
            let details = try GrantContent.open(grant, vault: app.vault)
            people.append(Person(opaqueID: try opaque("grant:\(try grant.requireID())", app), label: "grant \(grant.code)",
                                 name: details.beneficiary, birth: nil))
        }
        for person in try await CasePersonRecord.query(on: app.db).filter(\.$role == .defender).all() {
            let id = try person.requireID()
            let identity = try CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(person.organisationID),
                                                CasePersonRecord.ref(id, "identity"), vault: app.vault)
            let code = try await CaseRecord.find(person.caseID, on: app.db)?.code ?? "?"
            people.append(Person(opaqueID: try opaque("case-person:\(id)", app), label: "defender of case \(code)", name: identity.name,
                                 birth: identity.dateOfBirth))
        }
        return people
    }

    static func opaque(_ record: String, _ app: Application) throws -> String {
        try app.vault.uniqueTag("linkage.export", record).prefix(12).map { String(format: "%02x", $0) }.joined()
    }
}

/// The file two instances exchange: opaque ids and Bloom filters, nothing else.
struct LinkageExport: Codable {
    var format = "egide-clk-v1"
    var bits: Int
    var hashes: Int
    var records: [Record]
    struct Record: Codable {
        var id: String
        var clk: String
    }

    static func read(_ path: String) throws -> LinkageExport {
        guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "egide linkage: cannot read \(path)") }
        guard let export = try? JSONDecoder().decode(LinkageExport.self, from: data), export.format == "egide-clk-v1" else {
            throw CommandFailure(message: "egide linkage: \(path) is not an Egide linkage export (egide-clk-v1)")
        }
        return export
    }

    func filters() throws -> [[UInt64]] {
        try records.map { record in
            guard let data = Data(base64Encoded: record.clk), data.count == bits / 8 else {
                throw CommandFailure(message: "egide linkage: record \(record.id) has no valid \(bits)-bit filter")
            }
            return stride(from: 0, to: data.count, by: 8).map { offset in
                data[data.startIndex + offset ..< data.startIndex + offset + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            }
        }
    }
}

/// Exports and resolutions are in the audit log (ids and counts only).
func auditLinkage(_ app: Application, _ action: String, _ details: [String: String]) async throws {
    let now = app.clock.now()
    try await app.transaction { db in
        try await AuditRecorder.record(.init(actor: .system, organisation: nil, action: action, details: details), at: now, on: db)
    }
}

func linkageSecret(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else { throw CommandFailure(message: "egide linkage: cannot read the secret file \(path)") }
    let secret = [UInt8](data)
    guard secret.count >= 16 else { throw CommandFailure(message: "egide linkage: the secret in \(path) must be at least 16 bytes (agree on one with: openssl rand -hex 32)") }
    return secret
}

struct LinkageExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "secret-file", help: "The secret agreed with the other organisation for this exchange.") var secretFile: String?
        @Option(name: "output", help: "Where to write the export (JSON).") var output: String?
    }
    var help: String { "Writes keyed Bloom-filter encodings of the people this instance supported, under opaque ids." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let secretFile = signature.secretFile, let output = signature.output else {
            throw CommandFailure(message: "egide linkage export: give --secret-file FILE and --output FILE")
        }
        let encoder = try BloomEncoder(secret: try linkageSecret(secretFile), fields: 2)
        let people = try await SupportedPeople.all(app: context.application)
        let records = people.map { person in
            let filter = encoder.encode(BloomLinkage.features(name: person.name, birth: person.birth))
            let bytes = filter.flatMap { word in (0..<8).reversed().map { UInt8(truncatingIfNeeded: word >> UInt64($0 * 8)) } }
            return LinkageExport.Record(id: person.opaqueID, clk: Data(bytes).base64EncodedString())
        }
        let data = try JSONEncoder().encode(LinkageExport(bits: encoder.bits, hashes: encoder.hashes, records: records))
        guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(message: "egide linkage export: cannot write \(output)")
        }
        try await auditLinkage(context.application, "linkage.export", ["records": String(records.count)])
        context.console.output("egide linkage export: \(records.count) people written to \(output). Delete it once compared.".consoleText())
    }
}

struct LinkageCompareCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "ours", help: "This instance's export.") var ours: String
        @Argument(name: "theirs", help: "The other instance's export, made with the same secret.") var theirs: String
        @Option(name: "threshold", help: "Dice similarity at or above which a pair is shown (default 0.8).") var threshold: Double?
    }
    var help: String { "Pairs of opaque ids whose encodings are alike: people both instances may have supported." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let ours = try LinkageExport.read(signature.ours), theirs = try LinkageExport.read(signature.theirs)
        guard ours.bits == theirs.bits, ours.hashes == theirs.hashes else {
            throw CommandFailure(message: "egide linkage compare: the two exports were not made with the same settings")
        }
        let threshold = signature.threshold ?? 0.8
        guard (0.5...1).contains(threshold) else { throw CommandFailure(message: "egide linkage compare: --threshold must be between 0.5 and 1") }
        let matches = BloomLinkage.compare(try ours.filters(), try theirs.filters(), threshold: threshold)
        for match in matches {
            print("\(ours.records[match.left].id)\t\(theirs.records[match.right].id)\t\(String(format: "%.3f", match.similarity))")
        }
        context.console.output("egide linkage compare: \(matches.count) likely pair(s); follow each up with the other organisation through the usual channel.".consoleText())
    }
}

struct LinkageResolveCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "id", help: "An opaque id from this instance's export.") var id: String
    }
    var help: String { "Names the record behind one of this instance's opaque ids (for the officer following up)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let wanted = signature.id.lowercased()
        guard let person = try await SupportedPeople.all(app: context.application).first(where: { $0.opaqueID == wanted }) else {
            throw CommandFailure(message: "egide linkage resolve: no record of this instance has the id \(signature.id)")
        }
        try await auditLinkage(context.application, "linkage.resolve", ["id": wanted])
        context.console.output("\(wanted): \(person.label)".consoleText())
    }
}

/// Rewrites the keyed name tokens of every case person and grant beneficiary with today's rules
/// (the skeleton tokens `CasePeopleLinks` looks candidates up by were added after the first
/// deployments). Safe to run twice and while serving: each person's tokens change in one transaction.
struct LinkageReindexCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Rewrites the keyed name tokens of case people and grant beneficiaries (after an upgrade)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        var people = 0, grants = 0
        for person in try await CasePersonRecord.query(on: app.db).all() {
            let id = try person.requireID()
            let identity = try CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(person.organisationID),
                                                CasePersonRecord.ref(id, "identity"), vault: app.vault)
            let tokens = try CaseQueries.nameTokens(identity, vault: app.vault)
            try await app.transaction { db in
                try await CaseNameTokenRecord.query(on: db).filter(\.$personID == id).delete()
                for token in tokens {
                    try await CaseNameTokenRecord(caseID: person.caseID, personID: id, organisationID: person.organisationID, token: token).create(on: db)
                }
            }
            people += 1
        }
        for grant in try await GrantRecord.query(on: app.db).all() {
            let details = try GrantContent.open(grant, vault: app.vault)
            let id = try grant.requireID()
            try await app.transaction { db in
                try await GrantNameTokenRecord.query(on: db).filter(\.$grantID == id).delete()
                try await GrantWorkflow.writeTokens(grant, details: details, vault: app.vault, on: db)
            }
            grants += 1
        }
        try await auditLinkage(app, "linkage.reindex", ["people": String(people), "grants": String(grants)])
        context.console.output("egide linkage reindex: \(people) case people and \(grants) grants indexed.".consoleText())
    }
}
