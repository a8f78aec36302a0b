import Engine
import FoundationEssentials
import Host
import Platform

// What a rehearsal does instead of running zfs: datasets are a list under the rehearsal
// directory, and creating one creates its mountpoint directory.
extension ZFSDataset: Rehearsable {
    public static var simulations: [CommandSimulation] {
        [CommandSimulation(program: "zfs", matches: { handlesInRehearsal($0) }) { command, host in try simulateZFS(command, host) }]
    }

    /// The zfs commands this step type runs: `create` and a dataset's `list` (snapshots are data.migrate's).
    static func handlesInRehearsal(_ command: Command) -> Bool {
        let args = command.argv.dropFirst()
        return args.first == "create" || (args.first == "list" && !args.contains("-t"))
    }

    static func simulateZFS(_ command: Command, _ host: RehearsalHost) throws -> CommandResult {
        let args = Array(command.argv.dropFirst())
        let listPath = host.statePath("zfs-datasets")
        var datasets = simulatedDatasets(listPath)
        switch args.first {
        case "list":
            guard let name = args.last, let mountpoint = datasets[name] else {
                return CommandResult(status: 1, stdout: "", stderr: "cannot open '\(args.last ?? "")': dataset does not exist\n")
            }
            return CommandResult(status: 0, stdout: "\(name)\t\(mountpoint)\n", stderr: "")
        case "create":
            guard let name = args.last, !name.hasPrefix("-") else { throw HostError.notSimulated(command.description) }
            if datasets[name] != nil {
                return CommandResult(status: 1, stdout: "", stderr: "cannot create '\(name)': dataset already exists\n")
            }
            let options = zip(args, args.dropFirst()).filter { $0.0 == "-o" }.map(\.1)
            let mountpoint = options.first { $0.hasPrefix("mountpoint=") }.map { String($0.dropFirst("mountpoint=".count)) } ?? "/" + name
            datasets[name] = mountpoint
            try host.files.makeDirectory(mountpoint, mode: nil, owner: nil)
            let text = datasets.keys.sorted().map { "\($0)\t\(datasets[$0]!)\n" }.joined()
            try Files.writeAtomically(listPath, Array(text.utf8), mode: 0o644, durable: false)
            return CommandResult(status: 0, stdout: "", stderr: "")
        default:
            throw HostError.notSimulated(command.description)
        }
    }

    static func simulatedDatasets(_ path: String) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if fields.count == 2 { result[fields[0]] = fields[1] }
        }
        return result
    }
}
