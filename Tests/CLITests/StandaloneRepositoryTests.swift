import Foundation
import Testing
import TestSupport

/// The repository stands on its own: a user's clone has nothing beside it, so no file of the project
/// reads the reference folder the project was developed next to.
@Suite struct StandaloneRepositoryTests {
    @Test func noFileOfTheProjectReadsOutsideTheRepository() throws {
        // Spelled in two parts, so this file does not match itself.
        let outside = ".." + "/shared"
        let grep = try runProcess("/usr/bin/env", ["git", "-C", Paths.repository, "grep", "--untracked", "-l", "-F", outside, "--", "."])
        // git grep: 1 is "no match", 0 is "matches"; anything else (no git, no repository) is a failure here.
        #expect(grep.status == 1, "files that read \(outside):\n\(grep.stdout)\(grep.stderr)")
    }

    /// Two rehearsals started at once on one new directory: the directory's lock is taken before
    /// anything is written, so one runs and the other stops with 75 naming the holder; neither
    /// dies on a file the other removed.
    @Test func twoRehearsalsOnOneNewDirectoryNeverCollide() throws {
        let dir = TemporaryDirectory()
        let rehearsal = dir.file("faf")
        let arguments = ["apply", Paths.repository + "/playbooks/faf.yaml", "--secrets", Paths.repository + "/secrets.example",
                         "--rehearsal", rehearsal]
        let processes = (0..<2).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Paths.binary)
            process.arguments = arguments
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            return (process, err)
        }
        for (process, _) in processes { try process.run() }
        let results = processes.map { process, err in
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (status: process.terminationStatus, stderr: text)
        }
        #expect(results.contains { $0.status == 0 }, "\(results)")
        for result in results where result.status != 0 {
            #expect(result.status == 75, "\(result.stderr)")
            #expect(result.stderr.contains("holds this node's lock (/var/lib/bootstrap/apply.lock): "), "\(result.stderr)")
            #expect(!result.stderr.contains("Error Domain="))
        }
    }
}
