import Document
import Foundation
import Testing
import TestSupport

/// docs/bootstrap.1, the man page scripts/setup installs, is committed (rendering it builds every
/// product again) and held here to the command-line definitions: every command and every long
/// option, in the binary's own order. After changing the command line, run scripts/generate-man.
@Suite struct ManPageTests {
    typealias Entry = (command: String, options: [String])

    /// Commands in preorder with their long options, as `--experimental-dump-help` describes them
    /// (hidden ones left out, as the page leaves them out; --help and --version are everywhere).
    static func definitions() throws -> [Entry] {
        let dump = try bootstrap(["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump.stderr)")
        var entries: [Entry] = []
        func walk(_ command: Value) {
            var longs = Set<String>()
            for argument in command["arguments"]?.arrayValue ?? [] where argument["shouldDisplay"]?.boolValue != false {
                for name in argument["names"]?.arrayValue ?? [] where name["kind"]?.stringValue?.hasPrefix("long") == true {
                    if let text = name["name"]?.stringValue { longs.insert(text) }
                }
            }
            entries.append((command["commandName"]?.stringValue ?? "?", longs.subtracting(["help", "version"]).sorted()))
            for sub in command["subcommands"]?.arrayValue ?? [] where sub["shouldDisplay"]?.boolValue != false { walk(sub) }
        }
        walk(try JSON.decode(Array(dump.stdout.utf8))["command"] ?? .null)
        return entries
    }

    /// The same read from the page: `.It Em NAME` opens a command, `Fl -NAME` (or `, -NAME`) is an option.
    static func page() throws -> [Entry] {
        let text = try String(contentsOfFile: Paths.repository + "/docs/bootstrap.1", encoding: .utf8)
        var entries: [(command: String, options: Set<String>)] = []
        let option = /(?:Fl |, )-([A-Za-z][\w-]*)/
        for line in text.split(separator: "\n") {
            if line.hasPrefix(".Sh DESCRIPTION") { entries = [("bootstrap", [])]; continue }
            guard !entries.isEmpty else { continue }
            if line.hasPrefix(".It Em ") {
                entries.append((String(line.dropFirst(7).split(separator: " ").first ?? ""), []))
                continue
            }
            for match in line.matches(of: option) { entries[entries.count - 1].options.insert(String(match.1)) }
        }
        return entries.map { ($0.command, $0.options.subtracting(["help", "version"]).sorted()) }
    }

    @Test func thePageHasEveryCommandAndOptionOfTheBinary() throws {
        let defined = try Self.definitions(), documented = try Self.page()
        #expect(defined.count > 5, "the binary describes \(defined.count) commands")
        #expect(defined.map(\.command) == documented.map(\.command), "run scripts/generate-man")
        for (d, p) in zip(defined, documented) where d.command == p.command {
            #expect(d.options == p.options, "\(d.command): the page's options differ from the binary's; run scripts/generate-man")
        }
    }
}
