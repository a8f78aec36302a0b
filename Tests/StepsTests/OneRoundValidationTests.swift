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

/// A route must reach a Service the playbook makes, and a claim a step the run makes.
@Suite struct CrossStepReferenceTests {
    static let playbook = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: t}
        steps:
          - id: k3s
            type: k3s.install
            with: {version: v1.31.4+k3s1, nodeName: n, nodeLabels: {storage-id: a}, installer: {url: "https://get.k3s.io"}}
          - id: ns
            type: kube.namespaces
            needs: [k3s]
            with: {names: [apps, infra]}
          - id: volumes
            type: storage.local-volumes
            needs: [ns]
            with:
              backend: directory
              dataRoot: /srv
              nodeSelector: {storage-id: a}
              volumes: [{name: data, namespace: apps, size: 1Gi}]
          - id: web
            type: app.workload
            needs: [volumes]
            with:
              name: web
              namespace: apps
              image: nginx:1.27.3
              ports: [{name: http, port: 80}]
              volumes: [{claim: data-pvc, mountPath: /data, readOnly: true}]
              aliases: [{namespace: infra}]
              resources: {limits: {cpu: 100m, memory: 64Mi}}
          - id: queue
            type: helm.chart
            needs: [ns]
            with: {name: rabbitmq, chart: rabbitmq, repo: "https://charts.bitnami.com/bitnami", version: 14.6.10, targetNamespace: apps}
          - id: routes
            type: traefik.routes
            needs: [web]
            with:
              namespace: apps
              routes:
                - {name: web, hosts: [web.example.org], service: web, port: 80}
                - {name: queue, hosts: [q.example.org], service: rabbitmq, port: 15672}
                - {name: typo, hosts: [t.example.org], service: wbe, port: 80}
                - {name: alias, namespace: infra, hosts: [a.example.org], service: web, port: 80}
        """

    @Test func aRouteToAServiceNothingCreatesIsAnError() {
        let errors = diagnostics(Self.playbook).filter { $0.contains(": error: ") }
        #expect(errors == [
            "faf.yaml:43:57: error: step \"routes\": route \"typo\": no step of the playbook creates Service apps/wbe (did you mean \"web\"?): "
                + "an app.workload with ports, a Service in kube.objects, or a helm.chart release in that namespace",
            "faf.yaml:44:76: error: step \"routes\": route \"alias\": Service infra/web is an ExternalName alias, which Traefik does not follow "
                + "(allowExternalNameServices is off): route to the workload's own Service in its namespace",
        ], "\(errors)")
    }

    @Test func aClaimWhoseStepIsSkippedIsWarnedAbout() throws {
        let fixed = Self.playbook.split(separator: "\n").filter { !$0.contains("name: typo") && !$0.contains("name: alias") }.joined(separator: "\n")
        #expect(diagnostics(fixed).filter { $0.contains(": error: ") }.isEmpty)
        // A warning, not an error: on a developer's k3d the claims may have been made by hand.
        let checked = try CheckedPlaybook.check(PlaybookLoader.parse(fixed, file: "faf.yaml"), secrets: .none, registry: StepCatalog.registry,
                                                skipped: ["volumes"])
        #expect(checked.warnings.map(\.description).contains(
            "faf.yaml:28:25: warning: step \"web\": claim \"data-pvc\" is made by step \"volumes\", which --skip leaves out: "
                + "unless the claim exists in namespace apps already, the pods wait for it (Pending) and the rollout fails; "
                + "run that step too, or --skip this one"), "\(checked.warnings)")
    }
}
