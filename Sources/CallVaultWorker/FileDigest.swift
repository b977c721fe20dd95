import CallVaultStore

/// The source's SHA-256 for duplicate detection, with failures worded as job errors.
enum FileDigest {
    static func sha256(path: String) throws -> (hex: String, bytes: Int) {
        do {
            return try FileHash.sha256(path: path)
        } catch {
            let message = "\(name(path)): \(error.operation == "open" ? "cannot open" : "read failed") (\(error.reason))"
            throw error.operation == "open" ? WorkerError.badInput(message) : WorkerError.transient(message)
        }
    }

    static func name(_ path: String) -> String { path.split(separator: "/").last.map(String.init) ?? path }
}
