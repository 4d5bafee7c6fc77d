"""The main window's box tools: drawing on or off (back to selecting after a box unless the user keeps drawing),
boxes and rejected proposals shown or hidden, and the label of a new box (asked, or the last one used)."""

from __future__ import annotations

from .dialogs import LabelDialog


class BoxTools:
    """Slots of the box actions, for :class:`.main_window.MainWindow` (its canvas, settings, actions and
    annotation controller)."""

    def _toggle_draw(self, on: bool) -> None:
        self.canvas.draw_mode = on
        self.canvas.setFocus()

    def _box_drawn(self, *_edges) -> None:
        """After a new box the tool goes back to selecting (as in labelImg), unless the user keeps drawing."""
        if not self.act_keep_drawing.isChecked() and self.act_draw.isChecked():
            self.act_draw.setChecked(False)
            self.canvas.draw_mode = False

    def _set_keep_drawing(self, on: bool) -> None:
        self.settings.setValue("prefs/keep_drawing", bool(on))

    def _toggle_rejected(self, on: bool) -> None:
        self.canvas.rejected_visible = on
        self.canvas.update()

    def _toggle_boxes(self, hidden: bool) -> None:
        self.canvas.boxes_visible = not hidden
        self.canvas.update()

    def _set_ask_label(self, on: bool) -> None:
        self.settings.setValue("prefs/ask_label", bool(on))

    def ask_label(self, labels: list[str], current: str) -> str | None:
        """The label of a new box: asked with ``current`` filled in, or (when asking is off) the last label used."""
        if not self.settings.value("prefs/ask_label", True, type=bool):
            last = self.annotation.recent_labels[0] if self.annotation and self.annotation.recent_labels else current
            if last:
                return last
        dialog = LabelDialog(labels, current, self)
        return dialog.label() if dialog.exec() else None
