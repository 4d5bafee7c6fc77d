"""The mask tools on the canvas: brush, eraser, polygon and box-to-mask (GrabCut with hint strokes).

While a tool is active the canvas hands it the mouse and the keys it wants (:class:`MaskTool` is ``canvas.tool``);
panning (middle drag, Space+drag) and the wheel zoom stay the canvas's. A brush stroke paints straight into the
layer's numpy buffer and repaints only the screen rectangle it touched (and the cursor's ring); the stroke is saved
when the button is released, as one undo step, by the :class:`~.mask_editing.MaskEditor` that owns the tool.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen, QPolygonF

from ..core.editing.mask_edits import Rect, stroke_segment

TOOLS = ("brush", "eraser", "polygon", "grabcut")
MIN_BRUSH, MAX_BRUSH, DEFAULT_BRUSH = 1, 1000, 25  # brush diameter in image pixels
BRUSH_STEP = 1.25  # [ and ] divide or multiply the diameter by this
MIN_BOX_PX = 5  # a GrabCut box must be this many screen pixels wide and high
POLYGON_KEYS = (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Backspace)
HINT_COLORS = {True: QColor(60, 230, 60), False: QColor(230, 60, 60)}  # foreground, background hints


class MaskTool:
    """The active tool's state and its mouse and key handling; ``owner`` saves what it does (see module doc)."""

    def __init__(self, canvas, owner):
        self.canvas = canvas
        self.owner = owner
        self.kind = "brush"
        self.diameter = DEFAULT_BRUSH
        self.cursor: QPointF | None = None  # widget position of the mouse over the canvas
        self.last: tuple[float, float] | None = None  # image point of the stroke so far (None: no stroke)
        self.erasing = False
        self.vertices: list[tuple[float, float]] = []  # the polygon being clicked
        self.box_start: tuple[float, float] | None = None  # a GrabCut box being dragged (image point)
        self.hint: list[tuple[float, float]] = []  # a GrabCut hint stroke being dragged
        self.hint_foreground = True

    # ----------------------------------------------------------- geometry
    def image_point(self, pos: QPointF) -> tuple[float, float]:
        """The image point under ``pos``, kept inside the image."""
        x, y = self.canvas.to_image(pos)
        w, h = self.canvas.image_size
        return (min(max(x, 0.0), w - 1e-3), min(max(y, 0.0), h - 1e-3))

    def screen_rect(self, rect: Rect) -> QRect:
        """The widget pixels showing the image rectangle (with a margin for smoothing)."""
        c = self.canvas
        return QRectF(c.to_widget(rect[0], rect[1]), c.to_widget(rect[2], rect[3])).toAlignedRect().adjusted(
            -2, -2, 2, 2)

    def ring_radius(self) -> float:
        return max(1.5, self.diameter * self.canvas.scale / 2)

    def _cursor_rect(self) -> QRect:
        if self.cursor is None:
            return QRect()
        r = (self.ring_radius() if self.kind in ("brush", "eraser") else 4) + 3
        return QRectF(self.cursor.x() - r, self.cursor.y() - r, 2 * r, 2 * r).toAlignedRect()

    def _points_rect(self, points: list[tuple[float, float]], extra: QPointF | None = None) -> QRect:
        """The widget rectangle around image points (and a widget point), padded for the pen."""
        pts = [self.canvas.to_widget(x, y) for x, y in points] + ([extra] if extra is not None else [])
        if not pts:
            return QRect()
        xs, ys = [p.x() for p in pts], [p.y() for p in pts]
        pad = 4 + (self.ring_radius() if self.hint else 0)
        return QRectF(min(xs) - pad, min(ys) - pad, max(xs) - min(xs) + 2 * pad,
                      max(ys) - min(ys) + 2 * pad).toAlignedRect()

    def show_dirty(self, rect: Rect | None) -> None:
        """Re-render the overlay in the image rectangle ``rect`` and repaint only its screen rectangle."""
        if rect is not None:
            self.owner.layer.render(rect)
            self.canvas.update(self.screen_rect(rect))

    # -------------------------------------------------------------- mouse
    def press(self, event: QMouseEvent) -> None:
        button = event.button()
        point = self.image_point(event.position())
        if self.kind in ("brush", "eraser") and button == Qt.LeftButton:
            if self.owner.begin_edit():
                self.erasing = self.kind == "eraser"
                self.last = point
                self.show_dirty(stroke_segment(self.owner.layer.mask, point, point, self.diameter,
                                               0 if self.erasing else 1))
        elif self.kind == "polygon" and button == Qt.LeftButton:
            if self.vertices or self.owner.begin_edit():
                self.vertices.append(point)
                self.canvas.update(self._points_rect(self.vertices[-2:], event.position()))
        elif self.kind == "grabcut" and button in (Qt.LeftButton, Qt.RightButton):
            box = self.owner.grabcut_box()
            inside = box is not None and box[0] <= point[0] < box[2] and box[1] <= point[1] < box[3]
            if inside:
                self.hint, self.hint_foreground = [point], button == Qt.LeftButton
            elif button == Qt.LeftButton and self.owner.begin_edit():
                self.box_start = point
                self.cursor = event.position()

    def move(self, event: QMouseEvent) -> None:
        pos = event.position()
        before = self._cursor_rect()
        if self.vertices or self.box_start is not None:  # the rubber line or box follows the mouse
            before = before.united(self._rubber_rect())
        self.cursor = pos
        point = self.image_point(pos)
        if self.last is not None:
            rect = stroke_segment(self.owner.layer.mask, self.last, point, self.diameter, 0 if self.erasing else 1)
            self.last = point
            self.show_dirty(rect)
        elif self.hint:
            self.hint.append(point)
            self.canvas.update(self._points_rect(self.hint[-2:]))
        after = self._cursor_rect()
        if self.vertices or self.box_start is not None:
            after = after.united(self._rubber_rect())
        self.canvas.update(before)
        self.canvas.update(after)

    def _rubber_rect(self) -> QRect:
        if self.box_start is not None:
            return self._points_rect([self.box_start], self.cursor)
        return self._points_rect(self.vertices[-1:] + self.vertices[:1], self.cursor)

    def release(self, event: QMouseEvent) -> None:
        if self.last is not None:
            self.last = None
            self.owner.commit(QCoreApplication.translate("MaskEditor", "erase mask") if self.erasing
                              else QCoreApplication.translate("MaskEditor", "paint mask"))
        elif self.hint:
            hint, self.hint = self.hint, []
            self.owner.grabcut_hint(hint, self.hint_foreground)
        elif self.box_start is not None:
            (x0, y0), (x1, y1) = self.box_start, self.image_point(event.position())
            self.box_start = None
            box = (round(min(x0, x1)), round(min(y0, y1)), round(max(x0, x1)), round(max(y0, y1)))  # pixel edges
            if min(box[2] - box[0], box[3] - box[1]) * self.canvas.scale >= MIN_BOX_PX:
                self.owner.run_grabcut(box)
            self.canvas.update()

    def double_click(self, event: QMouseEvent) -> None:
        """A double click closes the polygon (its first click already added the last vertex)."""
        if self.kind == "polygon":
            self.close_polygon()

    def leave(self) -> None:
        self.canvas.update(self._cursor_rect())
        self.cursor = None

    # --------------------------------------------------------------- keys
    def wants_key(self, event: QKeyEvent) -> bool:
        """Keys the tool takes before the window's shortcuts: Enter and Backspace while a polygon is open, Esc."""
        return event.key() == Qt.Key_Escape or (bool(self.vertices) and event.key() in POLYGON_KEYS)

    def key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key_Escape:
            if self.vertices or self.box_start is not None:
                self.vertices, self.box_start = [], None
            elif not self.owner.end_grabcut():
                self.owner.set_tool(None)
            self.canvas.update()
            return True
        if not self.vertices or key not in POLYGON_KEYS:
            return False
        if key == Qt.Key_Backspace:
            self.canvas.update(self._points_rect(self.vertices[-2:], self.cursor))
            self.vertices.pop()
        else:
            self.close_polygon()
        return True

    def close_polygon(self) -> None:
        vertices, self.vertices = self.vertices, []
        if len(vertices) >= 3:
            self.owner.fill_polygon(vertices)
        self.canvas.update()

    def resize_brush(self, steps: int) -> None:
        """``]`` (+1) and ``[`` (-1): the brush diameter times or over :data:`BRUSH_STEP`."""
        before = self._cursor_rect()
        size = self.diameter * BRUSH_STEP ** steps
        self.diameter = int(min(MAX_BRUSH, max(MIN_BRUSH, round(size) if round(size) != self.diameter
                                                   else self.diameter + steps)))
        self.canvas.update(before.united(self._cursor_rect()))

    def cancel(self) -> None:
        """Drop what is half done (an open polygon, a box or hint being dragged); a stroke is kept as painted."""
        self.vertices, self.box_start, self.hint = [], None, []

    # -------------------------------------------------------------- paint
    def paint(self, p: QPainter) -> None:
        """The cursor ring, the open polygon, the GrabCut box and its hints, over the canvas."""
        c = self.canvas
        box = self.owner.grabcut_box() if self.kind == "grabcut" else None
        if box is not None:
            self._pen(p, QColor(255, 255, 0), Qt.DashLine)
            p.drawRect(QRectF(c.to_widget(box[0], box[1]), c.to_widget(box[2], box[3])))
        for points, foreground in self.owner.grabcut_hints() + ([(self.hint, self.hint_foreground)]
                                                                 if self.hint else []):
            pen = QPen(HINT_COLORS[foreground], max(1.0, self.diameter * c.scale), Qt.SolidLine, Qt.RoundCap,
                       Qt.RoundJoin)
            p.setPen(pen)
            p.drawPolyline(QPolygonF([c.to_widget(x, y) for x, y in points]))
        if self.vertices:
            self._pen(p, QColor(255, 255, 0), Qt.SolidLine)
            line = [c.to_widget(x, y) for x, y in self.vertices] + ([self.cursor] if self.cursor else [])
            p.drawPolyline(QPolygonF(line))
            p.setBrush(QColor(255, 255, 0))
            for point in line[:len(self.vertices)]:
                p.drawEllipse(point, 3, 3)
        if self.box_start is not None and self.cursor is not None:
            self._pen(p, QColor(255, 255, 0), Qt.DashLine)
            p.drawRect(QRectF(c.to_widget(*self.box_start), self.cursor))
        if self.cursor is not None and self.kind in ("brush", "eraser"):
            r = self.ring_radius()
            for color, width in ((QColor(0, 0, 0, 160), 3.0), (QColor(255, 255, 255), 1.0)):
                self._pen(p, color, Qt.DashLine if self.kind == "eraser" else Qt.SolidLine, width)
                p.drawEllipse(self.cursor, r, r)

    @staticmethod
    def _pen(p: QPainter, color: QColor, style, width: float = 1.5) -> None:
        pen = QPen(color, width, style)
        pen.setCosmetic(True)
        p.setPen(pen)
        p.setBrush(Qt.NoBrush)
