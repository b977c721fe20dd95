import ArgumentParser
import CallVaultCore
import CallVaultStore
import Foundation

struct DirectoryCommand: ParsableCommand {
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

    struct Import: ParsableCommand {
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

        func run() throws {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw CLIError.input("\(file): cannot read (\((error as NSError).localizedDescription))")
            }
            let countryCode = try store.loadConfig().numberReading.countryCode
            let (index, _) = try store.openIndex()
            let directory = CallerDirectory(index: index)
            let fingerprint = CallerDirectory.fingerprint(text: text, countryCode: countryCode)
            if try directory.isImported(fingerprint: fingerprint) {
                print("\(file): \(try directory.list().count) entries, directory unchanged")
                return
            }
            let entries: [CallerDirectoryEntry]
            do {
                entries = try CallerDirectoryEntry.parse(csv: text, file: file, defaultCountryCode: countryCode)
            } catch let e as ConfigError { throw CLIError.input(e.description) }
            let result = try directory.replace(with: entries, file: file, fingerprint: fingerprint, now: Date())
            if result.unchanged {
                print("\(file): \(result.rows) entries, directory unchanged")
            } else {
                print("\(file): \(result.rows) entries (\(result.added) new, \(result.changed) changed, \(result.removed) removed)")
            }
        }
    }

    struct List: ParsableCommand {
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

        func run() throws {
            let (index, _) = try store.openIndex(readOnly: true)
            try Listing(try CallerDirectory(index: index).list(), table: DirectoryCommand.columns).print(as: format)
        }
    }

    struct Lookup: ParsableCommand {
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

        func run() throws {
            let numbers = try store.loadConfig().numberReading
            let normalised = try NumberOption.read(number, with: numbers, option: "NUMBER").value
            let (index, _) = try store.openIndex(readOnly: true)
            guard let entry = try CallerDirectory(index: index).lookup(normalised) else {
                throw CLIError.notFound("\(normalised) is not in the caller directory of \(index.path)")
            }
            // JSON: the entry itself, the object `show` prints as caller_directory.
            try Listing([entry], table: DirectoryCommand.columns, json: entry).print(as: format)
        }
    }
}
