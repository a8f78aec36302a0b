import Document
import Foundation
import Kube
import Platform
import Synchronization

/// The run lock: Lease `bootstrap-<playbook>` in kube-system, held by one apply at a time.
///
/// Optimistic concurrency decides races: creating an existing Lease or updating a stale one fails,
/// and the loser reports who holds it. A lease not renewed within its duration is taken over.
public final class RunLease: Sendable {
    public struct Held: Error, Sendable, CustomStringConvertible {
        public var holder: String
        public var since: String
        public var description: String { "another apply holds the lock: \(holder), since \(since)" }
    }

    public static let duration = 30

    let kube: KubeClient
    let ref: ObjectRef
    let identity: String
    private let renewal: Mutex<Task<Void, Never>?> = Mutex(nil)

    public init(kube: KubeClient, playbook: String, identity: String) {
        self.kube = kube
        self.ref = ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: Ledger.namespace, name: "bootstrap-\(playbook)")
        self.identity = identity
    }

    /// This process, as the lease names it: host and pid.
    public static func localIdentity() -> String {
        "\(ProcessInfo.processInfo.hostName)/pid \(ProcessInfo.processInfo.processIdentifier)"
    }

    static func microTime() -> String { Timestamp.nowMicro() }

    static func parse(_ text: String?) -> Date? {
        guard let text, let seconds = Timestamp.parse(text) else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// Takes the lease or throws ``Held``; then renews it in the background until ``release()``.
    public func acquire() async throws {
        let now = Date()
        let spec: Value = [
            "holderIdentity": .string(identity), "leaseDurationSeconds": .int(Self.duration),
            "acquireTime": .string(Self.microTime()), "renewTime": .string(Self.microTime()),
        ]
        var lease: Value = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(ref.name), "namespace": .string(Ledger.namespace),
                         "labels": ["app.kubernetes.io/managed-by": "bootstrap"]],
            "spec": spec,
        ]
        if let live = try await kube.get(ref) {
            let holder = live[path: ["spec", "holderIdentity"]]?.stringValue ?? ""
            let renewed = Self.parse(live[path: ["spec", "renewTime"]]?.stringValue) ?? .distantPast
            let duration = Double(live[path: ["spec", "leaseDurationSeconds"]]?.intValue ?? Self.duration)
            if !holder.isEmpty, holder != identity, renewed.addingTimeInterval(duration) > now, !Self.isDeadLocalProcess(holder) {
                throw Held(holder: holder, since: live[path: ["spec", "acquireTime"]]?.stringValue ?? "unknown")
            }
            // Free or expired: take it over, but only if nobody else changed it since we read it.
            lease["metadata"]?["resourceVersion"] = live[path: ["metadata", "resourceVersion"]] ?? .null
            do {
                _ = try await kube.replaceIdempotently(lease)
            } catch let error as KubeError where error.reason == .conflict {
                try await reportHolder()
            }
        } else {
            do {
                _ = try await kube.createIdempotently(lease)
            } catch let error as KubeError where error.reason == .alreadyExists {
                try await reportHolder()
            }
        }
        startRenewing()
    }

    /// A holder on this host whose process is gone (killed, crashed) cannot be renewing its lease.
    static func isDeadLocalProcess(_ holder: String) -> Bool {
        let parts = holder.components(separatedBy: "/pid ")
        guard parts.count == 2, parts[0] == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]) else { return false }
        return Processes.isGone(pid)
    }

    private func reportHolder() async throws -> Never {
        let live = try await kube.get(ref)
        throw Held(holder: live?[path: ["spec", "holderIdentity"]]?.stringValue ?? "unknown",
                   since: live?[path: ["spec", "acquireTime"]]?.stringValue ?? "unknown")
    }

    private func startRenewing() {
        let kube = self.kube, ref = self.ref, identity = self.identity
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(Self.duration / 3))
                if Task.isCancelled { break }
                guard var live = try? await kube.get(ref),
                      live[path: ["spec", "holderIdentity"]]?.stringValue == identity else { continue }
                live["spec"]?["renewTime"] = .string(Self.microTime())
                _ = try? await kube.replace(live)
            }
        }
        renewal.withLock { $0 = task }
    }

    /// Stops renewing and frees the lease for the next apply.
    public func release() async {
        // Wait for the renewal task to end, so it cannot outlive the run holding the client.
        let task = renewal.withLock { slot -> Task<Void, Never>? in defer { slot = nil }; return slot }
        task?.cancel()
        await task?.value
        guard var live = try? await kube.get(ref), live[path: ["spec", "holderIdentity"]]?.stringValue == identity else { return }
        live["spec"]?["holderIdentity"] = .string("")
        _ = try? await kube.replace(live)
    }
}
