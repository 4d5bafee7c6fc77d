"""An evaluation in the Training dock: what it was measured on, a warning when that is too little to trust, and
its numbers as small tables (the whole split, then per class)."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .labels import FlowLabel

#: Metric names as the tables show them (unknown ones are shown as they are stored).
METRIC_NAMES = {
    "accuracy": QT_TRANSLATE_NOOP("EvaluationView", "Accuracy"),
    "precision": QT_TRANSLATE_NOOP("EvaluationView", "Precision"),
    "recall": QT_TRANSLATE_NOOP("EvaluationView", "Recall"),
    "ap50": QT_TRANSLATE_NOOP("EvaluationView", "AP50"),
    "map50": QT_TRANSLATE_NOOP("EvaluationView", "mAP50"),
    "mean_iou": QT_TRANSLATE_NOOP("EvaluationView", "Mean IoU"),
    "true_boxes": QT_TRANSLATE_NOOP("EvaluationView", "True boxes"),
    "predicted_boxes": QT_TRANSLATE_NOOP("EvaluationView", "Predicted boxes"),
    "true_positives": QT_TRANSLATE_NOOP("EvaluationView", "Boxes found"),
    "images": QT_TRANSLATE_NOOP("EvaluationView", "Images"),
    "score_threshold": QT_TRANSLATE_NOOP("EvaluationView", "Score threshold"),
    "proposed_precision": QT_TRANSLATE_NOOP("EvaluationView", "Precision as proposed"),
    "proposed_recall": QT_TRANSLATE_NOOP("EvaluationView", "Recall as proposed"),
    "proposed_mean_iou": QT_TRANSLATE_NOOP("EvaluationView", "Mean IoU as proposed"),
    "accepted_as_is": QT_TRANSLATE_NOOP("EvaluationView", "Accepted as is (as proposed)"),
    "iou": QT_TRANSLATE_NOOP("EvaluationView", "IoU"),
    "dice": QT_TRANSLATE_NOOP("EvaluationView", "Dice"),
    "mae": QT_TRANSLATE_NOOP("EvaluationView", "Mean absolute error"),
    "rmse": QT_TRANSLATE_NOOP("EvaluationView", "RMS error"),
    "grade_accuracy_cuts": QT_TRANSLATE_NOOP("EvaluationView", "Grade accuracy (tuned cut points)"),
    "grade_accuracy_rounding": QT_TRANSLATE_NOOP("EvaluationView", "Grade accuracy (rounding)"),
}
SPLIT_NAMES = {"train": QT_TRANSLATE_NOOP("EvaluationView", "train"),
               "val": QT_TRANSLATE_NOOP("EvaluationView", "val"),
               "test": QT_TRANSLATE_NOOP("EvaluationView", "test")}


def metric_name(key: str) -> str:
    """The shown name of a stored metric."""
    return QCoreApplication.translate("EvaluationView", METRIC_NAMES[key]) if key in METRIC_NAMES else key


def _table(parent: QWidget) -> QTableWidget:
    table = QTableWidget(parent)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.NoSelection)
    table.verticalHeader().hide()
    table.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Maximum)  # never widens the dock; scrolls instead
    table.horizontalHeader().setStretchLastSection(True)
    return table


class EvaluationView(QWidget):
    """The last evaluation: ``summary`` (run, split, images), ``warning`` (hidden when the numbers rest on enough
    images of the test split), ``table`` (metric, value) and ``classes`` (one row per class)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = FlowLabel("", self)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.warning = FlowLabel("", self)
        self.warning.setStyleSheet("QLabel { color: #a15c00; font-weight: bold; }")
        self.warning.hide()
        self.table = _table(self)
        self.table.setColumnCount(2)
        self.table.setHorizontalHeaderLabels([self.tr("Metric"), self.tr("Value")])
        self.classes = _table(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.summary, self.warning, self.table, self.classes):
            layout.addWidget(w)
        self.table.hide()
        self.classes.hide()

    def show_evaluation(self, evaluation) -> None:
        """Show ``evaluation`` (an ``ml.evaluate.Evaluation``)."""
        from ..ml.evaluate import FEW_IMAGES, format_metric

        split = self.tr(SPLIT_NAMES.get(evaluation.split, evaluation.split))
        self.summary.setText(self.tr("Run {0} on the {1} split: {2} images").format(
            evaluation.run_id, split, evaluation.images))
        warnings = []
        if evaluation.split != "test":
            warnings.append(self.tr("The test split has no usable image: these numbers are on the {0} split, which "
                                    "the model saw while training.").format(split))
        if evaluation.few_images:
            warnings.append(self.tr("Only {0} reviewed images in the {1} split: with fewer than {2}, one image "
                                    "changes these numbers a lot. Review more images before trusting them.").format(
                evaluation.images, split, FEW_IMAGES))
        self.warning.setText("\n".join(warnings))
        self.warning.setVisible(bool(warnings))
        overall = evaluation.overall()
        self.table.setRowCount(len(overall))
        for row, (key, value) in enumerate(overall):
            self._set(self.table, row, 0, metric_name(key), key)
            self._set(self.table, row, 1, format_metric(key, value))
        self._fit(self.table)
        columns, rows = evaluation.per_class()
        self.classes.clear()
        self.classes.setColumnCount(1 + len(columns))
        self.classes.setHorizontalHeaderLabels([self.tr("Class"), *(metric_name(c) for c in columns)])
        self.classes.setRowCount(len(rows))
        for row, (name, values) in enumerate(rows):
            self._set(self.classes, row, 0, name)
            for col, (key, value) in enumerate(zip(columns, values, strict=True)):
                self._set(self.classes, row, col + 1, format_metric(key, value))
        self._fit(self.classes)
        self.classes.setVisible(bool(rows))

    def clear(self) -> None:
        self.summary.clear()
        self.warning.clear()
        self.warning.hide()
        self.table.setRowCount(0)
        self.table.hide()
        self.classes.setRowCount(0)
        self.classes.hide()

    @staticmethod
    def _set(table: QTableWidget, row: int, col: int, text: str, key: str | None = None) -> None:
        item = QTableWidgetItem(text)
        if col:
            item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
        if key is not None:
            item.setData(Qt.UserRole, key)
        table.setItem(row, col, item)

    @staticmethod
    def _fit(table: QTableWidget) -> None:
        """Every row shown without a scroll bar (the Runs tab scrolls), columns sized to their text."""
        table.resizeColumnsToContents()
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Interactive)
        table.horizontalHeader().setStretchLastSection(True)
        height = table.horizontalHeader().height() + 2 * table.frameWidth()
        height += sum(table.rowHeight(r) for r in range(table.rowCount()))
        table.setFixedHeight(height)
        table.show()
