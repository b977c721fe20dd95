import CallVaultAge
import CallVaultAudio
import CallVaultCore
import CallVaultFiles
import CallVaultSettings
import Foundation

/// The parsers a hostile spool or a careless operator can feed: each must return or throw, never crash.
enum FuzzTargets {
    static func run(_ target: String, _ data: Data) {
        switch target {
        case "sidecar":
            _ = try? Sidecar.parse(data)
        case "csv":
            _ = try? RegistryEntry.parse(csv: String(decoding: data, as: UTF8.self), file: "fuzz.csv", defaultCountryCode: Settings.Defaults.countryCode)
        case "config":
            _ = try? Config.parse(text: String(decoding: data, as: UTF8.self), file: "fuzz.toml", baseFolder: "/tmp")
        case "audio":
            // The first byte picks how the bytes are named, so headerless formats are reached too.
            let extensions = ["wav", "flac", "mp3", "gsm", "ulaw", "alaw", "sln", "sln16", "au", "aiff", "ogg"]
            let ext = extensions[Int(data.first ?? 0) % extensions.count]
            let path = NSTemporaryDirectory() + "callvault-fuzz-\(getpid()).\(ext)"
            guard FileManager.default.createFile(atPath: path, contents: data.dropFirst()) else { return }
            defer { unlink(path) }
            var options = TranscodeOptions()
            options.blockFrames = 1024
            if let output = try? AtomicFile(path: path + ".opus", mode: 0o600) {
                _ = try? Transcoder.run(input: path, output: output, options: options)
                output.discard()
            }
        case "age":
            // The header parser, then the whole decryption with the test kit's identity (so inputs
            // that reuse its stanzas reach the MAC check and the STREAM payload).
            var reader = ByteReader(data: data)
            _ = try? AgeHeader.parse(&reader)
            var full = ByteReader(data: data)
            try? AgeDecrypter.decrypt(&full, identities: [fuzzIdentity]) { _ in }
            // Random access (serve's ranges): sizes from the file's length, chunks read out of order.
            let path = NSTemporaryDirectory() + "callvault-fuzz-\(getpid()).age"
            guard FileManager.default.createFile(atPath: path, contents: data) else { return }
            defer { unlink(path) }
            if let file = try? AgeRandomAccessFile(path: path, identities: [fuzzIdentity]) {
                for offset in [file.plaintextSize - 1, 0, file.plaintextSize / 2, 65536] {
                    _ = try? file.read(at: offset, upTo: 70_000)
                }
            }
        default:
            fatalError("CALLVAULT_FUZZ_TARGET must be sidecar, csv, config, audio or age")
        }
    }

    /// The C2SP CCTV test kit's X25519 identity (its seed files are encrypted to it).
    static let fuzzIdentity = try! AgeIdentity("AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0")

    static var target: String { ProcessInfo.processInfo.environment["CALLVAULT_FUZZ_TARGET"] ?? "sidecar" }
}

#if FUZZING
/// libFuzzer's driver (in libclang_rt.fuzzer, linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// What libFuzzer calls for each input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let bytes else { return 0 }
    FuzzTargets.run(FuzzTargets.target, Data(bytes: bytes, count: size))
    return 0
}

/// SwiftPM links an executable's entry point under this name; hand control to libFuzzer.
@_cdecl("callvault_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { bytes, size in fuzzOneInput(bytes, size) }
}
#else
/// Replays inputs (a corpus, or crashes libFuzzer found) without libFuzzer: the regression test.
///     callvault-fuzz TARGET FILE_OR_FOLDER...
@main
struct FuzzReplay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let target = args.first else {
            FileHandle.standardError.write(Data("usage: callvault-fuzz sidecar|csv|config|audio|age FILE_OR_FOLDER...\n".utf8))
            exit(2)
        }
        var count = 0
        for path in args.dropFirst() {
            var isDir: ObjCBool = false
            FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
            let files = isDir.boolValue ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 } : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                // Named before it runs: if it crashes, the last name on stderr is the input to blame.
                FileHandle.standardError.write(Data("replaying \(file)\n".utf8))
                FuzzTargets.run(target, data)
                count += 1
            }
        }
        print("\(target): \(count) inputs replayed without a crash")
    }
}
#endif
