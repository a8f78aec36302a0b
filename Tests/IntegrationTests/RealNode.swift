import Document
import Engine
import Foundation
import Host
import Kube
import Testing
import TestSupport

/// The real node of the test cluster (`scripts/kube-node`): kubelet, containerd, CNI bridge and
/// portmap, kube-proxy and kube-scheduler, registered as `faf-main` with label `storage-id=main-01`
/// (what playbooks/faf.yaml names), running containers of the stand-in images
/// `scripts/node-images/images` lists. Its address, and that of a client network namespace wired to
/// it, exist only inside network namespaces the test run created.
enum RealNode {
    static func name() throws -> String { try RealServer.setting("BOOTSTRAP_TEST_NODE_NAME") }
    static func ip() throws -> String { try RealServer.setting("BOOTSTRAP_TEST_NODE_IP") }
    static func clientIP() throws -> String { try RealServer.setting("BOOTSTRAP_TEST_CLIENT_IP") }

    /// Opens a TCP connection from the client network namespace to `host:port`, sends `input` and
    /// returns what came back before the peer closed (busybox nc, at most 10 s).
    static func dialFromClient(_ host: String, _ port: Int, input: String = "") throws -> ProcessResult {
        let netns = try RealServer.setting("BOOTSTRAP_TEST_CLIENT_NETNS")
        guard let nsenter = which("nsenter"), which("busybox") != nil else {
            throw RealServer.NotRunning(description: "nsenter or busybox is missing: scripts/kube-apiserver build installs them")
        }
        return try runProcess(nsenter, ["--net=\(netns)", "busybox", "nc", "-w", "10", host, String(port)], input: input)
    }

    /// The pods of a namespace, as the kubelet reports them.
    static func pods(_ namespace: String, selector: String? = nil) async throws -> [Value] {
        try await RealServer.client().list(apiVersion: "v1", kind: "Pod", namespace: namespace, labelSelector: selector)
    }

    /// A namespace of a test's own, gone with the test's pods when the test ends (`delete`, not
    /// waited for: the node ends the pods within their 1 s grace).
    static func namespace(_ prefix: String) throws -> String {
        let name = "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())"
        try RealServer.kubectlOK(["create", "namespace", name])
        return name
    }

    static func deleteNamespace(_ name: String) {
        _ = try? RealServer.kubectl(["delete", "namespace", name, "--wait=false"])
    }

    /// Waits for a pod of `selector` whose status satisfies `condition`, and returns it.
    static func waitForPod(_ namespace: String, _ selector: String, _ what: String, timeout: Duration = .seconds(90),
                           _ condition: @escaping (Value) -> Bool) async throws -> Value {
        var found: Value?
        try await eventually(what, timeout: timeout) {
            found = try await pods(namespace, selector: selector).first(where: condition)
            return found != nil
        }
        return found!
    }

    static func isReady(_ pod: Value) -> Bool {
        (pod[path: ["status", "conditions"]]?.arrayValue ?? []).contains { $0["type"] == "Ready" && $0["status"] == "True" }
    }
}

/// The test-only image map: every `image:` of an `app.workload` step becomes the stand-in
/// `bootstrap.test/<image>` that scripts/node-images/images builds for it (busybox doing what the
/// node can check of the real service: its ports, its data directory's lock, its user, its
/// configuration file). An image without a stand-in is an error naming it, so a new service in
/// faf.yaml needs a line there before this suite runs it. Production code has no such mapping:
/// what runs on a real k3s node is always the playbook's image.
enum StandIns {
    static let registry = "bootstrap.test/"

    /// The images scripts/node-images/images builds, by the name they stand in for.
    static let available: Set<String> = {
        let text = (try? String(contentsOfFile: Paths.repository + "/scripts/node-images/images", encoding: .utf8)) ?? ""
        return Set(text.split(separator: "\n").compactMap { line -> String? in
            let words = line.split(separator: " ")
            return words.first == "image" && words.count > 1 ? String(words[1]) : nil
        })
    }()

    struct Missing: Error, CustomStringConvertible {
        var images: [String]
        var description: String { "no stand-in image for \(images.joined(separator: ", ")): add it to scripts/node-images/images" }
    }

    /// The playbook text with its workload images mapped, and CPU requests scaled to a 2-core node
    /// (`fitted`): FAF's requests add up to more CPU than the test machine has, and the scheduler
    /// and the kubelet's admission would refuse the pods that do not fit.
    static func map(_ text: String) throws -> String {
        var missing: [String] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("image: ") else { return String(line) }
            let image = trimmed.dropFirst("image: ".count).trimmingCharacters(in: .whitespaces)
            guard !image.hasPrefix("{") else { return String(line) }  // a chart's values, not a workload
            guard available.contains(image) else { missing.append(image); return String(line) }
            return String(line.prefix(line.count - trimmed.count)) + "image: " + registry + image
        }
        guard missing.isEmpty else { throw Missing(images: missing) }
        return fitted(lines.joined(separator: "\n"))
    }

    /// Every CPU request (`requests: {cpu: X, ...}`, or `cpu: X` on the line after `requests:`)
    /// becomes 10m.
    static func fitted(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for index in lines.indices {
            lines[index] = lines[index].replacingOccurrences(of: #"requests: \{cpu: "?[0-9.]+m?"?"#, with: "requests: {cpu: 10m", options: .regularExpression)
            let trimmed = lines[index].drop { $0 == " " }
            if index > 0, trimmed.hasPrefix("cpu: "), lines[index - 1].trimmingCharacters(in: .whitespaces) == "requests:" {
                lines[index] = String(lines[index].prefix(lines[index].count - trimmed.count)) + "cpu: 10m"
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// A rig whose volumes the real kubelet can mount: the playbook's `dataRoot` is a real directory
/// of the test (`dataRoot`), which is a symbolic link to where the rehearsal's simulated host makes
/// the volumes' directories (`host.root + dataRoot`). So the directory backend of
/// `storage.local-volumes` makes each volume's directory with its owner and mode, and the kubelet
/// mounts exactly that directory into the pod.
final class NodeRig: @unchecked Sendable {
    let rig: RealRig
    let dataRoot: String

    init() throws {
        rig = try RealRig()
        dataRoot = rig.directory.path + "/data"
        let target = rig.host.root + dataRoot
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dataRoot, withDestinationPath: target)
    }

    /// A volume's directory as the host step made it.
    func volumePath(_ folder: String) -> String { rig.host.root + dataRoot + "/" + folder }

    /// Applies a playbook without host commands on a real host rooted at the rig's host directory
    /// (not the rehearsal's simulated one), so what a rehearsal only simulates runs for real: the
    /// smoke check's request through the API server's service proxy to the container.
    func apply(_ playbook: CheckedPlaybook) async throws -> ApplyReport {
        try await Walker(host: LocalHost(root: rig.host.root), connection: rig.connection(gatedByInstaller: false),
                         options: WalkOptions(waitTimeout: .seconds(60))).apply(playbook)
    }
}
