"""`bootstrap emulator` as a separate process: the only place the emulator's share of a run can be read."""

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.request

import yaml

from .proc import clean_env, die, measure

START_TIMEOUT = 60


class Emulator:
    def __init__(self, binary, workdir, crds, node_name, state=False):
        self.dir = tempfile.mkdtemp(prefix="emu-", dir=workdir)
        self.kubeconfig = os.path.join(self.dir, "kubeconfig")
        argv = [binary, "emulator", "--listen", "127.0.0.1:0", "--kubeconfig-out", self.kubeconfig,
                "--node-name", node_name]
        if crds:
            argv += ["--crds", crds]
        if state:
            argv += ["--state", os.path.join(self.dir, "cluster.json")]
        self.logfile = open(os.path.join(self.dir, "emulator.log"), "wb")
        self.proc = subprocess.Popen(argv, stdout=self.logfile, stderr=self.logfile, stdin=subprocess.DEVNULL,
                                     env=clean_env())
        self.url = None
        self._wait_until_ready()

    def _wait_until_ready(self):
        deadline = time.time() + START_TIMEOUT
        while time.time() < deadline:
            if self.proc.poll() is not None:
                die("the emulator exited at start:\n" + open(os.path.join(self.dir, "emulator.log")).read())
            self.url = self.url or self._server_from_kubeconfig()
            if self.url and self.get("/readyz", raw=True, timeout=5) is not None:
                return
            time.sleep(0.05)
        self.stop()
        die("the emulator did not become ready within %d s" % START_TIMEOUT)

    def _server_from_kubeconfig(self):
        """The API URL from the kubeconfig the emulator writes once it listens; None until then
        (the file may not exist yet, or be half written)."""
        try:
            with open(self.kubeconfig) as f:
                return yaml.safe_load(f)["clusters"][0]["cluster"]["server"]
        except (OSError, yaml.YAMLError, KeyError, IndexError, TypeError):
            return None

    def get(self, path, raw=False, timeout=30):
        """GET path: the decoded JSON (the raw bytes with raw=True), or None when it fails."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as r:
                body = r.read()
                return body if raw else json.loads(body)
        except OSError:
            return None

    def stats(self):
        with urllib.request.urlopen(self.url + "/emulator/stats", timeout=30) as r:
            return json.loads(r.read())

    def cpu_seconds(self):
        """The emulator process's CPU time so far (user + system, all threads)."""
        try:
            fields = open("/proc/%d/stat" % self.proc.pid).read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / float(os.sysconf("SC_CLK_TCK"))
        except (OSError, IndexError, ValueError):
            return None

    def measure(self, argv, env=None):
        """measure(), plus what the emulator served and spent during the run."""
        before, cpu_before = self.stats(), self.cpu_seconds()
        result = measure(argv, env=env)
        after, cpu_after = self.stats(), self.cpu_seconds()
        result.emulator = {k: after[k] - before[k] for k in ("requests", "writes", "serviceSeconds")}
        if cpu_before is not None and cpu_after is not None:
            result.emulator["cpuSeconds"] = cpu_after - cpu_before
        return result

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logfile.close()
