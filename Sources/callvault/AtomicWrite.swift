import CallVaultAudio

/// The CLI's access to ``AtomicFile`` for reports and exports.
enum CallVaultAudioBridge {
    static func write(_ bytes: [UInt8], to path: String) throws {
        try AtomicFile.write(bytes, to: path, mode: 0o644)
    }
}
