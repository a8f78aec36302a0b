import Foundation
import Host
import Testing
import TestSupport

/// Owners are names as the node knows them (its own /etc/passwd and /etc/group under the host
/// root), modes as chmod takes them, and tree sizes count each file once.
@Suite struct OwnersTests {
    let root = TemporaryDirectory("owners")
    let host: LocalHost

    init() throws {
        try root.write("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nfaf:x:1500:1600::/home/faf:/bin/sh\n", mode: 0o644)
        try root.write("etc/group", "root:x:0:\nfaf:x:1600:\nmysql:x:999:\n", mode: 0o644)
        host = LocalHost(root: root.path)
    }

    @Test func ownersResolveFromTheHostsOwnDatabases() throws {
        #expect(try host.resolveOwner("1000:1001") == FileOwner(uid: 1000, gid: 1001))
        #expect(try host.resolveOwner("faf") == FileOwner(uid: 1500, gid: 1600))
        #expect(try host.resolveOwner("faf:mysql") == FileOwner(uid: 1500, gid: 999))
        #expect(try host.resolveOwner("0:faf") == FileOwner(uid: 0, gid: 1600))
    }

    @Test func anOwnerTheNodeDoesNotKnowIsAnErrorNamingTheFile() throws {
        // This machine has users the node may not: only the host root's files count.
        #expect { try host.resolveOwner("nobody") } throws: { "\($0)" == "user \"nobody\" is not in the host's /etc/passwd" }
        #expect { try host.resolveOwner("faf:wheel") } throws: { "\($0)" == "group \"wheel\" is not in the host's /etc/group" }
        #expect { try host.resolveOwner("1500") } throws: { "\($0)" == "owner \"1500\" needs a group: write uid:gid" }
        #expect { try host.resolveOwner("a:b:c") } throws: { "\($0)" == "owner \"a:b:c\" is not user:group" }
        #expect { try host.resolveOwner(":faf") } throws: { "\($0)" == "owner \":faf\" is not user:group" }
        #expect { try LocalHost(root: TemporaryDirectory("empty").path).resolveOwner("root") } throws: {
            "\($0)" == "user \"root\" is not in the host's /etc/passwd"
        }
    }

    @Test func modesParseAsChmodTakesThem() {
        #expect(parseMode("0750") == 0o750)
        #expect(parseMode("644") == 0o644)
        #expect(parseMode("4755") == 0o4755)
        #expect(parseMode("07777") == 0o7777)
        for bad in ["", "0758", "rwx", "17777", "000644", "-644"] { #expect(parseMode(bad) == nil, "\(bad)") }
        #expect(octal(0o7) == "0007")
        #expect(octal(0o4755) == "4755")
    }

    /// A tree's size: every entry counted, a hard-linked file's bytes once, links not followed,
    /// top-level names excluded on request.
    @Test func aTreeCountsEachFileOnceAndFollowsNoLink() async throws {
        try root.write("data/a", "12345")
        try root.write("data/sub/b", "123")
        try root.write("data/.bootstrap-staging/c", "1234567")
        try FileManager.default.linkItem(atPath: root.file("data/a"), toPath: root.file("data/sub/a-link"))
        try FileManager.default.createSymbolicLink(atPath: root.file("data/etc"), withDestinationPath: "/etc")
        let all = try await host.summarize("/data")
        // a, sub, sub/b, sub/a-link, .bootstrap-staging, .bootstrap-staging/c, etc
        #expect(all == TreeSummary(entries: 7, bytes: 5 + 3 + 7))
        let kept = try await host.summarize("/data", excluding: [".bootstrap-staging"])
        #expect(kept == TreeSummary(entries: 5, bytes: 5 + 3))
    }
}
