import Foundation
import Testing
import TestSupport

/// `--recopy` clears what a finished copy holds: it refuses while a workload runs with the volume
/// mounted, names it and says to scale it to 0 first, and copies again once it is stopped.
@Suite struct RecopyTests {
    static func playbook(replicas: Int) -> String {
        """
        apiVersion: bootstrap.faforever.com/v1
        kind: Playbook
        metadata: {name: recopy}
        steps:
          - id: namespaces
            type: kube.namespaces
            with: {names: [apps]}
          - id: volumes
            type: storage.local-volumes
            needs: [namespaces]
            with:
              dataset: tank/faf
              dataRoot: /tank/faf
              nodeSelector: {storage-id: node-1}
              volumes:
                - {name: content, namespace: apps, size: 1Gi, migrateFrom: /opt/faf-stack/data/content}
          - id: web
            type: kube.objects
            needs: [volumes]
            with:
              objects:
                - apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: web, namespace: apps}
                  spec:
                    replicas: \(replicas)
                    strategy: {type: Recreate}
                    selector: {matchLabels: {app: web}}
                    template:
                      metadata: {labels: {app: web}}
                      spec:
                        containers: [{name: nginx, image: "nginx:1.20"}]
                        volumes: [{name: content, persistentVolumeClaim: {claimName: content-pvc}}]

        """
    }

    @Test func recopyIsRefusedWhileAWorkloadMountsTheVolumeAndRunsOnceItIsScaledToZero() throws {
        let dir = TemporaryDirectory()
        try dir.write("r/host/opt/faf-stack/data/content/index.html", "v1", mode: 0o644)
        try dir.write("pb.yaml", Self.playbook(replicas: 1))
        let run = { (arguments: [String]) in try bootstrap(arguments + [dir.file("pb.yaml"), "--rehearsal", dir.file("r")]) }
        let applied = try run(["apply"])
        #expect(applied.status == 0, "\(applied.output)")
        let log = { (try? String(contentsOfFile: dir.file("r/host.log"), encoding: .utf8)) ?? "" }

        let refusal = "--recopy content: Deployment apps/web runs 1 pod with /tank/faf/content mounted (claim apps/content-pvc): "
            + "scale it to 0 first (`kubectl -n apps scale deployment web --replicas=0`)"
        let plan = try run(["plan", "--recopy", "content"])
        #expect(plan.stdout.contains("FAILED: volumes: not in use: " + refusal), "\(plan.stdout)")
        let refused = try run(["apply", "--recopy", "content"])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.stderr.contains("the pre-flight failed; nothing was changed"), "\(refused.stderr)")
        #expect(refused.stderr.contains(refusal), "\(refused.stderr)")
        #expect(!log().contains("bootstrap-before-recopy"), "nothing was snapshotted or cleared")
        #expect(FileManager.default.fileExists(atPath: dir.file("r/host/tank/faf/content/index.html")))

        // Scaled to 0 (here through the playbook; kubectl scale on a node): the copy is redone.
        try dir.write("pb.yaml", Self.playbook(replicas: 0))
        let scaled = try run(["apply"])
        #expect(scaled.status == 0, "\(scaled.output)")
        try dir.write("r/host/opt/faf-stack/data/content/index.html", "v2", mode: 0o644)
        let recopied = try run(["apply", "--recopy", "content"])
        #expect(recopied.status == 0, "\(recopied.output)")
        #expect(log().contains("zfs snapshot tank/faf/content@bootstrap-before-recopy-"), "\(log())")
        #expect((try? String(contentsOfFile: dir.file("r/host/tank/faf/content/index.html"), encoding: .utf8)) == "v2")
    }
}
