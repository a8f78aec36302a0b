"""PyYAML for the bench, in a virtual environment of its own under .build (the system Python is left alone)."""

import os
import subprocess
import sys

PYYAML = "pyyaml>=6,<7"


def ensure_pyyaml(repo, script):
    """Returns when `import yaml` works; otherwise creates .build/venv-bench with PyYAML once and
    runs `script` again under it with the same arguments (the process is replaced)."""
    try:
        import yaml  # noqa: F401
        return
    except ImportError:
        pass
    venv = os.path.join(repo, ".build", "venv-bench")
    python = os.path.join(venv, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(venv):
        sys.exit("bench: error: PyYAML is missing from %s; remove that directory and run again" % venv)
    if not _has_pyyaml(python):
        print("bench: installing PyYAML into .build/venv-bench (once)", file=sys.stderr, flush=True)
        os.makedirs(os.path.dirname(venv), exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, stdout=sys.stderr)
        subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", PYYAML],
                       check=True, stdout=sys.stderr)
    os.execv(python, [python, script] + sys.argv[1:])


def _has_pyyaml(python):
    if not os.access(python, os.X_OK):
        return False
    return subprocess.run([python, "-c", "import yaml"], capture_output=True).returncode == 0
