import Document
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// playbooks/faf.yaml against the real cluster: every cluster step type (kube.namespaces,
/// storage.local-volumes, traefik.acme, traefik.routes, helm.chart, rbac.oidc, app.workload)
/// applied by the real server's admission, validation and controllers, and FAF's services run on
/// the real node as stand-in images (`StandIns`: the test-only image map), Ready by the real
/// kubelet's probes, their volumes on the directory backend under a directory of the test. The
/// host steps run on the rehearsal's simulated host. The steps share the cluster-wide names of FAF
/// (namespaces, volumes), so this suite runs alone and in order.
@Suite(.serialized) struct FAFPlaybookTests {
    /// The real path: the app.workload steps read their configuration files beside it.
    static let playbookPath = Paths.repository + "/playbooks/faf.yaml"
    static let playbookText = { try! String(contentsOfFile: playbookPath, encoding: .utf8) }()

    /// faf.yaml as the node runs it: images mapped to their stand-ins, CPU requests fitted to the
    /// test machine, volumes on the directory backend under `dataRoot` (no ZFS here).
    static func onTheNode(_ text: String, dataRoot: String) throws -> String {
        let mapped = try StandIns.map(text)
            .replacingOccurrences(of: "\n  dataRoot: /tank/faf\n", with: "\n  dataRoot: \(dataRoot)\n")
            .replacingOccurrences(of: "\n      dataset: ${{ vars.dataset }}\n", with: "\n      backend: directory\n")
        precondition(mapped.contains("backend: directory") && mapped.contains("dataRoot: \(dataRoot)"), "faf.yaml's volumes step changed shape")
        return mapped
    }
    static let secretsText = { try! String(contentsOfFile: Paths.repository + "/secrets.example", encoding: .utf8) }()

    @Test func applyFailRerunNoOpAndDrift() async throws {
        try await RealServer.prepared()
        try await RealServer.forget(playbook: "faf")
        #expect(try RealNode.name() == "faf-main", "the node is the one faf.yaml names")
        // A value the chart requires left empty (its `required "existingSecret…"`) makes helm, and
        // so helm-controller's Job, fail.
        let helm = HelmControllerStandIn(charts: ["faf-rabbitmq"]) { chart in
            chart[path: ["spec", "valuesContent"]]?.stringValue?.contains("existingSecret: \"\"") == true
        }
        try helm.start()
        defer { helm.stop() }
        let node = try NodeRig()
        let rig = node.rig
        let text = try Self.onTheNode(Self.playbookText, dataRoot: node.dataRoot)
        let playbook = try rig.playbook(text: text, file: Self.playbookPath, secrets: Self.secretsText)
        // The compose data a migration copies holds the directories its bind mounts named; a
        // read-only subPath (wikijs's) must exist, since the kubelet cannot create it.
        try FileManager.default.createDirectory(atPath: rig.host.root + "/opt/faf-stack/data/wikijs/authentication/faf-hydra",
                                                withIntermediateDirectories: true)
        let mistyped = text.replacingOccurrences(of: "existingSecret: rabbitmq-auth", with: "existingSecret: \"\"")
        #expect(mistyped != text)

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
        // Every workload that does not need RabbitMQ runs on the node, Ready by its probes.
        let independent = first.steps.map(\.id).filter { !["faf-rabbitmq", "faf-java-api", "faf-python-server", "faf-website", "faf-ory-hydra"].contains($0) }
        for id in independent { #expect(first.outcome(id) == "applied", "\(id): \(first.outcome(id))") }
        // Hydra reads its configuration as its image's user (uid 100), and keeps running.
        #expect(first.outcome("faf-ory-hydra") == "applied", "\(first.outcome("faf-ory-hydra"))")
        #expect(try await Self.neverRestarts("faf-apps", "app.kubernetes.io/name=faf-ory-hydra"))
        try await expectWhatTheUserSees(dataRoot: node.dataRoot)

        // 2. The value is set; the re-run runs only the failed step.
        let rerun = try await rig.apply(playbook)
        #expect(rerun.outcome("faf-rabbitmq") == "applied", "\(rerun.summary)")
        for id in ["k3s", "namespaces", "volumes", "traefik", "routes", "people", "faf-db", "faf-db-migrations"] { #expect(rerun.outcome(id) == "skipped") }
        for id in ["faf-java-api", "faf-python-server", "faf-website"] { #expect(rerun.outcome(id) == "applied", "\(id): \(rerun.outcome(id))") }
        // The API's smoke check went through the API server's service proxy to the container.
        #expect(try await RealNode.pods("faf-apps", selector: "app.kubernetes.io/name=faf-java-api").allSatisfy(RealNode.isReady))
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
        #expect(noop.requests.total <= 2, "a no-op re-run made \(noop.requests.total) requests")
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
        #expect(repaired.failed.filter { $0 != "faf-ory-hydra" }.isEmpty, "\(repaired.summary)")
        let role = try RealServer.kubectlOK(["-n", "faf-apps", "get", "role", "oidc-group-faf-developers", "-o", "json"])
        #expect(!role.contains("\"secrets\""), "the hand-added rule on Secrets is still there")
        let cors = try RealServer.kubectlOK(["-n", "faf-apps", "get", "middleware.traefik.io", "cors", "-o", "jsonpath={.spec.headers.accessControlMaxAge}"])
        #expect(cors == "60")
        let after = try await rig.plan(playbook, verify: true)
        #expect(after.steps.filter { $0.action == .run && $0.id != "faf-ory-hydra" }.isEmpty, "\(after.steps.filter { $0.action == .run }.map(\.reason))")
    }

    /// True when no container of the pods of `selector` restarts within 20 s (a service that cannot
    /// start restarts at once; the kubelet's first back-off is 10 s).
    static func neverRestarts(_ namespace: String, _ selector: String) async throws -> Bool {
        do {
            try await eventually("a restart of \(selector)", timeout: .seconds(20)) {
                try await RealNode.pods(namespace, selector: selector).contains { pod in
                    (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []).contains { ($0["restartCount"]?.intValue ?? 0) > 0 }
                }
            }
            return false
        } catch is Timeout {
            return true
        }
    }

    /// What `kubectl get` shows after the first apply.
    func expectWhatTheUserSees(dataRoot: String) async throws {
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
        #expect(volume?[path: ["spec", "local", "path"]]?.stringValue == dataRoot + "/faf-db")
        // The database runs on that volume: its stand-in's lock and start log are in the directory.
        let starts = try String(contentsOfFile: dataRoot + "/faf-db/starts.log", encoding: .utf8)
        #expect(starts.hasSuffix(" faf-db-0 started\n"), "\(starts)")
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
