/// A result that is one value rather than a list (a run's totals, a job's steps, verify's report):
/// the value's JSON for tools, or readable lines for people. ``Listing`` prints lists.
enum SummaryOutput {
    static func print(_ value: some Encodable, json: Bool, text: () -> [String]) throws {
        if json {
            Swift.print(try JSONOutput.string(value))
        } else {
            Swift.print(text().joined(separator: "\n"))
        }
    }
}
