import Engine
import Host

// Before the installer changes the k3s version, a copy of k3s' datastore: its SQLite database
// directory and the server token. k3s' documentation (docs.k3s.io, Datastore > Backup and
// Restore; k3s-io/docs `docs/datastore/backup-restore.md`) says "To back up the SQLite datastore,
// take a copy of /var/lib/rancher/k3s/server/db/", and that the token file
// /var/lib/rancher/k3s/server/token must be backed up too, since it encrypts confidential data in
// the datastore: a restore without it is unusable. The copy is taken with k3s stopped, so the
// database and its write-ahead log are copied at rest; the installer starts k3s again right after.
extension K3sInstall {
    static let datastoreDirectory = "/var/lib/rancher/k3s/server/db"
    static let tokenFile = "/var/lib/rancher/k3s/server/token"
    static let stopCommand = Command(["systemctl", "stop", "k3s"], changesHost: true)
    static let startCommand = Command(["systemctl", "start", "k3s"], changesHost: true)

    /// Where the copy taken before replacing `version` goes: `/var/lib/bootstrap/k3s-datastore-VERSION`,
    /// `-2`, `-3` … when an earlier change of the same version left one (none is ever overwritten).
    static func backupDirectory(before version: String, _ host: any HostSystem) throws -> String {
        let base = downloadDirectory + "/k3s-datastore-" + version
        var candidate = base, number = 1
        while try host.status(candidate) != nil {
            number += 1
            candidate = "\(base)-\(number)"
        }
        return candidate
    }

    /// Stop k3s, copy the datastore and its token into a directory only root reads; nil when no
    /// datastore exists (a fresh node) or the version does not change.
    func datastoreBackup(_ state: K3sState, _ changes: K3sChanges, _ host: any HostSystem) throws -> [HostChange]? {
        guard changes.install == .download, let installed = state.installedVersion,
              try host.status(Self.datastoreDirectory) != nil else { return nil }
        let directory = try Self.backupDirectory(before: installed, host)
        var result: [HostChange] = [.run(Self.stopCommand), .makeDirectory(directory, mode: 0o700, owner: nil),
                                    .run(Command(["cp", "-a", Self.datastoreDirectory, directory + "/db"], changesHost: true, hostPaths: [2, 3]))]
        if try host.status(Self.tokenFile) != nil {
            result.append(.run(Command(["cp", "-a", Self.tokenFile, directory + "/token"], changesHost: true, hostPaths: [2, 3])))
        }
        return result
    }
}
