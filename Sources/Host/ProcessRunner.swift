import Foundation

/// Runs a program with Foundation's Process, off the cooperative thread pool, capturing its output.
enum ProcessRunner {
    static func run(argv: [String], environment: [String: String], input: String?) async throws -> CommandResult {
        guard let program = argv.first else { throw HostError.io("empty command") }
        let executable = try locate(program, path: environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin")
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    continuation.resume(returning: try runBlocking(executable, Array(argv.dropFirst()), environment, input))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
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
        // Both pipes are drained concurrently so a chatty program cannot block on a full pipe.
        let errorOutput = Drain(stderr.fileHandleForReading)
        let writer = Thread {
            if let data = input?.data(using: .utf8) { try? stdin.fileHandleForWriting.write(contentsOf: data) }
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: errorOutput.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on its own thread.
private final class Drain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
