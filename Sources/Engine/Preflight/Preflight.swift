import Document
import Playbook
import Host

// The pre-flight: every check of the node before the first change, from the drivers of the steps
// about to run, the ports the playbook binds on a fresh node, and the placeholders a real run must
// not carry. Plan shows it; apply refuses to start while one fails.
extension Walker {
    func preflight(_ start: WalkStart) async throws -> [PreflightCheck] {
        let playbook = start.playbook
        let running = playbook.orderedSteps.filter { start.decisions[$0.id]?.action == .run }
        guard !running.isEmpty else { return [] }
        var checks: [PreflightCheck] = []
        for step in running {
            let context = context(step, playbook, mode: .plan, kube: start.kube, digester: Digester(key: start.key))
            checks += try await step.driver.preflight(context)
        }
        checks += try portChecks(start, running)
        for step in running {
            for (path, what) in Placeholders.find(in: step.parameters.value) {
                checks.append(PreflightCheck(step: step.id, check: "no placeholder", outcome: .placeholder, detail: "with.\(path): \(what)"))
            }
        }
        return checks
    }

    /// On a fresh node (the step that provides the cluster has never run), every port the
    /// playbook binds on the node must be free: the compose stack's Traefik on 80/443 is the usual
    /// reason it is not. Read from the node's /proc/net (``HostSystem/listeningPorts()``).
    func portChecks(_ start: WalkStart, _ running: [CheckedPlaybook.Step]) throws -> [PreflightCheck] {
        guard running.contains(where: { $0.type.providesCluster && start.records[$0.id] == nil }) else { return [] }
        let wanted = start.playbook.orderedSteps.flatMap { step in step.driver.hostPorts.map { (step.id, $0) } }
        guard !wanted.isEmpty else { return [] }
        let listening = try host.listeningPorts()
        var checks: [PreflightCheck] = []
        var free: [String] = []
        for (step, port) in wanted {
            if listening.contains("\(port.port)/\(port.proto.rawValue)") {
                checks.append(.failed(step, "port free", "\(port) is in use on the node: stop what listens there "
                    + "(the compose stack: `docker compose down`; `ss -ltnup 'sport = :\(port.port)'` names it)"))
            } else {
                free.append("\(port.port)/\(port.proto.rawValue)")
            }
        }
        if !free.isEmpty { checks.append(.passed(nil, "ports free", free.joined(separator: ", "))) }
        return checks
    }
}
