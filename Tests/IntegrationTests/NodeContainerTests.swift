import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// `app.workload` and `storage.local-volumes` on the real node: containers of the stand-in images
/// started by the real kubelet, Ready by its probes, volumes mounted from the directories the
/// directory backend made. Each test has namespaces (and a playbook name) of its own.
@Suite struct NodeContainerTests {
    /// A playbook of one namespace (CPU requests of 10m: the node has 2 cores), optional volumes on
    /// the directory backend under `dataRoot`, and `workload` (the `with:` of an app.workload step,
    /// indented by 6).
    static func playbook(_ id: String, namespace: String, volumes: String? = nil, dataRoot: String = "/unused",
                         workload: String) -> String {
        var text = """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: \(id)}
            steps:
              - id: namespaces
                type: kube.namespaces
                with: {names: [\(namespace)], defaultResources: {requests: {cpu: 10m, memory: 16Mi}, limits: {cpu: 500m, memory: 128Mi}}}

            """
        if let volumes {
            text += """
                  - id: volumes
                    type: storage.local-volumes
                    needs: [namespaces]
                    with:
                      backend: directory
                      dataRoot: \(dataRoot)
                      nodeSelector: {storage-id: main-01}
                      volumes:
                \(volumes)

                """
        }
        text += """
              - id: app
                type: app.workload
                needs: [\(volumes == nil ? "namespaces" : "namespaces, volumes")]
                with:
                  namespace: \(namespace)
            \(workload)
            """
        return text
    }

    static func podLogs(_ namespace: String, _ pod: Value, previous: Bool = false) throws -> String {
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? ""
        return try RealServer.kubectl(["-n", namespace, "logs", name] + (previous ? ["--previous"] : [])).output
    }

    // MARK: - Hydra's case: a non-root user reads its mounted configuration

    static func hydra(_ namespace: String, user: String?) -> String {
        """
              name: hydra
              image: bootstrap.test/oryd/hydra:v1.11.10
              args: [serve, all, -c, /hydra.yaml, --dangerous-force-http]
              files: {/hydra.yaml: {secret: "${{ secrets.hydra.config }}"\(user == nil ? "" : ", mode: \"0440\"")}}
              ports: [{name: public, port: 4444}, {name: admin, port: 4445}]
              probes: {readiness: {http: {path: /health/ready, port: public}}}
        \(user.map { "      user: \"\($0)\"\n" } ?? "")      timeout: 40s
        """
    }

    static let hydraSecrets = "hydra:\n  config: \"dsn: memory\\nurls: {self: {issuer: http://hydra}}\\n\"\n"

    @Test func aNonRootServiceReadsItsSecretConfigurationFileAndIsReadyByItsProbe() async throws {
        try await RealServer.prepared()
        let namespace = "node-hydra-\(UUID().uuidString.prefix(6).lowercased())"
        defer { RealNode.deleteNamespace(namespace) }
        let node = try NodeRig()
        let text = Self.playbook("node-hydra-user", namespace: namespace, workload: Self.hydra(namespace, user: "100:101"))
        let report = try await node.apply(try node.rig.playbook(text: text, secrets: Self.hydraSecrets))
        #expect(report.failed.isEmpty, "\(report.summary)")
        let pod = try #require(try await RealNode.pods(namespace, selector: "app.kubernetes.io/name=hydra").first)
        #expect(RealNode.isReady(pod))
        #expect(pod[path: ["spec", "nodeName"]]?.stringValue == (try RealNode.name()))
        let logs = try Self.podLogs(namespace, pod)
        #expect(logs.contains("config-reader: read /hydra.yaml (") && logs.contains(" bytes) as 100:101"), "\(logs)")
    }

    /// faf.yaml's Hydra has no `user:`: the image's own user (uid 100) reads the file, which
    /// app.workload writes readable by every user when it cannot know the reader (0444; a 0400 file
    /// is refused by validation, ContainerRulesTests). On a real kubelet, as root writes it.
    @Test func theImagesOwnNonRootUserReadsItsSecretConfigurationFile() async throws {
        try await RealServer.prepared()
        let namespace = "node-hydra-\(UUID().uuidString.prefix(6).lowercased())"
        defer { RealNode.deleteNamespace(namespace) }
        let node = try NodeRig()
        let text = Self.playbook("node-hydra-image-user", namespace: namespace, workload: Self.hydra(namespace, user: nil))
        let report = try await node.apply(try node.rig.playbook(text: text, secrets: Self.hydraSecrets))
        #expect(report.failed.isEmpty, "\(report.summary)")
        let pod = try #require(try await RealNode.pods(namespace, selector: "app.kubernetes.io/name=hydra").first)
        #expect(RealNode.isReady(pod))
        #expect(try Self.podLogs(namespace, pod).contains("config-reader: read /hydra.yaml ("))
    }

    // MARK: - A database on a local volume

    static func database(_ namespace: String, claim: String, mode: String) -> String {
        """
              name: db
              kind: StatefulSet
              image: bootstrap.test/database-user:1
              env: {MODE: \(mode)}
              ports: [{name: sql, port: 3306}]
              volumes: [{claim: \(claim), mountPath: /var/lib/data}]
              probes: {readiness: {exec: {command: [mysqladmin, ping, -h, localhost]}, periodSeconds: 1}}
              user: "1000:1000"
              timeout: 60s
        """
    }

    /// The volume is the directory the directory backend made, owned by the workload's user; a
    /// changed StatefulSet replaces its pod without ever running two database processes on it; a
    /// second process started on the same directory (here by hand) is refused by the lock, which
    /// is how a rollout that overlaps them would show.
    @Test func aDatabaseOnALocalVolumeWritesItsDirectoryAndNeverRunsTwice() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let namespace = "node-db-\(id)"
        defer { RealNode.deleteNamespace(namespace) }
        let node = try NodeRig()
        let volumes = "          - {name: db-\(id), namespace: \(namespace), size: 1Gi, owner: \"1000:1000\", mode: \"0750\"}"
        func text(_ mode: String) -> String {
            Self.playbook("node-db-\(id)", namespace: namespace, volumes: volumes, dataRoot: node.dataRoot,
                          workload: Self.database(namespace, claim: "db-\(id)-pvc", mode: mode))
        }
        let first = try await node.apply(try node.rig.playbook(text: text("a")))
        #expect(first.failed.isEmpty, "\(first.summary)")
        let directory = node.volumePath("db-\(id)")
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        #expect(attributes[.ownerAccountID] as? Int == 1000)
        // The pod wrote into the very directory the volume step made.
        let lock = try FileManager.default.attributesOfItem(atPath: directory + "/stand-in.lock")
        #expect(lock[.ownerAccountID] as? Int == 1000)
        let volume = try await RealServer.client().get(ObjectRef(apiVersion: "v1", kind: "PersistentVolume", name: "db-\(id)"))
        #expect(volume?[path: ["spec", "local", "path"]]?.stringValue == node.dataRoot + "/db-\(id)")

        // A changed configuration: the StatefulSet replaces db-0 (the old process first ends).
        let second = try await node.apply(try node.rig.playbook(text: text("b")))
        #expect(second.failed.isEmpty, "\(second.summary)")
        let starts = try String(contentsOfFile: directory + "/starts.log", encoding: .utf8).split(separator: "\n")
        #expect(starts.count == 2 && starts.allSatisfy { $0.hasSuffix(" db-0 started") }, "\(starts)")

        // A second database process on the same directory, while db-0 runs: refused by the lock.
        try RealServer.kubectlOK(["-n", namespace, "apply", "-f", "-"], input: """
            apiVersion: v1
            kind: Pod
            metadata: {name: intruder, labels: {test: intruder}}
            spec:
              restartPolicy: Never
              terminationGracePeriodSeconds: 1
              securityContext: {runAsUser: 1000, runAsGroup: 1000}
              containers:
              - {name: db, image: bootstrap.test/database-user:1, imagePullPolicy: Never, volumeMounts: [{name: data, mountPath: /var/lib/data}]}
              volumes: [{name: data, persistentVolumeClaim: {claimName: db-\(id)-pvc}}]
            """)
        let intruder = try await RealNode.waitForPod(namespace, "test=intruder", "the second database process to end") {
            $0[path: ["status", "phase"]]?.stringValue == "Failed"
        }
        #expect(try Self.podLogs(namespace, intruder).contains("database: /var/lib/data is locked by another database process"))
        let after = try String(contentsOfFile: directory + "/starts.log", encoding: .utf8)
        #expect(after.hasSuffix(" intruder refused: locked\n"), "\(after)")
    }

    // MARK: - HTTP readiness and smoke checks

    static func http(path: String, smoke: String) -> String {
        """
              name: web
              image: bootstrap.test/http:1
              ports: [{name: http, port: 80, targetPort: 8080}]
              probes: {readiness: {http: {path: \(path), port: http}, periodSeconds: 1}}
              smoke: {http: {path: \(smoke), port: http}}
              user: "1000:1000"
              timeout: 20s
        """
    }

    /// Ready by the real kubelet's HTTP probe, and the smoke check answered by the container
    /// through the API server's service proxy; a path the service does not serve fails the check,
    /// and a probe on such a path keeps the pod unready, with the kubelet's event in the message.
    @Test func anHTTPServiceIsReadyByItsProbeAndAnsweredItsSmokeCheck() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let namespace = "node-http-\(id)"
        defer { RealNode.deleteNamespace(namespace) }
        let node = try NodeRig()
        let good = try await node.apply(try node.rig.playbook(text: Self.playbook("node-http-\(id)", namespace: namespace,
                                                                                       workload: Self.http(path: "/health", smoke: "/smoke"))))
        #expect(good.failed.isEmpty, "\(good.summary)")

        let smoke = try await node.apply(try node.rig.playbook(text: Self.playbook("node-http-\(id)", namespace: namespace,
                                                                                        workload: Self.http(path: "/health", smoke: "/missing"))))
        #expect(smoke.outcome("app") == "failed: smoke check failed: GET /missing on Service \(namespace)/web port http answered 404, expected 200",
                "\(smoke.summary)")

        let unready = try await node.apply(try node.rig.playbook(text: Self.playbook("node-http-\(id)", namespace: namespace,
                                                                                          workload: Self.http(path: "/not-served", smoke: "/smoke"))))
        let message = unready.outcome("app")
        #expect(message.contains("failed: timed out after 20.0 seconds waiting for "), "\(message)")
        #expect(message.hasSuffix("runs but is not ready: its readiness probe fails (Readiness probe failed: HTTP probe failed with statuscode: 404)"), "\(message)")
    }

    // MARK: - Failures as the kubelet reports them, and what the emulator says of the same

    static func failing(_ name: String, image: String, kind: String = "Deployment", timeout: String = "30s") -> String {
        """
              name: \(name)
              kind: \(kind)
              image: \(image)
              user: "1000:1000"
              timeout: \(timeout)
        """
    }

    /// An image the node does not have, a crashing container and a failing Job, on the real node;
    /// the emulator's `--fail-image` faults say the same things (counts and exit codes aside).
    @Test func failuresComeWithTheKubeletsReasonAndLastLogLines() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let namespace = "node-fail-\(id)"
        defer { RealNode.deleteNamespace(namespace) }
        let node = try NodeRig()
        func run(_ workload: String) async throws -> String {
            let text = Self.playbook("node-fail-\(id)", namespace: namespace, workload: workload)
            return try await node.apply(try node.rig.playbook(text: text)).outcome("app")
        }
        func emulated(_ workload: String, image: String, _ fault: ImageFault) async throws -> String {
            let rig = try EngineRig()
            rig.server.failImage(image, fault)
            let report = try await rig.apply(try rig.playbook(Self.playbook("emulated-\(id)", namespace: namespace, workload: workload)))
            return report.steps.first { $0.id == "app" }.map { step in
                if case .failed(let error) = step.outcome { return "failed: \(error)" } else { return "\(step.outcome)" }
            } ?? "missing"
        }
        /// Pod names differ between the two clusters.
        func normalized(_ text: String) -> String {
            text.replacingOccurrences(of: #"pod ([a-z]+)-[a-z0-9]+-[a-z0-9]+"#, with: "pod $1-*", options: .regularExpression)
        }

        // Not there: the kubelet cannot pull it (the node has no route out), ImagePullBackOff.
        let missing = Self.failing("missing", image: "bootstrap.test/not-built:1", timeout: "90s")
        let pull = try await run(missing)
        #expect(pull.hasPrefix("failed: the rollout of Deployment \(namespace)/missing (bootstrap.test/not-built:1) failed: pod missing-"), "\(pull)")
        #expect(pull.hasSuffix(": ImagePullBackOff: Back-off pulling image \"bootstrap.test/not-built:1\""), "\(pull)")
        #expect(normalized(pull) == normalized(try await emulated(missing, image: "bootstrap.test/not-built:1", .pull)))

        // It starts and exits 3. With no readiness probe its container is Ready the moment it runs
        // (issue 30: the Deployment is briefly available), so the step must not count that moment:
        // the settle window sees the exit or the restart and fails the step with the pod, the exit
        // code and the container's last log lines, on the node as in the emulator.
        let crashing = Self.failing("crashing", image: "bootstrap.test/crash:1", timeout: "150s")
        let crash = try await run(crashing)
        #expect(crash.contains("failed: pod crashing-") && crash.contains("exit code 3") && crash.contains("its last log lines:\n"), "\(crash)")
        #expect(crash.contains("    crash: fatal: the database at db:3306 refused the connection"), "\(crash)")
        let emulatedCrash = try await emulated(crashing, image: "bootstrap.test/crash:1", .crash)
        #expect(emulatedCrash.contains("failed: pod crashing-") && emulatedCrash.contains("exit code 1")
                && emulatedCrash.contains("its last log lines:\n"), "\(emulatedCrash)")

        // A Job whose pod fails: the Job controller's reason and the pod's last log lines.
        let job = try await run(Self.failing("failing", image: "bootstrap.test/crash:1", kind: "Job"))
        #expect(job.contains("BackoffLimitExceeded"), "\(job)")
        #expect(job.contains("exit code 3") && job.contains("its last log lines:\n") && job.contains("crash: fatal: the database at db:3306 refused the connection"), "\(job)")
        let emulatedJob = try await emulated(Self.failing("failing", image: "bootstrap.test/crash:1", kind: "Job"), image: "bootstrap.test/crash:1", .crash)
        #expect(emulatedJob.contains("BackoffLimitExceeded") && emulatedJob.contains("exit code 1") && emulatedJob.contains("its last log lines:\n"), "\(emulatedJob)")
    }

    @Test func aJobRunsToCompletionOnTheNode() async throws {
        try await RealServer.prepared()
        let id = UUID().uuidString.prefix(6).lowercased()
        let namespace = "node-job-\(id)"
        defer { RealNode.deleteNamespace(namespace) }
        let node = try NodeRig()
        let text = Self.playbook("node-job-\(id)", namespace: namespace, workload: """
                  name: migrate
                  kind: Job
                  image: bootstrap.test/run-once:1
                  timeout: 60s
            """)
        let report = try await node.apply(try node.rig.playbook(text: text))
        #expect(report.failed.isEmpty, "\(report.summary)")
        let job = try await RealServer.client().get(ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: namespace, name: "migrate"))
        #expect(job?[path: ["status", "succeeded"]]?.intValue == 1)
        let pod = try #require(try await RealNode.pods(namespace, selector: "job-name=migrate").first)
        #expect(try Self.podLogs(namespace, pod).contains("run-once: migrations applied as 1000:1000"))
    }
}
