import ArgumentParser
import Kube
import FoundationEssentials
import Platform

/// The process entry: swift-argument-parser's `AsyncParsableCommand.main`, except that the command
/// line is parsed right here on the main thread.
///
/// The library's own main parses in an async function, which first moves to the cooperative pool:
/// a thread started and a hop for every run, `--version` and `validate` included (README,
/// Performance). The synchronous parse gives up only asynchronous shell-completion providers,
/// which bootstrap does not have.
@main
enum Entry {
    /// The commands that always talk to an API server (a real one, or a rehearsal's).
    static let reachesCluster: [any ParsableCommand.Type] = [ApplyCommand.self, PlanCommand.self, StatusCommand.self]

    static func main() async {
        // `--version` alone is answered before the parser, with the line the parser would print:
        // swift-argument-parser first reflects over the commands' properties (Mirror, a runtime
        // scan of every protocol conformance in the binary per type it meets), three quarters
        // of a `--version` run (docs/performance.md).
        if CommandLine.arguments.dropFirst().elementsEqual(["--version"]) {
            Console.out(BuildInfo.line)
            return
        }
        // A command that talks to an API server starts loading libcurl (3-5 ms of the dynamic
        // loader's work) before its options are parsed and its playbook read and checked.
        if let name = CommandLine.arguments.dropFirst().first, reachesCluster.contains(where: { $0.configuration.commandName == name }) {
            CurlLibrary.preload()
        }
        do {
            var command = try Bootstrap.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            // A command returns once all it started has ended and all it says is written.
            Processes.end(0)
        } catch {
            // A file error nothing caught names the file and the operation, not Foundation's dump.
            let error: any Error = (error as? CocoaError).map { FileFailure(message: SystemError.message(of: $0)) }
                ?? (error as? SystemError).map { FileFailure(message: $0.fileOperationMessage) } ?? error
            // Help and --version print as the library prints them; every error reads `error: …`,
            // as bootstrap's own do (the library writes `Error: …`).
            // Errors of bootstrap's own that a command let through map as the commands map them.
            let own = ExitStatus.of(error)
            let code = own != ExitStatus.failure ? ExitCode(own) : Bootstrap.exitCode(for: error)
            let message = Bootstrap.fullMessage(for: error)
            guard code != .success else { Bootstrap.exit(withError: error) }
            if !message.isEmpty {
                Console.err(message.hasPrefix("Error: ") ? "error: " + message.dropFirst("Error: ".count) : message)
            }
            // As a success ends: a read started ahead may still be waiting on the server, and
            // nothing of libcurl's or OpenSSL's may run at exit under it (``EarlyConnection/abandon()``).
            Processes.end(code.rawValue)
        }
    }
}

/// A file operation that failed, worded for the user (`cannot write FILE: reason`).
struct FileFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
