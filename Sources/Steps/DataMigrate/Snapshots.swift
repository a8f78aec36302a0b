import Document
import Engine
import FoundationEssentials
import Host
import Platform

// The rollback points a copy leaves: `DATASET@bootstrap-migrated` once the copy is verified (a
// ZFS snapshot costs nothing until the data changes), and before `--recopy` replaces a verified
// copy, a snapshot of what it replaces.
extension DataMigrate {
    /// The snapshot that marks the verified copy.
    public static let migratedSnapshot = "bootstrap-migrated"
    /// Where a copy being redone (`--recopy`) keeps the marker while the old copy is cleared.
    static let recopyingName = ".bootstrap-recopying"

    /// Whether `DATASET@NAME` exists: a look-up, allowed in plan.
    static func snapshotExists(_ dataset: String, _ name: String, _ host: any HostSystem) async throws -> Bool {
        let result = try await host.run(Command(["zfs", "list", "-H", "-t", "snapshot", "-o", "name", "\(dataset)@\(name)"], changesHost: false))
        return result.status == 0
    }

    static func snapshotCommand(_ dataset: String, _ name: String) -> Command {
        Command(["zfs", "snapshot", "\(dataset)@\(name)"], changesHost: true)
    }

    static func renameSnapshotCommand(_ dataset: String, from: String, to: String) -> Command {
        Command(["zfs", "rename", "\(dataset)@\(from)", "\(dataset)@\(to)"], changesHost: true)
    }

    /// `20261207T162500Z`: snapshot names sort by time and need no quoting.
    static func stamp() -> String {
        Timestamp.now().filter { $0 != "-" && $0 != ":" }
    }

    /// The commands that guard a `--recopy`: a snapshot of what it replaces, and the old
    /// `@bootstrap-migrated` renamed so the new copy's can take its name (nothing is destroyed).
    func recopyGuard(_ dataset: String, stamp: String, migratedExists: Bool) -> [Command] {
        var commands = [Self.snapshotCommand(dataset, "bootstrap-before-recopy-\(stamp)")]
        if migratedExists {
            commands.append(Self.renameSnapshotCommand(dataset, from: Self.migratedSnapshot, to: "\(Self.migratedSnapshot)-\(stamp)"))
        }
        return commands
    }

    /// What a rehearsal does instead of zfs snapshot, rename and snapshot look-ups (a list of
    /// snapshot names under the rehearsal directory), and of the pre-flight's look-ups: a pool with
    /// 1 TiB free, no container running, rsync present.
    public static var simulations: [CommandSimulation] {
        [
            CommandSimulation(program: "zfs", matches: { isSnapshotCommand($0) }) { command, host in try simulateSnapshot(command, host) },
            CommandSimulation(program: "zfs", matches: { $0.argv.dropFirst().first == "get" }) { _, _ in
                CommandResult(status: 0, stdout: "\(Int64(1) << 40)\n", stderr: "")
            },
            CommandSimulation(program: "docker", matches: { !$0.changesHost }) { _, _ in CommandResult(status: 0, stdout: "", stderr: "") },
            CommandSimulation(program: "rsync", matches: { $0.argv == ["rsync", "--version"] }) { _, _ in
                CommandResult(status: 0, stdout: "rsync (rehearsal)\n", stderr: "")
            },
        ]
    }

    static func isSnapshotCommand(_ command: Command) -> Bool {
        let args = Array(command.argv.dropFirst())
        return args.first == "snapshot" || (args.first == "rename" && args.last?.contains("@") == true)
            || (args.first == "list" && args.contains("snapshot"))
    }

    static func simulateSnapshot(_ command: Command, _ host: RehearsalHost) throws -> CommandResult {
        let path = host.statePath("zfs-snapshots")
        var snapshots = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        let args = Array(command.argv.dropFirst())
        let name = args.last ?? ""
        switch args.first {
        case "list":
            guard snapshots.contains(name) else {
                return CommandResult(status: 1, stdout: "", stderr: "cannot open '\(name)': dataset does not exist\n")
            }
            return CommandResult(status: 0, stdout: name + "\n", stderr: "")
        case "snapshot":
            guard !snapshots.contains(name) else {
                return CommandResult(status: 1, stdout: "", stderr: "cannot create snapshot '\(name)': dataset already exists\n")
            }
            snapshots.append(name)
        default:
            let from = args[args.count - 2]
            guard let index = snapshots.firstIndex(of: from) else {
                return CommandResult(status: 1, stdout: "", stderr: "cannot open '\(from)': dataset does not exist\n")
            }
            snapshots[index] = name
        }
        try (snapshots.map { $0 + "\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        return CommandResult(status: 0, stdout: "", stderr: "")
    }
}
