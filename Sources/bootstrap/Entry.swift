import ArgumentParser
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
    static func main() async {
        do {
            var command = try Bootstrap.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CocoaError {
            // A file error nothing caught names the file and the operation, not Foundation's dump.
            Bootstrap.exit(withError: FileFailure(message: SystemError.message(of: error)))
        } catch let error as SystemError {
            Bootstrap.exit(withError: FileFailure(message: error.fileOperationMessage))
        } catch {
            // Help and --version print as the library prints them; every error reads `error: …`,
            // as bootstrap's own do (the library writes `Error: …`).
            let code = Bootstrap.exitCode(for: error)
            let message = Bootstrap.fullMessage(for: error)
            guard code != .success, !message.isEmpty else { Bootstrap.exit(withError: error) }
            let text = message.hasPrefix("Error: ") ? "error: " + message.dropFirst("Error: ".count) : message
            Console.err(text)
            Bootstrap.exit(withError: ExitCode(code.rawValue))
        }
    }
}

/// A file operation that failed, worded for the user (`cannot write FILE: reason`).
struct FileFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
