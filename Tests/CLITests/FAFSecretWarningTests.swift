import Testing
import TestSupport

/// playbooks/faf.yaml validates without a warning that a variable of its env files looks like a
/// secret: the validator and `bootstrap import` share one rule, which knows the league service's
/// `*_ROUTING_KEY`s are RabbitMQ routing keys, not credentials.
@Suite struct FAFSecretWarningTests {
    @Test func fafPlaybookValidatesWithoutSecretLookalikeWarnings() throws {
        let result = try bootstrap(["validate", FAFRehearsalTests.playbook, "--secrets", FAFRehearsalTests.secrets])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("faf.yaml: ok"), "\(result.stdout)")
        #expect(!result.stderr.contains("looks like a secret"), "\(result.stderr)")
        #expect(!result.stderr.contains("ROUTING_KEY"), "\(result.stderr)")
    }
}
