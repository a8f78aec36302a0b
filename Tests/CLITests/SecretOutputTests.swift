import Document
import Foundation
import Testing
import TestSupport
@testable import bootstrap

/// Secrets echoed back by the API server are masked on every output path, in every encoding.
@Suite struct SecretEchoTests {
    /// The emulator, like a real API server, quotes an unsupported value back in its error.
    static let secret = #"Pa"ss\wo rd/+=-1234"#

    func run(_ extra: [String]) throws -> (ProcessResult, String) {
        let dir = TemporaryDirectory()
        let playbook = try dir.write("p.yaml", """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: echo}
            steps:
              - id: crd
                type: kube.objects
                with:
                  objects:
                    - apiVersion: apiextensions.k8s.io/v1
                      kind: CustomResourceDefinition
                      metadata: {name: widgets.example.com}
                      spec:
                        group: example.com
                        names: {plural: widgets, kind: Widget}
                        scope: "${{ secrets.scope }}"
                        versions: [{name: v1, served: true, storage: true}]

            """)
        let secrets = try dir.write("s.yaml", "scope: '\(Self.secret)'\n")
        return (try bootstrap(["apply", playbook, "--secrets", secrets, "--rehearsal", dir.file("r")] + extra), dir.path)
    }

    @Test func theLiveFailureLineAndTheSummaryAreMasked() throws {
        let (result, _) = try run([])
        #expect(result.status == 1)
        #expect(result.stderr.contains("[crd] failed"))
        #expect(result.stderr.contains("(sensitive)"))
        #expect(!result.output.contains(Self.secret), "\(result.output)")
    }

    @Test func jsonOutputDoesNotCarryTheSecretJSONEscaped() throws {
        let (result, _) = try run(["--output", "json"])
        #expect(result.status == 1)
        let escaped = String(JSON.encode(.string(Self.secret)).dropFirst().dropLast())
        #expect(!result.output.contains(escaped), "\(result.stdout)")
        #expect(!result.output.contains(Self.secret))
        #expect((try? JSON.decode(result.stdout)) != nil, "stdout is one JSON document")
    }

    @Test func maskingCoversBase64AndURLEncodedForms() {
        let secret = "s3cret value/+&"
        let base64 = Data(secret.utf8).base64EncodedString()
        let url = "s3cret%20value%2F%2B%26"
        let masked = Masking.mask("a \(base64) b \(url) c s3cret+value%2F%2B%26 d", secrets: [secret])
        #expect(masked == "a (sensitive) b (sensitive) c (sensitive) d")
    }
}

/// `--output json` is always one JSON document, also when the run fails before any step.
@Suite struct JSONOutputTests {
    @Test func aRuntimeErrorIsAJSONDocument() throws {
        let dir = TemporaryDirectory()
        let kubeconfig = try dir.write("kc.yaml", """
            apiVersion: v1
            kind: Config
            current-context: c
            contexts: [{name: c, context: {cluster: k, user: u}}]
            clusters: [{name: k, cluster: {server: "http://127.0.0.1:1"}}]
            users: [{name: u, user: {}}]
            """)
        let playbook = try dir.write("p.yaml", layeredPlaybook(name: "down", count: 1))
        let result = try bootstrap(["apply", playbook, "--yes", "--kubeconfig", kubeconfig, "--output", "json", "--retry-deadline", "0",
                                    "--host-root", dir.file("root")])
        #expect(result.status == 1)
        let document = try JSON.decode(result.stdout)
        #expect(document["error"]?.stringValue?.contains("connection refused") == true, "\(result.stdout)\n\(result.stderr)")
    }

    @Test func anInvalidPlaybookIsAJSONDocumentToo() throws {
        let dir = TemporaryDirectory()
        let playbook = try dir.write("p.yaml", "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: x}\nsteps: []\n")
        let result = try bootstrap(["plan", playbook, "--rehearsal", dir.file("r"), "--output", "json"])
        #expect(result.status == 65)
        let document = try JSON.decode(result.stdout)
        #expect(document["error"]?.stringValue?.contains("p.yaml:4:8: error: steps is empty") == true, "\(result.stdout)")
        #expect(result.stderr.contains("p.yaml:4:8: error: steps is empty"))
    }
}
