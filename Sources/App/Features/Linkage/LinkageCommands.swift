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
            print(try Self.score(line, number: number, names: names))
        }
    }

    /// One output line for one input line (`number` counts from 1, for the error).
    static func score(_ line: String, number: Int, names: NameComparator) throws -> String {
        let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw CommandFailure(message: "egide linkage score: line \(number): expected two names separated by one tab, found \(parts.count) field(s)")
        }
        return String(format: "%.6f", names.similarity(String(parts[0]), String(parts[1])))
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

    /// Grants past a decision to support (never a request still pending), and case defenders.
    /// Records whose keys were destroyed are left out.
    static func all(app: Application, exchange: String) async throws -> [Person] {
        var people: [Person] = []
        for grant in try await GrantRecord.query(on: app.db).filter(\.$state ~~ [.approved, .disbursing, .disbursed, .reportDue, .justified, .closed]).all() {
            guard let details = try? GrantContent.open(grant, vault: app.vault) else { continue }
            people.append(Person(opaqueID: try opaque("grant:\(try grant.requireID())", exchange, app), label: "grant \(grant.code)",
                                 name: details.beneficiary, birth: nil))
        }
        for person in try await CasePersonRecord.query(on: app.db).filter(\.$role == .defender).all() {
            let id = try person.requireID()
            guard let identity = try? CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(person.organisationID),
                                                       CasePersonRecord.ref(id, "identity"), vault: app.vault) else { continue }
            let code = try await CaseRecord.find(person.caseID, on: app.db)?.code ?? "?"
            people.append(Person(opaqueID: try opaque("case-person:\(id)", exchange, app), label: "defender of case \(code)", name: identity.name,
                                 birth: identity.dateOfBirth))
        }
        return people
    }

    /// A keyed tag of the record and the exchange: ids of two exchanges cannot be joined.
    static func opaque(_ record: String, _ exchange: String, _ app: Application) throws -> String {
        try app.vault.uniqueTag("linkage.export", exchange + ":" + record).prefix(12).map { String(format: "%02x", $0) }.joined()
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
        init(id: String, clk: String) { self.id = id; self.clk = clk }
        /// A filter as base64 of its 64-bit words, most significant byte first (`filters()` reads it back).
        init(id: String, filter: [UInt64]) {
            self.id = id
            clk = Data(filter.flatMap { word in (0..<8).reversed().map { UInt8(truncatingIfNeeded: word >> UInt64($0 * 8)) } }).base64EncodedString()
        }
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
        // In random order: the file says nothing of which records are grants or cases.
        let people = try await SupportedPeople.all(app: context.application, exchange: encoder.exchangeID).shuffled()
        let records = people.map { person in
            LinkageExport.Record(id: person.opaqueID, filter: encoder.encode(BloomLinkage.features(name: person.name, birth: person.birth)))
        }
        let data = try JSONEncoder().encode(LinkageExport(bits: encoder.bits, hashes: encoder.hashes, records: records))
        guard FileManager.default.createFile(atPath: output, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CommandFailure(message: "egide linkage export: cannot write \(output)")
        }
        try await auditLinkage(context.application, "linkage.export", ["records": String(records.count)])
        context.console.output(("egide linkage export: \(records.count) people written to \(output). Send it to the party that compares, "
            + "never to the other organisation (it holds the secret); delete it once compared.").consoleText())
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
        @Option(name: "secret-file", help: "The secret of the exchange the id comes from.") var secretFile: String?
    }
    var help: String { "Names the record behind one of this instance's opaque ids (for the officer following up)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let secretFile = signature.secretFile else { throw CommandFailure(message: "egide linkage resolve: give --secret-file FILE (the exchange's secret)") }
        let exchange = try BloomEncoder(secret: try linkageSecret(secretFile), fields: 2).exchangeID
        let wanted = signature.id.lowercased()
        guard let person = try await SupportedPeople.all(app: context.application, exchange: exchange).first(where: { $0.opaqueID == wanted }) else {
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
        // Each record is read again inside its transaction, under a row lock, so an edit made
        // meanwhile is never overwritten with the tokens of the name it replaced.
        for id in try await CasePersonRecord.query(on: app.db).all(\.$id) {
            let done = try await app.transaction { db -> Bool in
                try await lockRow(CasePersonRecord.schema, id: id, on: db)
                guard let person = try await CasePersonRecord.find(id, on: db),
                      let identity = try? CaseContent.open(CaseContent.Identity.self, person.identityCiphertext, owner: Accounts.owner(person.organisationID),
                                                           CasePersonRecord.ref(id, "identity"), vault: app.vault) else { return false }
                try await CaseNameTokenRecord.query(on: db).filter(\.$personID == id).delete()
                for token in try CaseQueries.nameTokens(identity, vault: app.vault) {
                    try await CaseNameTokenRecord(caseID: person.caseID, personID: id, organisationID: person.organisationID, token: token).create(on: db)
                }
                return true
            }
            if done { people += 1 }
        }
        for id in try await GrantRecord.query(on: app.db).all(\.$id) {
            let done = try await app.transaction { db -> Bool in
                try await lockRow(GrantRecord.schema, id: id, on: db)
                guard let grant = try await GrantRecord.find(id, on: db), let details = try? GrantContent.open(grant, vault: app.vault) else { return false }
                try await GrantNameTokenRecord.query(on: db).filter(\.$grantID == id).delete()
                try await GrantWorkflow.writeTokens(grant, details: details, vault: app.vault, on: db)
                return true
            }
            if done { grants += 1 }
        }
        try await auditLinkage(app, "linkage.reindex", ["people": String(people), "grants": String(grants)])
        context.console.output("egide linkage reindex: \(people) case people and \(grants) grants indexed.".consoleText())
    }
}
