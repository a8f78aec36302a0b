import Document

/// What the pods of a rollout say, remembered across polls: the restart count each container had
/// when the wait first saw it, so a restart during the wait is seen even when the container runs
/// again by the next poll.
struct PodWatch {
    /// "pod uid/container" -> restartCount at first sight.
    private var restarts: [String: Int] = [:]

    /// Waiting reasons that do not go away by waiting (kubectl's rollout status warns on the same).
    static let stuckReasons: Set<String> = ["ImagePullBackOff", "ErrImagePull", "InvalidImageName", "ErrImageNeverPull",
                                            "CreateContainerConfigError", "CreateContainerError"]

    /// What is wrong with one pod, and whether it is final; nil when nothing is. For pods that
    /// restart in place (Deployment, StatefulSet), a container that exited, restarted or backs off
    /// during the wait is final: its service did not stay up, whatever it showed in between.
    mutating func problem(_ pod: Value, restartsInPlace: Bool) -> (message: String, final: Bool)? {
        let name = pod[path: ["metadata", "name"]]?.stringValue ?? "?"
        let uid = pod[path: ["metadata", "uid"]]?.stringValue ?? name
        let status = pod["status"] ?? .null
        for condition in status["conditions"]?.arrayValue ?? []
        where condition["type"]?.stringValue == "PodScheduled" && condition["status"]?.stringValue == "False" {
            let reason = condition["reason"]?.stringValue ?? "Unschedulable"
            return ("pod \(name) is \(reason): \(condition["message"]?.stringValue ?? "no node fits it")", reason == "Unschedulable")
        }
        let containers = (status["initContainerStatuses"]?.arrayValue ?? []).map { ($0, true) }
            + (status["containerStatuses"]?.arrayValue ?? []).map { ($0, false) }
        for (container, isInit) in containers {
            let label = "pod \(name): \(isInit ? "init container" : "container") \(container["name"]?.stringValue ?? "?")"
            let count = container["restartCount"]?.intValue ?? 0
            let key = "\(uid)/\(isInit ? "init:" : "")\(container["name"]?.stringValue ?? "")"
            let first = restarts[key] ?? count
            restarts[key] = first
            let last = container[path: ["lastState", "terminated"]]
            if let waiting = container[path: ["state", "waiting"]], let reason = waiting["reason"]?.stringValue {
                if reason == "CrashLoopBackOff" {
                    let exit = Self.exit(last).map { "; last exit: \($0)" } ?? ""
                    return ("\(label) is in CrashLoopBackOff (\(count) restart\(count == 1 ? "" : "s")\(exit))\(Self.hint(last))\(Self.log(last))",
                            restartsInPlace || count >= 3)
                }
                let message = waiting["message"]?.stringValue.map { ": \($0)" } ?? ""
                if Self.stuckReasons.contains(reason) { return ("pod \(name): \(reason)\(message)", reason != "ErrImagePull") }
            }
            if let terminated = container[path: ["state", "terminated"]] {
                let code = terminated["exitCode"]?.intValue ?? 0
                // An init container, or a Job's, that exits 0 did its work.
                if code != 0 || (restartsInPlace && !isInit) {
                    return ("\(label) exited (\(Self.exit(terminated) ?? ""))\(Self.hint(terminated))\(Self.log(terminated))", restartsInPlace)
                }
            }
            if restartsInPlace, count > first {
                let exit = Self.exit(last).map { "; last exit: \($0)" } ?? ""
                return ("\(label) restarted during the rollout (\(count) restart\(count == 1 ? "" : "s")\(exit))\(Self.hint(last))\(Self.log(last))", true)
            }
            if !isInit, container[path: ["state", "running"]] != nil, container["ready"]?.boolValue == false {
                return ("pod \(name) runs but is not ready: its readiness probe fails", false)
            }
        }
        return nil
    }

    /// "exit code 1, Error" for a terminated state, nil for none.
    static func exit(_ terminated: Value?) -> String? {
        guard let terminated, terminated != .null else { return nil }
        let reason = terminated["reason"]?.stringValue.map { ", \($0)" } ?? ""
        return "exit code \(terminated["exitCode"]?.intValue ?? 0)\(reason)"
    }

    /// An OOMKilled container says what to change.
    static func hint(_ terminated: Value?) -> String {
        terminated?["reason"]?.stringValue == "OOMKilled" ? ": it needs more memory than its limit (resources.limits.memory)" : ""
    }

    /// The container's last log lines, as its termination message carries them
    /// (terminationMessagePolicy FallbackToLogsOnError).
    static func log(_ terminated: Value?) -> String {
        guard let text = terminated?["message"]?.stringValue, !text.isEmpty else { return "" }
        return "; its last log lines:\n" + text.split(separator: "\n").suffix(10).map { "    \($0)" }.joined(separator: "\n")
    }
}
