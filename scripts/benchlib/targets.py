"""The targets, judged from the figures: issue 28's (the default run) and issues 7 and 17's (--full)."""

from .figures import fmt_ms

TARGETS_TEXT = {
    "noop_requests": "no-op re-run makes <= 3 requests",
    "noop_vs_kubectl": "no-op re-run >= 10x faster than kubectl re-apply",
    "apply_vs_kubectl": "first apply >= 2x faster than kubectl first apply",
    "plan5000_time": "5,000-step plan < 2 s",
    "plan5000_rss": "5,000-step plan < 200 MB peak RSS",
    "growth": "cost grows ~linearly with steps (fitted exponent <= 1.2)",
    "startup_version": "`bootstrap --version` median <= 3x /bin/true",
    "startup_validate": "`bootstrap validate` of the playbook median <= 8x /bin/true",
    "real_noop_requests": "real server: no-op re-run makes <= 3 requests (the server's count)",
    "real_noop_time": "real server: no-op re-run median <= 20 ms",
    "real_noop_vs_kubectl": "real server: no-op re-run >= 75x faster than kubectl re-apply",
    "real_apply_vs_kubectl": "real server: first apply (waits excluded) >= 2x faster than kubectl first apply",
}
NO_REAL = "no real API server rows in this run (see the notes)"
NO_5000 = "no 5,000-step size in this run (--quick or --sizes)"


def _target(key, ok, detail):
    """ok: True (PASS), False (MISS) or None (N/A: not measured)."""
    result = "PASS" if ok else ("MISS" if ok is False else "N/A")
    return {"key": key, "target": TARGETS_TEXT[key], "result": result, "detail": detail}


def targets(figures, scaling, growth, full=True):
    """figures: the Figures by key; scaling[n][kind]: the generated playbooks' Figures (--full)."""
    emulator = [
        noop_requests(figures.get("noop"), figures.get("cluster_noop")),
        speedup("noop_vs_kubectl", figures.get("noop"), figures.get("kubectl_reapply"), 10),
        speedup("apply_vs_kubectl", figures.get("apply"), figures.get("kubectl_apply"), 2),
        *plan5000(scaling.get(5000, {}).get("plan")),
        linear_growth(growth),
    ] if full else []
    return emulator + [
        startup(figures, "startup_version", 3),
        startup(figures, "startup_validate", 8),
        real_noop_requests(figures.get("real_noop")),
        real_noop_time(figures.get("real_noop"), 0.020),
        speedup("real_noop_vs_kubectl", figures.get("real_noop"), figures.get("real_kubectl_reapply"), 75),
        real_apply(figures.get("real_apply_nowait"), figures.get("real_apply"), figures.get("real_kubectl_apply")),
    ]


def real_noop_time(noop, limit):
    if noop is None or not noop.wall():
        return _target("real_noop_time", None, NO_REAL)
    return _target("real_noop_time", noop.wall() <= limit, "median %s ms (target %s ms)" % (fmt_ms(noop.wall()), fmt_ms(limit)))


def startup(figures, key, factor):
    """A start-up row against /bin/true measured in the same run: `factor` times the floor."""
    f, floor = figures.get(key), figures.get("startup_true")
    if f is None or not f.wall() or floor is None or not floor.wall():
        return _target(key, None, "not measured")
    ratio = f.wall() / floor.wall()
    return _target(key, ratio <= factor, "%.1fx: median %s ms, /bin/true %s ms (target %s ms)" % (
        ratio, fmt_ms(f.wall()), fmt_ms(floor.wall()), fmt_ms(floor.wall() * factor)))


def real_noop_requests(noop):
    req = None if noop is None else noop.requests()
    if req is None:
        return _target("real_noop_requests", None, NO_REAL)
    return _target("real_noop_requests", req[0] <= 3, "median %g requests, as the server counted them" % req[0])


def real_apply(nowait, whole, kubectl):
    if nowait is None or kubectl is None:
        return _target("real_apply_vs_kubectl", None, NO_REAL)
    t = speedup("real_apply_vs_kubectl", nowait, kubectl, 2)
    if whole is not None and whole.wall() and kubectl.wall():
        t["detail"] += "; with the waits %.1fx (%s ms)" % (kubectl.wall() / whole.wall(), fmt_ms(whole.wall()))
    return t


def noop_requests(noop, cluster_noop):
    req = noop.requests()
    counted = None if cluster_noop is None else cluster_noop.requests()
    return _target("noop_requests", None if req is None else req[0] <= 3,
                   "median %s requests (as the engine counts them%s)" % (
                       req and req[0],
                       "" if counted is None else "; the separate emulator counted %g for the cluster-only re-run" % counted[0]))


def speedup(key, ours, kubectl, factor):
    if ours is None or kubectl is None or not ours.wall() or not kubectl.wall():
        return _target(key, None, "kubectl figure missing" if ours is not None else NO_REAL)
    ratio = kubectl.wall() / ours.wall()
    return _target(key, ratio >= factor, "%.1fx (%s ms vs %s ms)" % (ratio, fmt_ms(ours.wall()), fmt_ms(kubectl.wall())))


def plan5000(plan):
    if plan is None:
        return [_target("plan5000_time", None, NO_5000), _target("plan5000_rss", None, NO_5000)]
    wall, rss = plan.wall(), plan.median("peakRSSMB")
    return [_target("plan5000_time", wall is not None and wall < 2.0, "%s ms" % fmt_ms(wall)),
            _target("plan5000_rss", rss is not None and rss < 200, "%.1f MB" % (rss or 0))]


def linear_growth(growth):
    exps = {k: growth[k]["exponent"] for k in ("validate", "plan", "noop")}
    if any(v is None for v in exps.values()):
        return _target("growth", None, "not enough sizes")
    fitted = ", ".join("%s %.2f" % (k, v) for k, v in exps.items())
    largest = ", ".join("%s %.2f" % (k, growth[k]["exponentLargestTwo"] or float("nan")) for k in exps)
    return _target("growth", all(v <= 1.2 for v in exps.values()),
                   "fitted exponents: %s (largest two sizes: %s)" % (fitted, largest))

