"""The Japanese UI stays complete: every user-visible string of gui/ is wrapped for translation, the Japanese .ts has a
finished translation of every string a fresh pyside6-lupdate run extracts (none missing, unfinished, or obsolete yet
used), the .qm is compiled from it, placeholders survive, and the text the app shows of core and ml (export formats,
job status lines, image notes, label refusals) has its translatable pattern. (A window built in Japanese showing no
English is tests/gui/test_language.py.)

The wrapping is checked by reading the source (an AST walk): a string passed to a Qt text setter (setText, setToolTip,
showMessage, QMessageBox.warning, QAction(...), ...) must come from tr()/translate(); tr(<variable>) is allowed only
when the variable's values come from a table of QT_TRANSLATE_NOOP entries of the same context (lupdate cannot see what
a variable holds), and tr() inside an f-string is refused (lupdate does not see it).
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import labelstudio_desktop
from labelstudio_desktop.gui.resources import resources_dir

GUI = Path(labelstudio_desktop.__file__).parent / "gui"
BIN = Path(sys.executable).parent
TS = resources_dir() / "translations" / "labelstudio_desktop_ja.ts"
QM = TS.with_suffix(".qm")

#: Qt calls whose string arguments the user reads.
TEXT_METHODS = {
    "setText", "setToolTip", "setStatusTip", "setWhatsThis", "setWindowTitle", "showMessage", "setPlaceholderText",
    "setTitle", "setLabelText", "setIconText", "addTab", "insertTab", "setTabText", "setTabToolTip", "addMenu",
    "addAction", "addItem", "addItems", "insertItem", "setItemText", "setHeaderLabels", "setHorizontalHeaderLabels",
    "setVerticalHeaderLabels", "setSpecialValueText", "setSuffix", "setPrefix", "addRow", "setHtml",
    "setInformativeText", "setDetailedText", "addButton", "setFormat", "setAccessibleName", "addToolBar",
    "set_xlabel", "set_ylabel", "set_title", "setCancelButtonText", "setOkButtonText", "setTextValue",
    "setWindowIconText", "setButtonText", "setPlainText",
    # QMessageBox / QInputDialog / QFileDialog statics
    "information", "warning", "critical", "question", "about", "getText", "getInt", "getDouble", "getItem",
    "getExistingDirectory", "getOpenFileName", "getOpenFileNames", "getSaveFileName",
}
WIDGETS = {
    "QAction", "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QToolButton", "QMenu",
    "QDockWidget", "QTreeWidgetItem", "QListWidgetItem", "QTableWidgetItem", "QCommandLinkButton", "QMessageBox",
    "QProgressDialog", "QWidgetAction",
}
#: The one text argument of calls whose other arguments are data.
TEXT_ARGUMENT = {"addItem": 0, "insertItem": 1, "setItemText": 1}
#: Strings that read the same in every language (units, names, keys); wrapped nowhere on purpose.
UNTRANSLATED = {"GrabCut", "Grad-CAM", "U-Net", "IoU", "MSE", "x {x}  y {y}"}


def _has_words(text: str) -> bool:
    text = re.sub(r"<[^>]*>", "", text)  # HTML markup around translated parts
    return bool(re.search(r"[A-Za-z]{2,}", text)) and text.strip() not in UNTRANSLATED


def _literal_text(node: ast.AST) -> str | None:
    """The English text of an argument built from literals only, else None (variables, translator calls)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
        return "".join(parts) if parts else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        for side in (node.left, node.right):
            text = _literal_text(side)
            if text is not None and _has_words(text):
                return text
        return None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and not isinstance(node.func.value, ast.Call)):
        return _literal_text(node.func.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            text = _literal_text(item)
            if text is not None and _has_words(text):
                return text
    return None


def _name(func: ast.AST) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _asks_a_translator(func: ast.AST) -> bool:
    """``something.translate(...)`` on a QTranslator (a language's catalogue asked by code), not the
    ``QCoreApplication.translate`` lupdate reads."""
    return isinstance(func, ast.Attribute) and ast.unparse(func.value) not in ("QCoreApplication", "QApplication")


def noop_tables(paths: list[Path]) -> dict[str, set[str]]:
    """Module-level names assigned a table of ``QT_TRANSLATE_NOOP(context, ...)`` entries, with their contexts."""
    tables: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            contexts = {c.args[0].value for c in ast.walk(node.value)
                        if isinstance(c, ast.Call) and _name(c.func) == "QT_TRANSLATE_NOOP" and c.args
                        and isinstance(c.args[0], ast.Constant)}
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if contexts and isinstance(target, ast.Name):
                    tables.setdefault(target.id, set()).update(contexts)
    return tables


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Scan(ast.NodeVisitor):
    def __init__(self, path: Path):
        self.path = path
        self.classes: list[str] = []
        self.problems: list[str] = []
        self.constants: dict[str, str] = {}  # module-level string constants (a context named once)
        self.bound: dict[str, set[str]] = {}  # a loop variable -> the names its loop iterates over
        self.dynamic: list[tuple[str, int, ast.AST, str]] = []  # tr(<variable>): context, line, argument, call

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def _bind(self, target: ast.AST, iterable: ast.AST) -> None:
        for name in _names(target):
            self.bound.setdefault(name, set()).update(_names(iterable))

    def visit_For(self, node: ast.For) -> None:
        self._bind(node.target, node.iter)
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._bind(target, node.value)
        self.generic_visit(node)

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self._bind(node.target, node.iter)
        self.generic_visit(node)

    def visit_JoinedStr(self, node: ast.JoinedStr) -> None:
        for inner in ast.walk(node):
            if isinstance(inner, ast.Call) and _name(inner.func) in ("tr", "translate"):
                self.problems.append(f"{self.path.name}:{node.lineno}: lupdate does not see "
                                     f"{ast.unparse(inner)} inside an f-string: take it out")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _name(node.func)
        where = f"{self.path.name}:{node.lineno}"
        if name == "tr" and node.args:
            if not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                self.dynamic.append((self.classes[-1] if self.classes else "", node.lineno, node.args[0],
                                     ast.unparse(node)))
        elif name == "translate" and len(node.args) >= 2 and not _asks_a_translator(node.func):
            context, text = node.args[0], node.args[1]
            if isinstance(context, ast.Name) and context.id in self.constants:
                context = ast.Constant(self.constants[context.id])
            if not (isinstance(context, ast.Constant) and isinstance(context.value, str)):
                self.problems.append(f"{where}: translate() with a context lupdate cannot read: {ast.unparse(node)}")
            elif not (isinstance(text, ast.Constant) and isinstance(text.value, str)):
                self.dynamic.append((context.value, node.lineno, text, ast.unparse(node)))
        if name in TEXT_METHODS or name in WIDGETS:
            args = [*node.args, *(k.value for k in node.keywords)]
            if name in TEXT_ARGUMENT:  # the others are data (addItem's userData, insertItem's index)
                args = node.args[TEXT_ARGUMENT[name]:TEXT_ARGUMENT[name] + 1]
            for arg in args:
                text = _literal_text(arg)
                if text is not None and _has_words(text):
                    self.problems.append(f"{where}: not wrapped for translation: {name}(… {text!r} …)")
        self.generic_visit(node)

    def sources(self, argument: ast.AST) -> set[str]:
        """The names a tr() argument comes from, through the loops that bound its variables."""
        names = _names(argument)
        for _ in range(3):
            names |= {source for name in names for source in self.bound.get(name, ())}
        return names


def scan(path: Path, tables: dict[str, set[str]] | None = None) -> list[str]:
    """The problems of one module: unwrapped user-visible literals, and tr(<variable>) whose values do not come from
    a QT_TRANSLATE_NOOP table of the same context (``tables``: of every gui module, by default this one's)."""
    tables = noop_tables([path]) if tables is None else tables
    visitor = _Scan(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    visitor.constants = {t.id: n.value.value for n in tree.body if isinstance(n, ast.Assign)
                         and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
                         for t in n.targets if isinstance(t, ast.Name)}  # CONTEXT = "Dialog"
    visitor.visit(tree)
    problems = list(visitor.problems)
    for context, line, argument, call in visitor.dynamic:
        if not any(context in tables.get(name, ()) for name in visitor.sources(argument)):
            problems.append(f"{path.name}:{line}: {call}: lupdate cannot extract a variable; take its values from a "
                            f"table of QT_TRANSLATE_NOOP({context!r}, ...) entries")
    return problems


def test_every_user_visible_string_in_gui_is_wrapped_for_translation():
    modules = sorted(GUI.glob("*.py"))
    tables = noop_tables(modules)
    problems = [p for path in modules for p in scan(path, tables)]
    assert not problems, "\n".join(problems)


def test_the_scan_catches_unwrapped_strings_and_untabled_variables(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "class W:\n"
        "    def f(self, fmt, n):\n"
        "        self.label.setText('Not wrapped')\n"
        "        QMessageBox.warning(self, self.tr('Title'), f'{n} images failed')\n"
        "        QAction('Open', self)\n"
        "        for fmt in FORMATS.values():\n"
        "            self.combo.addItem(self.tr(fmt.title), fmt.key)\n"
        "        self.status.showMessage('Saved {0}'.format(n))\n"
        "        self.ok.setText(self.tr('Wrapped'))\n"
        "        self.zoom.setText(f'{n}%')\n"
        "        self.tip.setToolTip(f\"{n} · {self.tr('no split')}\")\n", encoding="utf-8")
    problems = scan(bad)
    assert len(problems) == 6, problems
    assert any("fmt.title" in p and "QT_TRANSLATE_NOOP('W'" in p for p in problems)
    good = tmp_path / "good.py"
    good.write_text(
        "TITLES = {'voc': QT_TRANSLATE_NOOP('W', 'Pascal VOC')}\n"
        "HINTS = [('a', QT_TRANSLATE_NOOP('Other', 'a hint'))]\n"
        "class W:\n"
        "    def f(self, key):\n"
        "        for k, title in TITLES.items():\n"
        "            self.combo.addItem(self.tr(title), k)\n"
        "        self.label.setText(self.tr(TITLES[key]))\n"
        "        self.hint.setText(self.tr(HINTS[0][1]))\n", encoding="utf-8")
    assert [p for p in scan(good) if "HINTS" not in p] == []
    assert len(scan(good)) == 1, "a table of another context does not count"


def test_every_export_format_of_core_has_its_title_and_readers_marked_for_translation():
    """The Export dialog shows core's format titles and reader lines (core has no Qt): the gui's table of them must
    say the same, or a new or reworded format would show untranslated."""
    from labelstudio_desktop.core.transfer.export_formats import EXPORT_FORMATS
    from labelstudio_desktop.gui.export_dialog import FORMAT_TEXTS

    assert {key: (f.title, f.readers) for key, f in EXPORT_FORMATS.items()} == FORMAT_TEXTS


def _status_lines() -> list[tuple[str, str]]:
    """Every ``job.status(...)`` line of core and ml as a sample (an f-string's values as 7), with where it is."""
    package = GUI.parent
    found = []
    for path in sorted([*(package / "core").rglob("*.py"), *(package / "ml").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) == "status" and len(node.args) == 1 and \
                    isinstance(node.func, ast.Attribute) and "job" in ast.unparse(node.func.value):
                arg = node.args[0]
                if isinstance(arg, ast.JoinedStr):
                    sample = "".join(v.value if isinstance(v, ast.Constant) else "7" for v in arg.values)
                elif isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    sample = arg.value
                else:
                    continue
                found.append((f"{path.relative_to(package)}:{node.lineno}", sample))
    return found


def test_every_status_line_of_core_and_ml_jobs_is_translated_in_the_app():
    """The app shows the English status lines of core's and ml's jobs (the CLI prints them too) through the patterns
    of gui/job_status.py: a new or reworded line without a pattern would show in English."""
    from labelstudio_desktop.gui.job_status import STATUS_LINES

    lines = _status_lines()
    assert len(lines) >= 10
    patterns = [re.compile(pattern) for pattern, _template in STATUS_LINES]
    untranslated = [f"{where}: {sample!r}" for where, sample in lines if not any(p.fullmatch(sample) for p in patterns)]
    assert not untranslated, "add a pattern to gui/job_status.py for: " + ", ".join(untranslated)
    for pattern, template in STATUS_LINES:  # each template takes exactly its pattern's groups
        assert len(re.findall(r"\{\d\}", template)) == re.compile(pattern).groups, template


def _sample(node: ast.AST) -> str | None:
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "7" for v in node.values)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _image_notes_of_core() -> list[str]:
    """Every warning and refusal core/images.py writes about an image, and every reason core/labels_rule.py refuses
    a label for, as a sample (values as 7)."""
    tree = ast.parse((GUI.parent / "core" / "images.py").read_text(encoding="utf-8"))
    texts = [n.value.value for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
             and any(isinstance(t, ast.Name) and t.id.startswith("TRUNCATED") for t in n.targets)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and (_name(node.func) == "ImageProblem" or (
                _name(node.func) == "append" and ast.unparse(node.func.value) == "notes")):
            texts.append(_sample(node.args[0]))
        elif isinstance(node, ast.FunctionDef) and node.name in ("_truncation_warning", "png_data_problem",
                                                                  "unsupported_image"):
            texts += [_sample(r.value) for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
            texts += [_sample(e.body) for e in ast.walk(node) if isinstance(e, ast.IfExp)]
    rule = ast.parse((GUI.parent / "core" / "labels_rule.py").read_text(encoding="utf-8"))
    texts += [_sample(r.value) for r in ast.walk(rule) if isinstance(r, ast.Return) and r.value is not None]
    return [t for t in texts if t]


def test_every_image_warning_and_refusal_of_core_is_translated_in_the_app():
    """The panel and the import summaries show core's English notes about an image through gui/image_notes.py."""
    from labelstudio_desktop.gui.image_notes import IMAGE_NOTES, translate_note

    notes = _image_notes_of_core()
    assert len(notes) >= 12
    patterns = [re.compile(pattern, re.DOTALL) for pattern, _template in IMAGE_NOTES]
    untranslated = [n for n in notes if not any(p.fullmatch(n) for p in patterns)]
    assert not untranslated, f"add a pattern to gui/image_notes.py for: {untranslated}"
    for pattern, template in IMAGE_NOTES:
        assert len(re.findall(r"\{\d\}", template)) == re.compile(pattern).groups, template
    assert translate_note("EXIF orientation 6: shown and exported upright") == \
        "EXIF orientation 6: shown and exported upright"  # English without a translator
    assert translate_note("a note of an annotation file") == "a note of an annotation file"


def _messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    root = ET.parse(ts).getroot()
    found = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            found[(name, message.findtext("source"))] = message
    return found


def _lupdate(sources: list[Path], ts: Path) -> None:
    result = subprocess.run([str(BIN / "pyside6-lupdate"), "-locations", "none", "-no-obsolete", "-target-language",
                             "ja", *map(str, sources), "-ts", str(ts)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_japanese_ts_translates_everything_a_fresh_lupdate_extracts(tmp_path):
    fresh = tmp_path / "fresh.ts"
    shutil.copy(TS, fresh)  # lupdate merges into the copy: kept translations, new strings unfinished
    _lupdate(sorted(GUI.glob("*.py")), fresh)
    committed, extracted = _messages(TS), _messages(fresh)
    missing = sorted(set(extracted) - set(committed))
    stale = sorted(set(committed) - set(extracted))
    unfinished = sorted(key for key, m in extracted.items()
                        if m.find("translation").get("type") in ("unfinished", "obsolete", "vanished")
                        or not (m.findtext("translation") or "").strip())
    revived = sorted(key for key in extracted if key in committed
                     and committed[key].find("translation").get("type") in ("obsolete", "vanished"))
    assert not missing, f"not in {TS.name} (run make translations and translate them): {missing}"
    assert not revived, f"marked obsolete in {TS.name} but used again (run make translations): {revived}"
    assert not unfinished, f"without a finished Japanese translation: {unfinished}"
    assert not stale, f"in {TS.name} but no longer in the sources (run make translations): {stale}"


def test_the_qm_is_compiled_from_the_ts(tmp_path):
    fresh = tmp_path / "fresh.qm"
    result = subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(fresh)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert fresh.read_bytes() == QM.read_bytes(), "the .qm is older than the .ts: run make translations"


def test_format_placeholders_survive_translation():
    """Every translation keeps the placeholders of its source (a lost {1} would raise or drop a value)."""
    for (_context, source), message in _messages(TS).items():
        translation = message.findtext("translation") or ""
        if not translation:
            continue  # unfinished: the test above names it
        placeholders = r"\{\d*(?::[^}]*)?\}"
        assert sorted(re.findall(placeholders, source)) == sorted(re.findall(placeholders, translation)), \
            f"{source!r} -> {translation!r}"
