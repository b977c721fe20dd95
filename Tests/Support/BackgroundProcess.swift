import Foundation

extension Support {
    /// Starts `executable` (the built `callvault` unless named) without waiting for it, with
    /// `environment` added to the test's own: for a worker held at a fault gate, signalled or
    /// raced against another. Output is discarded unless a pipe or file is passed; standard input
    /// is the test's own unless one is passed.
    package static func start(_ arguments: [String], executable: String = binary, environment: [String: String] = [:],
                              stdin: Any? = nil, stdout: Any = FileHandle.nullDevice, stderr: Any = FileHandle.nullDevice) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let stdin { p.standardInput = stdin }
        p.standardOutput = stdout
        p.standardError = stderr
        try p.run()
        return p
    }

    /// Waits (up to 60 s, in steps of 50 ms) until `path` exists: a fault gate's `.reached` file.
    package static func waitFor(_ path: String) -> Bool {
        for _ in 0..<1200 {
            if FileManager.default.fileExists(atPath: path) { return true }
            usleep(50_000)
        }
        return false
    }
}
