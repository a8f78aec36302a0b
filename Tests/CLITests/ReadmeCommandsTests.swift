import Emulator
import Foundation
import Testing
import TestSupport

/// The commands of README.md and docs/*.md that run bootstrap on FAF's playbook work as written.
///
/// What runs: every command of a fenced `sh` block that names `playbooks/faf.yaml`, when the
/// command runs bootstrap (`bootstrap …`, `.build/release/bootstrap …`); the block's other commands
/// (`scripts/setup`, `cp …`) are left to the operator. Commands marked `# on the node` read or
/// change a real node and are not run; the README states that rule, and a `sudo` command without
/// the marker fails this test. Each document's commands run in order, each through `/bin/sh`, in a
/// scratch checkout of its own: a copy of `playbooks/` and `secrets.example`, plus `secrets.yaml`
/// as the runbook's `cp secrets.example secrets.yaml && chmod 600 secrets.yaml` makes it.
///
/// Substituted, and nothing else: the binary (`bootstrap` is found first on `PATH` as the one under
/// test, and `.build/release/bootstrap` is replaced by its path), `/tmp/` (replaced by the scratch
/// directory's `tmp/`, so the rehearsal directory is a temporary one), and `~` (`HOME` is a scratch
/// directory). A command that names `~/.kube/config` (a developer's k3d) finds there the kubeconfig
/// of an emulator serving the CRDs of faf.yaml's pinned k3s, as a rehearsal writes them.
@Suite(.serialized) struct ReadmeCommandsTests {
    static let marker = "# on the node"

    /// One shell command of a document, with its continuation lines.
    struct Command: CustomStringConvertible, Sendable {
        var document: String
        var line: Int
        var text: String
        var description: String { "\(document):\(line): \(text)" }
        var runsBootstrap: Bool {
            var words = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            if words.first == "sudo" { words.removeFirst() }
            guard let program = words.first else { return false }
            return program == "bootstrap" || program.hasSuffix("/bootstrap")
        }
        var onTheNode: Bool { text.contains(ReadmeCommandsTests.marker) }
    }

    /// README.md and every docs/*.md, as paths relative to the repository.
    static func documents() -> [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: Paths.repository + "/docs")) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// The commands of the fenced sh blocks of a document that name FAF's playbook.
    static func commands(in document: String) throws -> [Command] {
        let lines = try String(contentsOfFile: Paths.repository + "/" + document, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var result: [Command] = []
        var block: [Command]?
        var pending: Command?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if block == nil {
                if ["```sh", "```bash", "```shell"].contains(line) { block = [] }
                continue
            }
            if line == "```" {
                if let commands = block, commands.contains(where: { $0.text.contains("playbooks/faf.yaml") }) {
                    result += commands
                }
                block = nil
                continue
            }
            if var command = pending {
                command.text += "\n" + line
                pending = line.hasSuffix("\\") ? command : nil
                if pending == nil { block?.append(command) }
                continue
            }
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            let command = Command(document: document, line: index + 1, text: line)
            if line.hasSuffix("\\") { pending = command } else { block?.append(command) }
        }
        return result
    }

    @Test func theReadmeIsAnOperatorsManual() throws {
        let readme = try String(contentsOfFile: Paths.repository + "/README.md", encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count < 400, "README.md has \(lines.count) lines: move reference material into docs/")
        let firstSections = lines.filter { $0.hasPrefix("## ") }.prefix(3).map(String.init)
        #expect(firstSections == ["## Contents", "## Quick start", "## Migration day"])
    }

    /// The rule is visible and kept: what needs the real node says so; everything else is run.
    @Test func commandsThatNeedTheNodeAreMarked() throws {
        let all = try Self.documents().flatMap { try Self.commands(in: $0) }
        for command in all where command.text.hasPrefix("sudo ") {
            #expect(command.onTheNode, "\(command): a command run with sudo needs a real node: mark it `\(Self.marker)`")
        }
        let readme = try Self.commands(in: "README.md")
        // The quick start, validate and the rehearsal; apply, plan, status and kubeconfig on the node.
        #expect(readme.filter { $0.runsBootstrap && !$0.onTheNode }.count >= 3, "\(readme)")
        #expect(readme.filter(\.onTheNode).count >= 4, "\(readme)")
    }

    @Test(arguments: documents())
    func commandsRunAsWritten(document: String) throws {
        let commands = try Self.commands(in: document).filter { $0.runsBootstrap && !$0.onTheNode }
        guard !commands.isEmpty else { return }
        let scratch = TemporaryDirectory("readme-commands")
        let checkout = try Self.checkout(in: scratch)
        let home = scratch.file("home")
        try FileManager.default.createDirectory(atPath: home + "/.kube", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.file("tmp"), withIntermediateDirectories: true)
        let bin = scratch.file("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: bin + "/bootstrap", withDestinationPath: Paths.binary)

        var emulator: EmulatorServer?
        defer { emulator?.stop() }
        if commands.contains(where: { $0.text.contains("~/.kube/config") }) {
            emulator = try Self.k3dStandIn(kubeconfig: home + "/.kube/config", scratch: scratch, checkout: checkout)
        }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        environment["HOME"] = home
        environment["BOOTSTRAP_SECRETS"] = nil
        environment["KUBECONFIG"] = nil
        for command in commands {
            // /tmp/ first: the binary's own path may lie under /tmp.
            let text = command.text
                .replacingOccurrences(of: "/tmp/", with: scratch.file("tmp") + "/")
                .replacingOccurrences(of: ".build/release/bootstrap", with: Paths.binary)
            let result = try runProcess("/bin/sh", ["-c", text], environment: environment, currentDirectory: checkout)
            #expect(result.status == 0, "\(command)\nexit \(result.status)\n\(result.stdout)\(result.stderr)")
        }
    }

    /// docs/playbook-reference.md shows the graph `bootstrap graph playbooks/faf.yaml --format mermaid` prints.
    @Test func theMermaidGraphIsFAFsGraph() throws {
        let reference = try String(contentsOfFile: Paths.repository + "/docs/playbook-reference.md", encoding: .utf8)
        #expect(reference.contains("`bootstrap graph playbooks/faf.yaml --format mermaid`"))
        let start = try #require(reference.range(of: "```mermaid\n"))
        let end = try #require(reference.range(of: "```", range: start.upperBound..<reference.endIndex))
        let shown = String(reference[start.upperBound..<end.lowerBound])
        let graph = try bootstrap(["graph", "playbooks/faf.yaml", "--format", "mermaid"], currentDirectory: Paths.repository)
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(shown == graph.stdout, "docs/playbook-reference.md's graph is not faf.yaml's: regenerate it with the command")
    }

    /// Every relative link of README.md and docs/*.md names a file that exists and, with `#anchor`,
    /// a heading of it (GitHub's anchors: lower case, punctuation dropped, spaces as hyphens).
    @Test func linksResolve() throws {
        for document in Self.documents() {
            let text = try String(contentsOfFile: Paths.repository + "/" + document, encoding: .utf8)
            let directory = (document as NSString).deletingLastPathComponent
            for target in Self.links(in: Self.outsideFences(text)) where !target.contains("://") && !target.hasPrefix("mailto:") {
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let file = parts[0].isEmpty ? document : ((directory as NSString).appendingPathComponent(parts[0]) as NSString).standardizingPath
                let path = Paths.repository + "/" + file
                guard FileManager.default.fileExists(atPath: path) else {
                    Issue.record("\(document): link \(target): no file \(file)")
                    continue
                }
                if parts.count == 2, file.hasSuffix(".md") {
                    let anchors = Self.anchors(Self.outsideFences(try String(contentsOfFile: path, encoding: .utf8)))
                    #expect(anchors.contains(parts[1]), "\(document): link \(target): \(file) has no heading #\(parts[1])")
                }
            }
        }
    }

    // MARK: - Set-up

    /// A checkout as the operator has it: the playbooks, secrets.example, and their secrets.yaml.
    static func checkout(in scratch: TemporaryDirectory) throws -> String {
        let checkout = scratch.file("checkout")
        try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Paths.repository + "/playbooks", toPath: checkout + "/playbooks")
        try FileManager.default.copyItem(atPath: Paths.repository + "/secrets.example", toPath: checkout + "/secrets.example")
        try FileManager.default.copyItem(atPath: Paths.repository + "/secrets.example", toPath: checkout + "/secrets.yaml")
        chmod(checkout + "/secrets.yaml", 0o600)
        return checkout
    }

    /// A developer's k3d stands in as an emulator with the CRDs of faf.yaml's pinned k3s (written by
    /// a rehearsal's plan), its kubeconfig at `kubeconfig`.
    static func k3dStandIn(kubeconfig: String, scratch: TemporaryDirectory, checkout: String) throws -> EmulatorServer {
        let rehearsal = scratch.file("crds-from-rehearsal")
        let plan = try bootstrap(["plan", "playbooks/faf.yaml", "--secrets", "secrets.yaml", "--rehearsal", rehearsal], currentDirectory: checkout)
        try #require(plan.status == 0, "\(plan.stderr)")
        let server = try EmulatorServer(options: EmulatorOptions(crdDirectory: rehearsal + "/crds", nodeName: "k3d-dev-server-0"))
        try server.start()
        try server.writeKubeconfig(to: kubeconfig)
        return server
    }

    // MARK: - Markdown

    /// The text without fenced blocks (their `#` lines are not headings, their brackets not links).
    static func outsideFences(_ text: String) -> [String] {
        var inside = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line in
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { inside.toggle(); return nil }
            return inside ? nil : String(line)
        }
    }

    /// The targets of `[text](target)` links.
    static func links(in lines: [String]) -> [String] {
        let joined = lines.joined(separator: "\n")
        var result: [String] = []
        var rest = joined[...]
        while let open = rest.range(of: "](") {
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: ")") else { break }
            let target = String(after[..<close])
            if !target.contains(" "), !target.contains("\n") { result.append(target) }
            rest = after[close...]
        }
        return result
    }

    /// GitHub's anchors for the headings: lower case, characters other than letters, digits,
    /// spaces, `-` and `_` dropped, spaces as `-`; a repeated one gets `-1`, `-2`, ….
    static func anchors(_ lines: [String]) -> Set<String> {
        var seen: [String: Int] = [:]
        var result: Set<String> = []
        for line in lines where line.hasPrefix("#") {
            let title = line.drop(while: { $0 == "#" })
            guard title.hasPrefix(" ") else { continue }
            let slug = String(title.trimmingCharacters(in: .whitespaces).lowercased()
                .filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }
                .map { $0 == " " ? "-" : $0 })
            let count = seen[slug, default: 0]
            seen[slug] = count + 1
            result.insert(count == 0 ? slug : "\(slug)-\(count)")
        }
        return result
    }
}
