"""The image browser: a list model over the store (ordered and filtered in SQL, read a page at a time) and the dock
widget; the tiles are painted by :mod:`.image_tiles`.

One model row per listed image, its details read only when it is shown; never a widget per item and never a
decode of an image just to list it. Thumbnails come from :class:`ThumbnailLoader` when a row is painted.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

import numpy as np
from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.editing.review_order import review_order
from ..core.store.image_list import (
    CACHED_ROWS,
    PAGE,
    IdIndex,
    ListedImage,
    ListFilter,
    listed_images,
    natural_key,
    ordered_ids,
    passing,
)
from ..core.store.records import IMAGE_LABELS, NAMED
from ..core.store.store import SPLITS, STATUSES, Store
from .image_notes import translate_note
from .image_tiles import BadgeDelegate
from .thumbnails import THUMB_SIZE, ThumbnailLoader, thumbnail_key

ImageIdRole = Qt.UserRole + 1
LISTED = "listed"  # the sort key of a list shown alone in its own order (show_only)
TO_REVIEW = "review"  # the sort key of the review order: the image to review first on top (core.editing.review_order)
SortRole = Qt.UserRole + 2
MEMORY_THUMBS = 2000
SEARCH_PAUSE_MS = 200  # the pause in typing after which the list is filtered by the search field
NEIGHBOURS = 50  # rows either side remembered over a reload, in case the current image goes away


class ImageListModel(QAbstractListModel):
    """The images the browser lists, one row each, in the chosen order and passing the filter.

    Ordering and filtering run in SQL (:mod:`~labelstudio_desktop.core.store.image_list`); the model holds the ids
    in order and the positions passing the filter as two arrays, and reads a row's details only when it is shown, a
    page at a time, so a million images cost tens of megabytes, not a Python object each."""

    def __init__(self, store: Store, loader: ThumbnailLoader | None = None, parent=None):
        super().__init__(parent)
        self.store = store
        self.loader = loader
        self.order = np.zeros(0, dtype=np.int64)  # every image id, in the list's order
        self.passing = np.zeros(0, dtype=np.int64)  # positions in ``order`` the filter lets through, increasing
        self._where = IdIndex(self.order)
        self._rows: OrderedDict[int, ListedImage] = OrderedDict()  # read rows by id, the latest last
        self.thumbs: OrderedDict[int, QPixmap] = OrderedDict()
        self.show_thumbnails = True
        self.sort_key = "name"
        self.filter = ListFilter()
        self.listed: dict[int, int] = {}  # image id -> place, for the LISTED order
        if loader is not None:
            loader.sig_loaded.connect(self._thumbnail_loaded)
        self.reload()

    # ------------------------------------------------------------------ listing
    def reload(self) -> None:
        """Read the order and the filter again (after an import, a training run, a class renamed...)."""
        self.beginResetModel()
        self._order_rows()
        self.endResetModel()

    def set_sort_key(self, key: str) -> None:
        self.beginResetModel()
        self.sort_key = key
        self._order_rows()
        self.endResetModel()

    def set_filter(self, **values) -> None:
        """Change the filter (fields of :class:`ListFilter`)."""
        self.beginResetModel()
        self.filter = replace(self.filter, **values)
        self.passing = passing(self.store, self.filter, self.order, self._where)
        self.endResetModel()

    def _order_rows(self) -> None:
        places = None
        if self.sort_key == LISTED:  # a list shown alone (likely mistakes: worst first)
            places = self.listed
        elif self.sort_key == TO_REVIEW:
            places = review_order(self.store).place()
        self.order = ordered_ids(self.store, "name" if places is not None else self.sort_key, places)
        self._where = IdIndex(self.order)
        self.passing = passing(self.store, self.filter, self.order, self._where)
        self._rows.clear()

    def labels(self) -> list[str]:
        """The classes images have, in natural order."""
        labels = self.store.conn.execute(f"{IMAGE_LABELS} SELECT label FROM image_labels WHERE {NAMED}")
        return sorted((r[0] for r in labels), key=natural_key)

    # ------------------------------------------------------------------ rows
    def id_at(self, row: int) -> int:
        return int(self.order[self.passing[row]])

    def row(self, row: int) -> ListedImage:
        """The details of listed row ``row``, read with the rows of its page when not read yet."""
        image_id = self.id_at(row)
        found = self._rows.get(image_id)
        if found is None:
            start = row - row % PAGE
            page = [int(i) for i in self.order[self.passing[start:start + PAGE]]]
            self._rows.update(listed_images(self.store, page))
            while len(self._rows) > CACHED_ROWS:
                self._rows.popitem(last=False)
            found = self._rows.get(image_id) or ListedImage(image_id, f"#{image_id}", 0, 0, None, None,
                                                              "unverified", False, True, False, 0, 0)
        else:
            self._rows.move_to_end(image_id)
        return found

    def place_of(self, image_id: int) -> int | None:
        """Where the image is in the order, listed or not (None: not in the project)."""
        return self._where.row_of(image_id)

    def row_of(self, image_id: int) -> int | None:
        """The listed row of the image (None: not listed)."""
        place = self.place_of(image_id)
        if place is None:
            return None
        row = int(np.searchsorted(self.passing, place))
        return row if row < len(self.passing) and self.passing[row] == place else None

    def first_row_after(self, place: int, forward: bool) -> int:
        """The first listed row after ``place`` in the order (``forward``), or the first at or after it."""
        return int(np.searchsorted(self.passing, place, side="right" if forward else "left"))

    def refresh(self, image_id: int) -> None:
        """Read one image's row again after an edit."""
        self._rows.pop(image_id, None)
        row = self.row_of(image_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.passing)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        if role == ImageIdRole:
            return self.id_at(index.row())
        row = self.row(index.row())
        if role == Qt.DisplayRole:
            return row.name
        if role == Qt.ToolTipRole:
            split = row.split or self.tr("no split")
            tip = [row.path, f"{row.label or '-'} · {split} · {row.status}"]
            if row.warnings:
                tip += [translate_note(w) for w in self.store.image(row.id).warnings]
            return "\n".join(tip)
        if role == Qt.DecorationRole and self.show_thumbnails:
            return self._thumbnail(row)
        return None

    def _thumbnail(self, row: ListedImage) -> QPixmap | None:
        pix = self.thumbs.get(row.id)
        if pix is not None:
            self.thumbs.move_to_end(row.id)
            return pix
        if self.loader is not None and not row.missing and row.id not in self.store.refused_images:  # never read
            self.loader.request(row.id, self.store.abs_path(row.path), thumbnail_key(row.path, row.size, row.mtime))
        return None

    def _thumbnail_loaded(self, image_id: int, image: QImage) -> None:
        if self.loader is not None:
            self.loader.done(image_id)
        if image.isNull():
            return
        self.thumbs[image_id] = QPixmap.fromImage(image)
        while len(self.thumbs) > MEMORY_THUMBS:
            self.thumbs.popitem(last=False)
        i = self.row_of(image_id)
        if i is not None:
            index = self.index(i)
            self.dataChanged.emit(index, index, [Qt.DecorationRole])


class BrowserPanel(QWidget):
    """The dock's content: filters on top, the grid or list below. ``sig_activated(image_id)``; ``sig_listed(ids)``
    after :meth:`show_only` (None: every image listed again)."""

    sig_activated = Signal(int)
    sig_listed = Signal(object)

    def __init__(self, store: Store, loader: ThumbnailLoader | None, parent=None):
        super().__init__(parent)
        self.model = ImageListModel(store, loader, self)
        # a reload or a new sort resets the model: the current image stays current (see _restore_current);
        # remembered before the model forgets its rows, restored after the model and the view have reset
        self._before_reset: list[tuple[int, tuple]] = []
        self._quiet_id = -1
        self._anchor_id = -1  # the image last current: where A/D/N go on from when a filter hides it
        self._filtering = False  # a filter change: the current image stays current only if still listed
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.view = BrowserView(self)
        self.view.setModel(self.model)
        self.model.modelReset.connect(self._restore_current)  # after the view's own reset, which clears the current
        self.view.setItemDelegate(BadgeDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setLayoutMode(QListView.Batched)
        self.view.setBatchSize(200)
        self.view.setSelectionMode(QListView.SingleSelection)
        self.view.selectionModel().currentChanged.connect(self._current_changed)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search file names"))
        self.search.setClearButtonEnabled(True)
        # typing filters once it pauses (a million names take a moment per filter); Enter or leaving the field at once
        self._closed = False
        self._search_pause = QTimer(self, singleShot=True, interval=SEARCH_PAUSE_MS)
        self._search_pause.timeout.connect(self._search_typed)
        self.search.textChanged.connect(self._search_pause.start)
        self.search.editingFinished.connect(self._search_typed)
        self.class_box = self._combo(self.tr("All classes"), "label")
        splits = [(s, s) for s in SPLITS] + [(self.tr("no split"), "")]
        self.split_box = self._combo(self.tr("All splits"), "split", splits)
        self.status_box = self._combo(self.tr("Any status"), "status", [(s, s) for s in STATUSES])
        self.flag_box = self._combo(self.tr("Any"), "flag", [
            (self.tr("with boxes"), "boxes"), (self.tr("without boxes"), "no boxes"),
            (self.tr("pending proposals"), "pending"), (self.tr("with warnings"), "warnings"),
            (self.tr("excluded"), "excluded")])
        self.sort_box = QComboBox(self)
        for title, key in ((self.tr("Sort by name"), "name"), (self.tr("Sort by date"), "date"),
                           (self.tr("Sort by size"), "size"), (self.tr("Sort by class"), "class"),
                           (self.tr("To review first"), TO_REVIEW)):
            self.sort_box.addItem(title, key)
        self.sort_box.setItemData(self.sort_box.findData(TO_REVIEW), self.tr(
            "Images still to review, the one the model is least sure about and least like those reviewed first "
            "(Shift+N goes to it)"), Qt.ToolTipRole)
        self.sort_box.currentIndexChanged.connect(lambda _: self.model.set_sort_key(self.sort_box.currentData()))
        self.mode_button = QToolButton(self)
        self.mode_button.setText(self.tr("List"))
        self.mode_button.setCheckable(True)
        self.mode_button.toggled.connect(self.set_list_mode)
        self.only_button = QToolButton(self)  # shown while the list holds the dataset map's selection only
        self.only_button.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.only_button.setToolTip(self.tr("Show every image again"))
        self.only_button.clicked.connect(lambda: self.show_only(None))
        self.only_button.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.search)
        layout.addWidget(self.only_button)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        row1.addWidget(self.class_box)
        row1.addWidget(self.split_box)
        row2.addWidget(self.status_box)
        row2.addWidget(self.flag_box)
        row3 = QHBoxLayout()
        row3.addWidget(self.sort_box, 1)
        row3.addWidget(self.mode_button)
        for row in (row1, row2, row3):
            layout.addLayout(row)
        layout.addWidget(self.view, 1)
        self.refresh_classes()
        self.set_list_mode(False)

    def _combo(self, everything: str, attr: str, items: list[tuple[str, str]] | None = None) -> QComboBox:
        box = QComboBox(self)
        box.addItem(everything, None)
        for title, value in items or []:
            box.addItem(title, value)
        box.currentIndexChanged.connect(lambda _: self.set_filter(**{attr: box.currentData()}))
        return box

    def project_closed(self) -> None:
        """Its store is being closed: a search typed but not yet applied is dropped."""
        self._closed = True
        self._search_pause.stop()

    def _search_typed(self) -> None:
        self._search_pause.stop()
        if not self._closed and self.search.text() != self.model.filter.text:
            self.set_filter(text=self.search.text())

    def set_filter(self, **values) -> None:
        """Filter the list (fields of :class:`~labelstudio_desktop.core.store.image_list.ListFilter`). The image shown
        stays the anchor of A, D and N even when the filter hides it, and is current again (not shown again) once a
        filter lists it."""
        self._filtering = True
        try:
            self.model.set_filter(**values)
        finally:
            self._filtering = False
        if self.view.currentIndex().isValid():
            return
        row = self.model.row_of(self._anchor_id)
        index = self.model.index(row) if row is not None else QModelIndex()
        if index.isValid():
            self._quiet_id = self._anchor_id
            try:
                self.view.setCurrentIndex(index)
            finally:
                self._quiet_id = -1
            self.view.scroll_to_later(index)

    def show_only(self, ids: list[int] | None, title: str = "", in_order: bool = False) -> None:
        """List only these images (the dataset map's selection, the likely mistakes), or every image again (None).
        ``title`` names the list on the button that clears it; ``in_order``: in the order of ``ids``.

        The image open stays current when the list holds it; else the list's first image opens. Either way the list
        scrolls to it (the view keeps its old scroll position otherwise, which may show none of the listed images)."""
        if ids is None:
            self.only_button.setVisible(False)
            if self.model.sort_key == LISTED:
                self.model.listed = {}
                self.model.set_sort_key(self.sort_box.currentData())
            self.set_filter(ids=None)
            self._scroll_to_current()
            self.sig_listed.emit(None)
            return
        if self._anchor_id not in ids:  # the image open leaves the list: the first listed one opens, not a neighbour
            self.view.selectionModel().clearCurrentIndex()
        self.only_button.setText(self.tr("{0}: {1} images ✕").format(title or self.tr("Map selection"), len(ids)))
        self.only_button.setVisible(True)
        if in_order:
            self.model.listed = {image_id: n for n, image_id in enumerate(ids)}
            self.model.set_sort_key(LISTED)
        elif self.model.sort_key == LISTED:
            self.model.listed = {}
            self.model.set_sort_key(self.sort_box.currentData())
        self.set_filter(ids=frozenset(ids))
        if not self.view.currentIndex().isValid() and self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._scroll_to_current()
        self.sig_listed.emit(list(ids))

    def _scroll_to_current(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.view.scroll_to_later(index)

    def refresh_classes(self) -> None:
        current = self.class_box.currentData()
        self.class_box.blockSignals(True)
        while self.class_box.count() > 1:
            self.class_box.removeItem(1)
        for label in self.model.labels():
            self.class_box.addItem(label, label)
        self.class_box.addItem(self.tr("no class"), "")
        self.class_box.setCurrentIndex(max(0, self.class_box.findData(current)))
        self.class_box.blockSignals(False)

    def set_list_mode(self, list_mode: bool) -> None:
        self.view.setViewMode(QListView.ListMode if list_mode else QListView.IconMode)
        self.view.setIconSize(QSize(16, 16) if list_mode else QSize(THUMB_SIZE, THUMB_SIZE))
        self.model.show_thumbnails = not list_mode
        self.view.setResizeMode(QListView.Adjust)
        self.view.setMovement(QListView.Static)
        self.view.setSpacing(2)
        self.view.setWordWrap(False)

    # ---------------------------------------------------------------- navigation
    def current_id(self) -> int:
        index = self.view.currentIndex()
        return index.data(ImageIdRole) if index.isValid() else -1

    def select_id(self, image_id: int) -> bool:
        if self.model.place_of(image_id) is None:
            return False
        row = self.model.row_of(image_id)
        if row is None:  # filtered out: show everything so the image can be shown
            self.reset_filters()
            row = self.model.row_of(image_id)
            if row is None:
                return False
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scroll_to_later(index)
        return True

    def listed(self, image_id: int) -> bool:
        """True when the image is in the list as filtered now."""
        return self.model.row_of(image_id) is not None

    def reset_filters(self) -> None:
        for box in (self.class_box, self.split_box, self.status_box, self.flag_box):
            box.setCurrentIndex(0)
        self.search.clear()
        if self.model.filter.ids is not None:
            self.show_only(None)

    def step(self, delta: int, predicate=None) -> bool:
        """Move the selection by ``delta`` rows (optionally to the next row matching ``predicate``)."""
        count = self.model.rowCount()
        if not count:
            return False
        row = self._start_row(delta)
        while True:
            row += delta
            if not 0 <= row < count:
                return False
            index = self.model.index(row, 0)
            if predicate is None or predicate(self.model.row(row)):
                self.view.setCurrentIndex(index)
                self.view.scroll_to_later(index)
                return True

    def _start_row(self, delta: int) -> int:
        """The row a step of ``delta`` starts from: the current one; when a filter hides the image last current,
        the place it would have in the list (so the step lands on the next listed image after it, or the one before);
        else -1 (forward starts at the first row; backward has nowhere to go)."""
        row = self.view.currentIndex().row()
        if row >= 0:
            return row
        place = self.model.place_of(self._anchor_id)
        if place is None:
            return -1
        forward = delta > 0
        lo = self.model.first_row_after(place, forward)
        return lo - 1 if forward else lo  # lo: the first listed row after (forward) or from (backward) that image

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._anchor_id = current.data(ImageIdRole)
        if current.isValid() and current.data(ImageIdRole) != self._quiet_id:
            self.sig_activated.emit(current.data(ImageIdRole))

    # ------------------------------------------------------- surviving a reload
    def _remember_current(self) -> None:
        """Before a reset: the current image and its neighbours in view order (nearest first)."""
        self._before_reset = []
        index = self.view.currentIndex()
        if not index.isValid():
            return
        row, count = index.row(), self.model.rowCount()
        rows = [row]
        if not self._filtering:  # a filter that hides the image leaves no image current (the anchor stays)
            for n in range(1, NEIGHBOURS + 1):  # after it first: D goes on from there
                rows += [r for r in (row + n, row - n) if 0 <= r < count]
        for r in rows:
            listed = self.model.row(r)
            self._before_reset.append((listed.id, listed.file_state()))

    def _restore_current(self) -> None:
        """After a reset: the same image current again (or its nearest neighbour still listed), scrolled to.

        The image is not shown again when it is the same file: ``sig_activated`` is emitted only when the
        current image changed (it went away or was filtered out) or its file changed on disk.
        """
        remembered, self._before_reset = self._before_reset, []
        for image_id, state in remembered:
            row = self.model.row_of(image_id)
            if row is None:
                continue
            index = self.model.index(row)
            same = image_id == remembered[0][0] and self.model.row(row).file_state() == state
            self._quiet_id = image_id if same else -1
            try:
                self.view.setCurrentIndex(index)
            finally:
                self._quiet_id = -1
            self.view.scroll_to_later(index)
            return


class BrowserView(QListView):
    """The list view, able to scroll to a row the batched layout has not placed yet."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._pending_scroll = QPersistentModelIndex()
        for bar in (self.verticalScrollBar(), self.horizontalScrollBar()):  # the user scrolls: they lead
            bar.actionTriggered.connect(self._drop_pending_scroll)

    def _drop_pending_scroll(self, _action: int = 0) -> None:
        self._pending_scroll = QPersistentModelIndex()

    def scroll_to_later(self, index: QModelIndex) -> None:
        """Scroll to ``index`` now, and again once the layout has placed it (a reset lays out in batches)."""
        self._pending_scroll = QPersistentModelIndex(index)
        self.scrollTo(index)

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if self._pending_scroll.isValid():
            index = self.model().index(self._pending_scroll.row(), 0)
            if self.visualRect(index).isValid():
                self._pending_scroll = QPersistentModelIndex()
                self.scrollTo(index)
