"""kigi as a user installs it: a wheel built from this tree, in a fresh venv, away from the
checkout, still finds the adapters kigi ships (package data, not files beside a checkout)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = {"game24-propose", "game24-propose-list", "game24-value", "grounded-reader", "question-roles"}
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "kigi_adapter.json")
# Not part of a build; skipping them keeps the copy small (the adapters are most of it).
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", ".ci", ".*_cache", ".hypothesis", ".benchmarks", "__pycache__",
                                     "*.egg-info", "build", "dist", "results", "tests", "benchmarks", "docs")

pytestmark = pytest.mark.packaging


def run(*args: str | Path, cwd: Path, env: dict[str, str]) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_a_wheel_installed_in_a_fresh_venv_lists_the_bundled_adapters(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # nothing may point back at the checkout
    env.update(KIGI_HOME=str(tmp_path / "home"), PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    # Built from a copy: setuptools writes build/ beside the sources, and a stale build/lib would leak into the wheel.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCES)
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", dist,
        source, cwd=tmp_path, env=env)
    (wheel,) = dist.glob("kigi-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"agent/bundled_adapters/{a}/{f}" for a in BUNDLED for f in ADAPTER_FILES} <= names
    assert "agent/bundled_adapters/README.md" in names
    assert "agent/precision_release.json" in names  # a fresh home takes the default model's precision from it

    # --system-site-packages: torch and the rest need no reinstalling (pip too comes from there)
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=tmp_path, env=env)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    run(bin_dir / "python", "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel, cwd=tmp_path, env=env)

    # The main environment's editable kigi is visible too: the paths prove that the wheel's copy answered.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = json.loads(run(bin_dir / "kigi", "adapter", "list", "--json", cwd=elsewhere, env=env))
    bundled = {a["name"]: Path(a["path"]) for a in listed if a["source"] == "bundled"}
    assert set(bundled) == BUNDLED
    for path in bundled.values():
        assert path.resolve().is_relative_to(venv.resolve()), path
        assert all((path / name).is_file() for name in ADAPTER_FILES)
