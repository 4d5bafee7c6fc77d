"""The layers and their contracts (DESIGN.md): core imports neither Qt nor TensorFlow, nor ml or gui; ml imports no Qt
and no gui; inside core, each subpackage imports only those its row of :data:`CORE_MAY_IMPORT` names; and no module
imports itself through others (no import cycle, lazy imports inside functions included)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import labelstudio_desktop

PACKAGE = Path(labelstudio_desktop.__file__).parent
ROOT = "labelstudio_desktop"
FORBIDDEN = {"core": ("PySide6", "shiboken6", "tensorflow", "keras"), "ml": ("PySide6", "shiboken6")}
#: Which parts of the package each layer may not import (the CLI sits above them all).
FORBIDDEN_LAYERS = {"core": ("ml", "gui", "cli", "cli_project", "cli_features", "cli_map", "cli_mistakes"),
                    "ml": ("gui", "cli", "cli_project", "cli_features", "cli_map", "cli_mistakes")}

#: Modules at core's top level that every subpackage may use; they import no subpackage.
CORE_BASE = {"images", "jobs", "batches", "fsutil", "durability", "confine", "labels_rule", "validate"}
#: Modules at core's top level that use the subpackages; nothing inside core imports them.
CORE_TOP = {"demo", "demo_annotations", "dataset_map", "mistakes", "box_places"}
#: The contract inside core: what each part (a subpackage, ``base`` for :data:`CORE_BASE`, ``top`` for
#: :data:`CORE_TOP`) may import besides itself. Each subpackage's ``__init__`` docstring says the same in words.
CORE_MAY_IMPORT = {
    "base": set(),
    "boxes": set(),
    "store": {"base"},
    "editing": {"base", "store", "boxes"},
    "cleaning": {"base", "store", "editing"},
    "formats": {"base", "store", "editing", "boxes"},
    "transfer": {"base", "formats", "store", "editing", "boxes"},
    "top": {"base", "formats", "store", "editing", "cleaning", "transfer", "boxes", "top"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def _project_imports(path: Path) -> set[str]:
    """The project's modules that ``path`` imports, anywhere in it (lazy imports inside functions too)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in MODULES:
                continue
            subs = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
            found.update(subs)
            if len(subs) < len(node.names):
                found.add(target)
    found.discard(name)
    return found


def _core_part(module: str) -> str | None:
    """The part of core (per :data:`CORE_MAY_IMPORT`) that ``module`` belongs to; None outside core."""
    parts = module.split(".")
    if parts[:2] != [ROOT, "core"] or len(parts) < 3:
        return None
    if (PACKAGE / "core" / parts[2]).is_dir():
        return parts[2]
    return "base" if parts[2] in CORE_BASE else "top" if parts[2] in CORE_TOP else "unplaced"


def test_no_forbidden_import_in_source():
    offenders = []
    for layer, banned in FORBIDDEN.items():
        for path in (PACKAGE / layer).rglob("*.py"):
            bad = _imports(path) & set(banned)
            if bad:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert not offenders


def test_layers_import_only_below_them():
    offenders = []
    for module, path in MODULES.items():
        layer = module.split(".")[1] if "." in module else None
        for target in _project_imports(path):
            if layer in FORBIDDEN_LAYERS and target.split(".")[1:2] and target.split(".")[1] in FORBIDDEN_LAYERS[layer]:
                offenders.append(f"{module} imports {target}")
    assert not offenders


def test_every_core_module_has_a_place():
    unplaced = [m for m in MODULES if _core_part(m) == "unplaced"]
    assert not unplaced, f"put these into a subpackage of core, or name them in CORE_BASE or CORE_TOP: {unplaced}"
    assert set(CORE_MAY_IMPORT) == {"base", "top"} | {p.name for p in (PACKAGE / "core").iterdir()
                                                      if (p / "__init__.py").is_file()}


def test_core_subpackages_keep_their_contract():
    offenders = []
    for module, path in MODULES.items():
        part = _core_part(module)
        if part is None:
            continue
        for target in _project_imports(path):
            other = _core_part(target)
            if other is not None and other != part and other not in CORE_MAY_IMPORT[part]:
                offenders.append(f"{module} ({part}) imports {target} ({other})")
    assert not offenders, "\n".join(offenders)


def test_subpackages_say_what_they_own_and_may_import():
    for init in (PACKAGE / "core").glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and ("may import" in doc.lower() or "imports nothing" in doc.lower()), init


def test_no_import_cycle():
    graph = {m: _project_imports(p) for m, p in MODULES.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    assert not cycles, f"modules importing each other: {cycles}"


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
