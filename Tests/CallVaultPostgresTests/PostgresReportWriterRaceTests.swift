import CallVaultCore
import CallVaultPostgres
import CallVaultStore
import CallVaultTestSupport
import CallVaultWorker
import Foundation
import PostgresNIO
import Testing

/// Opened once; every waiter then goes on.
private actor Gate {
    private var open = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func release() {
        open = true
        for w in waiters { w.resume() }
        waiters = []
    }

    func wait() async {
        if open { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// Set once, read later.
private actor Flag {
    private(set) var value = false
    func set() { value = true }
}

@Suite("PostgreSQL's report triggers with two writers of one caller at once", .enabled(if: PostgresTestServer.isConfigured, "CALLVAULT_TEST_POSTGRES_URL is not set (scripts/test.sh sets it)"))
struct PostgresReportWriterRaceTests {
    static let caller = "+12125550177"
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// The caller's rows in `report_caller_ids` and `report_caller_last`, and the latter as the calls say.
    static func callerRows(_ index: PostgresIndex) async throws -> (ids: Int64, last: String, expected: String) {
        let ids = try await index.query("ids", "SELECT count(*) FROM report_caller_ids WHERE caller = \(caller)").first?.decode(Int64.self) ?? -1
        let last = try await index.query("last", """
            SELECT coalesce(last_answered_at, '-') || ' ' || coalesce(last_missed_at, '-') FROM report_caller_last WHERE caller_number = \(caller)
            """).first?.decode(String.self) ?? "none"
        let expected = try await index.query("expected", """
            SELECT coalesce(max(started_at) FILTER (WHERE outcome = 'answered'), '-') || ' ' || coalesce(max(started_at) FILTER (WHERE outcome <> 'answered'), '-')
            FROM calls WHERE caller = \(caller)
            """).first?.decode(String.self) ?? "none"
        return (ids, last, expected)
    }

    @Test("an ingest of a caller's call and the deletion of their last call at once, in either order: the deletion waits for the ingest or the ingest for the deletion, and the caller keeps their number in report_caller_ids and report_caller_last; verify finds the aggregates as the calls are")
    func ingestAndDeletionTakeTurns() async throws {
        var first = try StoreFixture.record(callID: "x1", caller: Self.caller, startedAt: "2026-11-20T10:00:00Z", outcome: .missed)
        first.campaign = nil
        let record = first
        let now = now
        try await PostgresTestServer.withIndex { index in
            try await onThread { try PostgresTestServer.ingest([record], into: index, now: now) }
            let x1 = try await index.query("x1", "SELECT id FROM calls WHERE call_id = 'x1'").first?.decode(String.self) ?? ""

            // First an ingest holding its transaction while x1, then the caller's only committed
            // call, is deleted; then a deletion of that new call (the only one) holding its
            // transaction while another call of the caller is ingested.
            for addFirst in [true, false] {
                let victim = addFirst ? x1 : "n1"
                let added = addFirst ? "n1" : "n2"
                let firstDone = Gate(), commit = Gate()
                let secondFinished = Flag()
                // The first writer does its statement, then holds its transaction open until told.
                let firstWriter = Task {
                    try await index.transaction("first writer") { connection in
                        if addFirst {
                            try await PostgresTestServer.copyCall(connection, from: victim, id: added, startedAt: "2026-11-25T08:00:00Z")
                        } else {
                            try await connection.query("DELETE FROM calls WHERE id = \(victim)", logger: PostgresTestServer.logger)
                        }
                        await firstDone.release()
                        await commit.wait()
                    }
                }
                await firstDone.wait()
                let secondWriter = Task {
                    try await index.transaction("second writer") { connection in
                        if addFirst {
                            try await connection.query("DELETE FROM calls WHERE id = \(victim)", logger: PostgresTestServer.logger)
                        } else {
                            try await PostgresTestServer.copyCall(connection, from: victim, id: added, startedAt: "2026-11-26T08:00:00Z")
                        }
                    }
                    await secondFinished.set()
                }
                try await Task.sleep(for: .milliseconds(500))
                #expect(await secondFinished.value == false, "the second writer waits for the first (addFirst \(addFirst))")
                await commit.release()
                try await firstWriter.value
                try await secondWriter.value

                let rows = try await Self.callerRows(index)
                let calls = try await index.query("calls", "SELECT count(*) FROM calls WHERE caller = \(Self.caller)").first?.decode(Int64.self) ?? -1
                #expect(calls == 1, "the new call is the caller's one call (addFirst \(addFirst))")
                #expect(rows.ids == 1, "the caller keeps their number in report_caller_ids (addFirst \(addFirst))")
                #expect(rows.last == rows.expected, "report_caller_last as the calls say (addFirst \(addFirst)): \(rows.last) against \(rows.expected)")
                var verify = PostgresVerifySource(index: index)
                verify.aggregateSample = 100_000
                let source = verify
                #expect(try await onThread { try source.aggregateDifferences() } == [], "addFirst \(addFirst)")
            }
        }
    }
}
