import Foundation

/// A path with every symlink in its existing part resolved (`realpath(3)` of the longest prefix that
/// exists, the rest appended), so layout checks compare where files really go, not how they are named.
enum RealPath {
    static func resolve(_ path: String) -> String {
        var head = path, tail: [String] = []
        while !head.isEmpty && head != "/" {
            if let resolved = realpath(head, nil) {
                defer { free(resolved) }
                return ([String(cString: resolved)] + tail.reversed()).joined(separator: "/")
            }
            tail.append((head as NSString).lastPathComponent)
            head = (head as NSString).deletingLastPathComponent
        }
        return path
    }
}
