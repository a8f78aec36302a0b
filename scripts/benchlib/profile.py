"""Where the largest plan spends its time: callgrind when it works, else perf (--callgrind)."""

import os
import shutil
import subprocess

from .figures import check
from .proc import log, measure

TOP = 60


def profile_plan(bench, n):
    """Profiles `plan` of the n-step generated playbook (after one apply): valgrind --tool=callgrind
    on a copy of the binary without DWARF (valgrind 3.19 cannot read Swift 6's), else perf."""
    path = os.path.join(bench.work, "generated-%d.yaml" % n)
    e = bench.new_emulator("node-1")
    try:
        check(bench.run(["apply", path, "--yes"] + bench.kube_args(e)), "apply (for the profile)")
        plan_args = ["plan", path] + bench.kube_args(e)
        return _callgrind(bench, n, plan_args) or _perf(bench, n, plan_args) or _none()
    finally:
        bench.done_emulator(e)


def _callgrind(bench, n, plan_args):
    if not (shutil.which("valgrind") and shutil.which("callgrind_annotate")):
        return None
    plain = os.path.join(bench.work, "bootstrap-nodebug")
    subprocess.run(["objcopy", "--strip-debug", bench.binary, plain], capture_output=True)
    target = plain if os.path.exists(plain) else bench.binary
    out = os.path.join(bench.work, "callgrind.out")
    log("bench: profiling plan of %d steps under callgrind (slow)" % n)
    r = measure(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, target] + plan_args, env=bench.env)
    if r.rc != 0 or os.path.getsize(out) == 0:
        log("bench: callgrind failed (%s); trying perf" % (r.stderr.strip().splitlines() or ["?"])[-1][:200])
        return None
    tops = {}
    for mode in ("no", "yes"):
        text = subprocess.run(["callgrind_annotate", "--inclusive=" + mode, out], capture_output=True, text=True).stdout
        tops["self" if mode == "no" else "inclusive"] = demangled(text).splitlines()[:TOP]
    return {"tool": "callgrind", "steps": n, **tops}


def _perf(bench, n, plan_args):
    if not shutil.which("perf"):
        return None
    data = os.path.join(bench.work, "perf.data")
    r = measure(["perf", "record", "-F", "2000", "-g", "-o", data, bench.binary] + plan_args, env=bench.env)
    if r.rc != 0:
        log("bench: perf record failed: " + r.stderr.strip()[-300:])
        return None
    tops = {}
    for mode in ("--no-children", "--children"):
        text = subprocess.run(["perf", "report", "-i", data, mode, "--sort", "symbol", "--stdio", "-g", "none"],
                              capture_output=True, text=True).stdout
        lines = [l.rstrip() for l in demangled(text).splitlines() if "%" in l and not l.startswith("#")]
        tops["self" if mode == "--no-children" else "inclusive"] = lines[:TOP]
    return {"tool": "perf", "steps": n, **tops}


def _none():
    log("bench: no profiler worked; no profile")
    return None


def demangled(text):
    tool = shutil.which("swift-demangle")
    if tool:
        return subprocess.run([tool, "--simplified"], input=text, capture_output=True, text=True).stdout
    return text
