"""Ansible's kubernetes.core.k8s beside bootstrap: the same objects, one task per object.

PyPI's `ansible` carries the kubernetes.core collection; the module needs the Python `kubernetes`
client too. Both go into a virtual environment of their own under .build (as PyYAML does for the
bench itself), once; nothing is installed system-wide."""

import json
import os
import subprocess
import sys

from .proc import log

PACKAGES = ["ansible>=9", "kubernetes>=24"]
FIELD_MANAGER = "ansible-bench"


def ensure_ansible(repo):
    """The venv's ansible-playbook, installed on first use; (path, None), or (None, why not)."""
    venv = os.path.join(repo, ".build", "venv-ansible")
    python = os.path.join(venv, "bin", "python")
    playbook = os.path.join(venv, "bin", "ansible-playbook")
    if not _works(python):
        log("bench: installing Ansible and the kubernetes client into .build/venv-ansible (once)")
        try:
            os.makedirs(os.path.dirname(venv), exist_ok=True)
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True, text=True)
            subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check"] + PACKAGES,
                           check=True, capture_output=True, text=True)
        except (OSError, subprocess.CalledProcessError) as e:
            detail = getattr(e, "stderr", None) or str(e)
            return None, "could not install %s into .build/venv-ansible: %s" % (" ".join(PACKAGES), detail.strip()[-400:])
        if not _works(python):
            return None, "Ansible installed into .build/venv-ansible, but kubernetes.core.k8s or the kubernetes client does not load"
    return playbook, None


def _works(python):
    if not os.access(python, os.X_OK):
        return False
    check = ("import kubernetes, ansible_collections.kubernetes.core.plugins.modules.k8s")
    return subprocess.run([python, "-c", check], capture_output=True).returncode == 0


def write_playbook(path, files, kubeconfig, python):
    """A playbook of one kubernetes.core.k8s task per object file (the files kubectl applies, in
    its order), server-side apply under its own field manager. Through `src`, not `definition`:
    Ansible templates a task's arguments, and FAF's configuration files hold `{{ … }}` of their own."""
    tasks = [{
        "name": os.path.basename(f),
        "kubernetes.core.k8s": {"kubeconfig": kubeconfig, "src": f, "apply": True,
                                "server_side_apply": {"field_manager": FIELD_MANAGER, "force_conflicts": True}},
    } for f in files]
    play = {"name": "bench", "hosts": "localhost", "connection": "local", "gather_facts": False,
            # The venv's Python, which has the kubernetes client; not whatever `python3` is first on PATH.
            "vars": {"ansible_python_interpreter": python}, "tasks": tasks}
    with open(path, "w") as f:
        json.dump([play], f, indent=1)  # JSON is YAML


def environment(base_env, home, tmp):
    """ansible-playbook's environment: HOME and TMPDIR decide where Ansible keeps its temporary
    files and where the kubernetes client caches discovery (tempfile.gettempdir()): a fresh pair
    is a first run, the same pair again a warm re-run."""
    env = dict(base_env, HOME=home, TMPDIR=tmp, ANSIBLE_LOCAL_TEMP=os.path.join(tmp, "ansible-local"),
               ANSIBLE_NOCOLOR="1", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    for d in (home, tmp):
        os.makedirs(d, exist_ok=True)
    return env
