import CallVaultCore
import GRDB

/// An ``Outcome`` is stored as its raw value (`answered`, `missed`, `abandoned`) in `calls.outcome`,
/// and bound as such in queries (`outcome = ?` with `Outcome.missed`).
extension Outcome: DatabaseValueConvertible {}

extension Outcome {
    /// The outcome `text` read for call `id`; a value the index should never hold is an error
    /// naming the call, never a default.
    public static func stored(_ text: String, call id: String) throws -> Outcome {
        try stored(text, in: "call \(id)")
    }

    /// The outcome `text` read from `row` (e.g. `call c0123…`, `report_quarters q=…`); unknown is an error naming it.
    public static func stored(_ text: String, in row: @autoclosure () -> String) throws -> Outcome {
        guard let outcome = Outcome(rawValue: text) else {
            throw IndexError(.unusable, "\(row()): unknown outcome \(text.debugDescription) in the index "
                             + "(expected \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return outcome
    }

    /// `outcome = 'answered'`: a literal for SQL composed in Swift (aggregate triggers, report
    /// conditions) where a bound argument cannot go, built from the raw value.
    public var sqlLiteral: String { "'\(rawValue)'" }

    /// SQL giving the outcome in `column` as its code, the index in ``allCases`` (0 answered,
    /// 1 missed, 2 abandoned), and any other value as it is: a report reading a row per quarter
    /// decodes an integer instead of making a string of each (``Outcome/decode(code:at:in:)``).
    public static func codeSQL(_ column: String) -> String {
        "CASE \(column) " + allCases.enumerated().map { "WHEN \($1.sqlLiteral) THEN \($0)" }.joined(separator: " ") + " ELSE \(column) END"
    }
}

extension Row {
    /// The `outcome` column of a `calls` row whose `id` column is selected too (or `id` given);
    /// an unknown value is an error naming the call.
    public func outcome(column: String = "outcome", call id: String? = nil) throws -> Outcome {
        let value: DatabaseValue = self[column]
        if let outcome = Outcome.fromDatabaseValue(value) { return outcome }
        return try Outcome.stored(String.fromDatabaseValue(value) ?? value.description, call: id ?? (self["id"] as String?) ?? "?")
    }
}
