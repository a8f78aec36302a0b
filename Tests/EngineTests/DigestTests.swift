import Document
import Engine
import Foundation
import Testing

/// What the ledger's step digests promise: the walk digests steps without secrets before the
/// ledger key arrives, and parameters already canonical are digested as they are, not rebuilt.
@Suite struct DigestTests {
    static let key = Data("ledger-key-0123456789".utf8)
    static let plain: Value = ["name": "lobby", "replicas": 2, "ports": [["port": 8001]], "files": ["a.conf": "x=1\n"]]

    static func digest(_ parameters: Value, key: Data?) -> String? {
        Digester(key: key).digest(type: "app.workload", version: 1, parameters: parameters)
    }

    @Test func aStepWithoutSecretsDigestsAlikeWithTheLedgerKeyOrWithout() throws {
        let keyless = try #require(Self.digest(Self.plain, key: nil))
        #expect(Self.digest(Self.plain, key: Self.key) == keyless)
        #expect(Self.digest(["name": "lobby", "replicas": 3, "ports": [["port": 8001]], "files": ["a.conf": "x=1\n"]], key: nil) != keyless)
    }

    @Test func aStepWithASecretNeedsTheKeyAndItsDigestFollowsTheSecret() throws {
        func withSecret(_ text: String) -> Value {
            var parameters = Self.plain
            parameters["env"] = ["TOKEN": .sensitive(Sensitive(text))]
            return parameters
        }
        #expect(Self.digest(withSecret("old-value"), key: nil) == nil, "no plain hash of a secret")
        let old = try #require(Self.digest(withSecret("old-value"), key: Self.key))
        #expect(Self.digest(withSecret("new-value"), key: Self.key) != old)
        #expect(Self.digest(withSecret("old-value"), key: Data("another-cluster-key".utf8)) != old)
        #expect(Self.digest(withSecret("old-value"), key: Self.key) == old)
    }

    /// A whole number read as a double (YAML's 2.0, JSON's 2) digests as the integer, wherever it sits.
    @Test func wholeNumberDoublesDigestAsIntegers() {
        let doubles: Value = ["name": "lobby", "replicas": .double(2), "ports": [["port": .double(8001)]], "files": ["a.conf": "x=1\n"]]
        #expect(Self.digest(doubles, key: nil) == Self.digest(Self.plain, key: nil))
        #expect(Self.digest(["ratio": .double(0.5)], key: nil) != Self.digest(["ratio": 0], key: nil))
    }
}
