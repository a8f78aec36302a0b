"""The Markdown report on stdout and the JSON file."""

import json

from .figures import fmt_ms

METHOD = """\
Each figure: the median of its runs of the whole process (%d first applies, %d re-runs; CPU ms and peak RSS
from wait4: user and system time of all its threads, and ru_maxrss, "≤" where it is no more than the bench's own,
which a spawned child's starts from; server CPU ms: what kube-apiserver and etcd used meanwhile, from /proc).
Start-up rows: median of %d runs each after 5 warm-up runs; /bin/true is the cost of any process
here, and the start-up targets are multiples of it measured in the same run.
Real kube-apiserver rows: the test suite's server (scripts/kube-apiserver --no-node) with stand-ins for
helm-controller and the kubelet; the playbook's steps with host work are skipped (--skip), its smoke checks left
out (no pod answers) and its workloads settle for 0s; kubectl applies the objects of the same steps. Requests
there are the server's own count for the tools' identity (API Priority and Fairness, per FlowSchema; it has no
writes count); every first apply starts from a cluster without anything of the previous run, and re-runs start
once the cluster has settled after the last one. The server is reached through a relay that sets TCP_NODELAY,
as a direct connection does (without it, 40 ms delayed-ACK stalls inflated every tool's figures). "Waits excluded"
subtracts the time in which bootstrap did nothing but wait for helm-controller's Job or a rollout (from its
progress lines)."""

METHOD_FULL = """\
Requests as the emulator served them (total/writes; dry runs are not writes). Emulator service = time it spent
serving those requests / wall time (summed over concurrent requests, so it can pass 100%); emulator CPU = the
emulator process's CPU time during the run / wall time (100% = one core busy all along). The playbook's first
apply, re-run and plan are the whole playbook in rehearsal mode (simulated host, embedded emulator with a state
file); kubectl applies the same objects to `bootstrap emulator --state` of the same build with the same CRDs.
Emulator shares are read from separate emulator processes (the rows that show them). Ansible applies the real
server's objects with kubernetes.core.k8s."""

GROWTH_ROWS = (("validate", "validate"), ("plan", "plan (applied)"), ("noop", "no-op re-run"),
               ("apply", "first apply (1 run)"))


def report(results):
    """The report of a finished run as Markdown: the JSON document's keys, with the Figures themselves."""
    lines = ["## The latest run", "", header(results["machine"]), "",
             METHOD % (results["runs"], results.get("noopRuns") or results["runs"], results["startupRuns"]), ""]
    if results.get("full"):
        lines += [METHOD_FULL, ""]
    lines += figure_table(results["figures"]) + [""]
    comparison = real_comparison({f.key: f for f in results["figures"]})
    if comparison:
        lines += comparison + [""]
    if results["growth"]:
        lines += growth_table(results["growth"]) + [""]
    lines += target_table(results["targets"])
    if results["notes"]:
        lines += [""] + ["Note: " + n for n in results["notes"]]
    if results["profile"]:
        lines += [""] + profile_lines(results["profile"])
    lines += ["", "Total benchmark time: %.0f s." % results["elapsedSeconds"]]
    return "\n".join(lines)


def header(info):
    return "Machine: %s, %s CPUs, %s; %s. %s; commit %s%s; bootstrap %s; load average at start %s, at end %s." % (
        info["cpu"], info["nproc"], info["memory"], info["uname"], info["date"], (info["commit"] or "?")[:12],
        " (modified)" if info["worktreeModified"] else "", info.get("binary") or "?",
        " ".join(info["loadAverageAtStart"] or []), " ".join(info.get("loadAverageAtEnd") or []))


def figure_table(figures):
    lines = ["| figure | median ms | min-max ms | CPU ms | server CPU ms | peak RSS MB | requests total/writes | emulator service / CPU | note |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    group = None
    for f in figures:
        if f.group != group:
            group = f.group
            lines.append("| **%s** | | | | | | | | |" % group)
        lines.append(figure_row(f))
    return lines


def figure_row(f):
    low, high = f.wall_range()
    rss = f.median("peakRSSMB")
    # At most the bench's own peak: a spawned child's ru_maxrss starts from its parent's (proc.peak_rss_bound).
    bound = any(run.get("peakRSSIsUpperBound") for run in f.runs)
    note = f.note + ("; FAILED runs: %d" % len(f.errors) if f.errors else "")
    cpu, server_cpu = f.median("processCPUSeconds"), f.median("serverCPUSeconds")
    return "| %s | %s | %s-%s | %s | %s | %s | %s | %s | %s |" % (
        f.label, fmt_ms(f.wall()), fmt_ms(low), fmt_ms(high), "-" if cpu is None else fmt_ms(cpu),
        "-" if server_cpu is None else fmt_ms(server_cpu),
        "-" if rss is None else ("≤ %.1f" if bound else "%.1f") % rss, requests_cell(f), share_cell(f), note)


def requests_cell(f):
    """Total/writes as counted; the engine's own count beside the emulator's when they differ."""
    req, eng = f.requests(), f.engine_requests()
    if req is None:
        return "-"
    counted = f.runs and ("emulator" in f.runs[0] or "serverRequests" in f.runs[0])
    cell = "%g" % req[0] if req[1] is None else "%g/%g" % req
    if eng is not None and counted and eng != req:
        cell += " (engine: %g/%g)" % eng
    return cell


def share_cell(f):
    share, cpu = f.share(), f.share("cpuSeconds")
    if share is None:
        return "-"
    return "%.0f%% / %s" % (share * 100, "-" if cpu is None else "%.0f%%" % (cpu * 100))


REAL_ROWS = (("first apply", "real_apply", "real_kubectl_apply", "real_ansible_apply"),
             ("first apply, bootstrap's waits excluded", "real_apply_nowait", "real_kubectl_apply", "real_ansible_apply"),
             ("re-run (nothing to do)", "real_noop", "real_kubectl_reapply", "real_ansible_rerun"))


def real_comparison(figures):
    """The real server's rows side by side: each tool's median and how many times bootstrap's."""
    if "real_apply" not in figures:
        return []
    lines = ["Against the real kube-apiserver, the same objects (median ms; in brackets: times bootstrap's time):", "",
             "| run | bootstrap | kubectl apply --server-side | Ansible kubernetes.core.k8s |", "| --- | ---: | ---: | ---: |"]
    for label, ours, kubectl, ansible in REAL_ROWS:
        base = figures[ours].wall() if ours in figures else None
        cells = []
        for key in (kubectl, ansible):
            other = figures[key].wall() if key in figures else None
            cells.append("-" if other is None else fmt_ms(other) + ("" if not base else " (%.1fx)" % (other / base)))
        lines.append("| %s | %s | %s | %s |" % (label, fmt_ms(base), *cells))
    return lines


def growth_table(growth):
    lines = ["Growth with playbook size (least-squares slope of log time vs log steps; 1 = linear; process start-up",
             "flattens the slope at small sizes, so the slope between the two largest sizes is shown too):", "",
             "| command | exponent (fit) | exponent (two largest) | RSS exponent |",
             "| --- | ---: | ---: | ---: |"]
    for kind, label in GROWTH_ROWS:
        g = growth[kind]
        cells = ("-" if v is None else "%.2f" % v for v in (g["exponent"], g["exponentLargestTwo"], g["rssExponent"]))
        lines.append("| %s | %s | %s | %s |" % (label, *cells))
    return lines


def target_table(targets):
    return ["| target | result | detail |", "| --- | --- | --- |"] + [
        "| %s | %s | %s |" % (t["target"], t["result"], t["detail"]) for t in targets]


def profile_lines(profile):
    return (["Profile of `plan` on the %d-step playbook after one apply (%s; inclusive cost, top functions):"
             % (profile["steps"], profile["tool"]), "```"]
            + [line[:160] for line in profile["inclusive"][:40]] + ["```"])


BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_docs(path, text):
    """The report between the file's bench markers (appended with them when it has none)."""
    with open(path) as f:
        doc = f.read()
    block = "%s\n<!-- written by scripts/bench --docs; edits here are overwritten -->\n\n%s\n\n%s" % (BEGIN, text, END)
    if BEGIN in doc and END in doc:
        doc = doc[:doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(doc)


def write_json(path, results):
    """The results as JSON; Figures become their json()."""
    document = dict(results, figures=[f.json() for f in results["figures"]])
    with open(path, "w") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
