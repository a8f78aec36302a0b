"""Figures: one row of the table, the runs of one command, and what is reported of them."""

import statistics

from .proc import die, log


def _median(values):
    return statistics.median(values) if values else None


def _median_counts(counts):
    """(total, writes) medians of request counts, or None when there are none."""
    if not counts:
        return None
    return (statistics.median([c.get("total", 0) for c in counts]),
            statistics.median([c.get("writes", 0) for c in counts]))


class Figure:
    """One row of the table: several runs of the same command."""

    def __init__(self, key, label, group, note=""):
        self.key, self.label, self.group, self.note = key, label, group, note
        self.runs = []
        self.errors = []

    def record(self, result, what):
        """Adds the run when it exited 0; otherwise keeps its error and warns."""
        if check(result, what, self):
            self.add(result, result.engine_requests())

    def add(self, result, engine_requests=None, server_requests=None, server_cpu=None):
        run = {"wallSeconds": result.wall, "exit": result.rc}
        if result.rss_kb is not None:
            run["peakRSSMB"] = result.rss_kb / 1024.0
            if getattr(result, "rss_is_bound", False):
                run["peakRSSIsUpperBound"] = True
        if getattr(result, "cpu", None) is not None:
            run["processCPUSeconds"] = result.cpu
        if engine_requests is not None:
            run["engineRequests"] = engine_requests
        if server_requests is not None:
            run["serverRequests"] = server_requests
        if server_cpu is not None:
            run["serverCPUSeconds"] = server_cpu
        if result.emulator is not None:
            run["emulator"] = result.emulator
        self.runs.append(run)

    def median(self, key):
        return _median([r[key] for r in self.runs if key in r])

    def wall(self):
        return self.median("wallSeconds")

    def wall_range(self):
        walls = [r["wallSeconds"] for r in self.runs]
        return (min(walls, default=None), max(walls, default=None))

    def requests(self):
        """(total, writes): as the emulator counted them when it could, else as the engine reported.
        A real API server's count has no writes (its per-client counter has no verb): (total, None)."""
        server = [r["serverRequests"] for r in self.runs if "serverRequests" in r]
        if server:
            return (statistics.median(server), None)
        emulator = [r["emulator"] for r in self.runs if "emulator" in r]
        if emulator:
            return (statistics.median([e["requests"] for e in emulator]),
                    statistics.median([e["writes"] for e in emulator]))
        return self.engine_requests()

    def engine_requests(self):
        return _median_counts([r["engineRequests"] for r in self.runs if "engineRequests" in r])

    def share(self, what="serviceSeconds"):
        """The emulator's `what` over the run's wall time, median over runs."""
        return _median([r["emulator"][what] / r["wallSeconds"] for r in self.runs
                        if "emulator" in r and what in r["emulator"] and r["wallSeconds"] > 0])

    def json(self):
        req, eng = self.requests(), self.engine_requests()
        low, high = self.wall_range()
        counted_by = "server" if any("serverRequests" in r for r in self.runs) else (
            "emulator" if any("emulator" in r for r in self.runs) else ("engine" if eng is not None else None))
        return {
            "key": self.key, "label": self.label, "group": self.group, "note": self.note, "runs": len(self.runs),
            "medianWallSeconds": self.wall(),
            "minWallSeconds": low,
            "maxWallSeconds": high,
            "medianPeakRSSMB": self.median("peakRSSMB"),
            "requests": None if req is None else {"total": req[0], "writes": req[1], "countedBy": counted_by},
            "engineRequests": None if eng is None else {"total": eng[0], "writes": eng[1]},
            "emulatorShare": self.share(),
            "emulatorCPUShare": self.share("cpuSeconds"),
            "errors": self.errors,
            "samples": self.runs,
        }


def check(result, what, figure=None, allowed=(0,)):
    """True when the run exited as allowed. A failed run of a figure is kept as the figure's error;
    any other failure ends the bench."""
    if result.rc in allowed:
        return True
    message = "%s exited %d: %s" % (what, result.rc, (result.stderr.strip() or result.stdout.strip())[-2000:])
    if figure is None:
        die(message)
    figure.errors.append(message)
    log("bench: warning: " + message)
    return False


def fmt_ms(seconds):
    """Milliseconds with three significant figures or so: 101, 23.6."""
    return "-" if seconds is None else ("%.0f" % (seconds * 1000) if seconds >= 0.1 else "%.1f" % (seconds * 1000))
