// CallVaultAudio — the one-pass pipeline: AudioReader (libsndfile) ▶ LevelMeter (analysis) and
// Resampler (libsoxr) ▶ OpusStreamEncoder (libopus, one single-stream encoder per channel) ▶
// OggOpusWriter (libogg) ▶ CallVaultFiles' AtomicFile (SHA-256 as it writes).
//
// Owns: every C handle of the codecs (one owner type each, freed in deinit, C errors turned into
// AudioError right there); audio errors only. Must not: know about SQLite, the spool, the queue or
// the CLI; load a recording whole (fixed-size buffers only, memory flat whatever the length); make
// file system calls of its own for output (fsync, rename, errno text: CallVaultFiles does those).
