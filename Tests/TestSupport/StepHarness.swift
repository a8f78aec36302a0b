import Engine
import Host
import Kube

/// The one way tests build a driver's context, as the walker would hand it over: playbook `faf`,
/// the API reachable only when `kube` is given, progress lines sent to `progress`.
public func stepContext(_ id: String = "test", mode: StepContext.Mode = .apply,
                        host: any HostSystem = PlanHost(wrapping: LocalHost(root: "/nonexistent", environment: [:])),
                        kube: KubeClient? = nil, timeout: Duration = .seconds(5),
                        progress: @escaping @Sendable (String) -> Void = { _ in }) -> StepContext {
    StepContext(stepID: id, mode: mode, host: host, kube: kube, connect: { kube }, progress: progress,
                waitTimeout: timeout, playbookName: "faf")
}
