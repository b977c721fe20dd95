import Foundation

/// The Prometheus text exposition format as a test reads it: `name value` lines, comments and
/// labels dropped (the metrics file and the `/metrics` endpoint print the same text).
package enum PrometheusText {
    /// Each metric's value by name; a name with several label sets keeps its last line.
    package static func values(_ text: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = String(line.prefix { $0 != " " && $0 != "{" })
            values[name] = line.split(separator: " ").last.flatMap { Double($0) }
        }
        return values
    }

    /// ``values(_:)`` of a file.
    package static func values(file path: String) throws -> [String: Double] {
        values(try String(contentsOfFile: path, encoding: .utf8))
    }
}
