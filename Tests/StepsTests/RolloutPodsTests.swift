import Document
@testable import Steps
import Testing

/// What a rollout reads from its pods' status, as the kubelet writes it.
@Suite struct RolloutPodsTests {
    static func pod(_ container: Value, initContainer: Value? = nil) -> Value {
        var status: Value = ["containerStatuses": [container]]
        if let initContainer { status["initContainerStatuses"] = [initContainer] }
        return ["metadata": ["name": "hydra-1", "uid": "u1"], "status": status]
    }

    static let error: Value = ["exitCode": 1, "reason": "Error", "message": "READ-FAILED\ncat: can't open '/hydra.yaml': Permission denied"]

    @Test func aRestartBetweenTwoLooksFailsEvenWhenTheContainerRunsAgain() {
        var watch = PodWatch()
        #expect(watch.problem(Self.pod(["name": "hydra", "restartCount": 0, "ready": true, "state": ["running": [:]]]), restartsInPlace: true) == nil)
        let again = watch.problem(Self.pod(["name": "hydra", "restartCount": 1, "ready": true, "state": ["running": [:]],
                                            "lastState": ["terminated": Self.error]]), restartsInPlace: true)
        #expect(again?.final == true)
        #expect(again?.message == "pod hydra-1: container hydra restarted during the rollout (1 restart; last exit: exit code 1, Error); its last log lines:\n"
            + "    READ-FAILED\n    cat: can't open '/hydra.yaml': Permission denied")
    }

    @Test func restartsBeforeTheWaitAreTheBaseline() {
        var watch = PodWatch()
        let running: Value = ["name": "hydra", "restartCount": 4, "ready": true, "state": ["running": [:]], "lastState": ["terminated": Self.error]]
        #expect(watch.problem(Self.pod(running), restartsInPlace: true) == nil)
        #expect(watch.problem(Self.pod(running), restartsInPlace: true) == nil)
    }

    @Test func anExitAnOOMKillAndABackOffAreFinalForAServiceButNotForAJob() {
        var watch = PodWatch()
        let exited = watch.problem(Self.pod(["name": "hydra", "restartCount": 0, "state": ["terminated": Self.error]]), restartsInPlace: true)
        #expect(exited?.final == true)
        #expect(exited?.message.hasPrefix("pod hydra-1: container hydra exited (exit code 1, Error); its last log lines:\n    READ-FAILED") == true)
        let oom = watch.problem(Self.pod(["name": "db", "restartCount": 0, "state": ["terminated": ["exitCode": 137, "reason": "OOMKilled"]]]), restartsInPlace: true)
        #expect(oom?.message == "pod hydra-1: container db exited (exit code 137, OOMKilled): it needs more memory than its limit (resources.limits.memory)")
        let backOff = watch.problem(Self.pod(["name": "hydra", "restartCount": 1, "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                                              "lastState": ["terminated": Self.error]]), restartsInPlace: true)
        #expect(backOff?.final == true)
        #expect(backOff?.message.hasPrefix("pod hydra-1: container hydra is in CrashLoopBackOff (1 restart; last exit: exit code 1, Error); its last log lines:") == true)
        var job = PodWatch()
        #expect(job.problem(Self.pod(["name": "migrate", "restartCount": 0, "state": ["terminated": Self.error]]), restartsInPlace: false)?.final == false)
        #expect(job.problem(Self.pod(["name": "migrate", "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]), restartsInPlace: false) == nil)
    }

    @Test func aFailingInitContainerIsNamedAsOne() {
        var watch = PodWatch()
        let found = watch.problem(Self.pod(["name": "app", "restartCount": 0, "state": ["waiting": ["reason": "PodInitializing"]]],
                                           initContainer: ["name": "chown", "restartCount": 2, "state": ["waiting": ["reason": "CrashLoopBackOff"]],
                                                           "lastState": ["terminated": ["exitCode": 1, "reason": "Error"]]]), restartsInPlace: true)
        #expect(found?.message == "pod hydra-1: init container chown is in CrashLoopBackOff (2 restarts; last exit: exit code 1, Error)")
        // A finished init container is not a problem.
        var done = PodWatch()
        #expect(done.problem(Self.pod(["name": "app", "restartCount": 0, "ready": true, "state": ["running": [:]]],
                                      initContainer: ["name": "chown", "restartCount": 0, "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]),
                             restartsInPlace: true) == nil)
    }

    @Test func theSettleWindowFollowsTheSlowestProbe() {
        #expect(Rollout.settleWindow(template: ["spec": ["containers": [["name": "a"]]]]) == .seconds(10))
        #expect(Rollout.settleWindow(template: ["spec": ["containers": [["name": "a", "readinessProbe": ["tcpSocket": ["port": 80]]]]]]) == .seconds(30))
        #expect(Rollout.settleWindow(template: ["spec": ["containers": [
            ["name": "a", "readinessProbe": ["periodSeconds": 2, "failureThreshold": 2]],
            ["name": "b", "livenessProbe": ["periodSeconds": 20, "failureThreshold": 5]]]]]) == .seconds(100))
    }
}
