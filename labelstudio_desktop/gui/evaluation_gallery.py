"""The Runs tab's gallery of an evaluation's worst images: a classifier's misclassified images (true -> predicted),
a detector's images with the most false and missed boxes first; a click opens the image."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from ..core.store.store import Store

THUMB_PX = 72
# A detector's images shown at most (those with an error).
WORST_SHOWN = 50


class EvaluationGallery(QListWidget):
    """``sig_show_image(image_id)``: the operator clicked an image."""

    sig_show_image = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setViewMode(QListWidget.IconMode)
        self.setIconSize(QPixmap(THUMB_PX, THUMB_PX).size())
        self.itemActivated.connect(lambda item: self.sig_show_image.emit(item.data(Qt.UserRole)))
        self.itemClicked.connect(lambda item: self.sig_show_image.emit(item.data(Qt.UserRole)))

    def show_evaluation(self, store: Store, evaluation) -> None:
        """``evaluation``'s images (``ml.evaluate.Evaluation``), replacing what was shown."""
        self.clear()
        if evaluation.task == "detect":
            for worst in evaluation.worst[:WORST_SHOWN]:
                if worst["fp"] + worst["fn"] == 0:
                    break
                self._add(store, worst["path"], self.tr("{0} false, {1} missed").format(worst["fp"], worst["fn"]),
                          self.tr("{0}: {1} of {2} boxes found, {3} false, mean IoU {4:.2f}").format(
                              worst["path"], worst["tp"], worst["true"], worst["fp"], worst["mean_iou"]))
        for miss in evaluation.misclassified:
            self._add(store, miss["path"], f"{miss['true']}→{miss['pred']}",
                      self.tr("{0}: {1} predicted as {2} ({3})").format(miss["path"], miss["true"], miss["pred"],
                                                                         f"{miss['confidence']:.2f}"))

    def _add(self, store: Store, path: str, text: str, tooltip: str) -> None:
        image = store.image_by_path(path)
        if image is None:
            return
        pix = QPixmap(str(store.abs_path(image)))
        item = QListWidgetItem(QIcon(pix.scaled(THUMB_PX, THUMB_PX, Qt.KeepAspectRatio, Qt.SmoothTransformation)),
                               text)
        item.setData(Qt.UserRole, image.id)
        item.setToolTip(tooltip)
        self.addItem(item)
