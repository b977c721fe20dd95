/// Config file texts several tests write: the same storage lines and retention rules, kept in
/// one place so a test's line numbers and a fixture's policy cannot drift apart.
package enum ConfigText {
    /// Storage relative to the config file's folder, as a `SpoolFixture` lays it out.
    package static let storage = """
    spool = "spool"
    archive = "archive"
    database = "index.sqlite"
    """

    /// The three retention rules of samples/callvault.toml (compliance, unanswered, default),
    /// each `[[retention.rules]]` header six lines after the last; no newline at the end.
    package static let threeRetentionRules = """
    [[retention.rules]]
    name = "compliance"
    campaign = "Compliance-*"
    keep_audio_days = 2557
    keep_record_days = 2557

    [[retention.rules]]
    name = "unanswered"
    outcome = ["missed", "abandoned"]
    keep_audio_days = 30
    keep_record_days = 90

    [[retention.rules]]
    name = "default"
    keep_audio_days = 365
    keep_record_days = 730
    """
}
