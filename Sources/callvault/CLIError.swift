import ArgumentParser
import CallVaultStore
import Foundation

/// Errors the CLI reports with one line on stderr and a documented exit status.
enum CLIError: Error, CustomStringConvertible {
    /// Bad input or configuration: exit 2.
    case input(String)
    /// Something outside the input failed: exit 1.
    case fatal(String)
    /// The thing asked for does not exist: exit 2.
    case notFound(String)

    var description: String {
        switch self {
        case .input(let m), .fatal(let m), .notFound(let m): m
        }
    }
}

extension CLIError: CustomNSError {}

extension CLIError {
    /// A full disk is the environment's fault (exit 1); anything else wrong with the index is exit 2.
    init(_ error: IndexError) {
        self = error.kind == .storageFull ? .fatal(error.message) : .input(error.message)
    }
}

/// Prints the error line and exits with the status of its kind.
func exitWith(_ error: CLIError) -> Never {
    FileHandle.standardError.write(Data("callvault: \(error.description)\n".utf8))
    switch error {
    case .input, .notFound: exit(2)
    case .fatal: exit(1)
    }
}
