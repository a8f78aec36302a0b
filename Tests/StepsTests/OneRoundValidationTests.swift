import Document
import Engine
import Playbook
import Steps
import Testing

/// Issue 27: errors came in three rounds (references; then unknown parameters and types; then
/// pins and secrets in env). Every check that can still run reports in the first round.
@Suite struct OneRoundValidationTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: t}
        steps:
          - id: k3s
            type: k3s.install
            with: {version: v1.31.4+k3s1, nodeName: n, installer: {url: "https://get.k3s.io"}}
          - id: ns
            type: kube.namespaces
            needs: [k3s]
            with: {names: ["${{ vars.nope }}"], colour: blue}
          - id: web
            type: app.workload
            needs: [ns]
            with:
              name: web
              namespace: apps
              image: nginx
              env: {PASSWORD: "${{ secrets.db }}"}
              resources: {limits: {cpu: 100m, memory: 64Mi}}
              replicaz: 2
        """

    @Test func everyPhaseReportsInTheFirstRound() {
        let secrets = Secrets(file: "s.yaml", root: ["db": .leaf(Sensitive("x"))])
        let errors = diagnostics(Self.playbook, secrets: secrets).filter { $0.contains(": error: ") }
        #expect(errors.contains { $0.contains("refers to undefined variable \"vars.nope\"") }, "\(errors)")
        #expect(errors.contains { $0.contains("unknown parameter \"colour\"") }, "\(errors)")
        #expect(errors.contains { $0.contains("unknown parameter \"replicaz\"") }, "\(errors)")
        #expect(errors.contains { $0.contains("image \"nginx\"") }, "a pin check runs beside the unknown parameter: \(errors)")
        #expect(errors.contains { $0.contains("move it to secretEnv") }, "\(errors)")
        // No echo of the broken reference: the empty name put in its place is not reported again.
        #expect(errors.count == 5, "\(errors)")
    }

    @Test func aForgottenSecretsFileIsOneError() {
        let errors = diagnostics(Self.playbook.replacingOccurrences(of: "${{ vars.nope }}", with: "apps")
            .replacingOccurrences(of: "env: {PASSWORD: \"${{ secrets.db }}\"}", with: "secretEnv: {A: \"${{ secrets.a }}\", B: \"${{ secrets.b }}\"}"))
            .filter { $0.contains(": error: ") }
        #expect(errors.filter { $0.contains("secret") } == [
            "faf.yaml:19:23: error: 2 secret references, no secrets file given: pass --secrets FILE (or set $BOOTSTRAP_SECRETS, or put secrets.yaml beside the playbook)",
        ], "\(errors)")
    }
}
