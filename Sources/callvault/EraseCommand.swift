import ArgumentParser
import CallVaultArchive
import CallVaultCore
import CallVaultFiles
import CallVaultPostgres
import CallVaultStore
import CallVaultWorker
import Foundation

struct EraseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a person's calls on request (GDPR art. 17, CCPA), except what the law says to keep.",
        discussion: """
        For every call of --caller (read with the config's default_country_code, as `query` reads \
        it) or every --id, decides erase (the Opus file and the record) or keep, with the reason: \
        held (by which legal hold) or inside a mandatory minimum (min_keep_days of the call's \
        [[retention.rules]] entry). Erased calls leave nothing in the index but their audit \
        entries (audio_erased, record_erased, erasure), which name the caller only as a salted \
        hash (the salt is the index's meta key erasure_salt). With --caller, the caller's \
        directory entry is deleted too once none of their calls is kept.

        The receipt (--format table or json) is printed on stdout and, with --receipt, written \
        atomically to FILE. Exit 0 when the request completed, whether or not calls were kept. \
        Safe to kill and rerun, as `retention apply` is. Pass the config that `retention apply` \
        uses: an index whose retention policy was recorded is refused without one.

        Examples:
          callvault erase --config /etc/callvault.toml --caller "(212) 555-0187" \\
              --reason "GDPR request 2026-114" --by dpo --dry-run
          callvault erase --config /etc/callvault.toml --caller "(212) 555-0187" \\
              --reason "GDPR request 2026-114" --by dpo --format json \\
              --receipt receipts/2026-114.json
          callvault erase --id c3f1a9e0b2c4d6e8f0a1b2c3d --reason "CCPA 88" --by dpo
        """)

    @OptionGroup var store: StoreOptions
    @Option(help: "The caller's number, any notation; national numbers are read with the config's default_country_code.") var caller: String?
    @Option(help: "A call's archive id or call_id; repeatable.") var id: [String] = []
    @Option(help: "Why (required): the request's reference, kept in the audit log.") var reason: String
    @Option(help: "Who carries out the request (required), e.g. the data protection officer.") var by: String
    @Flag(help: "Decide and print the receipt; change nothing.") var dryRun = false
    @Option(help: "table or json.") var format: ReceiptFormat = .table
    @Option(help: "Also write the receipt to FILE (atomically, in --format).") var receipt: String?

    enum ReceiptFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

    func validate() throws {
        if (caller == nil) == id.isEmpty { throw ValidationError("give --caller or --id (one or more), not both") }
        if reason.trimmedWhitespace.isEmpty { throw ValidationError("--reason must not be empty") }
        if by.trimmedWhitespace.isEmpty { throw ValidationError("--by must not be empty") }
    }

    func run() async throws {
        let config = try store.loadConfig()
        var number: String?
        if let caller {
            let read = try NumberOption.read(caller, with: config.numberReading, option: "--caller")
            if !read.valid {
                FileHandle.standardError.write(Data("callvault: warning: \(NumberOption.invalidWarning(caller, option: "--caller", reading: config.numberReading))\n".utf8))
            }
            number = read.value
        }
        let ids = id.map { RecordID.isWellFormed($0) ? $0 : RecordID.make(callID: $0) }
        let (caller, by, reason, dryRun) = (number, by, reason, dryRun)
        let result: ErasureReceipt
        let r = try store.resolved()
        if let url = try PostgresBackend.url(r.database) {
            // The same request on PostgreSQL's index (PostgresErasureIndex), on a thread of its own.
            result = try await PostgresBackend.withIndex(url, config: r.config) { index in
                try await PostgresBackend.withCheckedArchive(index, given: store.givenArchive(r.config), fallback: r.archive) { archive in
                    try Self.erase(Erasure(source: PostgresErasureIndex(index: index), retention: PostgresRetentionIndex(index: index),
                                           archiveRoot: archive, policy: config.retention),
                                   caller: caller, ids: ids, by: by, reason: reason, dryRun: dryRun)
                }
            }
        } else {
            let (index, archive) = try store.openIndex(checkArchive: true)
            result = try Self.erase(Erasure(index: index, archiveRoot: archive, policy: config.retention),
                                    caller: caller, ids: ids, by: by, reason: reason, dryRun: dryRun)
        }
        let text = try render(result)
        if let receipt {
            do throws(FileSystemError) {
                try AtomicFile.write(Array((text + "\n").utf8), to: receipt, mode: 0o600)
            } catch {
                // The erasure is done and audited; only the copy of its receipt failed.
                print(text)
                throw CLIError.fatal("the request completed (audit entry \(result.auditSeq.map { "\($0)" } ?? "-")), but the receipt could not be written: \(error)")
            }
        }
        print(text)
        for unknown in result.notFound {
            FileHandle.standardError.write(Data("callvault: note: \(unknown) matches no call in the index (already erased, or never archived)\n".utf8))
        }
    }

    /// Refuses an index whose retention policy was recorded when no policy is given (its
    /// mandatory minimums would be ignored), then carries out the request.
    private static func erase(_ erasure: Erasure, caller: String?, ids: [String], by: String, reason: String,
                              dryRun: Bool) throws -> ErasureReceipt {
        if erasure.policy == nil, try erasure.source.retentionPolicyRecorded() {
            throw CLIError.input("this index's retention policy was recorded by `retention apply`, but no config with [[retention.rules]] was given: "
                                 + "pass the config it uses (--config), so that mandatory minimums (min_keep_days) are honoured")
        }
        return try erasure.run(caller: caller, ids: ids, by: by, reason: reason, dryRun: dryRun)
    }

    private func render(_ r: ErasureReceipt) throws -> String {
        typealias Column = Listing<ErasureReceipt.Call>.Column
        let footer = (r.dryRun ? "dry run: would erase" : "erased") + " \(r.erased) calls (\(RunSummary.bytes(r.bytesFreed))), kept \(r.kept)"
            + (r.notFound.isEmpty ? "" : ", \(r.notFound.count) not found")
            + "; by \(r.by), reason \(r.reason.debugDescription)"
            + (r.caller.map { "; caller \($0), directory entry \(r.directoryEntry)" } ?? "")
            + (r.auditSeq.map { "; audit entry \($0)" } ?? "")
        return try Listing(
            r.calls,
            table: [Column("started_at") { .text($0.startedAt) }, Column("id") { .text($0.id) },
                    Column("campaign") { .optional($0.campaign) }, Column("decision") { .text($0.decision.rawValue) },
                    Column("why") { .text($0.why) }],
            json: r, footer: [footer]
        ).render(as: format == .json ? .json : .table)
    }
}
