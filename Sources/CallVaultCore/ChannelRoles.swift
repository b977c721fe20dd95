/// The one rule for the channel roles a sidecar (`"channels"`) or `--channels` gives.
///
/// A recording split by side lists one role per channel: `["caller", "agent"]`. The roles callvault
/// knows are `caller` and `agent` (the agent's channel decides talk time); another name is kept as a
/// label, with a warning, since it does not take part in the outcome. A count that differs from the
/// audio's channels is an error everywhere: `run` quarantines the pair, `analyze` and `transcode` exit 2.
public enum ChannelRoles {
    public static let known: Set<String> = ["caller", "agent"]

    /// The error when `roles` does not name every channel exactly once.
    public static func mismatch(_ roles: [String]?, channels: Int) -> String? {
        guard let roles, roles.count != channels else { return nil }
        return "\(roles.count) channel role(s) given (\(roles.joined(separator: ","))) but the audio has \(channels) channel(s)"
    }

    /// Warnings for role names callvault does not know.
    public static func warnings(_ roles: [String]?) -> [String] {
        (roles ?? []).filter { !known.contains($0.lowercased()) }.map {
            "unknown channel role \($0.debugDescription) (known: agent, caller): kept as a label; only an agent channel decides talk time"
        }
    }
}
