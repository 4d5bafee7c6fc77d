"""Annotating the current image: canvas and properties signals turned into undoable core commands."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from ..core.editing.commands import AddBox, Compound, DeleteBox, SetImageFields, UpdateBox, verifying
from ..core.editing.review_memory import is_background
from ..core.images import ImageProblem, open_upright
from ..core.labels_rule import label_problem
from ..core.store.store import BoxRecord, ImageRecord, Store
from .canvas import Canvas
from .image_notes import translate_note
from .mask_editing import MaskEditor
from .properties import PropertiesPanel
from .undo import Editor

NUDGE_BURST_S = 1.0
DUPLICATE_OFFSET = 10  # image pixels between a box and its duplicate


def pil_to_qimage(im) -> QImage:
    data = im.tobytes("raw", "RGB")
    return QImage(data, im.width, im.height, im.width * 3, QImage.Format_RGB888).copy()


class AnnotationController(QObject):
    """Owns "the current image" and applies every edit to it through the :class:`Editor`."""

    sig_image_shown = Signal(int)
    sig_message = Signal(str)
    sig_image_reviewed = Signal()  # the last pending proposal of the image was accepted or rejected

    def __init__(self, editor: Editor, canvas: Canvas, panel: PropertiesPanel,
                 ask_label: Callable[[list[str], str], str | None], always_ask: Callable[[], bool] = lambda: False):
        """``ask_label(labels, current)`` asks for a label; ``always_ask()`` True: the dialog opens even when the
        image's class gives a new box its label."""
        super().__init__(canvas)
        self.editor = editor
        self.store: Store = editor.store
        self.canvas = canvas
        self.panel = panel
        self._ask_label = ask_label
        self.always_ask = always_ask
        self.image: ImageRecord | None = None
        self.recent_labels: list[str] = []
        self._gesture = itertools.count(1)
        self.clock = time.monotonic  # when the last nudge was: a burst of nudges is one undo step
        self._last_nudge: tuple[int, float, int] | None = None  # (box id, time, merge id)
        self.masks = MaskEditor(editor, canvas, panel, self.ask_label)
        self.masks.sig_message.connect(self.sig_message)
        self.masks.sig_image_reviewed.connect(self.sig_image_reviewed)
        self._connections = [
            (canvas.sig_box_drawn, self.add_box), (canvas.sig_box_changed, self.move_box),
            (canvas.sig_box_nudged, self.nudge_box), (canvas.sig_selection_changed, self._selection_changed),
            (panel.sig_field_edited, self.set_field), (panel.sig_fields_edited, self.set_fields),
            (panel.sig_box_selected, canvas.select), (panel.sig_mask_view_changed, self.refresh_overlay),
            (panel.sig_mask_action, self.masks.review), (editor.sig_changed, self._store_changed),
        ]
        for signal, slot in self._connections:
            signal.connect(slot)

    def detach(self) -> None:
        """Stop listening to the canvas and the panel (they outlive the project; the next one gets a new
        controller)."""
        for signal, slot in self._connections:
            signal.disconnect(slot)
        self._connections = []
        self.masks.detach()

    # ------------------------------------------------------------------ showing
    def show(self, image_id: int) -> None:
        if image_id < 0:
            self.image = None
            self.masks.show_image(None)
            self.masks.refresh()
            self.canvas.set_image(None, [])
            self.panel.show_image(None, [])
            return
        self.image = self.store.image(image_id)
        qimage = None
        try:
            qimage = pil_to_qimage(open_upright(self.store.abs_path(self.image)))
        except (ImageProblem, OSError) as exc:
            self.sig_message.emit(self.tr("Cannot show {0}: {1}").format(self.image.path, translate_note(str(exc))))
        boxes = self.store.boxes(image_id)
        self.canvas.set_image(qimage, boxes)
        self.masks.show_image(self.image)
        self.refresh_overlay()
        self.panel.set_classes(self.store.classes())
        self.panel.show_image(self.image, boxes)
        self.select_best_pending()  # so Enter and X act at once
        self.sig_image_shown.emit(image_id)

    def select_best_pending(self) -> None:
        """Select the pending proposal of highest score, if the image has one."""
        pending = [b for b in self.canvas.boxes if b.state == "pending"]
        if pending:
            self.canvas.select(max(pending, key=lambda b: (b.score or 0.0, -b.id)).id)

    def _store_changed(self, image_id: int) -> None:
        if self.image is None or image_id not in (-1, self.image.id):
            return
        self.image = self.masks.image = self.store.image(self.image.id)
        boxes = self.store.boxes(self.image.id)
        self.canvas.set_boxes(boxes)
        self.panel.show_image(self.image, boxes)
        if self.canvas.selected < 0:  # e.g. an undone rejection: the proposal is pending again
            self.select_best_pending()
        self.panel.select_box(self.canvas.selected)
        self.refresh_overlay()

    def _selection_changed(self, box_id: int) -> None:
        self._last_nudge = None
        self.panel.select_box(box_id)

    # -------------------------------------------------------------------- edits
    def ask_label(self, labels: list[str], current: str) -> str | None:
        """A label typed for a box or a mask; refused (None, with a message naming it) when it breaks the label rule
        (a line break or a control character: :func:`.labels_rule.label_problem`)."""
        label = self._ask_label(labels, current)
        problem = label_problem(label) if label else None
        if problem:
            self.sig_message.emit(self.tr("Label refused: {0}").format(translate_note(problem)))
            return None
        return label

    def known_labels(self) -> list[str]:
        rest = [c for c in self.store.classes() if c not in self.recent_labels]
        return self.recent_labels + rest

    def _remember(self, label: str) -> None:
        if label in self.recent_labels:
            self.recent_labels.remove(label)
        self.recent_labels.insert(0, label)

    def class_label(self) -> str | None:
        """The label the image's class gives its boxes: its class when that is a known label and not background
        (one class per image: a nut image's box is a nut), else None."""
        own = self.image.label if self.image is not None else None
        if not own or is_background(own) or own not in self.store.classes():
            return None
        return own

    def add_box(self, x0: int, y0: int, x1: int, y1: int) -> None:
        """A box drawn on the canvas: it takes the image's class without a dialog (unless ``always_ask``), else the
        label asked for (the image's class or the last label used filled in)."""
        if self.image is None:
            return
        own = self.class_label()
        if own and not self.always_ask():
            label = own
        else:  # the image's class is the best guess (a nut image's box is a nut), else the last label used
            guess = self.image.label if self.image.label and not is_background(self.image.label) else None
            label = self.ask_label(self.known_labels(), guess or (self.recent_labels[0] if self.recent_labels else ""))
        if not label:
            self.canvas.update()
            return
        self._remember(label)
        command = AddBox(BoxRecord(0, self.image.id, label, x0, y0, x1, y1, source="manual", state="accepted"))
        if self.editor.push(command):
            self.canvas.select(command.box_id)

    def move_box(self, box_id: int, x0: int, y0: int, x1: int, y1: int, merge_id: int | None = None) -> None:
        """One gesture moved or resized a box: one undo step (``merge_id`` joins the steps of one key burst)."""
        self._last_nudge = None
        box = self.store.box(box_id)
        changes = {"x0": x0, "y0": y0, "x1": x1, "y1": y1}
        if box.state == "pending":  # correcting a proposal accepts it
            changes.update(state="accepted", edited=True)
            self._decide([UpdateBox(self.store, box_id, merge_id=merge_id, **changes)], "")
            return
        if box.source == "proposal" and not box.edited:
            changes["edited"] = True
        self.editor.push(UpdateBox(self.store, box_id, merge_id=merge_id, **changes))

    def nudge_box(self, box_id: int, x0: int, y0: int, x1: int, y1: int) -> None:
        """An arrow key moved a box: presses of the same box less than :data:`NUDGE_BURST_S` apart are one step."""
        now = self.clock()
        last = self._last_nudge
        merge_id = last[2] if last and last[0] == box_id and now - last[1] < NUDGE_BURST_S else next(self._gesture)
        self.move_box(box_id, x0, y0, x1, y1, merge_id)
        self._last_nudge = (box_id, now, merge_id)

    def delete_selected(self) -> None:
        """Delete the selected box (undoable); a pending proposal is rejected instead (its provenance stays)."""
        box = self.canvas.selected_box()
        if box is None:
            return
        if box.source == "proposal" and box.state == "pending":
            self.reject_selected()
        else:
            self.editor.push(DeleteBox(self.store, box.id))

    # ------------------------------------------------------------------ review
    def accept_selected(self) -> None:
        """Accept the selected proposal and select the next. On a box already accepted (just corrected by a
        drag) Enter only moves on; with nothing selected it selects the best proposal."""
        box = self.canvas.selected_box()
        if box is None:
            self.select_best_pending()
        elif box.state == "accepted":
            self._select_next_pending(box.id)
        elif self._decide([UpdateBox(self.store, box.id, state="accepted")], ""):
            self._select_next_pending(box.id)

    def reject_selected(self) -> None:
        """Reject the selected proposal and select the next. X only decides proposals: on a box that is not
        pending (drawn, accepted) it changes nothing and says how to remove it."""
        box = self.canvas.selected_box()
        if box is None:
            return
        if box.state != "pending":
            self.sig_message.emit(self.tr("X rejects proposals; Delete removes this box"))
            return
        if self._decide([UpdateBox(self.store, box.id, state="rejected")], ""):
            self._select_next_pending(box.id)

    def _decide(self, steps: list[UpdateBox], text: str) -> bool:
        """Push decisions on proposals of this image as one undo step. When they decide its last pending proposal
        and it has an accepted box, the image is marked verified in that same step (reviewed: the next Propose
        leaves it alone)."""
        commands = verifying(self.store, steps)
        if len(commands) == 1:
            return self.editor.push(commands[0])
        return self.editor.push(Compound(text or self.tr("review and verify image"), commands))

    def _select_next_pending(self, after: int) -> None:
        """The next pending proposal of the image; when none is left, ``sig_image_reviewed``."""
        pending = [b.id for b in self.store.boxes(self.image.id, states=("pending",))]
        self.canvas.select(next((i for i in pending if i > after), pending[0] if pending else -1))
        if not pending:
            self.sig_image_reviewed.emit()

    def accept_all(self, min_score: float | None = None) -> int:
        """Accept the pending proposals of this image (those with score >= ``min_score``); one undo step."""
        if self.image is None:
            return 0
        chosen = [b for b in self.store.boxes(self.image.id, states=("pending",))
                  if min_score is None or (b.score or 0.0) >= min_score]
        if chosen and self._decide([UpdateBox(self.store, b.id, state="accepted") for b in chosen],
                                   self.tr("accept {0} proposals").format(len(chosen))):
            if not self.store.boxes(self.image.id, states=("pending",)):
                self.sig_image_reviewed.emit()  # as after the last Enter: on to the next image with proposals
        return len(chosen)

    def verify(self, keep_proposals: bool = True) -> int:
        """Mark the image verified, as it is shown: its pending proposals are accepted (``keep_proposals``, the
        way pre-annotations become annotations on submit) or rejected. One undo step; returns how many."""
        if self.image is None:
            return 0
        pending = self.store.boxes(self.image.id, states=("pending",))
        state = "accepted" if keep_proposals else "rejected"
        steps = [UpdateBox(self.store, b.id, state=state) for b in pending]
        if self.store.image_fields(self.image.id, ("status",))["status"] != "verified":
            steps.append(SetImageFields(self.store, self.image.id, status="verified"))
        if steps and not self.editor.push(Compound(self.tr("verify image"), steps)):
            return -1
        return len(pending)

    # ------------------------------------------------------------------ overlay
    def refresh_overlay(self) -> None:
        """The Grad-CAM heatmap when it is asked for (its opacity: the same slider), else the image's masks."""
        self.canvas.overlay_opacity = self.panel.opacity.value() / 100
        if self.canvas.overlay_visible:
            heat = self.heatmap()
            self.panel.show_overlay_controls("heatmap")
            self.panel.mask_state.setText(self.tr("Grad-CAM heatmap") if heat is not None else
                                          self.tr("no heatmap yet: run Propose"))
            self.canvas.set_overlay(heat)
            return
        self.masks.refresh()

    def heatmap(self) -> QImage | None:
        """The latest Grad-CAM heatmap of this image as a coloured overlay, or None."""
        if self.image is None:
            return None
        row = self.store.conn.execute("SELECT png FROM heatmaps WHERE image_id=? AND kind='gradcam' "
                                      "ORDER BY run_id DESC LIMIT 1", (self.image.id,)).fetchone()
        if row is None:
            return None
        import cv2
        import numpy as np

        from ..core.store.masks import BadMask, decode_grey

        try:  # a heatmap the database holds: its size checked before it is decoded
            gray = decode_grey(row[0], self.image.width, self.image.height, cv2.INTER_LINEAR)
        except BadMask:
            return None
        colored = cv2.applyColorMap(gray, cv2.COLORMAP_JET)
        rgb = np.ascontiguousarray(colored[..., ::-1])
        return QImage(rgb.data, rgb.shape[1], rgb.shape[0], rgb.shape[1] * 3, QImage.Format_RGB888).copy()

    def relabel_selected(self) -> None:
        box = self.canvas.selected_box()
        if box is None:
            return
        label = self.ask_label(self.known_labels(), box.label)
        if label and label != box.label:
            self._remember(label)
            self.editor.push(UpdateBox(self.store, box.id, label=label))

    def set_field(self, name: str, value) -> None:
        self.set_fields({name: value})

    def set_fields(self, values: dict) -> None:
        """Save the image fields that differ from the store, as one undo step."""
        if self.image is None:
            return
        stored = self.store.image_fields(self.image.id, tuple(values))
        changed = {k: v for k, v in values.items() if stored[k] != v}
        if changed:
            self.editor.push(SetImageFields(self.store, self.image.id, **changed))

    def duplicate_selected(self) -> None:
        """Copy the selected box a few pixels down and right (kept inside the image), as labelImg's Ctrl+D."""
        box = self.canvas.selected_box()
        if box is None or self.image is None:
            return
        w, h = self.canvas.image_size
        dx = DUPLICATE_OFFSET if box.x1 + DUPLICATE_OFFSET <= w else -min(DUPLICATE_OFFSET, box.x0)
        dy = DUPLICATE_OFFSET if box.y1 + DUPLICATE_OFFSET <= h else -min(DUPLICATE_OFFSET, box.y0)
        command = AddBox(BoxRecord(0, self.image.id, box.label, box.x0 + dx, box.y0 + dy, box.x1 + dx, box.y1 + dy,
                                   source="manual", state="accepted", pose=box.pose, truncated=box.truncated,
                                   difficult=box.difficult))
        if self.editor.push(command):
            self.canvas.select(command.box_id)

    def set_class(self, label: str) -> None:
        self.set_field("label", label)

    def copy_boxes_from(self, source_id: int) -> int:
        """Copy the accepted boxes of another image onto this one (clipped to it); one undo step."""
        if self.image is None:
            return 0
        w, h = self.image.width, self.image.height
        commands = []
        for b in self.store.boxes(source_id, states=("accepted",)):
            x0, y0, x1, y1 = max(0, b.x0), max(0, b.y0), min(w, b.x1), min(h, b.y1)
            if x0 < x1 and y0 < y1:
                commands.append(AddBox(BoxRecord(0, self.image.id, b.label, x0, y0, x1, y1, pose=b.pose,
                                                 truncated=b.truncated, difficult=b.difficult)))
        if commands:
            self.editor.push(Compound(self.tr("copy {0} boxes").format(len(commands)), commands))
        return len(commands)
