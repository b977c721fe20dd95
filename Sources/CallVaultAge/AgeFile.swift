import CallVaultFiles
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File-level decryption that releases nothing unless the whole file authenticates.
public enum AgeFile {
    /// Reads an identity file, refusing one that group or others can access (it holds a secret key).
    public static func loadIdentities(path: String) throws -> [AgeIdentity] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw AgeError(.io, "\(path): cannot read identity file (\(FileSystemError.stat(path, errno: errno).reason))") }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw AgeError(.key, "\(path): identity file has mode \(String(mode, radix: 8)); it holds a secret key and must be 0600 (chmod 600 \(path))")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw AgeError(.io, "\(path): cannot read identity file") }
        do {
            return try AgeIdentity.parseFile(String(decoding: data, as: UTF8.self))
        } catch let error as AgeError {
            throw AgeError(error.kind, "\(path): \(error.message)")
        }
    }

    /// Decrypts `input` into `output` through a temporary file beside it (mode 0600), fsynced and
    /// renamed only when the whole file authenticated; on any failure the temporary file is removed
    /// and `output` is untouched.
    public static func decrypt(input: String, identities: [AgeIdentity], output: String) throws {
        guard let source = FileHandle(forReadingAtPath: input) else { throw AgeError(.io, "\(input): cannot open") }
        defer { try? source.close() }
        let directory = (output as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/." + (output as NSString).lastPathComponent + ".decrypting-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AgeError(.output, "\(temporary): cannot create (\(FileSystemError.create(temporary, errno: errno).reason))") }
        let sink = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var renamed = false
        defer {
            try? sink.close()
            if !renamed { unlink(temporary) }
        }
        var reader = ByteReader(fileHandle: source)
        try AgeDecrypter.decrypt(&reader, identities: identities) { chunk in
            do { try sink.write(contentsOf: chunk) } catch { throw AgeError(.output, "\(temporary): write failed (\(error.localizedDescription))") }
        }
        do { try sink.synchronize() } catch { throw AgeError(.output, "\(temporary): fsync failed (\(error.localizedDescription))") }
        do throws(FileSystemError) { try FileMove.rename(temporary, to: output) } catch { throw AgeError(.output, "\(output): rename failed (\(error.reason))") }
        renamed = true
        // The rename is durable only once the folder is fsynced: a failure there is an error too.
        do { try DirectorySync.sync(folder: directory.isEmpty ? "." : directory) } catch {
            throw AgeError(.output, "\(output): written, but its folder could not be made durable (\(error))")
        }
    }

    /// Decrypts `input` to `output` (a pipe, stdout) in two passes: the first authenticates every
    /// chunk and writes nothing, the second writes. A file changed between the passes still fails
    /// at the first altered chunk of the second pass.
    public static func decrypt(input: String, identities: [AgeIdentity], to output: FileHandle) throws {
        for pass in 0..<2 {
            guard let source = FileHandle(forReadingAtPath: input) else { throw AgeError(.io, "\(input): cannot open") }
            defer { try? source.close() }
            var reader = ByteReader(fileHandle: source)
            try AgeDecrypter.decrypt(&reader, identities: identities) { chunk in
                guard pass == 1 else { return }
                do { try output.write(contentsOf: chunk) } catch { throw AgeError(.output, "stdout: write failed (\(error.localizedDescription))") }
            }
        }
    }
}
