import Fluent
import FluentSQL
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

    func callAsFunction<Value>(_ field: KeyPath<Model, FieldProperty<Model, Value>>) throws -> Value {
        try row.decode(column: ColumnNames.name(field), as: Value.self)
    }

    func callAsFunction<Value>(_ field: KeyPath<Model, OptionalFieldProperty<Model, Value>>) throws -> Value? {
        let name = ColumnNames.name(field)
        return try row.decodeNil(column: name) ? nil : row.decode(column: name, as: Value.self)
    }

    func callAsFunction<Value>(_ field: KeyPath<Model, IDProperty<Model, Value>>) throws -> Value {
        try row.decode(column: ColumnNames.name(field), as: Value.self)
    }
}

/// The name the converter gives each selected column, `<table>_<column>`, found once per field:
/// `Model.path(for:)` makes a whole record to ask it.
private enum ColumnNames {
    /// Key paths are not `Sendable` in Swift 6, but they are immutable values and the box is locked.
    nonisolated(unsafe) private static let names = NIOLockedValueBox<[AnyKeyPath: String]>([:])

    static func name<Model: FluentKit.Model>(_ field: KeyPath<Model, some AnyQueryableProperty>) -> String {
        if let known = names.withLockedValue({ $0[field] }) { return known }
        let name = Model.schema + "_" + Model.path(for: field)[0].description
        names.withLockedValue { $0[field] = name }
        return name
    }
}

extension QueryBuilder {
    /// This query's rows, reading only `fields` (`[CaseRecord.key(\.$code), …]`).
    func columns(_ fields: [FieldKey]) async throws -> [ColumnRow<Model>] {
        var read = query
        read.action = .read
        read.fields = fields.map { .extendedPath([$0], schema: Model.schema, space: nil) }
        let statement = SQLQueryConverter(delegate: PlainSQLConverter()).convert(read)
        return try await (database as! any SQLDatabase).raw("\(statement)").all().map { ColumnRow(row: $0) }
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

extension Model {
    /// The column behind `field`, for `QueryBuilder.columns`.
    static func key(_ field: KeyPath<Self, some AnyQueryableProperty>) -> FieldKey { path(for: field)[0] }
}

/// Fluent's query converter needs a dialect delegate only for schema types; queries convert the same.
package struct PlainSQLConverter: SQLConverterDelegate {
    package func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? { nil }
    package init() {}
}
