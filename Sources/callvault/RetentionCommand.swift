import ArgumentParser
import CallVaultArchive
import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultWorker
import Foundation

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Apply the retention policy: delete audio and records whose time has come, except under legal hold.",
        subcommands: [Apply.self])

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Delete what the policy says is due; --dry-run lists it and changes nothing.",
            discussion: """
            The policy is the ordered [[retention.rules]] of the config file; the first rule that \
            matches a call (campaign glob, source, outcome, tracking_number) sets keep_audio_days \
            (then the Opus file is deleted and audio_purged_at set) and keep_record_days (then the \
            record is deleted too). Calls under a legal hold (`callvault hold`) are never touched. \
            Every deletion is written to the audit log with the file's SHA-256.

            Each run first recomputes every call's retain_audio_until/retain_record_until, so a \
            changed policy or a re-attributed call takes effect (and a policy change is audited). \
            Safe to kill and rerun: the end state is that of one clean run.

            Examples:
              callvault retention apply --config /etc/callvault.toml --dry-run
              callvault retention apply --config /etc/callvault.toml \\
                  --now 2027-06-01T00:00:00Z
            """)

        @OptionGroup var store: StoreOptions
        @Flag(help: "List what would be deleted, with totals; change nothing.") var dryRun = false
        @Option(help: "The clock retention dates are compared with, for tests and back-fills (ISO timestamp or date; default now). Audit entries keep the real time and record this one as simulated_now.") var now: String?
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() async throws {
            let clock = try now.map { try TimeBounds.start($0, zone: TimeZone(identifier: "UTC")!, option: "--now") } ?? Date()
            let config = try store.loadConfig()
            guard let policy = config.retention else {
                throw CLIError.input("no retention policy: add [[retention.rules]] to the config file (see `callvault config check`)")
            }
            let simulated = now != nil, dryRun = dryRun
            let r = try store.resolved()
            if let url = try PostgresBackend.url(r.database) {
                let result = try await PostgresBackend.withIndex(url, config: r.config) { index in
                    try await PostgresBackend.withCheckedArchive(index, given: store.givenArchive(r.config), fallback: r.archive) { archive in
                        var retention = Retention(source: PostgresRetentionIndex(index: index), archiveRoot: archive)
                        retention.simulatedClock = simulated
                        return try Self.perform(retention, policy: policy, clock: clock, dryRun: dryRun)
                    }
                }
                try report(result)
                return
            }
            let (index, archive) = try store.openIndex(checkArchive: true)
            var retention = Retention(index: index, archiveRoot: archive)
            retention.simulatedClock = simulated
            try report(try Self.perform(retention, policy: policy, clock: clock, dryRun: dryRun))
        }

        /// What one run did, on either backend.
        enum RunResult: Sendable {
            /// The dry run's plan, and how many calls would get new dates first.
            case planned(Retention.Plan, datesToChange: Int)
            case applied(Retention.Summary)
        }

        /// Recomputes every call's dates, then lists (dry run) or applies what is due at `clock`.
        static func perform(_ retention: Retention, policy: RetentionPolicy, clock: Date, dryRun: Bool) throws -> RunResult {
            let recomputed = try retention.recompute(policy, now: clock, dryRun: dryRun)
            let plan = try retention.plan(now: clock)
            if dryRun { return .planned(plan, datesToChange: recomputed.changed) }
            var summary = try retention.apply(plan, policy: policy, now: clock)
            summary.datesRecomputed = recomputed.changed
            summary.policyChanged = recomputed.policyChanged
            return .applied(summary)
        }

        private func report(_ result: RunResult) throws {
            switch result {
            case .planned(let plan, let changed):
                if changed > 0 {
                    FileHandle.standardError.write(Data("callvault: note: \(changed) calls would get new retention dates first; the list below uses the stored ones\n".utf8))
                }
                try printPlan(plan)
            case .applied(let summary):
                // One summary, not a list: csv prints the readable line, as table does.
                try SummaryOutput.print(summary, json: format == .json) {
                    [String(format: "retention: audio deleted %d, records deleted %d, %@ freed, %.2f h audio; %d held calls skipped; %d dates recomputed",
                            summary.audioDeleted, summary.recordsDeleted, RunSummary.bytes(summary.bytesFreed),
                            Double(summary.audioMs) / 3_600_000, summary.heldSkipped, summary.datesRecomputed)
                     + (summary.noLongerDue > 0 ? "; \(summary.noLongerDue) calls re-attributed during the run were no longer due" : "")]
                }
            }
        }

        private func printPlan(_ plan: Retention.Plan) throws {
            struct Out: Encodable { let items: [Retention.Item]; let calls: Int; let bytes: Int; let audio_hours: Double; let held_skipped: Int }
            typealias Column = Listing<Retention.Item>.Column
            let id = Column("id") { .text($0.id) }, startedAt = Column("started_at") { .text($0.startedAt) }
            let campaign = Column("campaign") { .optional($0.campaign) }, outcome = Column("outcome") { .text($0.outcome.rawValue) }
            let action = Column("action") { .text($0.action.rawValue) }, rule = Column("rule") { .text($0.rule) }
            let bytes = Column("bytes") { .int($0.bytes) }
            try Listing(
                plan.items,
                table: [startedAt, id, campaign, outcome, action, rule, Column("due since") { .text($0.until) }, bytes],
                csv: [id, Column("call_id") { .text($0.callID) }, startedAt, campaign, outcome, action, rule,
                      Column("until") { .text($0.until) }, bytes, Column("duration_ms") { .int($0.durationMs) }],
                json: Out(items: plan.items, calls: plan.calls, bytes: plan.audioBytes,
                          audio_hours: Double(plan.audioMs) / 3_600_000, held_skipped: plan.heldSkipped),
                footer: [String(format: "dry run: %d calls, %@, %.2f h of audio would be deleted; %d held calls skipped",
                                plan.calls, RunSummary.bytes(plan.audioBytes), Double(plan.audioMs) / 3_600_000, plan.heldSkipped)]
            ).print(as: format)
        }
    }
}
