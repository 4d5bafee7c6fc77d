"""`make ... GPU=1` (issue 20, item 5): the GPU build of TensorFlow in its own environment; the default unchanged.
Asked of make as a dry run (`make -n`): nothing is installed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(*args: str) -> str:
    done = subprocess.run(["make", "-s", "-n", "-B", "-C", str(ROOT), *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gpu_installs_the_gpu_extra_in_its_own_environment():
    gpu = dry_run("install", "GPU=1")
    assert "pip install --quiet -e '.[test,gpu]'" in gpu
    assert "python3 -m venv .venv-gpu" in gpu and ".venv-gpu/bin/python -m pip" in gpu
    assert "uninstall --quiet --yes tensorflow-cpu" in gpu  # the CPU build would shadow the CUDA one
    assert " .venv/" not in gpu
    assert ".venv-gpu/bin/python main.py" in dry_run("run", "GPU=1")
    assert ".venv-gpu/bin/python -m pytest" in dry_run("test", "GPU=1")


def test_the_default_stays_on_the_cpu_build():
    default = dry_run("install")
    assert "pip install --quiet -e '.[test]'" in default and "python3 -m venv .venv\n" in default
    assert "gpu" not in default and "tensorflow-cpu" not in default
    assert ".venv/bin/python main.py" in dry_run("run")
    assert ".venv/bin/python -m pytest" in dry_run("test")


def test_the_gpu_extra_is_the_cuda_build():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert [e.split(";")[0] for e in extras["gpu"]] == ["tensorflow[and-cuda]>=2.16"]
