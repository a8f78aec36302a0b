import Foundation
import Testing
import TestSupport

/// Before the first change: `plan` shows each check, `apply` refuses to start while one fails and
/// changes nothing. The node is a host root with recording fakes of zfs and docker first on PATH,
/// and its own /proc (open files, listening sockets), as the real node is read.
@Suite struct PreflightTests {
    static let digest = String(repeating: "ab", count: 32)
    static let pinned = "https://raw.githubusercontent.com/k3s-io/k3s/v1.31.4%2Bk3s1/install.sh"

    struct Node {
        let dir = TemporaryDirectory()
        var root: String { dir.file("root") }
        var log: String { dir.file("commands.log") }

        init(installer: String = PreflightTests.pinned, sha256: String = PreflightTests.digest, address: String = "faforever.com") throws {
            try dir.write("pb.yaml", """
                apiVersion: bootstrap.faforever.com/v1
                kind: Playbook
                metadata: {name: preflight}
                steps:
                  - id: k3s
                    type: k3s.install
                    with: {version: v1.31.4+k3s1, nodeName: node-1, tlsSan: ["k8s.\(address)"], installer: {url: "\(installer)", sha256: "\(sha256)"}}
                  - id: copy
                    type: data.migrate
                    with: {from: /srv/data, to: /tank/data, dataset: tank/data}

                """)
            try dir.write("root/srv/data/ibdata1", String(repeating: "x", count: 4096), mode: 0o644)
            try FileManager.default.createDirectory(atPath: dir.file("root/tank/data"), withIntermediateDirectories: true)
            try dir.write("root/proc/net/tcp", "  sl  local_address rem_address   st\n", mode: 0o644)
            try dir.write("bin/zfs", """
                #!/bin/sh
                echo "zfs $*" >> \(log)
                case "$1" in
                get) cat \(dir.file("available")) 2>/dev/null || echo 1099511627776;;
                list) echo "cannot open: dataset does not exist" >&2; exit 1;;
                *) exit 0;;
                esac

                """, mode: 0o755)
            try dir.write("bin/docker", "#!/bin/sh\necho \"docker $*\" >> \(log)\n", mode: 0o755)
        }

        func run(_ command: String) throws -> ProcessResult {
            try bootstrap([command, dir.file("pb.yaml"), "--host-root", root] + (command == "apply" ? ["--yes"] : []),
                          environment: ["PATH": dir.file("bin") + ":/usr/bin:/bin", "HOME": dir.path])
        }

        /// What the fakes saw, and whether the node was changed (the apply lock, the installer's directory).
        var commands: [String] { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
        var untouched: Bool { !FileManager.default.fileExists(atPath: root + "/var/lib/bootstrap") }
    }

    func expectRefused(_ node: Node, _ text: String) throws {
        let plan = try node.run("plan")
        #expect(plan.status == 0, "\(plan.output)")
        #expect(plan.stdout.contains(text), "\(plan.stdout)")
        let apply = try node.run("apply")
        #expect(apply.status == 1, "\(apply.output)")
        #expect(apply.stderr.contains("the pre-flight failed; nothing was changed"), "\(apply.stderr)")
        #expect(apply.stderr.contains(text), "\(apply.stderr)")
        #expect(node.untouched, "apply changed the node")
        #expect(!node.commands.contains { $0.hasPrefix("zfs snapshot") || $0.hasPrefix("zfs create") })
    }

    @Test func aCleanNodePassesEveryCheck() throws {
        let node = try Node()
        let plan = try node.run("plan")
        #expect(plan.status == 0, "\(plan.output)")
        for line in ["ok: k3s: installer pinned", "ok: copy: compose stopped", "ok: copy: rsync", "ok: copy: pool room", "ok: ports free: 6443/tcp"] {
            #expect(plan.stdout.contains(line), "\(line) in \(plan.stdout)")
        }
        #expect(!plan.stdout.contains("FAILED"))
        #expect(plan.stdout.contains("# 4.0 KiB in 1 entries to copy; about "), "an estimate from a measured rate: \(plan.stdout)")
        #expect(plan.stdout.contains("(dd read 4.0 KiB of /srv/data/ibdata1"), "\(plan.stdout)")
    }

    @Test func aRunningContainerOnTheSourceStopsTheRun() throws {
        let node = try Node()
        try node.dir.write("bin/docker", """
            #!/bin/sh
            case "$1" in
            ps) echo 4f2a9c;;
            inspect) printf '/faf-db\\t/srv/data\\t/etc/mysql\\n/faf-irc\\t/srv/irc\\n';;
            esac

            """, mode: 0o755)
        try expectRefused(node, "container faf-db mounts /srv/data")
    }

    @Test func aProcessWithAFileOpenInTheSourceStopsTheRun() throws {
        let node = try Node()
        try FileManager.default.createDirectory(atPath: node.root + "/proc/4242/fd", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: node.root + "/proc/4242/fd/7", withDestinationPath: "/srv/data/ibdata1")
        try node.dir.write("root/proc/4242/comm", "mariadbd\n", mode: 0o644)
        try expectRefused(node, "process 4242 (mariadbd) has /srv/data/ibdata1 open")
    }

    @Test func aPoolWithoutRoomStopsTheRun() throws {
        let node = try Node()
        try node.dir.write("available", "1073741824\n", mode: 0o644)
        try expectRefused(node, "FAILED: copy: pool room: tank has 1.0 GiB available for 4.0 KiB to copy")
    }

    @Test func aPortInUseStopsTheRun() throws {
        let node = try Node()
        // compose's Traefik would hold 443; here something listens on k3s' 6443 (0x192B), state 0A = LISTEN.
        try node.dir.write("root/proc/net/tcp6", """
              sl  local_address                         remote_address                        st
               0: 00000000000000000000000000000000:192B 00000000000000000000000000000000:0000 0A

            """, mode: 0o644)
        try expectRefused(node, "6443/tcp (k3s API server) is in use on the node")
    }

    @Test func placeholdersStopARealRunAndARehearsalSaysItAcceptsThem() throws {
        let node = try Node(installer: "https://get.k3s.io", sha256: String(repeating: "0", count: 64), address: "example.com")
        try expectRefused(node, "FAILED (placeholder): k3s: no placeholder: with.installer.sha256: the all-zero digest")
        let apply = try node.run("apply")
        #expect(apply.stderr.contains("with.tlsSan[0]: example.com"), "\(apply.stderr)")
        #expect(apply.stderr.contains("https://get.k3s.io can change under its digest"), "\(apply.stderr)")

        try FileManager.default.createDirectory(atPath: node.dir.file("r/host/tank/data"), withIntermediateDirectories: true)
        let rehearsal = try bootstrap(["apply", node.dir.file("pb.yaml"), "--rehearsal", node.dir.file("r")],
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": node.dir.path])
        #expect(rehearsal.status == 0, "\(rehearsal.output)")
        let said = rehearsal.stderr.split(separator: "\n").filter { $0.contains("placeholder") }
        #expect(said.count == 1, "said once: \(said)")
        #expect(said.first?.contains("rehearsal: accepted 3 placeholders a real run refuses") == true, "\(said)")
    }
}
