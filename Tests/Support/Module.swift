// CallVaultTestSupport — the helpers test targets share: running the built binary and outside
// tools (Support, runBounded, background starts), a spool/archive/index in a temporary folder
// (SpoolFixture), a small index and its records in-process (StoreFixture), what the machine
// allows (Capabilities), the Prometheus text parse, config texts (ConfigText).
//
// Owns: set-ups and readers that more than one test file needs, written once. Must not: assert
// (a helper throws Support.Failure so one test fails, not the runner), import a library above
// Store, or hold a test's rules (what a test checks stays in the test).
