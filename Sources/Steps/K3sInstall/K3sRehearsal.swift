import Platform
import FoundationEssentials
import Host

// What a rehearsal does instead of downloading and running the k3s installer and systemd.
extension K3sInstall {
    public static var simulations: [CommandSimulation] {
        [
            CommandSimulation(program: "systemctl") { _, _ in CommandResult(status: 0, stdout: "", stderr: "") },
            CommandSimulation(program: "k3s-killall.sh") { _, _ in CommandResult(status: 0, stdout: "(rehearsal: k3s' containers stopped)\n", stderr: "") },
            CommandSimulation(program: "journalctl") { _, _ in CommandResult(status: 0, stdout: "(rehearsal: no journal)\n", stderr: "") },
            CommandSimulation(program: "curl") { command, host in try simulateDownload(command, host) },
            CommandSimulation(program: "sh", matches: { $0.environment["INSTALL_K3S_VERSION"] != nil }) { command, host in
                try simulateInstaller(command, host)
            },
        ]
    }

    /// Whether the simulated k3s is installed: the binary and its service are in place, so the
    /// rehearsal API server counts as reachable.
    public static func isInstalled(on host: RehearsalHost) -> Bool {
        ((try? host.files.status(K3sPaths.binary)) ?? nil) != nil && ((try? host.files.status(K3sPaths.serviceUnit)) ?? nil) != nil
    }

    /// `curl -o FILE URL`: a stand-in script, marked so the pinned digest check passes by construction.
    static func simulateDownload(_ command: Command, _ host: RehearsalHost) throws -> CommandResult {
        guard let index = command.argv.firstIndex(of: "-o"), index + 1 < command.argv.count else {
            throw HostError.notSimulated(command.description)
        }
        let target = command.argv[index + 1]
        let url = command.argv.last { $0.contains("://") } ?? "(unknown)"
        try host.files.makeDirectory(PathText.parent(target), mode: nil, owner: nil)
        try host.files.write(target, Data("#!/bin/sh\n# rehearsal stand-in for \(url)\n".utf8), mode: 0o644, owner: nil)
        try host.markSimulated(target)
        return CommandResult(status: 0, stdout: "", stderr: "")
    }

    /// The installer's effect: the k3s binary reporting the pinned version, its service, a kubeconfig.
    static func simulateInstaller(_ command: Command, _ host: RehearsalHost) throws -> CommandResult {
        guard command.argv.count > 1, try host.status(command.argv[1]) != nil else {
            return CommandResult(status: 127, stdout: "", stderr: "\(command.argv.last ?? ""): No such file\n")
        }
        let version = command.environment["INSTALL_K3S_VERSION"] ?? "unknown"
        let files = host.files
        if command.environment["INSTALL_K3S_SKIP_DOWNLOAD"] != "true" {
            try files.makeDirectory("/usr/local/bin", mode: nil, owner: nil)
            let binary = "#!/bin/sh\necho 'k3s version \(version) (rehearsal)'\necho 'go version go1.22 (rehearsal)'\n"
            try files.write(K3sPaths.binary, Data(binary.utf8), mode: 0o755, owner: nil)
        }
        try writeCertificates(host)
        // The service unit last: with the binary it is what says "installed" (isInstalled), so a
        // run killed before it finds k3s not installed and runs the installer again.
        try files.makeDirectory("/etc/systemd/system", mode: nil, owner: nil)
        try files.write(K3sPaths.serviceUnit, Data("[Unit]\nDescription=k3s (rehearsal)\n".utf8), mode: 0o644, owner: nil)
        return CommandResult(status: 0, stdout: "[INFO]  rehearsal: k3s \(version) installed\n", stderr: "")
    }
}

extension K3sInstall {
    /// What k3s writes when it first starts: its CAs and certificates under
    /// /var/lib/rancher/k3s/server/tls, and the admin kubeconfig /etc/rancher/k3s/k3s.yaml (mode
    /// 0600) with the server CA and the admin's client certificate, for https://127.0.0.1:6443
    /// (k3s-io/k3s pkg/server/server.go writeKubeConfig, pkg/clientaccess/kubeconfig.go
    /// WriteClientKubeConfig, pkg/datadir GlobalConfig). The certificates are the rehearsal's own
    /// (``RehearsalIdentity``): the embedded API server serves with them.
    static func writeCertificates(_ host: RehearsalHost) throws {
        // A run has made them for its API server; a host simulated on its own makes them here, as k3s does.
        let identity = try host.clusterIdentity() ?? host.clusterIdentity(servingNames: [])
        let files = host.files
        try files.makeDirectory(K3sPaths.tlsDirectory, mode: 0o700, owner: nil)
        for (name, tls) in identity.files {
            try files.write(K3sPaths.tlsDirectory + "/\(name).crt", Data(tls.certificatePEM.utf8), mode: 0o644, owner: nil)
            try files.write(K3sPaths.tlsDirectory + "/\(name).key", Data(tls.privateKeyPEM.utf8), mode: 0o600, owner: nil)
        }
        func data(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        let kubeconfig = """
            apiVersion: v1
            clusters:
            - cluster:
                certificate-authority-data: \(data(identity.serverCA.certificatePEM))
                server: https://127.0.0.1:6443
              name: default
            contexts:
            - context:
                cluster: default
                user: default
              name: default
            current-context: default
            kind: Config
            preferences: {}
            users:
            - name: default
              user:
                client-certificate-data: \(data(identity.admin.certificatePEM))
                client-key-data: \(data(identity.admin.privateKeyPEM))

            """
        try files.makeDirectory("/etc/rancher/k3s", mode: nil, owner: nil)
        try files.write(K3sPaths.kubeconfig, Data(kubeconfig.utf8), mode: 0o600, owner: nil)
    }

    public static func clusterIsUp(on host: RehearsalHost) -> Bool { isInstalled(on: host) }
    public var clusterNodeName: String { parameters.nodeName }
}
