/// Facts about this build of callvault.
public enum CallVault {
    /// The tool's version, written into every Opus file's vendor string and every audit entry.
    public static let version = "0.1.0"
}
