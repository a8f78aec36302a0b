import Foundation
import Host
import Testing
import TestSupport

/// Commands are found on the host's PATH, in its order, and report their status and output.
@Suite struct HostCommandTests {
    func tool(_ dir: String, _ name: String, _ body: String, executable: Bool = true) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ("#!/bin/sh\n" + body).write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        chmod(dir + "/" + name, executable ? 0o755 : 0o644)
    }

    @Test func theFirstExecutableOnPathRuns() async throws {
        let dir = TemporaryDirectory("path")
        try tool(dir.file("first"), "tool", "echo first\n", executable: false)
        try tool(dir.file("second"), "tool", "echo second\n")
        try tool(dir.file("third"), "tool", "echo third\n")
        let host = LocalHost(root: dir.file("root"), environment: ["PATH": "\(dir.file("first")):\(dir.file("second")):\(dir.file("third"))"])
        #expect(try await host.run(Command(["tool"], changesHost: false)).stdout == "second\n")
    }

    @Test func aCommandNotOnPathIsNamed() async throws {
        let host = LocalHost(root: TemporaryDirectory("root").path, environment: ["PATH": "/nonexistent"])
        await #expect { try await host.run(Command(["zfs", "list"], changesHost: false)) } throws: { error in
            "\(error)" == "command not found on PATH: zfs"
        }
    }

    /// runChecked: a non-zero exit is an error naming the command, its status and its stderr.
    @Test func aFailingCommandReportsItsStatusAndErrorOutput() async throws {
        let dir = TemporaryDirectory("path")
        try tool(dir.file("bin"), "zfs", "echo \"cannot open 'tank': no such pool\" >&2\nexit 1\n")
        let host = LocalHost(root: dir.file("root"), environment: ["PATH": dir.file("bin")])
        await #expect { try await host.runChecked(Command(["zfs", "list", "tank"], changesHost: false)) } throws: { error in
            "\(error)" == "`zfs list tank` exited with status 1: cannot open 'tank': no such pool"
        }
    }

    @Test func aCommandKilledByASignalSaysSo() async throws {
        let dir = TemporaryDirectory("path")
        try tool(dir.file("bin"), "dies", "kill -9 $$\n")
        let host = LocalHost(root: dir.file("root"), environment: ["PATH": dir.file("bin") + ":/usr/bin:/bin"])
        let result = try await host.run(Command(["dies"], changesHost: false))
        #expect(result.status == 128 + 9)
        #expect(result.stderr.contains("(ended by signal 9)"))
    }

    /// The command's own environment comes on top of the host's; a program named by an absolute
    /// path is a host path, under the root.
    @Test func theCommandsEnvironmentAndAnAbsoluteProgramPath() async throws {
        let dir = TemporaryDirectory("path")
        try tool(dir.file("root/opt/bin"), "show", "echo \"$A $B\"\n")
        let host = LocalHost(root: dir.file("root"), environment: ["PATH": "/usr/bin:/bin", "A": "host", "B": "host"])
        let result = try await host.run(Command(["/opt/bin/show"], environment: ["B": "command"], changesHost: false))
        #expect(result.stdout == "host command\n")
    }
}

/// Plan mode's host: look-ups run, anything with a side effect is refused with what it would have
/// done, and nothing on the host changes.
@Suite struct PlanHostRefusalTests {
    @Test func aRefusalNamesWhatWouldHaveChanged() async throws {
        let fixture = try HostFixture()
        let plan = PlanHost(wrapping: fixture.host)
        #expect(plan.root == fixture.root)
        await #expect { try await plan.run(Command(["zfs", "create", "tank/faf"], changesHost: true)) } throws: { error in
            "\(error)" == "plan must not change the host, but would run: zfs create tank/faf"
        }
        #expect { try plan.makeDirectory("/srv/faf", mode: 0o750, owner: nil) } throws: { error in
            "\(error)".hasPrefix("plan must not change the host, but would run: ") && "\(error)".contains("/srv/faf")
        }
        #expect { try plan.write("/etc/secret.conf", Data("password=hunter2".utf8), mode: 0o600, owner: nil) } throws: { error in
            "\(error)".contains("/etc/secret.conf") && !"\(error)".contains("hunter2")
        }
        #expect(fixture.recorded().isEmpty, "a fake ran: \(fixture.recorded())")
        #expect(!FileManager.default.fileExists(atPath: fixture.hostFile("/srv/faf")))
        #expect(!FileManager.default.fileExists(atPath: fixture.hostFile("/etc/secret.conf")))
    }
}
