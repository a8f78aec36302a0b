import Document
import Emulator
import Engine
import Foundation
import Host
import Kube
import Playbook
import Steps
import Testing
import TestSupport

/// An emulated cluster and a temporary host root, with a context to run one step against both.
/// The client and the emulated kubelet share a virtual time: a rollout's waits cost no real time.
final class ClusterHarness: @unchecked Sendable {
    let server: EmulatorServer
    let kube: KubeClient
    let time: VirtualTime
    let root: URL
    private let lock = NSLock()
    private var events: [String] = []

    /// Serves the CRDs k3s v1.31.4 serves, or those of `crdDirectory`.
    init(crdDirectory: String? = nil) throws {
        let time = VirtualTime()
        self.time = time
        server = try EmulatorFixtures.started(crds: true, crdDirectory: crdDirectory, clock: { time.now })
        root = try EmulatorFixtures.temporaryDirectory("steps")
        kube = KubeClient(config: try KubeConfig.parse(server.kubeconfigYAML(), path: root.path + "/kubeconfig", context: nil), clock: time.clock)
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// The host as production builds it, under the temporary root, with only the system's tools.
    var host: LocalHost { LocalHost(root: root.path + "/host", environment: ["PATH": "/usr/bin:/bin:/usr/sbin:/sbin"]) }

    func context(_ host: any HostSystem, mode: StepContext.Mode = .apply) -> StepContext {
        stepContext("step", mode: mode, host: host, kube: kube, progress: { [self] in record($0) })
    }

    func record(_ event: String) { lock.withLock { events.append(event) } }
    var progress: [String] { lock.withLock { events } }

    /// check, apply and verify, as the engine runs a step.
    @discardableResult
    func run<D: StepDriver>(_ driver: D, host: (any HostSystem)? = nil) async throws -> ChangeSet {
        let context = context(host ?? self.host)
        let plan = try await driver.check(context)
        try await driver.apply(plan, context)
        let drift = try await driver.verify(plan, context)
        #expect(drift == [])
        return plan
    }

    func namespaces(_ names: String...) async throws {
        for name in names { _ = try await kube.apply(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]], dryRun: false) }
    }

    /// Writes a file under the host root, creating its directories.
    func write(_ hostPath: String, _ text: String) throws {
        let url = URL(fileURLWithPath: host.path(hostPath))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
}

/// Checks a playbook as `validate` does and returns what it reports, warnings included.
func diagnostics(_ text: String, secrets: Secrets = .none) -> [String] {
    do {
        let checked = try CheckedPlaybook.check(PlaybookLoader.parse(text, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
        return checked.warnings.map(\.description)
    } catch {
        return error.items.map(\.description)
    }
}

@Suite struct LocalVolumesTests {
    /// Sizes and folders as FAF's gitops-stack storage-values.yaml has them.
    static let mariadb = LocalVolumes.Volume(name: "mariadb", namespace: "faf-infra", size: "100Gi")
    static let replays = LocalVolumes.Volume(name: "faf-replays", namespace: "faf-apps", size: "500Gi", folder: "replays")
    static let rabbitmq = LocalVolumes.Volume(name: "rabbitmq", namespace: "faf-apps", size: "1Gi", mode: "0750",
                                              migrateFrom: "/opt/faf/data/rabbitmq")

    static func driver(backend: LocalVolumes.Backend, _ volumes: [LocalVolumes.Volume]) -> LocalVolumes {
        LocalVolumes(id: "volumes", parameters: .init(dataRoot: "/tank/faf", dataset: "tank/faf", backend: backend,
                                                      nodeSelector: ["storage-id": "main-01"], volumes: volumes))
    }

    @Test func quantities() throws {
        for (text, bytes) in [("100Gi", Decimal(107_374_182_400)), ("500M", 500_000_000), ("1.5Gi", 1_610_612_736),
                              ("1e3", 1000), ("+2Ki", 2048), (".5k", 500), ("1E-3", Decimal(string: "0.001")!)] {
            #expect(try Quantity(text).value == bytes, "\(text)")
        }
        #expect(try Quantity("-1Gi").value < 0)
        let inputs: [String] = ["10GB", "Gi", "", "1.2.3Gi", "1e", "5 Gi"]
        let problems = inputs.map { (text: String) -> String in
            do { _ = try Quantity(text); return "accepted" } catch { return "\(error)" }
        }
        #expect(problems == [
            "\"10GB\" is not a quantity: unknown suffix \"GB\" (did you mean \"Gi\" or \"G\"?); use Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)",
            "\"Gi\" is not a quantity: it needs a number, such as 100Gi",
            "\"\" is not a quantity: it needs a number, such as 100Gi",
            "\"1.2.3Gi\" is not a quantity: it needs a number, such as 100Gi",
            "\"1e\" is not a quantity: unknown suffix \"e\"; use Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)",
            "\"5 Gi\" is not a quantity: unknown suffix \" Gi\"; use Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)",
        ])
    }

    @Test func objectsForFAFVolumes() throws {
        let objects = Self.driver(backend: .zfs, [Self.mariadb, Self.replays]).objects
        #expect(objects.count == 5)
        #expect(objects[0] == [
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": ["name": "local-zfs"],
            "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer", "reclaimPolicy": "Retain",
        ])
        let affinity: Value = ["required": ["nodeSelectorTerms": [["matchExpressions": [
            ["key": "storage-id", "operator": "In", "values": ["main-01"]],
        ]]]]]
        #expect(objects[3] == [
            "apiVersion": "v1", "kind": "PersistentVolume", "metadata": ["name": "faf-replays"],
            "spec": [
                "capacity": ["storage": "500Gi"], "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "local-zfs", "volumeMode": "Filesystem", "local": ["path": "/tank/faf/replays"],
                "claimRef": ["apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": "faf-apps", "name": "faf-replays-pvc"],
                "nodeAffinity": affinity,
            ],
        ])
        #expect(objects[4] == [
            "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "faf-replays-pvc", "namespace": "faf-apps"],
            "spec": [
                "accessModes": ["ReadWriteOnce"], "storageClassName": "local-zfs", "volumeMode": "Filesystem",
                "volumeName": "faf-replays", "resources": ["requests": ["storage": "500Gi"]],
            ],
        ])
        #expect(objects[1][path: ["spec", "local", "path"]] == "/tank/faf/mariadb")
        #expect(objects[1][path: ["spec", "capacity", "storage"]] == "100Gi")
        #expect(objects[2][path: ["metadata", "namespace"]] == "faf-infra")
        #expect(objects[2][path: ["spec", "volumeName"]] == "mariadb")
    }

    /// With ZFS, plan shows the dataset creation (run by zfs.dataset's driver) and the migration.
    @Test func planShowsDatasetsAndMigration() async throws {
        let harness = try ClusterHarness()
        let bin = harness.root.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        // No dataset exists yet: `zfs list` fails as it does for a missing dataset.
        try "#!/bin/sh\necho \"cannot open '$7': dataset does not exist\" >&2\nexit 1\n".write(to: bin.appendingPathComponent("zfs"), atomically: true, encoding: .utf8)
        chmod(bin.appendingPathComponent("zfs").path, 0o755)
        try harness.write("/opt/faf/data/rabbitmq/mnesia/rabbit@node", "queues")
        let host = PlanHost(wrapping: LocalHost(root: harness.host.root, environment: ["PATH": bin.path + ":/usr/bin:/bin"]))

        let plan = try await Self.driver(backend: .zfs, [Self.mariadb, Self.rabbitmq]).check(harness.context(host, mode: .plan))
        #expect(plan.hostLines == [
            "zfs create -p -o mountpoint=/tank/faf/mariadb tank/faf/mariadb",
            "zfs create -p -o mountpoint=/tank/faf/rabbitmq tank/faf/rabbitmq",
            "chmod 0750 /tank/faf/rabbitmq",
            "rsync --archive --hard-links --xattrs --numeric-ids --delete /opt/faf/data/rabbitmq/. /tank/faf/rabbitmq/.bootstrap-staging/",
            "mv /tank/faf/rabbitmq/.bootstrap-staging /tank/faf/rabbitmq/.bootstrap-copied",
            "mv /tank/faf/rabbitmq/.bootstrap-copied/mnesia /tank/faf/rabbitmq/mnesia",
            "write /tank/faf/rabbitmq/.bootstrap-copied/.bootstrap-migrated (mode 0644)",
            "mv /tank/faf/rabbitmq/.bootstrap-copied/.bootstrap-migrated /tank/faf/rabbitmq/.bootstrap-migrated",
            "rm -rf /tank/faf/rabbitmq/.bootstrap-copied",
            // A free rollback point once the copy is verified.
            "zfs snapshot tank/faf/rabbitmq@bootstrap-migrated",
        ])
        #expect(plan.warnings == [])
        #expect(plan.objects.count == 5)
    }

    /// On a node without ZFS: directories at the predictable paths, the data migrated, claims Bound.
    @Test func appliesAndBindsOnTheEmulator() async throws {
        let harness = try ClusterHarness()
        try await harness.namespaces("faf-infra", "faf-apps")
        try harness.write("/opt/faf/data/rabbitmq/mnesia/rabbit@node", "queues")
        let driver = Self.driver(backend: .directory, [Self.mariadb, Self.replays, Self.rabbitmq])

        try await harness.run(driver)

        let files = FileManager.default
        #expect(files.fileExists(atPath: harness.host.path("/tank/faf/mariadb")))
        #expect(files.fileExists(atPath: harness.host.path("/tank/faf/replays")))
        #expect(try String(contentsOfFile: harness.host.path("/tank/faf/rabbitmq/mnesia/rabbit@node"), encoding: .utf8) == "queues")
        #expect(try String(contentsOfFile: harness.host.path("/opt/faf/data/rabbitmq/mnesia/rabbit@node"), encoding: .utf8) == "queues")
        #expect((try files.attributesOfItem(atPath: harness.host.path("/tank/faf/rabbitmq"))[.posixPermissions] as? Int) == 0o750)
        for (namespace, claim, volume) in [("faf-infra", "mariadb-pvc", "mariadb"), ("faf-apps", "faf-replays-pvc", "faf-replays"),
                                           ("faf-apps", "rabbitmq-pvc", "rabbitmq")] {
            let stored = harness.server.object(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: namespace, name: claim)
            #expect(stored?[path: ["status", "phase"]] == "Bound")
            #expect(stored?[path: ["spec", "volumeName"]] == .string(volume))
            let pv = harness.server.object(apiVersion: "v1", kind: "PersistentVolume", name: volume)
            #expect(pv?[path: ["spec", "claimRef", "name"]] == .string(claim))
            #expect(pv?[path: ["metadata", "labels", "app.kubernetes.io/managed-by"]] == "bootstrap")
        }
        #expect(harness.progress.contains("waiting for claim faf-apps/rabbitmq-pvc to be Bound"))

        // A second run finds everything in place: nothing to do on the host.
        let again = try await driver.check(harness.context(PlanHost(wrapping: harness.host), mode: .plan))
        #expect(again.hostLines == [])
    }

    @Test func verifyReportsAMissingDirectory() async throws {
        let harness = try ClusterHarness()
        try await harness.namespaces("faf-infra")
        let driver = Self.driver(backend: .directory, [Self.mariadb])
        let plan = try await harness.run(driver)
        try FileManager.default.removeItem(atPath: harness.host.path("/tank/faf/mariadb"))
        #expect(try await driver.verify(plan, harness.context(harness.host)) == ["/tank/faf/mariadb is missing"])
    }

    static let header = """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: faf}
        steps:
          - id: k3s
            type: k3s.install
            with:
              version: v1.31.4+k3s1
              nodeName: node-1
              nodeLabels: {storage-id: main-02}
              installer: {url: "https://get.k3s.io", sha256: \(String(repeating: "ab", count: 32))}
          - id: volumes
            type: storage.local-volumes
            needs: [k3s]
            with:

        """

    @Test func aMigrationProblemPointsAtItsOwnVolume() {
        // The migration's own rules (DataMigrate's) name the volume's key, wherever the volume is listed.
        let text = Self.header + """
                  dataRoot: /tank/faf
                  backend: directory
                  nodeSelector: {storage-id: main-02}
                  volumes:
                    - {name: mariadb, namespace: faf-infra, size: 10Gi, migrateFrom: /opt/mariadb, migrateOwner: "1:2:3"}
                    - {name: replays, namespace: faf-apps, size: 1Gi, migrateFrom: /opt/replays, migrateOwner: "1000:x:y"}
            """
        #expect(diagnostics(text) == [
            "faf.yaml:20:102: error: step \"volumes\": owner \"1:2:3\" is not user:group",
            "faf.yaml:21:100: error: step \"volumes\": owner \"1000:x:y\" is not user:group",
        ])
    }

    @Test func rejectsBadVolumes() {
        let text = Self.header + """
                  dataRoot: tank/faf
                  backend: zfs
                  nodeSelector: {storage-id: main-01}
                  volumes:
                    - {name: mariadb, namespace: faf-infra, size: 10GB}
                    - {name: postgres, namespace: faf-infra, size: -1Gi, folder: mariadb}
                    - {name: Replays, namespace: faf-apps, size: Gi, migrateFrom: opt/replays}
            """
        #expect(diagnostics(text) == [
            "faf.yaml:16:7: error: step \"volumes\": dataset is required for the zfs backend: the parent of each volume's dataset, such as tank/faf",
            "faf.yaml:16:17: error: step \"volumes\": dataRoot: \"tank/faf\" must be an absolute path",
            "faf.yaml:18:34: error: step \"volumes\": step \"k3s\" (k3s.install) labels the node storage-id=main-02, but these volumes are pinned to storage-id=main-01: no pod could use them",
            "faf.yaml:20:55: error: step \"volumes\": size \"10GB\" is not a quantity: unknown suffix \"GB\" (did you mean \"Gi\" or \"G\"?); use Ki, Mi, Gi, Ti (powers of 1024) or k, M, G, T (powers of 1000)",
            "faf.yaml:21:56: error: step \"volumes\": size \"-1Gi\" must be more than zero",
            "faf.yaml:21:70: error: step \"volumes\": volumes \"mariadb\" and \"postgres\" both use the path tank/faf/mariadb",
            "faf.yaml:22:18: error: step \"volumes\": volume name \"Replays\" is not a valid name (lowercase letters, digits and '-', at most 63)",
            "faf.yaml:22:54: error: step \"volumes\": size \"Gi\" is not a quantity: it needs a number, such as 100Gi",
            "faf.yaml:22:71: error: step \"volumes\": volumes.2.migrateFrom: \"opt/replays\" must be an absolute path",
        ])
    }

    @Test func warnsWhenTheNodeLacksTheStorageLabel() {
        let text = Self.header.replacingOccurrences(of: "nodeLabels: {storage-id: main-02}", with: "nodeLabels: {role: game}") + """
                  dataRoot: /tank/faf
                  backend: directory
                  nodeSelector: {storage-id: main-01}
                  volumes:
                    - {name: mariadb, namespace: faf-infra, size: 100Gi, folder: ../etc, compression: lz4}
            """
        #expect(diagnostics(text) == [
            "faf.yaml:18:34: warning: step \"volumes\": step \"k3s\" (k3s.install) does not label the node storage-id=main-01 in nodeLabels, nor does a kube.node-labels step: pods using these volumes stay Pending until the node has that label",
            "faf.yaml:20:70: error: step \"volumes\": folder \"../etc\" must be one directory name under dataRoot (no \"/\" or \"..\")",
        ])
        let labelled = text.replacingOccurrences(of: "{role: game}", with: "{role: game, storage-id: main-01}")
            .replacingOccurrences(of: "folder: ../etc, ", with: "")
        #expect(diagnostics(labelled) == [
            "faf.yaml:17:16: warning: step \"volumes\": compression and recordsize only apply to the zfs backend",
        ])
    }

    @Test func requiresAStorageLabel() {
        let text = Self.header + """
                  dataRoot: /tank/faf
                  dataset: tank/faf
                  nodeSelector: {}
                  volumes:
                    - {name: mariadb, namespace: faf-infra, size: 100Gi}
                    - {name: postgres, namespace: faf-infra, size: 1.5Gi, claim: mariadb-pvc}
            """
        #expect(diagnostics(text) == [
            "faf.yaml:18:21: error: step \"volumes\": nodeSelector needs the storage node's label (such as storage-id: main-01): local volumes must be pinned to the node holding their data",
            "faf.yaml:21:70: error: step \"volumes\": volumes \"mariadb\" and \"postgres\" both use claim faf-infra/mariadb-pvc",
        ])
    }
}
