import Foundation
import Testing
import TestSupport

/// A file operation that fails names the file and the operation, never Foundation's error dump
/// (`bootstrap()` checks every run of the suite for the dump; this is a path that used to print it).
@Suite struct FileErrorTests {
    @Test func aRehearsalDirectoryThatIsAFileIsNamedWithTheReason() throws {
        let dir = TemporaryDirectory()
        let file = try dir.write("not-a-directory", "")
        let run = try bootstrap(["apply", CLITests.minimal, "--rehearsal", file, "--yes"])
        #expect(run.status == 1)
        #expect(run.stderr.contains("error: cannot write \(file)/host: Not a directory"), "\(run.stderr)")
    }
}
