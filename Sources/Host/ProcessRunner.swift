import FoundationEssentials
import Platform

/// Runs a program off the cooperative thread pool, capturing its output. The child runs in a
/// process group of its own, dies with bootstrap, and is reached by an interruption (``Children``).
enum ProcessRunner {
    static func run(argv: [String], environment: [String: String], input: String?) async throws -> CommandResult {
        guard let program = argv.first else { throw HostError.io("empty command") }
        let executable = try locate(program, path: environment[.path] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        let arguments = Array(argv.dropFirst())
        return try await Blocking.run(name: "host-command") {
            let result: Processes.Result
            do {
                result = try Processes.run(executable, arguments: arguments, environment: environment, input: Array((input ?? "").utf8))
            } catch let stopped as Processes.Stopped {
                throw HostError.io("\(stopped): \(argv.map(shellQuote).joined(separator: " "))")
            } catch {
                throw HostError.io("cannot run \(executable): \(SystemError.message(of: error))")
            }
            var stderr = String(decoding: result.error, as: UTF8.self)
            if let signal = result.exit.signal {
                stderr += (stderr.isEmpty || stderr.hasSuffix("\n") ? "" : "\n") + "(ended by signal \(signal))"
            }
            return CommandResult(status: result.exit.status, stdout: String(decoding: result.output, as: UTF8.self), stderr: stderr)
        }
    }

    static func locate(_ program: String, path: String) throws -> String {
        guard let found = Processes.locate(program, path: path) else { throw HostError.commandNotFound(program) }
        return found
    }
}
