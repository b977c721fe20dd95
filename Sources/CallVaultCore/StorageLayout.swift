/// Checks that the spool, the archive and the index do not overlap.
///
/// With the spool inside the archive (or the same folder), `verify` takes the spool's files for
/// orphans and a retention run could meet inputs; with the index inside the spool, the index would be
/// scanned as input. Paths are absolute and compared component by component (`/a/b` is not inside `/a/bc`).
public enum StorageLayout {
    /// Nil when the three paths are apart, else a sentence naming the clash.
    public static func problem(spool: String, archive: String, database: String) -> String? {
        let s = components(spool), a = components(archive), d = components(database)
        if s == a { return "the spool and the archive are the same folder (\(spool)): give each its own folder" }
        if isInside(s, a) { return "the spool \(spool) is inside the archive \(archive): give each its own folder" }
        if isInside(a, s) { return "the archive \(archive) is inside the spool \(spool): give each its own folder" }
        if isInside(d, s) { return "the index \(database) is inside the spool \(spool): put it beside the spool, not in it" }
        if isInside(d, a) { return "the index \(database) is inside the archive \(archive): put it beside the archive, not in it" }
        return nil
    }

    private static func components(_ path: String) -> [Substring] {
        var out: [Substring] = []
        for part in path.split(separator: "/") where part != "." && !part.isEmpty {
            if part == ".." { _ = out.popLast() } else { out.append(part) }
        }
        return out
    }

    private static func isInside(_ inner: [Substring], _ outer: [Substring]) -> Bool {
        inner.count > outer.count && Array(inner.prefix(outer.count)) == outer
    }
}
