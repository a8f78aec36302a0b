import Document
import Foundation
import Testing
import TestSupport
@testable import bootstrap

/// Inputs that crashed, hung or were silently accepted (issue 18, items 12-14), each as a user
/// meets it through the binary.
@Suite struct InputHardeningTests {
    static let header = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: x}\n"

    func validate(_ text: String, secrets: String? = nil) throws -> ProcessResult {
        let dir = TemporaryDirectory()
        let path = try dir.write("p.yaml", text)
        var arguments = ["validate", path]
        if let secrets { arguments += ["--secrets", try dir.write("s.yaml", secrets)] }
        var result = try bootstrap(arguments)
        result.stderr = result.stderr.replacingOccurrences(of: dir.path + "/", with: "")
        return result
    }

    @Test func deviceFilesAndDirectoriesAreNotPlaybooks() throws {
        let zero = try bootstrap(["validate", "/dev/zero"])
        #expect(zero.status == 66)
        #expect(zero.stderr.contains("/dev/zero: error: cannot read playbook: not a regular file"))
        let dir = TemporaryDirectory()
        let directory = try bootstrap(["validate", dir.path])
        #expect(directory.status == 66)
        #expect(directory.stderr.contains("error: cannot read playbook: is a directory"))
        let secrets = try bootstrap(["validate", Paths.repository + "/playbooks/examples/minimal.yaml", "--secrets", "/dev/zero"])
        #expect(secrets.status == 66)
        #expect(secrets.stderr.contains("/dev/zero: error: cannot read secrets file: not a regular file"))
    }

    @Test func secretsFromAPipeAreStillRead() throws {
        // Process substitution keeps secrets off the disk; it is a pipe, not a regular file.
        let bash = try #require(which("bash"))
        let playbook = Paths.repository + "/playbooks/examples/minimal.yaml"
        let result = try runProcess(bash, ["-c", "exec \"$0\" validate \"$1\" --secrets <(printf 'a: b-value\\n')", Paths.binary, playbook])
        #expect(result.status == 0, "\(result.stderr)")
    }

    @Test func anOversizedPlaybookIsRefused() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("big.yaml")
        try Data(repeating: 0x23, count: Limits.maxFileBytes + 1).write(to: URL(fileURLWithPath: path))
        let result = try bootstrap(["validate", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("big.yaml:1:1: error: cannot read playbook: larger than 8 MiB"))
    }

    @Test func deepNestingIsAPositionedErrorNotACrash() throws {
        let deep = String(repeating: "[", count: 12_100) + String(repeating: "]", count: 12_100)
        let result = try validate(Self.header + "vars: {a: \(deep)}\nsteps: [{id: a, type: kube.namespaces, with: {names: [a]}}]\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("p.yaml:4:\(11 + Limits.maxDepth - 2): error: nesting deeper than \(Limits.maxDepth) levels"))
        // Inside a kube.objects value, where the rehearsal apply crashed at ~1,850 levels.
        let inner = String(repeating: "{a: ", count: 1_900) + "1" + String(repeating: "}", count: 1_900)
        let objects = try validate(Self.header + "steps:\n  - id: o\n    type: kube.objects\n    with:\n      objects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: \(inner)}]\n")
        #expect(objects.status == 65)
        #expect(objects.stderr.contains("error: nesting deeper than \(Limits.maxDepth) levels"))
    }

    @Test func everyValidationGapIsAPositionedError() throws {
        let longValue = String(repeating: "v", count: 100_000)
        let text = Self.header + """
            steps:
              - id: ns
                type: kube.namespaces
                needs: k3s
                with: {names: [a], labels: {team: \(longValue)}}
              - id: file
                type: host.file
                with: {path: "/etc/a\\0b", content: x}
              - id: ds
                type: zfs.dataset
                with: {name: tank/../x, mountpoint: /tank/x, recordsize: 3K}
              - id: vols
                type: storage.local-volumes
                with:
                  dataset: tank/faf
                  dataRoot: /tank/faf
                  nodeSelector: {storage-id: main-01}
                  volumes:
                    - {name: a, namespace: a, size: 0.5m}
                    - {name: b, namespace: a, size: 99999999999999999999999Ei}
              - id: ns
                type: kube.namespaces
                with: {names: [c]}
              - id: objs
                type: kube.objects
                with:
                  objects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: a}, data: {"${{ vars.x }}": y}}]

            """
        let result = try validate(text)
        #expect(result.status == 65)
        let expected = [
            "p.yaml:7:12: error: needs must be a list of step ids, found string (write needs: [k3s])",
            "p.yaml:8:39: error: step \"ns\": label value \"\(String(repeating: "v", count: 60))…\" (100000 characters)\" must be at most 63 alphanumerics",
            "p.yaml:11:18: error: step \"file\": path: \"/etc/a\\0b\" must not contain a NUL byte",
            "p.yaml:14:18: error: step \"ds\": name \"tank/../x\" is not a dataset name such as tank/faf/mariadb",
            "p.yaml:14:62: error: step \"ds\": recordsize \"3K\" is not a power of two from 512 to 16M, such as 16K or 1M",
            "p.yaml:22:41: error: step \"vols\": size \"0.5m\" is not a whole number of bytes",
            "p.yaml:23:41: error: step \"vols\": size \"99999999999999999999999Ei\" is larger than 8Ei",
            "p.yaml:24:9: error: duplicate step id \"ns\" (first defined at 5:9)",
            "p.yaml:30:93: error: step \"objs\": a mapping key is not interpolated",
        ]
        for line in expected { #expect(result.stderr.contains(line), "missing: \(line)\n\(result.stderr)") }
    }

    @Test func unknownTagsAreRefused() throws {
        let result = try validate(Self.header + "steps: [{id: a, type: kube.namespaces, with: {names: !custom [b]}}]\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("p.yaml:4:54: error: unknown YAML tag \"!custom\""), "\(result.stderr)")
    }

    @Test func aStructuralErrorIsNotEchoedByTheLaterChecks() throws {
        let result = try validate(Self.header + "steps:\n  - id: a\n    with: {names: [a]}\n  - {id: a, type: kube.namespaces, with: {names: [b]}}\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("p.yaml:5:5: error: step \"a\" is missing its type"))
        #expect(result.stderr.contains("p.yaml:7:10: error: duplicate step id \"a\" (first defined at 5:9)"))
        #expect(!result.stderr.contains("unknown type"), "\(result.stderr)")
    }

    @Test func emptyStepsAreRefused() throws {
        let result = try validate(Self.header + "steps: []\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("p.yaml:4:8: error: steps is empty: a playbook needs at least one step"))
    }

    @Test func emptyNullAndNonUTF8SecretsAreRefused() throws {
        let playbook = Self.header + "steps: [{id: a, type: host.file, with: {path: /etc/a, content: \"${{ secrets.a }}\"}}]\n"
        let result = try validate(playbook, secrets: "a: ''\nb: ~\nc: null\nd:\ne: fine\n")
        #expect(result.status == 65)
        for line in ["s.yaml:1:4: error: this secret is empty", "s.yaml:2:4: error: this secret is null",
                     "s.yaml:3:4: error: this secret is null", "s.yaml:4:3: error: this secret is"] {
            #expect(result.stderr.contains(line), "missing: \(line)\n\(result.stderr)")
        }

        let dir = TemporaryDirectory()
        let path = try dir.write("p.yaml", playbook)
        let secrets = dir.file("bad.yaml")
        try Data(Array("a: ok-value\nb: caf".utf8) + [0xE9, 0x0A]).write(to: URL(fileURLWithPath: secrets))
        chmod(secrets, 0o600)
        let bad = try bootstrap(["validate", path, "--secrets", secrets])
        #expect(bad.status == 65)
        #expect(bad.stderr.contains("bad.yaml:2:7: error: cannot read secrets file: not valid UTF-8"))
    }

    /// A wrong file given as the secrets file (/etc/shadow, say) is not printed back: each of its
    /// lines reads as a key with an empty value, and the messages give only the position.
    @Test func aWrongSecretsFileIsNotEchoed() throws {
        let playbook = Self.header + "steps: [{id: a, type: host.file, with: {path: /etc/a, content: \"${{ secrets.root }}\"}}]\n"
        let shadow = "root:$6$Zq0hashZq0:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n"
        let result = try validate(playbook, secrets: shadow)
        #expect(result.status == 65)
        #expect(result.stderr.contains("s.yaml:1:"), "\(result.stderr)")
        for leaked in ["$6$", "Zq0hash", "daemon", "root:", "99999"] {
            #expect(!result.stderr.contains(leaked), "\(leaked) printed:\n\(result.stderr)")
        }
        // A missing reference points at the near entry without naming it.
        let near = try validate(Self.header + "steps: [{id: a, type: host.file, with: {path: /etc/a, content: \"${{ secrets.api.tokn }}\"}}]\n",
                                secrets: "api:\n  token: hunter2-value\n")
        #expect(near.stderr.contains("refers to undefined secret \"secrets.api.tokn\""), "\(near.stderr)")
        #expect(near.stderr.contains("(did you mean the entry at s.yaml:2:3?)"), "\(near.stderr)")
        #expect(!near.stderr.contains("\"token\"") && !near.stderr.contains("hunter2"))
    }

    /// 20,000 findings: found in time linear in their number (every step needing a missing step made
    /// "did you mean" compare each miss with every step: 20,000² edit distances), and printed up
    /// to a cap, the rest counted.
    @Test func twentyThousandErrorsAreFoundLinearlyAndPrintedUpToACap() throws {
        let steps = (0..<20_000).map { "  - {id: s\($0), type: kube.namespaces, needs: [gone\($0)], with: {names: [n\($0)]}}" }
        let result = try validate(Self.header + "steps:\n" + steps.joined(separator: "\n") + "\n")
        #expect(result.status == 65)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 102, "\(lines.suffix(3))")
        #expect(lines.first == "p.yaml:5:45: error: step \"s0\" needs unknown step \"gone0\"")
        #expect(lines.dropLast().last == "… and 19,900 more")
        #expect(lines.last == "20000 errors found; nothing was changed")
    }

    /// `id: 123` is a number in YAML 1.2: an id is text, so it must be quoted, as a Kubernetes name must.
    @Test func aNumberIsNotAStepID() throws {
        let result = try validate(Self.header + """
            steps:
              - {id: 123, type: kube.namespaces, with: {names: [a]}}
              - {id: "456", type: kube.namespaces, needs: [456], with: {names: [b]}}

            """)
        #expect(result.status == 65)
        #expect(result.stderr.contains("p.yaml:5:10: error: step id must be text, found number 123; quote it: id: \"123\""), "\(result.stderr)")
        #expect(result.stderr.contains("p.yaml:6:48: error: needs lists step ids, which are text; found number 456"), "\(result.stderr)")
        let quoted = try validate(Self.header + "steps:\n  - {id: \"123\", type: kube.namespaces, with: {names: [a]}}\n")
        #expect(quoted.status == 0, "\(quoted.stderr)")
    }

    /// Deep nesting in a secrets file is the nesting limit, not "invalid YAML".
    @Test func deepNestingInASecretsFileNamesTheLimit() throws {
        let playbook = Self.header + "steps: [{id: a, type: host.file, with: {path: /etc/a, content: x}}]\n"
        let result = try validate(playbook, secrets: "a: " + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains("s.yaml:1:") && result.stderr.contains("error: secrets file: nesting deeper than 200 levels"), "\(result.stderr)")
    }

    @Test func largeHonestPlaybooksAreNotTakenForAliasBombs() throws {
        var text = Self.header + "steps:\n"
        for i in 0..<1 {
            text += "  - id: s\(i)\n    type: kube.namespaces\n    with:\n      names: [n\(i)]\n      labels:\n"
        }
        for j in 0..<40_000 { text += "        k\(j): v\n" }
        let result = try validate(text)
        #expect(!result.stderr.contains("alias"), "\(result.stderr.prefix(300))")
        #expect(result.status == 0, "\(result.stderr.prefix(300))")
    }
}

/// A variable spliced into parameters brings its nesting along; the sum is bounded too.
@Suite struct SplicedDepthTests {
    @Test func aDeepVariableInADeepParameterIsRefused() throws {
        let dir = TemporaryDirectory()
        let deepVar = String(repeating: "[", count: 150) + String(repeating: "]", count: 150)
        let deepParam = String(repeating: "{a: ", count: 60) + "\"${{ vars.d }}\"" + String(repeating: "}", count: 60)
        let path = try dir.write("p.yaml", InputHardeningTests.header + "vars: {d: \(deepVar)}\nsteps:\n  - id: o\n    type: kube.objects\n    with:\n"
            + "      objects: [{apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: \(deepParam)}]\n")
        let result = try bootstrap(["validate", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("error: step \"o\": the variable put here nests 150 levels deep, which makes this parameter deeper than 200 levels"), "\(result.stderr)")
    }
}
