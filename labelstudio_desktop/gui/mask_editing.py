"""Masks of the current image: shown over the canvas, painted with the mask tools, reviewed when proposed.

Each stroke, polygon, GrabCut run, fill and clear is one :class:`~..core.commands.SetMask` on the shared undo stack,
saved when it ends. A save the database refuses leaves the stack as it was and the overlay is reloaded from the
database, so the screen shows what is saved. Painting a pending proposal corrects it: it becomes accepted, marked
edited. The label painted is the one in the panel: the image's own class when it has one, else the last used,
asked at the first stroke when there is none (as for a new box).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import cv2
import numpy as np
from PySide6.QtCore import QObject, Qt, Signal

from ..core.editing.commands import SetMask
from ..core.editing.mask_edits import (
    HINT_BACKGROUND,
    HINT_FOREGROUND,
    MaskRow,
    Rect,
    binarise,
    editable_mask,
    encode_painted,
    fill_holes,
    fill_polygon,
    grabcut,
    grabcut_region,
)
from ..core.editing.review_memory import is_background
from ..core.images import ImageProblem, open_upright
from ..core.store.masks import BadMask, decode_grey, decode_mask, decoded_masks, mask_note
from ..core.store.store import ImageRecord
from .canvas import Canvas, label_color
from .image_notes import translate_note
from .mask_layer import PENDING_COLOR, MaskLayer
from .mask_tools import MaskTool
from .properties import PropertiesPanel
from .undo import Editor

OUTLINE_SCREEN_PX = 2.0  # the outline view's band, in screen pixels at any zoom
BRUSH_SHARE = 0.03  # the brush's first diameter: this share of the image's longer side


@dataclass
class GrabCutSession:
    """A box given to GrabCut and the hint strokes added since; each run replaces the previous run's result."""

    box: Rect
    region: Rect  # the box and its margin: what GrabCut sees
    base: np.ndarray  # the mask in ``region`` before the first run (a run adds to it)
    hints: np.ndarray  # HINT_FOREGROUND / HINT_BACKGROUND strokes in ``region``
    strokes: list = field(default_factory=list)  # (image points, foreground) to draw


class MaskEditor(QObject):
    """The masks of the image the :class:`~.annotation.AnnotationController` shows, and the tool painting them."""

    sig_message = Signal(str)
    sig_tool_changed = Signal(str)  # the tool's kind, "" when none is active
    sig_image_reviewed = Signal()  # the last pending mask or box of the image was decided

    def __init__(self, editor: Editor, canvas: Canvas, panel: PropertiesPanel,
                 ask_label: Callable[[list[str], str], str | None]):
        super().__init__(canvas)
        self.editor = editor
        self.store = editor.store
        self.canvas = canvas
        self.panel = panel
        self.controls = panel.mask_controls
        self.ask_label = ask_label
        self.layer = MaskLayer()
        self.tool = MaskTool(canvas, self)
        self.active = False  # a mask tool is active
        self.image: ImageRecord | None = None
        self.label = ""
        self.target: MaskRow | None = None  # the mask painted into (None: the first stroke adds one)
        self._shown_key: tuple | None = None  # what the layer was loaded from (or saved as)
        self._pixels: np.ndarray | None = None  # the image's RGB pixels, for GrabCut
        self._grabcut: GrabCutSession | None = None
        self._saving: bytes | None = None  # the PNG being saved by commit
        self._brush_chosen = False  # the user sized the brush: it keeps that size from image to image
        self.controls.show_brush(self.tool.diameter)
        self._connections = [
            (self.controls.sig_label_chosen, self.set_label), (self.controls.sig_brush_resized, self._brush_resized),
            (self.controls.sig_outline_toggled, lambda _on: self.refresh()),
            (self.controls.sig_fill_holes, self.fill_holes), (self.controls.sig_clear, self.clear),
            (canvas.sig_zoom_changed, self._zoomed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)

    def detach(self) -> None:
        self.set_tool(None)
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []

    # ------------------------------------------------------------ showing
    def show_image(self, image: ImageRecord | None) -> None:
        """A new image: the label defaults to its own class (else the last used); half-done work is dropped."""
        self.image = image
        self.tool.cancel()
        self._grabcut = None
        self._pixels = None
        self._shown_key = None
        if image is not None and image.label and not is_background(image.label):
            self.label = image.label
        if image is not None and not self._brush_chosen:  # until the user sizes it, the brush fits the image
            self.tool.diameter = max(3, round(max(image.width, image.height) * BRUSH_SHARE))
            self.controls.show_brush(self.tool.diameter)
        self._show_label()

    def _show_label(self) -> None:
        labels = sorted(set(self.store.classes()) | {r[0] for r in self.store.conn.execute(
            "SELECT DISTINCT label FROM masks")})
        self.controls.show_label(self.label, labels)

    def set_label(self, label: str) -> None:
        if label != self.label:
            self.label = label
            self._grabcut = None
            self.refresh()

    def _rows(self) -> list:
        return self.store.masks(self.image.id) if self.image is not None else []

    def review_row(self):
        """The pending mask proposal of the image (the newest), or None."""
        return next((r for r in reversed(self._rows()) if r["state"] == "pending"), None)

    def refresh(self) -> None:
        """Show the image's masks (after any store change, view change or tool change); the layer is reloaded only
        when what it shows changed in the store (not after the stroke it has just saved)."""
        if self.image is None:
            self.canvas.mask_mode = False
            self.canvas.set_overlay(None)
            self.panel.show_overlay_controls(None)
            return
        rows = self._rows()
        self.target = editable_mask(rows, self.label)
        pending = self.target is not None and self.target.state == "pending"
        shown = [r for r in rows if r["state"] == "accepted" or (pending and r["id"] == self.target.id)]
        self.panel.show_overlay_controls("mask" if pending else ("accepted" if shown else None), self.active)
        self.panel.mask_state.setText(self._state_text())
        self.layer.set_outline(self._outline_width())
        if not shown and not self.active:
            self.canvas.mask_mode = False
            self.canvas.set_overlay(None)
            self._shown_key = None
            return
        key = self._key(rows)
        just_saved = self._saving is not None and self.target is not None and self.target.png == self._saving
        if key != self._shown_key and not just_saved:
            self._load(rows)
            self._grabcut = None  # the mask changed under the box (an undo, another label): its hints no longer apply
        else:
            self.layer.set_color(self._color())
        self._shown_key = key
        self.canvas.mask_mode = True
        self.canvas.set_overlay(self.layer.image)

    def _key(self, rows) -> tuple:
        view = (self.panel.threshold.value(), self.panel.equalize.isChecked()) if (
            self.target is not None and self.target.state == "pending") else ()
        return (self.image.id, self.label, view, tuple((r["id"], r["state"], r["label"], hash(bytes(r["png"])))
                                                        for r in rows))

    def _state_text(self) -> str:
        t = self.target
        if t is None:
            return self.tr("new mask '{0}'").format(self.label) if self.label else ""
        state = {"pending": self.tr("pending"), "accepted": self.tr("accepted")}.get(t.state, t.state)
        return self.tr("{0} mask '{1}'").format(state, t.label) + (" ✎" if t.edited else "")

    def _load(self, rows) -> None:
        w, h = self.image.width, self.image.height
        target = self.target
        notes: list[str] = []
        mask = np.zeros((h, w), np.uint8)
        try:
            if target is not None and target.state == "pending":
                grey = decode_grey(target.png, w, h, cv2.INTER_LINEAR)
                mask = binarise(grey, self.panel.threshold.value() / 100, self.panel.equalize.isChecked())
            elif target is not None:
                mask = decode_mask(target.png, w, h)
        except BadMask as exc:  # a stored mask that cannot be shown: the layer starts empty, painting replaces it
            notes.append(mask_note(target.id, target.label, exc))
        others = [(m, label_color(r["label"])) for r, m in decoded_masks(
            [r for r in rows if r["state"] == "accepted" and (target is None or r["id"] != target.id)], w, h, notes)]
        self._cannot_show(notes)
        self.layer.load(mask, self._color(), others)

    def _cannot_show(self, notes: list[str]) -> None:
        if notes:
            self.sig_message.emit(self.tr("Masks of {0} that cannot be shown: {1}").format(
                self.image.path, "; ".join(notes)))

    def _color(self):
        """Green for a proposal under review, else the colour of the label painted."""
        pending = self.target is not None and self.target.state == "pending"
        return PENDING_COLOR if pending else label_color(self.label or "")

    def _outline_width(self) -> int:
        """About :data:`OUTLINE_SCREEN_PX` on screen, in image pixels rounded to a power of two (so that zooming
        re-renders the whole overlay only when the zoom has doubled or halved)."""
        if not self.controls.outline.isChecked():
            return 0
        return 2 ** max(0, round(math.log2(OUTLINE_SCREEN_PX / max(self.canvas.scale, 1e-6))))

    def _zoomed(self, _scale: float) -> None:
        if self.controls.outline.isChecked() and self.layer.image is not None:
            self.layer.set_outline(self._outline_width())
            self.canvas.update()

    # --------------------------------------------------------------- tools
    def set_tool(self, kind: str | None) -> None:
        """Activate the brush, eraser, polygon or GrabCut tool (None: back to boxes)."""
        self.tool.cancel()
        self.active = kind is not None
        if kind is not None:
            self.tool.kind = kind
        if kind != "grabcut":
            self._grabcut = None
        self.canvas.tool = self.tool if self.active else None
        if self.active:
            self.canvas.setCursor(Qt.CrossCursor)
        else:
            self.canvas.unsetCursor()
        self.refresh()
        self.canvas.update()
        self.sig_tool_changed.emit(kind or "")

    def _brush_resized(self, diameter: int) -> None:
        self._brush_chosen = True
        self.tool.diameter = diameter
        self.canvas.update()

    def resize_brush(self, steps: int) -> None:
        self._brush_chosen = True
        self.tool.resize_brush(steps)
        self.controls.show_brush(self.tool.diameter)

    def begin_edit(self) -> bool:
        """Before a stroke: a label (asked when there is none) and the layer showing this image's mask."""
        if self.image is None:
            return False
        if not self.label:
            label = self.ask_label(self.store.classes(), "")
            if not label:
                return False
            self.label = label
            self._show_label()
        if self.layer.image is None or self._shown_key is None or self.layer.size != (self.image.width,
                                                                                      self.image.height):
            self.refresh()
        return self.layer.image is not None

    def commit(self, text: str) -> bool:
        """Save the layer's mask as one undo step: the painted mask becomes accepted (a corrected proposal or
        imported mask is marked edited). Nothing happens when nothing changed."""
        if self.image is None:
            return False
        mask = self.layer.mask
        before = self.target
        if before is None and not mask.any():
            return False
        png = encode_painted(mask)
        if before is not None and (before.png, before.state, before.label) == (png, "accepted", self.label):
            return False
        if before is None:
            after = MaskRow(None, self.image.id, self.label, png, created_at=time.time())
        else:
            after = replace(before, label=self.label, png=png, state="accepted",
                            edited=before.edited or before.source != "manual")
        # the layer shows what is being saved: the refresh that follows a save keeps it, one after a refused save
        # reloads what the database holds
        self._shown_key, self._saving = None, png
        try:
            return self.editor.push(SetMask(text, before, after))
        finally:
            self._saving = None

    def _apply(self, text: str, rect: Rect | None) -> bool:
        """A whole action changed the layer in ``rect``: show it and save it."""
        if rect is None:
            return False
        self.layer.render(rect)
        self.canvas.update()
        return self.commit(text)

    def fill_polygon(self, points: list[tuple[float, float]]) -> bool:
        return self._apply(self.tr("fill polygon"), fill_polygon(self.layer.mask, points))

    def fill_holes(self) -> bool:
        if not self.begin_edit():
            return False
        return self._apply(self.tr("fill holes"), fill_holes(self.layer.mask))

    def clear(self) -> bool:
        """Remove the mask painted into (one undo step)."""
        if self.image is None or self.target is None:
            return False
        self._grabcut = None
        return self.editor.push(SetMask(self.tr("clear mask"), self.target, None))

    # ------------------------------------------------------------ GrabCut
    def grabcut_box(self) -> Rect | None:
        return self._grabcut.box if self._grabcut is not None else None

    def grabcut_hints(self) -> list:
        return self._grabcut.strokes if self._grabcut is not None else []

    def end_grabcut(self) -> bool:
        """Esc: forget the box and its hints (what they made stays); False when there was none."""
        ended, self._grabcut = self._grabcut is not None, None
        return ended

    def _image_pixels(self) -> np.ndarray | None:
        if self._pixels is None:
            try:
                self._pixels = np.asarray(open_upright(self.store.abs_path(self.image)).convert("RGB"))
            except (ImageProblem, OSError) as exc:
                self.sig_message.emit(self.tr("Cannot read {0}: {1}").format(self.image.path, translate_note(str(exc))))
        return self._pixels

    def run_grabcut(self, box: Rect) -> bool:
        """A box drawn with the GrabCut tool: the object in it is added to the mask (one undo step)."""
        pixels = self._image_pixels()
        if pixels is None or not self.begin_edit():
            return False
        region = grabcut_region(box, self.image.width, self.image.height)
        x0, y0, x1, y1 = region
        self._grabcut = GrabCutSession(box, region, self.layer.mask[y0:y1, x0:x1].copy(),
                                       np.zeros((y1 - y0, x1 - x0), np.uint8))
        return self._run(self.tr("box to mask"))

    def grabcut_hint(self, points: list[tuple[float, float]], foreground: bool) -> bool:
        """A foreground (left drag) or background (right drag) stroke inside the box: GrabCut runs again."""
        session = self._grabcut
        if session is None or self._image_pixels() is None:
            return False
        x0, y0 = session.region[:2]
        value = HINT_FOREGROUND if foreground else HINT_BACKGROUND
        pts = np.round(np.asarray(points) - (x0, y0)).astype(np.int32)
        cv2.polylines(session.hints, [pts], False, value, max(1, self.tool.diameter))
        for x, y in pts:
            cv2.circle(session.hints, (int(x), int(y)), max(0, self.tool.diameter // 2), value, -1)
        session.strokes.append((points, foreground))
        return self._run(self.tr("GrabCut hint"))

    def _run(self, text: str) -> bool:
        session = self._grabcut
        self.sig_message.emit(self.tr("GrabCut…"))
        try:
            found = grabcut(self._pixels, session.box, session.hints)
        except cv2.error as exc:
            self.sig_message.emit(self.tr("GrabCut failed: {0}").format(exc))
            return False
        x0, y0, x1, y1 = session.region
        self.layer.mask[y0:y1, x0:x1] = session.base | found
        saved = self._apply(text, session.region)
        self.sig_message.emit(self.tr("GrabCut: {0} pixels; drag inside the box to add (left) or remove (right) "
                                      "parts, Esc to finish").format(int(found.sum())))
        return saved

    # -------------------------------------------------------------- review
    def review(self, action: str) -> bool:
        """Accept the pending proposal as shown (binarised at the threshold) or reject it; one undo step."""
        row = self.review_row()
        if row is None:
            return False
        before = MaskRow.from_row(row)
        if action == "reject":
            after = replace(before, state="rejected")
        else:
            try:
                grey = decode_grey(before.png, self.image.width, self.image.height, cv2.INTER_LINEAR)
            except BadMask as exc:
                self._cannot_show([mask_note(before.id, before.label, exc)])
                return False
            binary = binarise(grey, self.panel.threshold.value() / 100, self.panel.equalize.isChecked())
            label = self.label or (self.image.label if self.image.label and not is_background(self.image.label)
                                   else before.label)
            after = replace(before, state="accepted", png=encode_painted(binary), label=label)
        text = self.tr("reject mask") if action == "reject" else self.tr("accept mask")
        if not self.editor.push(SetMask(text, before, after)):
            return False
        if not self.store.boxes(self.image.id, states=("pending",)) and self.review_row() is None:
            self.sig_image_reviewed.emit()
        return True
