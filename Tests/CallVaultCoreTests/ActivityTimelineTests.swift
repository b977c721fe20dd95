import CallVaultCore
import CallVaultSettings
import Testing

private func iv(_ a: Int, _ b: Int) -> Interval { Interval(startMs: a, endMs: b) }

@Suite("Activity timeline rules")
struct ActivityTimelineTests {
    @Test("gaps shorter than 300 ms are bridged, longer ones are kept")
    func bridging() {
        let cleaned = ActivityTimeline.clean([iv(0, 500), iv(780, 1000), iv(1300, 1600)], bridgeGapMs: 300, minSegmentMs: 100)
        #expect(cleaned == [iv(0, 1000), iv(1300, 1600)])
    }

    @Test("segments shorter than 100 ms are dropped after bridging")
    func dropping() {
        let cleaned = ActivityTimeline.clean([iv(0, 80), iv(1000, 1099), iv(2000, 2100)], bridgeGapMs: 300, minSegmentMs: 100)
        #expect(cleaned == [iv(2000, 2100)])
    }

    @Test("silences are the gaps no channel covers, leading, inner and trailing, from 2000 ms")
    func silences() {
        let s = ActivityTimeline.silences(channels: [[iv(2500, 4000), iv(9000, 10000)], [iv(3500, 5000)]],
                                          durationMs: 13000, minSilenceMs: 2000)
        #expect(s == [iv(0, 2500), iv(5000, 9000), iv(10000, 13000)])
    }

    @Test("a gap just under the minimum is not a silence", arguments: [1999, 2000])
    func silenceEdge(gap: Int) {
        let s = ActivityTimeline.silences(channels: [[iv(0, 1000), iv(1000 + gap, 5000)]], durationMs: 5000, minSilenceMs: 2000)
        #expect(s.count == (gap >= 2000 ? 1 : 0))
    }

    @Test("talk counts the agent channel when roles are given, the union otherwise")
    func talkSide() {
        let runs = [[iv(0, 5000)], [iv(4000, 6000)]]
        let settings = Settings.Defaults.analysis
        let withRoles = ActivityTimeline.analyse(rawRuns: runs, roles: ["caller", "agent"], durationMs: 10000,
                                                 sampleRate: 8000, format: "x", warnings: [], settings: settings)
        #expect(withRoles.talkMs == 2000)
        #expect(withRoles.outcome == .abandoned)
        let without = ActivityTimeline.analyse(rawRuns: runs, roles: nil, durationMs: 10000,
                                               sampleRate: 8000, format: "x", warnings: [], settings: settings)
        #expect(without.talkMs == 6000)
        #expect(without.outcome == .answered)
        #expect(without.leadingSilenceMs == 0)
        #expect(without.silences == [iv(6000, 10000)])
        #expect(without.longestSilenceMs == 4000)
    }

    @Test("outcome: answered from 3000 ms of talk, else missed from 30000 ms, else abandoned",
          arguments: [(3000, 1000, Outcome.answered), (2999, 30000, .missed), (2999, 29999, .abandoned), (0, 0, .abandoned)])
    func outcome(talk: Int, duration: Int, expected: Outcome) {
        #expect(Outcome.decide(talkMs: talk, durationMs: duration, settings: Settings.Defaults.analysis) == expected)
    }
}
