import ArgumentParser

/// `--format` of commands that print a summary: a readable line, or JSON for machines.
enum SummaryFormat: String, ExpressibleByArgument, CaseIterable { case text, json }
