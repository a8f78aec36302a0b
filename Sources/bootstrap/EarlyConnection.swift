import Engine
import FoundationEssentials
import Kube
import Logging
import Platform
import Synchronization

/// The API client of a run against a real cluster, made while the playbook is read and checked:
/// once the playbook's name is known, its ledger is read on it, so the TLS handshake and the
/// ledger's reads cost a no-op re-run nothing of its wall time (docs/performance.md). The run uses
/// this client, so it makes no request more than it would have; without a kubeconfig yet (a fresh
/// node), with an exec plugin (a login should follow a valid playbook, not precede it) or in a
/// rehearsal there is none.
final class EarlyConnection: Sendable {
    private let opened: Mutex<(client: KubeClient, config: KubeConfig)?>

    /// The client to connect ahead with; nil when the run cannot or should not connect ahead.
    static func start(_ options: ClusterOptions, clientOptions: ClientOptions, logger: Logger) -> EarlyConnection? {
        guard options.rehearsal == nil else { return nil }
        let environment = Environment.variables
        guard let path = try? KubeConfig.locate(explicitPath: options.kubeconfig, environment: environment, hostRoot: options.hostRoot),
              let config = try? KubeConfig.load(explicitPath: path, environment: environment, context: options.context, hostRoot: options.hostRoot),
              config.exec == nil else { return nil }
        return EarlyConnection(KubeClient(config: config, options: clientOptions, logger: logger), config)
    }

    private init(_ client: KubeClient, _ config: KubeConfig) {
        opened = Mutex((client, config))
    }

    /// Once the playbook's name is known (before it is checked): its ledger is read now, the
    /// connection's first request (no discovery first: ``RESTMapper/known``), so the walk finds it
    /// read (``Ledger/prefetch(_:playbook:key:)``).
    func prefetchLedger(playbook: String, key: Bool) {
        guard let client = opened.withLock({ $0?.client }) else { return }
        Ledger.prefetch(client, playbook: playbook, key: key)
    }

    /// The client, with the kubeconfig it was made from (whose warnings the caller prints); nil
    /// after the first call.
    func take() -> (client: KubeClient, config: KubeConfig)? {
        opened.withLock { taken in
            defer { taken = nil }
            return taken
        }
    }

    /// Drops the client when the process ends without a run (the playbook did not check). Its
    /// ledger read is not awaited: a server that does not answer (overloaded, or packets dropped)
    /// would hold the playbook's errors back until the request timed out. The process then ends
    /// without exit handlers (`Entry`, ``Platform/Processes/end(_:)``), so nothing of libcurl's or
    /// OpenSSL's runs at exit while the read is under way.
    func abandon() {
        _ = take()
    }
}
