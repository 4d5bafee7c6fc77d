"""The Dataset map dock: every image with features as a point, look-alikes near each other (core/dataset_map.py).

Points are coloured by class, split or status with a legend; a click opens the image under the pointer, a drag draws
a lasso and lists the images inside it in the browser (its "map selection" filter, cleared there), and hovering shows
the image's thumbnail and name. The places are computed in the background (reading 100,000 feature rows takes a few
seconds); the picture is drawn with NumPy into one image, so 100,000 points redraw in milliseconds.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, Qt, Signal
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
    PALETTE,
    DatasetMap,
    MapError,
    colours_of,
    dataset_map,
    methods,
    render,
    to_map,
    to_pixels,
)
from ..core.store.store import Store
from .thumbnails import thumbnail_key
from .workers import JobRunner

#: Pixels around the map, the pointer's reach for a click or a hover, and the least drag that draws a lasso.
MARGIN = 14
REACH = 6
LASSO_MIN = 5


class MapCanvas(QWidget):
    """The points, the legend and the lasso being drawn. ``sig_clicked(image id)``, ``sig_lasso(ids)``,
    ``sig_hover(image id or -1, global position)``."""

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
        self.selected = np.zeros(0, bool)
        self._picture: QImage | None = None
        self._lasso: list[QPointF] = []

    def show_map(self, found: DatasetMap | None, names: list[str], categories: np.ndarray) -> None:
        self.map, self.names = found, names
        self.colours = colours_of(categories)
        if found is None or len(self.selected) != len(found.ids):
            self.selected = np.zeros(0 if found is None else len(found.ids), bool)
        self._redraw()

    def select(self, ids: list[int]) -> None:
        """Ring these images' points (those on the map)."""
        if self.map is not None:
            self.selected = np.isin(self.map.ids, np.array(ids, np.int64))
            self._redraw()

    def point_at(self, pos: QPointF) -> int | None:
        """The image whose point is within reach of ``pos`` (widget pixels), or None."""
        if self.map is None:
            return None
        x, y = to_map(pos.x(), pos.y(), self.width(), self.height(), MARGIN)
        reach = REACH / max(1.0, min(self.width(), self.height()) - 2.0 * MARGIN)
        return self.map.nearest(x, y, reach)

    def place_of(self, image_id: int) -> QPointF | None:
        """Where an image's point is drawn (widget pixels), or None when it is not on the map."""
        at = np.flatnonzero(self.map.ids == image_id) if self.map is not None else []
        if not len(at):
            return None
        k = int(at[0])
        px, py = to_pixels(self.map.xy[k:k + 1], self.width(), self.height(), MARGIN)
        return QPointF(float(px[0]), float(py[0]))

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
                          self.selected if self.selected.any() else None)
            self._picture = QImage(rgba.data, rgba.shape[1], rgba.shape[0], rgba.strides[0],
                                   QImage.Format_RGBA8888).copy()
        painter.drawImage(0, 0, self._picture)
        self._draw_legend(painter)
        if len(self._lasso) > 1:
            path = QPainterPath(self._lasso[0])
            for p in self._lasso[1:]:
                path.lineTo(p)
            path.closeSubpath()
            painter.setPen(QPen(QColor(40, 40, 40), 1, Qt.DashLine))
            painter.setBrush(QColor(0, 114, 178, 40))
            painter.drawPath(path)

    def _draw_legend(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        line = metrics.height() + 2
        shown = self.names[:len(PALETTE)]
        if shown:  # a pale card under the legend: points never hide it
            width = 30 + max(metrics.horizontalAdvance(metrics.elidedText(n, Qt.ElideRight, 160)) for n in shown)
            painter.fillRect(QRect(4, 4, width, 6 + line * len(shown)), QColor(255, 255, 255, 215))
        for k, name in enumerate(shown):
            top = 6 + k * line
            painter.fillRect(QRect(8, top + 3, 10, 10), QColor(*PALETTE[k]))
            painter.setPen(QColor(30, 30, 30))
            painter.drawText(24, top + metrics.ascent(), metrics.elidedText(name, Qt.ElideRight, 160))

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
            polygon = np.array([to_map(p.x(), p.y(), self.width(), self.height(), MARGIN) for p in points])
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
                           (self.tr("Colour by status"), "status")):
            self.colour_box.addItem(title, key)
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
        self.canvas.sig_clicked.connect(self.sig_open)
        self.canvas.sig_lasso.connect(self._lassoed)
        self.canvas.sig_hover.connect(self._hover)
        self.preview = QLabel(self, Qt.ToolTip)
        self.preview.setFrameShape(QFrame.Box)
        self.preview.setAlignment(Qt.AlignCenter)
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
        if isinstance(found, str):
            self.found = None
            self.canvas.show_map(None, [], np.zeros(0, np.int32))
            self._say(self.tr("No image has features yet: they are computed after an import (the status bar "
                              "shows their progress); then press Refresh."))
            return
        self.found = found
        self.recolour()

    def recolour(self) -> None:
        """Colour the points by the chosen attribute, as the images are now (classes edited since count)."""
        if self.found is None:
            return
        current = {img.id: img for img in self.store.images()}
        self.found.records.update({i: current[i] for i in self.found.records if i in current})
        names, categories = self.found.categories(self.colour_box.currentData())
        self.canvas.show_map(self.found, names, categories)
        text = self.tr("{0} images placed ({1})").format(len(self.found.ids), self.method_box.currentText())
        if self.found.without_features:
            text += self.tr("; {0} without features yet").format(self.found.without_features)
        self._say(text + self.tr(". Click a point to open its image; drag around points to list them."))

    def _say(self, text: str) -> None:
        self.info.setText(text)

    def _lassoed(self, ids: list[int]) -> None:
        self.canvas.select(ids)
        self.sig_select.emit(ids)

    # ------------------------------------------------------------ preview
    def _hover(self, image_id: int, where: QPoint) -> None:
        self._hovered = image_id
        if image_id < 0 or self.found is None or image_id not in self.found.records:
            self.preview.hide()
            return
        img = self.found.records[image_id]
        self.preview.setText(img.path)
        self.preview.move(where + QPoint(16, 16))
        self.preview.show()
        if self.window.loader is not None and not img.missing:
            self.window.loader.request(img.id, self.store.abs_path(img), thumbnail_key(img.path, img.size, img.mtime))

    def _thumbnail_loaded(self, image_id: int, image: QImage) -> None:
        if image_id != self._hovered or image.isNull() or not self.preview.isVisible():
            return
        img = self.found.records.get(image_id) if self.found is not None else None
        self.preview.setPixmap(QPixmap.fromImage(image))
        self.preview.setToolTip(img.path if img else "")
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
        if visible and self.panel is None and self.window.store is not None:
            self.panel = DatasetMapPanel(self.window, self.dock)
            self.panel.sig_open.connect(self.window.browser.select_id)
            self.panel.sig_select.connect(self.window.browser.show_only)
            self.dock.setWidget(self.panel)
            self.panel.refresh()

    def project_opened(self) -> None:
        if self.dock.isVisible():
            self._visibility(True)

    def project_closed(self) -> None:
        if self.panel is not None:
            self.panel.stop()
            self.panel.deleteLater()
            self.panel = None
        self.dock.setWidget(QWidget(self.window))
