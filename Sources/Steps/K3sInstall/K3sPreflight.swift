import Engine
import Host

extension K3sInstall {
    /// k3s' API server listens on the node's 6443 (k3s `--https-listen-port`, default 6443).
    public var hostPorts: [HostPort] { [HostPort(6443, purpose: "k3s API server")] }

    /// The installer must come from a URL that cannot change under its digest: the script at the
    /// release tag, not get.k3s.io, which serves whatever script is newest (a pinned digest then
    /// fails on the day the script changes, or an unpinned one runs whatever it is).
    public func preflight(_ context: StepContext) async throws -> [PreflightCheck] {
        guard let url = parameters.installer.url, parameters.installer.file == nil else { return [] }
        let tagged = [parameters.version, parameters.version.replacing("+", with: "%2B")].contains { url.contains("/\($0)/") }
        if tagged && parameters.installer.sha256 != nil {
            return [.passed(id, "installer pinned", "\(url) at the release tag, checked against its SHA-256")]
        }
        let why = tagged ? "has no sha256 to check it against"
            : "can change under its digest (it does not name the release tag \(parameters.version))"
        return [PreflightCheck(step: id, check: "installer pinned", outcome: .placeholder,
                               detail: "\(url) \(why): use \(Self.installerURL(at: parameters.version)) and its `sha256sum`")]
    }
}

extension K3sInstall {
    /// Stops k3s and keeps it off across reboots, then stops every container it runs and removes its
    /// iptables rules, so compose can bind 80/443 again. k3s' containers keep running when only the
    /// service stops; `k3s-killall.sh`, which the installer writes, stops them and cleans up the
    /// networking while the cluster's data stays (docs.k3s.io, "Stopping K3s").
    public var stopCommands: [Command] {
        [Command(["systemctl", "disable", "--now", "k3s"], changesHost: true),
         Command([Self.killallScript], changesHost: true)]
    }

    static let killallScript = "/usr/local/bin/k3s-killall.sh"
}
