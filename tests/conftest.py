"""Shared test set-up: offscreen Qt, QSettings in a temporary folder, no thread left running."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory) -> Path:
    """The demo dataset generated once per session; copy it before changing anything (see ``demo``)."""
    from labelstudio_desktop.core.demo import create_demo_project

    out = tmp_path_factory.mktemp("demo-src") / "demo"
    store, _ = create_demo_project(out)
    store.close()
    return out


@pytest.fixture
def demo(demo_source, tmp_path) -> Path:
    """A private copy of the demo folder (images, database and ground truth)."""
    target = tmp_path / "demo"
    shutil.copytree(demo_source, target)
    from labelstudio_desktop.core.store.store import Store

    with Store.open(target / "images") as store:  # the copy's recorded root must point at the copy
        store.set_setting("root", str((target / "images").resolve()))
    return target


@pytest.fixture(autouse=True)
def no_thread_left_running():
    """Fail any test that leaves a Python or Qt thread running."""
    before = {t.ident for t in threading.enumerate()}
    yield
    leaked = [t for t in threading.enumerate() if t.ident not in before and t.is_alive() and not t.daemon]
    assert not leaked, f"threads left running: {[t.name for t in leaked]}"
