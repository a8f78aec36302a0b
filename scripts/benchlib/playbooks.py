"""The playbooks the bench runs: the user's, its cluster-only variant, and generated ones.

The user's playbook is read with PyYAML at the node level (compose, then serialize), never
loaded into Python values: scalars keep their text, quoting and tags, so bootstrap reads the
variant's parameters exactly as it reads the original's (it resolves plain scalars with YAML 1.2's
core schema, PyYAML with YAML 1.1's; the two differ on `yes`, `0750` and the like)."""

import json
import os
import re

import yaml

from .figures import check
from .proc import measure

# Step types whose work is on the host (commands, files, datasets) rather than in the cluster.
HOST_TYPES = {"k3s.install", "zfs.dataset", "data.migrate", "host.file"}
NODE_NAME = re.compile(r"[A-Za-z0-9.-]+")


def read_graph(binary, playbook, name, env):
    """The steps in run order, each {"id", "type", "needs"}, from `bootstrap graph --output json`."""
    r = measure([binary, "graph", playbook, "--output", "json"], env=env)
    check(r, "bootstrap graph " + name)
    return r.json()["steps"]


def host_step_ids(plan):
    """Steps that touch the host: host-target types, and any step whose plan on a fresh node lists
    host actions (storage.local-volumes creates datasets and migrates data itself)."""
    return [st["id"] for st in plan["steps"] if st["type"] in HOST_TYPES or st.get("hostActions")]


def node_name(plan, document):
    """The node the cluster steps expect: the Node the plan lists, else the first literal
    `nodeName:` in the playbook, else node-1."""
    name = "node-1"
    for step in plan["steps"]:
        for obj in step["objects"]:
            if obj["kind"] == "Node":
                name = obj["name"]
    if name == "node-1":
        name = _first_literal(document, "nodeName", NODE_NAME) or name
    return name


def _first_literal(node, key, pattern):
    """The first scalar, in document order, under a mapping key `key` that matches `pattern`."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key and isinstance(v, yaml.ScalarNode) and pattern.fullmatch(v.value):
                return v.value
            found = _first_literal(v, key, pattern)
            if found:
                return found
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            found = _first_literal(item, key, pattern)
            if found:
                return found
    return None


def compose(text):
    """The playbook's YAML document as PyYAML nodes."""
    return yaml.compose(text)


def without_smoke(document):
    """The playbook as YAML text without app.workload's smoke checks, for a real API server without
    nodes: a check sends an HTTP request through the server's service proxy to a pod that answers,
    and with no kubelet no pod does (a rehearsal simulates the check). Its workloads also settle
    for 0s: the kubelet stand-in's pods never restart, and each rollout's settle window (10 s or
    more) would be minutes of waiting per first apply, which "waits excluded" leaves out anyway."""
    for step in _mapping_value(document, "steps").value:
        params = _mapping_value(step, "with")
        if isinstance(params, yaml.MappingNode):
            params.value = [(k, v) for k, v in params.value if k.value not in ("smoke", "settle")]
            kind, workload = _mapping_value(step, "type"), _mapping_value(params, "kind")
            is_job = isinstance(workload, yaml.ScalarNode) and workload.value == "Job"  # a Job has no settle
            if isinstance(kind, yaml.ScalarNode) and kind.value == "app.workload" and not is_job:
                params.value.append((yaml.ScalarNode("tag:yaml.org,2002:str", "settle"), yaml.ScalarNode("tag:yaml.org,2002:str", "0s")))
    return serialize(document)


def serialize(document):
    # A wide line keeps long plain scalars on one line, as written.
    return yaml.serialize(document, Dumper=_IndentedDumper, width=1 << 20, allow_unicode=True)


def playbook_name(document):
    """metadata.name as written: the ledger's and the lease's names derive from it."""
    name = _mapping_value(_mapping_value(document, "metadata"), "name")
    return name.value if isinstance(name, yaml.ScalarNode) else None


def _mapping_value(node, key):
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v
    return None


def generated_playbook(steps, width=20):
    """`steps` cluster steps in layers of `width`: namespaces, and every fifth step a ConfigMap in
    the namespace of the step before it. Each step needs one or two steps of the layer before."""
    return {
        "apiVersion": "bootstrap.faforever.com/v1", "kind": "Playbook",
        "metadata": {"name": "bench-%d" % steps},
        "steps": [_generated_step(i, width) for i in range(steps)],
    }


def _generated_step(i, width):
    layer, pos = divmod(i, width)
    config_map = i % 5 == 4
    needs = ["s%d" % (i - 1)] if config_map else []
    if layer > 0:
        for p in (pos, (pos + 7) % width):
            n = "s%d" % ((layer - 1) * width + p)
            if n not in needs:
                needs.append(n)
    step = {"id": "s%d" % i, "type": "kube.objects" if config_map else "kube.namespaces"}
    if needs:
        step["needs"] = needs
    if config_map:
        step["with"] = {"objects": [{
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cm-%d" % i, "namespace": "ns-%d" % (i - 1)},
            "data": {"step": str(i), "layer": str(layer)},
        }]}
    else:
        step["with"] = {"names": ["ns-%d" % i]}
        if i % 2 == 0:
            step["with"]["labels"] = {"bench": "true"}
    return step


class _IndentedDumper(yaml.SafeDumper):
    """Indents sequences under their key (`steps:\n  - id: …`), as this repository's playbooks do."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def write_generated(path, steps, width=20):
    """Writes the generated playbook as block YAML with flow leaves, the way people write playbooks
    (and as the bench always has, so its timings compare with earlier runs)."""
    with open(path, "w") as f:
        f.write("# Generated by scripts/bench: %d steps in layers of %d.\n" % (steps, width))
        yaml.dump(generated_playbook(steps, width), f, Dumper=_IndentedDumper, sort_keys=False,
                  default_flow_style=None, width=1 << 20)


def kubectl_objects(plan, directory):
    """Writes every object of the plan's steps into `directory`, named so that kubectl (which
    applies a directory's files in name order) creates Namespaces and CRDs first and everything
    else in the order bootstrap applies it. Returns (count, notes)."""
    notes = []
    count = 0
    for step in plan.get("steps", []):
        for obj in step.get("objects", []):
            desired = obj.get("desired")
            if not isinstance(desired, dict):
                continue
            desired = json.loads(json.dumps(desired))
            if desired.get("kind") == "Secret" and isinstance(desired.get("data"), dict):
                _redacted_data_as_string_data(desired)
                note = "Secret data sent as stringData (redacted values are not base64)"
                if note not in notes:
                    notes.append(note)
            with open(os.path.join(directory, _kubectl_file_name(desired, count)), "w") as f:
                json.dump(desired, f)
            count += 1
    return count, notes


def _redacted_data_as_string_data(secret):
    # Redacted values ("(sensitive)") are not base64; send them as stringData instead.
    string_data = secret.setdefault("stringData", {})
    for k, v in secret.pop("data").items():
        string_data[k] = v


def _kubectl_file_name(obj, index):
    kind = obj.get("kind", "")
    first = 0 if kind in ("Namespace", "CustomResourceDefinition") else 1
    name = "%d-%05d-%s-%s.json" % (first, index, kind.lower(), obj.get("metadata", {}).get("name", "x"))
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)
