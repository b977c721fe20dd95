import Foundation

/// How long audio and records are kept: an ordered list of rules, the first that matches a call
/// applies, and the last rule is the default (it matches every call).
///
/// ```toml
/// [[retention.rules]]
/// name = "compliance"
/// campaign = "Compliance-*"
/// keep_audio_days = 2557
/// keep_record_days = 2557
///
/// [[retention.rules]]
/// name = "unanswered"
/// outcome = ["missed", "abandoned"]
/// keep_audio_days = 30
/// keep_record_days = 90
///
/// [[retention.rules]]
/// name = "default"
/// keep_audio_days = 365
/// keep_record_days = 730
/// ```
///
/// A rule may also set `min_keep_days`, a mandatory minimum (5 years for MiFID II, 6 for SEC
/// 17a-4): neither retention nor an erasure request (`callvault erase`) removes a call it matches
/// before then; a `keep_*_days` shorter than it is raised to it.
public struct RetentionPolicy: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var name: String
        /// Glob (`*`, `?`) on the campaign; a rule with a campaign never matches unattributed calls.
        public var campaign: String?
        public var source: String?
        public var outcomes: [Outcome]?
        /// E.164.
        public var trackingNumber: String?
        public var keepAudioDays: Int
        public var keepRecordDays: Int
        /// The mandatory minimum in days from `started_at` (0: none): nothing of a call this rule
        /// matches is deleted before it, by retention or by an erasure request.
        public var minKeepDays: Int

        public init(name: String, campaign: String? = nil, source: String? = nil, outcomes: [Outcome]? = nil,
                    trackingNumber: String? = nil, keepAudioDays: Int, keepRecordDays: Int, minKeepDays: Int = 0) {
            self.name = name
            self.campaign = campaign
            self.source = source
            self.outcomes = outcomes
            self.trackingNumber = trackingNumber
            self.keepAudioDays = keepAudioDays
            self.keepRecordDays = keepRecordDays
            self.minKeepDays = minKeepDays
        }

        public var isDefault: Bool { campaign == nil && source == nil && outcomes == nil && trackingNumber == nil }

        public func matches(_ call: Facts) -> Bool {
            if let campaign, !(call.campaign.map { Glob.matches(campaign, $0) } ?? false) { return false }
            if let source, call.source != source { return false }
            if let outcomes, !outcomes.contains(call.outcome) { return false }
            if let trackingNumber, call.trackingNumber != trackingNumber { return false }
            return true
        }
    }

    /// What a rule looks at.
    public struct Facts: Sendable {
        public var campaign: String?
        public var source: String?
        public var outcome: Outcome
        public var trackingNumber: String
        public var startedAt: Date

        public init(campaign: String?, source: String?, outcome: Outcome, trackingNumber: String, startedAt: Date) {
            self.campaign = campaign
            self.source = source
            self.outcome = outcome
            self.trackingNumber = trackingNumber
            self.startedAt = startedAt
        }
    }

    public var rules: [Rule]

    public init(rules: [Rule]) { self.rules = rules }

    /// Without a policy in the config nothing is ever deleted.
    public static let keepForever = RetentionPolicy(rules: [Rule(name: "keep-forever", keepAudioDays: Int(Int32.max), keepRecordDays: Int(Int32.max))])

    /// Problems that make the policy ambiguous or unsafe, one sentence each.
    public func problems() -> [String] { ruleProblems().map(\.message) }

    /// A problem with the rule it concerns (its index in `rules`) and the key at fault, so a
    /// config file can report it at that rule's line.
    public struct Problem: Sendable, Equatable {
        public var rule: Int?
        public var key: String?
        public var message: String
    }

    public func ruleProblems() -> [Problem] {
        var out: [Problem] = []
        if rules.isEmpty {
            out.append(Problem(message: "retention has no rules; add a default rule (one without campaign, source, outcome or tracking_number)"))
        }
        let defaults = rules.indices.filter { rules[$0].isDefault }
        if defaults.isEmpty && !rules.isEmpty {
            out.append(Problem(rule: rules.count - 1,
                               message: "retention has no default rule: add a last rule without campaign, source, outcome or tracking_number"))
        }
        if let first = defaults.first, first != rules.count - 1 {
            out.append(Problem(rule: first, message: "retention rule \(rules[first].name.debugDescription) matches every call, so the rules after it never apply; make it the last rule"))
        }
        var names = Set<String>()
        for (i, rule) in rules.enumerated() {
            if !names.insert(rule.name).inserted {
                out.append(Problem(rule: i, key: "name", message: "retention rule name \(rule.name.debugDescription) is used twice"))
            }
            if rule.keepAudioDays < 0 || rule.keepRecordDays < 0 || rule.minKeepDays < 0 {
                out.append(Problem(rule: i, message: "retention rule \(rule.name.debugDescription): days must not be negative"))
            }
            if rule.keepRecordDays < rule.keepAudioDays {
                out.append(Problem(rule: i, key: "keep_record_days", message: "retention rule \(rule.name.debugDescription) keeps the record (\(rule.keepRecordDays) days) shorter than the audio (\(rule.keepAudioDays) days)"))
            }
        }
        return out
    }

    public func rule(for call: Facts) -> Rule {
        rules.first { $0.matches(call) } ?? rules.last!
    }

    /// `(audio until, record until, rule name)` for a call. Neither date falls before the rule's
    /// mandatory minimum (`min_keep_days`).
    public func retention(for call: Facts) -> (audioUntil: Date, recordUntil: Date, rule: String) {
        let rule = rule(for: call)
        return (Self.plus(max(rule.keepAudioDays, rule.minKeepDays), call.startedAt),
                Self.plus(max(rule.keepRecordDays, rule.minKeepDays), call.startedAt), rule.name)
    }

    /// The mandatory minimum that covers a call at `now`: its rule, the days and the instant it
    /// ends; nil when the rule has none or it has passed. An erasure request keeps such a call.
    public func mandatoryMinimum(for call: Facts, now: Date) -> (rule: String, days: Int, until: Date)? {
        let rule = rule(for: call)
        guard rule.minKeepDays > 0 else { return nil }
        let until = Self.plus(rule.minKeepDays, call.startedAt)
        return now < until ? (rule.name, rule.minKeepDays, until) : nil
    }

    private static func plus(_ days: Int, _ start: Date) -> Date {
        days >= 36500 * 10 ? .distantFuture : start.addingTimeInterval(Double(days) * 86400)
    }

    /// A stable digest of the rules: when it changes, `retention apply` recomputes every call's dates.
    public var fingerprint: String {
        rules.map { r in
            [r.name, r.campaign ?? "", r.source ?? "", r.outcomes?.map(\.rawValue).joined(separator: "|") ?? "",
             r.trackingNumber ?? "", "\(r.keepAudioDays)", "\(r.keepRecordDays)"].joined(separator: "\u{1f}")
                // Only when set, so a policy without minimums keeps the fingerprint it had.
                + (r.minKeepDays > 0 ? "\u{1f}min \(r.minKeepDays)" : "")
        }.joined(separator: "\u{1e}")
    }
}
