import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import Foundation

struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "The caller directory: names and addresses for callers' numbers.",
        subcommands: [Import.self, List.self, Lookup.self])

    /// The directory's columns as `list` prints them (the CSV's own header: a list can be edited and imported again).
    static var columns: [Listing<CallerDirectoryEntry>.Column] {
        var columns: [Listing<CallerDirectoryEntry>.Column] = [.init("number") { .text($0.number) }]
        for (position, name) in CallerDirectoryEntry.columns.dropFirst().enumerated() {
            columns.append(.init(name) { (entry: CallerDirectoryEntry) in .optional(entry.fields[position].value) })
        }
        return columns
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Replace the caller directory with a CSV file.",
            discussion: """
            The CSV has a header: number,name,company,address,city,region,postal_code,country,customer_id,email \
            (number is required; the other columns may be left out or empty). Numbers are read with the \
            configured default_country_code, as everywhere, so a national number matches the E.164 caller \
            the switch wrote. One row per number.

            The file replaces the whole directory in one transaction and is noted in the audit log \
            (directory_imported): errors name FILE:LINE and the field, and nothing of a bad file is applied. \
            Importing the same file again changes nothing. Calls are joined to the directory when read, so \
            `show`, `query` and `report callers` see it at once.

            Example:
              callvault directory import samples/directory.csv --db data/callvault.sqlite
            """)

        @OptionGroup var store: StoreOptions
        @Argument(help: "The directory CSV.") var file: String

        func run() async throws {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw CLIError.input("\(file): cannot read (\((error as NSError).localizedDescription))")
            }
            let countryCode = try store.loadConfig().numberReading.countryCode
            let fingerprint = CallerDirectory.fingerprint(text: text, countryCode: countryCode)
            let file = file
            func parse() throws -> [CallerDirectoryEntry] {
                do {
                    return try CallerDirectoryEntry.parse(csv: text, file: file, defaultCountryCode: countryCode)
                } catch let e as ConfigError { throw CLIError.input(e.description) }
            }
            let r = try store.resolved()
            let result: CallerDirectory.ImportResult?
            let entriesNow: Int
            if let url = try PostgresBackend.url(r.database) {
                (result, entriesNow) = try await PostgresBackend.withIndex(url, config: r.config) { index in
                    let directory = PostgresCallerDirectory(index: index)
                    if try await directory.isImported(fingerprint: fingerprint) { return (nil, try await directory.list().count) }
                    let result = try await directory.replace(with: try parse(), file: file, fingerprint: fingerprint, now: Date())
                    return (result, result.rows)
                }
            } else {
                let (index, _) = try store.openIndex()
                let directory = CallerDirectory(index: index)
                if try directory.isImported(fingerprint: fingerprint) {
                    (result, entriesNow) = (nil, try directory.list().count)
                } else {
                    let replaced = try directory.replace(with: try parse(), file: file, fingerprint: fingerprint, now: Date())
                    (result, entriesNow) = (replaced, replaced.rows)
                }
            }
            guard let result else {
                print("\(file): \(entriesNow) entries, directory unchanged")
                return
            }
            if result.unchanged {
                print("\(file): \(result.rows) entries, directory unchanged")
            } else {
                print("\(file): \(result.rows) entries (\(result.added) new, \(result.changed) changed, \(result.removed) removed)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the caller directory, by number.",
            discussion: """
            Examples:
              callvault directory list --config /etc/callvault.toml
              callvault directory list --format csv > directory-now.csv
            """)
        @OptionGroup var store: StoreOptions
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let r = try store.resolved()
            let entries: [CallerDirectoryEntry]
            if let url = try PostgresBackend.url(r.database) {
                entries = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresCallerDirectory(index: $0).list() }
            } else {
                let (index, _) = try store.openIndex(readOnly: true)
                entries = try CallerDirectory(index: index).list()
            }
            try Listing(entries, table: DirectoryCommand.columns).print(as: format)
        }
    }

    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup",
            abstract: "Print the directory entry of one number.",
            discussion: """
            NUMBER in any notation (read with default_country_code). A number not in the directory \
            exits with status 2, as `show` of an unknown call does.

            Example:
              callvault directory lookup "(415) 555-0170" --format json
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The caller's number, any notation.") var number: String
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let numbers = try store.loadConfig().numberReading
            let normalised = try NumberOption.read(number, with: numbers, option: "NUMBER").value
            let r = try store.resolved()
            let found: CallerDirectoryEntry?
            let place: String
            if let url = try PostgresBackend.url(r.database) {
                found = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresCallerDirectory(index: $0).lookup(normalised) }
                place = url.description
            } else {
                let (index, _) = try store.openIndex(readOnly: true)
                found = try CallerDirectory(index: index).lookup(normalised)
                place = index.path
            }
            guard let entry = found else {
                throw CLIError.notFound("\(normalised) is not in the caller directory of \(place)")
            }
            // JSON: the entry itself, the object `show` prints as caller_directory.
            try Listing([entry], table: DirectoryCommand.columns, json: entry).print(as: format)
        }
    }
}
