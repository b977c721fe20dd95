import ArgumentParser
import CallVaultCore
import CallVaultStore
import Foundation

struct DbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Maintenance of the index itself.",
        subcommands: [RebuildAggregates.self])

    struct RebuildAggregates: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rebuild-aggregates",
            abstract: "Recompute the report aggregates from the calls alone.",
            discussion: """
            Reports read per-quarter and per-day aggregates that SQLite triggers keep up to date with every \
            change to the calls. This empties and refills every derived table (report_quarters, \
            report_campaign_quarters, report_callers, report_first_calls, report_area_quarters, and the per-day \
            report_number_days, report_area_days and report_caller_days with their keys) from the calls rows, in \
            one transaction: interrupted, the index keeps the tables it had. `callvault verify` \
            compares a sample of the aggregates with the calls.

            Example:
              callvault db rebuild-aggregates --db data/callvault.sqlite
            """)

        @OptionGroup var store: StoreOptions

        func run() throws {
            let (index, _) = try store.openIndex()
            let start = Date()
            let calls = try ReportAggregates.rebuild(index)
            print("rebuilt the report aggregates from \(calls) calls in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}
