import Foundation

// What the rehearsal host does instead of running zfs, curl and the k3s installer.
extension RehearsalHost {
    func zfs(_ command: Command) throws -> CommandResult {
        let args = Array(command.argv.dropFirst())
        var datasets = try self.datasets()
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
            try FileManager.default.createDirectory(atPath: path(mountpoint), withIntermediateDirectories: true)
            let text = datasets.keys.sorted().map { "\($0)\t\(datasets[$0]!)\n" }.joined()
            try text.write(toFile: datasetsPath, atomically: true, encoding: .utf8)
            return CommandResult(status: 0, stdout: "", stderr: "")
        default:
            throw HostError.notSimulated(command.description)
        }
    }

    func datasets() throws -> [String: String] {
        guard let text = try? String(contentsOfFile: datasetsPath, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            if fields.count == 2 { result[fields[0]] = fields[1] }
        }
        return result
    }

    func curl(_ command: Command) throws -> CommandResult {
        guard let index = command.argv.firstIndex(of: "-o"), index + 1 < command.argv.count else {
            throw HostError.notSimulated(command.description)
        }
        let target = command.argv[index + 1]
        let url = command.argv.last { $0.contains("://") } ?? "(unknown)"
        try FileManager.default.createDirectory(atPath: path((target as NSString).deletingLastPathComponent),
                                                withIntermediateDirectories: true)
        try "#!/bin/sh\n# rehearsal stand-in for \(url)\n".write(toFile: path(target), atomically: true, encoding: .utf8)
        let listed = (try? String(contentsOfFile: downloadsPath, encoding: .utf8)) ?? ""
        try (listed + target + "\n").write(toFile: downloadsPath, atomically: true, encoding: .utf8)
        return CommandResult(status: 0, stdout: "", stderr: "")
    }

    func downloads() -> Set<String> {
        guard let text = try? String(contentsOfFile: downloadsPath, encoding: .utf8) else { return [] }
        return Set(text.split(separator: "\n").map(String.init))
    }

    /// The installer's effect: the k3s binary reporting the pinned version, its service, a kubeconfig.
    func install(_ command: Command) throws -> CommandResult {
        guard command.argv.count > 1, try status(command.argv[1]) != nil else {
            return CommandResult(status: 127, stdout: "", stderr: "\(command.argv.last ?? ""): No such file\n")
        }
        let version = command.environment["INSTALL_K3S_VERSION"] ?? "unknown"
        let files = RootedFiles(root: root)
        if command.environment["INSTALL_K3S_SKIP_DOWNLOAD"] != "true" {
            try files.makeDirectory("/usr/local/bin", mode: nil, owner: nil)
            let binary = "#!/bin/sh\necho 'k3s version \(version) (rehearsal)'\necho 'go version go1.22 (rehearsal)'\n"
            try files.write(K3sPaths.binary, Data(binary.utf8), mode: 0o755, owner: nil)
        }
        try files.makeDirectory("/etc/systemd/system", mode: nil, owner: nil)
        try files.write(K3sPaths.serviceUnit, Data("[Unit]\nDescription=k3s (rehearsal)\n".utf8), mode: 0o644, owner: nil)
        try files.makeDirectory("/etc/rancher/k3s", mode: nil, owner: nil)
        try files.write(K3sPaths.kubeconfig, Data("# rehearsal: the emulated API server stands in for k3s\n".utf8),
                        mode: 0o600, owner: nil)
        return CommandResult(status: 0, stdout: "[INFO]  rehearsal: k3s \(version) installed\n", stderr: "")
    }
}
