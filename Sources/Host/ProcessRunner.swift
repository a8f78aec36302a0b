import Foundation
import Platform

/// Runs a program with Foundation's Process, off the cooperative thread pool, capturing its output.
enum ProcessRunner {
    static func run(argv: [String], environment: [String: String], input: String?) async throws -> CommandResult {
        guard let program = argv.first else { throw HostError.io("empty command") }
        let executable = try locate(program, path: environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        return try await Blocking.run(name: "host-command") {
            try runBlocking(executable, Array(argv.dropFirst()), environment, input)
        }
    }

    static func locate(_ program: String, path: String) throws -> String {
        if program.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: program) else { throw HostError.commandNotFound(program) }
            return program
        }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(program)"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw HostError.commandNotFound(program)
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], _ environment: [String: String],
                                    _ input: String?) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        do { try process.run() } catch {
            throw HostError.io("cannot run \(executable): \(error.localizedDescription)")
        }
        // Input is fed and both outputs drained together on this one thread, so a chatty program
        // cannot block on a full pipe.
        let (out, err) = PipeExchange.run(input: Array((input ?? "").utf8), inputFD: stdin.fileHandleForWriting.fileDescriptor,
                                          closeInput: { try? stdin.fileHandleForWriting.close() },
                                          outputFD: stdout.fileHandleForReading.fileDescriptor,
                                          errorFD: stderr.fileHandleForReading.fileDescriptor)
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self))
    }
}
