import Foundation

/// Processes, paths and files for the age tests (the built binary, Debian's `age`, python3's zlib).
enum AgeTestSupport {
    static let vectors = Support.packageRoot.appendingPathComponent("Tests/Fixtures/cctv-age")

    /// The `callvault` built beside the test bundle (or `CALLVAULT_BIN`).
    static var binary: String { Support.binary }

    static func which(_ tool: String) -> String? { Support.which(tool) }

    /// Debian's `age` and `age-keygen` are installed (scripts/deps.sh lists `age`).
    static let hasAge = which("age") != nil && which("age-keygen") != nil

    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: String
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], stdin: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
        process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if let stdin {
            group.enter()
            DispatchQueue.global().async {
                try? input.fileHandleForWriting.write(contentsOf: stdin)
                try? input.fileHandleForWriting.close()
                group.leave()
            }
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: outData, stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory(_ name: String = #function) throws -> URL {
        try Support.temporaryDirectory("age-" + name)
    }

    /// Writes an identity file with `mode` (0600 unless a test wants it wrong).
    static func writeIdentity(_ text: String, in dir: URL, mode: Int = 0o600) throws -> String {
        let path = dir.appendingPathComponent("key-\(UUID().uuidString.prefix(6)).txt").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    /// Deterministic, incompressible-looking bytes.
    static func bytes(_ count: Int, seed: UInt64 = 1) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var out = Data(count: count)
        for i in 0..<count {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            out[i] = UInt8(truncatingIfNeeded: state)
        }
        return out
    }
}

/// One C2SP CCTV vector: its header keys and the age file (decompressed when `compressed: zlib`).
struct CCTVVector: CustomStringConvertible {
    var name: String
    var expect: String
    var payloadHash: String?
    var identities: [String]
    var age: Data
    var description: String { name }

    static func all() throws -> [CCTVVector] {
        let names = try FileManager.default.contentsOfDirectory(atPath: AgeTestSupport.vectors.path).filter { $0 != "LICENSE" }.sorted()
        return try names.map { try load($0) }
    }

    static func load(_ name: String) throws -> CCTVVector {
        let data = try Data(contentsOf: AgeTestSupport.vectors.appendingPathComponent(name))
        guard let blank = data.firstRange(of: Data("\n\n".utf8)) else { throw CocoaError(.fileReadCorruptFile) }
        let header = String(decoding: data[..<blank.lowerBound], as: UTF8.self)
        var body = Data(data[blank.upperBound...])
        var vector = CCTVVector(name: name, expect: "", payloadHash: nil, identities: [], age: body)
        for line in header.split(separator: "\n") {
            guard let colon = line.range(of: ": ") else { continue }
            let key = String(line[..<colon.lowerBound]), value = String(line[colon.upperBound...])
            switch key {
            case "expect": vector.expect = value
            case "payload": vector.payloadHash = value
            case "identity": vector.identities.append(value)
            case "compressed":
                // zlib through python3 (a test package): Foundation on Linux has no zlib API.
                let r = try AgeTestSupport.run("python3", ["-c", "import sys,zlib; sys.stdout.buffer.write(zlib.decompress(sys.stdin.buffer.read()))"], stdin: body)
                guard r.status == 0 else { throw CocoaError(.fileReadCorruptFile) }
                body = r.stdout
            default: break
            }
        }
        vector.age = body
        return vector
    }
}
