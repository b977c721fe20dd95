// CallVaultFaultInjection — crash and pause points for tests (`CALLVAULT_FAULT`,
// `CALLVAULT_FAULT_WAIT`), used by the worker and retention to prove that a kill -9 at any step
// loses nothing.
//
// Owns: FaultInjection only. Must not: do anything when neither environment variable is set
// (one lookup per process); depend on any other module (the store and the worker both use it).
