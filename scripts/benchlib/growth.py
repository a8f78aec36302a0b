"""How cost grows with playbook size: slopes of log time (and log RSS) against log steps."""

import math

KINDS = ("validate", "plan", "noop", "apply")


def fit_exponent(points):
    """Least-squares slope of log(time) against log(steps)."""
    pts = [(math.log(n), math.log(t)) for n, t in points if t and t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else None


def largest_two_exponent(points):
    """The slope between the two largest sizes: start-up cost flattens the fit, less so here."""
    big = sorted(points, key=lambda p: p[0])[-2:]
    if len(big) != 2 or not all(t for _, t in big):
        return None
    (n0, t0), (n1, t1) = big
    return math.log(t1 / t0) / math.log(n1 / n0) if t1 > 0 and t0 > 0 else None


def growth(scaling, sizes):
    """For each kind of run, the exponents over `sizes`; scaling[n][kind] is a Figure."""
    out = {}
    for kind in KINDS:
        pts = [(n, scaling[n][kind].wall()) for n in sizes]
        rss = [(n, scaling[n][kind].median("peakRSSMB")) for n in sizes]
        out[kind] = {"exponent": fit_exponent(pts), "exponentLargestTwo": largest_two_exponent(pts),
                     "rssExponent": fit_exponent(rss), "points": [{"steps": n, "medianWallSeconds": t} for n, t in pts]}
    return out
