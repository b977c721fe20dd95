import Foundation

/// Helpers that drive the built `callvault` binary and independent tools, as a user would.
package enum Support {
    package static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    package static let fixtures: URL = {
        let dir = packageRoot.appendingPathComponent("Tests/Fixtures/generated")
        if !FileManager.default.fileExists(atPath: dir.appendingPathComponent(".complete").path) {
            _ = try? run("/bin/bash", [packageRoot.appendingPathComponent("scripts/make-fixtures.sh").path, dir.path])
        }
        return dir
    }()

    package static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// The `callvault` built beside the test bundle (or `CALLVAULT_BIN`).
    package static let binary: String = {
        if let env = ProcessInfo.processInfo.environment["CALLVAULT_BIN"] { return env }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("callvault").path,
            packageRoot.appendingPathComponent(".build/debug/callvault").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }()

    /// Creates (or truncates) the file at `path` with `contents`, or throws naming it: a test
    /// must not go on as if a file it set up were there.
    package static func createFile(_ path: String, _ contents: Data?) throws {
        guard FileManager.default.createFile(atPath: path, contents: contents) else {
            throw Failure(description: "cannot create \(path)")
        }
    }

    /// Where `tool` is installed (/usr/bin, /usr/local/bin or /bin), or nil: for `.enabled(if:)`.
    package static func which(_ tool: String) -> String? {
        ["/usr/bin/", "/usr/local/bin/", "/bin/"].map { $0 + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    package struct Result {
        package var status: Int32
        package var stdout: String
        package var stderr: String
    }

    @discardableResult
    package static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read both pipes concurrently so a full pipe never blocks the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    @discardableResult
    package static func callvault(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try run(binary, arguments, environment: environment)
    }

    package static func temporaryDirectory(_ name: String = #function) throws -> URL {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("callvault-\(safe)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `opusinfo`'s exact playback length in seconds.
    package static func opusinfoLength(_ path: String) throws -> (seconds: Double, output: String) {
        let r = try run("opusinfo", [path])
        let text = r.stdout + r.stderr
        guard let line = text.split(separator: "\n").first(where: { $0.contains("Playback length") }) else { return (-1, text) }
        // "Playback length: 0m:16.179s"
        let value = line.split(separator: ":").dropFirst().joined(separator: ":").trimmingCharacters(in: .whitespaces)
        let parts = value.split(separator: "m:")
        let minutes = Double(parts[0]) ?? 0
        let seconds = Double(parts[1].dropLast()) ?? 0
        return (minutes * 60 + seconds, text)
    }

    /// Samples per channel after decoding with `opusdec --rate 48000` (exact, pre-skip and trimming applied).
    package static func decodedSamples48k(_ path: String, into wav: String) throws -> Int {
        try run("opusdec", ["--quiet", "--rate", "48000", path, wav])
        let data = try Data(contentsOf: URL(fileURLWithPath: wav))
        let channels = Int(data[22]) | Int(data[23]) << 8
        // Find the data chunk.
        var offset = 12
        while offset + 8 <= data.count {
            let id = String(decoding: data[offset..<offset + 4], as: UTF8.self)
            let size = data[offset + 4..<offset + 8].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            if id == "data" { return min(size, data.count - offset - 8) / (2 * channels) }
            offset += 8 + size + (size & 1)
        }
        return -1
    }

    /// ffmpeg's `volumedetect` max level of one channel, in dB.
    package static func maxVolume(_ path: String, channel: Int) throws -> Double {
        let r = try run("ffmpeg", ["-nostdin", "-hide_banner", "-i", path, "-af", "pan=mono|c0=c\(channel),volumedetect", "-f", "null", "-"])
        guard let line = r.stderr.split(separator: "\n").first(where: { $0.contains("max_volume") }),
              let value = line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces).split(separator: " ").first
        else { return .nan }
        return value == "-inf" ? -.infinity : Double(value) ?? .nan
    }

    package static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8))
    }

    /// A failed expectation in a helper: thrown, so it fails one test instead of crashing the runner.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package static func require(_ condition: Bool, _ message: @autoclosure () -> String = "") throws {
        if !condition { throw Failure(description: message()) }
    }

    /// `text` as a JSON object, or a thrown failure quoting it.
    package static func jsonObject(_ text: String) throws -> [String: Any] {
        guard let object = try json(text) as? [String: Any] else { throw Failure(description: "not a JSON object: \(text.prefix(200))") }
        return object
    }

    /// `text` as a JSON array of objects, or a thrown failure quoting it.
    package static func jsonArray(_ text: String) throws -> [[String: Any]] {
        guard let array = try json(text) as? [[String: Any]] else { throw Failure(description: "not a JSON array of objects: \(text.prefix(200))") }
        return array
    }

    /// `object[key]` as a `T`, or a thrown failure naming the key.
    package static func field<T>(_ object: [String: Any], _ key: String, as type: T.Type = T.self) throws -> T {
        guard let value = object[key] as? T else { throw Failure(description: "\(key): \(String(describing: object[key])) is not a \(T.self)") }
        return value
    }
}
