/// A streaming transformation between what a writer writes and what an ``AtomicFile`` stores:
/// age encryption of archive files (CallVaultAge's `AgeEncryptingWriter`). It holds at most a
/// bounded buffer (one 64 KiB chunk for age) so memory stays flat whatever the file's size.
///
/// ```swift
/// let file = try AtomicFile(path: final, mode: 0o640, encoder: AgeEncryptingWriter.encoder(to: recipients))
/// try file.write(opusPage)       // content: hashed as contentSHA256, encrypted, stored
/// let storedSHA256 = try file.sync()
/// ```
public protocol ContentEncoder: AnyObject {
    /// Takes more content; stores whatever is ready through the store function it was made with.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Stores the rest (the last chunk); called once, by ``AtomicFile/sync()``, before the fsync.
    func finish() throws
}

/// Makes a ``ContentEncoder`` around the function that stores bytes in the temporary file.
public typealias ContentEncoderFactory = (_ store: @escaping (UnsafeRawBufferPointer) throws -> Void) throws -> any ContentEncoder
