import ArgumentParser

/// `--format` of commands that print a list: an aligned table for people, JSON or CSV for tools.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}
