"""The machine a run measured, for the report's header and the JSON."""

import datetime
import json
import os
import platform
import shutil
import subprocess


def machine(repo):
    dirty = _cmd(["git", "status", "--porcelain", "--untracked-files=no"], repo)
    return {
        "uname": _cmd(["uname", "-srm"], repo), "nproc": os.cpu_count(), "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "memory": _memory(), "loadAverageAtStart": load_average(),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": _cmd(["git", "rev-parse", "HEAD"], repo), "worktreeModified": bool(dirty),
        "swift": (_cmd(["swift", "--version"], repo) or "").splitlines()[0:1],
        "kubectl": kubectl_version(),
        "python": platform.python_version(),
    }


def kubectl_version():
    if not shutil.which("kubectl"):
        return None
    try:
        out = subprocess.run(["kubectl", "version", "--client", "-o", "json"], capture_output=True, text=True).stdout
        return json.loads(out)["clientVersion"]["gitVersion"]
    except (OSError, ValueError, KeyError):
        return None


def _cmd(argv, cwd):
    try:
        return subprocess.run(argv, capture_output=True, text=True, cwd=cwd).stdout.strip()
    except OSError:
        return None


def _proc_field(path, name):
    """The value of the first `name: value` line of a /proc file."""
    try:
        for line in open(path):
            if line.startswith(name):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _memory():
    total = _proc_field("/proc/meminfo", "MemTotal")
    return None if total is None else "%.1f GiB" % (int(total.split()[0]) / 1024.0 / 1024.0)


def load_average():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return None
