// The shared helpers (Tests/Support) for every file of this target, without an import in each:
// a test file added later finds `Support`, `SpoolFixture` and the rest as it always did.
@_exported import CallVaultTestSupport
