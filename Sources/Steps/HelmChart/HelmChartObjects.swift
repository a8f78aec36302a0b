import Document
import Engine
import FoundationEssentials
import Kube

// The HelmChart and the Secret holding its secret values.
//
// The Secret's key carries a revision (`values-<n>.yaml`) that is bumped whenever the secret values
// change. That makes every change of the release's input a change of the HelmChart's spec, so
// helm-controller always runs a new Job for it (and the step knows it must wait for that Job),
// without putting anything derived from a secret, not even a hash, into the HelmChart.
extension HelmChart {
    var chartRef: ObjectRef {
        ObjectRef(apiVersion: "helm.cattle.io/v1", kind: "HelmChart", namespace: Self.controllerNamespace, name: parameters.name)
    }
    var secretRef: ObjectRef { ObjectRef(apiVersion: "v1", kind: "Secret", namespace: Self.controllerNamespace, name: secretName) }
    var jobRef: ObjectRef { ObjectRef(apiVersion: "batch/v1", kind: "Job", namespace: Self.controllerNamespace, name: jobName) }

    static func valuesKey(_ revision: Int) -> String { "values-\(revision).yaml" }

    /// The secret values as the YAML file helm reads, base64-encoded as Secret data; still sensitive.
    var encodedSecretValues: Sensitive? {
        guard let values = parameters.secretValues else { return nil }
        return YAML.emitSecret(values).map { Data($0.utf8).base64EncodedString() }
    }

    func chartObject(revision: Int) -> Value {
        var spec = Value.object(Object())
        if let chart = parameters.chart { spec["chart"] = .string(chart) }
        // helm-controller v0.16.5 (k3s v1.31.4) writes it to ConfigMap chart-content-<name>, which the
        // install Job mounts at /chart; klipper-helm's entry decodes /chart/<name>.tgz.base64 and
        // installs that file (k3s-io/helm-controller v0.16.5 pkg/apis/helm.cattle.io/v1/types.go line 33,
        // pkg/controllers/chart/chart.go lines 811-828, 869-872; k3s-io/klipper-helm
        // v0.9.3-build20241008 entry, helm_content_decode).
        if let local = parameters.chartDirectory { spec["chartContent"] = .string(local.base64Archive) }
        if let repo = parameters.repo { spec["repo"] = .string(repo) }
        spec["version"] = .string(parameters.version)
        spec["targetNamespace"] = .string(parameters.targetNamespace)
        if let create = parameters.createNamespace { spec["createNamespace"] = .bool(create) }
        if let timeout = parameters.timeout { spec["timeout"] = .string(timeout) }
        spec["failurePolicy"] = .string(parameters.failurePolicyChoice.rawValue)
        spec["backOffLimit"] = .int(parameters.backOffLimitValue)
        if let values = parameters.values, values.objectValue?.isEmpty == false { spec["valuesContent"] = .string(YAML.emit(values)) }
        if parameters.secretValues != nil {
            spec["valuesSecrets"] = [["name": .string(secretName), "keys": [.string(Self.valuesKey(revision))]]]
        }
        return [
            "apiVersion": "helm.cattle.io/v1", "kind": "HelmChart",
            "metadata": ["name": .string(parameters.name), "namespace": .string(Self.controllerNamespace)],
            "spec": spec,
        ]
    }

    func secretObject(revision: Int, encoded: Sensitive) -> Value {
        [
            "apiVersion": "v1", "kind": "Secret",
            "metadata": ["name": .string(secretName), "namespace": .string(Self.controllerNamespace)],
            "type": "Opaque",
            "data": .object(Object([(Self.valuesKey(revision), .sensitive(encoded))])),
        ]
    }

    /// The revision the secret values are at: the live one when they are unchanged, else the next.
    func revision(_ kube: KubeClient?, encoded: Sensitive) async throws -> Int {
        guard let kube, let chart = try await kube.get(chartRef),
              let key = chart[path: ["spec", "valuesSecrets"]]?.arrayValue?.first?["keys"]?.arrayValue?.first?.stringValue,
              key.hasPrefix("values-"), key.hasSuffix(".yaml"),
              let live = Int(key.dropFirst(7).dropLast(5)) else { return 1 }
        let data = try await kube.get(secretRef)?["data"]?[key]?.stringValue
        return data.map(encoded.matches) == true ? live : live + 1
    }

    /// The Secrets the chart reads by name, in the release's namespace.
    var releaseSecrets: [Value] {
        (parameters.secrets ?? []).map { secret in
            Traefik.secret(name: secret.name, namespace: parameters.targetNamespace,
                           data: secret.data.keys.sorted().map { ($0, secret.data[$0]!.value) })
        }
    }

    public func check(_ context: StepContext) async throws -> ChangeSet {
        // Secrets first: the chart's pods need them when they start.
        var plan = ChangeSet(objects: releaseSecrets)
        plan.warnings += try await changedSecretWarnings(context)
        guard let encoded = encodedSecretValues else {
            plan.objects.append(chartObject(revision: 1))
            return plan
        }
        let revision = try await revision(context.kube, encoded: encoded)
        // The values Secret first: helm-controller needs it when it sees the HelmChart.
        plan.objects += [secretObject(revision: revision, encoded: encoded), chartObject(revision: revision)]
        return plan
    }

    /// A Secret the chart reads by name changes without a new release: its pods read it when they start.
    func changedSecretWarnings(_ context: StepContext) async throws -> [String] {
        guard let kube = context.kube else { return [] }
        var warnings: [String] = []
        for secret in parameters.secrets ?? [] {
            let ref = ObjectRef(apiVersion: "v1", kind: "Secret", namespace: parameters.targetNamespace, name: secret.name)
            guard let live = try await kube.get(ref)?["data"] else { continue }
            let changed = secret.data.contains { key, value in
                live[key]?.stringValue.map { value.value.map { Data($0.utf8).base64EncodedString() }.matches($0) } != true
            }
            if changed {
                warnings.append("Secret \(parameters.targetNamespace)/\(secret.name) changes, but the release is not reinstalled: its pods read "
                    + "it when they start (restart them), and a chart that stores credentials in its data (RabbitMQ's password) keeps the old ones")
            }
        }
        return warnings
    }
}
