import Document
import Engine
import Kube

// Waiting for helm-controller's Job for THIS spec.
//
// helm-controller runs `helm-install-<name>` whenever the HelmChart's spec changes; until it has
// reacted, the Job of the previous spec (complete, or failed) is still there under the same name.
// So before applying, the step notes the live Job's identity (uid, creation time and the
// controller's configHash annotation) and the HelmChart's generation. If the apply changed the
// spec (new object, or generation moved), only a Job with a different identity counts; otherwise
// the existing Job already belongs to this spec and its outcome stands.
extension HelmChart {
    /// What tells one Job apart from its replacement under the same name.
    static func identity(_ job: Value) -> String {
        let meta = job["metadata"] ?? .null
        return [meta["uid"], meta["creationTimestamp"], meta[path: ["annotations", "helmcharts.helm.cattle.io/configHash"]]]
            .map { $0?.stringValue ?? "" }.joined(separator: "|")
    }

    enum JobOutcome: Equatable { case running, succeeded, failed(String) }

    static func outcome(_ job: Value) -> JobOutcome {
        for condition in job[path: ["status", "conditions"]]?.arrayValue ?? [] where condition["status"]?.stringValue == "True" {
            switch condition["type"]?.stringValue {
            case "Complete": return .succeeded
            case "Failed":
                let reason = condition["reason"]?.stringValue ?? "Failed"
                return .failed(condition["message"]?.stringValue.map { "\(reason): \($0)" } ?? reason)
            default: continue
            }
        }
        return .running
    }

    func failure(_ detail: String) -> StepError {
        StepError("Job \(Self.controllerNamespace)/\(jobName) failed (\(detail)): helm could not install \(chartSource) "
            + "\(parameters.version) as release \(parameters.name) in \(parameters.targetNamespace); its log says why: "
            + "kubectl -n \(Self.controllerNamespace) logs job/\(jobName)")
    }

    /// How long to wait for the install Job: never less than the chart's own `timeout` (helm may
    /// take that long for one attempt), plus time for helm-controller to start the Job's pod.
    package func waitTimeout(_ given: Duration) -> Duration {
        guard let timeout = parameters.timeout.flatMap(GoDuration.parse) else { return given }
        return max(given, timeout + .seconds(120))
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        let context = context.with(waitTimeout: waitTimeout(context.waitTimeout))
        let kube = try context.requireKube()
        let previousJob = try await kube.get(jobRef).map(Self.identity)
        let previousGeneration = try await kube.get(chartRef)?[path: ["metadata", "generation"]]?.intValue
        try await context.applyObjects(plan.objects)
        let generation = try await kube.get(chartRef)?[path: ["metadata", "generation"]]?.intValue
        let rerun = previousGeneration == nil || generation != previousGeneration
        let stale = rerun ? previousJob : nil
        try await context.wait(for: "\(jobName) Job") {
            guard let job = try await kube.get(jobRef), Self.identity(job) != stale else { return false }
            switch Self.outcome(job) {
            case .running: return false
            case .succeeded: return true
            case .failed(let detail): throw failure(detail)
            }
        }
        try await waitForRelease(kube, context)
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        var drift = try await context.drift(of: plan.objects)
        guard let job = try await context.requireKube().get(jobRef) else { return drift + ["Job \(Self.controllerNamespace)/\(jobName) is missing"] }
        switch Self.outcome(job) {
        case .succeeded: break
        case .running: drift.append("Job \(Self.controllerNamespace)/\(jobName) has not finished")
        case .failed(let detail): drift.append("Job \(Self.controllerNamespace)/\(jobName) failed (\(detail))")
        }
        return drift + (try await releaseDrift(context.requireKube()))
    }
}
