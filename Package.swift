// swift-tools-version:6.1
// callvault: turns raw call recordings into a searchable, compliant Ogg Opus archive.
//
// Dependencies, each chosen deliberately:
// - GRDB.swift: the SQLite index and job queue (WAL, migrations, typed records).
// - swift-argument-parser: the CLI skin.
// - swift-log: structured logging with a human or JSON handler chosen once at start.
// - swift-crypto: SHA-256 of archive files (Foundation on Linux has no CryptoKit).
// Not a dependency: TOML. CallVaultTOML is our own TOML 1.0 parser (read by CallVaultSettings), written
// against the spec so that no input can abort the process (TOMLKit's toml++ asserted on bad input).
// - swift-prometheus: the Prometheus text exposition of the metrics file.
// - swift-system: FileDescriptor and Errno under CallVaultFiles, the one module that
//   makes system calls on files (so errno text and fsync rules live in one place).
// - hummingbird (+ hummingbird-auth): the `serve` web application (routes, sessions, bcrypt, TLS),
//   run under swift-service-lifecycle so SIGTERM lets in-flight requests finish. The worker's watch
//   mode and its `--metrics-listen` endpoint (a hummingbird responder) run in a ServiceGroup too.
// - swift-subprocess (+ swift-system's FilePath it takes): `job run` starts each step as this
//   binary's own subcommand, async.
// - postgres-nio: the PostgreSQL index and queue (issue 20, CallVaultPostgres): one connection pool
//   (PostgresClient, a swift-service-lifecycle Service) per process; SQLite stays the default.
import PackageDescription

let package = Package(
    name: "callvault",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "callvault", targets: ["callvault"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-system", exact: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // C shims: a module map and one header each, nothing else.
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "COpus", pkgConfig: "opus", providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "COgg", pkgConfig: "ogg", providers: [.apt(["libogg-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        // prctl(PR_SET_PDEATHSIG): a job's step dies with its job.
        .systemLibrary(name: "CLinuxProcess"),
        // __builtin_prefetch: the caller reports' bit sets written a few entries ahead.
        .systemLibrary(name: "CPrefetch"),

        // Durable files: AtomicFile, streamed hash, folder fsync, locks, FileSystemError. The bottom layer.
        .target(name: "CallVaultFiles", dependencies: [
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // TOML 1.0 parser: every key and value with its line; errors, never a crash. No dependencies.
        .target(name: "CallVaultTOML"),
        // Domain values and rules: no file reads, no process control, no C.
        .target(name: "CallVaultCore", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["Generated/LICENSE-phonenumbers.md"]),
        // Config and job files (TOML) and every default, resolved once into a `Settings` value.
        .target(name: "CallVaultSettings", dependencies: ["CallVaultCore", "CallVaultTOML", "CallVaultAge"]),
        // Crash and pause points for tests (CALLVAULT_FAULT, CALLVAULT_FAULT_WAIT): process control, kept out of Core.
        .target(name: "CallVaultFaultInjection"),
        // age v1 (age-encryption.org/v1) for X25519 recipients: bech32 keys, header, STREAM payload.
        .target(name: "CallVaultAge", dependencies: [
            "CallVaultFiles",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Safe owners of the C handles and the one-pass transcoder.
        .target(name: "CallVaultAudio", dependencies: [
            "CallVaultCore", "CallVaultSettings", "CallVaultFiles", "CSndFile", "COpus", "COgg", "CSoxr",
        ]),
        // The SQLite index and job queue.
        .target(name: "CallVaultStore", dependencies: [
            "CallVaultCore", "CallVaultFiles", "CallVaultFaultInjection",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The index and queue on PostgreSQL (issue 20): migrations, queue, audit chain, the worker's QueueStore (Store's types shared).
        .target(name: "CallVaultPostgres", dependencies: [
            "CallVaultCore", "CallVaultSettings", "CallVaultStore", "CallVaultFaultInjection",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Archive maintenance above the index and the files: retention apply, verify, export, erasure, evidence bundles.
        .target(name: "CallVaultArchive", dependencies: [
            "CallVaultCore", "CallVaultStore", "CallVaultFiles", "CallVaultAge", "CallVaultFaultInjection",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Report queries and renderers (table, csv, json, html with inline SVG).
        .target(name: "CallVaultReports", dependencies: [
            "CallVaultCore", "CallVaultStore", "CPrefetch",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Spool scanning, job execution, archive writes.
        .target(name: "CallVaultWorker", dependencies: [
            "CallVaultCore", "CallVaultSettings", "CallVaultFiles", "CallVaultFaultInjection", "CallVaultAudio", "CallVaultStore", "CLinuxProcess", "CallVaultAge",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // The web application: routes per page family, auth middleware, pages and the JSON API.
        .target(name: "CallVaultServer", dependencies: [
            "CallVaultCore", "CallVaultSettings", "CallVaultStore", "CallVaultReports", "CallVaultArchive", "CallVaultAge",
            "CallVaultPostgres",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "callvault", dependencies: [
            "CallVaultCore", "CallVaultSettings", "CallVaultAudio", "CallVaultStore", "CallVaultWorker", "CallVaultReports", "CallVaultServer", "CallVaultAge",
            "CallVaultArchive", "CallVaultFiles", "CallVaultPostgres",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Subprocess", package: "swift-subprocess"),
            .product(name: "SystemPackage", package: "swift-system"),
        ]),

        // libFuzzer targets (scripts/fuzz.sh builds them with -sanitize=fuzzer); plain builds replay inputs.
        .executableTarget(name: "callvault-fuzz", dependencies: ["CallVaultCore", "CallVaultSettings", "CallVaultFiles", "CallVaultAudio", "CallVaultAge"], path: "Sources/callvault-fuzz"),

        // Helpers the test targets share (running the binary and tools, spool fixtures, config texts).
        .target(name: "CallVaultTestSupport", dependencies: ["CallVaultCore", "CallVaultStore"], path: "Tests/Support"),
        .testTarget(name: "CallVaultFilesTests", dependencies: ["CallVaultFiles", "CallVaultTestSupport"]),
        .testTarget(name: "CallVaultTOMLTests", dependencies: ["CallVaultTOML"]),
        .testTarget(name: "CallVaultCoreTests", dependencies: ["CallVaultCore", "CallVaultSettings", "CallVaultTestSupport"]),
        .testTarget(name: "CallVaultSettingsTests", dependencies: ["CallVaultSettings", "CallVaultCore", "CallVaultTestSupport"]),
        .testTarget(name: "CallVaultReportsTests", dependencies: [
            "CallVaultReports", "CallVaultStore", "CallVaultArchive", "CallVaultTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            // The same reports on PostgreSQL's aggregates (PostgresAggregateReportTests).
            "CallVaultPostgres", "CallVaultSettings", .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "CallVaultArchiveTests", dependencies: [
            "CallVaultArchive", "CallVaultStore", "CallVaultCore", "CallVaultFiles", "CallVaultTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "CallVaultWorkerTests", dependencies: [
            "CallVaultWorker", "CallVaultStore", "CallVaultCore", "CallVaultSettings",
            .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "CallVaultStoreTests", dependencies: [
            "CallVaultStore", "CallVaultCore", "CallVaultTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "CallVaultAudioTests", dependencies: ["CallVaultAudio", "CallVaultCore", "CallVaultSettings", "CallVaultFiles", "COpus", "COgg", "CallVaultTestSupport"]),
        .testTarget(name: "CallVaultIntegrationTests", dependencies: ["CallVaultCore", "CallVaultTestSupport"]),
        .testTarget(name: "CallVaultServerTests", dependencies: [
            "CallVaultServer", "CallVaultStore", "CallVaultCore", "CallVaultSettings", "CallVaultTestSupport",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"), .product(name: "InMemoryLogging", package: "swift-log"),
        ]),
        .testTarget(name: "CallVaultPostgresTests", dependencies: [
            "CallVaultPostgres", "CallVaultCore", "CallVaultSettings", "CallVaultStore", "CallVaultWorker", "CallVaultTestSupport",
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
        .testTarget(name: "CallVaultAgeTests", dependencies: ["CallVaultAge", "CallVaultFiles", "CallVaultTestSupport"]),
    ]
)
