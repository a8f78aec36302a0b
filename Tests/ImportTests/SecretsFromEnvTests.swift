import Foundation
import Import
import Testing
import TestSupport

/// Issue 27, item 8: the import knows where each secret came from, so it can fill secrets.yaml;
/// routing keys are names, not secrets; compose's acme.json is mentioned.
@Suite struct SecretsFromEnvTests {
    static func run(_ src: TemporaryDirectory, _ out: String, _ extra: [String]) throws -> ProcessResult {
        try bootstrap(["import", "compose", "docker-compose.yml", "-f", "faf-extra.yml", "--traefik-dynamic", "traefik-dynamic.yml",
                       "--namespace", "faf-apps", "--image", "faf-wordpress=wordpress:6.2.2-apache", "--out", out] + extra,
                      currentDirectory: src.path)
    }

    @Test func secretsFromEnvFillsSecretsYAMLWithMode0600() throws {
        let src = try FAFStack.prepared()
        let out = TemporaryDirectory("import-out")
        let result = try Self.run(src, out.file("faf.yaml"), ["--secrets-from-env"])
        #expect(result.status == 0, "\(result.stderr)")
        let path = out.file("faf/secrets.yaml")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // faf-db.env's MYSQL_ROOT_PASSWORD is "banana" in the fixture: filled, never printed.
        #expect(text.contains("MYSQL_ROOT_PASSWORD: banana"), "\(text)")
        #expect(!result.output.contains("banana"))
        #expect(!(try String(contentsOfFile: out.file("faf/secrets.example"), encoding: .utf8)).contains("banana"))
        #expect(result.stderr.contains("secrets filled from the compose env files (mode 0600);"), "\(result.stderr)")

        // A secrets.yaml someone edited is never replaced.
        try (text + "# edited\n").write(toFile: path, atomically: true, encoding: .utf8)
        let again = try Self.run(src, out.file("faf.yaml"), ["--secrets-from-env"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("secrets.yaml: error: exists and differs"), "\(again.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("# edited\n"))
    }

    @Test func withoutTheFlagNoSecretsFileIsWritten() throws {
        let src = try FAFStack.prepared()
        let out = TemporaryDirectory("import-out")
        let result = try Self.run(src, out.file("faf.yaml"), [])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.file("faf/secrets.yaml")))
    }

    @Test func routingKeysAreNotSecretsAndAcmeJSONIsMentioned() throws {
        let rules = SecretRules()
        #expect(!rules.isSecret(key: "LEAGUE_SCORE_UPDATE_ROUTING_KEY", value: "success.leagueScore.update"))
        #expect(rules.isSecret(key: "SESSION_SECRET_KEY", value: "x"))
        #expect(rules.isSecret(key: "API_KEY", value: "x"))
        let src = try FAFStack.prepared()
        let result = try FAFStack.importing(src)
        #expect(!result.playbook.contains("ROUTING_KEY: ${{ secrets."))
        #expect(result.report.contains { $0.service == "faf-traefik" && $0.reason.contains("./config/faf-traefik/acme.json holds the ACME account") },
                "\(result.report.map(\.reason))")
    }
}
