// CallVaultAge — age v1 (age-encryption.org/v1, the C2SP specification) for X25519 recipients, on
// swift-crypto: bech32 keys (AgeKeys, Bech32), the header with its stanzas and MAC (AgeHeader,
// X25519Stanza), the STREAM payload in 64 KiB chunks (AgeStream), a streaming encrypting writer
// (AgeEncryptingWriter, also an AtomicFile's ContentEncoder so archive files are encrypted as they
// are written), whole-file decryption that releases nothing unless every chunk authenticates
// (AgeDecrypter, AgeFile), and random access to the plaintext that authenticates each chunk it
// reads (AgeRandomAccessFile, for serve's byte ranges).
//
// Owns: the byte format and its checks, tested against the CCTV vectors and Debian's `age` in both
// directions. Must not: know the index, the archive layout, the CLI or the settings; write a file
// except through CallVaultFiles (temporary name, fsync, rename); hold a whole file in memory (one
// chunk at a time); release any plaintext from a file whose header MAC or a chunk fails.
