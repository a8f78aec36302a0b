"""What every suite shares: the binary, the scratch directory, the figures and the emulators."""

import os
import shutil
import tempfile

from .emulator import Emulator
from .figures import Figure
from .proc import clean_env, log, measure


class Bench:
    def __init__(self, binary, runs, keep=False):
        self.binary, self.runs, self.keep = binary, runs, keep
        self.work = tempfile.mkdtemp(prefix="bootstrap-bench-")
        self.env = clean_env()
        self.crds = None  # what separate emulators serve; set by the survey
        self.figures, self.notes, self._emulators = [], [], []
        self._cleanups = []  # callables run at exit, last added first (the real API server's stop)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for e in list(self._emulators):
            e.stop()
        for cleanup in reversed(self._cleanups):
            cleanup()
        if self.keep:
            log("bench: scratch directory kept: " + self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)

    def figure(self, key, label, group, note=""):
        """A new row of the table, in the order rows are created."""
        f = Figure(key, label, group, note)
        self.figures.append(f)
        return f

    def at_exit(self, cleanup):
        self._cleanups.append(cleanup)

    def figures_by_key(self):
        return {f.key: f for f in self.figures}

    def run(self, args):
        """Measures `bootstrap args...`."""
        return measure([self.binary] + args, env=self.env)

    def new_emulator(self, node_name, state=False):
        e = Emulator(self.binary, self.work, self.crds, node_name, state)
        self._emulators.append(e)
        return e

    def done_emulator(self, e):
        e.stop()
        self._emulators.remove(e)

    def host_root(self):
        """An empty host root: cluster-only runs against a separate emulator touch no real host path."""
        path = os.path.join(self.work, "host-root")
        os.makedirs(path, exist_ok=True)
        return path

    def kube_args(self, e):
        return ["--kubeconfig", e.kubeconfig, "--host-root", self.host_root(), "--output", "json"]

    def path(self, *parts):
        return os.path.join(self.work, *parts)
