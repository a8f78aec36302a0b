import Document
import Emulator
import Engine
import Foundation
import Kube
import Synchronization
import Testing
import TestSupport

/// A field changed by another field manager: plan names the manager, apply takes the field back and says so.
@Suite struct TakeoverTests {
    @Test func planNamesTheManagerWhoseFieldApplyTakesOver() async throws {
        let rig = try EngineRig()
        let playbook = try rig.playbook("""
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: takeover}
            steps:
              - id: cm
                type: kube.objects
                with:
                  objects:
                    - {apiVersion: v1, kind: ConfigMap, metadata: {name: settings, namespace: default}, data: {mode: "on"}}
            """)
        _ = try await rig.apply(playbook)
        // A person's `kubectl apply --server-side --force-conflicts` of another value.
        let edit = try EmulatorClient(rig.server).apply("/api/v1/namespaces/default/configmaps/settings",
            ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings", "namespace": "default"], "data": ["mode": "off"]],
            query: "fieldManager=kubectl&force=true")
        #expect(edit.status == 200)

        let plan = try await rig.plan(playbook, verify: true)
        let text = plan.text(playbookPath: "takeover.yaml")
        #expect(text.contains("~ data.mode: \"off\" -> \"on\""), "\(text)")
        #expect(text.contains("! takes over a field: conflict with \"kubectl\""), "\(text)")
        let takeovers = plan.json["steps"]?.arrayValue?.first?["objects"]?.arrayValue?.first?["takeovers"]?.arrayValue ?? []
        #expect(takeovers.count == 1)

        let events = EventLog()
        let report = try await Walker(host: rig.host, connection: rig.connection(), options: WalkOptions(verify: true),
                                      progress: { events.append($0) }).apply(playbook)
        #expect(report.failed.isEmpty)
        #expect(rig.server.object(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings")?[path: ["data", "mode"]] == "on")
        #expect(events.lines.contains { $0.contains("took over fields of another manager on ConfigMap default/settings") && $0.contains("kubectl") })
    }
}

/// Progress events as text, collected across tasks.
final class EventLog: Sendable {
    private let collected = Mutex<[String]>([])
    func append(_ event: ProgressEvent) {
        if case .waiting(_, let what) = event { collected.withLock { $0.append(what) } }
    }
    var lines: [String] { collected.withLock { $0 } }
}
