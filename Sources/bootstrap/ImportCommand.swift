import Platform
import ArgumentParser
import Document
import FoundationEssentials
import Import

/// `bootstrap import compose`: a docker-compose stack becomes a playbook.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Turn another tool's description of a stack into a playbook.",
        subcommands: [ImportComposeCommand.self])
}

struct ImportComposeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose",
        abstract: "Write a playbook, its configuration files and a secrets skeleton from docker-compose files.",
        discussion: """
            Everything that is not converted is listed on stderr and in a comment block at the top \
            of the playbook. Secrets (by key names and content) become ${{ secrets.* }} references \
            with a change-me entry in secrets.example; their values are never written.
            """)

    @Argument(help: "The docker-compose file.") var compose: String
    @Option(name: .customShort("f"), help: "More compose files, merged in order (as docker compose -f).") var files: [String] = []
    @Option(help: "The compose env file (default: .env beside the compose file).") var envFile: String?
    @Option(help: ArgumentHelp("SERVICE=NS, or NS for every other service (default: apps).", valueName: "SERVICE=NS")) var namespace: [String] = []
    @Option(help: "Where the local volumes live on the node.") var dataRoot: String = "/srv/bootstrap"
    @Option(help: "Where the compose ./data folder is on the node (default: beside the compose file).") var composeData: String?
    @Option(help: "Traefik's dynamic configuration (file-provider middlewares, TLS options).") var traefikDynamic: String?
    @Option(help: "The playbook's name.") var name: String = "compose"
    @Option(help: "An environment variable (or config file name) to treat as a secret.") var secret: [String] = []
    @Option(help: "An environment variable (or config file name) that is not a secret.") var notSecret: [String] = []
    @Option(help: "A YAML file with `secret:` and `notSecret:` lists of names, added to --secret and --not-secret.") var secretRules: String?
    @Option(help: ArgumentHelp("The parent ZFS dataset of the volumes (the storage.local-volumes zfs backend); without it, plain directories.", valueName: "POOL/PATH")) var zfs: String?
    @Option(help: ArgumentHelp("The image of a service, in place of its compose image (to pin an untagged one).", valueName: "SERVICE=IMAGE")) var image: [String] = []
    @Flag(name: .customLong("secrets-from-env"),
          help: "Also write secrets.yaml (mode 0600) beside secrets.example, filled with the secret values of the compose env files read (change-me where there is none).")
    var secretsFromEnv = false
    @Option(help: ArgumentHelp("The directory to write into (playbook.yaml, its files, secrets.example), or NAME.yaml: the playbook there and its files and secrets.example in NAME/ beside it.", valueName: "DIR|FILE.yaml")) var out: String

    func run() throws {
        var options = ImportOptions(composeFiles: [compose] + files)
        options.envFile = envFile
        for entry in namespace {
            if let eq = entry.firstIndex(of: "=") { options.namespaces[String(entry[..<eq])] = String(entry[entry.index(after: eq)...]) }
            else { options.defaultNamespace = entry }
        }
        options.dataRoot = dataRoot
        options.composeData = composeData
        options.traefikDynamic = traefikDynamic
        options.name = name
        options.zfsDataset = zfs
        for entry in image {
            guard let eq = entry.firstIndex(of: "="), eq != entry.startIndex, entry.index(after: eq) != entry.endIndex else {
                Console.err("error: --image \"\(entry)\" is not SERVICE=IMAGE")
                throw ExitCode.of(ExitStatus.usage)
            }
            options.images[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        options.filesFolder = layout.filesFolder
        options.rules = SecretRules(forced: Set(secret), exempt: Set(notSecret))
        // A file that is not there at all is exit 66, as for a playbook; one that cannot be read as
        // a compose file is a positioned error and exit 65.
        for file in options.composeFiles + [envFile, traefikDynamic, secretRules].compactMap({ $0 }) where !Files.exists(file) {
            Console.err("\(file): error: cannot read: no such file")
            throw ExitCode.of(ExitStatus.noInput)
        }
        let result: ImportResult
        do {
            if let secretRules { options.rules = try options.rules.adding(file: secretRules) }
            let project = try ComposeReader.read(files: options.composeFiles)
            result = try Converter.convert(project, options: options)
        } catch {
            Console.report(error.items)
            throw ExitCode.of(ExitStatus.invalidInput)
        }
        Console.report(result.report.map(\.diagnostic))
        do {
            try write(layout.playbook, result.playbook)
            try write(layout.filesFolder + "secrets.example", result.secretsExample)
            for path in result.files.keys.sorted() { try write(path, result.files[path]!) }
            if secretsFromEnv { try writeSecrets(result.secretsFromEnv) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.err("\(out): error: cannot write: \(SystemError.reason(of: error))")
            throw ExitCode.of(ExitStatus.failure)
        }
        let services = result.counts.count
        Console.out("\(layout.directory)/\(layout.playbook): \(services) workload\(services == 1 ? "" : "s"), \(result.report.count) item\(result.report.count == 1 ? "" : "s") to review (listed above and at the top of the playbook)")
    }

    /// Where the output goes: `--out DIR` gives DIR/playbook.yaml with its files beside it;
    /// `--out DIR/NAME.yaml` gives that playbook with its files under DIR/NAME/ (as
    /// playbooks/faf.yaml and playbooks/faf/).
    var layout: (directory: String, playbook: String, filesFolder: String) {
        guard out.hasSuffix(".yaml") || out.hasSuffix(".yml") else { return (out, "playbook.yaml", "") }
        let file = PathText.lastComponent(out)
        let directory = PathText.parent(out)
        let name = file.hasSuffix(".yaml") ? file.dropLast(5) : file.dropLast(4)
        return (directory.isEmpty ? "." : directory, file, name + "/")
    }

    /// secrets.yaml, mode 0600, written atomically; one that holds anything else is never replaced
    /// (it may hold the values someone filled in).
    func writeSecrets(_ secrets: (text: String, filled: Int, total: Int)) throws {
        let path = layout.directory + "/" + layout.filesFolder + "secrets.yaml"
        if let existing = try? Files.read(path), existing != Array(secrets.text.utf8) {
            Console.err("\(path): error: exists and differs from what this import would write: not replaced (move it away to write it again)")
            throw ExitCode.of(ExitStatus.failure)
        }
        try Files.createDirectory(PathText.parent(path))
        try Files.writeAtomically(path, Array(secrets.text.utf8), mode: 0o600, durable: true)
        Console.err("\(path): \(secrets.filled) of \(secrets.total) secrets filled from the compose env files (mode 0600); "
            + "\(secrets.total - secrets.filled) left change-me")
    }

    func write(_ relative: String, _ text: String) throws {
        let path = layout.directory + "/" + relative
        try Files.createDirectory(PathText.parent(path))
        try Files.writeAtomically(path, Array(text.utf8), mode: 0o644, durable: false)
    }
}
