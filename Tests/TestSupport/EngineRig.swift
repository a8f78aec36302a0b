import Document
import Emulator
import Engine
import Foundation
import Host
import Kube
import Playbook
import Steps

/// An emulator plus what an engine run needs, for tests of plan, apply and the ledger.
public final class EngineRig: @unchecked Sendable {
    public let server: EmulatorServer
    public let config: KubeConfig
    public let hostRoot: TemporaryDirectory
    public let secretsDirectory = TemporaryDirectory("bootstrap-secrets")
    /// Shared by the clients and the emulated kubelet: rollouts' waits cost no real time.
    public let time: VirtualTime

    public init(crds: Bool = false) throws {
        let time = VirtualTime()
        self.time = time
        server = try EmulatorFixtures.started(crds: crds, clock: { time.now })
        config = try KubeConfig.parse(server.kubeconfigYAML(), path: "emulator.kubeconfig", context: nil)
        hostRoot = TemporaryDirectory("bootstrap-host")
    }

    deinit { server.stop() }

    /// A fresh connection, so each run counts its own requests.
    public func connection() -> Connection {
        let config = self.config, clock = time.clock
        return Connection(open: { KubeClient(config: config, clock: clock) })
    }

    public var host: LocalHost { LocalHost(root: hostRoot.path) }

    /// Checks a playbook text with the given secrets (YAML text of a secrets file).
    public func playbook(_ text: String, secrets: String? = nil) throws -> CheckedPlaybook {
        var loaded = Secrets.none
        if let secrets {
            let path = try secretsDirectory.write("secrets-\(UUID().uuidString).yaml", secrets)
            loaded = try Secrets.load(path: path, policy: .refuse).0
        }
        return try CheckedPlaybook.check(try PlaybookLoader.parse(text, file: "test.yaml"), secrets: loaded, registry: StepCatalog.registry)
    }

    public func apply(_ playbook: CheckedPlaybook, verify: Bool = false, force: Set<String> = [], parallel: Int = 4,
                      identity: String = RunLease.localIdentity()) async throws -> ApplyReport {
        try await Walker(host: host, connection: connection(),
                         options: WalkOptions(parallel: parallel, verify: verify, forceSteps: force, waitTimeout: .seconds(20),
                                              identity: identity)).apply(playbook)
    }

    public func plan(_ playbook: CheckedPlaybook, verify: Bool = false) async throws -> PlanReport {
        try await Walker(host: host, connection: connection(), options: WalkOptions(verify: verify)).plan(playbook)
    }

    /// Writes the emulator saw (non-dry-run POST, PUT, PATCH, DELETE), from its own request log.
    public func writesSeen() -> [RequestRecord] {
        server.requests().filter { $0.method != "GET" && !$0.dryRun }
    }

    /// The ledger annotations as stored.
    public func ledger(_ name: String) -> [String: String] {
        let cm = server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "kube-system", name: "bootstrap-\(name)")
        var out: [String: String] = [:]
        for (key, value) in cm?[path: ["metadata", "annotations"]]?.objectValue ?? Object() {
            if key.hasPrefix(Ledger.stepKeyPrefix) { out[String(key.dropFirst(Ledger.stepKeyPrefix.count))] = value.stringValue }
        }
        return out
    }
}

/// A playbook of `count` namespace steps in a chain of `width`-wide layers, for ledger tests.
public func layeredPlaybook(name: String = "test", count: Int, width: Int = 3, extra: String = "") -> String {
    var text = "apiVersion: bootstrap.faforever.com/v1\nkind: Playbook\nmetadata: {name: \(name)}\nsteps:\n"
    for i in 0..<count {
        let needs = i >= width ? "\n    needs: [s\(i - width)]" : ""
        text += "  - id: s\(i)\n    type: kube.namespaces\(needs)\n    with: {names: [ns-\(i)]}\n"
    }
    return text + extra
}
