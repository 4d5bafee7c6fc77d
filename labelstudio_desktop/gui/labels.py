"""Widgets that must never widen or heighten the window: labels for changing text (wrapped in docks, elided in the
status bar) and a scroll area for a dock's page."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QScrollArea, QSizePolicy, QWidget


class FlowLabel(QLabel):
    """A label for long, changing text (messages, paths): it wraps and never widens its dock.

    Its horizontal size policy is Ignored, so layouts use neither its size hint nor its minimum size hint:
    the dock keeps its width and the text wraps to it. A word longer than the line (a path) is cut at the
    edge, so long text is also the tooltip.
    """

    TOOLTIP_FROM = 60

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWordWrap(True)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Ignored)
        self.setSizePolicy(policy)
        self.setMinimumWidth(0)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text if len(text) >= self.TOOLTIP_FROM else "")

    def clear(self) -> None:
        self.setText("")


class ElidedLabel(QLabel):
    """One line of changing text (a job's status, counts) that never widens its window: elided in the middle
    to the width the layout gives it (at most ``max_width``); the full text is the tooltip and ``text()``."""

    def __init__(self, parent: QWidget | None = None, max_width: int = 360):
        super().__init__(parent)
        self._full = ""
        self.setMaximumWidth(max_width)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        return self._full

    def sizeHint(self) -> QSize:
        frame = self.width() - self.contentsRect().width()  # margins, and padding or border from a style sheet
        width = self.fontMetrics().horizontalAdvance(self._full) + frame + 2 * self.margin() + 4
        return QSize(min(width, self.maximumWidth()), super().sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        width = min(self.sizeHint().width(), self.fontMetrics().averageCharWidth() * 10)
        return QSize(width, super().sizeHint().height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        super().setText(self.fontMetrics().elidedText(self._full, Qt.ElideMiddle, max(0, self.contentsRect().width())))


def scrolled(widget: QWidget) -> QScrollArea:
    """``widget`` in a scroll area that follows the dock's width: its minimum size no longer sets the window's."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return area
