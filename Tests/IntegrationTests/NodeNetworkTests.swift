import Document
import Foundation
import Kube
import Testing
import TestSupport

/// What the real node's network shows: a host port reached from another network namespace, and
/// the single-node rollout facts of host ports. The objects are written with kubectl (app.workload's
/// own host ports are issue 25's); they are what bootstrap's steps write.
@Suite struct NodeNetworkTests {
    static func deployment(_ name: String, hostPort: Int, strategy: String, env: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: \(name)}
        spec:
          replicas: 1
          strategy: {type: \(strategy)}
          selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: irc
                image: bootstrap.test/tcp-logger:1
                imagePullPolicy: Never
                env: [{name: REVISION, value: "\(env)"}]
                ports: [{containerPort: 7000, hostPort: \(hostPort), protocol: TCP}]
                resources: {requests: {cpu: 10m, memory: 16Mi}}
        """
    }

    /// A TCP service behind a host port (the CNI portmap plugin, as k3s chains it): a client in
    /// another network namespace reaches it at the node's address, and the service sees and logs
    /// the client's own address, not the node's.
    @Test func aTCPServiceBehindAHostPortSeesTheClientsAddress() async throws {
        try await RealServer.prepared()
        let namespace = try RealNode.namespace("node-tcp")
        defer { RealNode.deleteNamespace(namespace) }
        try RealServer.kubectlOK(["-n", namespace, "apply", "-f", "-"], input: Self.deployment("ircd", hostPort: 16667, strategy: "Recreate", env: "1"))
        let pod = try await RealNode.waitForPod(namespace, "app=ircd", "the TCP service to run", RealNode.isReady)
        let client = try RealNode.clientIP()
        var answer: ProcessResult?
        // Ready is reported once the container runs; its listener may take a moment more.
        try await eventually("an answer through the host port", timeout: .seconds(30)) {
            answer = try RealNode.dialFromClient(try RealNode.ip(), 16667)
            return answer?.stdout.contains("you are") == true
        }
        #expect(answer?.stdout == "you are \(client)\n", "\(answer?.output ?? "")")
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        let logs = try RealServer.kubectlOK(["-n", namespace, "logs", name])
        #expect(logs.contains("tcp-logger: connection from \(client):"), "\(logs)")
    }

    /// On one node, a host port can be bound by one pod only: a RollingUpdate Deployment's new pod
    /// stays Pending while the old one holds the port (the scheduler's `didn't have free ports`),
    /// and the rollout never finishes; Recreate ends the old pod first and finishes.
    @Test func aRollingUpdateWithAHostPortStaysPendingAndRecreateFinishes() async throws {
        try await RealServer.prepared()
        let namespace = try RealNode.namespace("node-rollout")
        defer { RealNode.deleteNamespace(namespace) }
        for (name, port) in [("rolling", 17001), ("recreate", 17002)] {
            let strategy = name == "rolling" ? "RollingUpdate" : "Recreate"
            try RealServer.kubectlOK(["-n", namespace, "apply", "-f", "-"], input: Self.deployment(name, hostPort: port, strategy: strategy, env: "1"))
            try RealServer.kubectlOK(["-n", namespace, "rollout", "status", "deployment/\(name)", "--timeout=90s"])
            try RealServer.kubectlOK(["-n", namespace, "apply", "-f", "-"], input: Self.deployment(name, hostPort: port, strategy: strategy, env: "2"))
        }
        let finished = try RealServer.kubectl(["-n", namespace, "rollout", "status", "deployment/recreate", "--timeout=90s"])
        #expect(finished.status == 0, "\(finished.output)")

        let pending = try await RealNode.waitForPod(namespace, "app=rolling", "the new pod to be unschedulable") { pod in
            (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "PodScheduled" && $0["reason"] == "Unschedulable" }
        }
        let condition = (pending[path: ["status", "conditions"]]?.arrayValue ?? []).first { $0["type"] == "PodScheduled" }
        #expect(condition?["message"]?.stringValue?.contains("didn't have free ports for the requested pod ports") == true, "\(condition ?? .null)")
        let stuck = try RealServer.kubectl(["-n", namespace, "rollout", "status", "deployment/rolling", "--timeout=5s"])
        #expect(stuck.status != 0)
        let running = try await RealNode.pods(namespace, selector: "app=rolling").filter { $0[path: ["status", "phase"]] == "Running" }
        #expect(running.count == 1, "the old pod keeps serving")
    }
}
