import Foundation
import Testing
import TestSupport

/// The charter's "system calls in one place": only the Platform module reaches the file system,
/// the process table and the environment through Foundation or the C library, so a rooted path, a
/// redacted variable or an error's wording is decided there once.
@Suite struct OSSeamTests {
    @Test func onlyPlatformCallsFileManagerProcessInfoOrGetenv() throws {
        // Spelled apart, so this file does not match itself (it lives under Tests, not Sources).
        let pattern = ["File" + "Manager", "Process" + "Info", "get" + "env("].joined(separator: "\\|")
        let grep = try runProcess("/usr/bin/env", ["git", "-C", Paths.repository, "grep", "--untracked", "-n", pattern, "--", "Sources", ":!Sources/Platform"])
        // git grep: 1 is "no match"; anything else (matches, no repository) fails here.
        #expect(grep.status == 1, "route these through Platform (Files, Processes, Environment):\n\(grep.stdout)\(grep.stderr)")
    }
}
