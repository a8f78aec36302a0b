import Foundation
import Platform
import Testing
import TestSupport

/// A FAF rehearsal with seeded data, SIGKILLed at every host write it commits, then run again:
/// the re-run completes, the host equals a clean run's, and no temporary file of bootstrap's is
/// left anywhere.
///
/// The kill comes from a preloaded shim (Tests/Fixtures/preload/kill-at-rename.c) at the process's
/// N-th rename(2), before the kernel performs it: the last moment of an atomic write, its temporary
/// file complete beside the file, and each move of a migration into place.
@Suite(.serialized, .enabled(if: which("cc") != nil, "cc not found on PATH: the kill trials build a preloaded shim with it"))
struct HostCrashConsistencyTests {
    static let playbook = Paths.repository + "/playbooks/faf.yaml"
    static let secrets = Paths.repository + "/secrets.example"
    static let shimSource = Paths.repository + "/Tests/Fixtures/preload/kill-at-rename.c"

    /// A rehearsal directory whose migration sources hold files, a subdirectory and a symlink.
    func seededRehearsal(_ dir: TemporaryDirectory, _ name: String) throws -> String {
        // As the kernel names it (no `//`), so that strace's path filter matches what bootstrap renames.
        let rehearsal = URL(fileURLWithPath: dir.file(name)).standardizedFileURL.path
        let plan = try bootstrap(["plan", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
        #expect(plan.status == 0, "\(plan.stderr)")
        let data = rehearsal + "/host/opt/faf-stack/data"
        for source in try FileManager.default.contentsOfDirectory(atPath: data) {
            try FileManager.default.createDirectory(atPath: "\(data)/\(source)/sub", withIntermediateDirectories: true)
            try "a \(source)\n".write(toFile: "\(data)/\(source)/a.txt", atomically: false, encoding: .utf8)
            try "b \(source)\n".write(toFile: "\(data)/\(source)/sub/b.txt", atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: "\(data)/\(source)/link", withDestinationPath: "a.txt")
        }
        return rehearsal
    }

    /// An apply with the shim preloaded and `environment` (KILL_AT_RENAME, RENAME_LOG) set.
    func apply(_ rehearsal: String, shim: String, _ environment: [String: String]) throws -> ProcessResult {
        try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal],
                      environment: ProcessInfo.processInfo.environment.merging(environment.merging(["LD_PRELOAD": shim]) { $1 }) { $1 })
    }

    /// Every file and link under DIR/host with its content (a migration marker's timestamp aside).
    /// Each rehearsal's simulated cluster has CAs and keys of its own (DIR/tls), which its k3s
    /// writes under /var/lib/rancher/k3s and into k3s.yaml: they read as the name of the DIR/tls
    /// file they equal, so two rehearsals compare equal exactly when each holds its own.
    func hostTree(_ rehearsal: String) throws -> [String: String] {
        let root = rehearsal + "/host"
        var own: [(String, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: rehearsal + "/tls").sorted() where name.hasSuffix(".crt") || name.hasSuffix(".key") {
            let text = try String(contentsOfFile: rehearsal + "/tls/" + name, encoding: .utf8)
            own += [(text, "<own \(name)>"), (Data(text.utf8).base64EncodedString(), "<own \(name), base64>")]
        }
        // Longest first: a certificate's chain holds its CA's text.
        own.sort { $0.0.count > $1.0.count }
        let normalized = { (text: String) in own.reduce(text) { $0.replacingOccurrences(of: $1.0, with: $1.1) } }
        var tree: [String: String] = [:]
        for case let path as String in FileManager.default.enumerator(atPath: root)! {
            let full = root + "/" + path
            let attributes = try FileManager.default.attributesOfItem(atPath: full)
            switch attributes[.type] as? FileAttributeType {
            case .typeDirectory?: tree[path] = "dir"
            case .typeSymbolicLink?: tree[path] = "-> " + (try FileManager.default.destinationOfSymbolicLink(atPath: full))
            // The marker's time and the lock's pid differ from run to run.
            default: tree[path] = path.hasSuffix(".bootstrap-migrated") || path.hasSuffix(".lock")
                ? "present" : (try? String(contentsOfFile: full, encoding: .utf8)).map(normalized) ?? "?"
            }
        }
        return tree
    }

    /// Names anywhere under the rehearsal directory that are temporary files of an atomic write.
    func temporaries(_ rehearsal: String) -> [String] {
        (FileManager.default.enumerator(atPath: rehearsal)?.compactMap { $0 as? String } ?? []).filter {
            Files.temporaryWriter(of: PathText.lastComponent($0)) != nil
        }
    }

    @Test func killedAtEveryHostWriteOfAFAFRehearsalTheRerunConvergesAndLeavesNoTemporary() throws {
        let dir = TemporaryDirectory()
        let shim = dir.file("kill-at-rename.so")
        let built = try runProcess(which("cc")!, ["-shared", "-fPIC", "-o", shim, Self.shimSource, "-ldl"])
        #expect(built.status == 0, "\(built.stderr)")
        // The clean run: the state to converge to, and how many renames it commits.
        let clean = try seededRehearsal(dir, "clean")
        let log = dir.file("renames.log")
        let first = try apply(clean, shim: shim, ["RENAME_LOG": log, "RENAME_UNDER": clean + "/host/"])
        #expect(first.output.contains("Apply complete: 33 applied, 0 skipped, 0 failed, 0 blocked."), "\(first.output)")
        let expected = try hostTree(clean)
        #expect(expected.keys.contains("tank/faf/faf-db/sub/b.txt"))
        let renamed = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(renamed.count >= 60, "the rehearsal commits host files, migration moves and markers")
        #expect(renamed.allSatisfy { $0.hasPrefix(clean + "/host/") })
        #expect(renamed.contains { $0.hasSuffix("/host/tank/faf/faf-db/.bootstrap-migrated") })

        var converged = 0
        for n in 1...renamed.count {
            let rehearsal = try seededRehearsal(dir, "trial-\(n)")
            let killed = try apply(rehearsal, shim: shim, ["KILL_AT_RENAME": String(n), "RENAME_UNDER": rehearsal + "/host/"])
            #expect(killed.status == SIGKILL && !killed.output.contains("Apply complete"), "rename \(n): the apply was not killed")
            let rerun = try bootstrap(["apply", Self.playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
            #expect(rerun.status == 0, "killed at rename \(n): the re-run failed: \(rerun.stderr)")
            #expect(rerun.output.contains("0 failed, 0 blocked."), "killed at rename \(n): \(rerun.output)")
            let tree = try hostTree(rehearsal)
            let differing = Set(tree.keys).union(expected.keys).filter { tree[$0] != expected[$0] }.sorted()
            #expect(differing.isEmpty, "killed at rename \(n): the host differs from a clean run's at \(differing)")
            let left = temporaries(rehearsal)
            #expect(left.isEmpty, "killed at rename \(n): temporary files left: \(left)")
            if rerun.status == 0 && differing.isEmpty && left.isEmpty { converged += 1 }
            try? FileManager.default.removeItem(atPath: rehearsal)
        }
        #expect(converged == renamed.count)
    }
}
