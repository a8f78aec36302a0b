"""Start-up: whole processes of a few milliseconds, many runs each.

At this size the usual five runs say little (one page-cache miss or a scheduler hiccup is a whole
run), so each row is the median of many runs after a few warm-up runs, hyperfine's method, in
this process: os.posix_spawn (vfork + exec, the cheapest start Python has) and os.wait4 for the
exit and the child's peak RSS. /bin/true, measured the same way, is the floor: what spawning and
reaping any process costs here, so the rows above it are the program's own start-up."""

import os
import shutil
import subprocess
import time

from .proc import cpu_seconds, log

WARMUP = 5


class SpawnResult:
    """A run in the shape Figure.add takes."""

    def __init__(self, wall, rss_kb, rc, cpu=None):
        self.wall, self.rss_kb, self.rc, self.cpu = wall, rss_kb, rc, cpu
        self.emulator = None
        self.stdout = self.stderr = ""


def spawn_once(argv, env):
    """One run: the child inherits this process's working directory (posix_spawn has no cwd
    argument before Python 3.13)."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
        # No peak RSS: a vforked child's ru_maxrss includes this Python process's RSS from before
        # its exec, which is more than a process this small uses.
        return SpawnResult(wall, None, os.waitstatus_to_exitcode(status), cpu=cpu_seconds(usage))
    finally:
        os.close(devnull)


def foundation_note(binary):
    """What the --version row's note says about the binary: its size, and whether the whole of
    Foundation came back (CoreFoundation's start-up, ICU's data; README, Start-up). Only a release
    build shows it: a dependency's `import Foundation` can win overload resolution under whole-module
    optimization alone, so the test suite's debug build cannot see this."""
    size = "binary %.0f MB" % (os.path.getsize(binary) / 1e6)
    nm = shutil.which("nm")
    if nm is None:
        return size
    symbols = subprocess.run([nm, binary], capture_output=True, text=True).stdout
    linked = [name for name in ("__CFInitialize", "icudt") if name in symbols]
    if linked:
        return size + "; WHOLE FOUNDATION LINKED (%s): see README, Start-up" % ", ".join(linked)
    return size + "; no CoreFoundation or ICU data linked"


def startup_suite(bench, subject, repo, runs):
    """`bootstrap --version`, `bootstrap validate <playbook>` and /bin/true, `runs` timed runs each."""
    g = "start-up: whole process, median of %d runs after %d warm-up runs (posix_spawn + wait4)" % (runs, WARMUP)
    rows = [
        ("startup_true", "/bin/true (reference)", ["/bin/true"], ""),
        ("startup_version", "bootstrap --version", [bench.binary, "--version"], foundation_note(bench.binary)),
        ("startup_validate", "bootstrap validate %s" % subject.name,
         [bench.binary, "validate", subject.name if subject.path.startswith(repo + os.sep) else subject.path] + subject.secrets_args,
         "with --secrets (the playbook refers to secrets)" if subject.secrets_args else ""),
    ]
    log("bench: start-up (%d runs of each)" % runs)
    previous = os.getcwd()
    os.chdir(repo)  # validate is given the playbook as a person types it, relative to the repository
    try:
        for key, label, argv, note in rows:
            figure = bench.figure(key, label, g, note)
            for _ in range(WARMUP):
                spawn_once(argv, bench.env)
            for _ in range(runs):
                r = spawn_once(argv, bench.env)
                if r.rc != 0:
                    figure.errors.append("%s exited %d" % (" ".join(argv), r.rc))
                    log("bench: warning: %s exited %d" % (label, r.rc))
                    break
                figure.add(r)
    finally:
        os.chdir(previous)
