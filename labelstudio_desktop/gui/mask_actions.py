"""The window's mask actions: the tools (B brush, E eraser, P polygon, C box to mask), brush size ([ and ]), outline
view (O), fill holes (Shift+F), clear (Shift+Delete), accept and reject a proposed mask (Shift+Enter, Shift+X).

Their keys act only while the canvas has the focus (the window's ``canvas=True`` actions). A tool and the box tool
(W) exclude each other; the heatmap is hidden while a tool paints.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup


class MaskActions(QObject):
    """Builds the actions on ``window`` (a :class:`~.main_window.MainWindow`) and keeps them in step with the
    current project's :class:`~.mask_editing.MaskEditor`."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        a = window._action
        self.tools: dict[str, QAction] = {
            "brush": a(self.tr("Mask brush"), lambda on: self.choose("brush", on), "B",
                       self.tr("Paint the mask with a round brush (B); [ and ] change its size"), canvas=True),
            "eraser": a(self.tr("Mask eraser"), lambda on: self.choose("eraser", on), "E",
                        self.tr("Erase the mask (E); [ and ] change the size"), canvas=True),
            "polygon": a(self.tr("Mask polygon"), lambda on: self.choose("polygon", on), "P",
                         self.tr("Click vertices; Enter or a double click fills, Backspace removes the last, Esc "
                                 "cancels (P)"), canvas=True),
            "grabcut": a(self.tr("Box to mask (GrabCut)"), lambda on: self.choose("grabcut", on), "C",
                         self.tr("Drag a box around an object; then drag inside it to mark foreground (left) or "
                                 "background (right) and GrabCut runs again (C)"), canvas=True),
        }
        self.group = QActionGroup(window)
        self.group.setExclusionPolicy(QActionGroup.ExclusionPolicy.ExclusiveOptional)
        short = {"brush": self.tr("Brush"), "eraser": self.tr("Eraser"), "polygon": self.tr("Polygon"),
                 "grabcut": self.tr("GrabCut")}
        for name, action in self.tools.items():
            action.setIconText(short[name])
            action.setCheckable(True)
            self.group.addAction(action)
        self.smaller = a(self.tr("Smaller brush"), lambda: self._masks().resize_brush(-1), "[", canvas=True)
        self.larger = a(self.tr("Larger brush"), lambda: self._masks().resize_brush(1), "]", canvas=True)
        self.outline = a(self.tr("Mask outline view"),
                         lambda on: window.properties.mask_controls.outline.setChecked(on), "O",
                         self.tr("Show the masks' edges only (O)"), canvas=True)
        self.outline.setCheckable(True)
        window.properties.mask_controls.outline.toggled.connect(self.outline.setChecked)
        self.fill_holes = a(self.tr("Fill holes in the mask"), lambda: self._masks().fill_holes(), "Shift+F",
                            canvas=True)
        self.clear = a(self.tr("Clear the mask"), lambda: self._masks().clear(), "Shift+Del", canvas=True)
        self.accept = a(self.tr("Accept mask"), lambda: self._masks().review("accept"),
                        ["Shift+Return", "Shift+Enter"],
                        self.tr("Accept the proposed mask as shown, binarised at the threshold"), canvas=True)
        self.reject = a(self.tr("Reject mask"), lambda: self._masks().review("reject"), "Shift+X", canvas=True)
        for action, text in ((self.smaller, self.tr("Smaller")), (self.larger, self.tr("Larger")),
                             (self.outline, self.tr("Outline")), (self.fill_holes, self.tr("Fill holes")),
                             (self.clear, self.tr("Clear"))):
            action.setIconText(text)
        window.act_draw.toggled.connect(lambda on: on and self.choose(None, True))

    def _masks(self):
        return self.window.annotation.masks

    def add_toolbar(self) -> None:
        """The mask toolbar (a row of its own): the tools with short names, then the one-click actions."""
        toolbar = self.window.addToolBar(self.tr("Mask"))
        toolbar.setObjectName("toolbar-mask")
        for action in self.menu()[:-3]:  # not accept / reject: the panel shows them with the proposal
            toolbar.addSeparator() if action is None else toolbar.addAction(action)

    def menu(self) -> list[QAction | None]:
        return [*self.tools.values(), None, self.smaller, self.larger, self.outline, None, self.fill_holes,
                self.clear, None, self.accept, self.reject]

    def choose(self, kind: str | None, on: bool) -> None:
        """A tool action was toggled: that tool (or none), the box tool and the heatmap off."""
        w = self.window
        kind = kind if on else None
        for name, action in self.tools.items():
            action.setChecked(name == kind)
        if kind is not None:
            w.act_draw.setChecked(False)
            w.canvas.draw_mode = False
            if w.act_heatmap.isChecked():
                w.act_heatmap.setChecked(False)
                w.canvas.overlay_visible = False
        if w.annotation is not None:
            w.annotation.masks.set_tool(kind)
        w.canvas.setFocus()

    def show_tool(self, kind: str) -> None:
        """The editor changed tool (Esc leaves it): the actions say which is active ("" for none)."""
        for name, action in self.tools.items():
            action.setChecked(name == kind)
