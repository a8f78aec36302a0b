import Document
import Foundation
import Import
import Steps
import Testing
import TestSupport

/// FAF's compose stack (Tests/Fixtures/faf-stack-2023-05, its SOURCE names the upstream commit) imported as a user would: config.template copied to
/// config and env.template to .env beside the compose files.
enum FAFStack {
    static let fixture = Paths.fixtures + "/faf-stack-2023-05"

    /// A copy of the stack laid out as on the compose host.
    static func prepared() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("import-src")
        let fm = FileManager.default
        for name in try fm.contentsOfDirectory(atPath: fixture) {
            let target = name == "config.template" ? "config" : name == "env.template" ? ".env" : name
            try fm.copyItem(atPath: fixture + "/" + name, toPath: dir.file(target))
        }
        return dir
    }

    static func options(_ dir: TemporaryDirectory) -> ImportOptions {
        var options = ImportOptions(composeFiles: [dir.file("docker-compose.yml"), dir.file("faf-extra.yml")])
        options.traefikDynamic = dir.file("traefik-dynamic.yml")
        options.composeData = "/opt/faf-stack/data"
        return options
    }

    static func importing(_ dir: TemporaryDirectory) throws -> ImportResult {
        let options = options(dir)
        return try Converter.convert(try ComposeReader.read(files: options.composeFiles), options: options)
    }
}

/// The tests that run the binary, one at a time: each blocks a thread while its process runs, and
/// the machine's other async tests (lease timings) must not starve.
@Suite(.serialized) struct ImportProcessTests {}

extension ImportProcessTests {
@Suite struct FixtureImportTests {
    typealias Row = (routes: Int, hostPorts: Int, data: Int, envFiles: Int, files: Int)
    /// Counted by hand from docker-compose.yml and faf-extra.yml: HTTP routers, published ports
    /// the workload binds on the node (hostPort), ./data mounts, env files, ./config files (directories expanded).
    static let expected: [String: Row] = [
        "faf-db": (0, 0, 1, 1, 2), "faf-db-migrations": (0, 0, 0, 1, 0), "faf-python-server": (0, 2, 0, 1, 1),
        "faf-java-api": (1, 0, 3, 1, 5), "faf-website": (1, 0, 0, 1, 1), "faf-ircd": (0, 3, 1, 0, 4),
        "faf-anope": (0, 0, 0, 0, 1), "faf-qai": (0, 0, 0, 0, 1), "faf-content": (1, 0, 1, 1, 1),
        "faf-aio-replayserver": (0, 1, 1, 1, 2), "faf-rust-replayserver": (0, 0, 1, 1, 2), "faf-policy-server": (0, 0, 1, 1, 0),
        "faf-postal": (1, 0, 1, 1, 0), "faf-rabbitmq": (1, 1, 1, 1, 1), "faf-league-service": (0, 0, 0, 1, 0),
        "faf-ory-hydra": (1, 0, 0, 0, 1), "faf-user-service": (1, 0, 0, 1, 0), "faf-telemetry-server": (1, 0, 0, 0, 0),
        "phpbb3-archive": (1, 0, 1, 0, 1), "mongodb": (0, 0, 2, 1, 0), "nodebb": (1, 0, 3, 0, 1), "wikijs": (1, 0, 1, 1, 0),
        "postgres-wikijs": (0, 0, 1, 1, 0), "unitdb": (1, 0, 0, 1, 2), "voting": (1, 0, 0, 1, 0), "qai": (0, 0, 1, 1, 0),
    ]

    @Test func everyServiceRouterMountAndEnvFileIsCounted() throws {
        let dir = try FAFStack.prepared()
        let result = try FAFStack.importing(dir)
        #expect(Set(result.counts.keys) == Set(Self.expected.keys))
        for (service, row) in Self.expected.sorted(by: { $0.key < $1.key }) {
            let c = try #require(result.counts[service], "\(service) has no workload")
            #expect((c.routes, c.hostPorts, c.dataMounts, c.envFiles, c.files) == row, "\(service)")
        }
        // The three services that do not become workloads are in the report, with the reason.
        let whole = result.report.filter { $0.reason.contains("not converted") && ($0.key == "network_mode" || $0.key == "image") }
        #expect(whole.map(\.service).sorted() == ["faf-coturn", "faf-traefik", "faf-wordpress"])
        // The stack's 16 routers: 13 converted; faf-traefik's one and faf-wordpress' two go with their services.
        #expect(result.counts.values.map(\.routes).reduce(0, +) == 13)
        let leftRouters = result.report.filter { $0.reason.hasSuffix("router") || $0.reason.contains("not converted with its service") }
        #expect(leftRouters.map(\.service).sorted() == ["faf-traefik", "faf-wordpress", "faf-wordpress"])
        #expect(result.playbook.components(separatedBy: "\n  - id: ").count - 1 == 5 + 26)
    }

    @Test func secretsAreReferencesAndNoValueIsWritten() throws {
        let dir = try FAFStack.prepared()
        let result = try FAFStack.importing(dir)
        // Every value the rules call a secret, in every env file of the stack and in .env.
        let rules = SecretRules()
        var secretValues: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: dir.path)!
        while let path = enumerator.nextObject() as? String {
            guard path.hasSuffix(".env") || path == ".env" else { continue }
            // Commented-out lines too: `#MAIL_PASSWORD=…` is still a secret.
            let text = try String(contentsOfFile: dir.file(path), encoding: .utf8)
                .split(separator: "\n").map { $0.drop { $0 == "#" || $0 == " " } }.joined(separator: "\n")
            for entry in EnvFile.parse(text)
                where entry.problem == nil && rules.isSecret(key: entry.name, value: entry.value) && entry.value.count >= 6 {
                secretValues.append(entry.value)
            }
        }
        #expect(secretValues.count > 20)
        let written = [result.playbook, result.secretsExample] + result.files.values
        for value in secretValues {
            #expect(!written.contains { $0.contains(value) }, "a secret value was written")
        }
        #expect(result.playbook.contains("MYSQL_ROOT_PASSWORD: ${{ secrets.faf-db.MYSQL_ROOT_PASSWORD }}"))
        #expect(result.secretsExample.contains("MYSQL_ROOT_PASSWORD: change-me"))
        // The JWT private key is a secret file; the public key a plain one.
        #expect(result.playbook.contains("/pki/secret.key:\n"))
        #expect(result.files["config/faf-java-api/pki/public.key"] != nil)
        #expect(result.files["config/faf-java-api/pki/secret.key"] == nil)
    }

    @Test func reimportIsByteIdentical() throws {
        let dir = try FAFStack.prepared()
        let first = try FAFStack.importing(dir)
        let second = try FAFStack.importing(dir)
        #expect(first.playbook == second.playbook)
        #expect(first.secretsExample == second.secretsExample)
        #expect(first.files == second.files)
    }

    @Test func theCommandWritesAPlaybookThatValidates() throws {
        let src = try FAFStack.prepared()
        let out = TemporaryDirectory("import-out")
        let run = try bootstrap(["import", "compose", "docker-compose.yml", "-f", "faf-extra.yml", "--traefik-dynamic", "traefik-dynamic.yml",
                                 "--compose-data", "/opt/faf-stack/data", "--out", out.path], currentDirectory: src.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("docker-compose.yml:42:19: warning: faf-coturn: network_mode: host network"))
        let first = try String(contentsOfFile: out.file("playbook.yaml"), encoding: .utf8)
        #expect(first.hasPrefix("# Imported from docker-compose"))
        #expect(first.contains("#   docker-compose.yml:42: faf-coturn: network_mode:"))

        // The rehearsal of FAF's import, reviewed, is playbooks/faf.yaml's (CLITests' FAFRehearsalTests).
        let validate = try bootstrap(["validate", out.file("playbook.yaml"), "--secrets", out.file("secrets.example")])
        #expect(validate.status == 0, "\(validate.stderr)")
    }
}

}
