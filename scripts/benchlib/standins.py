"""What k3s runs and the real server lacks, as the integration tests stand in for it
(Tests/IntegrationTests: HelmControllerStandIn, KubeletStandIn): helm-controller's install Job
and the kubelet's pod status. Without them a first apply of FAF's helm.chart and app.workload
steps waits until its timeout. Both react to watch events rather than polling, so what they add to
a wait is the server's and the controller-manager's latency, not a poll interval."""

import datetime
import threading
import time

CONTROLLER_NAMESPACE = "kube-system"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class StandIns:
    """Runs both stand-ins on watch threads as the cluster admin (whose requests the bench does not
    count: they are not the tool's)."""

    def __init__(self, api):
        self.api = api
        self.stop_event = threading.Event()
        self.threads = []
        self.errors = []
        self._seen = {}
        self._last_event = time.monotonic()

    def __enter__(self):
        for path, handle in (("/apis/helm.cattle.io/v1/namespaces/%s/helmcharts" % CONTROLLER_NAMESPACE, self._chart),
                             ("/api/v1/pods", self._pod)):
            t = threading.Thread(target=self.api.watch, args=(path, self._guarded(handle), self.stop_event), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def __exit__(self, *exc):
        # The watch threads are daemons blocked in a read; they end with the server or the process.
        self.stop_event.set()

    def quiet(self, seconds=1.0, limit=30.0):
        """Waits until neither stand-in has seen an event for `seconds` (at most `limit`): the
        cluster has settled after a first apply (its pods created and reported Ready), as it has
        when a person re-runs a tool, so a re-run is not measured against a server still busy."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            idle = time.monotonic() - self._last_event
            if idle >= seconds:
                return
            time.sleep(seconds - idle)

    def _guarded(self, handle):
        def run(event):
            self._last_event = time.monotonic()
            try:
                handle(event)
            except Exception as e:  # a stand-in's failure shows up as a step that times out; keep why
                self.errors.append("%s: %s" % (handle.__name__, e))
        return run

    def _chart(self, event):
        """helm-controller: a HelmChart whose spec is new or changed gets a fresh, Complete
        `helm-install-<name>` Job carrying the chart's uid and generation (no pod runs)."""
        chart = event["object"]
        meta = chart["metadata"]
        if event["type"] == "DELETED" or meta.get("deletionTimestamp"):
            return
        identity = "%s/%s" % (meta["uid"], meta.get("generation", 0))
        if self._seen.get(meta["name"]) == identity:
            return
        job = "helm-install-" + meta["name"]
        base = "/apis/batch/v1/namespaces/%s/jobs" % CONTROLLER_NAMESPACE
        self.api.request("DELETE", base + "/" + job, {"propagationPolicy": "Background"})
        while self.api.request("GET", base + "/" + job)[0] != 404:
            if self.stop_event.wait(0.05):
                return
        self.api.ok("POST", base, {
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": job, "namespace": CONTROLLER_NAMESPACE,
                         "labels": {"helmcharts.helm.cattle.io/chart": meta["name"]},
                         "annotations": {"helmcharts.helm.cattle.io/configHash": "SHA256=" + identity},
                         "ownerReferences": [{"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "name": meta["name"],
                                              "uid": meta["uid"], "controller": True, "blockOwnerDeletion": False}]},
            "spec": {"parallelism": 0, "completions": 1, "backoffLimit": 1000,
                     "template": {"spec": {"restartPolicy": "OnFailure",
                                           "containers": [{"name": "helm", "image": "rancher/klipper-helm:v0.9.3-build20241008",
                                                           "args": ["install"]}]}}},
        })
        now = _now()
        self.api.ok("PATCH", base + "/" + job + "/status", {"status": {
            "startTime": now, "succeeded": 1, "completionTime": now,
            "conditions": [{"type": "Complete", "status": "True", "lastProbeTime": now, "lastTransitionTime": now}]}},
            "application/merge-patch+json")
        self._seen[meta["name"]] = identity

    def _pod(self, event):
        """kubelet: a new pod is reported started (Running and Ready; a Job's pod Succeeded), so
        the real controllers complete the rollout."""
        pod = event["object"]
        meta, status = pod["metadata"], pod.get("status", {})
        if event["type"] == "DELETED" or meta.get("deletionTimestamp") or status.get("containerStatuses"):
            return
        job = any(o.get("kind") == "Job" for o in meta.get("ownerReferences", []))
        now = _now()
        ready = "False" if job else "True"
        containers = [{"name": c["name"], "image": c.get("image", ""), "imageID": "", "restartCount": 0, "ready": not job,
                       "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}}
                       if job else {"running": {"startedAt": now}}}
                      for c in pod["spec"].get("containers", [])]
        self.api.request("PATCH", "/api/v1/namespaces/%s/pods/%s/status" % (meta["namespace"], meta["name"]), {"status": {
            "phase": "Succeeded" if job else "Running", "startTime": now,
            "conditions": [{"type": t, "status": s, "lastTransitionTime": now}
                           for t, s in (("PodScheduled", "True"), ("Initialized", "True"), ("ContainersReady", ready), ("Ready", ready))],
            "containerStatuses": containers}}, "application/merge-patch+json")
