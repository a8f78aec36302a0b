import Platform
import Kube
import Document
import Engine
import FoundationEssentials
import Host

extension K3sInstall {
    public func check(_ context: StepContext) async throws -> ChangeSet {
        let state = try await readState(context.host)
        let planned = changes(state)
        // The Node's labels are applied through the API once k3s is Ready (applyNodeLabels).
        var plan = ChangeSet(host: hostChanges(state, planned, backup: try datastoreBackup(state, planned, context.host)),
                             objects: labelledNode.map { [$0] } ?? [])
        if let installed = state.installedVersion, installed != parameters.version {
            plan.warnings.append("k3s \(installed) is installed; the installer will replace it with \(parameters.version)")
        }
        return plan
    }

    public func apply(_ plan: ChangeSet, _ context: StepContext) async throws {
        let host = context.host
        // Everything before the first start (installer, restart) prepares; a failure there leaves k3s as it was.
        let start = plan.host.firstIndex { if case .run(let command) = $0 { return startsK3s(command) } else { return false } }
            ?? plan.host.endIndex
        var stopped = false
        for change in plan.host[..<start] {
            if case .run(let command) = change, command == fetchCommand { context.progress("downloading the k3s installer") }
            if case .run(let command) = change, command == Self.stopCommand {
                context.progress("stopping k3s to copy its datastore before the version changes")
                stopped = true
            }
            do { try await change.perform(on: host) } catch {
                // A failed datastore copy must not leave the cluster down.
                if stopped { try? await host.runChecked(Self.startCommand) }
                if case HostError.digestMismatch(let path, let actual, let expected) = error {
                    throw StepError("the k3s installer \(path) has SHA-256 \(actual), but the playbook pins \(expected); not running it")
                }
                throw error
            }
        }
        let previous: Data? = plan.host.lazy.compactMap { change -> Data?? in
            if case .writeFile(let write) = change { return .some(write.old?.bytes) } else { return nil }
        }.first ?? nil
        let wroteConfig = plan.host.contains { if case .writeFile = $0 { return true } else { return false } }
        do {
            for change in plan.host[start...] {
                if case .run(let command) = change, command.argv.first == "sh" { context.progress("installing k3s \(parameters.version)") }
                try await change.perform(on: host)
            }
            try await waitUntilReady(context)
        } catch {
            guard wroteConfig, let previous else {
                throw StepError("k3s did not come up: \(error)\(try await lastLogLines(host))")
            }
            try await rollBack(to: previous, after: error, context)
        }
        try await applyNodeLabels(plan.objects, context)
    }

    /// The Node as k3s' `node-label` settings should leave it: only its name and those labels.
    var labelledNode: Value? {
        guard let labels = parameters.nodeLabels, !labels.isEmpty else { return nil }
        return NodeLabels(id: id, parameters: .init(node: parameters.nodeName, labels: labels)).object
    }

    /// k3s applies `node-label` only when the node first registers (the kubelet's `--node-labels`),
    /// so on an existing node a changed label reaches the Node object only through the API: the
    /// planned Node (``labelledNode``), applied with the API client k3s' start made reachable.
    func applyNodeLabels(_ objects: [Value], _ context: StepContext) async throws {
        // Ready means the API answered (K3sReadiness.kubernetesAPI); only a readiness a test
        // stands in with leaves no client, and then there is nothing to label through.
        guard !objects.isEmpty, let kube = try await context.connect() else { return }
        context.progress("labelling Node \(parameters.nodeName)")
        try await context.with(kube: kube).applyObjects(objects)
    }

    /// The installer and the restart are what start k3s on the new configuration.
    func startsK3s(_ command: Command) -> Bool {
        command == Self.restartCommand || command == installCommand(.download) || command == installCommand(.airGapped)
    }

    public func verify(_ plan: ChangeSet, _ context: StepContext) async throws -> [String] {
        let state = try await readState(context.host)
        var drift: [String] = []
        if state.installedVersion != parameters.version {
            drift.append("k3s is \(state.installedVersion ?? "not installed"), not \(parameters.version)")
        }
        if !state.serviceInstalled { drift.append("the k3s service is not installed") }
        if state.config != Data(configText.utf8) { drift.append("\(K3sPaths.config) differs from the playbook") }
        else if state.configMode != configMode { drift.append("\(K3sPaths.config) has mode \(octal(state.configMode ?? 0))") }
        if labelledNode != nil, let kube = try await context.connect(),
           let live = try await kube.get(ObjectRef(apiVersion: "v1", kind: "Node", name: parameters.nodeName)) {
            for (key, value) in parameters.nodeLabels ?? [:] where live[path: ["metadata", "labels", key]]?.stringValue != value {
                drift.append("Node \(parameters.nodeName) has \(live[path: ["metadata", "labels", key]]?.stringValue.map { "label \(key)=\($0)" } ?? "no label \(key)"), not \(key)=\(value)")
            }
        }
        return drift
    }

    func waitUntilReady(_ context: StepContext) async throws {
        let readiness = Self.readiness
        let node = parameters.nodeName
        try await context.wait(for: "the Kubernetes API") { await readiness.api(context) }
        try await context.wait(for: "Node \(node) to be Ready") { await readiness.node(node, context) }
    }

    /// Puts the previous config back and restarts k3s on it, so a bad edit never leaves the node without a cluster.
    func rollBack(to previous: Data, after error: any Error, _ context: StepContext) async throws {
        let host = context.host
        let logs = try await lastLogLines(host)
        context.progress("k3s did not come up with the new configuration; restoring the previous one")
        try host.write(K3sPaths.config, previous, mode: configMode, owner: nil)
        try await host.runChecked(Self.restartCommand)
        var outcome = "restored the previous configuration and restarted k3s"
        do { try await waitUntilReady(context) } catch {
            outcome += ", but k3s is not Ready on it either (\(error))"
        }
        throw StepError("k3s did not become Ready with the new configuration (\(error)); \(outcome)\(logs)")
    }

    func lastLogLines(_ host: any HostSystem) async throws -> String {
        guard let result = try? await host.run(Self.journalCommand), result.status == 0 else { return "" }
        let text = result.stdout.trimming(.whitespaceAndNewlines)
        return text.isEmpty ? "" : "\nlast lines of the k3s log:\n\(text)"
    }
}
