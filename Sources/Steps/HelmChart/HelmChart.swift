import Document
import Engine
import Kube

/// `helm.chart`: a Helm release installed by k3s' helm-controller from a HelmChart object, with
/// secret values kept in a Secret the chart reads, never in the HelmChart itself.
public struct HelmChart: StepDriver, ReadsFiles {
    public struct Parameters: Decodable, Sendable {
        /// The HelmChart's name and Helm release name.
        public var name: String
        /// A chart name in `repo`, an `oci://` reference, or an https URL of a chart archive.
        public var chart: String?
        /// Or a chart kept beside the playbook (a directory with Chart.yaml), sent as `spec.chartContent`.
        public var chartDirectory: LocalChart?
        public var repo: String?
        /// An exact chart version; ranges would let a re-run install something else.
        public var version: String
        public var targetNamespace: String
        public var createNamespace: Bool?
        /// Chart values in plain sight (they are shown by `plan` and stored in the HelmChart).
        public var values: Value?
        /// Chart values that may hold `${{ secrets.* }}`: written to a Secret the HelmChart references
        /// through `spec.valuesSecrets` (helm-controller v0.16.7+, k3s v1.31.8+k3s1 and later).
        public var secretValues: Value?
        /// Secrets written in `targetNamespace` before the chart installs, for charts that read
        /// credentials from an existing Secret (`auth.existingPasswordSecret` and the like): works
        /// with every helm-controller.
        public var secrets: [ReleaseSecret]?
        /// Helm's `--timeout`, a Go duration such as `10m`.
        public var timeout: String?
        /// What helm-controller does when an install fails. Default `abort`: leave it for a person,
        /// because helm-controller's own default (`reinstall`) uninstalls the release first.
        public var failurePolicy: FailurePolicy?
        /// How often the install Job retries before it counts as failed (default 3), so a broken
        /// chart fails the step with its reason instead of retrying until the step times out.
        public var backOffLimit: Int?
        /// How long the release's Deployments and StatefulSets must stay Ready with no container
        /// restart once rolled out, a Go duration (default: each one's probes, at least 10s; 0s: none).
        public var settle: String?

        public var failurePolicyChoice: FailurePolicy { failurePolicy ?? .abort }
        /// The name the chart gives its Services, as Bitnami's `common.names.fullname` makes it
        /// (bitnami/charts `bitnami/common/templates/_names.tpl`): `fullnameOverride`, else the
        /// release name when it contains the chart's name, else `RELEASE-CHART`.
        var serviceName: String {
            if let override = values?["fullnameOverride"]?.stringValue, !override.isEmpty { return override }
            // A chart kept beside the playbook: its Services start with the release name either way.
            guard let chart else { return name }
            let chartName = chart.split(separator: "/").last.map(String.init) ?? chart
            return name.contains(chartName) ? name : "\(name)-\(chartName)"
        }
        public var backOffLimitValue: Int { backOffLimit ?? 3 }

        package init(name: String, chart: String?, repo: String? = nil, version: String, targetNamespace: String,
                    createNamespace: Bool? = nil, values: Value? = nil, secretValues: Value? = nil, timeout: String? = nil,
                    failurePolicy: FailurePolicy? = nil, backOffLimit: Int? = nil, secrets: [ReleaseSecret]? = nil,
                    settle: String? = nil) {
            self.settle = settle
            self.secrets = secrets
            self.failurePolicy = failurePolicy
            self.backOffLimit = backOffLimit
            self.name = name
            self.chart = chart
            self.repo = repo
            self.version = version
            self.targetNamespace = targetNamespace
            self.createNamespace = createNamespace
            self.values = values
            self.secretValues = secretValues
            self.timeout = timeout
        }
    }

    /// A Secret the chart reads by name; every value comes from the secrets file.
    public struct ReleaseSecret: Decodable, Sendable {
        public var name: String
        public var data: [String: TraefikSecret]
    }

    public static let type = "helm.chart"
    public static let version = 2
    public static let target = StepTarget.cluster
    public static let summary = "A Helm chart installed by k3s' helm-controller, secret values kept in a Secret; waits for the install Job and the release's workloads"

    /// Where k3s' helm-controller watches HelmCharts and runs its Jobs.
    public static let controllerNamespace = "kube-system"

    public let id: String
    public let parameters: Parameters
    public init(id: String, parameters: Parameters) {
        self.id = id
        self.parameters = parameters
    }

    var jobName: String { "helm-install-\(parameters.name)" }
    /// What the chart is, for messages: its reference, or the directory it comes from.
    var chartSource: String { parameters.chart ?? parameters.chartDirectory.map { "the chart in \($0.path)" } ?? "" }

    /// The chart directory's files: a changed file re-runs the step.
    public var digestInputs: Value? {
        guard let local = parameters.chartDirectory else { return nil }
        return .object(Object(local.files.map { ($0.path, .string(String(decoding: $0.content, as: UTF8.self))) }))
    }
    var secretName: String { "\(parameters.name)-bootstrap-values" }

    public static func validate(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let limit = p.backOffLimit, !(0...100).contains(limit) {
            diagnostics.append(context.error("backOffLimit \(limit) must be between 0 and 100", at: "backOffLimit"))
        }
        // helm-controller names its Jobs helm-install-<name> and helm-delete-<name>: 63 characters at most.
        if !KubeNames.isDNSLabel(p.name) || p.name.count > 50 {
            diagnostics.append(context.error("name \"\(p.name)\" must be lowercase letters, digits and '-', at most 50 (helm-controller prefixes it for its Jobs)", at: "name"))
        }
        if !KubeNames.isDNSLabel(p.targetNamespace) {
            diagnostics.append(context.error("targetNamespace \"\(p.targetNamespace)\" is not a valid namespace name", at: "targetNamespace"))
        }
        diagnostics += p.chartDirectory == nil ? checkSource(p, context) : checkLocalChart(p, context)
        for (path, problem) in ImageSources.temporaryImages(in: p.values ?? .null) {
            diagnostics.append(.error("step \"\(context.stepID)\": values.\(path.joined(separator: ".")): \(problem)", at: context.mark(["values"] + path)))
        }
        if let problem = versionProblem(p.version) { diagnostics.append(context.error(problem, at: "version")) }
        if let timeout = p.timeout, GoDuration.parse(timeout) == nil {
            diagnostics.append(context.error("timeout \"\(timeout)\" is not a duration such as 10m or 1h30m", at: "timeout"))
        }
        if let settle = p.settle, GoDuration.parse(settle) == nil {
            diagnostics.append(context.error("settle \"\(settle)\" is not a duration such as 10s or 1m", at: "settle"))
        }
        if let values = p.values {
            if values.objectValue == nil { diagnostics.append(context.error("values must be a mapping", at: "values")) }
            if let path = sensitivePath(values) {
                let dotted = (["values"] + path).joined(separator: ".")
                diagnostics.append(.error("step \"\(context.stepID)\": \(dotted) takes a secret, but values are stored and shown in plain text; "
                    + "move it to secretValues.\(path.joined(separator: ".")), which bootstrap keeps in a Secret", at: context.mark(["values"] + path)))
            }
        }
        if let secretValues = p.secretValues, secretValues.objectValue == nil {
            diagnostics.append(context.error("secretValues must be a mapping of chart values", at: "secretValues"))
        }
        diagnostics += checkSecrets(p, context)
        diagnostics += checkPinnedK3s(p, context)
        diagnostics += checkMigratedClaim(p, context)
        return diagnostics
    }

    /// A chart decides where in its volume it reads data and under which name (RabbitMQ's node
    /// name, a database's layout); a copy of compose data into the claim it mounts is read only if
    /// the layouts agree, which bootstrap cannot know.
    static func checkMigratedClaim(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard let claim = p.values?[path: ["persistence", "existingClaim"]]?.stringValue else { return [] }
        for step in context.steps(of: LocalVolumes.self) {
            for volume in step.parameters.volumes where volume.namespace == p.targetNamespace && volume.claimName == claim {
                guard let source = volume.migrateFrom else { continue }
                return [context.warning("values.persistence.existingClaim \(claim) is filled from \(source) by step \"\(step.id)\", but the chart "
                    + "decides where in it its data lives and under which name: check that it reads that layout, or drain the service "
                    + "and do not copy (README: \"RabbitMQ: drain, do not copy\")", at: "values", "persistence", "existingClaim")]
            }
        }
        return []
    }

    static func checkSecrets(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var seen: Set<String> = []
        for (index, secret) in (p.secrets ?? []).enumerated() {
            if !KubeNames.isDNSSubdomain(secret.name) {
                diagnostics.append(context.error("secrets: \"\(secret.name)\" is not a valid Secret name", at: "secrets", String(index), "name"))
            }
            if !seen.insert(secret.name).inserted {
                diagnostics.append(context.error("secrets: two Secrets are named \"\(secret.name)\"", at: "secrets", String(index), "name"))
            }
            if secret.data.isEmpty { diagnostics.append(context.error("secrets: \(secret.name) has no data", at: "secrets", String(index), "data")) }
            for key in secret.data.keys.sorted()
            where key.isEmpty || !key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-._".contains($0)) }) {
                diagnostics.append(context.error("secrets: key \"\(key)\" of \(secret.name) must be letters, digits, '-', '_' or '.'",
                                                 at: "secrets", String(index), "data", key))
            }
        }
        return diagnostics
    }

    /// What the playbook's pinned k3s (its helm-controller) does not serve.
    static func checkPinnedK3s(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard let k3s = K3sInstall.pinnedVersion(context) else { return [] }
        let bundled = K3sReleases.release(k3s).map { " bundles helm-controller \($0.helmController), which" } ?? ""
        var diagnostics: [Diagnostic] = []
        if p.secretValues != nil {
            let feature = HelmControllerFeature.valuesSecrets
            switch feature.supported(by: k3s) {
            case .yes: break
            case .no:
                diagnostics.append(context.error(
                    "secretValues needs HelmChart \(feature.name), which helm-controller \(feature.helmController) adds "
                    + "(\(feature.addedIn)); k3s \(k3s)\(bundled.isEmpty ? " lacks it" : bundled + " lacks it") and its API server "
                    + "drops the field silently, so the chart would install without these values. Write them with secrets: "
                    + "(Secrets in \(p.targetNamespace)) and name those in the chart's own values, e.g. Bitnami's "
                    + "auth.existingPasswordSecret, auth.existingErlangSecret, loadDefinition.existingSecret", at: "secretValues"))
            case .unknown:
                diagnostics.append(context.warning(
                    "secretValues needs HelmChart \(feature.name) (helm-controller \(feature.helmController), \(feature.addedIn)); "
                    + "bootstrap does not know whether k3s \(k3s) serves it", at: "secretValues"))
            }
        }
        if p.failurePolicy == .retry {
            let feature = HelmControllerFeature.failurePolicyRetry
            switch feature.supported(by: k3s) {
            case .yes: break
            case .no:
                diagnostics.append(context.error(
                    "failurePolicy retry needs helm-controller \(feature.helmController) (\(feature.addedIn)); k3s \(k3s)\(bundled) "
                    + "knows only abort and reinstall", at: "failurePolicy"))
            case .unknown:
                diagnostics.append(context.warning(
                    "failurePolicy retry needs helm-controller \(feature.helmController); bootstrap does not know whether k3s \(k3s) bundles it",
                    at: "failurePolicy"))
            }
        }
        return diagnostics
    }

    static func checkSource(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        guard let chart = p.chart, !chart.isEmpty else {
            return [context.error("chart must not be empty: name a chart (or give chartDirectory, a chart beside the playbook)", at: "chart")]
        }
        let standalone = chart.hasPrefix("oci://") || chart.hasPrefix("https://")
        if standalone, p.repo != nil {
            return [context.error("repo must not be set when chart is a full reference (\(chart))", at: "repo")]
        }
        if !standalone, p.repo == nil {
            return [context.error("repo is required for chart \"\(chart)\" (or give the chart as oci://...)", at: "chart")]
        }
        if let repo = p.repo, !(repo.hasPrefix("https://") || repo.hasPrefix("http://")) {
            return [context.error("repo \"\(repo)\" must be an http(s) URL", at: "repo")]
        }
        // Bitnami's HTTP index lists only recent versions (about six months); a pinned version
        // disappears from it, while its OCI registry keeps every published version.
        if let repo = p.repo, repo.hasPrefix("https://charts.bitnami.com/") {
            return [context.warning("repo \(repo) drops chart versions after about six months, so version \(p.version) may no longer "
                + "install: use chart: oci://registry-1.docker.io/bitnamicharts/\(chart) (and no repo)", at: "repo")]
        }
        return []
    }

    /// Why `version` is not one exact chart version, or nil.
    static func versionProblem(_ version: String) -> String? {
        if version.isEmpty { return "version must not be empty: pin the exact chart version" }
        if Scan.isSemver(version) { return nil }
        return "version \"\(version)\" is not an exact chart version: pin one such as 14.6.10 (ranges and wildcards "
            + "would let a later run install a different chart)"
    }

    /// The path of the first secret inside a value, or nil.
    static func sensitivePath(_ value: Value) -> [String]? {
        switch value {
        case .sensitive: return []
        case .object(let object):
            for (key, child) in object { if let path = sensitivePath(child) { return [key] + path } }
        case .array(let items):
            for (index, item) in items.enumerated() { if let path = sensitivePath(item) { return [String(index)] + path } }
        default: break
        }
        return nil
    }
}

extension HelmChart {
    /// helm-controller's `spec.failurePolicy`.
    public enum FailurePolicy: String, ParameterEnum {
        case abort, reinstall, retry
    }
}
