// CallVaultFiles — everything durable on disk, on apple/swift-system (FileDescriptor, Errno; paths
// stay Strings, see FileLocation): AtomicFile (temporary name ▶ fsync ▶ rename ▶ folder fsync), FileHash (streamed
// SHA-256, never through a symlink), DirectorySync, AdvisoryLock (flock), FileMove (rename, and a
// move that never replaces), and FileSystemError, the one error type of a failed system call.
//
// Owns: every fsync, rename, link and flock of callvault, and the wording of a failed system call
// (the call, the path, the errno text: no other module calls strerror). Must not: know any other
// callvault module (it is the bottom layer); decide what a failure means for a job, a command or
// an exit status (callers classify FileSystemError); ignore a failed directory fsync.
