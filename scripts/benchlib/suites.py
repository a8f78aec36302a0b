"""The measurements, one function per group of rows, in the order of the table."""

import os
import shutil

from . import playbooks
from .figures import check
from .proc import clean_env, log

ANNOTATION_LIMIT = 256 * 1024           # apimachinery's TotalAnnotationSizeLimitB


def shown(path, repo):
    """A path as the report names it: relative to the repository when inside it, else its file name."""
    return os.path.relpath(path, repo) if path.startswith(repo + os.sep) else os.path.basename(path)


def repeat(bench, figure, what, run):
    """Records `run()` into `figure`, bench.runs times."""
    for _ in range(bench.runs):
        figure.record(run(), what)


class Subject:
    """The playbook under test and what the survey learnt of it."""

    def __init__(self, path, repo):
        self.path = os.path.abspath(path)
        self.name = shown(self.path, repo)
        with open(self.path) as f:
            self.text = f.read()
        self.secrets_args = []
        self.graph = self.plan = None
        self.host_steps, self.cluster_ids = [], set()
        self.node_name = "node-1"

    def objects_total(self):
        return sum(len(st["objects"]) for st in self.plan["steps"])

    def rehearsal(self, command, directory):
        return [command, self.path, "--rehearsal", directory, "--output", "json"] + self.secrets_args


def default_playbook(repo):
    faf = os.path.join(repo, "playbooks/faf.yaml")
    return faf if os.path.exists(faf) else os.path.join(repo, "playbooks/examples/minimal.yaml")


def private_secrets(bench, subject, given, repo):
    """--secrets for the subject's runs: a private copy of the secrets file, since bootstrap refuses
    a secrets file others can read when it talks to a cluster. [] when there is none."""
    source = given or os.environ.get("BOOTSTRAP_SECRETS") or None
    beside = os.path.join(os.path.dirname(subject.path), "secrets.yaml")
    if source is None and os.path.exists(beside):
        source = beside
    if source is None and "secrets." in subject.text and os.path.exists(os.path.join(repo, "secrets.example")):
        source = os.path.join(repo, "secrets.example")
    if source is None:
        return []
    copy = bench.path("secrets.yaml")
    shutil.copyfile(source, copy)
    os.chmod(copy, 0o600)
    bench.notes.append("secrets: " + shown(source, repo))
    return ["--secrets", copy]


def survey(bench, subject, repo):
    """Validates the subject, reads its graph, and plans it in a rehearsal on a fresh node (no API
    yet: every cluster step is planned with its objects); from that, the steps with host work."""
    check(bench.run(["validate", subject.path] + subject.secrets_args), "bootstrap validate " + subject.name)
    subject.graph = playbooks.read_graph(bench.binary, subject.path, subject.name, bench.env)

    rdir = bench.path("rehearsal-plan")
    r = bench.run(subject.rehearsal("plan", rdir))
    check(r, "bootstrap plan --rehearsal (fresh node)")
    subject.plan = r.json()
    # The CRDs the playbook's pinned k3s serves, as the rehearsal wrote them (the binary embeds them).
    bench.crds = os.path.join(rdir, "crds")
    subject.node_name = playbooks.node_name(subject.plan, playbooks.compose(subject.text))
    subject.host_steps = playbooks.host_step_ids(subject.plan)
    subject.cluster_ids = {st["id"] for st in subject.graph} - set(subject.host_steps)
    log("bench: %s: %d steps, %d objects; steps with host work: %s"
        % (subject.name, len(subject.graph), subject.objects_total(), ", ".join(subject.host_steps) or "none"))


def rehearsal_suite(bench, subject):
    """The whole playbook in rehearsal mode: simulated host, embedded emulator whose state lives in
    DIR/cluster.json (saved after every write)."""
    g = "bootstrap --rehearsal: %s, whole playbook (embedded emulator with a state file)" % subject.name
    f_apply = bench.figure("apply", "first apply", g, "fresh rehearsal directory each run; %d objects" % subject.objects_total())
    f_noop = bench.figure("noop", "no-op re-run", g)
    f_plan = bench.figure("plan", "plan (applied)", g)
    log("bench: rehearsal of the whole %s (%d runs)" % (subject.name, bench.runs))
    for i in range(bench.runs):
        rd = bench.path("rehearsal-%d" % i)
        f_apply.record(bench.run(subject.rehearsal("apply", rd)), "apply --rehearsal")
    repeat(bench, f_noop, "apply --rehearsal (re-run)", lambda: bench.run(subject.rehearsal("apply", rd)))
    repeat(bench, f_plan, "plan --rehearsal", lambda: bench.run(subject.rehearsal("plan", rd)))


def kubectl_suite(bench, subject):
    """kubectl applies the same objects to `bootstrap emulator` with a state file too."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        bench.notes.append("kubectl not installed: kubectl figures and the targets comparing with them skipped")
        log("bench: kubectl not found; skipping the kubectl comparison")
        return
    objdir, count = kubectl_object_files(bench, subject)
    g = "kubectl apply --server-side: the same objects (bootstrap emulator --state, same CRDs)"
    f_apply = bench.figure("kubectl_apply", "kubectl first apply", g, "%d objects; fresh emulator and discovery cache each run" % count)
    f_reapply = bench.figure("kubectl_reapply", "kubectl re-apply", g, "warm discovery cache")
    log("bench: kubectl apply of the same %d objects (%d runs)" % (count, bench.runs))

    def kubectl_apply(e):
        # --force-conflicts: the emulator's volume binder owns the PersistentVolumes' claimRef, which
        # the objects also set; bootstrap takes such fields over too, and the re-apply must not fail.
        argv = [kubectl, "--kubeconfig", e.kubeconfig, "--cache-dir", os.path.join(e.dir, "kube-cache"), "apply",
                "--server-side", "--force-conflicts", "--validate=false", "-f", objdir]
        return e.measure(argv, env=clean_env({"HOME": e.dir}))

    kept = None
    for _ in range(bench.runs):
        e = bench.new_emulator(subject.node_name, state=True)
        f_apply.record(kubectl_apply(e), "kubectl apply")
        if kept is None:
            kept = e  # its warm discovery cache serves the re-applies
        else:
            bench.done_emulator(e)
    repeat(bench, f_reapply, "kubectl re-apply", lambda: kubectl_apply(kept))
    bench.done_emulator(kept)


def kubectl_object_files(bench, subject):
    """The objects of the subject's plan as files for `kubectl apply -f DIR`: (DIR, count)."""
    objdir = bench.path("kubectl-objects")
    os.makedirs(objdir)
    count, notes = playbooks.kubectl_objects(subject.plan, objdir)
    bench.notes.extend(notes)
    return objdir, count


def variant_path(bench, subject, name):
    """Where a variant of the subject is written: a new directory in which everything beside the
    subject (the files its steps read, such as app.workload's `files` and `envFiles`) is linked,
    so relative paths resolve as they do for the original, and the repository is not written to."""
    directory = bench.path(name)
    os.makedirs(directory)
    here = os.path.dirname(subject.path)
    for entry in os.listdir(here):
        if entry != os.path.basename(subject.path):
            os.symlink(os.path.join(here, entry), os.path.join(directory, entry))
    return os.path.join(directory, os.path.basename(subject.path))


def skip_host_steps(subject):
    """--skip for the steps with host work: they would run real commands on this machine, so they
    are taken as provided by the environment. The playbook stays whole (a workload's claims must
    be those of its storage.local-volumes step, so those steps cannot simply be removed)."""
    return ["--skip", ",".join(subject.host_steps)] if subject.host_steps else []


def cluster_only_suite(bench, subject):
    """The playbook's pure cluster steps against a separate emulator (also with a state file):
    where the emulator's share of the time can be read."""
    if not subject.cluster_ids:
        return
    g = "bootstrap: %s without the steps with host work (%d of %d steps, the others --skip) vs bootstrap emulator --state" % (
        subject.name, len(subject.cluster_ids), len(subject.graph))
    f_apply = bench.figure("cluster_apply", "first apply", g, "fresh emulator each run")
    f_noop = bench.figure("cluster_noop", "no-op re-run", g)
    f_plan = bench.figure("cluster_plan", "plan (applied cluster)", g)
    f_plan_empty = bench.figure("cluster_plan_empty", "plan (empty cluster)", g, "GET + server-side dry run per object")
    log("bench: %s's pure cluster steps against a separate emulator (%d runs)" % (subject.name, bench.runs))

    def run(command, e):
        # Without a terminal, an apply that changes a cluster needs --yes (and a no-op one plans twice without it).
        consent = ["--yes"] if command == "apply" else []
        return e.measure([bench.binary, command, subject.path] + consent + bench.kube_args(e) + skip_host_steps(subject)
                         + subject.secrets_args, env=bench.env)

    kept = None
    for _ in range(bench.runs):
        e = bench.new_emulator(subject.node_name, state=True)
        if kept is None:
            repeat(bench, f_plan_empty, "plan (empty cluster)", lambda: run("plan", e))
        f_apply.record(run("apply", e), "apply")
        if kept is None:
            kept = e  # the applied cluster the re-runs and plans measure
        else:
            bench.done_emulator(e)
    repeat(bench, f_noop, "no-op re-run", lambda: run("apply", kept))
    repeat(bench, f_plan, "plan", lambda: run("plan", kept))
    bench.done_emulator(kept)


def generated_suite(bench, sizes):
    """Generated playbooks: how cost grows with the number of steps. Returns (scaling, ledger
    sizes): scaling[n] holds the Figures of size n by kind."""
    scaling, ledger_sizes = {}, {}
    for n in sizes:
        scaling[n], size = generated_size(bench, n)
        if size is not None:
            ledger_sizes[n] = size
    return scaling, ledger_sizes


def generated_size(bench, n):
    g = "generated playbook, %d steps" % n
    path = bench.path("generated-%d.yaml" % n)
    playbooks.write_generated(path, n)
    log("bench: generated playbook of %d steps" % n)
    fv = bench.figure("validate_%d" % n, "validate", g)
    repeat(bench, fv, "validate", lambda: bench.run(["validate", path]))
    e = bench.new_emulator("node-1")
    fa = bench.figure("apply_%d" % n, "first apply (1 run)", g, "measured once")
    fa.record(e.measure([bench.binary, "apply", path, "--yes"] + bench.kube_args(e), env=bench.env), "apply")
    size = ledger_size(bench, e, n)
    if size is not None:
        fa.note += "; ledger annotations %d bytes" % size
    fn = bench.figure("noop_%d" % n, "no-op re-run", g)
    repeat(bench, fn, "no-op re-run", lambda: e.measure([bench.binary, "apply", path, "--yes"] + bench.kube_args(e), env=bench.env))
    fp = bench.figure("plan_%d" % n, "plan (applied cluster)", g)
    repeat(bench, fp, "plan", lambda: e.measure([bench.binary, "plan", path] + bench.kube_args(e), env=bench.env))
    bench.done_emulator(e)
    return {"validate": fv, "apply": fa, "noop": fn, "plan": fp}, size


def ledger_size(bench, e, n):
    """Bytes of annotations on the n-step playbook's ledger ConfigMap; notes when a real API
    server would refuse that many."""
    ledger = e.get("/api/v1/namespaces/kube-system/configmaps/bootstrap-bench-%d" % n)
    if not ledger:
        return None
    annotations = ledger.get("metadata", {}).get("annotations", {}) or {}
    size = sum(len(k.encode()) + len(v.encode()) for k, v in annotations.items())
    if size > ANNOTATION_LIMIT:
        bench.notes.append("the %d-step ledger holds %d bytes of annotations: a real API server rejects more than "
                           "%d (256 KiB) per object, which this playbook reaches at about %d steps; the emulator "
                           "does not enforce that limit" % (n, size, ANNOTATION_LIMIT, ANNOTATION_LIMIT * n // size))
    return size
