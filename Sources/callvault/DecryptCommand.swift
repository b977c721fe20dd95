import ArgumentParser
import CallVaultAge
import Foundation

struct DecryptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decrypt",
        abstract: "Decrypt an age file made for an X25519 recipient (age-encryption.org/v1).",
        discussion: """
        Reads any age v1 file encrypted to an age1… recipient (by callvault or by `age -r`) with \
        the identity file `age-keygen` writes. The identity file holds a secret key: it is refused \
        unless only its owner can read it (chmod 600).

        Nothing is written unless the whole file authenticates: with -o the plaintext goes to a \
        temporary file beside OUT, renamed only at the end; without -o the file is checked in a \
        first pass and written to stdout in a second. Exit 2, with the reason on stderr, when no \
        identity matches, the header or its MAC is wrong, or the payload is altered or truncated; \
        exit 1 when the output cannot be written (full disk, missing folder).

        Example:
          age-keygen -o key.txt
          callvault decrypt 1700000000.42.opus.age --identity key.txt -o call.opus
        """)

    @Argument(help: "The age file to decrypt.")
    var file: String

    @Option(help: "The identity file (AGE-SECRET-KEY-1… lines, as age-keygen writes; mode 0600).")
    var identity: String

    @Option(name: .shortAndLong, help: "Where to write the plaintext (replaced atomically); stdout when omitted.")
    var output: String?

    func run() throws {
        let identities: [AgeIdentity]
        do {
            identities = try AgeFile.loadIdentities(path: identity)  // its errors name the identity file
        } catch let error as AgeError {
            throw CLIError.input(error.message)
        }
        do {
            if let output {
                try AgeFile.decrypt(input: file, identities: identities, output: output)
            } else {
                try AgeFile.decrypt(input: file, identities: identities, to: FileHandle.standardOutput)
            }
        } catch let error as AgeError where error.kind == .output {
            throw CLIError.fatal(error.description)  // exit 1: the disk, not the file
        } catch let error as AgeError {
            throw CLIError.input("\(file): \(error.description)")
        }
    }
}
