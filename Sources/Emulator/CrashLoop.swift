import Document

// A crashing container as a real kubelet shows it over time, so a rehearsal's rollout fails the way
// a real one does: it runs (Ready, when it has no readiness probe), exits with Error, is restarted
// at once the first time, exits again, then waits in CrashLoopBackOff for a back-off that starts at
// 10s and doubles up to 5m (pkg/kubelet/kubelet.go: backOffPeriod, MaxContainerBackOff;
// pkg/kubelet/kuberuntime/kuberuntime_manager.go: doBackOff, which measures the back-off from the
// last exit and lets the first restart through). The time is the emulator's clock, which a
// rehearsal shares with its client: the kubelet moves on as the client's waits do.
struct CrashLoop {
    /// How long the process runs before it exits.
    static let run = Duration.seconds(1)
    /// How long the kubelet takes to notice an exit (its PLEG relists every second).
    static let notice = Duration.seconds(1)
    static let firstBackOff = Duration.seconds(10)
    static let maxBackOff = Duration.seconds(300)

    enum Phase: Equatable {
        case running
        case exited
        case backOff(Duration)
    }

    var restarts: Int
    var phase: Phase

    /// Where a container started `elapsed` ago is in its loop.
    init(elapsed: Duration) {
        var start = Duration.zero
        var backOff: Duration?
        var restarts = 0
        // Each turn is at least 2s: a day is about 29 000 turns, and the back-off cap makes it far fewer.
        while true {
            let exit = start + Self.run
            if elapsed < exit { self.init(restarts: restarts, phase: .running); return }
            if elapsed < exit + Self.notice { self.init(restarts: restarts, phase: .exited); return }
            let next = exit + (backOff ?? Self.notice)
            if let backOff, elapsed < next { self.init(restarts: restarts, phase: .backOff(backOff)); return }
            restarts += 1
            start = next
            backOff = backOff.map { min($0 * 2, Self.maxBackOff) } ?? Self.firstBackOff
        }
    }

    init(restarts: Int, phase: Phase) {
        self.restarts = restarts
        self.phase = phase
    }

    static let log = "loading configuration\nError: connection to the database refused\nexiting with status 1"

    /// The container's status in this phase; `ready` when it runs and has no readiness probe.
    func status(container: Value, podName: String, now: String) -> (status: Value, ready: Bool) {
        let name = container["name"] ?? "", image = container["image"] ?? ""
        let log = "starting \(name.stringValue ?? "")\n" + Self.log
        let terminated: Value = ["exitCode": 1, "reason": "Error", "message": .string(log), "startedAt": .string(now), "finishedAt": .string(now)]
        let probed = container["readinessProbe"] != nil
        var s: Value = ["name": name, "image": image, "imageID": "", "restartCount": .int(restarts)]
        if restarts > 0 { s["lastState"] = ["terminated": terminated] }
        var ready = false
        switch phase {
        case .running:
            s["state"] = ["running": ["startedAt": .string(now)]]
            s["started"] = true
            ready = !probed
        case .exited:
            s["state"] = ["terminated": terminated]
            s["started"] = false
        case .backOff(let delay):
            s["state"] = ["waiting": ["reason": "CrashLoopBackOff",
                                      "message": .string("back-off \(Self.goDuration(delay)) restarting failed container=\(name.stringValue ?? "") pod=\(podName)")]]
            s["started"] = false
        }
        s["ready"] = .bool(ready)
        return (s, ready)
    }

    /// Go's time.Duration text for whole seconds: 10s, 1m20s, 5m0s.
    static func goDuration(_ d: Duration) -> String {
        let seconds = Int(d.components.seconds)
        return seconds < 60 ? "\(seconds)s" : "\(seconds / 60)m\(seconds % 60)s"
    }
}

extension Store {
    /// The kubelet's pass over crash-looping pods, at each request: a pod whose loop moved on gets
    /// its new status, and its ReplicaSet, Deployment or StatefulSet takes note.
    mutating func kubeletTick() {
        guard !crashStarts.isEmpty else { return }
        var changed: Set<String> = []
        for key in crashStarts.keys.sorted() {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, var pod = object(Self.podType, parts[0], parts[1]),
                  (pod[path: ["spec", "containers"]]?.arrayValue ?? []).contains(where: { imageFaults[$0["image"]?.stringValue ?? ""] == .crash })
            else { crashStarts[key] = nil; continue }
            let fresh = podStatus(pod["spec"] ?? [:], job: false, podName: parts[1], ns: parts[0])
            guard Self.loopSignature(fresh) != Self.loopSignature(pod["status"] ?? .null) else { continue }
            pod["status"] = fresh
            put(Self.podType, pod)
            for owner in pod[path: ["metadata", "ownerReferences"]]?.arrayValue ?? [] { changed.insert(owner["uid"]?.stringValue ?? "") }
        }
        reconcileOwners(changed)
    }

    /// Running pods of an image that now crashes (not Jobs' pods, which have finished) start their loop now.
    mutating func startCrashLoops(image: String) {
        for (_, pod) in objects[Self.podType.storageKey] ?? [:] where pod[path: ["status", "phase"]]?.stringValue == "Running" {
            let images = (pod[path: ["spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }
            let key = Self.key(pod[path: ["metadata", "namespace"]]?.stringValue, pod[path: ["metadata", "name"]]?.stringValue ?? "")
            guard images.contains(image), crashStarts[key] == nil else { continue }
            crashStarts[key] = kubeletClock()
        }
        kubeletTick()
    }

    /// What a crash loop changes: each container's restarts, state and readiness.
    static func loopSignature(_ status: Value) -> Value {
        .array((status["containerStatuses"]?.arrayValue ?? []).map { c in
            [c["restartCount"] ?? 0, .string(c["state"]?.objectValue?.keys.first ?? ""), c["ready"] ?? false]
        })
    }
}
