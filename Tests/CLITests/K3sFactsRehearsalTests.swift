import Foundation
import Testing
import TestSupport

/// The FAF rehearsal is as strict as a k3s v1.31.4 node (issue 12).
@Suite struct K3sFactsRehearsalTests {
    static let secrets = Paths.repository + "/secrets.example"

    /// faf.yaml as it was before k3s v1.31.4's facts were checked: refused, naming each cause.
    @Test func thePlaybookBeforeTheFactsIsRefusedNamingEachCause() throws {
        let dir = TemporaryDirectory()
        let old = Paths.playbookFixtures + "/faf-before-k3s-facts.yaml"
        let oldSecrets = Paths.playbookFixtures + "/faf-before-k3s-facts-secrets.yaml"
        let result = try bootstrap(["apply", old, "--secrets", oldSecrets, "--rehearsal", dir.file("old")])
        #expect(result.status == 65)
        // 1: servicelb disabled and the chart's Service a LoadBalancer.
        #expect(result.stderr.contains("error: step \"traefik\": nothing would bind the node's ports 80 and 443: step \"k3s\" disables servicelb"))
        // 2: spec.valuesSecrets, which helm-controller v0.16.5 (k3s v1.31.4) does not serve.
        #expect(result.stderr.contains("error: step \"rabbitmq\": secretValues needs HelmChart spec.valuesSecrets, which helm-controller v0.16.7 adds (bundled from k3s v1.31.8+k3s1"))
        // 3: a root-owned volume for acme.json.
        #expect(result.stderr.contains("is owned by root, but Traefik chart 27.0.201+up27.0.2 runs as uid 65532 without fsGroup and could not write acme.json"))
        #expect(result.stderr.contains("nothing was changed"))
    }

    @Test func rehearsalServesThePinnedK3sAndBindsThePorts() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let playbook = Paths.repository + "/playbooks/faf.yaml"
        let apply = try bootstrap(["apply", playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal])
        #expect(apply.status == 0, "\(apply.stderr)")
        // Exactly the CRDs k3s v1.31.4 serves: helm-controller v0.16.5's, without valuesSecrets.
        let helmCharts = try String(contentsOfFile: rehearsal + "/crds/helm-controller-v0.16.5_helm.cattle.io_helmcharts.yaml", encoding: .utf8)
        #expect(helmCharts == (try String(contentsOfFile: Paths.crds + "/helm-controller-v0.16.5_helm.cattle.io_helmcharts.yaml", encoding: .utf8)))
        #expect(!helmCharts.contains("valuesSecrets"))
        // 5: the compose RabbitMQ data is not copied where no broker reads it (the chart's volume
        // is made, empty and owned by the official image's rabbitmq user, 100:101).
        let log = try String(contentsOfFile: rehearsal + "/host.log", encoding: .utf8)
        #expect(!log.contains("/opt/faf-stack/data/faf-rabbitmq"))
        #expect(log.contains("chown -h 100:101 /tank/faf/faf-rabbitmq"))
        // The simulated k3s Traefik release binds 80/443 through hostPorts.
        let verify = try bootstrap(["apply", playbook, "--secrets", Self.secrets, "--rehearsal", rehearsal, "--verify"])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.stdout.contains("0 applied, 33 skipped"), "\(verify.output)")
        let state = try String(contentsOfFile: rehearsal + "/cluster.json", encoding: .utf8)
        #expect(state.contains("\"hostPort\" : 443") || state.contains("\"hostPort\":443"))
    }
}
