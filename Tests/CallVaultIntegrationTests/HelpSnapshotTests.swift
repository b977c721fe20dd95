import Foundation
import Testing

/// `--help` of every subcommand, reviewed like code: each is compared with its snapshot in
/// Tests/Snapshots/help/. The command tree comes from the binary itself
/// (`--experimental-dump-help`), so a new subcommand without a reviewed snapshot fails here.
///
/// After changing a help text on purpose:
///     CALLVAULT_RECORD_SNAPSHOTS=1 swift test --skip-build --filter HelpSnapshotTests
/// then read `git diff Tests/Snapshots/help` before committing.
@Suite("--help snapshots")
struct HelpSnapshotTests {
    static let folder = Support.packageRoot.appendingPathComponent("Tests/Snapshots/help")

    /// Every command path: [], ["run"], ["numbers", "import"], … (ArgumentParser's own `help` left out).
    static func commandPaths() throws -> [[String]] {
        let dump = try Support.callvault(["--experimental-dump-help"])
        try Support.require(dump.status == 0, dump.stderr)
        let root = try Support.field(try Support.jsonObject(dump.stdout), "command", as: [String: Any].self)
        var paths: [[String]] = []
        func walk(_ command: [String: Any], _ path: [String]) throws {
            paths.append(path)
            for sub in (command["subcommands"] as? [[String: Any]]) ?? [] {
                let name = try Support.field(sub, "commandName", as: String.self)
                if name != "help" { try walk(sub, path + [name]) }
            }
        }
        try walk(root, [])
        return paths
    }

    @Test("every subcommand's --help equals its reviewed snapshot")
    func snapshots() throws {
        let paths = try Self.commandPaths()
        #expect(paths.count > 20, "the command tree was not read")
        let record = ProcessInfo.processInfo.environment["CALLVAULT_RECORD_SNAPSHOTS"] != nil
        if record { try FileManager.default.createDirectory(at: Self.folder, withIntermediateDirectories: true) }
        for path in paths {
            let help = try Support.callvault(path + ["--help"], environment: ["COLUMNS": "80"])
            #expect(help.status == 0, "\(path): \(help.stderr)")
            let name = path.isEmpty ? "callvault" : path.joined(separator: "-")
            let file = Self.folder.appendingPathComponent(name + ".txt")
            if record {
                try Data(help.stdout.utf8).write(to: file)
                continue
            }
            let expected = try? String(contentsOf: file, encoding: .utf8)
            #expect(expected != nil, "no snapshot for `callvault \(path.joined(separator: " ")) --help`: record it (see the suite's comment)")
            if let expected { #expect(help.stdout == expected, "`callvault \(path.joined(separator: " ")) --help` changed: review and record it") }
        }
    }

    /// ArgumentParser fills each paragraph to the width; a line that ends early inside a paragraph
    /// comes from a line break written into the help text, which prints as a ragged, broken sentence.
    @Test("no help paragraph is broken mid-sentence at 80 columns")
    func paragraphsFilled() throws {
        for path in try Self.commandPaths() {
            let help = try Support.callvault(path + ["--help"], environment: ["COLUMNS": "80"]).stdout
            let prose = help.components(separatedBy: "\nUSAGE:")[0].split(separator: "\n", omittingEmptySubsequences: false)
            for (line, next) in zip(prose, prose.dropFirst()) where !line.isEmpty && !next.isEmpty && !line.hasPrefix(" ") && !next.hasPrefix(" ") {
                let word = next.prefix { $0 != " " }
                #expect(line.count + 1 + word.count >= 80, "`callvault \(path.joined(separator: " ")) --help`: \"\(word)\" fits after: \(line)")
            }
        }
    }

    @Test("every subcommand teaches by example, and no example line is wrapped")
    func examples() throws {
        for path in try Self.commandPaths() where !path.isEmpty {
            let help = try Support.callvault(path + ["--help"], environment: ["COLUMNS": "80"]).stdout
            let isGroup = help.contains("SUBCOMMANDS:")
            #expect(isGroup || help.contains("Example"), "`callvault \(path.joined(separator: " ")) --help` has no worked example")
            let lines = help.split(separator: "\n", omittingEmptySubsequences: false)
            for (line, next) in zip(lines, lines.dropFirst()) where line.hasPrefix("  callvault ") && !line.hasSuffix("\\") {
                #expect(next.isEmpty || next.hasPrefix(" "), "`\(path.joined(separator: " "))`: an example wraps: \(line) / \(next)")
            }
        }
    }
}
