import Document
import Engine
import Foundation
import Host
import Kube
import Playbook
import Steps
import Testing
import TestSupport

/// FAF's RabbitMQ through Bitnami's chart: the HelmChart, its values Secret, and helm-controller's Job.
@Suite struct HelmChartTests {
    /// These releases use `valuesSecrets`, which helm-controller serves from v0.16.7 on (k3s
    /// v1.31.8+k3s1, v1.32.4+k3s1), not the v0.16.5 of k3s v1.31.4: the cluster serves a newer
    /// helm-controller's CRDs (Tests/Fixtures/crds, SOURCE there).
    static let newerHelmController = Paths.fixtures + "/crds/helm-controller-21a911f"

    static let passwords = [
        "admin": "admin-pw-7f3a", "erlangCookie": "cookie-9d2e", "pythonServer": "python-pw-1b8c",
        "javaApi": "java-pw-4e6d", "leagueService": "league-pw-0a5f", "postal": "postal-pw-c3d1",
    ]

    static func secrets(_ overrides: [String: String] = [:]) -> Secrets {
        let values = passwords.merging(overrides) { $1 }
        return Secrets(file: "secrets.yaml", root: ["rabbitmq": .branch(values.mapValues { .leaf(Sensitive($0)) })])
    }

    /// Users and vhosts as FAF's init-rabbitmq.sh created them; the definitions hold passwords, so
    /// they go through secretValues into a Secret the chart creates (Bitnami's extraSecrets).
    static func playbook(version: String = "14.6.10", values extra: String = "") -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: faf}
        steps:
          - id: rabbitmq
            type: helm.chart
            with:
              name: rabbitmq
              chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq
              version: \(version)
              targetNamespace: faf-apps
              timeout: 10m
              values:
                auth:
                  username: admin
                persistence:
                  existingClaim: rabbitmq-pvc
                loadDefinition:
                  enabled: true
                  existingSecret: rabbitmq-load-definition
                extraConfiguration: |
                  load_definitions = /app/load_definition.json
        \(extra)
              secretValues:
                auth:
                  password: ${{ secrets.rabbitmq.admin }}
                  erlangCookie: ${{ secrets.rabbitmq.erlangCookie }}
                extraSecrets:
                  rabbitmq-load-definition:
                    load_definition.json: |
                      {
                        "vhosts": [{"name": "/faf-core"}, {"name": "/faf-postal"}],
                        "users": [
                          {"name": "admin", "password": "${{ secrets.rabbitmq.admin }}", "tags": "administrator"},
                          {"name": "faf-python-server", "password": "${{ secrets.rabbitmq.pythonServer }}", "tags": ""},
                          {"name": "faf-java-api", "password": "${{ secrets.rabbitmq.javaApi }}", "tags": ""},
                          {"name": "faf-league-service", "password": "${{ secrets.rabbitmq.leagueService }}", "tags": ""},
                          {"name": "faf-postal", "password": "${{ secrets.rabbitmq.postal }}", "tags": ""}
                        ],
                        "permissions": [
                          {"user": "admin", "vhost": "/faf-core", "configure": ".*", "write": ".*", "read": ".*"},
                          {"user": "admin", "vhost": "/faf-postal", "configure": ".*", "write": ".*", "read": ".*"},
                          {"user": "faf-python-server", "vhost": "/faf-core", "configure": ".*", "write": ".*", "read": ".*"},
                          {"user": "faf-java-api", "vhost": "/faf-core", "configure": ".*", "write": ".*", "read": ".*"},
                          {"user": "faf-league-service", "vhost": "/faf-core", "configure": ".*", "write": ".*", "read": ".*"},
                          {"user": "faf-postal", "vhost": "/faf-postal", "configure": ".*", "write": ".*", "read": ".*"}
                        ]
                      }
        """
    }

    static func driver(_ text: String = playbook(), secrets: Secrets = secrets()) throws -> AnyDriver {
        let checked = try CheckedPlaybook.check(PlaybookLoader.parse(text, file: "faf.yaml"), secrets: secrets, registry: StepCatalog.registry)
        return try #require(checked.steps["rabbitmq"]).driver
    }

    func plan(_ driver: AnyDriver, _ harness: ClusterHarness) async throws -> ChangeSet {
        try await driver.check(harness.context(harness.host, mode: .plan))
    }

    /// Everything a reviewer or a log could see of a plan.
    static func printed(_ plan: ChangeSet) -> String {
        plan.objects.map { YAML.emit($0) + JSON.encode($0) + "\($0)" }.joined() + plan.hostLines.joined() + plan.warnings.joined()
    }

    @Test func rabbitmqObjectsArePinnedAndHoldNoSecretText() async throws {
        let plan = try await Self.driver().check(stepContext("rabbitmq", mode: .plan, host: LocalHost(), timeout: .seconds(1)))
        #expect(plan.objects.map(YAML.emit).joined(separator: "---\n") == """
            apiVersion: v1
            kind: Secret
            metadata:
              name: rabbitmq-bootstrap-values
              namespace: kube-system
            type: Opaque
            data:
              values-1.yaml: (sensitive)
            ---
            apiVersion: helm.cattle.io/v1
            kind: HelmChart
            metadata:
              name: rabbitmq
              namespace: kube-system
            spec:
              chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq
              version: "14.6.10"
              targetNamespace: faf-apps
              timeout: 10m
              failurePolicy: abort
              backOffLimit: 3
              valuesContent: |
                auth:
                  username: admin
                persistence:
                  existingClaim: rabbitmq-pvc
                loadDefinition:
                  enabled: true
                  existingSecret: rabbitmq-load-definition
                extraConfiguration: |
                  load_definitions = /app/load_definition.json
              valuesSecrets:
                - name: rabbitmq-bootstrap-values
                  keys:
                    - values-1.yaml

            """)
        let printed = Self.printed(plan)
        for secret in Self.passwords.values { #expect(!printed.contains(secret)) }
        #expect(plan.objects[1].containsSensitive == false)
    }

    @Test func installsAndWaitsForHelmControllersJob() async throws {
        let harness = try ClusterHarness(crdDirectory: Self.newerHelmController)
        let driver = try Self.driver()
        let plan = try await plan(driver, harness)
        try await driver.apply(plan, harness.context(harness.host))
        #expect(try await driver.verify(plan, harness.context(harness.host)) == [])
        #expect(harness.progress == ["waiting for helm-install-rabbitmq Job", "release rabbitmq has no Deployment or StatefulSet in faf-apps to wait for"])

        let job = harness.server.object(apiVersion: "batch/v1", kind: "Job", namespace: "kube-system", name: "helm-install-rabbitmq")
        #expect(job?[path: ["status", "succeeded"]] == 1)
        let chart = try #require(harness.server.object(apiVersion: "helm.cattle.io/v1", kind: "HelmChart", namespace: "kube-system", name: "rabbitmq"))
        let stored = JSON.encode(chart)
        for secret in Self.passwords.values { #expect(!stored.contains(secret)) }

        // On the wire the Secret holds the values file helm reads, passwords and definitions included.
        let secret = harness.server.object(apiVersion: "v1", kind: "Secret", namespace: "kube-system", name: "rabbitmq-bootstrap-values")
        let encoded = try #require(secret?[path: ["data", "values-1.yaml"]]?.stringValue)
        let file = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
        #expect(file.hasPrefix("auth:\n  password: admin-pw-7f3a\n  erlangCookie: cookie-9d2e\nextraSecrets:\n  rabbitmq-load-definition:\n    load_definition.json: |-\n      {\n"))
        #expect(file.contains(#"{"user": "faf-postal", "vhost": "/faf-postal", "configure": ".*", "write": ".*", "read": ".*"}"#))
        #expect(file.contains(#""password": "python-pw-1b8c""#))
    }

    /// A StatefulSet as Helm writes a release's objects: annotated with the release
    /// (helm/helm pkg/action/validate.go, setMetadataVisitor).
    static func releaseStatefulSet(_ name: String, release: String, image: String) -> Value {
        ["apiVersion": "apps/v1", "kind": "StatefulSet",
         "metadata": ["name": .string(name), "namespace": "faf-apps",
                      "annotations": ["meta.helm.sh/release-name": .string(release), "meta.helm.sh/release-namespace": "faf-apps"]],
         "spec": ["replicas": 1, "serviceName": .string(name), "selector": ["matchLabels": ["app.kubernetes.io/instance": .string(name)]],
                  "template": ["metadata": ["labels": ["app.kubernetes.io/instance": .string(name)]],
                               "spec": ["containers": [["name": "rabbitmq", "image": .string(image)]]]]]]
    }

    /// klipper-helm runs helm without --wait: the Job is done once the objects exist, so the step
    /// waits for the release's own workloads, and fails as app.workload does when one crashes.
    @Test func waitsForTheReleasesWorkloadsAndNamesACrashingPod() async throws {
        let harness = try ClusterHarness(crdDirectory: Self.newerHelmController)
        try await harness.namespaces("faf-apps")
        harness.server.failImage("bitnamilegacy/rabbitmq:3.13.7", .crash)
        _ = try await harness.kube.apply(Self.releaseStatefulSet("rabbitmq", release: "rabbitmq", image: "bitnamilegacy/rabbitmq:3.13.7"), dryRun: false)
        // Another release's workload, crashing too, is not this step's business.
        _ = try await harness.kube.apply(Self.releaseStatefulSet("other", release: "other", image: "bitnamilegacy/rabbitmq:3.13.7"), dryRun: false)
        let driver = try Self.driver()
        let plan = try await plan(driver, harness)
        let error = await #expect(throws: StepError.self) { try await driver.apply(plan, harness.context(harness.host)) }
        let message = error?.message ?? ""
        #expect(message.hasPrefix("the rollout of StatefulSet faf-apps/rabbitmq of release rabbitmq (chart oci://registry-1.docker.io/bitnamicharts/rabbitmq 14.6.10) "
            + "failed: pod rabbitmq-0: container rabbitmq "), "\(message)")
        #expect(message.contains("exit code 1, Error); its last log lines:\n    starting rabbitmq\n"), "\(message)")
        #expect(!message.contains("other"))
        #expect(harness.progress.contains("waiting for the rollout of StatefulSet faf-apps/rabbitmq: its new pods to stay Ready without a restart for 10s"))
    }

    @Test func aHealthyReleaseIsDoneOnceItsWorkloadsSettled() async throws {
        let harness = try ClusterHarness(crdDirectory: Self.newerHelmController)
        try await harness.namespaces("faf-apps")
        _ = try await harness.kube.apply(Self.releaseStatefulSet("rabbitmq", release: "rabbitmq", image: "rabbitmq:3.13.7-management-alpine"), dryRun: false)
        let driver = try Self.driver()
        let plan = try await plan(driver, harness)
        try await driver.apply(plan, harness.context(harness.host))
        #expect(harness.time.now >= .seconds(10))
        #expect(try await driver.verify(plan, harness.context(harness.host)) == [])
        #expect(harness.progress.last == "waiting for the rollout of StatefulSet faf-apps/rabbitmq: its new pods to stay Ready without a restart for 10s")
    }

    @Test func failedJobFailsTheStepNamingTheJob() async throws {
        let harness = try ClusterHarness(crdDirectory: Self.newerHelmController)
        harness.server.failHelmChart(named: "rabbitmq")
        let driver = try Self.driver()
        let plan = try await plan(driver, harness)
        let error = await #expect(throws: StepError.self) { try await driver.apply(plan, harness.context(harness.host)) }
        #expect(error?.message == "Job kube-system/helm-install-rabbitmq failed (BackoffLimitExceeded: Job has reached the specified "
            + "backoff limit): helm could not install oci://registry-1.docker.io/bitnamicharts/rabbitmq 14.6.10 as release rabbitmq "
            + "in faf-apps; its log says why: kubectl -n kube-system logs job/helm-install-rabbitmq")
        #expect(try await driver.verify(plan, harness.context(harness.host)) == [
            "Job kube-system/helm-install-rabbitmq failed (BackoffLimitExceeded: Job has reached the specified backoff limit)",
        ])
    }

    /// The Job of the previous spec must not count: after a change only the new Job's outcome does.
    @Test func changesWaitForTheJobOfTheNewSpec() async throws {
        let harness = try ClusterHarness(crdDirectory: Self.newerHelmController)
        func run(_ driver: AnyDriver) async throws -> ChangeSet {
            let plan = try await plan(driver, harness)
            try await driver.apply(plan, harness.context(harness.host))
            return plan
        }
        _ = try await run(Self.driver())
        harness.server.failHelmChart(named: "rabbitmq")

        // Unchanged: the succeeded Job is this spec's, so nothing re-runs and the step succeeds.
        let same = try await run(Self.driver())
        #expect(same.objects[1][path: ["spec", "valuesSecrets"]]?.arrayValue?.first?["keys"] == ["values-1.yaml"])

        // A new chart version re-runs helm; that Job fails, and the old success must not hide it.
        let upgrade = await #expect(throws: StepError.self) { try await run(Self.driver(Self.playbook(version: "14.7.0"))) }
        #expect(upgrade?.message.hasPrefix("Job kube-system/helm-install-rabbitmq failed (BackoffLimitExceeded") == true)

        // A changed password alone bumps the values revision, so helm-controller re-runs too.
        harness.server.succeedHelmChart(named: "rabbitmq")
        _ = try await run(Self.driver())
        harness.server.failHelmChart(named: "rabbitmq")
        let rotated = try Self.driver(secrets: Self.secrets(["postal": "rotated-pw-5555"]))
        let rotatedPlan = try await plan(rotated, harness)
        #expect(rotatedPlan.objects[0][path: ["data"]]?.objectValue?.keys == ["values-2.yaml"])
        let rotation = await #expect(throws: StepError.self) { try await rotated.apply(rotatedPlan, harness.context(harness.host)) }
        #expect(rotation?.message.hasPrefix("Job kube-system/helm-install-rabbitmq failed (BackoffLimitExceeded") == true)
        #expect(!"\(rotatedPlan.objects)".contains("rotated-pw-5555"))
    }

    @Test func rejectsSecretsInValuesAndUnpinnedVersions() throws {
        let text = Self.playbook(version: "^14.6", values: "        auth2:\n          password: ${{ secrets.rabbitmq.admin }}\n")
            .replacingOccurrences(of: "chart: oci://registry-1.docker.io/bitnamicharts/rabbitmq", with: "chart: rabbitmq")
        #expect(diagnostics(text, secrets: Self.secrets()) == [
            "faf.yaml:9:14: error: step \"rabbitmq\": repo is required for chart \"rabbitmq\" (or give the chart as oci://...)",
            "faf.yaml:10:16: error: step \"rabbitmq\": version \"^14.6\" is not an exact chart version: pin one such as 14.6.10 (ranges and wildcards would let a later run install a different chart)",
            "faf.yaml:24:21: error: step \"rabbitmq\": values.auth2.password takes a secret, but values are stored and shown in plain text; move it to secretValues.auth2.password, which bootstrap keeps in a Secret",
        ])
        for secret in Self.passwords.values { #expect(!diagnostics(text, secrets: Self.secrets()).joined().contains(secret)) }
    }
}
