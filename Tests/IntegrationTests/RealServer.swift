import Document
import Engine
import Foundation
import Host
import Kube
import Playbook
import Steps
import Synchronization
import Testing
import TestSupport

/// The real cluster (kube-apiserver v1.20.2 with etcd and kube-controller-manager, and a node that
/// runs containers: `RealNode`) that `scripts/kube-apiserver start` runs, as the integration tests
/// reach it.
///
/// The server is the one `BOOTSTRAP_TEST_KUBECONFIG` names (scripts/test starts it); without it,
/// the first test starts one from the build cache for this test process (a watchdog stops it when
/// the process ends). With neither, the tests fail naming the command to run: they never skip, so
/// a run that lost its server shows up red instead of green-and-empty.
enum RealServer {
    static let variable = "BOOTSTRAP_TEST_KUBECONFIG"

    struct NotRunning: Error, CustomStringConvertible {
        var description: String
    }

    /// The `export` lines of the cluster this process started itself.
    private static let ownEnvironment = Mutex<[String: String]?>(nil)

    /// A variable `scripts/kube-apiserver start` prints (BOOTSTRAP_TEST_...), from this process's
    /// environment or from the cluster it started.
    static func setting(_ name: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[name], !value.isEmpty,
           !(ProcessInfo.processInfo.environment[variable] ?? "").isEmpty {
            return value
        }
        if let value = ownEnvironment.withLock({ $0?[name] }) { return value }
        throw NotRunning(description: "\(name) is not set: the real cluster is not running (call RealServer.prepared() first), or it was started by an older scripts/kube-apiserver without a node; start it again")
    }

    /// The admin (system:masters) kubeconfig the script wrote.
    static func kubeconfig() throws -> String {
        let path: String
        do { path = try setting(variable) } catch {
            throw NotRunning(description: "the real API server is not running: call RealServer.prepared() first")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            throw NotRunning(description: "\(variable)=\(path) does not exist: the server's state directory is gone; start it again with scripts/kube-apiserver start")
        }
        return path
    }

    /// Starts a server for this test process from the build cache, stopped when the process ends.
    private static func startOwnServer() throws {
        let cache = ProcessInfo.processInfo.environment["BOOTSTRAP_KUBE_CACHE"] ?? "/var/cache/bootstrap/kube-1.20.2"
        guard FileManager.default.fileExists(atPath: cache + "/.complete") else {
            throw NotRunning(description: """
                \(variable) is not set and no kube-apiserver is built in \(cache): the integration tests need the \
                real API server. Run them through `scripts/test` (it builds and starts it), or build it once with \
                `scripts/kube-apiserver build`, or start one yourself: eval "$(scripts/kube-apiserver start)"
                """)
        }
        let started = try runProcess("/bin/bash", [Paths.repository + "/scripts/kube-apiserver", "start", "--watch", String(getpid())])
        var exported: [String: String] = [:]
        for line in started.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            exported[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        guard started.status == 0, exported[variable] != nil else {
            throw NotRunning(description: "scripts/kube-apiserver start failed (status \(started.status)):\n\(started.stderr)")
        }
        ownEnvironment.withLock { $0 = exported }
    }

    /// The state directory: certificates (`pki/`) and logs of the running server.
    static func stateDirectory() throws -> String {
        (try kubeconfig() as NSString).deletingLastPathComponent
    }

    static func config() throws -> KubeConfig {
        try KubeConfig.load(explicitPath: try kubeconfig(), environment: [:], context: nil)
    }

    /// A fresh client (its own request counters).
    static func client() throws -> KubeClient { KubeClient(config: try config()) }

    /// `kubectl` against the real server as cluster admin.
    @discardableResult
    static func kubectl(_ arguments: [String], input: String? = nil) throws -> ProcessResult {
        guard let kubectl = which("kubectl") else { throw NotRunning(description: "kubectl is not installed; scripts/test installs it") }
        return try runProcess(kubectl, ["--kubeconfig", try kubeconfig(), "--request-timeout", "30s"] + arguments, input: input)
    }

    /// kubectl that must succeed.
    @discardableResult
    static func kubectlOK(_ arguments: [String], input: String? = nil) throws -> String {
        let result = try kubectl(arguments, input: input)
        guard result.status == 0 else { throw NotRunning(description: "kubectl \(arguments.joined(separator: " ")) failed: \(result.stderr)") }
        return result.stdout
    }

    // MARK: - One-time preparation

    private static let once = Once()

    /// Every test's first line: the server runs (started here when no one started it), and the
    /// custom resource definitions k3s serves (helm-controller's and Traefik's) are loaded, once per
    /// test process, and served.
    static func prepared() async throws {
        try await once.run {
            if (ProcessInfo.processInfo.environment[variable] ?? "").isEmpty { try startOwnServer() }
            try await loadCRDs(from: Paths.crds)
        }
    }

    /// CRDs as Kubernetes 1.20 accepts them. 1.20 rejects two things newer CRDs carry:
    /// `x-kubernetes-validations` (CEL rules, apiextensions 1.25+) is an unknown schema field to it,
    /// and `default: ""` fails its structural-default check for these schemas. Both are removed;
    /// so the real server does not enforce the CEL rules of these CRDs (the tests do not rely on them).
    static func stripFor120(_ value: Value) -> Value {
        switch value {
        case .object(let object):
            var out = Object()
            for (key, child) in object {
                if key == "x-kubernetes-validations" { continue }
                if key == "default", child == .string("") { continue }
                out[key] = stripFor120(child)
            }
            return .object(out)
        case .array(let items):
            return .array(items.map(stripFor120))
        default:
            return value
        }
    }

    static func loadCRDs(from directory: String) async throws {
        let kube = try client()
        var names: [String] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where file.hasSuffix(".yaml") {
            let text = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for doc in try YAML.parse(text, file: file) {
                let crd = stripFor120(doc.resolved)
                guard crd["kind"]?.stringValue == "CustomResourceDefinition", let name = crd[path: ["metadata", "name"]]?.stringValue else { continue }
                _ = try await kube.apply(crd, dryRun: false)
                names.append(name)
            }
        }
        for name in names {
            try await eventually("CRD \(name) to be Established", timeout: .seconds(60)) {
                let crd = try await kube.get(ObjectRef(apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: name))
                return (crd?[path: ["status", "conditions"]]?.arrayValue ?? []).contains {
                    $0["type"]?.stringValue == "Established" && $0["status"]?.stringValue == "True"
                }
            }
        }
    }

    // MARK: - What k3s would provide

    /// A Node without a kubelet, registered Ready as k3s' kubelet would, for tests of the API alone
    /// (labels, objects that name a node). It is tainted NoSchedule, so the scheduler never puts a
    /// pod of another test there instead of on the real node; the node lifecycle controller marks
    /// it NotReady once it misses its heartbeats.
    static func ensureNode(_ name: String, labels: [String: String]) throws {
        var labelText = ""
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) { labelText += "\n    \(key): \"\(value)\"" }
        try kubectlOK(["apply", "--server-side", "--field-manager", "integration-kubelet", "-f", "-"], input: """
            apiVersion: v1
            kind: Node
            metadata:
              name: \(name)
              labels:\(labelText.isEmpty ? " {}" : labelText)
            spec:
              taints: [{key: bootstrap.test/no-kubelet, effect: NoSchedule}]
            """)
        let now = ISO8601DateFormatter().string(from: Date())
        try kubectlOK(["patch", "node", name, "--subresource=status", "--type=merge", "-p",
                       #"{"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady","message":"integration stand-in","lastHeartbeatTime":"\#(now)","lastTransitionTime":"\#(now)"}]}}"#])
    }

    /// Removes a playbook's ledger, lease and the ledger key, so a test starts from a cluster on
    /// which that playbook never ran (other tests' objects stay).
    static func forget(playbook: String) async throws {
        let kube = try client()
        for shard in 0..<4 { try await kube.delete(Ledger.configMapRef(playbook, shard: shard)) }
        try await kube.delete(ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: Ledger.namespace, name: "bootstrap-\(playbook)"))
    }
}

/// Runs a body once per process; later callers await the same outcome.
actor Once {
    private var task: Task<Void, any Error>?
    func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        if task == nil { task = Task { try await body() } }
        try await task!.value
    }
}

struct Timeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` until it holds; the deadline only stops a broken run from hanging.
func eventually(_ what: String, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return }
        guard ContinuousClock.now < deadline else { throw Timeout(what: what) }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// A playbook run as `bootstrap apply --rehearsal` runs it, except that the cluster is the real
/// API server: the host side (k3s installer, zfs, copies) is the rehearsal's simulated host, so host
/// steps run without touching this machine, and the API is "reachable" only once the simulated k3s
/// is installed, as on a fresh node.
final class RealRig: @unchecked Sendable {
    let directory = TemporaryDirectory("bootstrap-real")
    let host: RehearsalHost
    let config: KubeConfig

    init() throws {
        host = try RehearsalHost(directory: directory.path + "/rehearsal", simulations: StepCatalog.rehearsalSimulations)
        config = try RealServer.config()
    }

    func connection(gatedByInstaller: Bool = true) -> Connection {
        let config = self.config, host = self.host
        return Connection(open: {
            guard K3sInstall.isInstalled(on: host) || !gatedByInstaller else { return nil }
            return KubeClient(config: config)
        })
    }

    /// Checks a playbook file; `secrets` is a secrets file's text (written 0600, as a real run needs).
    func playbook(text: String, file: String = "playbook.yaml", secrets: String? = nil) throws -> CheckedPlaybook {
        var loaded = Secrets.none
        if let secrets {
            let path = try directory.write("secrets-\(UUID().uuidString).yaml", secrets)
            loaded = try Secrets.load(path: path, policy: .refuse).0
        }
        let checked = try CheckedPlaybook.check(try PlaybookLoader.parse(text, file: file), secrets: loaded, registry: StepCatalog.registry)
        try seedMigrationSources(checked)
        return checked
    }

    /// The compose data a migration copies does not exist here: each source becomes an empty
    /// directory under the simulated host (what `--rehearsal` does).
    private func seedMigrationSources(_ playbook: CheckedPlaybook) throws {
        for source in playbook.orderedSteps.flatMap(\.driver.migrationSources) {
            try FileManager.default.createDirectory(atPath: host.root + source, withIntermediateDirectories: true)
        }
    }

    func apply(_ playbook: CheckedPlaybook, verify: Bool = false, gated: Bool = true,
               identity: String = RunLease.localIdentity()) async throws -> ApplyReport {
        try await Walker(host: host, connection: connection(gatedByInstaller: gated),
                         options: WalkOptions(verify: verify, waitTimeout: .seconds(60), identity: identity)).apply(playbook)
    }

    func plan(_ playbook: CheckedPlaybook, verify: Bool = false, gated: Bool = true) async throws -> PlanReport {
        try await Walker(host: host, connection: connection(gatedByInstaller: gated), options: WalkOptions(verify: verify)).plan(playbook)
    }
}

extension ApplyReport {
    func outcome(_ id: String) -> String {
        guard let step = steps.first(where: { $0.id == id }) else { return "missing" }
        switch step.outcome {
        case .applied: return "applied"
        case .skipped: return "skipped"
        case .failed(let error): return "failed: \(error)"
        case .blocked(let by): return "blocked by \(by)"
        case .notStarted: return "not started"
        case .notSelected(let reason): return "not selected: \(reason)"
        case .interrupted(let how): return "interrupted: \(how)"
        }
    }

    var summary: String { steps.map { "\($0.id): \(outcome($0.id))" }.joined(separator: "\n") }
}

/// Stands in for k3s' helm-controller: for every HelmChart in kube-system whose spec is new or
/// changed (its generation moved), it replaces Job `helm-install-<name>` and marks it Complete, or
/// Failed when `fails` says helm could not install that spec (a pin it cannot find, a value the
/// chart requires left empty), as helm-controller's Job would end. The Job runs no
/// pod (parallelism 0): only its identity and conditions matter to bootstrap. It handles only the
/// charts it is given, so tests running side by side do not answer each other's charts.
final class HelmControllerStandIn: @unchecked Sendable {
    let charts: Set<String>
    private let lock = NSLock()
    private let fails: @Sendable (Value) -> Bool
    private var task: Task<Void, Never>?
    private var seen: [String: String] = [:]
    private(set) var errors: [String] = []

    init(charts: Set<String>, fails: @escaping @Sendable (_ helmChart: Value) -> Bool = { _ in false }) {
        self.charts = charts
        self.fails = fails
    }

    func start() throws {
        let kube = try RealServer.client()
        task = Task { [self] in
            while !Task.isCancelled {
                do { try await reconcile(kube) } catch { lock.withLock { errors.append("\(error)") } }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    func stop() { task?.cancel() }

    deinit { task?.cancel() }

    private func reconcile(_ kube: KubeClient) async throws {
        for chart in try await kube.list(apiVersion: "helm.cattle.io/v1", kind: "HelmChart", namespace: "kube-system", labelSelector: nil) {
            let name = chart[path: ["metadata", "name"]]?.stringValue ?? ""
            guard charts.contains(name) else { continue }
            let uid = chart[path: ["metadata", "uid"]]?.stringValue ?? ""
            let identity = "\(uid)/\(chart[path: ["metadata", "generation"]]?.intValue ?? 0)"
            guard lock.withLock({ seen[name] }) != identity else { continue }
            let jobName = "helm-install-\(name)"
            let jobRef = ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "kube-system", name: jobName)
            try await kube.delete(jobRef)
            try await eventually("Job \(jobName) to be gone") { try await kube.get(jobRef) == nil }
            _ = try await kube.create([
                "apiVersion": "batch/v1", "kind": "Job",
                "metadata": [
                    "name": .string(jobName), "namespace": "kube-system",
                    "labels": ["helmcharts.helm.cattle.io/chart": .string(name)],
                    "annotations": ["helmcharts.helm.cattle.io/configHash": .string("SHA256=\(identity)")],
                    "ownerReferences": [["apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "name": .string(name),
                                         "uid": .string(uid), "controller": true, "blockOwnerDeletion": false]],
                ],
                "spec": [
                    "parallelism": 0, "completions": 1, "backoffLimit": 1000,
                    "template": ["spec": ["restartPolicy": "OnFailure",
                                          "containers": [["name": "helm", "image": "rancher/klipper-helm:v0.9.3-build20241008", "args": ["install"]]]]],
                ],
            ])
            let now = ISO8601DateFormatter().string(from: Date())
            let fails = self.fails(chart)
            let condition = fails
                ? #"{"type":"Failed","status":"True","reason":"BackoffLimitExceeded","message":"Job has reached the specified backoff limit","lastProbeTime":"\#(now)","lastTransitionTime":"\#(now)"}"#
                : #"{"type":"Complete","status":"True","lastProbeTime":"\#(now)","lastTransitionTime":"\#(now)"}"#
            let counts = fails ? #""failed":1"# : #""succeeded":1,"completionTime":"\#(now)""#
            try RealServer.kubectlOK(["-n", "kube-system", "patch", "job", jobName, "--subresource=status", "--type=merge", "-p",
                                      #"{"status":{"startTime":"\#(now)",\#(counts),"conditions":[\#(condition)]}}"#])
            lock.withLock { seen[name] = identity }
        }
    }
}
