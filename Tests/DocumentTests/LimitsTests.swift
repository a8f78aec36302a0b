import Foundation
import Testing
@testable import Document

/// Inputs that used to crash or exhaust memory: too deep, too large, not a file, not UTF-8, unknown tags.
@Suite struct InputLimitTests {
    @Test func deepYAMLIsRefusedWithItsPosition() {
        // 12,100 levels crashed every command with a stack overflow.
        let text = "a: " + String(repeating: "[", count: 12_100) + String(repeating: "]", count: 12_100) + "\n"
        do {
            _ = try YAML.parse(text, file: "deep.yaml")
            Issue.record("a 12,100-deep document was accepted")
        } catch {
            #expect(error.items.count == 1)
            #expect(error.description.hasPrefix("deep.yaml:1:\(3 + Limits.maxDepth): error: nesting deeper than \(Limits.maxDepth) levels"))
        }
    }

    @Test func nestingUpToTheLimitIsRead() throws {
        let depth = Limits.maxDepth
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        _ = try YAML.parse(text, file: "ok.yaml")
        _ = try JSON.decode(text)
    }

    @Test func deepJSONIsRefused() {
        let depth = Limits.maxDepth + 1
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect { try JSON.decode(text) } throws: { "\($0)".contains("nesting deeper than \(Limits.maxDepth) levels") }
    }

    @Test func largeHonestFilesAreNotMistakenForAliasBombs() throws {
        var text = ""
        for i in 0..<60_000 { text += "k\(i): [a, b]\n" }   // 180,000 nodes, no alias
        let node = try YAML.parseOne(text, file: "big.yaml")
        #expect(node.mapping?.count == 60_000)
    }

    @Test func unknownTagsAreRefused() {
        #expect {
            _ = try YAML.parse("a: !secret x\nb: !!binary aGk=\nc: !!str ok\nd: !!map {x: 1}\n", file: "t.yaml")
        } throws: { error in
            (error as? Diagnostics)?.description == """
                t.yaml:1:4: error: unknown YAML tag "!secret"; only the core schema's tags (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map) are read
                t.yaml:2:4: error: unknown YAML tag "tag:yaml.org,2002:binary"; only the core schema's tags (!!str, !!int, !!float, !!bool, !!null, !!seq, !!map) are read
                """
        }
    }

    @Test func nonRegularFilesAreRefused() throws {
        #expect { try TextFile.read("/dev/zero") } throws: { "\($0)" == "not a regular file" }
        #expect { try TextFile.read("/tmp") } throws: { "\($0)" == "is a directory" }
    }

    @Test func oversizedFilesAreRefused() throws {
        let path = NSTemporaryDirectory() + "big-\(getpid()).yaml"
        defer { unlink(path) }
        try Data(repeating: 0x61, count: Limits.maxFileBytes + 1).write(to: URL(fileURLWithPath: path))
        #expect { try TextFile.read(path) } throws: { "\($0)" == "larger than \(Limits.maxFileBytes / 1_048_576) MiB" }
    }

    @Test func invalidUTF8IsRefusedWithItsPosition() throws {
        let path = NSTemporaryDirectory() + "bad-\(getpid()).yaml"
        defer { unlink(path) }
        try Data([0x61, 0x3A, 0x20, 0x62, 0x0A, 0x63, 0x3A, 0x20, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: path))
        #expect { try TextFile.read(path) } throws: { error in
            (error as? TextFile.ReadError)?.reason == "not valid UTF-8" && (error as? TextFile.ReadError)?.line == 2
                && (error as? TextFile.ReadError)?.column == 4
        }
    }
}
