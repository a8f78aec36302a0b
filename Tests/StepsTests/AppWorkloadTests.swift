import Platform
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

/// `app.workload`: FAF's API as one step, its objects, its rollout and the ways a rollout fails.
@Suite struct AppWorkloadTests {
    static let password = "db-pw-83f1c2"
    static let jwtKey = "jwt-key-5be20a"

    static func secrets(password: String = password) -> Secrets {
        Secrets(file: "secrets.yaml", root: ["api": .branch(["db": .leaf(Sensitive(password)), "jwt": .leaf(Sensitive(jwtKey))])])
    }

    /// A playbook file with the configuration files beside it, as FAF keeps them.
    final class Files: @unchecked Sendable {
        let dir = TemporaryDirectory("workload")
        init(env: String = "API_PORT=8010\n# a comment\nDATABASE_ADDRESS=faf-db  # compose host\n",
             application: String = "spring:\n  profiles: prod\n") throws {
            try dir.write("config/api.env", env)
            try dir.write("config/application.yml", application)
        }
        func playbook(_ workload: String, namespaces: String = "names: [faf-apps, faf-infra]") throws -> String {
            try dir.write("faf.yaml", """
                apiVersion: bootstrap.faforever.com/v1
                kind: Playbook
                metadata: {name: faf}
                steps:
                  - id: namespaces
                    type: kube.namespaces
                    with: {\(namespaces)}
                  - id: volumes
                    type: storage.local-volumes
                    with:
                      dataRoot: /tank/faf
                      dataset: tank/faf
                      nodeSelector: {storage-id: main-01}
                      volumes:
                        - {name: faf-content, namespace: faf-apps, size: 1Gi}
                        - {name: mariadb, namespace: faf-apps, size: 1Gi}
                  - id: api
                    type: app.workload
                    with:
                \(workload.split(separator: "\n").map { "      " + $0 }.joined(separator: "\n"))

                """)
        }
    }

    static let api = """
        name: faf-java-api
        namespace: faf-apps
        image: faforever/faf-java-api:v3.0.4
        env: {SPRING_PROFILES_ACTIVE: prod, API_PORT: 8011}
        envFiles: [config/api.env]
        secretEnv: {DATABASE_PASSWORD: "${{ secrets.api.db }}"}
        files:
          /config/application-prod.yml: {from: config/application.yml}
          /pki/secret.key: {secret: "${{ secrets.api.jwt }}", mode: "0440"}
        ports: [{name: http, port: 8010}, {name: management, port: 8011}]
        volumes: [{claim: faf-content-pvc, mountPath: /content, subPath: maps, readOnly: true}]
        probes: {readiness: {http: {path: /actuator/health, port: management}, initialDelaySeconds: 5}}
        resources: {requests: {cpu: 250m, memory: 1Gi}, limits: {cpu: "2", memory: 4Gi}}
        user: "1000:1000"
        aliases: [{namespace: faf-infra}, {name: faf-api}]
        smoke: {http: {path: /actuator/health, port: management}}
        """

    static func check(_ path: String, secrets: Secrets = secrets()) throws(Diagnostics) -> CheckedPlaybook {
        try CheckedPlaybook.load(path: path, secrets: secrets, registry: StepCatalog.registry)
    }

    static func driver(_ path: String, secrets: Secrets = secrets()) throws -> AnyDriver {
        try #require(try check(path, secrets: secrets).steps["api"]).driver
    }

    /// Errors of a playbook that must not pass, as printed.
    static func errors(_ path: String) -> [String] {
        do {
            _ = try check(path)
            return []
        } catch {
            return error.items.filter { $0.severity == .error }.map(\.description)
        }
    }

    static let key = Data(repeating: 0x2A, count: 32)

    static func context(_ harness: ClusterHarness, host: (any HostSystem)? = nil, key: Data? = key, timeout: Duration = .seconds(5)) -> StepContext {
        StepContext(stepID: "api", mode: .apply, host: host ?? harness.host, kube: harness.kube, connect: { [kube = harness.kube] in kube },
                    progress: { [harness] in harness.record($0) }, waitTimeout: timeout, playbookName: "faf", digester: Digester(key: key))
    }

    static func prepare(_ harness: ClusterHarness) async throws {
        try await harness.namespaces("faf-apps", "faf-infra")
    }

    @discardableResult
    static func run(_ driver: AnyDriver, _ harness: ClusterHarness, host: (any HostSystem)? = nil, timeout: Duration = .seconds(5)) async throws -> ChangeSet {
        let context = context(harness, host: host, timeout: timeout)
        let plan = try await driver.check(context)
        try await driver.apply(plan, context)
        #expect(try await driver.verify(plan, context) == [])
        return plan
    }

    func object(_ plan: ChangeSet, _ kind: String, _ name: String = "faf-java-api", namespace: String = "faf-apps") throws -> Value {
        try #require(plan.objects.first {
            $0["kind"]?.stringValue == kind && $0[path: ["metadata", "name"]]?.stringValue == name
                && $0[path: ["metadata", "namespace"]]?.stringValue == namespace
        })
    }

    // MARK: Objects

    @Test func writesEveryObjectOfTheService() async throws {
        let files = try Files()
        let plan = try await Self.driver(try files.playbook(Self.api)).check(stepContext("api", mode: .plan))
        #expect(plan.objects.map { "\($0["kind"]!.stringValue!) \($0[path: ["metadata", "namespace"]]!.stringValue!)/\($0[path: ["metadata", "name"]]!.stringValue!)" } == [
            "ServiceAccount faf-apps/faf-java-api", "ConfigMap faf-apps/faf-java-api", "Secret faf-apps/faf-java-api",
            "Service faf-apps/faf-java-api", "Service faf-infra/faf-java-api", "Service faf-apps/faf-api", "Deployment faf-apps/faf-java-api",
        ])
        let account = try object(plan, "ServiceAccount")
        #expect(account["automountServiceAccountToken"] == false)

        // env files in order, then env over them; the secret variable only in the Secret.
        let config = try object(plan, "ConfigMap")
        #expect(config["data"] == [
            "API_PORT": "8011", "DATABASE_ADDRESS": "faf-db", "SPRING_PROFILES_ACTIVE": "prod",
            "file.config_application-prod.yml": "spring:\n  profiles: prod\n",
        ])
        let secret = try object(plan, "Secret")
        #expect(secret["data"]?.objectValue?.keys == ["DATABASE_PASSWORD", "file.pki_secret.key"])
        #expect(secret["data"]?.objectValue?.values.allSatisfy(\.isSensitive) == true)

        let service = try object(plan, "Service")
        #expect(service[path: ["spec", "type"]] == "ClusterIP")
        #expect(service[path: ["spec", "selector"]] == ["app.kubernetes.io/name": "faf-java-api"])
        #expect(service[path: ["spec", "ports"]] == [
            ["name": "http", "port": 8010, "targetPort": 8010, "protocol": "TCP"],
            ["name": "management", "port": 8011, "targetPort": 8011, "protocol": "TCP"],
        ])
        let alias = try object(plan, "Service", namespace: "faf-infra")
        #expect(alias[path: ["spec", "type"]] == "ExternalName")
        #expect(alias[path: ["spec", "externalName"]] == "faf-java-api.faf-apps.svc.cluster.local")
        #expect(try object(plan, "Service", "faf-api")[path: ["spec", "externalName"]] == "faf-java-api.faf-apps.svc.cluster.local")

        let deployment = try object(plan, "Deployment")
        #expect(deployment[path: ["spec", "replicas"]] == 1)
        #expect(deployment[path: ["spec", "selector", "matchLabels"]] == ["app.kubernetes.io/name": "faf-java-api"])
        let pod = try #require(deployment[path: ["spec", "template", "spec"]])
        #expect(pod["serviceAccountName"] == "faf-java-api")
        #expect(pod["automountServiceAccountToken"] == false)
        #expect(pod["securityContext"] == ["runAsUser": 1000, "runAsNonRoot": true, "runAsGroup": 1000, "fsGroup": 1000])
        let container = try #require(pod["containers"]?.arrayValue?.first)
        #expect(container["image"] == "faforever/faf-java-api:v3.0.4")
        #expect(container["env"]?.arrayValue?.map { $0["name"]! } == ["API_PORT", "DATABASE_ADDRESS", "SPRING_PROFILES_ACTIVE", "DATABASE_PASSWORD"])
        #expect(container["env"]?.arrayValue?.last == ["name": "DATABASE_PASSWORD", "valueFrom": ["secretKeyRef": ["name": "faf-java-api", "key": "DATABASE_PASSWORD"]]])
        #expect(container["readinessProbe"] == ["httpGet": ["path": "/actuator/health", "port": "management"], "initialDelaySeconds": 5])
        #expect(container["resources"] == ["requests": ["cpu": "250m", "memory": "1Gi"], "limits": ["cpu": "2", "memory": "4Gi"]])
        #expect(container["terminationMessagePolicy"] == "FallbackToLogsOnError")
        #expect(container["volumeMounts"] == [
            ["name": "data-0", "mountPath": "/content", "subPath": "maps", "readOnly": true],
            ["name": "config", "mountPath": "/config/application-prod.yml", "subPath": "file.config_application-prod.yml", "readOnly": true],
            ["name": "secret", "mountPath": "/pki/secret.key", "subPath": "file.pki_secret.key", "readOnly": true],
        ])
        #expect(pod["volumes"] == [
            ["name": "data-0", "persistentVolumeClaim": ["claimName": "faf-content-pvc", "readOnly": true]],
            ["name": "config", "configMap": ["name": "faf-java-api", "items": [["key": "file.config_application-prod.yml", "path": "file.config_application-prod.yml"]]]],
            ["name": "secret", "secret": ["secretName": "faf-java-api", "items": [["key": "file.pki_secret.key", "path": "file.pki_secret.key", "mode": 288]], "defaultMode": 292]],
        ])
    }

    /// Two mounts of one claim (subPaths of one volume) share one pod volume: the kubelet never
    /// mounts a second pod volume of the same claim, and the pod would wait in ContainerCreating
    /// (what the real test node showed for faf.yaml's faf-java-api, mongodb and nodebb).
    @Test func mountsOfOneClaimShareOnePodVolume() async throws {
        let files = try Files()
        let workload = Self.api.replacingOccurrences(
            of: "volumes: [{claim: faf-content-pvc, mountPath: /content, subPath: maps, readOnly: true}]",
            with: "volumes: [{claim: faf-content-pvc, mountPath: /content, subPath: maps, readOnly: true}, {claim: mariadb-pvc, mountPath: /logs, subPath: logs}, {claim: faf-content-pvc, mountPath: /replays, subPath: replays}]\nstrategy: Recreate")
        let plan = try await Self.driver(try files.playbook(workload)).check(stepContext("api", mode: .plan))
        let pod = try #require(try object(plan, "Deployment")[path: ["spec", "template", "spec"]])
        #expect(pod["volumes"]?.arrayValue?.filter { $0["persistentVolumeClaim"] != nil } == [
            ["name": "data-0", "persistentVolumeClaim": ["claimName": "faf-content-pvc"]],
            ["name": "data-1", "persistentVolumeClaim": ["claimName": "mariadb-pvc"]],
        ])
        #expect(pod["containers"]?.arrayValue?.first?["volumeMounts"]?.arrayValue?.prefix(3).map { $0["name"] } == ["data-0", "data-1", "data-0"])
        #expect(pod["containers"]?.arrayValue?.first?["volumeMounts"]?.arrayValue?.first?["readOnly"] == true)
    }

    /// The secret values are only in the Secret: not in the Deployment, its checksum, or anything printed.
    @Test func secretsOnlyInTheSecret() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        let plan = try await Self.driver(try files.playbook(Self.api)).check(Self.context(harness))
        let printed = plan.objects.map { YAML.emit(Redaction.redact($0)) + JSON.encode($0) + "\($0)" }.joined() + plan.warnings.joined()
        let plainHashes = [Self.password, Self.jwtKey].map { SHA256.hash(data: Array($0.utf8)).map { String(format: "%02x", $0) }.joined() }
        for text in [Self.password, Self.jwtKey, Data(Self.password.utf8).base64EncodedString()] + plainHashes {
            #expect(!printed.contains(text))
        }
        for object in plan.objects where object["kind"] != "Secret" { #expect(!object.containsSensitive) }
        let checksum = try object(plan, "Deployment")[path: ["spec", "template", "metadata", "annotations", "bootstrap.faforever.com/config-checksum"]]
        #expect(checksum?.stringValue?.hasPrefix("sha256:") == true)
    }

    // MARK: Validation

    /// An env file's secret variable is warned about by the importer's rule (SecretVariables): a
    /// password or a credential in a URL is, a RabbitMQ routing key or a file path is not, and the
    /// warning names the variable, never its value.
    @Test func envFileSecretsAreWarnedAboutByTheImportersRule() throws {
        let warnings = try Self.envFileSecretWarnings("""
            DB_PASSWORD=hunter2-7c1e
            BROKER_URL=amqp://faf:rabbit-9d2a@rabbitmq:5672
            LEAGUE_SCORE_UPDATE_ROUTING_KEY=success.leagueScore.update
            JWT_PRIVATE_KEY_PATH=/pki/secret.key
            SESSION_SECRET=
            """)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("config/api.env line 1: DB_PASSWORD looks like a secret") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("config/api.env line 2: BROKER_URL looks like a secret") }, "\(warnings)")
        #expect(!warnings.joined().contains("hunter2") && !warnings.joined().contains("rabbit-9d2a"))
    }

    /// An env file saved with Windows line ends is read line by line, as compose reads it ("\r\n"
    /// is one Character to Swift, so a split by Character once read the whole file as one line).
    @Test func envFilesWithWindowsLineEndsAreReadLineByLine() throws {
        let warnings = try Self.envFileSecretWarnings("APP_MODE=prod\r\nDB_PASSWORD=hunter2-7c1e\r\n")
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.contains { $0.contains("config/api.env line 2: DB_PASSWORD looks like a secret") }, "\(warnings)")
    }

    /// The "looks like a secret" warnings of a workload reading `env` as its env file.
    static func envFileSecretWarnings(_ env: String) throws -> [String] {
        let files = try Files(env: env)
        let checked = try Self.check(try files.playbook("""
            name: api
            namespace: faf-apps
            image: faforever/faf-java-api:v3.0.4
            envFiles: [config/api.env]
            resources: {limits: {cpu: "1", memory: 1Gi}}
            """))
        return checked.warnings.map(\.description).filter { $0.contains("looks like a secret") }
    }

    @Test func secretReferencesOutsideSecretsAreRefused() throws {
        let files = try Files()
        let path = try files.playbook("""
            name: api
            namespace: faf-apps
            image: faforever/faf-java-api:v3.0.4
            env: {DATABASE_PASSWORD: "${{ secrets.api.db }}"}
            files: {/etc/app.conf: {content: "password=${{ secrets.api.db }}"}}
            resources: {limits: {cpu: "1", memory: 1Gi}}
            """)
        var errors = Self.errors(path)
        #expect(errors.contains { $0.contains("faf.yaml:23:32: error: step \"api\": env.DATABASE_PASSWORD takes a secret, but env is stored in a ConfigMap in plain text; move it to secretEnv.DATABASE_PASSWORD") })
        #expect(errors.contains { $0.contains("files./etc/app.conf.content takes a secret") && $0.contains("use files./etc/app.conf.secret") })
        // Every other parameter is plain text: a secret there is refused while decoding.
        errors += Self.errors(try files.playbook("""
            name: api
            namespace: faf-apps
            image: faforever/faf-java-api:v3.0.4
            command: ["--password=${{ secrets.api.db }}"]
            aliases: [{name: "${{ secrets.api.db }}"}]
            resources: {limits: {cpu: "1", memory: 1Gi}}
            """))
        #expect(errors.contains { $0.contains("parameter \"command.0\" cannot take a secret") })
        #expect(errors.contains { $0.contains("parameter \"aliases.0.name\" cannot take a secret") })
        for error in errors { #expect(!error.contains(Self.password)) }
    }

    @Test func validationNamesEachProblemWhereItWasWritten() throws {
        let files = try Files()
        let path = try files.playbook("""
            name: api
            namespace: faf-apps
            image: faforever/faf-java-api:latest
            kind: StatefulSet
            env: {9LIVES: x}
            ports: [{name: http, port: 8010}]
            volumes: [{claim: faf-contnet-pvc, mountPath: /content}]
            probes: {readiness: {http: {path: /health, port: htp}}}
            smoke: {http: {path: /, port: 9999}}
            """)
        let errors = Self.errors(path)
        let dir = files.dir.path
        for expected in [
            "faf.yaml:22:14: error: step \"api\": image \"faforever/faf-java-api:latest\" is not pinned",
            "faf.yaml:24:21: error: step \"api\": env name \"9LIVES\" is not a valid variable name",
            "faf.yaml:26:25: error: step \"api\": claim \"faf-contnet-pvc\" is not a claim of a storage.local-volumes step in namespace faf-apps (did you mean \"faf-content-pvc\"?)",
            "faf.yaml:27:56: error: step \"api\": port \"htp\" is not a port name of the workload (http: 8010) (did you mean \"http\"?)",
            "faf.yaml:28:37: error: step \"api\": port 9999 is not one of the workload's ports (http: 8010)",
            "error: step \"api\": no cpu limit: set resources.limits.cpu, or give namespace faf-apps a default in its kube.namespaces step",
            "error: step \"api\": no memory limit",
        ] {
            #expect(errors.contains { $0.contains(expected) }, "missing: \(expected)\nin: \(errors.joined(separator: "\n"))")
        }
        // Files are read while the parameters are decoded; the driver's checks report in the same round.
        let missing = Self.errors(try files.playbook("""
            name: api
            namespace: faf-apps
            image: faforever/faf-java-api:v3.0.4
            envFiles: [config/missing.env]
            files: {/etc/app.conf: {from: config/nothing.yml}}
            """))
        #expect(missing == [
            "\(dir)/faf.yaml:20:7: error: step \"api\": no cpu limit: set resources.limits.cpu, or give namespace faf-apps a default in its kube.namespaces step (defaultResources.limits.cpu)",
            "\(dir)/faf.yaml:20:7: error: step \"api\": no memory limit: set resources.limits.memory, or give namespace faf-apps a default in its kube.namespaces step (defaultResources.limits.memory)",
            "\(dir)/faf.yaml:23:18: error: step \"api\": parameter \"envFiles.0\" file \"config/missing.env\" cannot be read beside the playbook (\(dir)/config/missing.env: No such file or directory)",
            "\(dir)/faf.yaml:24:37: error: step \"api\": parameter \"files./etc/app.conf.from\" file \"config/nothing.yml\" cannot be read beside the playbook (\(dir)/config/nothing.yml: No such file or directory)",
        ])
        let untagged = try files.playbook("""
            name: api
            namespace: faf-apps
            image: registry.example.com:5000/faf/api
            resources: {limits: {cpu: "1", memory: 1Gi}}
            """)
        #expect(Self.errors(untagged).contains { $0.contains("image \"registry.example.com:5000/faf/api\" has no tag: pin one") })
    }

    @Test func namespaceDefaultsStandInForOwnLimits() async throws {
        let files = try Files()
        let workload = "name: api\nnamespace: faf-apps\nimage: faforever/faf-java-api:v3.0.4"
        #expect(Self.errors(try files.playbook(workload)).contains { $0.contains("no cpu limit") })
        let defaults = "names: [faf-apps, faf-infra], defaultResources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 512Mi}}"
        let path = try files.playbook(workload, namespaces: defaults)
        #expect(Self.errors(path) == [])
        let checked = try Self.check(path)
        let namespaces = try #require(checked.steps["namespaces"]).driver
        let harness = try ClusterHarness()
        let context = stepContext("namespaces", kube: harness.kube)
        let plan = try await namespaces.check(context)
        try await namespaces.apply(plan, context)
        #expect(try await namespaces.verify(plan, context) == [])
        let stored = harness.server.object(apiVersion: "v1", kind: "LimitRange", namespace: "faf-infra", name: "bootstrap-defaults")
        #expect(stored?[path: ["spec", "limits"]]?.arrayValue?.first?["default"] == ["cpu": "500m", "memory": "512Mi"])
        #expect(plan.objects.filter { $0["kind"] == "LimitRange" }.map { YAML.emit($0) } == ["faf-apps", "faf-infra"].map { ns in
            """
            apiVersion: v1
            kind: LimitRange
            metadata:
              name: bootstrap-defaults
              namespace: \(ns)
            spec:
              limits:
                - type: Container
                  default:
                    cpu: 500m
                    memory: 512Mi
                  defaultRequest:
                    cpu: 100m
                    memory: 128Mi

            """
        })
    }

    @Test func aStatefulSetsClaimHasOneWriter() throws {
        let files = try Files()
        try files.dir.write("faf.yaml", """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: faf}
            steps:
              - id: volumes
                type: storage.local-volumes
                with:
                  dataRoot: /tank/faf
                  nodeSelector: {storage-id: main-01}
                  backend: directory
                  volumes: [{name: mariadb, namespace: faf-infra, size: 1Gi}]
              - id: db
                type: app.workload
                with: {name: faf-db, namespace: faf-infra, kind: StatefulSet, image: "mariadb:10.6",
                       volumes: [{claim: mariadb-pvc, mountPath: /var/lib/mysql}], resources: {limits: {cpu: "1", memory: 1Gi}}}
              - id: backup
                type: app.workload
                with: {name: backup, namespace: faf-infra, image: "mariadb:10.6",
                       volumes: [{claim: mariadb-pvc, mountPath: /data}], resources: {limits: {cpu: "1", memory: 1Gi}}}
            """)
        let errors = Self.errors(files.dir.file("faf.yaml"))
        #expect(errors.contains { $0.contains("step \"backup\": claim \"mariadb-pvc\" is written by StatefulSet faf-db and by step \"db\" too") })
    }

    /// Issue 25: RollingUpdate starts the new pod before the old one stops; on a writable claim
    /// that is two database processes on one data directory.
    @Test func aDeploymentWithAWritableClaimMustBeRecreated() async throws {
        let files = try Files()
        let db = "name: mongodb\nnamespace: faf-apps\nimage: mongo:6.0.3-focal\nresources: {limits: {cpu: \"1\", memory: 1Gi}}\n"
            + "volumes: [{claim: mariadb-pvc, mountPath: /data/db}, {claim: faf-content-pvc, mountPath: /content, readOnly: true}]"
        let refused = Self.errors(try files.playbook(db))
        #expect(refused.count == 1)
        #expect(refused.first?.hasSuffix("error: step \"api\": Deployment faf-apps/mongodb must use strategy: Recreate, or be kind: StatefulSet, "
            + "because RollingUpdate, the default, starts the new pod before the old one stops: its writable claim mariadb-pvc would have "
            + "two writers at once (two processes on one data directory)") == true, "\(refused)")
        // Positioned at the writable mount's claim.
        #expect(refused.first?.contains("faf.yaml:\(try Self.line(of: "volumes: [{claim: mariadb-pvc", in: files)):") == true, "\(refused)")
        #expect(Self.errors(try files.playbook(db + "\nstrategy: RollingUpdate")).first?.contains("because RollingUpdate starts") == true)
        #expect(Self.errors(try files.playbook(db + "\nkind: StatefulSet")) == [])
        #expect(Self.errors(try files.playbook(db + "\nkind: StatefulSet\nstrategy: Recreate")).first?.contains("strategy Recreate applies only to a Deployment") == true)
        // Read-only mounts roll as they like.
        #expect(Self.errors(try files.playbook(db.replacingOccurrences(of: "mountPath: /data/db}", with: "mountPath: /data/db, readOnly: true}"))) == [])

        let recreate = try files.playbook(db + "\nstrategy: Recreate")
        #expect(Self.errors(recreate) == [])
        let plan = try await Self.driver(recreate).check(stepContext("api", mode: .plan))
        #expect(try object(plan, "Deployment", "mongodb")[path: ["spec", "strategy"]] == ["type": "Recreate"])
    }

    static func line(of text: String, in files: Files) throws -> Int {
        let lines = try String(contentsOfFile: files.dir.file("faf.yaml"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(text) } ?? -1) + 1
    }

    // MARK: Rollout

    @Test func appliesAndWaitsForTheRollout() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        try await Self.run(Self.driver(try files.playbook(Self.api)), harness)
        let deployment = try #require(harness.server.object(apiVersion: "apps/v1", kind: "Deployment", namespace: "faf-apps", name: "faf-java-api"))
        #expect(deployment[path: ["status", "availableReplicas"]] == 1)
        let pods = try await harness.kube.list(apiVersion: "v1", kind: "Pod", namespace: "faf-apps", labelSelector: "app.kubernetes.io/name=faf-java-api")
        #expect(pods.count == 1)
        #expect(harness.progress.contains("smoke check simulated in the rehearsal: GET faf-java-api:management/actuator/health would expect 200") == false)
    }

    @Test func aRehearsalSaysTheSmokeCheckIsSimulated() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        let rehearsal = TemporaryDirectory("rehearsal")
        let host = try RehearsalHost(directory: rehearsal.path, simulations: StepCatalog.rehearsalSimulations)
        try await Self.run(Self.driver(try files.playbook(Self.api)), harness, host: host)
        #expect(harness.progress.contains("smoke check simulated in the rehearsal: GET faf-java-api:management/actuator/health would expect 200"))
    }

    @Test func aConfigurationChangeRollsThePods() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        let path = try files.playbook(Self.api)
        try await Self.run(Self.driver(path), harness)
        func replicaSets() async throws -> [String] {
            try await harness.kube.list(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "faf-apps", labelSelector: nil)
                .filter { $0[path: ["spec", "replicas"]]?.intValue == 1 }.compactMap { $0[path: ["metadata", "name"]]?.stringValue }
        }
        let first = try await replicaSets()
        #expect(first.count == 1)

        // A changed file beside the playbook: a new digest for the step, and a new revision of the pods.
        let before = try #require(try Self.check(path).steps["api"]).digestParameters
        try files.dir.write("config/application.yml", "spring:\n  profiles: prod,metrics\n")
        try await Self.run(Self.driver(path), harness)
        let afterFile = try await replicaSets()
        #expect(afterFile.count == 1 && afterFile != first)
        #expect(try #require(try Self.check(path).steps["api"]).digestParameters != before)

        // A changed secret: the checksum moves too (without holding the secret).
        try await Self.run(Self.driver(path, secrets: Self.secrets(password: "rotated-pw-0000")), harness)
        let afterSecret = try await replicaSets()
        #expect(afterSecret.count == 1 && afterSecret != afterFile)
        let all = try await harness.kube.list(apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "faf-apps", labelSelector: nil)
        #expect(all.compactMap { $0[path: ["metadata", "annotations", "deployment.kubernetes.io/revision"]]?.stringValue }.sorted() == ["1", "2", "3"])
    }

    static let failing = """
        name: faf-java-api
        namespace: faf-apps
        image: faforever/faf-java-api:v3.0.4
        ports: [{name: http, port: 8010}]
        probes: {readiness: {http: {path: /actuator/health, port: http}}}
        resources: {limits: {cpu: "1", memory: 1Gi}}
        timeout: 0s
        """

    func failure(_ fault: ImageFault, kind: String = "Deployment") async throws -> String {
        try await failureAndState(fault, kind: kind).message
    }

    /// The step's error, and what `status` then says of the workload.
    func failureAndState(_ fault: ImageFault, kind: String = "Deployment", workload: String = failing) async throws -> (message: String, state: String?) {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        harness.server.failImage("faforever/faf-java-api:v3.0.4", fault)
        let driver = try Self.driver(try files.playbook(workload + "\nkind: \(kind)"))
        let context = Self.context(harness)
        let plan = try await driver.check(context)
        let error = await #expect(throws: StepError.self) { try await driver.apply(plan, context) }
        return (error?.message ?? "", try await driver.liveState(context))
    }

    @Test func anImageThatCannotBePulledNamesThePodAndReason() async throws {
        let (message, state) = try await failureAndState(.pull)
        #expect(state == "Deployment faf-apps/faf-java-api rolling out: waiting for 0 of 1 updated replicas available")
        #expect(message.hasPrefix("the rollout of Deployment faf-apps/faf-java-api (faforever/faf-java-api:v3.0.4) failed: pod faf-java-api-"))
        #expect(message.hasSuffix(": ImagePullBackOff: Back-off pulling image \"faforever/faf-java-api:v3.0.4\""))
    }

    @Test func aCrashingContainerShowsItsLastLogLines() async throws {
        let (message, _) = try await failureAndState(.crash, workload: Self.failing.replacingOccurrences(of: "timeout: 0s", with: "timeout: 5m"))
        #expect(message.hasPrefix("the rollout of Deployment faf-apps/faf-java-api (faforever/faf-java-api:v3.0.4) failed: pod faf-java-api-"))
        #expect(message.contains(": container faf-java-api exited (exit code 1, Error); its last log lines:\n"))
        #expect(message.hasSuffix("    Error: connection to the database refused\n    exiting with status 1"))
    }

    /// Issue 30's case: no readiness probe, so the container is Ready the moment it runs and the
    /// Deployment counts it available; it exits a second later. The settle window sees the exit.
    static let readyForAMoment = """
        name: faf-ory-hydra
        namespace: faf-apps
        image: oryd/hydra:v1.11.10
        ports: [{name: http, port: 4444}]
        resources: {limits: {cpu: "1", memory: 1Gi}}
        """

    func readyForAMoment(kind: String, fault: ImageFault?, extra: String = "") async throws -> (error: String?, harness: ClusterHarness) {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        if let fault { harness.server.failImage("oryd/hydra:v1.11.10", fault) }
        let driver = try Self.driver(try files.playbook(Self.readyForAMoment + "\nkind: \(kind)" + extra))
        let context = Self.context(harness)
        let plan = try await driver.check(context)
        do {
            try await driver.apply(plan, context)
            return (nil, harness)
        } catch let error as StepError {
            return (error.message, harness)
        }
    }

    @Test(arguments: ["Deployment", "StatefulSet"])
    func aPodThatIsReadyForAMomentAndThenExitsFailsTheStep(kind: String) async throws {
        let (error, harness) = try await readyForAMoment(kind: kind, fault: .crash)
        let message = try #require(error)
        let pod = kind == "StatefulSet" ? "faf-ory-hydra-0" : "faf-ory-hydra-"
        #expect(message.hasPrefix("the rollout of \(kind) faf-apps/faf-ory-hydra (oryd/hydra:v1.11.10) failed: pod \(pod)"), "\(message)")
        // Seen exited, or (between two looks) already restarted: either way with its exit and log.
        #expect(message.contains(": container faf-ory-hydra exited (exit code 1, Error); its last log lines:\n")
            || message.contains(": container faf-ory-hydra restarted during the rollout (1 restart; last exit: exit code 1, Error); its last log lines:\n"), "\(message)")
        #expect(message.hasSuffix("    exiting with status 1"))
        // It was rolled out by kubectl's rule, and the settle window is what caught it.
        #expect(harness.progress.contains("waiting for the rollout of \(kind) faf-apps/faf-ory-hydra: its new pods to stay Ready without a restart for 10s"))
        #expect(harness.time.now < .seconds(10))
    }

    @Test func aHealthyRolloutStaysReadyForItsSettleWindow() async throws {
        let (error, harness) = try await readyForAMoment(kind: "Deployment", fault: nil)
        #expect(error == nil)
        #expect(harness.time.now >= .seconds(10))
        #expect(harness.progress.contains("waiting for the rollout of Deployment faf-apps/faf-ory-hydra: its new pods to stay Ready without a restart for 10s"))

        // A probe that may fail 4 times 15s apart before the kubelet acts: the window is a minute.
        let probed = "\nprobes: {readiness: {tcp: {port: http}, periodSeconds: 15, failureThreshold: 4}}"
        let (probedError, slower) = try await readyForAMoment(kind: "StatefulSet", fault: nil, extra: probed)
        #expect(probedError == nil)
        #expect(slower.time.now >= .seconds(60))
        #expect(slower.progress.contains("waiting for the rollout of StatefulSet faf-apps/faf-ory-hydra: its new pods to stay Ready without a restart for 1m"))

        // settle: 0s is kubectl's rule alone.
        let (noneError, none) = try await readyForAMoment(kind: "Deployment", fault: nil, extra: "\nsettle: 0s")
        #expect(noneError == nil)
        #expect(none.time.now < .seconds(1))
    }

    @Test func withoutASettleWindowTheFirstReadyMomentIsTrusted() async throws {
        // settle: 0s is kubectl's rule alone, and its weakness: the crashing pod counts as rolled out.
        let (error, _) = try await readyForAMoment(kind: "Deployment", fault: .crash, extra: "\nsettle: 0s")
        #expect(error == nil)
        let (windowed, _) = try await readyForAMoment(kind: "Deployment", fault: .crash, extra: "\nsettle: 30s")
        #expect(windowed?.contains("exit code 1, Error); its last log lines:") == true, "\(windowed ?? "")")
    }

    @Test func theWaitsFirstLookIsTheApplysAnswer() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        let driver = try Self.driver(try files.playbook(Self.readyForAMoment + "\nsettle: 0s"))
        try await Self.run(driver, harness)
        // Applied again, unchanged and rolled out: the check reads the Deployment (for what must
        // change before the apply), and the wait reads nothing more: the apply answered with the
        // object as stored, already rolled out.
        let before = harness.server.requests().count
        let context = Self.context(harness)
        try await driver.apply(try await driver.check(context), context)
        let reads = harness.server.requests().dropFirst(before)
            .filter { $0.method == "GET" && $0.path == "/apis/apps/v1/namespaces/faf-apps/deployments/faf-ory-hydra" }
        #expect(reads.count == 1)
    }

    @Test func anUnschedulablePodSaysWhy() async throws {
        let message = try await failure(.unschedulable, kind: "StatefulSet")
        #expect(message.hasPrefix("the rollout of StatefulSet faf-apps/faf-java-api (faforever/faf-java-api:v3.0.4) failed: pod faf-java-api-0 is Unschedulable: 0/1 nodes are available: 1 Insufficient memory."))
    }

    @Test func aFailingReadinessProbeFailsAtTheTimeout() async throws {
        let message = try await failure(.unready)
        #expect(message.contains("failed: timed out after 0.0 seconds waiting for 0 of 1 updated replicas available; pod faf-java-api-"))
        #expect(message.hasSuffix("runs but is not ready: its readiness probe fails (Readiness probe failed: HTTP probe failed with statuscode: 503)"))
    }

    @Test func aFailedJobShowsItsLog() async throws {
        let (message, state) = try await failureAndState(.crash, kind: "Job")
        #expect(state == "Job faf-apps/faf-java-api failed: BackoffLimitExceeded: Job has reached the specified backoff limit")
        #expect(message.contains(": container faf-java-api exited (exit code 1, Error); its last log lines:\n"))
    }

    @Test func aChangedJobRunsAgain() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        let job = "name: migrations\nnamespace: faf-apps\nkind: Job\nresources: {limits: {cpu: \"1\", memory: 1Gi}}\nimage: faforever/faf-db-migrations:"
        try await Self.run(Self.driver(try files.playbook(job + "v126")), harness)
        let first = try #require(harness.server.object(apiVersion: "batch/v1", kind: "Job", namespace: "faf-apps", name: "migrations"))
        #expect(first[path: ["status", "succeeded"]] == 1)
        let plan = try await Self.run(Self.driver(try files.playbook(job + "v127")), harness)
        #expect(plan.preparations == [.replace(ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: "faf-apps", name: "migrations"),
                                               reason: "its pod template cannot be updated, so the Job is deleted and runs again")])
        let second = try #require(harness.server.object(apiVersion: "batch/v1", kind: "Job", namespace: "faf-apps", name: "migrations"))
        #expect(second[path: ["metadata", "uid"]] != first[path: ["metadata", "uid"]])
        #expect(second[path: ["status", "conditions"]]?.arrayValue?.last?["type"] == "Complete")
    }

    // MARK: Drift

    @Test func verifyFindsAChangedImageReplicasOrEnv() async throws {
        let files = try Files()
        let harness = try ClusterHarness()
        try await Self.prepare(harness)
        let driver = try Self.driver(try files.playbook(Self.api))
        try await Self.run(driver, harness)
        let ref = ObjectRef(apiVersion: "apps/v1", kind: "Deployment", namespace: "faf-apps", name: "faf-java-api")
        let fresh = Self.context(harness)
        let plan = try await driver.check(fresh)

        _ = try await harness.kube.mergePatch(ref, patch: ["spec": ["replicas": 3]])
        #expect(try await driver.verify(plan, Self.context(harness)).contains { $0.contains("Deployment faf-apps/faf-java-api differs at spec.replicas") })
        _ = try await harness.kube.mergePatch(ref, patch: ["spec": ["replicas": 1]])

        let live = try #require(try await harness.kube.get(ref))
        var container = try #require(live[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first)
        container["image"] = "faforever/faf-java-api:v3.0.5"
        _ = try await harness.kube.mergePatch(ref, patch: ["spec": ["template": ["spec": ["containers": [container]]]]])
        #expect(try await driver.verify(plan, Self.context(harness)).contains { $0.contains("Deployment faf-apps/faf-java-api differs at spec.template.spec.containers") })

        let config = ObjectRef(apiVersion: "v1", kind: "ConfigMap", namespace: "faf-apps", name: "faf-java-api")
        _ = try await harness.kube.mergePatch(config, patch: ["data": ["SPRING_PROFILES_ACTIVE": "dev"]])
        #expect(try await driver.verify(plan, Self.context(harness)).contains { $0.contains("ConfigMap faf-apps/faf-java-api differs at data.SPRING_PROFILES_ACTIVE") })
    }
}
