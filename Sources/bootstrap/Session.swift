import Platform
import ArgumentParser
import Document
import Emulator
import Engine
import FoundationEssentials
import Host
import Kube
import Logging
import Steps

/// The node and the cluster a command works on: real ones, or a rehearsal under a directory.
struct Session {
    let host: any HostSystem
    let connection: Connection
    /// Kept alive for the run in rehearsal mode.
    let emulator: EmulatorServer?
    /// A rehearsal directory's lock, held for the whole run: two runs on one directory would write
    /// its CRDs, host files and cluster state over each other.
    var lock: RunLock.Hold? = nil

    /// Ends the run: a rehearsal's cluster state is written out before the process exits.
    func close() {
        emulator?.stop()
        lock?.release()
    }

    /// ``open(_:playbook:targeting:onRetry:)`` for a command: a failure is reported (`--output json`
    /// included) and ends the command, with exit 75 when another run holds the lock past `lockWait`.
    static func opened(_ options: ClusterOptions, playbook: CheckedPlaybook, targeting: Targeting = Targeting(),
                       lockWait: LockWait = .none, early: EarlyConnection? = nil,
                       onRetry: @escaping @Sendable (RetryNotice) -> Void = { Console.err($0.description) }) async throws -> Session {
        do {
            return try await lockWait.retrying { try open(options, playbook: playbook, targeting: targeting, early: early, onRetry: onRetry) }
        } catch {
            throw ExitStatus.failing(error, playbook: playbook.name, json: options.output == .json)
        }
    }

    /// The API client's logger and options for a command's cluster options.
    static func client(_ options: ClusterOptions, onRetry: @escaping @Sendable (RetryNotice) -> Void) -> (Logger, ClientOptions) {
        ConsoleLogHandler.install()
        var logger = Logger(label: "bootstrap.kube")
        logger.logLevel = options.verbose ? .debug : .warning
        return (logger, ClientOptions(retryDeadline: .seconds(max(0, options.retryDeadline)), onRetry: onRetry))
    }

    /// `onRetry` shows each retried request (by default a line on stderr). `early`: the client
    /// connected while the playbook was checked (``EarlyConnection``), made with the same options.
    static func open(_ options: ClusterOptions, playbook: CheckedPlaybook, targeting: Targeting = Targeting(), early: EarlyConnection? = nil,
                     onRetry: @escaping @Sendable (RetryNotice) -> Void = { Console.err($0.description) }) throws -> Session {
        let (logger, clientOptions) = client(options, onRetry: onRetry)
        // A cluster-providing step taken as provided (--skip) means the cluster is there already.
        let providers = playbook.orderedSteps.filter { $0.type.providesCluster && !targeting.provided.contains($0.id) }
        let hasInstaller = !providers.isEmpty

        if let directory = options.rehearsal {
            let host = try RehearsalHost(directory: directory, simulations: StepCatalog.rehearsalSimulations)
            // The directory's lock before anything else is written there; released by close().
            let lock = try RunLock.acquire(on: host, identity: RunLease.localIdentity())
            var opened = false
            defer { if !opened { lock.release() } }
            try seedMigrationSources(playbook, under: host.root)
            // The cluster the playbook pins (a provider taken as provided, --skip, still pins it):
            // its node name, the CRDs it serves and what it runs on its own, simulated.
            let cluster = playbook.orderedSteps.lazy.compactMap(\.driver.cluster).first
            let nodeName = cluster?.nodeName ?? "rehearsal-node"
            let crds = try options.crds ?? RehearsalCRDs.write(cluster?.crds ?? StepCatalog.registry.defaultCRDs, into: directory)
            let addons = cluster.map { K3sAddons(ingressChart: $0.components.ingressChart, serviceLoadBalancer: $0.components.serviceLoadBalancer) }
            // One virtual time for the client's waits and the emulated kubelet: a rollout's settle
            // window costs no real time, and a crashing container's loop moves on as the waits go.
            let time = VirtualTime()
            // The simulated cluster serves TLS with its own CA, as k3s does; its name for people is in the certificate.
            let identity = try host.clusterIdentity(servingNames: (cluster?.access.certificateNames ?? []) + [nodeName])
            let server = try EmulatorServer(options: EmulatorOptions(
                listen: "127.0.0.1:0", stateFile: directory + "/cluster.json", crdDirectory: crds, nodeName: nodeName, k3sAddons: addons,
                clock: { time.now }, tls: identity.serving))
            try server.start()
            let config = try KubeConfig.parse(server.kubeconfigYAML(), path: directory + "/kubeconfig", context: nil)
            let connection = Connection(open: {
                // Before the simulated cluster is installed there is no API server to reach, as on a fresh node.
                guard providers.allSatisfy({ $0.type.clusterIsUp?(host) ?? true }) else { return nil }
                return KubeClient(config: config, options: clientOptions, logger: logger, clock: time.clock)
            })
            opened = true
            return Session(host: host, connection: connection, emulator: server, lock: lock)
        }

        let environment = Environment.variables
        let host = LocalHost(root: options.hostRoot, environment: environment)
        let explicit = options.kubeconfig
        let context = options.context
        let hostRoot = options.hostRoot
        let connection = Connection(open: {
            if let (client, config) = early?.take() {
                for warning in config.warnings { Console.err("warning: \(warning)") }
                return client
            }
            let path: String
            do {
                path = try KubeConfig.locate(explicitPath: explicit, environment: environment, hostRoot: hostRoot)
            } catch {
                // A fresh node has no kubeconfig until k3s.install writes one.
                if explicit == nil && hasInstaller { return nil }
                throw error
            }
            let config = try KubeConfig.load(explicitPath: path, environment: environment, context: context, hostRoot: hostRoot)
            for warning in config.warnings { Console.err("warning: \(warning)") }
            return KubeClient(config: config, options: clientOptions, logger: logger)
        })
        return Session(host: host, connection: connection, emulator: nil)
    }

    /// The compose data a rehearsal copies does not exist on the rehearsing machine: each missing
    /// source becomes an empty directory under the simulated host, and the run says so.
    static func seedMigrationSources(_ playbook: CheckedPlaybook, under root: String) throws {
        let sources = playbook.orderedSteps.flatMap(\.driver.migrationSources)
        let missing = sources.filter { !Files.exists(root + $0) }
        for source in missing { try Files.createDirectory(root + source) }
        if !missing.isEmpty {
            Console.err("rehearsal: \(missing.count) migration source\(missing.count == 1 ? "" : "s") did not exist under \(root); "
                + "seeded empty (copy real data there to rehearse with it)")
        }
    }
}
