import Foundation
import TestSupport
import Testing

/// What keeps `bootstrap --version` and `validate` fast (README, Performance): libcurl and OpenSSL
/// are not loaded at start-up, and nothing of the whole of Foundation (CoreFoundation's start-up, ICU's
/// data) is linked in. The times themselves are measured by scripts/bench, not here.
@Suite(.enabled(if: which("readelf") != nil && which("nm") != nil, "binutils (readelf, nm) read the binary"))
struct StartupTests {
    @Test func theBinaryDoesNotLoadLibcurlAtStartUp() throws {
        let result = try runProcess(which("readelf")!, ["--dynamic", Paths.binary])
        #expect(result.status == 0)
        let needed = result.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty, "the dynamic section lists no libraries: \(result.stdout)")
        #expect(!needed.contains { $0.contains("libcurl") }, "libcurl is linked at start-up: \(needed)")
        // The emulator's TLS loads OpenSSL on first use too (Sources/TLSShim).
        for library in ["libssl", "libcrypto"] {
            #expect(!needed.contains { $0.contains(library) }, "\(library) is linked at start-up: \(needed)")
        }
    }

    /// A debug build links Swift's libraries dynamically, so a use of the whole of Foundation
    /// (rather than FoundationEssentials) in a source file is an undefined symbol of module
    /// `Foundation` (`$s10Foundation`). It does not see one kind of leak: swift-crypto imports
    /// Foundation, and under whole-module optimization alone (release builds) Foundation's
    /// `String.contains` once won overload resolution. MemberImportVisibility in Package.swift
    /// prevents that, and scripts/bench's `--version` row says whether a release binary links it.
    @Test func nothingOfTheWholeOfFoundationIsUsed() throws {
        let result = try runProcess(which("nm")!, ["--dynamic", "--undefined-only", Paths.binary])
        #expect(result.status == 0)
        let foundation = result.stdout.split(separator: "\n").filter { $0.contains("$s10Foundation") }
        #expect(foundation.isEmpty, "symbols of the whole of Foundation: \(foundation.prefix(10))")
    }
}

/// The binary users run: scripts/build-release's, which scripts/setup installs and scripts/bench
/// measures. scripts/test builds it and names it in BOOTSTRAP_RELEASE_BINARY.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["BOOTSTRAP_RELEASE_BINARY"] != nil,
                "scripts/test sets BOOTSTRAP_RELEASE_BINARY to scripts/build-release's binary"))
struct ReleaseBinaryTests {
    static var binary: String { ProcessInfo.processInfo.environment["BOOTSTRAP_RELEASE_BINARY"]! }

    @Test func versionNamesTheCommitItWasBuiltFrom() throws {
        let head = try runProcess("/usr/bin/env", ["git", "-C", Paths.repository, "rev-parse", "--short=12", "HEAD"])
        try #require(head.status == 0, "git: \(head.stderr)")
        let version = try runProcess(Self.binary, ["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("(commit \(head.stdout.trimmingCharacters(in: .whitespacesAndNewlines))"), "\(version.stdout)")
        #expect(!version.stdout.contains("development build"))
    }

    /// The Swift runtime, Foundation and libstdc++ are linked in, not loaded from the toolchain: a
    /// node has no toolchain, and loading them costs every start milliseconds. libcurl loads on
    /// first use.
    @Test(.enabled(if: which("readelf") != nil && which("nm") != nil, "binutils (readelf, nm) read the binary"))
    func linksNoSwiftLibraryDynamicallyAndNotTheWholeOfFoundation() throws {
        let dynamic = try runProcess(which("readelf")!, ["--dynamic", Self.binary])
        #expect(dynamic.status == 0)
        let needed = dynamic.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        for library in ["libswift", "libFoundation", "libdispatch", "libBlocksRuntime", "libcurl", "libssl", "libcrypto", "libicu", "libstdc++"] {
            #expect(!needed.contains { $0.contains(library) }, "\(library) is loaded at start-up: \(needed)")
        }
        // Loaded at a fixed address: no relocation of its data at every start (scripts/build-release).
        let header = try runProcess(which("readelf")!, ["--file-header", Self.binary])
        #expect(header.stdout.contains("EXEC (Executable file)"), "\(header.stdout)")
        // CoreFoundation's start-up and ICU's data come only with the whole of Foundation.
        let symbols = try runProcess(which("nm")!, [Self.binary])
        for symbol in ["__CFInitialize", "icudt"] {
            #expect(!symbols.stdout.contains(symbol), "\(symbol) is linked: the whole of Foundation came back")
        }
    }

    /// The quick start's rehearsal, with the binary the quick start builds.
    @Test func rehearsesFAFAsTheQuickStartSays() throws {
        let dir = TemporaryDirectory()
        let arguments = ["apply", Paths.repository + "/playbooks/faf.yaml", "--secrets", Paths.repository + "/secrets.example",
                         "--rehearsal", dir.file("faf")]
        let first = try runProcess(Self.binary, arguments)
        #expect(first.status == 0, "\(first.output)")
        let second = try runProcess(Self.binary, arguments)
        #expect(second.status == 0, "\(second.output)")
        #expect(second.output.contains(" 0 applied"), "the second run applies nothing: \(second.output)")
    }
}
