import Foundation
import TestSupport
import Testing

/// What keeps `bootstrap --version` and `validate` fast (README, Performance): libcurl is not
/// loaded at start-up, and nothing of the whole of Foundation (CoreFoundation's start-up, ICU's
/// data) is linked in. The times themselves are measured by scripts/bench, not here.
@Suite(.enabled(if: which("readelf") != nil && which("nm") != nil, "binutils (readelf, nm) read the binary"))
struct StartupTests {
    @Test func theBinaryDoesNotLoadLibcurlAtStartUp() throws {
        let result = try runProcess(which("readelf")!, ["--dynamic", Paths.binary])
        #expect(result.status == 0)
        let needed = result.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
        #expect(!needed.isEmpty, "the dynamic section lists no libraries: \(result.stdout)")
        #expect(!needed.contains { $0.contains("libcurl") }, "libcurl is linked at start-up: \(needed)")
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
