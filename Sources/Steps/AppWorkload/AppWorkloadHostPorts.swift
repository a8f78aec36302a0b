import Document
import Engine

// Host ports: a node port has one owner. Every app.workload port with `hostPort` and every port
// Traefik binds on the node (traefik.acme: web, websecure, entry points) is checked against all
// the others of the playbook, so a clash is found by validate, not by a pod left Pending.
extension AppWorkload {
    /// This workload's host ports with what else in the playbook binds the same node port.
    static func checkHostPorts(_ p: Parameters, _ context: ValidationContext) -> [Diagnostic] {
        var problems: [Diagnostic] = []
        var others: [String: String] = [:]
        for (id, traefik) in context.steps(of: TraefikACME.self) {
            for port in TraefikACME.hostPorts(traefik) { others[port.key] = "\(port.what) (step \"\(id)\")" }
        }
        for (id, other) in context.steps(of: AppWorkload.self) where id != context.stepID {
            for port in other.ports ?? [] {
                if let host = port.hostPort { others["\(port.protocolName)/\(host)"] = "port \(port.name) of step \"\(id)\"" }
            }
        }
        var own: [String: String] = [:]
        for (index, port) in (p.ports ?? []).enumerated() {
            guard let host = port.hostPort else { continue }
            let at = ["ports", String(index), "hostPort"]
            if !(1...65535).contains(host) {
                problems.append(.error("step \"\(context.stepID)\": hostPort \(host) must be between 1 and 65535", at: context.mark(at)))
                continue
            }
            let key = "\(port.protocolName)/\(host)"
            if let holder = others[key] ?? own[key] {
                problems.append(.error("step \"\(context.stepID)\": hostPort \(host)/\(port.protocolName) is bound by \(holder) too: "
                    + "a node port has one owner", at: context.mark(at)))
            }
            own[key] = "its port \(port.name)"
            if p.kindChoice != .Job, p.replicaCount > 1 {
                problems.append(.error("step \"\(context.stepID)\": hostPort \(host) with \(p.replicaCount) replicas: on one node only one "
                    + "pod can bind it, the others stay Pending", at: context.mark(at)))
            }
        }
        return problems
    }
}
