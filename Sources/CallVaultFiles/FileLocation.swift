import Foundation
import SystemPackage

/// Path arithmetic shared by the types of this module: a relative path is taken from the current
/// folder (as `URL(fileURLWithPath:)` did before), so messages name the full path.
enum FileLocation {
    static func absolute(_ path: String) -> FilePath {
        let file = FilePath(path)
        if file.isAbsolute { return file }
        return FilePath(FileManager.default.currentDirectoryPath).pushing(file)
    }

    /// The folder holding `file` (`/` for a file in the root).
    static func folder(of file: FilePath) -> FilePath {
        file.removingLastComponent()
    }

    /// The errno swift-system threw, or `EIO` for anything else (which it never throws).
    static func errno(of error: any Error) -> Int32 {
        (error as? Errno)?.rawValue ?? EIO
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex, two digits a byte (this module cannot see CallVaultCore's `hexString`).
    var hexDigits: String {
        var out = ""
        for byte in self {
            out.append(Character(Unicode.Scalar(UInt8(ascii: "0") + (byte >> 4) + (byte >> 4 > 9 ? 39 : 0))))
            out.append(Character(Unicode.Scalar(UInt8(ascii: "0") + (byte & 15) + (byte & 15 > 9 ? 39 : 0))))
        }
        return out
    }
}
