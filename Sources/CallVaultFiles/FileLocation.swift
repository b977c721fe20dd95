import Foundation
import SystemPackage

/// Path arithmetic and opening shared by the types of this module. Paths stay `String`s and are
/// handed to the system as C strings: building a `FilePath` parses and normalises the path in
/// generic code that a debug build leaves unspecialised, which made `run` over 1,000 empty pairs
/// use four times the CPU (several paths a file). A relative path is taken from the current folder
/// (as `URL(fileURLWithPath:)` did before), so messages name the full path.
enum FileLocation {
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The folder holding `path` (`/` for a file in the root), from its absolute form.
    static func folder(of path: String) -> String {
        let full = absolute(path)
        guard let slash = full.lastIndex(of: "/"), slash != full.startIndex else { return "/" }
        return String(full[..<slash])
    }

    /// The last component of `path`.
    static func name(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// `open(2)` through swift-system, given the path as a C string (no `FilePath` parsing).
    static func open(_ path: String, _ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions,
                     permissions: FilePermissions? = nil) throws -> FileDescriptor {
        try path.withCString { try FileDescriptor.open($0, mode, options: options, permissions: permissions) }
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
