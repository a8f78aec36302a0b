import Document
import Host
import Kube
import Platform

// RabbitMQ's vhosts and users, as the broker itself lists them. The API server's service proxy
// cannot carry them: kube-apiserver drops the Authorization header once it has authenticated a
// request (k8s.io/apiserver pkg/endpoints/filters/authentication.go, WithAuthentication), so the
// broker would never see the administrator's login. From the node, the release's Service answers
// at its cluster IP: kube-proxy hooks the nat OUTPUT chain into KUBE-SERVICES (pkg/proxy/iptables
// proxier.go), so the node's own connections reach Services as pods' do.
extension LiveChecks {
    /// Each vhost and user of each broker's load definition exists (`GET /api/vhosts`, `/api/users`
    /// of the management API, as the definition's administrator). The password goes to curl on its
    /// standard input (`-K -`), never on its command line, which every user of the node can read.
    func brokers(_ brokers: [RabbitMQBroker]) async throws -> [LiveCheck] {
        var checks: [LiveCheck] = []
        for broker in brokers {
            let name = "\(broker.namespace)/\(broker.name)"
            let items = broker.vhosts.map { ("RabbitMQ vhost", $0) } + broker.users.map { ("RabbitMQ user", $0) }
            if rehearsal {
                checks += items.map { LiveCheck($0.0, "\(name) \($0.1)", .simulated, "rehearsal: no broker runs") }
                continue
            }
            switch try await listed(broker) {
            case .failure(let reason):
                checks.append(LiveCheck("RabbitMQ broker", name, .failed, reason.text))
            case .success(let live):
                checks += items.map { kind, item in
                    let present = (kind == "RabbitMQ vhost" ? live.vhosts : live.users).contains(item)
                    return LiveCheck(kind, "\(name) \(item)", present ? .passed : .failed,
                                     present ? "exists" : "missing from GET /api/\(kind == "RabbitMQ vhost" ? "vhosts" : "users")")
                }
            }
        }
        return checks
    }

    struct BrokerProblem: Error { var text: String }

    /// The vhosts and users the broker lists, or why it could not be asked.
    func listed(_ broker: RabbitMQBroker) async throws -> Result<(vhosts: Set<String>, users: Set<String>), BrokerProblem> {
        guard let admin = broker.admin else {
            return .failure(BrokerProblem(text: "its load definition has no user tagged administrator to ask the management API as"))
        }
        let services = try await kube.list(apiVersion: "v1", kind: "Service", namespace: broker.namespace, labelSelector: nil)
        let port = RabbitMQBroker.managementPort
        guard let service = services.first(where: { service in
            broker.serviceAnnotations.allSatisfy { service[path: ["metadata", "annotations", $0.key]]?.stringValue == $0.value }
                && (service[path: ["spec", "ports"]]?.arrayValue ?? []).contains { $0["port"]?.intValue == port }
        }) else {
            return .failure(BrokerProblem(text: "no Service of \(broker.name) in \(broker.namespace) serves port \(port) (the management API)"))
        }
        guard let address = service[path: ["spec", "clusterIP"]]?.stringValue, !address.isEmpty, address != "None" else {
            return .failure(BrokerProblem(text: "Service \(service[path: ["metadata", "name"]]?.stringValue ?? "") has no cluster IP"))
        }
        let base = "http://\(address.contains(":") ? "[\(address)]" : address):\(port)/api/"
        var names: [Set<String>] = []
        for what in ["vhosts", "users"] {
            switch try await get(base + what, as: admin) {
            case .failure(let problem): return .failure(problem)
            case .success(let list): names.append(list)
            }
        }
        return .success((names[0], names[1]))
    }

    /// The `name` of each entry of a management API list.
    func get(_ url: String, as admin: (name: String, password: Sensitive)) async throws -> Result<Set<String>, BrokerProblem> {
        // curl's config syntax: a double-quoted value takes backslash escapes (curl(1), --config).
        let quoted = admin.password.map { password in
            "\(admin.name):\(password)".replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
        }
        let result = try await host.run(Command(["curl", "-s", "-K", "-", "-o", "-", "-w", "\n%{http_code}", "--max-time", "10", url],
                                                input: "user = \"\(quoted.revealed)\"\n", changesHost: false))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.last ?? "") ?? 0
        guard result.status == 0, status != 0 else {
            return .failure(BrokerProblem(text: "the management API at \(url) did not answer (curl exit \(result.status))"))
        }
        if status == 401 {
            return .failure(BrokerProblem(text: "the management API refused the login of \(admin.name), the definition's administrator (HTTP 401)"))
        }
        guard status == 200, let list = (try? JSON.decode(lines.dropLast().joined(separator: "\n")))?.arrayValue else {
            return .failure(BrokerProblem(text: "GET \(url) answered HTTP \(status)\(status == 200 ? " with no JSON list" : "")"))
        }
        return .success(Set(list.compactMap { $0["name"]?.stringValue }))
    }
}
