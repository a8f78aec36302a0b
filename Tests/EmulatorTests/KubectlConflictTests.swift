import Document
import Emulator
import Foundation
import Testing
import TestSupport

/// A person's `kubectl apply --server-side` over a field bootstrap applied: refused with the manager
/// named, as a real server does, until `--force-conflicts`.
@Suite struct KubectlConflictTests {
    @Test func kubectlIsRefusedAFieldBootstrapOwnsUntilForced() throws {
        guard let (emulator, kubectl, dir) = try KubectlTests.setUp() else { return }
        defer { emulator.stop(); try? FileManager.default.removeItem(at: dir) }
        let api = EmulatorClient(emulator)
        let cm: Value = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "namespace": "default"],
                         "data": ["mode": "production"]]
        #expect(try api.apply("/api/v1/namespaces/default/configmaps/settings", cm, query: "fieldManager=bootstrap&force=true").status == 201)

        let edit = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: default}
            data: {mode: staging}
            """
        let refused = try kubectl.run(["apply", "--server-side", "-f", "-"], stdin: edit)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains(#"Apply failed with 1 conflict: conflict with "bootstrap": .data.mode"#), "\(refused.stderr)")
        #expect(emulator.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings")?[path: ["data", "mode"]] == "production")

        let forced = try kubectl.run(["apply", "--server-side", "--force-conflicts", "-f", "-"], stdin: edit)
        #expect(forced.status == 0, "\(forced.stderr)")
        let stored = emulator.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings")
        #expect(stored?[path: ["data", "mode"]] == "staging")
        let managers = stored?[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap { $0["manager"]?.stringValue } ?? []
        #expect(managers == ["kubectl"], "bootstrap owned only data.mode, now kubectl's")
    }
}
