import Foundation

/// What this machine lets a test do, probed once. Tests that need a capability say so with
/// `.enabled(if: Capabilities.x)`, so they show as skipped (with the reason) where it is missing,
/// instead of passing without checking anything.
package enum Capabilities {
    /// Debian's `age` and `age-keygen` (scripts/deps.sh lists `age`): the independent reader and
    /// key maker of the encryption tests.
    package static let hasAge = Support.which("age") != nil && Support.which("age-keygen") != nil

    /// Mounting a small tmpfs (root in a container that allows it): for full-disk and read-only tests.
    package static let canMountTmpfs: Bool = {
        guard let dir = try? Support.temporaryDirectory("tmpfs-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        guard (try? Support.run("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]))?.status == 0 else { return false }
        _ = try? Support.run("umount", [dir.path])
        return true
    }()

    /// `chattr +i` on a file in the temporary folder (ext4 and root; not tmpfs or overlay everywhere).
    package static let canMakeImmutable: Bool = {
        guard let dir = try? Support.temporaryDirectory("chattr-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f").path
        guard FileManager.default.createFile(atPath: file, contents: Data("x".utf8)) else { return false }
        guard (try? Support.run("chattr", ["+i", file]))?.status == 0 else { return false }
        _ = try? Support.run("chattr", ["-i", file])
        return true
    }()
}

extension Capabilities {
    /// `ip netns add` (root or CAP_NET_ADMIN, and iproute2): for tests whose "machines" are
    /// network namespaces on this host (``MachineNetwork``).
    package static let canUseNetworkNamespaces: Bool = {
        guard let ip = MachineNetwork.ip else { return false }
        let name = "cvprobe\(getpid())"
        guard (try? Support.run(ip, ["netns", "add", name]))?.status == 0 else { return false }
        _ = try? Support.run(ip, ["netns", "delete", name])
        return true
    }()
}
