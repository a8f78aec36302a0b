import Document
import Emulator
import Engine
import Foundation
import Kube
import Testing
import TestSupport

/// Secrets outside Secrets: refused where they would be stored in the clear, redacted in diffs.
@Suite struct SecretExposureTests {
    static let oldSecret = "Old-Rotated-S3cret-Value"
    static let newSecret = "New-Rotated-S3cret-Value"

    static func deployment(_ value: String) -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: test}
        steps:
          - id: ns
            type: kube.namespaces
            with: {names: [ns-0]}
          - id: app
            type: kube.objects
            needs: [ns]
            with:
              objects:
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: app, namespace: ns-0}
                  spec:
                    selector: {matchLabels: {app: a}}
                    template:
                      metadata: {labels: {app: a}}
                      spec:
                        containers: [{name: a, image: "nginx:1", args: ["--token=\(value)"]}]

        """
    }

    @Test func aRotatedSecretsOldValueIsNotPrintedByPlan() async throws {
        let rig = try EngineRig()
        let text = Self.deployment("${{ secrets.app.token }}")
        _ = try await rig.apply(try rig.playbook(text, secrets: "app:\n  token: \(Self.oldSecret)\n"))
        let plan = try await rig.plan(try rig.playbook(text, secrets: "app:\n  token: \(Self.newSecret)\n"))
        let app = try #require(plan.steps.first { $0.id == "app" })
        #expect(app.objects.first?.action == .update)
        let printed = plan.text(playbookPath: "test.yaml") + JSON.encode(plan.json)
        #expect(!printed.contains(Self.oldSecret), "the old value of a rotated secret was printed")
        #expect(!printed.contains(Self.newSecret))
        #expect(printed.contains("(sensitive)"))
    }

    @Test func secretsInLabelsAnnotationsAndConfigMapDataAreRefused() throws {
        let rig = try EngineRig()
        let text = """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: test}
            steps:
              - id: app
                type: kube.objects
                with:
                  objects:
                    - apiVersion: v1
                      kind: ConfigMap
                      metadata:
                        name: c
                        namespace: default
                        labels: {token: "${{ secrets.app.token }}"}
                        annotations: {note: "token ${{ secrets.app.token }}"}
                      data: {token: "${{ secrets.app.token }}", plain: "x"}

            """
        #expect {
            _ = try rig.playbook(text, secrets: "app:\n  token: \(Self.oldSecret)\n")
        } throws: { error in
            let printed = (error as? Diagnostics)?.description ?? ""
            return printed == """
                test.yaml:14:29: error: step "app": object labels cannot hold a secret (labels.token); put it in a Secret
                test.yaml:15:33: error: step "app": object annotations cannot hold a secret (annotations.note); put it in a Secret
                test.yaml:16:25: error: step "app": a ConfigMap cannot hold a secret (data.token); put it in a Secret
                """ && !printed.contains(Self.oldSecret)
        }
    }

    /// A pod template's labels and annotations land on every ReplicaSet, Job and Pod made from it, and a
    /// container's env[].value on every Pod: every kind that embeds a pod template is held to the rule.
    @Test func secretsInPodTemplatesAndContainerEnvAreRefusedOnEveryKind() throws {
        let rig = try EngineRig()
        let template = """
            {metadata: {labels: {t: "${{ secrets.app.token }}"}, annotations: {n: "${{ secrets.app.token }}"}},
             spec: {containers: [{name: c, image: x, env: [{name: TOKEN, value: "${{ secrets.app.token }}"}]}]}}
            """
        let objects = [
            "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}, spec: {template: \(template)}}",
            "{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s}, spec: {template: \(template)}}",
            "{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: ds}, spec: {template: \(template)}}",
            "{apiVersion: batch/v1, kind: Job, metadata: {name: j}, spec: {template: \(template)}}",
            "{apiVersion: batch/v1, kind: CronJob, metadata: {name: cj}, spec: {schedule: '@daily', jobTemplate: "
                + "{metadata: {labels: {t: \"${{ secrets.app.token }}\"}}, spec: {template: \(template)}}}}",
            "{apiVersion: v1, kind: PodTemplate, metadata: {name: pt}, template: \(template)}",
            "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {initContainers: [{name: i, image: x, "
                + "env: [{name: TOKEN, value: \"${{ secrets.app.token }}\"}]}], containers: [{name: c, image: x}]}}",
        ]
        let text = """
            apiVersion: bootstrap.faforever.com/v1
            kind: Playbook
            metadata: {name: test}
            steps:
              - id: app
                type: kube.objects
                with:
                  objects:
            \(objects.map { "        - \($0.replacingOccurrences(of: "\n", with: " "))" }.joined(separator: "\n"))

            """
        #expect {
            _ = try rig.playbook(text, secrets: "app:\n  token: \(Self.oldSecret)\n")
        } throws: { error in
            let printed = (error as? Diagnostics)?.description ?? ""
            let lines = printed.split(separator: "\n")
            let expected = [
                "template labels cannot hold a secret (spec.template.metadata.labels.t)",
                "template annotations cannot hold a secret (spec.template.metadata.annotations.n)",
                "the environment variable TOKEN cannot hold a secret in env[].value (spec.template.spec.containers.0.env.0.value)",
                "template labels cannot hold a secret (spec.jobTemplate.metadata.labels.t)",
                "(spec.jobTemplate.spec.template.metadata.labels.t)",
                "(spec.jobTemplate.spec.template.spec.containers.0.env.0.value)",
                "template labels cannot hold a secret (template.metadata.labels.t)",
                "(template.spec.containers.0.env.0.value)",
                "(spec.initContainers.0.env.0.value)",
            ]
            // Deployment, StatefulSet, DaemonSet, Job: 3 each; CronJob 4; PodTemplate 3; Pod 1.
            return lines.count == 20 && expected.allSatisfy { printed.contains($0) } && !printed.contains(Self.oldSecret)
                && lines.allSatisfy { $0.hasPrefix("test.yaml:") && $0.contains("put it in a Secret") }
        }
    }
}
