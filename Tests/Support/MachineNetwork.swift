import Foundation

/// "Machines" on this one host, for tests of workers on many machines (issue 20): each machine
/// is a network namespace joined by a veth pair to a bridge on the host, on a private /24
/// (10.213.N.0/24): the host is `.1` (a server there is reached by every machine), machine `i`
/// is `.(11 + i)`. ``cut(_:)`` sets the host's end of a machine's veth down: the machine's
/// processes keep running and their connections stall, as when a cable is pulled or a switch
/// port dies; ``restore(_:)`` brings it back.
///
/// ``command(_:hostname:_:)`` runs a program on a machine under a host name of its own (a UTS
/// namespace too), so what a program derives from the host name (callvault's lease owners) tells
/// the machines apart as real machines would be.
///
/// Names carry this process's id, so test runs on one host do not meet; what a killed run left
/// (its process gone) is removed first. ``remove()`` deletes the namespaces, veths and bridge:
/// call it in a `defer` so a failing test leaves nothing behind.
package final class MachineNetwork {
    /// `ip` from iproute2 (scripts/deps.sh installs it), at the paths the package records —
    /// `/sbin/ip` and `/bin/ip`, which merged-/usr Debian reaches through its /usr links; in
    /// /sbin, so not found by ``Support/which(_:)``.
    package static let ip: String? = ["/sbin/ip", "/bin/ip"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// The namespaces, one a machine.
    package let namespaces: [String]
    /// The third octet of the /24.
    package let subnet: Int
    private let bridge: String
    private let ip: String
    private let tag: String

    /// The host's address on the bridge, where machines reach a server of the host.
    package var hostAddress: String { "10.213.\(subnet).1" }
    /// The bridge's network, for a server's access rules (`ADDR/PREFIX`).
    package var hostInterface: String { hostAddress + "/24" }
    package func address(of machine: Int) -> String { "10.213.\(subnet).\(11 + machine)" }
    /// The host's end of machine `machine`'s veth pair.
    package func hostEnd(of machine: Int) -> String { "cvh\(tag)-\(machine)" }

    package init(machines: Int) throws {
        guard let ip = Self.ip else { throw Support.Failure(description: "MachineNetwork: no `ip` command (Debian package iproute2)") }
        self.ip = ip
        let pid = getpid()
        tag = "\(pid)"
        bridge = "cvbr\(pid)"
        namespaces = (0..<machines).map { "cvm\(pid)-\($0)" }
        Self.removeLeftovers(ip: ip)
        // A /24 no interface of this host uses yet.
        let used = (try? Support.run(ip, ["-o", "-4", "addr", "show"]).stdout) ?? ""
        var third = 20 + Int(pid % 200)
        while used.contains("10.213.\(third).") { third = 20 + (third - 19) % 200 }
        subnet = third
        do {
            try step(["link", "add", bridge, "type", "bridge"])
            try step(["addr", "add", hostInterface, "dev", bridge])
            try step(["link", "set", bridge, "up"])
            for (i, ns) in namespaces.enumerated() {
                try step(["netns", "add", ns])
                try step(["link", "add", hostEnd(of: i), "type", "veth", "peer", "name", "eth0", "netns", ns])
                try step(["link", "set", hostEnd(of: i), "master", bridge, "up"])
                try step(["-n", ns, "addr", "add", address(of: i) + "/24", "dev", "eth0"])
                try step(["-n", ns, "link", "set", "eth0", "up"])
                try step(["-n", ns, "link", "set", "lo", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Cuts machine `machine` off the network: the host's end of its veth goes down.
    package func cut(_ machine: Int) throws { try step(["link", "set", hostEnd(of: machine), "down"]) }

    /// Connects machine `machine` again (its end is back on the bridge).
    package func restore(_ machine: Int) throws { try step(["link", "set", hostEnd(of: machine), "up"]) }

    /// The executable and arguments that run `arguments` (a program and its arguments) on machine
    /// `machine` under host name `hostname`: `ip netns exec NS unshare --uts -- sh -c 'hostname …;
    /// exec …'`. Each step execs the next, so the process started is the program itself (a
    /// signal to it reaches the program).
    package func command(_ machine: Int, hostname: String, _ arguments: [String]) -> (executable: String, arguments: [String]) {
        (ip, ["netns", "exec", namespaces[machine], "unshare", "--uts", "--", "/bin/sh", "-c", #"hostname "$0" && exec "$@""#, hostname]
            + arguments)
    }

    /// Deletes the namespaces (their veths go with them) and the bridge; errors are ignored, so it
    /// can run after a half-made network.
    package func remove() {
        for ns in namespaces { _ = try? Support.run(ip, ["netns", "delete", ns]) }
        _ = try? Support.run(ip, ["link", "delete", bridge])
    }

    private func step(_ arguments: [String]) throws {
        let r = try Support.run(ip, arguments)
        try Support.require(r.status == 0, "ip \(arguments.joined(separator: " ")): \(r.stderr)")
    }

    /// Namespaces and bridges of test runs whose process is gone (killed before their `defer`).
    private static func removeLeftovers(ip: String) {
        func deadRun(_ name: String, prefix: String) -> Bool {
            guard name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0.isNumber }) else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        let namespaces = ((try? Support.run(ip, ["netns", "list"]).stdout) ?? "").split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        for ns in namespaces where deadRun(ns, prefix: "cvm") { _ = try? Support.run(ip, ["netns", "delete", ns]) }
        let links = ((try? Support.run(ip, ["-o", "link", "show", "type", "bridge"]).stdout) ?? "").split(separator: "\n")
            .compactMap { $0.split(separator: ":").dropFirst().first?.trimmingCharacters(in: .whitespaces) }
        for link in links where deadRun(link, prefix: "cvbr") { _ = try? Support.run(ip, ["link", "delete", link]) }
    }
}
