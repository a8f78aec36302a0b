import Document
import Platform
import Host
import Kube

/// One check of the running system, from the node (`bootstrap verify`).
public struct LiveCheck: Sendable {
    public enum Outcome: String, Sendable { case passed, failed, simulated }
    public var kind: String
    public var target: String
    public var outcome: Outcome
    public var detail: String
    public init(_ kind: String, _ target: String, _ outcome: Outcome, _ detail: String) {
        self.kind = kind
        self.target = target
        self.outcome = outcome
        self.detail = detail
    }
    public var json: Value { ["check": .string(kind), "target": .string(target), "outcome": .string(outcome.rawValue), "detail": .string(detail)] }
}

/// What `bootstrap verify` checks: what the objects say (every workload ready, every claim Bound
/// and mounted by a Running pod) and what a client sees from the node (every host name a live
/// route bootstrap made answers for (``RoutesHostNames``) answers on the node's 443 with a status
/// other than 404, 502 or 503; every port the
/// playbook binds accepts a connection; every vhost and user of a RabbitMQ load definition exists).
/// Requests go through host commands on PATH (curl, bash's /dev/tcp), so tests fake them; in a
/// rehearsal nothing listens, and the network checks say they are simulated.
public struct LiveChecks: Sendable {
    public var kube: KubeClient
    public var host: any HostSystem
    public var rehearsal: Bool
    public init(kube: KubeClient, host: any HostSystem, rehearsal: Bool) {
        self.kube = kube
        self.host = host
        self.rehearsal = rehearsal
    }

    static let managed = "app.kubernetes.io/managed-by=bootstrap"

    /// `registry`: the step types whose routes are asked for their host names.
    public func run(ports: [HostPort], brokers: [RabbitMQBroker] = [], registry: StepRegistry) async throws -> [LiveCheck] {
        var checks = try await workloads() + (try await claims())
        checks += try await routes(try await registry.routedHosts(kube, labelSelector: Self.managed))
        for port in ports where port.proto == .tcp { checks.append(try await connect(port)) }
        checks += try await self.brokers(brokers)
        return checks
    }

    func workloads() async throws -> [LiveCheck] {
        var checks: [LiveCheck] = []
        for kind in ["Deployment", "StatefulSet"] {
            for object in try await kube.list(apiVersion: "apps/v1", kind: kind, namespace: nil, labelSelector: Self.managed) {
                let name = "\(object[path: ["metadata", "namespace"]]?.stringValue ?? "")/\(object[path: ["metadata", "name"]]?.stringValue ?? "")"
                let wanted = object[path: ["spec", "replicas"]]?.intValue ?? 1
                let ready = object[path: ["status", "readyReplicas"]]?.intValue ?? 0
                checks.append(LiveCheck("workload ready", "\(kind) \(name)", ready >= wanted ? .passed : .failed, "\(ready)/\(wanted) ready"))
            }
        }
        return checks
    }

    /// Each claim the playbook made is Bound, and mounted: a Running pod in its namespace lists it
    /// in `spec.volumes` (the pods of a Helm release the playbook installs count, which carry no
    /// label of bootstrap's). A rehearsal simulates only the pods of workloads written through the
    /// API, not those Helm releases would run, so there a claim no pod mounts is `simulated`.
    func claims() async throws -> [LiveCheck] {
        let mounts = try await PodMounts.read(kube)
        var checks: [LiveCheck] = []
        for claim in try await kube.list(apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: nil, labelSelector: Self.managed) {
            let namespace = claim[path: ["metadata", "namespace"]]?.stringValue ?? "", name = claim[path: ["metadata", "name"]]?.stringValue ?? ""
            let phase = claim[path: ["status", "phase"]]?.stringValue ?? "Pending"
            checks.append(LiveCheck("claim Bound", "\(namespace)/\(name)", phase == "Bound" ? .passed : .failed, phase))
            let pods = mounts.running(mounting: name, in: namespace).map(\.name)
            checks.append(pods.isEmpty
                ? LiveCheck("claim mounted", "\(namespace)/\(name)", rehearsal ? .simulated : .failed,
                            rehearsal ? "rehearsal: no simulated pod mounts it (a Helm release's pods are not simulated)" : "no Running pod mounts it")
                : LiveCheck("claim mounted", "\(namespace)/\(name)", .passed, "by \(pods.prefix(3).joined(separator: ", "))\(pods.count > 3 ? " and \(pods.count - 3) more" : "") (Running)"))
        }
        return checks
    }

    /// Every host name of the live routes bootstrap made, asked for `/` over HTTPS on the node's
    /// 443 with that name (SNI and Host header; the certificate is not judged here).
    func routes(_ hosts: [String]) async throws -> [LiveCheck] {
        var checks: [LiveCheck] = []
        for name in hosts {
            if rehearsal { checks.append(LiveCheck("route answers", name, .simulated, "rehearsal: nothing listens on the node's 443")); continue }
            let result = try await host.run(Command(["curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10",
                                                     "--resolve", "\(name):443:127.0.0.1", "https://\(name)/"], changesHost: false))
            let status = Int(result.stdout.trimming(.whitespaceAndNewlines)) ?? 0
            let ok = result.status == 0 && status != 0 && ![404, 502, 503].contains(status)
            checks.append(LiveCheck("route answers", name, ok ? .passed : .failed, status == 0 ? "no answer (curl exit \(result.status))" : "HTTP \(status)"))
        }
        return checks
    }

    func connect(_ port: HostPort) async throws -> LiveCheck {
        let target = "127.0.0.1:\(port.port) (\(port.purpose))"
        if rehearsal { return LiveCheck("port accepts", target, .simulated, "rehearsal: nothing listens on the node") }
        let result = try await host.run(Command(["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/\(port.port)"], changesHost: false))
        return LiveCheck("port accepts", target, result.status == 0 ? .passed : .failed, result.status == 0 ? "connected" : "refused")
    }
}
