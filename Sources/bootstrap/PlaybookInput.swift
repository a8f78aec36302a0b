import Platform
import ArgumentParser
import Document
import Engine
import FoundationEssentials
import Playbook
import Steps

/// The playbook argument and `--secrets`, shared by every command that reads a playbook.
struct PlaybookInput: ParsableArguments {
    @Argument(help: "The playbook file.")
    var playbook: String

    @Option(help: ArgumentHelp(
        "The secrets file (YAML, mode 0600).",
        discussion: "Default: $BOOTSTRAP_SECRETS, else secrets.yaml beside the playbook when it exists."))
    var secrets: String?

    /// The secrets file to read, if any: --secrets, $BOOTSTRAP_SECRETS, or secrets.yaml beside the playbook.
    func secretsPath() -> String? {
        if let secrets { return secrets }
        if let env = Environment.value(.secrets), !env.isEmpty { return env }
        let beside = URL(fileURLWithPath: playbook).deletingLastPathComponent().appendingPathComponent("secrets.yaml").path
        return Files.exists(beside) ? beside : nil
    }

    /// Loads and checks the playbook; prints diagnostics and exits 65 (66 when unreadable) on failure.
    /// With `json`, a failure also prints one JSON document on stdout holding what went to stderr.
    func load(permissions: Secrets.PermissionPolicy, json: Bool, skipped: [String] = [],
              parsed: ((_ name: String, _ hasSecrets: Bool) -> Void)? = nil) throws -> CheckedPlaybook {
        guard json else { return try load(permissions: permissions, skipped: skipped, parsed: parsed) }
        Console.startRecordingErrors()
        do {
            let checked = try load(permissions: permissions, skipped: skipped, parsed: parsed)
            _ = Console.stopRecordingErrors()
            return checked
        } catch {
            let lines = Console.stopRecordingErrors()
            Console.out(JSON.encode(["playbook": .string(playbook), "error": .string(lines.joined(separator: "\n"))], options: .pretty))
            throw error
        }
    }

    /// Loads and checks the playbook; prints diagnostics and exits 65 (66 when unreadable) on failure.
    /// Without `needsSecrets` (a command that uses no secret value), no secrets file is read and
    /// secret references are not errors.
    /// `skipped`: the steps `--skip` leaves out, for the checks of what other steps use of theirs.
    /// `parsed` learns the playbook's name (and whether secrets came with it) before the checks,
    /// the longest part: apply reads the ledger meanwhile.
    func load(permissions: Secrets.PermissionPolicy, needsSecrets: Bool = true, skipped: [String] = [],
              parsed: ((_ name: String, _ hasSecrets: Bool) -> Void)? = nil) throws -> CheckedPlaybook {
        guard Files.isReadable(playbook) else {
            Console.err("\(playbook): error: cannot read playbook: \(Files.exists(playbook) ? "permission denied" : "no such file")")
            throw ExitCode.of(ExitStatus.noInput)
        }
        if let problem = Self.notARegularFile(playbook) {
            Console.err("\(playbook): error: cannot read playbook: \(problem)")
            throw ExitCode.of(ExitStatus.noInput)
        }
        var secretWarnings: [Diagnostic] = []
        var loadedSecrets = needsSecrets ? Secrets.none : Secrets.notNeeded
        if needsSecrets, let path = secretsPath() {
            guard Files.exists(path) else {
                Console.err("\(path): error: cannot read secrets file: no such file")
                throw ExitCode.of(ExitStatus.noInput)
            }
            if let problem = Self.notARegularFile(path) {
                Console.err("\(path): error: cannot read secrets file: \(problem)")
                throw ExitCode.of(ExitStatus.noInput)
            }
            do {
                (loadedSecrets, secretWarnings) = try Secrets.load(path: path, policy: permissions)
                Masking.activate(loadedSecrets.allValues)
            } catch {
                Console.report(error.items)
                throw ExitCode.of(ExitStatus.invalidInput)
            }
        }
        // The structural problems (a duplicate step id, say) do not stop the later checks: every
        // error is reported at once.
        let loaded: Playbook
        let structural: [Diagnostic]
        do {
            (loaded, structural) = try PlaybookLoader.loadCollecting(path: playbook)
            parsed?(loaded.name, !loadedSecrets.allValues.isEmpty)
        } catch {
            Console.report(secretWarnings + error.items)
            throw ExitCode.of(ExitStatus.invalidInput)
        }
        do throws(Diagnostics) {
            let checked = try CheckedPlaybook.check(loaded, secrets: loadedSecrets, registry: StepCatalog.registry, skipped: Set(skipped))
            if structural.contains(where: { $0.severity == .error }) { throw Diagnostics(checked.warnings) }
            Console.report(secretWarnings + structural + checked.warnings)
            return checked
        } catch {
            Console.report(secretWarnings + Self.merged(structural, error.items))
            throw ExitCode.of(ExitStatus.invalidInput)
        }
    }

    /// Both lists in file order, without repeating a finding. Where the structure check already
    /// found an error, a later check's error at the same place is its echo ("missing its type",
    /// then "unknown type \"\""), and is left out.
    static func merged(_ structural: [Diagnostic], _ later: [Diagnostic]) -> [Diagnostic] {
        let rootCauses = Set(structural.filter { $0.severity == .error }.compactMap(\.mark))
        var seen: Set<Diagnostic> = []
        let echoesDropped = later.filter { $0.severity != .error || $0.mark.map { !rootCauses.contains($0) } ?? true }
        return (structural + echoesDropped).filter { seen.insert($0).inserted }.sorted {
            ($0.mark ?? Mark(file: "", line: 0, column: 0)) < ($1.mark ?? Mark(file: "", line: 0, column: 0))
        }
    }

    /// Why `path` is not a file to read (a directory, a device, a socket), or nil. A pipe is read
    /// (`--secrets <(pass show faf)`), bounded like a file.
    static func notARegularFile(_ path: String) -> String? {
        guard let info = (try? FileInfo.of(path, followingLinks: true)) ?? nil else { return nil }
        switch info.kind {
        case .file, .pipe: return nil
        case .directory: return "is a directory"
        case .symlink, .other: return "not a regular file"
        }
    }
}
