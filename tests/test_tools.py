"""The repository's tools: benchmarks run with the backend's requirements alone (what
./run_dev.sh installs), `node benchmarks/fps.mjs --help` only prints its usage, set-up installs
the tracked package-lock.json as it is, the Docker build context leaves out local state, and
compose publishes only on loopback, never Redis."""

from __future__ import annotations

import fnmatch
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent

_BLOCKER = """
import runpy, sys
BLOCKED = set({blocked!r})
class DevOnly:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {{name!r}} (a test requirement only)")
sys.meta_path.insert(0, DevOnly())
runpy.run_module({module!r}, run_name="__main__", alter_sys=True)
"""


def _runtime_distributions() -> set:
    """Distributions backend/requirements.txt installs, with their dependencies."""
    lines = (ROOT / "backend/requirements.txt").read_text().splitlines()
    todo = [Requirement(x).name for x in lines if x.strip() and not x.startswith("#")]
    seen: set = set()
    while todo:
        name = canonicalize_name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        for spec in map(Requirement, requires):
            if spec.marker is None or spec.marker.evaluate({"extra": ""}):
                todo.append(spec.name)
    return seen


def _dev_only_modules() -> set:
    """Top-level modules that only the test requirements (pytest, schemathesis, ...) bring."""
    runtime = _runtime_distributions()
    return {module for module, dists in metadata.packages_distributions().items()
            if not any(canonicalize_name(d) in runtime for d in dists)
            and module not in sys.stdlib_module_names}


@pytest.mark.parametrize("module", ["benchmarks.server", "benchmarks.overload_server"])
def test_benchmarks_run_with_the_backend_requirements_alone(module):
    blocked = _dev_only_modules()
    assert {"pytest", "schemathesis", "hypothesis"} <= blocked
    code = _BLOCKER.format(blocked=sorted(blocked), module=module)
    proc = subprocess.run([sys.executable, "-c", code, "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "usage:" in proc.stdout


def test_fps_benchmark_help_prints_usage_and_starts_nothing():
    proc = subprocess.run(["node", "benchmarks/fps.mjs", "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "node benchmarks/fps.mjs [--sizes" in proc.stdout and "listening on" not in proc.stdout + proc.stderr


def test_setup_installs_the_lock_file_as_it_is():
    """`npm install` may rewrite package-lock.json on a fresh clone; `npm ci` installs it as is."""
    script = (ROOT / "scripts/setup.sh").read_text()
    npm_lines = [line.strip() for line in script.splitlines() if "npm " in line and not line.strip().startswith("#")]
    assert any("npm ci" in line for line in npm_lines)
    assert not any("npm install" in line or "npm i " in line for line in npm_lines), npm_lines


def _ignored(path: str, patterns: list) -> bool:
    """Docker's rule, as far as this file uses it: a pattern matching the path or one of its
    parent directories excludes it; `**/` matches any depth (including none)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        forms = [pattern, pattern[3:], "*/" + pattern[3:]] if pattern.startswith("**/") else [pattern]
        if any(fnmatch.fnmatchcase(p, f) for p in prefixes for f in forms):
            return True
    return False


@pytest.mark.parametrize("path,ignored", [
    (".venv/bin/python", True), ("frontend/node_modules/three/build/three.module.js", True),
    ("frontend/dist/index.html", True), ("data/runs.sqlite", True), (".git/HEAD", True),
    ("backend/core/__pycache__/engine.cpython-311.pyc", True),
    ("backend/app.py", False), ("backend/requirements.txt", False), ("frontend/src/App.jsx", False),
    ("frontend/package-lock.json", False), ("Dockerfile", False),
])
def test_docker_build_context_leaves_out_local_state(path, ignored):
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert _ignored(path, patterns) is ignored


def test_compose_publishes_nothing_but_loopback_and_never_redis():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = [str(p) for svc in services.values() for p in svc.get("ports", [])]
    assert published and all(p.startswith("127.0.0.1:") for p in published), published
    assert not services["redis"].get("ports"), "Redis stays on the compose network"
