import Document
import Engine
import Foundation
import Host
import Steps
import Testing
import TestSupport

@Suite struct HostFileTests {
    let fixture: HostFixture
    init() throws { fixture = try HostFixture() }

    func run(_ content: String, mode: String = "0640") async throws -> ChangeSet {
        let driver = HostFile(id: "f", parameters: .init(path: "/etc/faf/token", content: .init(Sensitive(content)),
                                                          mode: mode, owner: "0:0"))
        let context = fixture.context(fixture.host)
        let plan = try await driver.check(context)
        try await driver.apply(plan, context)
        #expect(try await driver.verify(plan, context) == [])
        return plan
    }

    @Test func writesOnlyWhenSomethingDiffers() async throws {
        #expect(try await run("s3cret").hostLines == ["mkdir -p /etc/faf", "write /etc/faf/token (mode 0640, owner 0:0)"])
        #expect(fixture.text("/etc/faf/token") == "s3cret")
        #expect(try fixture.host.status("/etc/faf/token")?.mode == 0o640)

        #expect(try await run("s3cret").hostLines.isEmpty)
        #expect(try await run("s3cret", mode: "0600").hostLines == ["chmod 0600 /etc/faf/token"])
        let rewrite = try await run("rotated", mode: "0600")
        #expect(rewrite.hostLines == ["write /etc/faf/token (mode 0600, owner 0:0)"])
        #expect(!rewrite.hostLines.joined().contains("rotated"))
        #expect(fixture.text("/etc/faf/token") == "rotated")
        // Atomic replacement leaves no temporary files behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.hostFile("/etc/faf")) == ["token"])
    }
}

@Suite struct NodeLabelsTests {
    @Test func checkShowsANodeWithOnlyNameAndLabels() async throws {
        let fixture = try HostFixture()
        let driver = NodeLabels(id: "labels", parameters: .init(node: "main-01", labels: ["storage-id": "main-01", "faforever.com/tier": "db"]))
        let plan = try await driver.check(fixture.context(fixture.host))
        #expect(plan.hostLines.isEmpty)
        #expect(plan.objects == [["apiVersion": "v1", "kind": "Node",
                                  "metadata": ["name": "main-01", "labels": ["faforever.com/tier": "db", "storage-id": "main-01"]]]])
    }
}
