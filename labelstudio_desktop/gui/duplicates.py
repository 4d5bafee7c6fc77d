"""The duplicates view: find pairs in the background, review them side by side, resolve them undoably.

Left: the pairs, closest first, with kind, distance and conflict/leak badges, and filters; a page at a time (more
as the list scrolls to its end), so a million pairs make no million rows; a large group lists only its closest pairs
(``core/cleaning/grouping.py``), and the status line says how many pairs were found in all. Kinds: exact copies, near
duplicates (perceptual hash) and look-alikes (image features, computed in the background after an import:
``feature_jobs.py``; the images without them yet are counted under the list). Right: the two
images with synchronised zoom and pan, a flip/blink toggle and a difference view, each side's facts, and
the actions (keep left, keep right, keep both, exclude both, choose the label of a conflict). Every action
is a core command on the window's undo stack; excluded files stay on disk until the explicit quarantine.
"""

from __future__ import annotations

import datetime
import html

import numpy as np
from PIL import Image
from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ..core.cleaning.dedup import DEFAULT_THRESHOLD_64, KINDS, DedupResult, Pair, PairList, find_duplicates
from ..core.cleaning.hashing import ALGORITHMS
from ..core.cleaning.resolve import QuarantineExcluded, choose_label, exclude_all, keep_both, keep_only
from ..core.cleaning.similar import DEFAULT_SIMILAR
from ..core.images import ImageProblem, open_upright
from ..core.store.store import ImageRecord, Store
from .annotation import pil_to_qimage
from .canvas import Canvas
from .undo import Editor
from .workers import JobRunner

KIND_FILTERS = ("all", "exact", "near", "similar")
KIND_TITLES = {"all": QT_TRANSLATE_NOOP("DuplicatesWindow", "all"),
               "exact": QT_TRANSLATE_NOOP("DuplicatesWindow", "exact"),
               "near": QT_TRANSLATE_NOOP("DuplicatesWindow", "near"),
               "similar": QT_TRANSLATE_NOOP("DuplicatesWindow", "look-alike")}
LEFT_COLUMN, RIGHT_COLUMN, KEEP_COLUMN = 3, 4, 5
# Pairs added to the list at a time (more as the list scrolls to its end, or from the button under it).
PAGE = 200


def difference_image(a, b) -> QImage:
    """|A - B| of two PIL images, B resized to A's size, stretched so small differences show."""
    b = b.resize(a.size) if b.size != a.size else b
    diff = np.abs(np.asarray(a, np.int16) - np.asarray(b, np.int16)).astype(np.float32)
    peak = max(1.0, float(diff.max()))
    stretched = np.clip(diff * (255.0 / peak), 0, 255).astype(np.uint8)
    return pil_to_qimage(Image.fromarray(stretched))


class SideInfo(QLabel):
    """One side's facts, with a tag when it is the suggested keeper of its group, and the operator's work on it (the
    keeper's first criterion: verified, accepted boxes and masks, a class)."""

    def show_image(self, store: Store, image: ImageRecord, keeper: bool = False) -> None:
        boxes = store.boxes(image.id, states=("accepted",))
        labels = ", ".join(sorted({b.label for b in boxes})) or "-"
        keeper_text, excluded_text = self.tr("suggested keeper"), self.tr("excluded")
        verified_text = self.tr("verified")
        tag = f'<span style="color:#2a9d4a"><b>★ {keeper_text}</b></span> · ' if keeper else ""
        excluded = f" · <b>{excluded_text}</b>" if image.excluded else ""
        verified = f" · <b>✓ {verified_text}</b>" if image.status == "verified" else ""
        masks = sum(m["state"] == "accepted" for m in store.masks(image.id))
        masks_text = " · " + self.tr("{0} masks").format(masks) if masks else ""
        self.setText(tag + self.tr(
            "<b>{0}</b><br>{1} × {2} px · {3:,} B · modified {4}<br>class <b>{5}</b> · split <b>{6}</b> · "
            "{7} boxes ({8})").format(html.escape(image.path), image.width, image.height, image.size,
                                      _date(image.mtime), html.escape(image.label or "-"), image.split or "-",
                                      len(boxes), html.escape(labels)) + masks_text + verified + excluded)


def _date(mtime: float) -> str:
    return datetime.datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M")


class DuplicatesWindow(QWidget):
    """A top-level window over the open project; ``sig_show_image(image_id)`` asks the main window."""

    sig_show_image = Signal(int)

    def __init__(self, editor: Editor, parent: QWidget | None = None):
        super().__init__(parent, Qt.Window)
        self.setWindowTitle(self.tr("Duplicates"))
        self.editor = editor
        self.store = editor.store
        self.result: DedupResult | None = None
        self.resolved: set[tuple[int, int]] = set()  # pairs whose decision is done (not undone) on the stack
        self._decisions: list[tuple[object, tuple[int, int]]] = []  # (core command, pair) pushed from here
        self.runner = JobRunner(self)
        self.runner.sig_done.connect(lambda _title, result: self.show_result(result))
        self.runner.sig_failed.connect(lambda title, msg: QMessageBox.warning(self, title, msg))
        self._searching = False  # the job's last status line was the pair search (not the hashing)
        self.runner.sig_status.connect(lambda text: setattr(self, "_searching", text.startswith("searching")))
        self.runner.sig_progress.connect(self._progress)
        self._listed = np.zeros(0, np.int64)  # the pairs the filters let through (indices into result.pairs)
        self._shown = 0  # how many of them the list holds
        self._pair_groups = np.zeros(0, np.int64)
        self._conflicts: set[int] = set()
        self._leaks: set[int] = set()
        self._pil: dict[str, object] = {}
        self._build()
        editor.sig_changed.connect(lambda _id: self._refresh_sides())
        editor.stack.indexChanged.connect(self._sync_decisions)
        self.resize(1200, 760)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.algo = QComboBox(self)
        self.algo.addItems(ALGORITHMS)
        self.threshold = QSpinBox(self)
        self.threshold.setRange(0, 64)
        self.threshold.setValue(DEFAULT_THRESHOLD_64)
        self.threshold.setToolTip(self.tr("Largest Hamming distance of a near pair (inclusive, 64-bit hash)"))
        self.mirror = QCheckBox(self.tr("Mirrored too"), self)
        self.similar = QCheckBox(self.tr("Look-alikes"), self)
        self.similar.setChecked(True)
        self.similar.setToolTip(self.tr("Also pairs whose image features look alike: crops, quarter turns, mirrored "
                                        "and colour-shifted copies, rescaled screenshots"))
        self.similar_threshold = QDoubleSpinBox(self)
        self.similar_threshold.setRange(-1.0, 1.0)
        self.similar_threshold.setSingleStep(0.05)
        self.similar_threshold.setDecimals(2)
        self.similar_threshold.setValue(DEFAULT_SIMILAR)
        self.similar_threshold.setToolTip(self.tr(
            "Lowest look-alike score of a pair: the cosine similarity of the two images' features less their usual "
            "similarity to their closest images (higher: fewer pairs)"))
        self.similar.toggled.connect(self.similar_threshold.setEnabled)
        self.find_button = QPushButton(self.tr("Find duplicates"), self)
        self.find_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.cancel_button.setEnabled(False)
        self.runner.sig_started.connect(lambda _t: self._running(True))
        self.runner.sig_stopped.connect(lambda _t: self._running(False))
        self.kind_filter = QComboBox(self)
        for kind in KIND_FILTERS:
            self.kind_filter.addItem(self.tr(KIND_TITLES[kind]), kind)
        self.only_conflicts = QCheckBox(self.tr("Conflicts"), self)
        self.only_leaks = QCheckBox(self.tr("Leaks"), self)
        for w in (self.kind_filter, self.only_conflicts, self.only_leaks):
            (w.currentIndexChanged if isinstance(w, QComboBox) else w.toggled).connect(lambda *_: self._fill())
        self.status = QLabel(self)

        self.pairs = QTreeWidget(self)
        self.pairs.setHeaderLabels([self.tr("Kind"), self.tr("Distance"), self.tr("Flags"), self.tr("Left"),
                                    self.tr("Right"), self.tr("Suggested keeper")])
        self.pairs.headerItem().setToolTip(KEEP_COLUMN, self.tr(
            "The copy to keep: the largest resolution, then the largest file, then the oldest"))
        self.pairs.setRootIsDecorated(False)
        self.pairs.setUniformRowHeights(True)
        self.pairs.currentItemChanged.connect(lambda item, _prev: self.show_pair(item.data(0, Qt.UserRole))
                                              if item is not None else None)
        self.pairs.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.more = QPushButton(self)
        self.more.clicked.connect(self._more)
        self.more.hide()

        self.left, self.right = Canvas(self), Canvas(self)
        self.left.sig_view_changed.connect(self.right.set_view)
        self.right.sig_view_changed.connect(self.left.set_view)
        self.left_info, self.right_info = SideInfo(self), SideInfo(self)
        for info in (self.left_info, self.right_info):
            info.setWordWrap(True)
            info.setTextFormat(Qt.RichText)
        self.flip = QCheckBox(self.tr("Flip (F)"), self)
        self.flip.toggled.connect(lambda _on: self._show_images())
        self.blink = QCheckBox(self.tr("Blink"), self)
        self.blink_timer = QTimer(self)
        self.blink_timer.setInterval(450)
        self.blink_timer.timeout.connect(lambda: self.flip.setChecked(not self.flip.isChecked()))
        self.blink.toggled.connect(lambda on: self.blink_timer.start() if on else self.blink_timer.stop())
        self.difference = QCheckBox(self.tr("Difference"), self)
        self.difference.toggled.connect(lambda _on: self._show_images())
        self.label_choice = QComboBox(self)
        self.label_choice.setToolTip(self.tr("The class both images should have"))

        buttons = QGridLayout()
        self.actions = {}
        for n, (key, title, shortcut) in enumerate((
                ("keep_left", self.tr("Keep left"), "1"), ("keep_right", self.tr("Keep right"), "2"),
                ("keep_both", self.tr("Keep both (not a duplicate)"), "3"),
                ("exclude_both", self.tr("Exclude both"), "4"), ("label", self.tr("Use this class for both"), "5"),
                ("quarantine", self.tr("Move excluded files to quarantine…"), None))):
            button = QPushButton(f"{title}{f' ({shortcut})' if shortcut else ''}", self)
            button.clicked.connect(lambda _=False, k=key: self.act(k))
            if shortcut:
                QShortcut(QKeySequence(shortcut), self, activated=lambda k=key: self.act(k))
            buttons.addWidget(button, n // 3, n % 3)
            self.actions[key] = button
        QShortcut(QKeySequence("F"), self, activated=self.flip.toggle)
        QShortcut(QKeySequence.Undo, self, activated=lambda: self.editor.undo())
        QShortcut(QKeySequence("Ctrl+Shift+Z"), self, activated=lambda: self.editor.redo())
        for closing in (QKeySequence(Qt.Key_Escape), QKeySequence.Close):  # a window of its own: Esc, Ctrl+W
            QShortcut(closing, self, activated=self.close)

        top = QHBoxLayout()
        for w in (QLabel(self.tr("Hash"), self), self.algo, QLabel(self.tr("Threshold"), self), self.threshold,
                  self.mirror, self.similar, self.similar_threshold, self.find_button, self.cancel_button):
            top.addWidget(w)
        top.addStretch(1)
        filters = QHBoxLayout()
        for w in (QLabel(self.tr("Show"), self), self.kind_filter, self.only_conflicts, self.only_leaks):
            filters.addWidget(w)
        filters.addStretch(1)
        list_side = QWidget(self)
        lv = QVBoxLayout(list_side)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(filters)
        lv.addWidget(self.pairs, 1)
        lv.addWidget(self.more)
        lv.addWidget(self.status)
        views = QHBoxLayout()
        for canvas, info in ((self.left, self.left_info), (self.right, self.right_info)):
            col = QVBoxLayout()
            col.addWidget(canvas, 1)
            col.addWidget(info)
            views.addLayout(col, 1)
        toggles = QHBoxLayout()
        for w in (self.flip, self.blink, self.difference, QLabel(self.tr("Class"), self), self.label_choice):
            toggles.addWidget(w)
        toggles.addStretch(1)
        review = QWidget(self)
        rv = QVBoxLayout(review)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.addLayout(views, 1)
        rv.addLayout(toggles)
        rv.addLayout(buttons)
        splitter = QSplitter(self)
        splitter.addWidget(list_side)
        splitter.addWidget(review)
        splitter.setSizes([420, 780])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def _running(self, on: bool) -> None:
        self.find_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        if not on and self.result is None:
            self.status.setText(self.tr("stopped"))

    # -------------------------------------------------------------- finding
    def start(self) -> None:
        db = str(self.store.db_path)
        algo, threshold, mirror = self.algo.currentText(), self.threshold.value(), self.mirror.isChecked()
        similar = self.similar_threshold.value() if self.similar.isChecked() else None

        def job(token):
            with Store.open(db) as store:
                return find_duplicates(store, algo=algo, threshold=threshold, mirror=mirror, job=token,
                                       similar=similar)

        self.result = None
        self.runner.start(self.tr("Finding duplicates"), job)

    def _progress(self, done: int, total: int) -> None:
        if self._searching:
            self.status.setText(self.tr("searching pairs {0}/{1}…").format(done, total))
        else:
            self.status.setText(self.tr("hashing {0}/{1}…").format(done, total))

    def show_result(self, result: DedupResult) -> None:
        self.result = result
        self.resolved.clear()
        self._decisions.clear()
        self._pair_groups = result.pair_groups()
        self._conflicts, self._leaks = set(result.conflicts), set(result.leaks)
        if result.pairs_found > len(result.pairs):
            text = self.tr("{0} pairs ({1} shown) in {2} groups · {3} conflicts · {4} leaks · {5} hashed").format(
                result.pairs_found, len(result.pairs), len(result.groups), len(result.conflicts), len(result.leaks),
                result.hashed)
            self.status.setToolTip(self.tr("A group with more than {0} pairs lists its {0} closest pairs; every "
                                           "image stays in its group").format(result.pairs_per_group))
        else:
            text = self.tr("{0} pairs in {1} groups · {2} conflicts · {3} leaks · {4} hashed").format(
                len(result.pairs), len(result.groups), len(result.conflicts), len(result.leaks), result.hashed)
            self.status.setToolTip("")
        if result.features_missing:
            text += "\n" + self.tr("{0} images left out of the look-alike search: their features are not computed "
                                   "yet (they are after an import, in the background)").format(result.features_missing)
        self.status.setText(text)
        self._fill()

    def _flags(self, pair: Pair) -> list[str]:
        n = self.result.group_of(pair.a)
        flags = []
        if n in self._conflicts:
            flags.append(self.tr("conflict"))
        if n in self._leaks:
            flags.append(self.tr("leak"))
        if pair.mirrored:
            flags.append(self.tr("mirrored"))
        return flags

    def _fill(self) -> None:
        """List the first page of the pairs the filters let through."""
        self.pairs.clear()
        self._listed, self._shown = np.zeros(0, np.int64), 0
        self.more.hide()
        if self.result is None:
            return
        pairs = self.result.pairs
        kinds = pairs.kind if isinstance(pairs, PairList) else np.array([KINDS.index(p.kind) for p in pairs], np.int8)
        through = np.ones(len(pairs), bool)
        kind = self.kind_filter.currentData()
        if kind != "all":
            through &= kinds == KINDS.index(kind)
        if self.only_conflicts.isChecked():
            through &= np.isin(self._pair_groups, list(self._conflicts))
        if self.only_leaks.isChecked():
            through &= np.isin(self._pair_groups, list(self._leaks))
        self._listed = np.nonzero(through)[0]
        self._more()
        for col in range(KEEP_COLUMN):
            self.pairs.resizeColumnToContents(col)
        if self.pairs.topLevelItemCount():
            self.pairs.setCurrentItem(self.pairs.topLevelItem(0))

    def _more(self) -> None:
        """Add the next page of pairs to the list."""
        if self.result is None:
            return
        page = self._listed[self._shown:self._shown + PAGE].tolist()
        self.pairs.addTopLevelItems([self._item(self.result.pairs[k]) for k in page])
        self._shown += len(page)
        left = len(self._listed) - self._shown
        self.more.setText(self.tr("More pairs ({0} not listed yet)").format(left))
        self.more.setVisible(left > 0)

    def _scrolled(self, value: int) -> None:
        if value and value == self.pairs.verticalScrollBar().maximum() and self._shown < len(self._listed):
            self._more()

    def _item(self, pair: Pair) -> QTreeWidgetItem:
        flags = self._flags(pair)
        a, b = self.result.images[pair.a], self.result.images[pair.b]
        keeper = self.keeper(pair)
        keep = self.tr("left") if keeper == pair.a else self.tr("right") if keeper == pair.b else \
            self.tr("neither: {0}").format(self.result.images[keeper].path)
        kind_text = self.tr(KIND_TITLES[pair.kind]) if pair.kind in KIND_TITLES else pair.kind
        distance = f"{pair.similarity:.2f}" if pair.similarity is not None else str(pair.distance)
        item = QTreeWidgetItem([kind_text, distance, ", ".join(flags), a.path, b.path, keep])
        item.setData(0, Qt.UserRole, pair)
        if pair.similarity is not None:
            item.setToolTip(1, self.tr("look-alike score {0:.3f} (1 is the closest)").format(pair.similarity))
        for col, image_id in ((LEFT_COLUMN, pair.a), (RIGHT_COLUMN, pair.b)):
            if image_id == keeper:
                font = item.font(col)
                font.setBold(True)
                item.setFont(col, font)
                item.setToolTip(col, self.tr("{0} (suggested keeper)").format(item.text(col)))
        if (pair.a, pair.b) in self.resolved:
            item.setDisabled(True)
        return item

    def keeper(self, pair: Pair) -> int:
        """The suggested keeper of the pair's group (the copy with the operator's work: verified, more accepted boxes
        and masks, a class; then the largest resolution, then file, then the oldest; see
        :func:`~labelstudio_desktop.core.cleaning.dedup.suggest_keeper`); -1 while a new search runs."""
        group = self.result.group_of(pair.a) if self.result is not None else None
        return self.result.keepers[group] if group is not None else -1

    # -------------------------------------------------------------- showing
    def current_pair(self) -> Pair | None:
        item = self.pairs.currentItem()
        return item.data(0, Qt.UserRole) if item is not None else None

    def _load(self, image: ImageRecord):
        if image.path not in self._pil:
            try:
                self._pil[image.path] = open_upright(self.store.abs_path(image))
            except (ImageProblem, OSError):
                self._pil[image.path] = None
        return self._pil[image.path]

    def show_pair(self, pair: Pair) -> None:
        a, b = self.store.image(pair.a), self.store.image(pair.b)
        labels = sorted({x.label for x in (a, b) if x.label})
        self.label_choice.clear()
        self.label_choice.addItems(labels)
        self.actions["label"].setEnabled(len(labels) > 1)
        self._show_images(fit=True)
        self._refresh_sides()

    def _show_images(self, fit: bool = False) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        a, b = self.store.image(pair.a), self.store.image(pair.b)
        pa, pb = self._load(a), self._load(b)
        first, second = (pb, pa) if self.flip.isChecked() else (pa, pb)
        left = pil_to_qimage(first) if first is not None else None
        if self.difference.isChecked() and pa is not None and pb is not None:
            right = difference_image(pa, pb)
        else:
            right = pil_to_qimage(second) if second is not None else None
        self.left.set_image(left, [], keep_view=not fit)
        self.right.set_image(right, [], keep_view=True)
        self.right.set_view(self.left.scale, self.left.offset)

    def _refresh_sides(self) -> None:
        pair = self.current_pair()
        if pair is None:
            return
        keeper = self.keeper(pair)
        self.left_info.show_image(self.store, self.store.image(pair.a), keeper == pair.a)
        self.right_info.show_image(self.store, self.store.image(pair.b), keeper == pair.b)

    # -------------------------------------------------------------- actions
    def act(self, key: str) -> None:
        pair = self.current_pair()
        if key == "quarantine":
            self._quarantine()
            return
        if pair is None:
            return
        if (pair.a, pair.b) in self.resolved:
            self.status.setText(self.tr("This pair is decided; undo (Ctrl+Z) to review it again"))
            return
        store = self.store
        if key == "keep_left":
            command = keep_only(store, pair.a, [pair.a, pair.b])
        elif key == "keep_right":
            command = keep_only(store, pair.b, [pair.a, pair.b])
        elif key == "keep_both":
            command = keep_both(store, pair.a, pair.b)
        elif key == "exclude_both":
            command = exclude_all(store, [pair.a, pair.b])
        elif key == "label" and self.label_choice.currentText():
            command = choose_label(store, [pair.a, pair.b], self.label_choice.currentText())
        else:
            return
        self._decisions.append((command, (pair.a, pair.b)))
        if self.editor.push(command) is False:  # not saved (the editor says why): the pair stays to decide
            self._decisions.pop()
            return
        # the stack's indexChanged has marked the pair decided (see _sync_decisions)
        below = self.pairs.itemBelow(self.pairs.currentItem())
        if below is None and self._shown < len(self._listed):  # the last listed pair: list the next page
            self._more()
            below = self.pairs.itemBelow(self.pairs.currentItem())
        if below is not None:
            self.pairs.setCurrentItem(below)

    def _sync_decisions(self, _index: int = 0) -> None:
        """The decided pairs are those whose command is done on the undo stack: an undo (here or in the main
        window) makes its pair reviewable again, and current so that the keys act on it; a redo decides it again.
        """
        stack = self.editor.stack
        if not isValid(stack):  # the stack's destructor clears it, which emits indexChanged
            return
        commands = [getattr(stack.command(n), "command", None) for n in range(stack.count())]
        done = {id(c) for c in commands[:stack.index()]}
        alive = {id(c) for c in commands}
        self._decisions = [(c, p) for c, p in self._decisions if id(c) in alive]
        before, self.resolved = self.resolved, {p for c, p in self._decisions if id(c) in done}
        if self.resolved == before:
            return
        undone = before - self.resolved
        for n in range(self.pairs.topLevelItemCount()):
            item = self.pairs.topLevelItem(n)
            pair = item.data(0, Qt.UserRole)
            item.setDisabled((pair.a, pair.b) in self.resolved)
            if (pair.a, pair.b) in undone:
                self.pairs.setCurrentItem(item)

    def _quarantine(self) -> None:
        command = QuarantineExcluded(self.store)
        if not command.files:
            QMessageBox.information(self, self.tr("Quarantine"), self.tr("No excluded files to move."))
            return
        answer = QMessageBox.question(self, self.tr("Quarantine"), self.tr(
            "Move {0} excluded files to {1}?\nUndo (Ctrl+Z) moves them back.").format(
            len(command.files), command.target))
        if answer == QMessageBox.Yes:
            self.editor.push(command)

    def closeEvent(self, event) -> None:
        self.blink_timer.stop()
        self.runner.stop()
        super().closeEvent(event)

