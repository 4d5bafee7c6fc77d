"""The right-hand panel: the image's class, value, split, review status, warnings, and its boxes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ..core.labels_rule import label_problem
from ..core.store.store import SPLITS, BoxRecord, ImageRecord
from .canvas import label_color
from .image_notes import translate_note
from .mask_panel import MaskControls

NO_VALUE = -1e9


class PropertiesPanel(QWidget):
    """Emits ``sig_field_edited(name, value)`` for image fields and ``sig_box_selected(box_id)``."""

    sig_field_edited = Signal(str, object)
    sig_fields_edited = Signal(dict)  # Enter: every field at once
    sig_box_selected = Signal(int)
    sig_mask_view_changed = Signal()  # opacity, threshold or equalisation changed
    sig_mask_action = Signal(str)  # "accept" or "reject"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._loading = False
        self.path_label = QLabel(self)
        self.path_label.setWordWrap(True)
        self.path_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.size_label = QLabel(self)
        self.class_box = QComboBox(self)
        self.class_box.setEditable(True)
        self.class_box.setInsertPolicy(QComboBox.NoInsert)
        self.class_box.lineEdit().setPlaceholderText(self.tr("no class"))
        self.class_box.lineEdit().editingFinished.connect(self._class_edited)
        self.class_box.lineEdit().returnPressed.connect(self.commit_fields)
        self.class_box.activated.connect(lambda _: self._class_edited())
        self.class_problem = QLabel(self)  # why a typed class was not saved (the label rule)
        self.class_problem.setWordWrap(True)
        self.class_problem.setStyleSheet("color: #c0392b;")
        self.class_problem.setVisible(False)
        self.class_keys = QLabel(self)  # one line, cut at the panel's edge (the class field's tooltip has it all)
        self.class_keys.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.class_keys.setStyleSheet("color: palette(mid);")
        self.value_box = QDoubleSpinBox(self)
        self.value_box.setRange(NO_VALUE, 1e9)
        self.value_box.setDecimals(3)
        self.value_box.setSpecialValueText(self.tr("none"))
        self.value_box.setKeyboardTracking(False)
        self.value_box.valueChanged.connect(self._value_edited)
        self.value_box.lineEdit().returnPressed.connect(self.commit_fields)
        self.split_box = QComboBox(self)
        self.split_box.addItem(self.tr("no split"), None)
        for split in SPLITS:
            self.split_box.addItem(split, split)
        self.split_box.activated.connect(lambda _: self._emit("split", self.split_box.currentData()))
        self.verified_box = QCheckBox(self.tr("Verified"), self)
        self.verified_box.clicked.connect(
            lambda on: self._emit("status", "verified" if on else "unverified"))
        self.excluded_box = QCheckBox(self.tr("Excluded from training and export"), self)
        self.excluded_box.clicked.connect(lambda on: self._emit("excluded", bool(on)))
        self.warnings_label = QLabel(self)
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color: #c77800;")
        self.box_list = QListWidget(self)
        # long rows (a long class name, a proposal's state) wrap within the panel: no sideways scrolling to read them
        self.box_list.setWordWrap(True)
        self.box_list.setResizeMode(QListView.Adjust)
        self.box_list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.box_list.currentItemChanged.connect(self._box_clicked)
        self.mask_box = QGroupBox(self.tr("Overlay"), self)
        self.mask_state = QLabel(self)
        self.opacity = QSlider(Qt.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(45)
        self.threshold = QSlider(Qt.Horizontal, self)
        self.threshold.setRange(1, 99)
        self.threshold.setValue(50)
        self.equalize = QCheckBox(self.tr("Equalised view (faint early masks)"), self)
        self.equalize.setToolTip(self.tr("Histogram-equalised before the threshold; Accept stores what is shown"))
        for w in (self.opacity, self.threshold):
            w.valueChanged.connect(lambda _v: self.sig_mask_view_changed.emit())
        self.equalize.toggled.connect(lambda _on: self.sig_mask_view_changed.emit())
        accept = QPushButton(self.tr("Accept mask"), self)
        accept.setToolTip(self.tr("Store the proposal as shown, binarised at the threshold (Shift+Enter)"))
        accept.clicked.connect(lambda: self.sig_mask_action.emit("accept"))
        reject = QPushButton(self.tr("Reject mask"), self)
        reject.setToolTip(self.tr("Shift+X"))
        reject.clicked.connect(lambda: self.sig_mask_action.emit("reject"))
        self.mask_only = [accept, reject, self.threshold, self.equalize]
        mask_form = QFormLayout(self.mask_box)
        mask_form.addRow(self.mask_state)
        mask_form.addRow(self.tr("Opacity"), self.opacity)
        self.threshold_label = QLabel(self.tr("Threshold"), self)
        self.mask_only.append(self.threshold_label)
        mask_form.addRow(self.threshold_label, self.threshold)
        mask_form.addRow(self.equalize)
        row = QHBoxLayout()
        row.addWidget(accept)
        row.addWidget(reject)
        mask_form.addRow(row)
        self.mask_controls = MaskControls(self)
        mask_form.addRow(self.mask_controls)
        self.mask_box.setVisible(False)

        form = QFormLayout()
        form.addRow(self.tr("File"), self.path_label)
        form.addRow(self.tr("Size"), self.size_label)
        form.addRow(self.tr("Class"), self.class_box)
        form.addRow("", self.class_problem)
        form.addRow("", self.class_keys)
        form.addRow(self.tr("Value"), self.value_box)
        form.addRow(self.tr("Split"), self.split_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.verified_box)
        layout.addWidget(self.excluded_box)
        layout.addWidget(self.warnings_label)
        layout.addWidget(QLabel(self.tr("Objects"), self))
        layout.addWidget(self.box_list, 1)
        layout.addWidget(self.mask_box)
        self.setEnabled(False)

    def show_overlay_controls(self, kind: str | None, painting: bool = False) -> None:
        """``mask``: a mask proposal to review (threshold, equalised view, accept, reject); ``heatmap`` and
        ``accepted``: opacity only; None: hidden unless ``painting`` (a mask tool is active: its controls)."""
        self.mask_box.setVisible(kind is not None or painting)
        for w in self.mask_only:
            w.setVisible(kind == "mask")
        self.mask_controls.setVisible(painting)

    def set_classes(self, classes: list[str]) -> None:
        text = self.class_box.currentText()
        self.class_box.blockSignals(True)
        self.class_box.clear()
        self.class_box.addItems(classes)
        self.class_box.setEditText(text)
        self.class_box.blockSignals(False)

    def show_image(self, image: ImageRecord | None, boxes: list[BoxRecord]) -> None:
        self._loading = True
        try:
            self.setEnabled(image is not None)
            self.class_problem.setVisible(False)
            if image is None:
                for label in (self.path_label, self.size_label, self.warnings_label):
                    label.clear()
                self.class_box.setEditText("")
                self.value_box.setValue(NO_VALUE)
                self.split_box.setCurrentIndex(0)
                self.verified_box.setChecked(False)
                self.excluded_box.setChecked(False)
                self.box_list.clear()
                self.mask_box.setVisible(False)
                return
            self.path_label.setText(image.path)
            self.size_label.setText(self.tr("{0} × {1}, {2} ch, {3} B").format(
                image.width, image.height, image.channels, f"{image.size:,}"))
            self.class_box.setEditText(image.label or "")
            self.value_box.setValue(NO_VALUE if image.value is None else image.value)
            self.split_box.setCurrentIndex(max(0, self.split_box.findData(image.split)))
            self.verified_box.setChecked(image.status == "verified")
            self.excluded_box.setChecked(image.excluded)
            missing = [self.tr("file missing on disk")] if image.missing else []
            self.warnings_label.setText("\n".join(missing + [translate_note(w) for w in image.warnings]))
            self.warnings_label.setVisible(bool(missing or image.warnings))
            self.show_boxes(boxes)
        finally:
            self._loading = False

    def show_boxes(self, boxes: list[BoxRecord], selected: int = -1) -> None:
        self._loading = True
        self.box_list.clear()
        for box in boxes:
            state = (" ✎" if box.edited else "") if box.state == "accepted" else " [{0}]".format(
                {"pending": self.tr("pending"), "rejected": self.tr("rejected")}.get(box.state, box.state))
            item = QListWidgetItem(f"{box.label}{state}  {box.x1 - box.x0}×{box.y1 - box.y0}")
            item.setToolTip(f"{box.label}  ({box.x0},{box.y0})–({box.x1},{box.y1}){state}")
            item.setData(Qt.UserRole, box.id)
            item.setForeground(label_color(box.label).darker(130))
            self.box_list.addItem(item)
            if box.id == selected:
                self.box_list.setCurrentItem(item)
        self._loading = False

    def select_box(self, box_id: int) -> None:
        self._loading = True
        for i in range(self.box_list.count()):
            if self.box_list.item(i).data(Qt.UserRole) == box_id:
                self.box_list.setCurrentRow(i)
                break
        else:
            self.box_list.setCurrentRow(-1)
        self._loading = False

    def add_box_actions(self, actions: list[QAction]) -> None:
        """The review actions of the selected box (accept, reject, label, delete) on the Objects list too: their keys
        act while the list has the focus (as on the canvas) and they make its context menu."""
        for action in actions:
            self.box_list.addAction(action)
        self.box_list.setContextMenuPolicy(Qt.ActionsContextMenu)

    def show_class_keys(self, classes: list[str]) -> None:
        """Which class each digit key sets, under the class field and as its tooltip."""
        text = "  ".join(f"{n}\u00a0{name}" for n, name in enumerate(classes, start=1))
        self.class_keys.setText(self.tr("Keys: {0}").format(text) if classes else "")
        self.class_keys.setVisible(bool(classes))
        self.class_box.setToolTip(self.tr("Digit keys on the image set the class: {0}").format(text) if classes
                                  else "")

    def _emit(self, name: str, value) -> None:
        if not self._loading:
            self.sig_field_edited.emit(name, value)

    def _class_value(self) -> str | None:
        return self.class_box.currentText().strip() or None

    def _number_value(self) -> float | None:
        value = self.value_box.value()
        return None if value <= NO_VALUE else value

    def _class_refused(self) -> bool:
        """True (with the reason shown under the field) when the typed class breaks the label rule."""
        problem = label_problem(self._class_value() or "")
        self.class_problem.setText(self.tr("Not saved: {0}").format(translate_note(problem)) if problem else "")
        self.class_problem.setVisible(bool(problem))
        return bool(problem)

    def _class_edited(self) -> None:
        if not self._class_refused():
            self._emit("label", self._class_value())

    def _value_edited(self, value: float) -> None:
        self._emit("value", None if value <= NO_VALUE else value)

    def commit_fields(self) -> None:
        """Enter in a field saves every field of the panel at once (one undo step)."""
        if self._loading:
            return
        self.value_box.interpretText()  # the text typed so far, even before the spin box takes it
        if self._class_refused():
            self.sig_field_edited.emit("value", self._number_value())
            return
        self.sig_fields_edited.emit({"label": self._class_value(), "value": self._number_value()})

    def _box_clicked(self, item: QListWidgetItem | None, _previous) -> None:
        if item is not None and not self._loading:
            self.sig_box_selected.emit(item.data(Qt.UserRole))
