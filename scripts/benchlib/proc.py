"""Running one process to completion and measuring it."""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg, code=1):
    log("bench: error: " + msg)
    sys.exit(code)


def peak_rss_bound():
    """The bench's own peak RSS (KB): a child it spawns starts from its parent's resident set
    (vfork, then exec keeps the high-water mark), so the child's ru_maxrss can not say less."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def cpu_seconds(usage):
    """The child's CPU time, all its threads, user and system (wait4's rusage)."""
    return usage.ru_utime + usage.ru_stime


class Result:
    def __init__(self, argv, wall, rss_kb, rc, stdout, stderr, rss_floor_kb=0, cpu=None):
        self.argv, self.wall, self.rss_kb, self.rc = argv, wall, rss_kb, rc
        # On two cores shared with the API server, CPU time says what a change saved when the
        # wall time moves less than the spread between runs (docs/performance.md).
        self.cpu = cpu
        self.stdout, self.stderr = stdout, stderr
        self.emulator = None  # {"requests", "writes", "serviceSeconds"} deltas, when measured
        # At or below the bench's own peak, the figure is only an upper bound (peak_rss_bound).
        self.rss_is_bound = rss_kb is not None and rss_kb <= rss_floor_kb

    def json(self):
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    def engine_requests(self):
        """The engine's own request count from `--output json`, when the command printed one."""
        data = self.json()
        if isinstance(data, dict) and isinstance(data.get("requests"), dict):
            return data["requests"]
        return None


def measure(argv, env=None, cwd=None):
    """Runs argv to completion; wall time, the child's own peak RSS (wait4), exit status, output."""
    # Output goes to files, not pipes, so that reading it costs the child nothing while it runs.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        floor = peak_rss_bound()
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Result(argv, wall, usage.ru_maxrss, proc.returncode,
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), rss_floor_kb=floor,
                      cpu=cpu_seconds(usage))


def clean_env(extra=None):
    """This environment without what would point bootstrap at the caller's cluster or secrets."""
    env = dict(os.environ)
    for key in ("KUBECONFIG", "BOOTSTRAP_SECRETS"):
        env.pop(key, None)
    env.update(extra or {})
    return env
