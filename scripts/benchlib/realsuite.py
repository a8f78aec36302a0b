"""The playbook's cluster steps against the test suite's real kube-apiserver, beside
`kubectl apply --server-side` and Ansible's kubernetes.core.k8s of the same objects.

Every first apply is a first: before it, everything the previous run left is deleted and awaited
gone (the objects, namespaces with their contents, the helm-controller stand-in's Jobs, and
bootstrap's ledger, lease and ledger key), and kubectl and Ansible start without a discovery cache.
The re-runs follow the last first apply of the same tool, with the cache it left (warm, as a person
re-running finds it), once the cluster has settled (StandIns.quiet)."""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import yaml

from . import ansible, playbooks, suites
from .figures import check
from .proc import Result, clean_env, cpu_seconds, log, measure, peak_rss_bound
from .realserver import RealServer, Unavailable
from .standins import StandIns

WAIT_TYPES = {"helm.chart", "app.workload"}  # steps that wait for helm-controller or a rollout
STEP_TIMEOUT = "120"  # a stand-in that failed shows as a step timing out, not as a bench that hangs
NOOP_RUNS = 15  # runs of each re-run row (the first applies: --runs)
EVENT = re.compile(r"^\[([^\]]+)\] (\w+)")  # "[step] started", "[step] waiting for …", "[step] applied (0.1s)"


def real_server_suite(bench, subject, repo, skip_reason=None, quick=False, ansible=True):
    """Measures the rows of the real server, or notes why it cannot (and measures nothing). With
    quick (a smoke run), 2 runs per row and 1 of Ansible, whose runs take tens of seconds each;
    Ansible only with `ansible`."""
    def skip(why):
        bench.notes.append("real API server rows skipped: " + why)
        log("bench: real API server rows skipped: " + why)

    if skip_reason:
        return skip(skip_reason)
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return skip("kubectl is not installed (scripts/kube-apiserver needs it, and it is compared)")
    if not subject.cluster_ids:
        return skip("%s has no cluster steps" % subject.name)
    server = RealServer(repo, bench.work)
    bench.at_exit(server.stop)
    try:
        server.start()
        crds = server.load_crds(bench.crds) if bench.crds else 0
    except Unavailable as e:
        server.stop()
        return skip(str(e))
    log("bench: real API server %s running; %d CRDs loaded" % (server.version, crds))
    run = RealRun(bench, subject, server, kubectl, quick)
    with StandIns(server.admin) as standins:
        run.settle = standins.quiet
        run.bootstrap()
        run.kubectl()
        if ansible:
            run.ansible(repo)
        if standins.errors:
            bench.notes.append("stand-in errors: " + "; ".join(standins.errors[:5]))


def noop_runs(runs, quick):
    """Runs of each re-run row: a no-op re-run is a few tens of ms, so more runs for its median cost little."""
    return 2 if quick else max(runs, NOOP_RUNS)


class RealRun:
    def __init__(self, bench, subject, server, kubectl, quick):
        self.bench, self.subject, self.server, self.kubectl_path = bench, subject, server, kubectl
        self.runs = 2 if quick else bench.runs
        self.noop_runs = noop_runs(bench.runs, quick)
        self.ansible_runs = 1 if quick else bench.runs
        self.settle = lambda: None  # the stand-ins' quiet(): re-runs start on a settled cluster
        document = playbooks.compose(subject.text)
        self.name = playbooks.playbook_name(document)
        self.variant = self._write_variant(document)
        self.skip_args = suites.skip_host_steps(subject)
        steps = [st for st in subject.plan["steps"] if st["id"] in subject.cluster_ids]
        self.objdir = bench.path("real-objects")
        os.makedirs(self.objdir)
        self.count, _ = playbooks.kubectl_objects({"steps": steps}, self.objdir)
        self.files = sorted(os.listdir(self.objdir))
        self.refs = [self._ref(yaml.safe_load(open(os.path.join(self.objdir, f)))) for f in self.files]
        self.waiting = {st["id"] for st in subject.graph if st["id"] in subject.cluster_ids and st["type"] in WAIT_TYPES}
        g = "real kube-apiserver %s (etcd, kube-controller-manager; helm-controller and kubelet stand-ins): %s's %d cluster steps, %d objects" % (
            server.version, subject.name, len(subject.cluster_ids), self.count)
        self.group = g

    def _write_variant(self, document):
        path = suites.variant_path(self.bench, self.subject, "real-variant")
        with open(path, "w") as f:
            f.write(playbooks.without_smoke(document))
        check(self.bench.run(["validate", path] + self.subject.secrets_args), "bootstrap validate (real-server variant)")
        return path

    @staticmethod
    def _ref(obj):
        meta = obj.get("metadata", {})
        return (obj["apiVersion"], obj["kind"], meta.get("namespace"), meta["name"])

    def reset(self):
        """Back to a cluster none of the tools has applied to: what they applied, what the
        helm-controller stand-in made of it, and bootstrap's ledger, lease and key."""
        extra = [("batch/v1", "Job", "kube-system", "helm-install-" + r[3]) for r in self.refs if r[1] == "HelmChart"]
        extra += [("coordination.k8s.io/v1", "Lease", "kube-system", "bootstrap-" + self.name),
                  ("v1", "Secret", "kube-system", "bootstrap-ledger-key")]
        listed = self.server.admin.ok("GET", "/api/v1/namespaces/kube-system/configmaps")["items"]
        ledger = re.compile(r"bootstrap-%s(\.shard-\d+)?$" % re.escape(self.name))
        extra += [("v1", "ConfigMap", "kube-system", c["metadata"]["name"]) for c in listed if ledger.match(c["metadata"]["name"])]
        self.server.delete_and_wait(self.refs + extra)

    def timed(self, figure, what, argv, env, events=False):
        """One run of argv with the server's count of its requests and the CPU the API server and etcd
        spent meanwhile; with events, also when each of bootstrap's progress lines arrived (stderr
        through a pipe, read as it is written). The CPU is read inside the count's two reads of
        /metrics, which cost the server CPU of their own."""
        before = self.server.requests()
        cpu_before = self.server.cpu_seconds()
        result, lines = run_with_events(argv, env) if events else (measure(argv, env=env), None)
        cpu_after = self.server.cpu_seconds()
        counted = self.server.requests() - before
        server_cpu = None if cpu_before is None or cpu_after is None else cpu_after - cpu_before
        if check(result, what, figure):
            figure.add(result, result.engine_requests(), server_requests=counted, server_cpu=server_cpu)
        return result, lines

    # --- bootstrap

    def bootstrap(self):
        b = self.bench
        f_apply = b.figure("real_apply", "bootstrap first apply", self.group, "waits included; fresh cluster state each run")
        f_nowait = b.figure("real_apply_nowait", "bootstrap first apply, waits excluded", self.group,
                            "the same runs minus the time only spent waiting for helm-controller's Job or a rollout")
        f_noop = b.figure("real_noop", "bootstrap no-op re-run", self.group)
        log("bench: bootstrap against the real API server: %s's cluster steps (%d runs)" % (self.subject.name, self.runs))
        host_root = tempfile.mkdtemp(prefix="real-host-", dir=b.work)
        argv = [b.binary, "apply", self.variant, "--yes", "--kubeconfig", self.server.kubeconfig, "--host-root", host_root,
                "--output", "json", "--timeout", STEP_TIMEOUT] + self.skip_args + self.subject.secrets_args
        waits = []
        for _ in range(self.runs):
            self.reset()
            result, lines = self.timed(f_apply, "bootstrap apply (real server)", argv, b.env, events=True)
            if result.rc == 0:
                waited = wait_only_seconds(lines, self.waiting, result.started, result.started + result.wall)
                waits.append(waited)
                nowait = Result(result.argv, result.wall - waited, result.rss_kb, 0, "", "")
                nowait.rss_is_bound = result.rss_is_bound
                f_nowait.add(nowait, server_requests=f_apply.runs[-1].get("serverRequests"))
        if waits:
            f_nowait.note += "; median wait %.0f ms" % (sorted(waits)[len(waits) // 2] * 1000)
        self.settle()
        for _ in range(self.noop_runs):
            self.timed(f_noop, "bootstrap no-op re-run (real server)", argv, b.env)

    # --- kubectl

    def kubectl(self):
        b = self.bench
        f_apply = b.figure("real_kubectl_apply", "kubectl apply --server-side, first", self.group,
                           "fresh cluster state and discovery cache each run")
        f_reapply = b.figure("real_kubectl_reapply", "kubectl apply --server-side, again", self.group, "warm discovery cache")
        log("bench: kubectl against the real API server (%d runs)" % self.runs)
        home = None
        for _ in range(self.runs):
            self.reset()
            home = tempfile.mkdtemp(prefix="kubectl-", dir=b.work)
            self.timed(f_apply, "kubectl apply (real server)", self._kubectl_argv(home), clean_env({"HOME": home}))
        self.settle()
        for _ in range(self.noop_runs):
            self.timed(f_reapply, "kubectl re-apply (real server)", self._kubectl_argv(home), clean_env({"HOME": home}))

    def _kubectl_argv(self, home):
        return [self.kubectl_path, "--kubeconfig", self.server.kubeconfig, "--cache-dir", os.path.join(home, "cache"),
                "apply", "--server-side", "--force-conflicts", "--validate=false", "-f", self.objdir]

    # --- Ansible

    def ansible(self, repo):
        b = self.bench
        playbook_bin, why = ansible.ensure_ansible(repo)
        if playbook_bin is None:
            b.notes.append("Ansible rows skipped: " + why)
            log("bench: Ansible rows skipped: " + why)
            return
        python = os.path.join(os.path.dirname(playbook_bin), "python")
        path = b.path("ansible-playbook.json")
        ansible.write_playbook(path, [os.path.join(self.objdir, f) for f in self.files], self.server.kubeconfig, python)
        f_apply = b.figure("real_ansible_apply", "Ansible kubernetes.core.k8s, first", self.group,
                           "one task per object, server-side apply; fresh cluster state and caches each run")
        f_rerun = b.figure("real_ansible_rerun", "Ansible kubernetes.core.k8s, again", self.group, "warm discovery cache")
        log("bench: Ansible kubernetes.core.k8s against the real API server (%d runs; slow)" % self.ansible_runs)
        argv = [playbook_bin, "-i", "localhost,", path]
        env = None
        for _ in range(self.ansible_runs):
            self.reset()
            run_dir = tempfile.mkdtemp(prefix="ansible-", dir=b.work)
            env = ansible.environment(clean_env(), os.path.join(run_dir, "home"), os.path.join(run_dir, "tmp"))
            self.timed(f_apply, "ansible-playbook (real server)", argv, env)
        self.settle()
        for _ in range(self.ansible_runs):
            self.timed(f_rerun, "ansible-playbook re-run (real server)", argv, env)


def run_with_events(argv, env):
    """Like proc.measure, with stderr read line by line as it is written: (Result, [(time, line)]).
    stdout still goes to a file, so the JSON report costs the child nothing to write."""
    lines = []
    with tempfile.TemporaryFile() as out:
        floor = peak_rss_bound()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env)

        def read():
            for raw in proc.stderr:
                lines.append((time.perf_counter(), raw.decode("utf-8", "replace").rstrip("\n")))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        reader.join()
        proc.stderr.close()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stderr = "\n".join(line for _, line in lines)
        result = Result(argv, wall, usage.ru_maxrss, proc.returncode, out.read().decode("utf-8", "replace"), stderr,
                        rss_floor_kb=floor, cpu=cpu_seconds(usage))
        result.started = start  # the clock the lines' times are on
        return result, lines


def wait_only_seconds(lines, waiting_ids, start, end):
    """How long the run did nothing but wait for helm-controller's Job or a rollout: time in which
    at least one of those steps was in its wait (from its first `waiting` line to its end) and no
    started step was doing anything else. Other steps working meanwhile is work, not waiting, so
    it is not subtracted; nor is any time outside the steps (start-up, ledger, lease)."""
    state, last, waited = {}, start, 0.0
    for t, line in lines:
        m = EVENT.match(line)
        if not m:
            continue
        if state and all(s == "wait" for s in state.values()):
            waited += t - last
        last = t
        step, what = m.group(1), m.group(2)
        if what == "started":
            state[step] = "work"
        elif what == "waiting" and step in waiting_ids and step in state:
            state[step] = "wait"
        elif what in ("applied", "skipped", "failed", "blocked"):
            state.pop(step, None)
    if state and all(s == "wait" for s in state.values()):
        waited += end - last
    return waited
