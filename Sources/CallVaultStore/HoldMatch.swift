/// When a legal hold covers a call, as SQL: one text for both backends, so SQLite and PostgreSQL
/// hold exactly the same calls. The two differ only in how a hold's `call_ids` (a JSON array kept
/// as text on both) is unpacked.
///
/// ```swift
/// "SELECT id FROM calls WHERE NOT \(HoldMatch.covered(by: "h.removed_at IS NULL", .postgres))"
/// ```
public enum HoldMatch {
    /// The SQL dialect a condition is written for.
    public enum Dialect: Sendable {
        case sqlite, postgres
    }

    /// True when the hold row `h` covers the `calls` row `calls`: every selector it has matches.
    public static func conditions(_ dialect: Dialect) -> String {
        let listed = switch dialect {
        case .sqlite: "EXISTS (SELECT 1 FROM json_each(h.call_ids) j WHERE j.value = calls.id)"
        case .postgres: "EXISTS (SELECT 1 FROM jsonb_array_elements_text(h.call_ids::jsonb) j WHERE j = calls.id)"
        }
        return """
            (h.call_ids IS NULL OR \(listed))
                AND (h.campaign IS NULL OR h.campaign = calls.campaign)
                AND (h.caller IS NULL OR h.caller = calls.caller)
                AND (h.tracking_number IS NULL OR h.tracking_number = calls.tracking_number)
                AND (h.since IS NULL OR calls.started_at >= h.since)
                AND (h.until IS NULL OR calls.started_at < h.until)
            """
    }

    /// True for a `calls` row when a hold chosen by `holds` (a condition on `h`) covers it.
    public static func covered(by holds: String, _ dialect: Dialect) -> String {
        "EXISTS (SELECT 1 FROM holds h WHERE \(holds) AND \(conditions(dialect)))"
    }

    /// True for a `calls` row under at least one active hold.
    public static func held(_ dialect: Dialect) -> String {
        covered(by: "h.removed_at IS NULL", dialect)
    }

    /// `SELECT id, name` of each (call, active hold covering it) for the calls whose ids are bound
    /// at `idsPlaceholder`, oldest hold first: the `holds` field of `show`, `query` and the API.
    public static func namesSQL(idsIn idsPlaceholder: String, _ dialect: Dialect) -> String {
        """
        SELECT calls.id AS id, h.name AS name FROM calls JOIN holds h ON h.removed_at IS NULL
            AND \(conditions(dialect))
        WHERE calls.id \(idsPlaceholder)
        ORDER BY h.placed_at, h.id
        """
    }
}
