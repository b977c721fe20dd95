import ArgumentParser
import CallVaultArchive
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import Foundation

struct Query: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Find calls by campaign, number, caller, outcome and time.",
        discussion: """
        Filters combine with AND; --campaign may repeat (any of them). --caller-name matches \
        part of a name, any case (ASCII letters), in the caller directory (`callvault directory`) \
        or the sidecar's caller_name. --redacted lists the calls that had something kept out of the \
        archive: DTMF key presses or spans the sidecar asked for silenced, or a card number replaced \
        in the sidecar (see the redactions, dtmf_tones_masked and redacted_fields fields). Times are ISO dates or \
        timestamps; a date without offset is midnight in --tz (default UTC), and a date given to \
        --until includes that whole day. Newest first by default.

        Examples:
          callvault query --campaign Search-Brand --since 2026-11-01 --until 2026-11-30
          callvault query --outcome missed --caller "(646) 555-0170" \\
              --format csv > missed.csv
          callvault query --unassigned --limit 0 --format json
          callvault query --caller-name "acme" --format json
          callvault query --redacted --since 2026-11-01 --format json
        """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var filters: CallFilterOptions
    @Option(help: "started_at or duration (descending).") var sort: String = "started_at"
    @Option(parsing: .unconditional, help: "At most N calls; 0 for no limit.") var limit: Int = 100
    @Option(help: "table, json or csv.") var format: OutputFormat = .table

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (no limit) or more") }
        if CallQuery.Sort(rawValue: sort) == nil { throw ValidationError("--sort must be started_at or duration") }
    }

    func run() async throws {
        let config = try store.loadConfig()
        var q = try filters.query(numbers: config.numberReading)
        q.sort = CallQuery.Sort(rawValue: sort) ?? .startedAt  // validate() refused any other
        q.ascending = false
        q.limit = limit
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            try await PostgresBackend.withIndex(url, config: r.config) { index in
                let archive = try await PostgresBackend.archiveRoot(index, given: store.givenArchive(r.config), fallback: r.archive)
                let reader = PostgresCallReader(index: index)
                let result = try await reader.calls(q)
                let holds = format == .json ? try await reader.holdNames(covering: result.records.map(\.id)) : [:]
                let directory = format == .json
                    ? try await PostgresCallerDirectory(index: index).entries(for: result.records.compactMap(\.caller)) : [:]
                try output(result, archive: archive, holds: holds, directory: directory)
            }
            return
        }
        let (index, archive) = try store.openIndex(readOnly: true)
        let result = try q.run(index)
        let holds = format == .json ? try Holds(index: index).names(covering: result.records.map(\.id)) : [:]
        let directory = format == .json ? try CallerDirectory(index: index).entries(for: result.records.compactMap(\.caller)) : [:]
        try output(result, archive: archive, holds: holds, directory: directory)
    }

    /// The listing in `--format`, and on stderr how many matched when the limit cut it.
    private func output(_ result: CallQuery.Result, archive: String, holds: [String: [String]],
                       directory: [String: CallerDirectoryEntry]) throws {
        try Listing.calls(result.records, archiveRoot: archive, holds: holds, directory: directory).print(as: format)
        if result.total > result.records.count {
            FileHandle.standardError.write(Data("callvault: showing \(result.records.count) of \(result.total) calls; use --limit 0 for all\n".utf8))
        }
    }
}

extension Outcome: ExpressibleByArgument {}
