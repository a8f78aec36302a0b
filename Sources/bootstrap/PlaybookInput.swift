import ArgumentParser
import Document
import Engine
import Foundation
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
        if let env = ProcessInfo.processInfo.environment["BOOTSTRAP_SECRETS"], !env.isEmpty { return env }
        let beside = URL(fileURLWithPath: playbook).deletingLastPathComponent().appendingPathComponent("secrets.yaml").path
        return FileManager.default.fileExists(atPath: beside) ? beside : nil
    }

    /// Loads and checks the playbook; prints diagnostics and exits 65 (66 when unreadable) on failure.
    func load(permissions: Secrets.PermissionPolicy) throws -> CheckedPlaybook {
        guard FileManager.default.isReadableFile(atPath: playbook) else {
            Console.err("\(playbook): error: cannot read playbook: \(FileManager.default.fileExists(atPath: playbook) ? "permission denied" : "no such file")")
            throw ExitCode.of(ExitStatus.noInput)
        }
        var secretWarnings: [Diagnostic] = []
        var loadedSecrets = Secrets.none
        if let path = secretsPath() {
            guard FileManager.default.fileExists(atPath: path) else {
                Console.err("\(path): error: cannot read secrets file: no such file")
                throw ExitCode.of(ExitStatus.noInput)
            }
            do {
                (loadedSecrets, secretWarnings) = try Secrets.load(path: path, policy: permissions)
            } catch {
                Console.report(error.items)
                throw ExitCode.of(ExitStatus.invalidInput)
            }
        }
        do {
            let checked = try CheckedPlaybook.load(path: playbook, secrets: loadedSecrets, registry: StepCatalog.registry)
            Console.report(secretWarnings + checked.warnings)
            return checked
        } catch {
            Console.report(secretWarnings + error.items)
            throw ExitCode.of(ExitStatus.invalidInput)
        }
    }
}
