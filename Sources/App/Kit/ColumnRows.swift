import EgideCore
import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import SQLiteKit

/// List pages read the columns their rows show, not whole records.
///
/// Fluent fills a model field by field through reflection (`Fields.properties`, which demangles
/// type names) for every record it returns: for a page of 50 alerts, grants or cases that was a third
/// of the page's processor time (docs/DEVELOPMENT.md, "Public pages: benchmark"). `columns(...)`
/// runs the same query — its filters, sorts and range, converted by Fluent's own SQL converter —
/// selecting only the given fields, and hands back rows read by key path: a field that was not
/// selected is a thrown error, never a crash, and nothing read this way can be saved back. It does
/// not add Fluent's soft-delete filter: no Egide record is soft-deleted (a record is kept or
/// deleted, as retention decides), and a model with `@Timestamp(on: .delete)` must not be read so.
struct ColumnRow<Model: FluentKit.Model> {
    fileprivate enum Source {
        /// Read from SQLite directly (`SQLiteColumns`).
        case sqlite(SQLiteRow)
        /// Read through SQLKit (PostgreSQL).
        case sql(any SQLRow)
    }

    fileprivate let source: Source

    // Each kind of field has three readers, chosen when the page is compiled, not per value: a
    // value SQLite gives directly (`SQLiteColumnValue`: numbers, text, dates, data, UUIDs), a
    // string enum (by raw value), anything else (`SQLiteDataDecoder`). Asking at run time which a
    // type is — a dynamic cast per value — cost more than reading the value (5 % of the queue).

    func callAsFunction<Value>(_ field: KeyPath<Model, FieldProperty<Model, Value>>) throws -> Value {
        try read(ColumnNames.name(field)) { _ in nil }
    }

    func callAsFunction<Value: SQLiteColumnValue>(_ field: KeyPath<Model, FieldProperty<Model, Value>>) throws -> Value {
        try read(ColumnNames.name(field), SQLiteColumns.direct)
    }

    func callAsFunction<Value: RawRepresentable>(_ field: KeyPath<Model, FieldProperty<Model, Value>>) throws -> Value where Value.RawValue == String {
        try read(ColumnNames.name(field), SQLiteColumns.rawValue)
    }

    func callAsFunction<Value>(_ field: KeyPath<Model, OptionalFieldProperty<Model, Value>>) throws -> Value? {
        try readOptional(ColumnNames.name(field)) { _ in nil }
    }

    func callAsFunction<Value: SQLiteColumnValue>(_ field: KeyPath<Model, OptionalFieldProperty<Model, Value>>) throws -> Value? {
        try readOptional(ColumnNames.name(field), SQLiteColumns.direct)
    }

    func callAsFunction<Value: RawRepresentable>(_ field: KeyPath<Model, OptionalFieldProperty<Model, Value>>) throws -> Value? where Value.RawValue == String {
        try readOptional(ColumnNames.name(field), SQLiteColumns.rawValue)
    }

    func callAsFunction<Value: SQLiteColumnValue>(_ field: KeyPath<Model, IDProperty<Model, Value>>) throws -> Value {
        try read(ColumnNames.name(field), SQLiteColumns.direct)
    }

    /// The value of `column`: from SQLite by `sqlite`, or when it reads nothing by `SQLiteDataDecoder`
    /// (which gives the error for a value that does not read); through SQLKit otherwise.
    private func read<Value: Decodable>(_ column: String, _ sqlite: (SQLiteData) -> Value?) throws -> Value {
        switch source {
        case .sqlite(let row):
            let data = try SQLiteColumns.data(row, column)
            return try sqlite(data) ?? SQLiteColumns.decoder.decode(Value.self, from: data)
        case .sql(let row):
            return try row.decode(column: column, as: Value.self)
        }
    }

    private func readOptional<Value: Decodable>(_ column: String, _ sqlite: (SQLiteData) -> Value?) throws -> Value? {
        switch source {
        case .sqlite(let row):
            let data = try SQLiteColumns.data(row, column)
            return data == .null ? nil : try sqlite(data) ?? SQLiteColumns.decoder.decode(Value.self, from: data)
        case .sql(let row):
            // postgres-kit reads a column that was not selected as null: an error here, as on SQLite.
            guard row.contains(column: column) else { throw SQLiteColumns.notSelected(column) }
            return try row.decodeNil(column: column) ? nil : row.decode(column: column, as: Value.self)
        }
    }
}

/// Columns read from SQLite without SQLKit's row: sqlite-kit wraps each row and decodes every value
/// through `SQLiteDataDecoder` (an existential row, a dynamic cast, and for an enum a decoder object),
/// and sqlite-nio's futures API, which Fluent's driver uses, hands each row to the event loop as a
/// task of its own. For a page of fifty 14-column rows that was a tenth of the alert queue's
/// processor time. Here the statement runs through the connection's async API (rows collected on
/// the database thread) and values are read as sqlite-kit reads them, by a reader `ColumnRow` picks
/// from the field's type: `SQLiteColumnValue`s directly (UUIDs from their text by `UUID(text:)`, not
/// Foundation's `sscanf`), string enums by raw value, anything else by `SQLiteDataDecoder` — which
/// also gives the errors for a value that does not read.
enum SQLiteColumns {
    private static let encoder = SQLiteDataEncoder()
    static let decoder = SQLiteDataDecoder()

    /// The rows of `statement` on `database`, serialised and bound exactly as sqlite-kit does.
    static func rows(_ statement: any SQLExpression, on database: any SQLiteDatabase, serializer: any SQLDatabase, logger: Logger) async throws -> [SQLiteRow] {
        let (sql, binds) = serializer.serialize(statement)
        let data = try binds.map { try encoder.encode($0) }
        logger.debug("Executing query", metadata: ["sql": "\(sql)"])
        return try await database.withConnection { connection in
            nonisolated(unsafe) var rows: [SQLiteRow] = []
            try await connection.query(sql, data) { rows.append($0) }
            return rows
        }
    }

    static func data(_ row: SQLiteRow, _ column: String) throws -> SQLiteData {
        guard let data = row.column(column) else { throw notSelected(column) }
        return data
    }

    static func notSelected(_ column: String) -> any Error {
        DecodingError.keyNotFound(SomeCodingKey(stringValue: column), .init(codingPath: [], debugDescription: "\(column) was not selected"))
    }

    /// A value SQLite gives directly (`SQLiteColumnValue`).
    static func direct<Value: SQLiteColumnValue>(_ data: SQLiteData) -> Value? { Value(column: data) }

    /// A string enum from its raw value.
    static func rawValue<Value: RawRepresentable>(_ data: SQLiteData) -> Value? where Value.RawValue == String {
        guard case .text(let text) = data else { return nil }
        return Value(rawValue: text)
    }
}

/// Each field's column, and the name the converter gives it when selected (`<table>_<column>`),
/// found once per key path: `Model.path(for:)` makes a whole record to ask (for the alert queue's
/// 40-field record, one per filter and sort of every query).
private enum ColumnNames {
    /// Key paths are not `Sendable` in Swift 6, but they are immutable values and the box is locked.
    nonisolated(unsafe) private static let known = NIOLockedValueBox<[AnyKeyPath: (key: FieldKey, name: String)]>([:])

    static func key<Model: FluentKit.Model>(_ field: KeyPath<Model, some AnyQueryableProperty>) -> FieldKey { column(field).key }

    static func name<Model: FluentKit.Model>(_ field: KeyPath<Model, some AnyQueryableProperty>) -> String { column(field).name }

    private static func column<Model: FluentKit.Model>(_ field: KeyPath<Model, some AnyQueryableProperty>) -> (key: FieldKey, name: String) {
        if let column = known.withLockedValue({ $0[field] }) { return column }
        let path = Model.path(for: field)
        // A nested field (a group's or a JSON path) is not one column: nothing here reads one.
        precondition(path.count == 1, "\(Model.schema): \(path) is not one column")
        let key = path[0]
        let column = (key: key, name: Model.schema + "_" + key.description)
        known.withLockedValue { $0[field] = column }
        return column
    }
}

/// The select list `columns(...)` reads, written once per table, fields and dialect: it is what
/// Fluent's converter writes for the same fields (`"alerts"."id" AS "alerts_id", …`), but SQLKit
/// quotes and escapes every identifier again on every query (4 % of the alert queue's time).
private enum SelectLists {
    private static let written = NIOLockedValueBox<[String: String]>([:])

    static func list(_ fields: [FieldKey], of schema: String, on database: any SQLDatabase) -> SQLRaw {
        let key = ([database.dialect.name, schema] + fields.map(\.description)).joined(separator: "\u{0}")
        if let known = written.withLockedValue({ $0[key] }) { return SQLRaw(known) }
        var serializer = SQLSerializer(database: database)
        SQLList(fields.map { field in
            SQLAlias(SQLColumn(SQLIdentifier(field.description), table: SQLQualifiedTable(schema, space: nil)), as: schema + "_" + field.description)
        }).serialize(to: &serializer)
        let list = serializer.sql
        written.withLockedValue { $0[key] = list }
        return SQLRaw(list)
    }
}

extension QueryBuilder {
    /// This query's rows, reading only `fields` (`[CaseRecord.key(\.$code), …]`).
    func columns(_ fields: [FieldKey]) async throws -> [ColumnRow<Model>] {
        let sql = database as! any SQLDatabase
        var read = query
        read.action = .read
        read.fields = [.custom(SelectLists.list(fields, of: Model.schema, on: sql))]
        let statement = SQLQueryConverter(delegate: PlainSQLConverter()).convert(read)
        if let sqlite = database as? any SQLiteDatabase {
            return try await SQLiteColumns.rows(statement, on: sqlite, serializer: sql, logger: database.logger).map { ColumnRow(source: .sqlite($0)) }
        }
        return try await sql.raw("\(statement)").all().map { ColumnRow(source: .sql($0)) }
    }

    /// How many rows this query selects (`COUNT(id)`), as `count()` gives, without Fluent's run of
    /// it: that finds the model's fields and its soft-delete timestamp by reflection on each call
    /// (for the alert queue's 40-field record, more than the count took).
    func countRows() async throws -> Int {
        var counted = query
        counted.action = .aggregate(.field(.extendedPath([.id], schema: Model.schema, space: nil), .count))
        counted.sorts = []
        counted.limits = []
        counted.offsets = []
        let statement = SQLQueryConverter(delegate: PlainSQLConverter()).convert(counted)
        return try await (database as! any SQLDatabase).raw("\(statement)").first()?.decode(column: "aggregate", as: Int.self) ?? 0
    }
}

extension QueryBuilder {
    /// `filter(\.$field == value)` (or `<`, `!=`, …), with the column found once per key path:
    /// Fluent's operators make a whole record on every call to find it (`ColumnNames`).
    @discardableResult
    func filter<Field: QueryableProperty>(column field: KeyPath<Model, Field>, _ method: DatabaseQuery.Filter.Method, _ value: Field.Value) -> Self
    where Field.Model == Model {
        filter(Model.field(field), method, Field.queryValue(value))
    }

    /// `filter(\.$field ~~ values)`, or with `in: false`, `!~`.
    @discardableResult
    func filter<Field: QueryableProperty>(column field: KeyPath<Model, Field>, in values: some Collection<Field.Value>, _ inside: Bool = true) -> Self
    where Field.Model == Model {
        filter(Model.field(field), inside ? .subset(inverse: false) : .subset(inverse: true), .array(values.map { Field.queryValue($0) }))
    }

    /// `sort(\.$field, direction)`, with the column found once per key path.
    @discardableResult
    func sort<Field: QueryableProperty>(column field: KeyPath<Model, Field>, _ direction: DatabaseQuery.Sort.Direction = .ascending) -> Self
    where Field.Model == Model {
        sort(Model.field(field), direction)
    }
}

extension Model {
    /// The column behind `field`, for `QueryBuilder.columns` (found once per key path).
    static func key(_ field: KeyPath<Self, some AnyQueryableProperty>) -> FieldKey { ColumnNames.key(field) }

    /// The column behind `field` in this model's table, as a query names it.
    static func field(_ field: KeyPath<Self, some AnyQueryableProperty>) -> DatabaseQuery.Field {
        .extendedPath([key(field)], schema: schemaOrAlias, space: spaceIfNotAliased)
    }
}

/// Fluent's query converter needs a dialect delegate only for schema types; queries convert the same.
package struct PlainSQLConverter: SQLConverterDelegate {
    package func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
    package init() {}
}

/// A value SQLite gives directly: `SQLiteDataConvertible`'s types, and UUIDs from their text by
/// `UUID(text:)` (sqlite-nio has no conversion for them: sqlite-kit decodes them as a string, then
/// Foundation parses it with `sscanf`). Declared in this module so that every file's `ColumnRow`
/// reads see the conformances without importing sqlite-nio.
protocol SQLiteColumnValue {
    init?(column data: SQLiteData)
}

extension SQLiteColumnValue where Self: SQLiteDataConvertible {
    init?(column data: SQLiteData) { self.init(sqliteData: data) }
}

extension UUID: SQLiteColumnValue {
    init?(column data: SQLiteData) {
        guard case .text(let text) = data else { return nil }
        self.init(text: text)
    }
}

extension String: SQLiteColumnValue {}
extension Int: SQLiteColumnValue {}
extension Int64: SQLiteColumnValue {}
extension Double: SQLiteColumnValue {}
extension Bool: SQLiteColumnValue {}
extension Date: SQLiteColumnValue {}
extension Data: SQLiteColumnValue {}
