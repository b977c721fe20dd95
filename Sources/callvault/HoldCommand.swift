import ArgumentParser
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import Foundation

struct HoldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold",
        abstract: "Legal holds: calls that retention must never delete.",
        discussion: """
        A hold covers the calls that match all the selectors it is given; calls that arrive later \
        and match are held too. Removing a hold makes its calls subject to the policy again at the \
        next `retention apply`. Every change is audited; a hold's audit entry lists the calls that \
        hold covers when it is placed.

        Numbers are read the way `query` reads them, with the config's default_country_code \
        (pass --config): under "44", "020 7946 0958" is +442079460958. `hold add` warns (and \
        still places the hold) when a number is not valid, or an id or campaign matches nothing \
        the index knows yet.

        Examples:
          callvault hold add CASE-114 --config /etc/callvault.toml \\
              --reason "Smith v. Acme discovery" --caller "(212) 555-0187"
          callvault hold list
          callvault hold remove CASE-114 --reason "case closed"
        """,
        subcommands: [Add.self, Remove.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Place a hold.",
            discussion: """
            Prints how many calls this hold covers now; calls that arrive later and match are held too.

            Examples:
              callvault hold add CASE-114 --reason subpoena --caller "(212) 555-0187"
              callvault hold add Q4-audit --reason "regulator audit" \\
                  --campaign Search-Brand --since 2026-10-01 --until 2026-12-31
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The hold's name or case reference.") var name: String
        @Option(help: "Why (required).") var reason: String
        @Option(help: "Who places it (default: the OS user).") var by: String?
        @Option(help: "A call's archive id or call_id; repeatable.") var id: [String] = []
        @Option(help: "Campaign.") var campaign: String?
        @Option(help: "Caller number, any notation; national numbers are read with the config's default_country_code.") var caller: String?
        @Option(help: "Tracking number, any notation; national numbers are read with the config's default_country_code.") var trackingNumber: String?
        @Option(help: "Calls that started at or after T.") var since: String?
        @Option(help: "Calls that started before T (a date: through that day).") var until: String?

        func run() async throws {
            let utc = TimeZone(identifier: "UTC")!
            let numbers = try store.loadConfig().numberReading
            var warnings: [String] = []
            func number(_ text: String?, option: String) throws -> String? {
                guard let text else { return nil }
                let read = try NumberOption.read(text, with: numbers, option: option)
                if !read.valid { warnings.append(NumberOption.invalidWarning(text, option: option, reading: numbers)) }
                return read.value
            }
            // What the user typed for each archive id, to name it in a warning.
            var typed: [String: String] = [:]
            for text in id { typed[RecordID.isWellFormed(text) ? text : RecordID.make(callID: text)] = text }
            let hold = Holds.Hold(
                name: name, reason: reason, placedBy: by ?? AuditLog.osUser, placedAt: Timestamp.format(Date()),
                callIDs: id.isEmpty ? nil : id.map { RecordID.isWellFormed($0) ? $0 : RecordID.make(callID: $0) },
                campaign: campaign, caller: try number(caller, option: "--caller"),
                trackingNumber: try number(trackingNumber, option: "--tracking-number"),
                since: try since.map { Timestamp.format(try TimeBounds.start($0, zone: utc, option: "--since")) },
                until: try until.map { Timestamp.format(try TimeBounds.end($0, zone: utc, option: "--until")) })
            let added: Holds.Added
            do {
                let r = try store.resolved(), noted = warnings
                if let url = try PostgresBackend.url(r.database) {
                    added = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresHolds(index: $0).add(hold, warnings: noted) }
                } else {
                    let (index, _) = try store.openIndex()
                    added = try Holds(index: index).add(hold, warnings: warnings)
                }
            } catch let e as Holds.HoldError { throw CLIError.input(e.description) }
            for unknown in added.unknownIDs {
                let text = typed[unknown] ?? unknown
                warnings.append("--id \(text.debugDescription) matches no call in the index (yet)")
            }
            if let campaign = added.unknownCampaign {
                warnings.append("--campaign \(campaign.debugDescription) is not a campaign of any call or registry row (a misspelling?)")
            }
            for w in warnings { FileHandle.standardError.write(Data("callvault: warning: \(w)\n".utf8)) }
            if added.covered.isEmpty {
                print("hold \(name.debugDescription) placed; it covers no call now, only later ones that match")
            } else {
                print("hold \(name.debugDescription) placed; it covers \(added.covered.count) calls now, and later ones that match")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove a hold (its calls follow the policy again).",
            discussion: """
            The hold stays in `hold list --all` and in the audit log, with who removed it and why.

            Example:
              callvault hold remove CASE-114 --reason "case closed" --by alice
            """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The hold's name.") var name: String
        @Option(help: "Why (required).") var reason: String
        @Option(help: "Who removes it (default: the OS user).") var by: String?

        func run() async throws {
            let who = by ?? AuditLog.osUser
            do {
                let released: Int
                let r = try store.resolved()
                if let url = try PostgresBackend.url(r.database) {
                    released = try await PostgresBackend.withIndex(url, config: r.config) {
                        try await PostgresHolds(index: $0).remove(name: name, by: who, reason: reason, now: Date())
                    }
                } else {
                    let (index, _) = try store.openIndex()
                    released = try Holds(index: index).remove(name: name, by: who, reason: reason, now: Date())
                }
                print("hold \(name.debugDescription) removed; \(released) calls are subject to the retention policy again")
            } catch let e as Holds.HoldError { throw CLIError.notFound(e.description) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List holds and how many calls each covers.",
            discussion: """
            Examples:
              callvault hold list
              callvault hold list --all --format json
            """)
        @OptionGroup var store: StoreOptions
        @Flag(help: "Include removed holds.") var all = false
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let holds: [Holds.Hold]
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                holds = try await PostgresBackend.withIndex(url, config: r.config) { try await PostgresHolds(index: $0).list(includeRemoved: all) }
            } else {
                let (index, _) = try store.openIndex(readOnly: true)
                holds = try Holds(index: index).list(includeRemoved: all)
            }
            typealias Column = Listing<Holds.Hold>.Column
            let name = Column("name") { .text($0.name) }, reason = Column("reason") { .text($0.reason) }
            let placedAt = Column("placed_at") { .text($0.placedAt) }, placedBy = Column("placed_by") { .text($0.placedBy) }
            let calls = Column("calls") { .int($0.calls ?? 0) }, selectors = Column("selectors") { .text(Self.selectors($0)) }
            let removedAt = Column("removed_at") { .optional($0.removedAt) }
            try Listing(
                holds,
                table: [name, placedAt, placedBy, calls, selectors, reason] + (all ? [removedAt] : []),
                csv: [name, reason, placedBy, placedAt, selectors, calls, removedAt, Column("removed_by") { .optional($0.removedBy) }]
            ).print(as: format)
        }

        private static func selectors(_ h: Holds.Hold) -> String {
            h.selectors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
    }
}
