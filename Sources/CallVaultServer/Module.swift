// CallVaultServer — the web application of `callvault serve` (hummingbird 2 + hummingbird-auth):
// one router with a route collection per page family (Routes/: calls, audio, holds, audit,
// reports, users, login, system), the auth middleware in front of all of them (Auth/: sessions,
// API tokens, CSRF, roles, lockout), server-rendered pages and the JSON API (Support/: HTML,
// filters, forms, responses), run under swift-service-lifecycle. The routes read and write the
// index through one protocol (Backend/: ServerStore, over SQLite's Store types or PostgreSQL's).
//
// Owns: HTTP — routes, status codes, headers (CSP, nosniff, ranges, ETag), sessions and the access
// trail of every play and download. Must not: issue SQL or compute a report itself (it calls the
// same Store, Archive and Reports functions as the CLI); write or change audio; read settings
// files (ServerSettings comes resolved from CallVaultSettings); log query strings, bodies,
// passwords or tokens.
