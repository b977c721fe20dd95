import ArgumentParser

/// "Did you mean …?" for a mistyped subcommand (`callvault quary` ▶ `query`).
enum UsageSuggestion {
    /// A suggestion when the first argument is not a subcommand but is within two edits of one.
    static func subcommand(for arguments: [String], among commands: [ParsableCommand.Type]) -> String? {
        guard let word = arguments.first, !word.hasPrefix("-") else { return nil }
        let names = commands.compactMap { $0.configuration.commandName ?? $0._commandName }
        guard !names.contains(word) else { return nil }
        let ranked = names.map { ($0, distance(word.lowercased(), $0)) }.filter { $0.1 <= 2 }.sorted { $0.1 < $1.1 }
        return ranked.first.map { "Did you mean '\($0.0)'? (callvault \($0.0) --help)" }
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where j <= b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
