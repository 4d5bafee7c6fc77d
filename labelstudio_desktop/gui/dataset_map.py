"""The Dataset map dock: every image with features as a point, look-alikes near each other (core/dataset_map.py).

Points are coloured by class, split, status or the kind of likely mistake (the Likely mistakes list's rows, as they
are now) with a legend beside them (grey ones named too), the image open in the
window is marked with a ring; a click opens the image under the pointer, a drag draws
a lasso and lists the images inside it in the browser (its "map selection" filter, cleared there), and hovering shows
the image's thumbnail and name. The places are computed in the background (reading 100,000 feature rows takes a few
seconds); the picture is drawn with NumPy into one image, so 100,000 points redraw in milliseconds.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.dataset_map import (
    NONE_COLOUR,
    PALETTE,
    DatasetMap,
    MapError,
    colours_of,
    dataset_map,
    map_frame,
    methods,
    render,
    to_map,
    to_pixels,
)
from ..core.mistakes import MISTAKE_KINDS
from ..core.store.store import Store
from .thumbnails import thumbnail_key
from .workers import JobRunner

#: Pixels around the map, the pointer's reach for a click or a hover, and the least drag that draws a lasso.
MARGIN = 14
REACH = 6
LASSO_MIN = 5
# The widest the hover preview's name is shown (longer paths elided in the middle).
PREVIEW_TEXT = 260
# The size the dock opens at the first time it is shown when the window's layout gives it less (a tiny map is no
# use): at least this wide, and this share of its column's height.
DOCK_WIDTH = 420
DOCK_HEIGHT_SHARE = 0.6
# The widest a legend line's text is drawn (longer names are elided), and the colour of the open image's mark.
LEGEND_TEXT = 160
MARK_COLOUR = QColor(20, 20, 20)


class MapCanvas(QWidget):
    """The points, the legend beside them (never over them), the open image's mark and the lasso being drawn.
    ``sig_clicked(image id)``, ``sig_lasso(ids)``, ``sig_hover(image id or -1, global position)``."""

    sig_clicked = Signal(int)
    sig_lasso = Signal(list)
    sig_hover = Signal(int, QPoint)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(200, 200)
        self.map: DatasetMap | None = None
        self.colours = np.zeros((0, 3), np.uint8)
        self.names: list[str] = []
        self.none_name = ""  # the legend's name of the grey points (no value), shown when there are some
        self.has_none = False
        self.open_name = ""  # the legend's name of the open image's mark
        self.current_id = -1  # the image open in the window: marked on the map
        self.selected = np.zeros(0, bool)
        self._picture: QImage | None = None
        self._lasso: list[QPointF] = []

    def show_map(self, found: DatasetMap | None, names: list[str], categories: np.ndarray,
                 none_name: str = "") -> None:
        self.map, self.names, self.none_name = found, names, none_name
        self.colours = colours_of(categories)
        self.has_none = bool((np.asarray(categories) < 0).any())
        if found is None or len(self.selected) != len(found.ids):
            self.selected = np.zeros(0 if found is None else len(found.ids), bool)
        self._redraw()

    def select(self, ids: list[int]) -> None:
        """Ring these images' points (those on the map); none for an empty list."""
        if self.map is not None:
            self.selected = np.isin(self.map.ids, np.array(ids, np.int64))
            self._redraw()

    def mark_current(self, image_id: int) -> None:
        """Mark the point of the image open in the window (-1: none)."""
        if image_id != self.current_id:
            self.current_id = image_id
            self.update()

    def point_at(self, pos: QPointF) -> int | None:
        """The image whose point is within reach of ``pos`` (widget pixels), or None."""
        if self.map is None:
            return None
        x, y = to_map(pos.x(), pos.y(), self.width(), self.height(), MARGIN, self.inset())
        side = map_frame(self.width(), self.height(), MARGIN, self.inset())[0]
        return self.map.nearest(x, y, REACH / side)

    def place_of(self, image_id: int) -> QPointF | None:
        """Where an image's point is drawn (widget pixels), or None when it is not on the map."""
        at = np.flatnonzero(self.map.ids == image_id) if self.map is not None else []
        if not len(at):
            return None
        k = int(at[0])
        px, py = to_pixels(self.map.xy[k:k + 1], self.width(), self.height(), MARGIN, self.inset())
        return QPointF(float(px[0]), float(py[0]))

    # -------------------------------------------------------------- legend
    def legend(self) -> list[tuple[str, tuple[int, int, int] | None]]:
        """The legend's lines: each category's name and colour, the grey points' name, the open image's mark
        (colour None)."""
        if self.map is None or not len(self.map.ids):
            return []
        lines = [(name, PALETTE[k]) for k, name in enumerate(self.names[:len(PALETTE)])]
        if self.has_none:
            lines.append((self.none_name, NONE_COLOUR))
        if self.open_name:
            lines.append((self.open_name, None))
        return lines

    def legend_rect(self) -> QRect:
        """Where the legend's card is drawn (an empty rectangle when there is no legend)."""
        lines = self.legend()
        if not lines:
            return QRect()
        metrics = self.fontMetrics()
        width = 30 + max(metrics.horizontalAdvance(metrics.elidedText(n, Qt.ElideRight, LEGEND_TEXT)) for n, _ in lines)
        return QRect(4, 4, width, 6 + (metrics.height() + 2) * len(lines))

    def inset(self) -> tuple[int, int]:
        """The pixels kept free of points for the legend: on its left or above it, whichever leaves the map more
        room."""
        card = self.legend_rect()
        if card.isEmpty():
            return 0, 0
        beside, above = (card.right() + 1, 0), (0, card.bottom() + 1)
        w, h = self.width(), self.height()
        return beside if map_frame(w, h, MARGIN, beside)[0] >= map_frame(w, h, MARGIN, above)[0] else above

    # ------------------------------------------------------------- drawing
    def _redraw(self) -> None:
        self._picture = None
        self.update()

    def resizeEvent(self, event) -> None:
        self._picture = None
        super().resizeEvent(event)

    def _point_size(self) -> int:
        n = 0 if self.map is None else len(self.map.ids)
        return 3 if n > 20_000 else 5 if n < 2_000 else 4

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        if self._picture is None:
            xy = self.map.xy if self.map is not None else np.zeros((0, 2), np.float32)
            rgba = render(xy, self.colours, self.width(), self.height(), self._point_size(), MARGIN,
                          self.selected if self.selected.any() else None, inset=self.inset())
            self._picture = QImage(rgba.data, rgba.shape[1], rgba.shape[0], rgba.strides[0],
                                   QImage.Format_RGBA8888).copy()
        painter.drawImage(0, 0, self._picture)
        current = self.place_of(self.current_id) if self.current_id >= 0 else None
        if current is not None:
            self._draw_mark(painter, current, self._point_size() + 4)
        self._draw_legend(painter)
        if len(self._lasso) > 1:
            path = QPainterPath(self._lasso[0])
            for p in self._lasso[1:]:
                path.lineTo(p)
            path.closeSubpath()
            painter.setPen(QPen(QColor(40, 40, 40), 1, Qt.DashLine))
            painter.setBrush(QColor(0, 114, 178, 40))
            painter.drawPath(path)

    @staticmethod
    def _draw_mark(painter: QPainter, at: QPointF, radius: float) -> None:
        """The open image's mark: a ring with ticks outside it, dark on a white halo, so it shows on any colour."""
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setBrush(Qt.NoBrush)
        tick = max(3.0, 0.6 * radius)
        ticks = [(QPointF(radius, 0), QPointF(radius + tick, 0)), (QPointF(-radius, 0), QPointF(-radius - tick, 0)),
                 (QPointF(0, radius), QPointF(0, radius + tick)), (QPointF(0, -radius), QPointF(0, -radius - tick))]
        for colour, width in ((QColor(255, 255, 255), 4.5), (MARK_COLOUR, 2.0)):
            painter.setPen(QPen(colour, width))
            painter.drawEllipse(at, radius, radius)
            for a, b in ticks:
                painter.drawLine(at + a, at + b)
        painter.restore()

    def _draw_legend(self, painter: QPainter) -> None:
        lines = self.legend()
        if not lines:
            return
        metrics = painter.fontMetrics()
        line = metrics.height() + 2
        painter.fillRect(self.legend_rect(), QColor(255, 255, 255, 230))
        for k, (name, colour) in enumerate(lines):
            top = 6 + k * line
            if colour is None:
                self._draw_mark(painter, QPointF(13, top + 8), 3.5)
            else:
                painter.fillRect(QRect(8, top + 3, 10, 10), QColor(*colour))
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(24, top + metrics.ascent(), metrics.elidedText(name, Qt.ElideRight, LEGEND_TEXT))

    # ---------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.LeftButton:
            self._lasso = [event.position()]
            self.sig_hover.emit(-1, QPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.LeftButton and self._lasso:
            self._lasso.append(event.position())
            self.update()
            return
        found = self.point_at(event.position())
        self.sig_hover.emit(-1 if found is None else found, event.globalPosition().toPoint())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.LeftButton or not self._lasso:
            return
        points, self._lasso = [*self._lasso, event.position()], []
        self.update()
        xs, ys = [p.x() for p in points], [p.y() for p in points]
        if max(xs) - min(xs) < LASSO_MIN and max(ys) - min(ys) < LASSO_MIN:
            found = self.point_at(event.position())
            if found is not None:
                self.sig_clicked.emit(found)
            return
        if self.map is not None:
            inset = self.inset()
            polygon = np.array([to_map(p.x(), p.y(), self.width(), self.height(), MARGIN, inset) for p in points])
            self.sig_lasso.emit(self.map.inside(polygon))

    def leaveEvent(self, event) -> None:
        self.sig_hover.emit(-1, QPoint())
        super().leaveEvent(event)


class DatasetMapPanel(QWidget):
    """The map with its choices (colour by, projection), a Refresh button, a line saying what is on it, and the
    hover preview. ``sig_open(image id)``, ``sig_select(ids)``."""

    sig_open = Signal(int)
    sig_select = Signal(list)

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.window = window
        self.found: DatasetMap | None = None
        self.runner = JobRunner(self)
        self.runner.sig_done.connect(lambda _title, found: self._placed(found))
        self.runner.sig_failed.connect(lambda _title, message: self._say(message))
        self.colour_box = QComboBox(self)
        for title, key in ((self.tr("Colour by class"), "label"), (self.tr("Colour by split"), "split"),
                           (self.tr("Colour by status"), "status"), (self.tr("Colour by likely mistake"), "mistake")):
            self.colour_box.addItem(title, key)
        self.colour_box.setItemData(self.colour_box.findData("mistake"), self.tr(
            "The kind of each image's most doubted row in the Likely mistakes list (Review > Find likely mistakes)"),
            Qt.ToolTipRole)
        self.colour_box.currentIndexChanged.connect(lambda _: self.recolour())
        self.method_box = QComboBox(self)
        titles = {"pca": self.tr("PCA"), "umap": self.tr("UMAP"), "tsne": self.tr("t-SNE")}
        for method in methods():
            self.method_box.addItem(titles[method], method)
        self.method_box.setToolTip(self.tr("How the features are placed in two dimensions (UMAP and t-SNE where "
                                           "their package is installed)"))
        self.method_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setToolTip(self.tr("Place the images again (after an import, or when features were "
                                               "computed since)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        self.canvas = MapCanvas(self)
        self.canvas.open_name = self.tr("open image")
        self.canvas.sig_clicked.connect(self.sig_open)
        self.canvas.sig_lasso.connect(self._lassoed)
        self.canvas.sig_hover.connect(self._hover)
        # the hover preview: the thumbnail with the image's name under it (a tooltip window: the pointer stays on the
        # map, so the name is on it, not in a tooltip of its own nobody can reach)
        self.preview = QFrame(self, Qt.ToolTip)
        self.preview.setFrameShape(QFrame.Box)
        self.preview.setAutoFillBackground(True)
        self.preview_image = QLabel(self.preview)
        self.preview_image.setAlignment(Qt.AlignCenter)
        self.preview_name = QLabel(self.preview)
        self.preview_name.setAlignment(Qt.AlignCenter)
        box = QVBoxLayout(self.preview)
        box.setContentsMargins(4, 4, 4, 4)
        box.setSpacing(2)
        box.addWidget(self.preview_image)
        box.addWidget(self.preview_name)
        self._hovered = -1
        row = QHBoxLayout()
        row.addWidget(self.colour_box, 1)
        row.addWidget(self.method_box)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(row)
        layout.addWidget(self.info)
        layout.addWidget(self.canvas, 1)
        if window.loader is not None:
            window.loader.sig_loaded.connect(self._thumbnail_loaded)

    @property
    def store(self) -> Store:
        return self.window.store

    def refresh(self) -> None:
        """Place the project's images again, in the background."""
        if self.runner.busy():
            return
        db, method = str(self.store.db_path), self.method_box.currentData()

        def job(_token):
            with Store.open(db) as store:
                try:
                    return dataset_map(store, method)
                except MapError as exc:
                    return str(exc)

        self._say(self.tr("Placing the images…"))
        self.runner.start(self.tr("Dataset map"), job)

    def _placed(self, found) -> None:
        computing = False
        if isinstance(found, str) or found.without_features:
            # the features an import left undone (a cancelled run, files changed since): computed now, and the map
            # placed again when they are (DatasetMapDock._features_computed)
            computing = self.window.features.start() or self.window.features.runner.busy()
        if isinstance(found, str):
            self.found = None
            self.canvas.show_map(None, [], np.zeros(0, np.int32))
            self._say(self.tr("No image has features yet: they are being computed (the status bar shows their "
                              "progress), and the map fills in when they are done.") if computing else
                      self.tr("No image has features yet: they are computed after an import (the status bar "
                              "shows their progress); then press Refresh."))
            return
        self.found = found
        self.recolour()

    def recolour(self) -> None:
        """Colour the points by the chosen attribute, as the images are now (classes edited since count), or by the
        Likely mistakes list's rows as they are now."""
        if self.found is None:
            return
        by = self.colour_box.currentData()
        flagged = self.window.mistakes.flagged() if by == "mistake" else None
        if by != "mistake":  # an image's attribute: as it is now (the list's rows are current already)
            records = self.found.records
            records.update({img.id: img for img in self.store.each_image() if img.id in records})
        names, categories = self.found.categories(by, flagged)
        if by == "mistake":
            kinds = dict(zip(MISTAKE_KINDS, (self.tr("image class"), self.tr("box class"), self.tr("missing box"),
                                             self.tr("misplaced box")), strict=True))
            names = [kinds[name] for name in names]
            none_name = self.tr("not listed") if flagged is not None else self.tr("not judged yet")
        else:
            none_name = {"label": self.tr("no class"), "split": self.tr("no split")}.get(by, self.tr("unknown"))
        self.canvas.show_map(self.found, names, categories, none_name)
        text = self.tr("{0} images placed ({1})").format(len(self.found.ids), self.method_box.currentText())
        if self.found.without_features:
            text += self.tr("; {0} without features yet").format(self.found.without_features)
        if by == "mistake" and flagged is None:
            text += self.tr("; no likely mistakes found yet: Review > Find likely mistakes")
        self._say(text + self.tr(". Click a point to open its image; drag around points to list them."))

    def _say(self, text: str) -> None:
        self.info.setText(text)

    def _lassoed(self, ids: list[int]) -> None:
        self.canvas.select(ids)
        self.sig_select.emit(ids)

    def browser_lists(self, ids) -> None:
        """The browser lists these images alone (None: every image again): the lasso's rings stay only while it
        lists the lasso's images."""
        if self.canvas.map is None or not self.canvas.selected.any():
            return
        ringed = set(self.canvas.map.ids[self.canvas.selected].tolist())
        if ids is None or set(ids) != ringed:
            self.canvas.select([])

    def mark_current(self, image_id: int) -> None:
        """Mark the image the window shows (-1: none)."""
        self.canvas.mark_current(image_id)

    # ------------------------------------------------------------ preview
    def _hover(self, image_id: int, where: QPoint) -> None:
        self._hovered = image_id
        if image_id < 0 or self.found is None or image_id not in self.found.records:
            self.preview.hide()
            return
        img = self.found.records[image_id]
        self.preview_name.setText(self.preview_name.fontMetrics().elidedText(img.path, Qt.ElideMiddle, PREVIEW_TEXT))
        self.preview_name.setToolTip(img.path)
        self.preview_image.clear()
        self.preview_image.setVisible(False)
        self.preview.adjustSize()
        self.preview.move(where + QPoint(16, 16))
        self.preview.show()
        if self.window.loader is not None and not img.missing:
            self.window.loader.request(img.id, self.store.abs_path(img), thumbnail_key(img.path, img.size, img.mtime))

    def _thumbnail_loaded(self, image_id: int, image: QImage) -> None:
        if image_id != self._hovered or image.isNull() or not self.preview.isVisible():
            return
        self.preview_image.setPixmap(QPixmap.fromImage(image))
        self.preview_image.setVisible(True)
        self.preview.adjustSize()

    def stop(self) -> None:
        self.preview.hide()
        self.runner.stop()


class DatasetMapDock(QWidget):
    """Owns the window's Dataset map dock: made empty with the window, filled when shown on an open project."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel: DatasetMapPanel | None = None
        self._sized = False  # given a usable size once (see _first_size)
        self.dock = QDockWidget(self.tr("Dataset map"), window)
        self.dock.setObjectName("dock-map")
        self.dock.setWidget(QWidget(window))
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.visibilityChanged.connect(self._visibility)
        self.action = self.dock.toggleViewAction()
        self.action.setText(self.tr("Dataset &map"))
        self.action.setShortcut(Qt.CTRL | Qt.Key_M)
        self.action.setToolTip(self.tr("Every image as a point, look-alikes near each other"))
        window.features.runner.sig_done.connect(self._features_computed)

    def _features_computed(self, _title: str, report) -> None:
        if self.panel is not None and isinstance(report, dict) and report.get("done"):
            self.panel.refresh()

    def _visibility(self, visible: bool) -> None:
        if visible and not self._sized:
            self._sized = True
            QTimer.singleShot(0, self, self._first_size)  # once the layout has placed the dock
        if visible and self.panel is None and self.window.store is not None:
            self.panel = DatasetMapPanel(self.window, self.dock)
            browser = self.window.browser
            self.panel.sig_open.connect(browser.select_id)
            self.panel.sig_select.connect(browser.show_only)
            browser.sig_activated.connect(self.panel.mark_current)
            browser.sig_listed.connect(self.panel.browser_lists)
            shown = self.window.annotation.image if self.window.annotation is not None else None
            self.panel.mark_current(shown.id if shown is not None else -1)
            self.dock.setWidget(self.panel)
            self.panel.refresh()

    def _first_size(self) -> None:
        """The first time the dock is shown docked, a usable size when the layout gives it a sliver (the window's
        default layout puts it under the Image and objects dock, 300 pixels wide); a size the user gave it (a
        layout restored from the last session) is kept."""
        if self.dock.isFloating():
            return
        column = self.window.centralWidget().height()  # a side dock area's height, without top or bottom docks
        height = int(column * DOCK_HEIGHT_SHARE)
        if self.dock.width() < DOCK_WIDTH:
            self.window.resizeDocks([self.dock], [DOCK_WIDTH], Qt.Horizontal)
        if self.dock.height() < height:
            self.window.resizeDocks([self.dock], [height], Qt.Vertical)

    def project_opened(self) -> None:
        if self.dock.isVisible():
            self._visibility(True)

    def mistakes_changed(self) -> None:
        """The Likely mistakes list changed: points coloured by it are coloured again."""
        if self.panel is not None and self.panel.colour_box.currentData() == "mistake":
            self.panel.recolour()

    def project_closed(self) -> None:
        if self.panel is not None:
            self.panel.stop()
            self.panel.deleteLater()
            self.panel = None
        self.dock.setWidget(QWidget(self.window))
