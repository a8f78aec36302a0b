import Engine
import FoundationEssentials
import Host

/// What the host holds of k3s right now.
struct K3sState: Sendable {
    var installedVersion: String?
    var serviceInstalled: Bool
    var config: Data?
    var configMode: UInt16?
    var configDirectoryExists: Bool
    var downloadDirectoryExists: Bool
}

/// What apply will do, decided from a ``K3sState``.
struct K3sChanges: Sendable {
    enum Install: Sendable { case download, airGapped }
    var writeConfig = false
    var chmodConfig = false
    var install: Install?
    /// A restart is only needed when the installer, which restarts k3s itself, does not run.
    var restart: Bool { writeConfig && install == nil }
    var isEmpty: Bool { !writeConfig && !chmodConfig && install == nil }
}

extension K3sInstall {
    func readState(_ host: any HostSystem) async throws -> K3sState {
        var version: String?
        if try host.status(K3sPaths.binary) != nil {
            let result = try await host.run(Command([K3sPaths.binary, "--version"], changesHost: false))
            version = result.status == 0 ? Self.parseVersion(result.stdout) : nil
        }
        let status = try host.status(K3sPaths.config)
        return K3sState(installedVersion: version, serviceInstalled: try host.status(K3sPaths.serviceUnit) != nil,
                        config: try host.read(K3sPaths.config), configMode: status?.mode,
                        configDirectoryExists: try host.status("/etc/rancher/k3s") != nil,
                        downloadDirectoryExists: try host.status(Self.downloadDirectory) != nil)
    }

    /// `k3s version v1.31.4+k3s1 (a1b2c3d4)` -> `v1.31.4+k3s1`.
    static func parseVersion(_ output: String) -> String? {
        let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard let index = words.firstIndex(of: "version"), index + 1 < words.count else { return nil }
        return String(words[index + 1])
    }

    func changes(_ state: K3sState) -> K3sChanges {
        var changes = K3sChanges()
        changes.writeConfig = state.config != Data(configText.utf8)
        changes.chmodConfig = !changes.writeConfig && state.configMode != configMode
        if state.installedVersion == parameters.version {
            if !state.serviceInstalled { changes.install = .airGapped }
        } else {
            changes.install = .download
        }
        return changes
    }

    /// Fetching the installer; nil when it is a file on the host already.
    var fetchCommand: Command? {
        guard let url = parameters.installer.url, parameters.installer.file == nil else { return nil }
        return Command(["curl", "-sfL", url, "-o", Self.downloadPath], changesHost: true, hostPaths: [4])
    }

    func installCommand(_ install: K3sChanges.Install) -> Command {
        var environment = ["INSTALL_K3S_VERSION": parameters.version]
        // The binary is already here at the pinned version (placed by hand on an air-gapped node).
        if install == .airGapped { environment["INSTALL_K3S_SKIP_DOWNLOAD"] = "true" }
        return Command(["sh", installerPath], environment: environment, changesHost: true, hostPaths: [1])
    }

    static let restartCommand = Command(["systemctl", "restart", "k3s"], changesHost: true)
    static let journalCommand = Command(["journalctl", "-u", "k3s", "-n", "20", "--no-pager"], changesHost: false)

    /// The host changes, in the order apply performs them: the installer is fetched and checked
    /// before anything else changes, the config is written before k3s (re)starts on it.
    func hostChanges(_ state: K3sState, _ changes: K3sChanges, backup: [HostChange]? = nil) -> [HostChange] {
        var result: [HostChange] = []
        if changes.install != nil {
            if let fetch = fetchCommand {
                if !state.downloadDirectoryExists { result.append(.makeDirectory(Self.downloadDirectory)) }
                result.append(.run(fetch))
            }
            if let digest = parameters.installer.sha256 { result.append(.verifyDigest(path: installerPath, sha256: digest)) }
        }
        if changes.writeConfig {
            if !state.configDirectoryExists { result.append(.makeDirectory("/etc/rancher/k3s")) }
            result.append(.writeFile(FileWrite(path: K3sPaths.config, mode: configMode,
                                               old: state.config.map(FileContent.plain), new: .plain(Data(configText.utf8)))))
        }
        if changes.chmodConfig { result.append(.setAttributes(K3sPaths.config, mode: configMode, owner: nil)) }
        // The datastore is copied last before the installer: k3s is down only for the copy and the install.
        result += backup ?? []
        if let install = changes.install { result.append(.run(installCommand(install))) }
        if changes.restart { result.append(.run(Self.restartCommand)) }
        return result
    }
}
