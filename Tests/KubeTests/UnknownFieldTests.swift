import Document
import Emulator
import Foundation
@testable import Kube
import TestSupport
import Testing

/// bootstrap never lets a field vanish: applies ask for fieldValidation=Strict, and whatever form the
/// server's refusal or warning takes, the caller gets an error naming the field.
@Suite struct UnknownFieldTests {
    static let route: Value = [
        "apiVersion": "traefik.io/v1alpha1", "kind": "IngressRoute", "metadata": ["name": "web", "namespace": "default"],
        "spec": ["routes": [["match": "Host(`x`)", "kind": "Rule", "middlewarez": [["name": "auth"]]]]],
    ]

    /// The emulator answers as kube-apiserver does (500, "field not declared in schema"): an error
    /// about the object, named, at once, not a server fault retried until the deadline.
    @Test func aCustomResourceWithAFieldItsCRDLacksIsRefused() async throws {
        let server = try EmulatorFixtures.started(crds: true)
        defer { server.stop() }
        let kube = KubeClient(config: try KubeConfig.parse(server.kubeconfigYAML(), path: "emulator.kubeconfig", context: nil))
        await #expect { _ = try await kube.apply(Self.route, dryRun: false) } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.reason == .invalid && error.message.hasPrefix(#"unknown field "spec.routes[0].middlewarez""#)
                && error.causes.map(\.field) == ["spec.routes[0].middlewarez"]
        }
        let patches = server.requests().filter { $0.method == "PATCH" }
        #expect(patches.count == 1, "never retried")
        #expect(patches.first?.query.contains("fieldValidation=Strict") == true)
        #expect(server.object(apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute", namespace: "default", name: "web") == nil)
    }

    /// A server that takes the object and only warns (fieldValidation ignored) still fails the apply.
    @Test func aWarningAboutAnUnknownFieldIsAnError() async throws {
        let accepted = ScriptedTransport.Outcome.response(HTTPResponse(
            status: 200, headers: ["warning": #"299 - "unknown field \"dataa\"", 299 - "unknown field \"spec.x\"""#],
            body: Array(#"{"kind":"ConfigMap"}"#.utf8)))
        let transport = ScriptedTransport([accepted])
        let kube = KubeClient(config: fakeConfig(), transport: transport, clock: VirtualClock().retryClock)
        await #expect {
            _ = try await kube.apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "y", "namespace": "x"], "dataa": ["a": "b"]], dryRun: false)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.reason == .invalid && error.causes.map(\.field) == ["dataa", "spec.x"]
                && error.message == #"the server dropped fields it does not know: unknown field "dataa", unknown field "spec.x""#
        }
        #expect(transport.sent.count == 1, "the one apply, not retried")
    }

    @Test func warningHeadersAreParsed() {
        #expect(KubeError.warnings(in: #"299 - "unknown field \"spec.foo\"""#) == [#"unknown field "spec.foo""#])
        #expect(KubeError.warnings(in: #"299 - "a" "Tue, 06 Oct 2026 10:00:00 GMT", 299 - "b""#) == ["a", "b"])
        #expect(KubeError.warnings(in: #"299 - "only" "Tue, 06 Oct 2026 10:00:00 GMT""#) == ["only"])
        #expect(KubeError.warnings(in: #"299 - "a, with a comma", 299 - "b""#) == ["a, with a comma", "b"])
        #expect(KubeError.warnings(in: "") == [])
        #expect(KubeError.warnings(in: #"299 - "unterminated"#) == [])
    }

    /// Several undeclared fields, as structured-merge-diff lists them: each named, and no retry.
    @Test func severalUndeclaredFieldsAreEachNamedAndNotRetried() async throws {
        let refused = ScriptedTransport.Outcome.response(HTTPResponse(status: 500, body: Array(JSON.encode([
            "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 500,
            "message": "failed to create typed patch object (x/y; /v1, Kind=ConfigMap): errors:\n  .dataa: field not declared in schema\n  .spec: field not declared in schema",
        ]).utf8)))
        let transport = ScriptedTransport([refused])
        let clock = VirtualClock()
        let kube = KubeClient(config: fakeConfig(), transport: transport, clock: clock.retryClock)
        await #expect {
            _ = try await kube.apply(["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "y", "namespace": "x"]], dryRun: false)
        } throws: { error in
            guard let error = error as? KubeError else { return false }
            return error.reason == .invalid && error.causes.map(\.field) == ["dataa", "spec"]
                && error.message.hasPrefix(#"unknown fields "dataa", "spec" (the server's schema does not declare them): "#)
        }
        #expect(transport.sent.count == 1, "the one apply, not retried")
        #expect(clock.sleeps.isEmpty)
    }
}
