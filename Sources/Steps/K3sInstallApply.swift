import Engine
import Foundation
import Host

extension K3sInstall {
    public func check(_ context: StepContext) async throws -> StepPlan {
        let state = try await readState(context.host)
        var plan = StepPlan(hostActions: actions(state, changes(state)))
        if let installed = state.installedVersion, installed != parameters.version {
            plan.warnings.append("k3s \(installed) is installed; the installer will replace it with \(parameters.version)")
        }
        return plan
    }

    public func apply(_ plan: StepPlan, _ context: StepContext) async throws {
        let host = context.host
        let state = try await readState(host)
        let changes = changes(state)
        // A wrong installer is refused before anything on the host changes.
        if changes.install != nil { try await fetchAndVerifyInstaller(context) }
        if changes.writeConfig {
            if !state.configDirectoryExists { try host.makeDirectory("/etc/rancher/k3s", mode: nil, owner: nil) }
            try host.write(K3sPaths.config, Data(configText.utf8), mode: configMode, owner: nil)
        }
        if changes.chmodConfig { try host.setAttributes(K3sPaths.config, mode: configMode, owner: nil) }
        do {
            if let install = changes.install {
                context.progress("installing k3s \(parameters.version)")
                try await host.runChecked(installCommand(install))
            } else if changes.restart {
                try await host.runChecked(Self.restartCommand)
            }
            try await waitUntilReady(context)
        } catch {
            guard changes.writeConfig, let previous = state.config else {
                throw StepError("k3s did not come up: \(error)\(try await lastLogLines(host))")
            }
            try await rollBack(to: previous, after: error, context)
        }
    }

    public func verify(_ plan: StepPlan, _ context: StepContext) async throws -> [String] {
        let state = try await readState(context.host)
        var drift: [String] = []
        if state.installedVersion != parameters.version {
            drift.append("k3s is \(state.installedVersion ?? "not installed"), not \(parameters.version)")
        }
        if !state.serviceInstalled { drift.append("the k3s service is not installed") }
        if state.config != Data(configText.utf8) { drift.append("\(K3sPaths.config) differs from the playbook") }
        else if state.configMode != configMode { drift.append("\(K3sPaths.config) has mode \(octal(state.configMode ?? 0))") }
        return drift
    }

    func fetchAndVerifyInstaller(_ context: StepContext) async throws {
        let host = context.host
        if let fetch = fetchCommand {
            if try host.status(Self.downloadDirectory) == nil { try host.makeDirectory(Self.downloadDirectory, mode: nil, owner: nil) }
            context.progress("downloading the k3s installer")
            try await host.runChecked(fetch)
        }
        if let expected = parameters.installer.sha256,
           let actual = try await host.sha256Mismatch(installerPath, expected: expected) {
            throw StepError("the k3s installer \(installerPath) has SHA-256 \(actual), but the playbook pins \(expected.lowercased()); not running it")
        }
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
        let text = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : "\nlast lines of the k3s log:\n\(text)"
    }
}
