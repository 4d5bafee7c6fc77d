"""The mask tools' controls in the side panel: the label painted, the brush size, the outline view, fill holes and
clear. They are shown while a mask tool is active (the opacity slider above them serves every overlay)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QPushButton, QSpinBox, QWidget

from .mask_tools import MAX_BRUSH, MIN_BRUSH


class MaskControls(QWidget):
    """``sig_label_chosen(label)`` when the user picks or types the label to paint; ``sig_brush_resized(px)``;
    ``sig_outline_toggled(on)``; ``sig_fill_holes`` and ``sig_clear`` from the buttons."""

    sig_label_chosen = Signal(str)
    sig_brush_resized = Signal(int)
    sig_outline_toggled = Signal(bool)
    sig_fill_holes = Signal()
    sig_clear = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label_box = QComboBox(self)
        self.label_box.setEditable(True)
        self.label_box.setInsertPolicy(QComboBox.NoInsert)
        self.label_box.lineEdit().setPlaceholderText(self.tr("asked at the first stroke"))
        self.label_box.setToolTip(self.tr("The label the mask tools paint (the image's class when it has one)"))
        self.label_box.activated.connect(lambda _i: self._label_chosen())
        self.label_box.lineEdit().editingFinished.connect(self._label_chosen)
        self.brush = QSpinBox(self)
        self.brush.setRange(MIN_BRUSH, MAX_BRUSH)
        self.brush.setSuffix(self.tr(" px"))
        self.brush.setToolTip(self.tr("Brush and eraser diameter in image pixels ([ and ] on the image)"))
        self.brush.valueChanged.connect(self.sig_brush_resized.emit)
        self.outline = QCheckBox(self.tr("Outline only"), self)
        self.outline.setToolTip(self.tr("Show the masks' edges instead of filled masks (O)"))
        self.outline.toggled.connect(self.sig_outline_toggled.emit)
        fill = QPushButton(self.tr("Fill holes"), self)
        fill.clicked.connect(self.sig_fill_holes.emit)
        clear = QPushButton(self.tr("Clear mask"), self)
        clear.clicked.connect(self.sig_clear.emit)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Mask label"), self.label_box)
        form.addRow(self.tr("Brush"), self.brush)
        form.addRow(self.outline)
        row = QHBoxLayout()
        row.addWidget(fill)
        row.addWidget(clear)
        form.addRow(row)

    def _label_chosen(self) -> None:
        text = self.label_box.currentText().strip()
        if text:
            self.sig_label_chosen.emit(text)

    def show_label(self, label: str, labels: list[str]) -> None:
        """The label painted now, among the project's labels, without emitting anything."""
        self.label_box.blockSignals(True)
        self.label_box.clear()
        self.label_box.addItems(labels)
        self.label_box.setEditText(label)
        self.label_box.blockSignals(False)

    def show_brush(self, diameter: int) -> None:
        self.brush.blockSignals(True)
        self.brush.setValue(diameter)
        self.brush.blockSignals(False)
