import EgideCore
import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import SQLKit

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
    fileprivate let row: any SQLRow
    /// Whether the database keeps UUIDs as text (SQLite): they are then read by `UUID(text:)`, not
    /// Foundation's `sscanf`-based parser (4 % of the grant list's processor time).
    fileprivate let uuidsAsText: Bool

    func callAsFunction<Value>(_ field: KeyPath<Model, FieldProperty<Model, Value>>) throws -> Value {
        try decode(ColumnNames.name(field))
    }

    func callAsFunction<Value>(_ field: KeyPath<Model, OptionalFieldProperty<Model, Value>>) throws -> Value? {
        let name = ColumnNames.name(field)
        return try row.decodeNil(column: name) ? nil : decode(name)
    }

    func callAsFunction<Value>(_ field: KeyPath<Model, IDProperty<Model, Value>>) throws -> Value {
        try decode(ColumnNames.name(field))
    }

    private func decode<Value: Decodable>(_ column: String) throws -> Value {
        guard uuidsAsText, Value.self == UUID.self else { return try row.decode(column: column, as: Value.self) }
        guard let id = UUID(text: try row.decode(column: column, as: String.self)) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "\(column) is not a UUID"))
        }
        return id as! Value
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
        let key = Model.path(for: field)[0]
        let column = (key: key, name: Model.schema + "_" + key.description)
        known.withLockedValue { $0[field] = column }
        return column
    }
}

extension QueryBuilder {
    /// This query's rows, reading only `fields` (`[CaseRecord.key(\.$code), …]`).
    func columns(_ fields: [FieldKey]) async throws -> [ColumnRow<Model>] {
        var read = query
        read.action = .read
        read.fields = fields.map { .extendedPath([$0], schema: Model.schema, space: nil) }
        let statement = SQLQueryConverter(delegate: PlainSQLConverter()).convert(read)
        let sql = database as! any SQLDatabase
        let uuidsAsText = sql.dialect.name == "sqlite"
        return try await sql.raw("\(statement)").all().map { ColumnRow(row: $0, uuidsAsText: uuidsAsText) }
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
