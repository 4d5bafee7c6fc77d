"""The Likely mistakes dock: image and box classes the features disagree with, and boxes likely missing or
misplaced, worst first, one click to fix.

*Review → Find likely mistakes* (or the dock's Find button) runs ``ml/mistakes.py`` in a child process (TensorFlow
never loads into the app): image classes judged out of fold by the images' features, box classes by their crops'
features (``core/mistakes.py``), and with *Also missing and misplaced boxes* checked, the reviewed boxes against a
detector per fold (``ml/out_of_fold.py``, minutes). The list shows each doubted image or box with its class, what the
model says and how sure; the browser then lists those images alone, worst first (cleared from its button). Selecting
a row shows the image (and selects the box); **Fix** (Enter) gives it the model's class, adds the missing box or
moves the misplaced one where the detector puts it; **Keep** (Delete) leaves it as it is; both take the row off the
list, and Fix is undone with Ctrl+Z like any edit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.editing.commands import AddBox, SetImageFields, UpdateBox
from ..core.mistakes import flagged_images
from ..core.store.records import BoxRecord
from .job_status import translate_status
from .process_job import in_process
from .workers import JobRunner

TARGET = "labelstudio_desktop.ml.mistakes:find_mistakes"
IMAGE, OBJECT, CLASS, SUGGESTED, DOUBT = range(5)
DoubtRole = Qt.UserRole + 1


class MistakesPanel(QWidget):
    """The list and its buttons; ``sig_found(image ids, worst first)`` when a search ends, ``sig_changed`` whenever
    the rows change."""

    sig_found = Signal(list)
    sig_changed = Signal()  # the rows changed: a search ended, a row was fixed or kept

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.searched = False  # whether a search has ended (the rows are its findings, less those decided since)
        self.runner = JobRunner(self)
        self.runner.sig_done.connect(lambda _title, result: self.show_result(result))
        self.runner.sig_failed.connect(lambda _title, message: self._stopped(
            self.tr("Likely mistakes could not be found: {0}").format(message)))
        self.runner.sig_progress.connect(self._progress)
        self.runner.sig_status.connect(lambda text: self.progress.setFormat(f"{translate_status(text)} %p%"))
        self.runner.sig_stopped.connect(lambda _title: self._busy(False))
        self.find_button = QPushButton(self.tr("Find likely mistakes"), self)
        self.find_button.setToolTip(self.tr("Judge every image class and box class by a model fitted on the other "
                                            "images' features (out of fold)"))
        self.find_button.clicked.connect(self.find)
        self.places_box = QCheckBox(self.tr("Also missing and misplaced boxes"), self)
        self.places_box.setToolTip(self.tr("Train a box detector on each part of the reviewed images and compare "
                                           "the boxes with what the one that never saw the image finds (minutes)"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.progress = QProgressBar(self)
        self.status = QLabel(self.tr("Not searched yet."), self)
        self.status.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([self.tr("Image"), self.tr("Object"), self.tr("Class"), self.tr("Model says"),
                                   self.tr("Doubt")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.fix_button = QPushButton(self.tr("Fix"), self)
        self.fix_button.setToolTip(self.tr("Give it the class the model says (Enter; undo with Ctrl+Z)"))
        self.fix_button.clicked.connect(self.fix)
        self.keep_button = QPushButton(self.tr("Keep"), self)
        self.keep_button.setToolTip(self.tr("Leave its class as it is and take it off the list (Delete)"))
        self.keep_button.clicked.connect(self.keep)
        for key, slot in ((Qt.Key_Return, self.fix), (Qt.Key_Enter, self.fix), (Qt.Key_Delete, self.keep)):
            # only while the list has the focus: Enter and Delete on the canvas accept and delete boxes
            QShortcut(QKeySequence(key), self.tree, slot).setContext(Qt.WidgetShortcut)
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.find_button)
        top.addWidget(self.places_box)
        top.addWidget(self.progress, 1)
        top.addWidget(self.cancel_button)
        bottom.addWidget(self.fix_button)
        bottom.addWidget(self.keep_button)
        bottom.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)
        self._busy(False)

    # --------------------------------------------------------------- search
    def find(self) -> None:
        if self.runner.busy() or self.window.store is None:
            return
        self._busy(True)
        self.status.setText(self.tr("Computing features and judging every class…"))
        self.runner.start(self.tr("Likely mistakes"), in_process(TARGET, db_path=str(self.window.store.db_path),
                                                                  places=self.places_box.isChecked()))

    def _busy(self, on: bool) -> None:
        self.find_button.setEnabled(not on)
        self.places_box.setEnabled(not on)
        self.cancel_button.setVisible(on)
        self.progress.setVisible(on)
        self.progress.setRange(0, 0)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _stopped(self, text: str) -> None:
        self._busy(False)
        self.status.setText(text)

    def show_result(self, result: dict) -> None:
        """List what a search found (``ml/mistakes.py``'s dict), worst first, and say what was judged."""
        self._busy(False)
        self.tree.clear()
        places = result.get("places")
        class_rows = result["images"]["likely"] + result["boxes"]["likely"]
        for doubt in sorted(class_rows + (places["likely"] if places else []), key=lambda d: -d["doubt"]):
            self._add(doubt)
        judged = result["images"]["judged"] + result["boxes"]["judged"]
        anything = judged or (places or {}).get("boxes")
        if anything:
            text = self.tr("{0} likely mistakes among {1} image and box classes judged.").format(len(class_rows),
                                                                                                   judged)
        else:
            text = self.tr("Nothing to judge: at least two classes with three images or boxes each are needed.")
        if places is not None:
            text += " " + self._places_text(places)
        for kind, title in (("images", self.tr("image classes")), ("boxes", self.tr("box classes"))):
            if result[kind]["agreement"] is not None:
                text += " " + self.tr("The model agrees with {0:.0%} of the {1}.").format(
                    result[kind]["agreement"], title)
        unjudged = {**result["images"]["too_few"], **result["boxes"]["too_few"]}
        if unjudged and anything:
            text += " " + self.tr("Too few to judge: {0}.").format(
                ", ".join(f"{label} ({n})" for label, n in sorted(unjudged.items())))
        if result["problems"]:
            text += " " + self.tr("{0} images could not be read.").format(len(result["problems"]))
        self.status.setText(text)
        self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self.searched = True
        self.sig_found.emit(self.image_ids())
        self.sig_changed.emit()

    def _places_text(self, places: dict) -> str:
        if places.get("note"):
            return self.tr("Box places not judged: {0}").format(places["note"])
        missing = sum(d["kind"] == "missing" for d in places["likely"])
        return self.tr("{0} boxes likely missing and {1} likely misplaced on {2} reviewed images; the detectors "
                       "confirm {3:.0%} of the boxes.").format(missing, len(places["likely"]) - missing,
                                                               places["images"], places["agreement"] or 0)

    def _add(self, doubt: dict) -> None:
        if doubt.get("kind") == "missing":
            cells = [self.tr("missing box"), doubt["label"], self.tr("a box here ({0:.0%})").format(doubt["score"])]
        elif doubt.get("kind") == "misplaced":
            cells = [self.tr("box {0}").format(doubt["box"]), doubt["label"],
                     self.tr("moved ({0:.0%})").format(doubt["score"])]
        else:
            cells = [self.tr("box {0}").format(doubt["box"]) if doubt["box"] else self.tr("image"), doubt["label"],
                     f"{doubt['suggested']} ({doubt['p_suggested']:.0%})"]
        item = QTreeWidgetItem([doubt["path"], *cells, f"{doubt['doubt']:.2f}"])
        item.setData(IMAGE, DoubtRole, doubt)
        if "p_label" in doubt:
            item.setToolTip(CLASS, self.tr("The model gives this class {0:.0%}").format(doubt["p_label"]))
        elif doubt["kind"] == "misplaced":
            item.setToolTip(SUGGESTED, self.tr("The detector's box overlaps this one at IoU {0:.2f}").format(
                doubt["iou"]))
        self.tree.addTopLevelItem(item)

    def rows(self) -> list[dict]:
        """The likely mistakes listed now (as dicts), worst first."""
        return [self.tree.topLevelItem(n).data(IMAGE, DoubtRole) for n in range(self.tree.topLevelItemCount())]

    def image_ids(self) -> list[int]:
        """The images of the rows, worst first, each once."""
        return list(dict.fromkeys(row["image"] for row in self.rows()))

    # --------------------------------------------------------------- review
    def _show(self, item: QTreeWidgetItem | None) -> None:
        has = item is not None
        self.fix_button.setEnabled(has)
        self.keep_button.setEnabled(has)
        if not has:
            return
        doubt = item.data(IMAGE, DoubtRole)
        window = self.window
        if window.browser is not None and window.browser.select_id(doubt["image"]) and doubt["box"]:
            window.canvas.select(doubt["box"])

    def current(self) -> dict | None:
        item = self.tree.currentItem()
        return item.data(IMAGE, DoubtRole) if item is not None else None

    def fix(self) -> None:
        """Give the current row the model's class (one undoable edit), and take it off the list."""
        doubt = self.current()
        if doubt is None:
            return
        store, editor = self.window.store, self.window.editor
        if doubt.get("kind"):
            self._fix_place(doubt)
            return
        if doubt["box"]:
            box = store.box(doubt["box"])
            if box is None or box.label != doubt["label"]:  # deleted or relabelled since the search
                self._drop(self.tr("That box changed since the search: left as it is."))
                return
            command = UpdateBox(store, doubt["box"], label=doubt["suggested"])
        else:
            command = SetImageFields(store, doubt["image"], label=doubt["suggested"])
        if editor.push(command):
            self._drop(self.tr("{0}: class set to {1}").format(doubt["path"], doubt["suggested"]))

    def _fix_place(self, doubt: dict) -> None:
        """Add the missing box (accepted) or move the misplaced one to the detector's edges."""
        store, editor = self.window.store, self.window.editor
        x0, y0, x1, y1 = doubt["edges"]
        if doubt["kind"] == "missing":
            command = AddBox(BoxRecord(0, doubt["image"], doubt["label"], x0, y0, x1, y1))
            done = self.tr("{0}: box '{1}' added").format(doubt["path"], doubt["label"])
        else:
            box = store.box(doubt["box"])
            if box is None or list(box.edges) != doubt["was"]:  # deleted or moved since the search
                self._drop(self.tr("That box changed since the search: left as it is."))
                return
            command = UpdateBox(store, doubt["box"], x0=x0, y0=y0, x1=x1, y1=y1, edited=True)
            done = self.tr("{0}: box {1} moved").format(doubt["path"], doubt["box"])
        if editor.push(command):
            self._drop(done)

    def keep(self) -> None:
        if self.current() is not None:
            self._drop(self.tr("Kept as it is."))

    def _drop(self, message: str) -> None:
        row = self.tree.indexOfTopLevelItem(self.tree.currentItem())
        self.tree.takeTopLevelItem(row)
        self.window.statusBar().showMessage(message, 5000)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(min(row, self.tree.topLevelItemCount() - 1)))
        self.tree.setFocus()
        self.sig_changed.emit()

    def stop(self) -> None:
        self.runner.stop()


class MistakesDock(QWidget):
    """Owns the window's Likely mistakes dock and its Review menu action."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel: MistakesPanel | None = None
        self.dock = QDockWidget(self.tr("Likely mistakes"), window)
        self.dock.setObjectName("dock-mistakes")
        self.dock.setWidget(QWidget(window))
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        window.tabifyDockWidget(window.map.dock, self.dock)  # the two feature views share their place
        self.dock.hide()
        self.action = QAction(self.tr("Find likely &mistakes…"), window)
        self.action.setStatusTip(self.tr("Image and box classes the images' features disagree with, worst first"))
        self.action.setToolTip(self.action.statusTip())
        self.action.triggered.connect(self.open_and_find)

    def open_and_find(self) -> None:
        if self.show_panel():
            self.panel.find()

    def show_panel(self) -> bool:
        """Show the dock (its panel made for the open project); False when no project is open."""
        if self.window.store is None:
            return False
        if self.panel is None:
            self.panel = MistakesPanel(self.window, self.dock)
            self.panel.sig_found.connect(lambda ids: self.window.browser.show_only(
                ids, self.tr("Likely mistakes"), in_order=True))
            self.panel.sig_changed.connect(self.window.map.mistakes_changed)
            self.dock.setWidget(self.panel)
        self.dock.show()
        self.dock.raise_()
        return True

    def flagged(self) -> dict[int, str] | None:
        """Each image listed as a likely mistake now, with the kind of its most doubted row; None before a search."""
        if self.panel is None or not self.panel.searched:
            return None
        return flagged_images(self.panel.rows())

    def project_closed(self) -> None:
        if self.panel is not None:
            self.panel.stop()
            self.panel.deleteLater()
            self.panel = None
        self.dock.setWidget(QWidget(self.window))
        self.dock.hide()
