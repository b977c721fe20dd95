import Foundation

/// What `callvault keys rotate` (CallVaultArchive's `KeyRotation`) asks of an index, whatever
/// database holds it: ``KeyRotationIndex`` for SQLite, the PostgreSQL index's own beside it.
///
/// The rotation's crash safety rests on ``recordReencrypted(_:sha256:bytes:)`` being one committed
/// transaction that changes the recorded file only if it is still the one read: the new file is
/// fsynced under its temporary name before, and renamed into place after, so a rerun finds either
/// the old file recorded (and rotates it again) or the new one recorded with its temporary file
/// waiting (and renames it). Both backends keep that contract.
public protocol KeyRotationSource: Sendable {
    /// Up to `limit` calls whose audio is kept encrypted and not purged, in id order, with ids
    /// after `after` (from the first when nil): a rotation reads the index a page at a time.
    func encryptedFiles(after: String?, limit: Int) throws -> [KeyRotationIndex.EncryptedFile]
    /// How many calls keep their audio as a plain `.opus` file (not purged).
    func plainFileCount() throws -> Int
    /// Records the re-encrypted file of `file` (new SHA-256 and size) if the index still holds it
    /// as read (same SHA-256, not purged meanwhile); false, changing nothing, when it does not.
    func recordReencrypted(_ file: KeyRotationIndex.EncryptedFile, sha256: String, bytes: Int) throws -> Bool
    /// Appends the run's ``KeyRotationIndex/auditAction`` entry to the audit chain.
    func auditRun(reason: String, details: [String: String]) throws
}

extension KeyRotationIndex: KeyRotationSource {}
