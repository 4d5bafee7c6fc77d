"""core must not import Qt or TensorFlow (DESIGN.md); ml must not import Qt."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import labelstudio_desktop

PACKAGE = Path(labelstudio_desktop.__file__).parent
FORBIDDEN = {"core": ("PySide6", "shiboken6", "tensorflow", "keras"), "ml": ("PySide6", "shiboken6")}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_forbidden_import_in_source():
    offenders = []
    for layer, banned in FORBIDDEN.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            bad = _imports(path) & set(banned)
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not offenders


def test_core_and_cli_import_without_qt_or_tensorflow():
    code = (
        "import sys, pkgutil, importlib, labelstudio_desktop.core as core, labelstudio_desktop.cli\n"
        "for m in pkgutil.walk_packages(core.__path__, 'labelstudio_desktop.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'tensorflow', 'keras')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    _assert_runs(code)


def _assert_runs(code: str) -> None:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_gui_never_imports_tensorflow():
    code = (
        "import sys, os\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "import labelstudio_desktop.gui.main_window, labelstudio_desktop.gui.training\n"
        "import labelstudio_desktop.gui.augment_preview, labelstudio_desktop.ml.config\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    _assert_runs(code)
