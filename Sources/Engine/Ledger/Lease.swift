import Document
import FoundationEssentials
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
        /// When the lease runs out unless its holder renews it (every 10 s while it runs).
        public var expires: String = "unknown"
        /// The Lease's name in kube-system.
        public var lease: String = ""
        public var description: String {
            var text = "another apply holds the lock: \(holder), since \(since)"
            if !lease.isEmpty {
                text += "; it expires at \(expires) unless renewed (a running apply renews it every 10 s). "
                    + "See who holds it: `kubectl -n \(Ledger.namespace) get lease \(lease) -o yaml`. "
                    + "Re-run once that apply has ended; a killed apply's lease is taken over once it expires"
            }
            return text
        }
    }

    /// The Lease's renewTime plus its duration, as the API writes times.
    static func expiry(of live: Value) -> String {
        guard let renewed = parse(live[path: ["spec", "renewTime"]]?.stringValue) else { return "unknown" }
        let duration = Double(live[path: ["spec", "leaseDurationSeconds"]]?.intValue ?? Self.duration)
        return Timestamp.string(seconds: Int(renewed.addingTimeInterval(duration).timeIntervalSince1970))
    }

    public static let duration = 30
    /// How long after a renewal this holder trusts it still holds the lock: well inside the
    /// duration, so no write of ours can land after another apply may have taken over.
    public static let defaultTrust = Duration.seconds(20)
    let trusted: Duration

    /// The lock was lost (expired while this process could not renew it, or taken over): the run
    /// stops before its next write.
    public struct Lost: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "the lock was lost (\(reason)); stopped before the next write. Re-run to continue" }
    }

    /// Until when the lock is trusted, and why it was lost if it was.
    private struct Standing: Sendable {
        var trustedUntil: ContinuousClock.Instant
        var lost: String?
    }
    private let standing = Mutex(Standing(trustedUntil: .now, lost: nil))

    let kube: KubeClient
    let ref: ObjectRef
    let identity: String
    private let renewal: Mutex<Task<Void, Never>?> = Mutex(nil)

    /// `trust`: how long after a renewal writes go ahead without checking again (tests use zero).
    public init(kube: KubeClient, playbook: String, identity: String, trust: Duration = RunLease.defaultTrust) {
        self.trusted = trust
        self.kube = kube
        self.ref = ObjectRef(apiVersion: "coordination.k8s.io/v1", kind: "Lease", namespace: Ledger.namespace, name: "bootstrap-\(playbook)")
        self.identity = identity
    }

    /// This process, as the lease names it: host and pid.
    public static func localIdentity() -> String {
        "\(Processes.hostName)/pid \(Processes.ownID)"
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
                throw Held(holder: holder, since: live[path: ["spec", "acquireTime"]]?.stringValue ?? "unknown",
                           expires: Self.expiry(of: live), lease: ref.name)
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
        standing.withLock { $0 = Standing(trustedUntil: ContinuousClock.now.advanced(by: trusted), lost: nil) }
        startRenewing()
    }


    /// Passes while the lock is ours; renews it first when the last renewal is too old to trust
    /// (the process was paused, the network partitioned). Throws ``Lost`` when it is gone.
    public func fence() async throws {
        let current = standing.withLock { $0 }
        if let lost = current.lost { throw Lost(reason: lost) }
        if ContinuousClock.now < current.trustedUntil { return }
        try await renew()
        if let lost = standing.withLock({ $0.lost }) { throw Lost(reason: lost) }
    }

    /// One renewal: trusted again from the moment before it was sent, or marked lost.
    private func renew() async throws {
        let sent = ContinuousClock.now
        try await KubeClient.$unfenced.withValue(true) {
            guard var live = try await kube.get(ref) else {
                standing.withLock { $0.lost = "the Lease was deleted" }
                return
            }
            let holder = live[path: ["spec", "holderIdentity"]]?.stringValue ?? ""
            guard holder == identity else {
                standing.withLock { $0.lost = "\(holder.isEmpty ? "it was released" : "another apply took it over: \(holder)")" }
                return
            }
            live["spec"]?["renewTime"] = .string(Self.microTime())
            do {
                _ = try await kube.replace(live)
                standing.withLock { $0.trustedUntil = sent.advanced(by: trusted) }
            } catch let error as KubeError where error.reason == .conflict {
                // A conflict is also this process's own other renewal (the background one and a
                // fence's, at once on a loaded machine): the Lease read again says whose it is. If
                // ours, that renewal set the trust it earned; this one adds none.
                let holder = try await kube.get(ref)?[path: ["spec", "holderIdentity"]]?.stringValue
                if holder != identity {
                    standing.withLock { $0.lost = "another apply changed it while this one renewed" }
                }
            }
        }
    }

    /// A holder on this host whose process is gone (killed, crashed) cannot be renewing its lease.
    static func isDeadLocalProcess(_ holder: String) -> Bool {
        let parts = holder.split(separator: "/pid ", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, parts[0] == Processes.hostName, let pid = Int32(parts[1]) else { return false }
        return Processes.isGone(pid)
    }

    private func reportHolder() async throws -> Never {
        let live = try await kube.get(ref)
        throw Held(holder: live?[path: ["spec", "holderIdentity"]]?.stringValue ?? "unknown",
                   since: live?[path: ["spec", "acquireTime"]]?.stringValue ?? "unknown",
                   expires: live.map(Self.expiry) ?? "unknown", lease: ref.name)
    }

    private func startRenewing() {
        let task = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(Self.duration / 3))
                if Task.isCancelled || standing.withLock({ $0.lost != nil }) { break }
                try? await renew()
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
        await KubeClient.$unfenced.withValue(true) {
            guard var live = try? await kube.get(ref), live[path: ["spec", "holderIdentity"]]?.stringValue == identity else { return }
            live["spec"]?["holderIdentity"] = .string("")
            _ = try? await kube.replace(live)
        }
    }
}
