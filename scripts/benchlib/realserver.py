"""The test suite's real kube-apiserver (scripts/kube-apiserver: v1.20.2, etcd and
kube-controller-manager on loopback) as the bench uses it: started and stopped by the bench, a
client identity of its own for the tools under test, and the server's own count of that identity's
requests.

Counting: the server has no stats endpoint like the emulator, and the tools count differently
(bootstrap counts its own requests, kubectl and Ansible not at all). Its /metrics has
apiserver_request_total, but without a client label, so the controller-manager's and the
stand-ins' requests would land in the same counters. API Priority and Fairness (on by default in
1.20) classifies every request by FlowSchema and counts it per FlowSchema in
apiserver_flowcontrol_dispatched_requests_total. So the tools run as a user of their own (a client
certificate of group bootstrap-bench, bound to cluster-admin) that a FlowSchema of its own
matches, routed to the `exempt` priority level as the admin's system:masters requests are (no
queueing): the counter's delta over a run is every request that tool made, counted by the server
the same way for every tool, and nothing else's."""

import http.client
import json
import os
import re
import ssl
import subprocess
import threading
import time
import urllib.parse

import yaml

from .proc import clean_env, log

IDENTITY = "bootstrap-bench"
READY_TIMEOUT = 120
DELETE_TIMEOUT = 180
METRIC = re.compile(r'^apiserver_flowcontrol_dispatched_requests_total\{([^}]*)\}\s+([0-9.e+]+)$', re.M)


class Unavailable(Exception):
    """The real server cannot be used here; the message says why."""


class Api:
    """A small HTTPS client for one identity: a kept-alive connection per thread."""

    def __init__(self, server, ca, cert, key):
        url = urllib.parse.urlparse(server)
        self.host, self.port = url.hostname, url.port
        self.ctx = ssl.create_default_context(cafile=ca)
        self.ctx.load_cert_chain(cert, key)
        self._local = threading.local()

    def connection(self, timeout=60):
        return http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=timeout)

    def request(self, method, path, body=None, content_type="application/json"):
        """(status, decoded JSON or raw text); one retry on a connection the server closed."""
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = content_type
        for attempt in (0, 1):
            conn = getattr(self._local, "conn", None) or self.connection()
            self._local.conn = conn
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                raw = resp.read()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self._local.conn = None
                if attempt:
                    raise
        text = raw.decode("utf-8", "replace")
        try:
            return resp.status, json.loads(text)
        except ValueError:
            return resp.status, text

    def ok(self, method, path, body=None, content_type="application/json", allowed=(200, 201)):
        status, out = self.request(method, path, body, content_type)
        if status not in allowed:
            raise RuntimeError("%s %s: %d %s" % (method, path, status, str(out)[:500]))
        return out

    def apply(self, path, obj, manager):
        """Server-side apply of obj at path (the object's own URL)."""
        return self.ok("PATCH", path + "?fieldManager=%s&force=true" % manager, json.dumps(obj),
                       "application/apply-patch+yaml")

    def watch(self, path, handle, stop):
        """Calls handle(event) for every event of a watch on path until stop is set; the watch is
        re-opened from the last resourceVersion when the server ends it."""
        version = None
        while not stop.is_set():
            conn = self.connection(timeout=None)
            query = "watch=1&allowWatchBookmarks=true" + ("&resourceVersion=" + version if version else "")
            try:
                conn.request("GET", path + ("&" if "?" in path else "?") + query)
                resp = conn.getresponse()
                if resp.status != 200:
                    raise RuntimeError("watch %s: %d" % (path, resp.status))
                while not stop.is_set():
                    line = resp.readline()
                    if not line:
                        break
                    event = json.loads(line)
                    if event.get("type") == "ERROR":
                        version = None  # too old: list again from now
                        break
                    version = event["object"]["metadata"].get("resourceVersion") or version
                    if event.get("type") != "BOOKMARK":
                        handle(event)
            except (OSError, http.client.HTTPException, ValueError):
                if stop.is_set():
                    return
                stop.wait(0.2)  # the server is going away or restarting the watch: do not spin
            finally:
                conn.close()


SERVER_PROCESSES = ("kube-apiserver", "etcd")  # their pid files in scripts/kube-apiserver's state directory


class RealServer:
    """scripts/kube-apiserver's server for the bench's lifetime; stop() ends it however the bench ends."""

    def __init__(self, repo, workdir):
        self.repo, self.dir = repo, os.path.join(workdir, "kube")
        self.script = os.path.join(repo, "scripts", "kube-apiserver")
        self.started = False
        self.plurals = {}

    def start(self):
        if not os.access(self.script, os.X_OK):
            raise Unavailable("scripts/kube-apiserver is missing")
        log("bench: starting the real API server (scripts/kube-apiserver; builds it once when it is not cached)")
        # --watch: the script's watchdog stops the server if this process dies without stopping it.
        # --no-node: the kubelet stand-in reports the pods; a real kubelet would try to pull FAF's images.
        r = subprocess.run([self.script, "start", "--watch", str(os.getpid()), "--no-node", self.dir],
                           capture_output=True, text=True, env=clean_env())
        self.started = True  # stop() also cleans up after a half-started server
        exports = dict(re.findall(r"^export (\w+)=(.*)$", r.stdout, re.M))
        if r.returncode != 0 or "BOOTSTRAP_TEST_KUBECONFIG" not in exports:
            raise Unavailable("scripts/kube-apiserver start failed (exit %d): %s" % (r.returncode, r.stderr.strip()[-800:]))
        self.admin_kubeconfig = os.path.join(self.dir, "kubeconfig")
        with open(self.admin_kubeconfig) as f:
            self.server = yaml.safe_load(f)["clusters"][0]["cluster"]["server"]
        pki = os.path.join(self.dir, "pki")
        self.ca = os.path.join(pki, "ca.crt")
        self.admin = Api(self.server, self.ca, os.path.join(pki, "admin.crt"), os.path.join(pki, "admin.key"))
        self.version = self.admin.ok("GET", "/version").get("gitVersion")
        self._make_identity(pki)

    def stop(self):
        if self.started:
            subprocess.run([self.script, "stop", self.dir], capture_output=True)
            self.started = False

    # --- the tools' identity and its request count

    def _make_identity(self, pki):
        key, csr, crt = (os.path.join(pki, IDENTITY + ext) for ext in (".key", ".csr", ".crt"))
        for argv in (["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/O=%s/CN=%s" % (IDENTITY, IDENTITY),
                      "-keyout", key, "-out", csr],
                     ["openssl", "x509", "-req", "-in", csr, "-CA", self.ca, "-CAkey", os.path.join(pki, "ca.key"),
                      "-CAcreateserial", "-CAserial", os.path.join(pki, IDENTITY + ".srl"), "-days", "2", "-out", crt]):
            r = subprocess.run(argv, capture_output=True, text=True)
            if r.returncode != 0:
                raise Unavailable("openssl failed: " + r.stderr.strip()[-300:])
        os.chmod(key, 0o600)
        self.kubeconfig = os.path.join(self.dir, IDENTITY + ".kubeconfig")
        with open(self.kubeconfig, "w") as f:
            json.dump({"apiVersion": "v1", "kind": "Config", "current-context": "real",
                       "clusters": [{"name": "real", "cluster": {"server": self.server, "certificate-authority": self.ca}}],
                       "users": [{"name": IDENTITY, "user": {"client-certificate": crt, "client-key": key}}],
                       "contexts": [{"name": "real", "context": {"cluster": "real", "user": IDENTITY}}]}, f)
        os.chmod(self.kubeconfig, 0o600)
        self.tool = Api(self.server, self.ca, crt, key)
        self.admin.apply("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/" + IDENTITY, {
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": IDENTITY},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": IDENTITY}]}, IDENTITY)
        self.admin.apply("/apis/flowcontrol.apiserver.k8s.io/v1beta1/flowschemas/" + IDENTITY, {
            "apiVersion": "flowcontrol.apiserver.k8s.io/v1beta1", "kind": "FlowSchema", "metadata": {"name": IDENTITY},
            "spec": {"matchingPrecedence": 1000, "priorityLevelConfiguration": {"name": "exempt"},
                     "rules": [{"subjects": [{"kind": "Group", "group": {"name": IDENTITY}}],
                                "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"],
                                                   "clusterScope": True, "namespaces": ["*"]}],
                                "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}]}]}}, IDENTITY)
        # The server takes up a new FlowSchema asynchronously; until then the identity's requests
        # count elsewhere. Probe until one is counted under it (and its rights work).
        deadline = time.time() + READY_TIMEOUT
        while True:
            before = self.requests()
            status, _ = self.tool.request("GET", "/api/v1/namespaces/kube-system")
            if status == 200 and self.requests() > before:
                return
            if time.time() > deadline:
                raise Unavailable("the server never counted the bench identity's requests under FlowSchema " + IDENTITY)
            time.sleep(0.2)

    def requests(self):
        """How many requests the tools' identity has made so far, as the server counts them."""
        text = self.admin.ok("GET", "/metrics")
        return sum(float(v) for labels, v in METRIC.findall(text) if 'flow_schema="%s"' % IDENTITY in labels)

    def cpu_seconds(self):
        """CPU time the API server and etcd have used so far, or None when a process cannot be read:
        what serving the tools costs the cluster's node, which shares this machine's cores with the
        tool measured. The sum of their threads' /proc/PID/task/TID/schedstat (nanoseconds on a
        CPU): /proc/PID/stat counts in clock ticks (10 ms), coarser than a no-op re-run. A thread
        that ends between two readings takes its time with it; the Go runtimes of both keep theirs."""
        total = 0
        for name in SERVER_PROCESSES:
            try:
                with open(os.path.join(self.dir, name + ".pid")) as f:
                    tasks = "/proc/%d/task" % int(f.read().strip())
                for tid in os.listdir(tasks):
                    try:
                        with open(os.path.join(tasks, tid, "schedstat")) as f:
                            total += int(f.read().split()[0])
                    except FileNotFoundError:  # the thread ended after the listing
                        pass
            except (OSError, ValueError, IndexError):
                return None
        return total / 1e9

    # --- set-up and clean-up

    def load_crds(self, directory):
        """The CRDs k3s serves (helm-controller's, Traefik's), as 1.20 accepts them: what the
        integration tests do (RealServer.stripFor120), then wait until they are Established."""
        names = []
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".yaml"):
                continue
            with open(os.path.join(directory, name)) as f:
                for doc in yaml.safe_load_all(f):
                    if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                        crd = strip_for_120(doc)
                        self.admin.apply("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + crd["metadata"]["name"], crd, IDENTITY)
                        names.append(crd["metadata"]["name"])
        deadline = time.time() + READY_TIMEOUT
        for name in names:
            while not self._established(name):
                if time.time() > deadline:
                    raise Unavailable("CRD %s never became Established" % name)
                time.sleep(0.1)
        return len(names)

    def _established(self, name):
        status, crd = self.admin.request("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/" + name)
        return status == 200 and any(c.get("type") == "Established" and c.get("status") == "True"
                                     for c in crd.get("status", {}).get("conditions", []))

    def path(self, ref, collection=False):
        """The URL path of ref = (apiVersion, kind, namespace, name), from the server's discovery."""
        api_version, kind, namespace, name = ref
        if (api_version, kind) not in self.plurals:
            base = "/api/v1" if api_version == "v1" else "/apis/" + api_version
            for r in self.admin.ok("GET", base).get("resources", []):
                if "/" not in r["name"]:
                    self.plurals[(api_version, r["kind"])] = (base, r["name"], r["namespaced"])
        base, plural, namespaced = self.plurals[(api_version, kind)]
        prefix = base + ("/namespaces/%s" % namespace if namespaced and namespace else "")
        return prefix + "/" + plural + ("" if collection else "/" + name)

    def delete_and_wait(self, refs):
        """Deletes every ref (absent ones are fine) and returns once all are gone, namespaces with
        everything in them: the next first apply finds none of it."""
        namespaces = {r[3] for r in refs if r[1] == "Namespace"}
        # Objects inside namespaces being deleted go with them (the namespace controller).
        own = [r for r in refs if r[2] not in namespaces]
        for ref in own:
            self.admin.request("DELETE", self.path(ref), {"propagationPolicy": "Background"})
        deadline = time.time() + DELETE_TIMEOUT
        for ref in own:
            while self.admin.request("GET", self.path(ref))[0] != 404:
                if time.time() > deadline:
                    raise RuntimeError("%s/%s %s was not deleted within %d s" % (ref[1], ref[2], ref[3], DELETE_TIMEOUT))
                time.sleep(0.1)


def strip_for_120(value):
    """What Kubernetes 1.20 rejects in newer CRDs: x-kubernetes-validations (CEL) and `default: ""`."""
    if isinstance(value, dict):
        return {k: strip_for_120(v) for k, v in value.items()
                if k != "x-kubernetes-validations" and not (k == "default" and v == "")}
    if isinstance(value, list):
        return [strip_for_120(v) for v in value]
    return value

