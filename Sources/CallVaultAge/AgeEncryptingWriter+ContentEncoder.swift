import CallVaultFiles
import Foundation

/// The writer as an ``AtomicFile``'s encoder: archive files encrypted while they are written,
/// through the same temporary name, fsync and rename as plain ones.
extension AgeEncryptingWriter: ContentEncoder {
    /// An encoder factory for ``AtomicFile/init(path:mode:tag:encoder:)`` encrypting to `recipients`.
    public static func encoder(to recipients: [AgeRecipient]) -> ContentEncoderFactory {
        { store in
            try AgeEncryptingWriter(recipients: recipients) { sealed in
                try sealed.withUnsafeBytes { try store($0) }
            }
        }
    }
}
