"""The annotation canvas: zoom, pan, crosshair, drawing and precise editing of boxes; a mask tool (``tool``,
gui/mask_tools.py) takes the mouse while one is active.

Boxes are integer pixel edges ``[x0, x1) x [y0, y1)`` of the image. Handles are hit-tested in screen
pixels, so their grab radius is the same at every zoom. The canvas never edits the store: it emits
``sig_box_drawn`` / ``sig_box_changed`` and the window turns them into undoable commands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from ..core.store.store import BoxRecord

HANDLE_RADIUS_PX = 7.0
HANDLE_SIZE_PX = HANDLE_RADIUS_PX * 0.8  # the drawn handle squares
MIN_DRAW_PX = 5  # a new box must be at least this many screen pixels wide and high
MIN_SCALE, MAX_SCALE = 0.02, 64.0
CORNERS = {"tl": ("x0", "y0"), "tr": ("x1", "y0"), "bl": ("x0", "y1"), "br": ("x1", "y1")}
EDGES = {"l": "x0", "r": "x1", "t": "y0", "b": "y1"}
CURSORS = {"tl": Qt.SizeFDiagCursor, "br": Qt.SizeFDiagCursor, "tr": Qt.SizeBDiagCursor,
           "bl": Qt.SizeBDiagCursor, "l": Qt.SizeHorCursor, "r": Qt.SizeHorCursor, "t": Qt.SizeVerCursor,
           "b": Qt.SizeVerCursor, "move": Qt.SizeAllCursor}


def label_color(label: str) -> QColor:
    """A stable, distinct colour per label."""
    h = 0
    for ch in label:
        h = (h * 31 + ord(ch)) & 0xFFFFFFFF
    return QColor.fromHsv(int((h * 0.618033988749895 * 360) % 360), 200, 255)


@dataclass
class Drag:
    kind: str  # "draw", "edit", "pan"
    press: QPointF  # widget position of the press
    box_id: int = -1
    handle: str = ""
    start: tuple[int, int, int, int] = (0, 0, 0, 0)
    current: tuple[int, int, int, int] = (0, 0, 0, 0)
    offset0: QPointF | None = None


class Canvas(QWidget):
    sig_box_drawn = Signal(int, int, int, int)
    sig_box_changed = Signal(int, int, int, int, int)  # box id, x0, y0, x1, y1: one mouse gesture
    sig_box_nudged = Signal(int, int, int, int, int)  # the same, by one arrow key press
    sig_selection_changed = Signal(int)  # box id or -1
    sig_cursor = Signal(int, int)  # image pixel under the mouse, (-1, -1) outside
    sig_zoom_changed = Signal(float)
    sig_view_changed = Signal(float, QPointF)  # scale and offset, after any zoom or pan
    sig_space_tapped = Signal(bool)  # Space pressed and released without panning; True with Shift held

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMinimumSize(200, 150)
        self.setAttribute(Qt.WA_OpaquePaintEvent)
        self.image: QImage | None = None
        self.boxes: list[BoxRecord] = []
        self.selected: int = -1
        self.scale = 1.0
        self.offset = QPointF(0, 0)
        self.draw_mode = False
        self.boxes_visible = True
        self.rejected_visible = False  # rejected proposals are hidden unless asked for
        self.overlay: QImage | None = None
        self.overlay_visible = False  # the Grad-CAM heatmap is on
        self.mask_mode = False  # a mask overlay is shown (independent of the heatmap toggle)
        self.overlay_opacity = 0.45
        self._drag: Drag | None = None
        self._new_box: tuple[int, int, int, int] | None = None  # drawn, waiting for its label
        self._mouse: QPointF | None = None
        self._space = False
        self._space_panned = False
        self._fit_pending = True
        self.tool = None  # the active mask tool (a MaskTool), or None: boxes

    # ----------------------------------------------------------------- content
    def set_image(self, image: QImage | None, boxes: list[BoxRecord], keep_view: bool = False) -> None:
        self.image = image
        self.boxes = list(boxes)
        self.selected = -1
        self._drag = None
        if not keep_view:
            self._fit_pending = True
            self.fit()
        self.update()
        self.sig_selection_changed.emit(-1)

    def set_overlay(self, overlay: QImage | None) -> None:
        """A heatmap (or mask) drawn over the image at ``overlay_opacity``."""
        self.overlay = overlay
        self.update()

    def set_boxes(self, boxes: list[BoxRecord]) -> None:
        """Replace the boxes, keeping view and selection (when the selected box still exists)."""
        self.boxes = list(boxes)
        if self.selected not in {b.id for b in self.boxes}:
            self.select(-1)
        self.update()

    def select(self, box_id: int) -> None:
        if box_id != self.selected:
            self.selected = box_id
            self.sig_selection_changed.emit(box_id)
            self.update()

    def selected_box(self) -> BoxRecord | None:
        return next((b for b in self.boxes if b.id == self.selected), None)

    # ---------------------------------------------------------------- geometry
    @property
    def image_size(self) -> tuple[int, int]:
        return (self.image.width(), self.image.height()) if self.image is not None else (0, 0)

    def to_widget(self, x: float, y: float) -> QPointF:
        return QPointF(self.offset.x() + x * self.scale, self.offset.y() + y * self.scale)

    def to_image(self, p: QPointF) -> tuple[float, float]:
        return ((p.x() - self.offset.x()) / self.scale, (p.y() - self.offset.y()) / self.scale)

    def _edge(self, value: float, limit: int) -> int:
        return int(min(limit, max(0, round(value))))

    def fit(self) -> None:
        w, h = self.image_size
        if not w or self.width() < 2:
            return
        self.scale = max(MIN_SCALE, min(self.width() / w, self.height() / h) * 0.98)
        self.offset = QPointF((self.width() - w * self.scale) / 2, (self.height() - h * self.scale) / 2)
        self._fit_pending = True  # stays fitted through window resizes until the user zooms or pans
        self._view_changed()

    def zoom_to(self, scale: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under ``anchor`` (default: the centre) where it is."""
        anchor = anchor if anchor is not None else QPointF(self.width() / 2, self.height() / 2)
        ix, iy = self.to_image(anchor)
        self.scale = min(MAX_SCALE, max(MIN_SCALE, scale))
        self.offset = QPointF(anchor.x() - ix * self.scale, anchor.y() - iy * self.scale)
        self._fit_pending = False
        self._view_changed()

    def _view_changed(self) -> None:
        self.sig_zoom_changed.emit(self.scale)
        self.sig_view_changed.emit(self.scale, QPointF(self.offset))
        self.update()

    def set_view(self, scale: float, offset: QPointF) -> None:
        """Show the same view as another canvas (synchronised zoom and pan); emits nothing."""
        if (scale, offset) != (self.scale, self.offset):
            self.scale, self.offset = scale, QPointF(offset)
            self._fit_pending = False
            self.update()

    def resizeEvent(self, event) -> None:
        if self._fit_pending:
            self.fit()
        super().resizeEvent(event)

    # ----------------------------------------------------------------- hit test
    def _handle_distances(self, box: BoxRecord, pos: QPointF) -> list[tuple[int, float, str]]:
        """(priority, screen distance, handle) of every handle of ``box`` within the grab radius.

        A corner owns the square of half-side ``HANDLE_RADIUS_PX`` around it (its drawn handle and more) and wins
        over the edges there (priority 0); on a box small on screen the corner squares shrink to a third of its
        sides (never below the drawn handle), so the middle of every edge stays an edge."""
        r = HANDLE_RADIUS_PX
        tl, br = self.to_widget(box.x0, box.y0), self.to_widget(box.x1, box.y1)
        xs = {"x0": tl.x(), "x1": br.x()}
        ys = {"y0": tl.y(), "y1": br.y()}
        reach_x = max(HANDLE_SIZE_PX / 2, min(r, (br.x() - tl.x()) / 3))
        reach_y = max(HANDLE_SIZE_PX / 2, min(r, (br.y() - tl.y()) / 3))
        found = []
        for name, (xk, yk) in CORNERS.items():
            dx, dy = abs(pos.x() - xs[xk]), abs(pos.y() - ys[yk])
            if dx <= reach_x and dy <= reach_y:
                found.append((0, math.hypot(dx, dy), name))
        within_y = ys["y0"] - r <= pos.y() <= ys["y1"] + r
        within_x = xs["x0"] - r <= pos.x() <= xs["x1"] + r
        for name, key in EDGES.items():
            d = abs(pos.x() - xs[key]) if key in xs else abs(pos.y() - ys[key])
            if d <= r and (within_y if key in xs else within_x):
                found.append((1, d, name))
        return found

    def hit(self, pos: QPointF) -> tuple[int, str]:
        """(box id, handle) under a widget position: a corner, else the nearest edge within the grab radius (the
        selected box first), else the interior of the smallest box containing the point."""
        selected = self.selected_box()
        if selected is not None and self.boxes_visible:
            found = self._handle_distances(selected, pos)
            if found:
                return selected.id, min(found)[2]
        best = min(((prio, d, box.id, name) for box in self.visible_boxes() for prio, d, name in
                    self._handle_distances(box, pos)), default=None)
        if best is not None:
            return best[2], best[3]
        ix, iy = self.to_image(pos)
        inside = [b for b in self.visible_boxes() if b.x0 <= ix <= b.x1 and b.y0 <= iy <= b.y1]
        if inside:
            return min(inside, key=lambda b: (b.x1 - b.x0) * (b.y1 - b.y0)).id, "move"
        return -1, ""

    def visible_boxes(self) -> list[BoxRecord]:
        """The boxes drawn (and so clickable): rejected proposals only when asked for."""
        if not self.boxes_visible:
            return []
        return [b for b in self.boxes if b.state != "rejected" or self.rejected_visible or b.id == self.selected]

    # ------------------------------------------------------------------- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if event.button() == Qt.MiddleButton or (event.button() == Qt.LeftButton and self._space):
            self._drag = Drag("pan", pos, offset0=QPointF(self.offset))
            self._space_panned = self._space
            self.setCursor(Qt.ClosedHandCursor)
            return
        if self.tool is not None and self.image is not None:
            self.tool.press(event)
            return
        if event.button() != Qt.LeftButton or self.image is None:
            return
        box_id, handle = (-1, "") if self.draw_mode else self.hit(pos)
        if box_id >= 0:
            self.select(box_id)
            box = self.selected_box()
            self._drag = Drag("edit", pos, box_id, handle, box.edges, box.edges)
            return
        self.select(-1)
        w, h = self.image_size
        ix, iy = self.to_image(pos)
        x, y = self._edge(ix, w), self._edge(iy, h)
        self._drag = Drag("draw", pos, start=(x, y, x, y), current=(x, y, x, y))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        self._mouse = pos
        ix, iy = self.to_image(pos)
        w, h = self.image_size
        inside = 0 <= ix < w and 0 <= iy < h
        self.sig_cursor.emit(int(ix) if inside else -1, int(iy) if inside else -1)
        drag = self._drag
        if self.tool is not None and drag is None:  # the tool repaints only what it changed
            self.tool.move(event)
            return
        if drag is None:
            _, handle = self.hit(pos) if not self.draw_mode else (-1, "")
            self.setCursor(CURSORS.get(handle, Qt.CrossCursor if self.draw_mode or not handle else Qt.ArrowCursor))
        elif drag.kind == "pan":
            self.offset = drag.offset0 + (pos - drag.press)
            self._fit_pending = False
            self.sig_view_changed.emit(self.scale, self.offset)
        elif drag.kind == "draw":
            x0, y0 = drag.start[:2]
            x, y = self._edge(ix, w), self._edge(iy, h)
            drag.current = (min(x0, x), min(y0, y), max(x0, x), max(y0, y))
        elif drag.kind == "edit":
            drag.current = self._dragged_edges(drag, pos)
        self.update()

    def _dragged_edges(self, drag: Drag, pos: QPointF) -> tuple[int, int, int, int]:
        w, h = self.image_size
        x0, y0, x1, y1 = drag.start
        dx = round((pos.x() - drag.press.x()) / self.scale)
        dy = round((pos.y() - drag.press.y()) / self.scale)
        if drag.handle == "move":
            dx = min(max(dx, -x0), w - x1)
            dy = min(max(dy, -y0), h - y1)
            return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)
        e = {"x0": x0, "y0": y0, "x1": x1, "y1": y1}
        keys = CORNERS.get(drag.handle) or (EDGES[drag.handle],)
        for key in keys:
            if key.startswith("x"):
                e[key] = min(w, max(0, e[key] + dx))
            else:
                e[key] = min(h, max(0, e[key] + dy))
        # an edge dragged past its opposite stops one pixel short of it
        if "x0" in keys:
            e["x0"] = min(e["x0"], x1 - 1)
        if "x1" in keys:
            e["x1"] = max(e["x1"], x0 + 1)
        if "y0" in keys:
            e["y0"] = min(e["y0"], y1 - 1)
        if "y1" in keys:
            e["y1"] = max(e["y1"], y0 + 1)
        return (e["x0"], e["y0"], e["x1"], e["y1"])

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None:
            if self.tool is not None:
                self.tool.release(event)
            return
        if self.tool is not None:
            self.setCursor(Qt.CrossCursor)
        else:
            self.unsetCursor()
        if drag.kind == "draw":
            x0, y0, x1, y1 = drag.current
            # the smallest box is measured on screen: a shaky click at a low zoom draws nothing
            if x0 < x1 and y0 < y1 and min(x1 - x0, y1 - y0) * self.scale >= MIN_DRAW_PX:
                self._new_box = drag.current  # stays drawn while its label is asked for
                self.update()
                try:
                    self.sig_box_drawn.emit(x0, y0, x1, y1)
                finally:
                    self._new_box = None
        elif drag.kind == "edit" and drag.current != drag.start:
            box = self.selected_box()
            if box is not None:  # show the result at once; the store confirms through set_boxes
                box.x0, box.y0, box.x1, box.y1 = drag.current
            self.sig_box_changed.emit(drag.box_id, *drag.current)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.tool is not None:
            self.tool.double_click(event)
        else:
            super().mouseDoubleClickEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.zoom_to(self.scale * (1.25 ** steps), event.position())

    def leaveEvent(self, event) -> None:
        if self.tool is not None:
            self.tool.leave()
        self._mouse = None
        self.sig_cursor.emit(-1, -1)
        self.update()

    # --------------------------------------------------------------------- keys
    def event(self, event: QEvent) -> bool:
        # a key the mask tool wants (Enter closing a polygon) goes to it, not to the window's shortcut
        if event.type() == QEvent.ShortcutOverride and self.tool is not None and self.tool.wants_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.tool is not None and self.tool.key(event):
            return
        if event.key() == Qt.Key_Space:
            if not event.isAutoRepeat():
                self._space, self._space_panned = True, False
            return
        box = self.selected_box()
        arrows = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, -1), Qt.Key_Down: (0, 1)}
        if box is not None and event.key() in arrows:
            dx, dy = arrows[event.key()]
            edges = self.nudged(box, dx, dy, event.modifiers())
            if edges != box.edges:
                box.x0, box.y0, box.x1, box.y1 = edges
                self.sig_box_nudged.emit(box.id, *edges)
                self.update()
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key_Space:
            if not event.isAutoRepeat():
                self._space = False
                if not self._space_panned:
                    self.sig_space_tapped.emit(bool(event.modifiers() & Qt.ShiftModifier))
            return
        super().keyReleaseEvent(event)

    def nudged(self, box: BoxRecord, dx: int, dy: int, modifiers) -> tuple[int, int, int, int]:
        """Arrow: move 1 px; Shift+arrow: move the right/bottom edge; Alt+arrow: move the left/top edge."""
        w, h = self.image_size
        x0, y0, x1, y1 = box.edges
        if modifiers & Qt.ShiftModifier:
            x1 = min(w, max(x0 + 1, x1 + dx))
            y1 = min(h, max(y0 + 1, y1 + dy))
        elif modifiers & Qt.AltModifier:
            x0 = max(0, min(x1 - 1, x0 + dx))
            y0 = max(0, min(y1 - 1, y0 + dy))
        else:
            dx = min(max(dx, -x0), w - x1)
            dy = min(max(dy, -y0), h - y1)
            x0, x1, y0, y1 = x0 + dx, x1 + dx, y0 + dy, y1 + dy
        return (x0, y0, x1, y1)

    # -------------------------------------------------------------------- paint
    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(48, 48, 52))
        if self.image is None:
            p.setPen(QColor(200, 200, 200))
            p.drawText(self.rect(), Qt.AlignCenter, self.tr("No image"))
            return
        w, h = self.image_size
        target = QRectF(self.offset.x(), self.offset.y(), w * self.scale, h * self.scale)
        p.setRenderHint(QPainter.SmoothPixmapTransform, self.scale < 1.0)
        p.drawImage(target, self.image)
        if self.overlay is not None and (self.overlay_visible or self.mask_mode):
            p.setOpacity(self.overlay_opacity)
            p.drawImage(target, self.overlay)
            p.setOpacity(1.0)
        placed: list[QRectF] = []
        for box in self.visible_boxes():
            self._paint_box(p, box, placed)
        drag = self._drag
        if drag is not None and drag.kind in ("draw", "edit"):
            self._paint_rubber(p, drag.current)
        elif self._new_box is not None:
            self._paint_rubber(p, self._new_box)
        if self.tool is not None:
            self.tool.paint(p)
        else:
            self._paint_crosshair(p)

    def _shown_edges(self, box: BoxRecord) -> tuple[int, int, int, int]:
        drag = self._drag
        return drag.current if (drag and drag.kind == "edit" and drag.box_id == box.id) else box.edges

    def tag_text(self, box: BoxRecord) -> str:
        """The label tag: a state mark, the label, and a proposal's score."""
        mark = {"pending": "? ", "rejected": "✗ "}.get(box.state, "✎ " if box.edited else "")
        return mark + box.label + (f" {box.score:.2f}" if box.score is not None and box.state == "pending" else "")

    def tag_rects(self) -> dict[int, QRectF]:
        """Where each visible box's tag is drawn (screen rectangles that never overlap one another)."""
        placed: list[QRectF] = []
        metrics = QFontMetricsF(self._tag_font())
        out = {}
        for box in self.visible_boxes():
            out[box.id] = self._place_tag(box, metrics, placed)
        return out

    def _tag_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.9))
        return font

    def _place_tag(self, box: BoxRecord, metrics: QFontMetricsF, placed: list[QRectF]) -> QRectF:
        """The first free spot for the tag: above the box's top-left corner, inside it, below it, then further
        down in steps of a tag's height (tags of boxes sharing a corner never stack unreadably)."""
        edges = self._shown_edges(box)
        tl, br = self.to_widget(edges[0], edges[1]), self.to_widget(edges[2], edges[3])
        height = metrics.height() + 1
        width = metrics.horizontalAdvance(self.tag_text(box)) + 6
        candidates = [tl.y() - height, tl.y() + 1, br.y() + 1]
        candidates += [tl.y() + 1 + height * k for k in range(1, 40)]
        for top in candidates:
            rect = QRectF(tl.x(), top, width, height)
            if top >= 0 and not any(rect.intersects(other) for other in placed):
                break
        placed.append(rect)
        return rect

    def _paint_box(self, p: QPainter, box: BoxRecord, placed: list[QRectF]) -> None:
        """Accepted: solid, in the label's colour; edited: the same with a pencil mark; pending: dashed over a dark
        line with an amber tag and its score; rejected (shown on request): grey, dotted, crossed tag."""
        edges = self._shown_edges(box)
        rect = QRectF(self.to_widget(edges[0], edges[1]), self.to_widget(edges[2], edges[3]))
        selected = box.id == self.selected
        color = QColor(150, 150, 150) if box.state == "rejected" else label_color(box.label)
        width = 2.5 if selected else 1.6
        if box.state == "pending":  # a dark line under the dashes, so a proposal reads as "not yet decided"
            under = QPen(QColor(20, 20, 20), width + 1.5)
            under.setCosmetic(True)
            p.setPen(under)
            p.setBrush(Qt.NoBrush)
            p.drawRect(rect)
        pen = QPen(color, width)
        pen.setCosmetic(True)
        pen.setStyle({"pending": Qt.DashLine, "rejected": Qt.DotLine}.get(box.state, Qt.SolidLine))
        p.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(40 if selected else 0)
        p.setBrush(fill)
        p.drawRect(rect)
        font = self._tag_font()
        p.setFont(font)
        tag = self._place_tag(box, QFontMetricsF(font), placed)
        background = {"pending": QColor(200, 130, 0), "rejected": QColor(90, 90, 90)}.get(box.state, color.darker(160))
        p.fillRect(tag, background)
        p.setPen(QColor(255, 255, 255))
        p.drawText(tag, Qt.AlignCenter, self.tag_text(box))
        if selected:
            p.setPen(QPen(QColor(255, 255, 255), 1))
            p.setBrush(color)
            s = HANDLE_SIZE_PX
            tl, br = rect.topLeft(), rect.bottomRight()
            xs, ys = (tl.x(), (tl.x() + br.x()) / 2, br.x()), (tl.y(), (tl.y() + br.y()) / 2, br.y())
            for x in xs:
                for y in ys:
                    if (x, y) != (xs[1], ys[1]):
                        p.drawRect(QRectF(x - s / 2, y - s / 2, s, s))

    def _paint_rubber(self, p: QPainter, edges: tuple[int, int, int, int]) -> None:
        x0, y0, x1, y1 = edges
        tl, br = self.to_widget(x0, y0), self.to_widget(x1, y1)
        pen = QPen(QColor(255, 255, 0), 1.5, Qt.DashLine)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
        p.drawRect(QRectF(tl, br))
        text = f"{x0},{y0} – {x1},{y1}  ({x1 - x0}×{y1 - y0})"
        metrics = p.fontMetrics()
        where = QRectF(br.x() + 6, br.y() + 4, metrics.horizontalAdvance(text) + 8, metrics.height() + 2)
        p.fillRect(where, QColor(0, 0, 0, 170))
        p.setPen(QColor(255, 255, 0))
        p.drawText(where, Qt.AlignCenter, text)

    def _paint_crosshair(self, p: QPainter) -> None:
        if self._mouse is None or (self._drag is not None and self._drag.kind == "pan"):
            return
        ix, iy = self.to_image(self._mouse)
        w, h = self.image_size
        if not (0 <= ix < w and 0 <= iy < h):
            return
        pen = QPen(QColor(255, 255, 255, 110), 1)
        pen.setCosmetic(True)
        p.setPen(pen)
        left, top = self.offset.x(), self.offset.y()
        mx, my = self._mouse.x(), self._mouse.y()
        p.drawLine(QPointF(left, my), QPointF(left + w * self.scale, my))
        p.drawLine(QPointF(mx, top), QPointF(mx, top + h * self.scale))
