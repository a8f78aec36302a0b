import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// playbooks/faf.yaml against a real kube-apiserver: every cluster step type (kube.namespaces,
/// storage.local-volumes, traefik.acme, traefik.routes, helm.chart, rbac.oidc) applied by the real
/// server's admission, validation and controllers; the host steps run on the rehearsal's simulated
/// host. The steps share the cluster-wide names of FAF (namespaces, volumes), so this suite runs
/// alone and in order.
@Suite(.serialized) struct FAFPlaybookTests {
    /// The real path: the app.workload steps read their configuration files beside it.
    static let playbookPath = Paths.repository + "/playbooks/faf.yaml"
    static let playbookText = { try! String(contentsOfFile: playbookPath, encoding: .utf8) }()
    static let secretsText = { try! String(contentsOfFile: Paths.repository + "/secrets.example", encoding: .utf8) }()

    @Test func applyFailRerunNoOpAndDrift() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "faf")
        try RealServer.ensureNode("faf-main", labels: ["storage-id": "main-01"])
        // A value the chart requires left empty (its `required "existingSecret…"`) makes helm, and
        // so helm-controller's Job, fail.
        let helm = HelmControllerStandIn(charts: ["faf-rabbitmq"]) { chart in
            chart[path: ["spec", "valuesContent"]]?.stringValue?.contains("existingSecret: \"\"") == true
        }
        try helm.start()
        defer { helm.stop() }
        // No kubelet: FAF's workloads' pods are started by a stand-in, the real controllers do the rest.
        let kubelet = KubeletStandIn(namespaces: ["faf-apps", "faf-infra"])
        try kubelet.start()
        defer { kubelet.stop() }
        let rig = try RealRig()
        let playbook = try rig.playbook(text: Self.playbookText, file: Self.playbookPath, secrets: Self.secretsText)
        let mistyped = Self.playbookText.replacingOccurrences(of: "existingSecret: rabbitmq-auth", with: "existingSecret: \"\"")
        #expect(mistyped != Self.playbookText)

        // 1. First apply, with a required chart value left empty: only faf-rabbitmq fails, with the Job's
        //    reason and the command that shows its log; every independent step is applied.
        let first = try await rig.apply(try rig.playbook(text: mistyped, file: Self.playbookPath, secrets: Self.secretsText))
        #expect(first.outcome("faf-rabbitmq").hasPrefix("failed: Job kube-system/helm-install-faf-rabbitmq failed (BackoffLimitExceeded"), "\(first.summary)")
        #expect(first.outcome("faf-rabbitmq").contains("kubectl -n kube-system logs job/helm-install-faf-rabbitmq"))
        for id in ["k3s", "namespaces", "volumes", "traefik", "routes", "people", "faf-db", "faf-db-migrations"] {
            #expect(first.outcome(id) == "applied", "\(id): \(first.outcome(id))")
        }
        // The services that need RabbitMQ wait for it.
        for id in ["faf-java-api", "faf-python-server", "faf-website"] { #expect(first.outcome(id).hasPrefix("blocked"), "\(id): \(first.outcome(id))") }
        try await expectWhatTheUserSees()

        // 2. The value is set; the re-run runs only the failed step.
        let rerun = try await rig.apply(playbook)
        #expect(rerun.outcome("faf-rabbitmq") == "applied", "\(rerun.summary)")
        for id in ["k3s", "namespaces", "volumes", "traefik", "routes", "people", "faf-db", "faf-db-migrations"] { #expect(rerun.outcome(id) == "skipped") }
        for id in ["faf-java-api", "faf-python-server", "faf-website"] { #expect(rerun.outcome(id) == "applied", "\(id): \(rerun.outcome(id))") }
        let job = try await RealServer.client().get(ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "kube-system", name: "helm-install-faf-rabbitmq"))
        #expect(job?[path: ["status", "succeeded"]]?.intValue == 1)
        // The chart's secrets sit in Secrets of the release's namespace that its values name (what
        // helm-controller v0.16.5 of k3s v1.31.4 supports), never in the HelmChart.
        let chart = try await RealServer.client().get(ObjectRef(apiVersion: "helm.cattle.io/v1", kind: "HelmChart", namespace: "kube-system", name: "faf-rabbitmq"))
        #expect(chart?[path: ["spec", "valuesSecrets"]] == nil)
        #expect(chart?[path: ["spec", "valuesContent"]]?.stringValue?.contains("existingSecret: rabbitmq-auth") == true)
        // The chart itself travels in the HelmChart (chartContent, which v0.16.5 serves): nothing to pull.
        #expect(chart?[path: ["spec", "chartContent"]]?.stringValue?.isEmpty == false && chart?[path: ["spec", "chart"]] == nil)
        #expect(!(JSON.encode(chart ?? .null)).contains("change-me-faf-rabbitmq-rabbitmq-default-pass"))
        let auth = try await RealServer.client().get(ObjectRef(apiVersion: "v1", kind: "Secret", namespace: "faf-apps", name: "rabbitmq-auth"))
        #expect(auth?[path: ["data", "definitions.json"]] != nil && auth?[path: ["data", "erlang-cookie"]] != nil)

        // 3. Nothing left to do: the ledger read (and the key), no lock, no write.
        let noop = try await rig.apply(playbook)
        #expect(noop.steps.allSatisfy { $0.outcome == .skipped }, "\(noop.summary)")
        #expect(noop.requests.total <= 3, "a no-op re-run made \(noop.requests.total) requests")
        #expect(noop.requests.writes == 0)
        let quiet = try await rig.plan(playbook)
        #expect(!quiet.hasChanges)

        // 4. Someone edits a Role and a Middleware by hand. A plain plan trusts the ledger; --verify
        //    finds both drifts, names the fields, and apply --verify puts them back.
        try RealServer.kubectlOK(["-n", "faf-apps", "patch", "role", "oidc-group-faf-developers", "--type=json", "-p",
                                  #"[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["list"]}}]"#])
        try RealServer.kubectlOK(["-n", "faf-apps", "patch", "middleware.traefik.io", "cors", "--type=merge", "-p",
                                  #"{"spec":{"headers":{"accessControlMaxAge":3600}}}"#])
        #expect(!(try await rig.plan(playbook)).hasChanges, "without --verify, the ledger is trusted")
        let verified = try await rig.plan(playbook, verify: true)
        let drifted = Set(verified.steps.filter { $0.action == .run }.map(\.id))
        #expect(drifted == ["people", "routes"], "\(verified.steps.map { "\($0.id) \($0.action) \($0.reason)" })")
        let routes = verified.steps.first { $0.id == "routes" }
        let corsDiff = routes?.objects.first { $0.name == "cors" }?.diff ?? []
        #expect(corsDiff.contains { $0.contains("accessControlMaxAge") && $0.contains("3600") && $0.contains("60") }, "\(corsDiff)")

        let repaired = try await rig.apply(playbook, verify: true)
        #expect(repaired.outcome("people") == "applied" && repaired.outcome("routes") == "applied", "\(repaired.summary)")
        #expect(repaired.failed.isEmpty)
        let role = try RealServer.kubectlOK(["-n", "faf-apps", "get", "role", "oidc-group-faf-developers", "-o", "json"])
        #expect(!role.contains("\"secrets\""), "the hand-added rule on Secrets is still there")
        let cors = try RealServer.kubectlOK(["-n", "faf-apps", "get", "middleware.traefik.io", "cors", "-o", "jsonpath={.spec.headers.accessControlMaxAge}"])
        #expect(cors == "60")
        let after = try await rig.plan(playbook, verify: true)
        #expect(!after.hasChanges, "\(after.steps.filter { $0.action == .run }.map(\.reason))")
    }

    /// What `kubectl get` shows after the first apply.
    func expectWhatTheUserSees() async throws {
        let namespaces = try RealServer.kubectlOK(["get", "namespaces", "-l", "app.kubernetes.io/part-of=faf", "-o", "jsonpath={.items[*].metadata.name}"])
        #expect(Set(namespaces.split(separator: " ").map(String.init)) == ["faf-apps", "faf-infra"])

        // Every claim Bound by the real PersistentVolume controller, to the volume named for it.
        let kube = try RealServer.client()
        var claims: [Value] = []
        for ns in ["faf-apps", "faf-infra", "kube-system"] {
            claims += try await kube.list(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, labelSelector: "app.kubernetes.io/managed-by=bootstrap")
        }
        #expect(claims.count == 15)
        for claim in claims {
            #expect(claim[path: ["status", "phase"]]?.stringValue == "Bound", "\(claim[path: ["metadata", "name"]] ?? .null) is not Bound")
        }
        let mariadb = try await kube.get(ObjectRef(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "faf-infra", name: "faf-db-pvc"))
        let volumeName = mariadb?[path: ["spec", "volumeName"]]?.stringValue ?? ""
        let volume = try await kube.get(ObjectRef(apiVersion: "v1", kind: "PersistentVolume", name: volumeName))
        #expect(volume?[path: ["spec", "local", "path"]]?.stringValue == "/tank/faf/faf-db")
        #expect(volume?[path: ["spec", "claimRef", "uid"]] == mariadb?[path: ["metadata", "uid"]])

        // Routes the real server stored (its CRD schema validated them).
        let hosts = try RealServer.kubectlOK(["-n", "faf-apps", "get", "ingressroutes.traefik.io", "faf-java-api", "-o", "jsonpath={.spec.routes[0].match}"])
        #expect(hosts == "Host(`api.faforever.com`)")
        let tls = try RealServer.kubectlOK(["-n", "kube-system", "get", "tlsoptions.traefik.io", "-o", "jsonpath={.items[*].spec.minVersion}"])
        #expect(tls.contains("VersionTLS12"))
        // Traefik's ACME store on its claim, through k3s' HelmChartConfig.
        let traefik = try RealServer.kubectlOK(["-n", "kube-system", "get", "helmchartconfigs.helm.cattle.io", "traefik", "-o", "jsonpath={.spec.valuesContent}"])
        #expect(traefik.contains("traefik-acme-pvc"))
    }
}
