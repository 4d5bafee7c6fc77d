"""The Runs tab's predictions during training: per image, a run's snapshot every K epochs (``core/store/runs.py``)
as a strip: a U-Net's mask as two small views, the detector's boxes counted, a classifier's best class."""

from __future__ import annotations

import json

import cv2
import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from ..core.store.runs import Run, snapshots
from ..core.store.store import Store

SNAPSHOT_PX = 48  # each view of a mask snapshot
SNAPSHOT_THRESHOLD = 0.5


def snapshot_views(png: bytes) -> QPixmap:
    """A U-Net snapshot (grey probabilities 0-255, the model's input size) as two views side by side: histogram
    equalised (a faint early mask shows) and binarised at :data:`SNAPSHOT_THRESHOLD` (what review would keep)."""
    grey = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        return QPixmap()
    grey = cv2.resize(grey, (SNAPSHOT_PX, SNAPSHOT_PX), interpolation=cv2.INTER_AREA)
    binary = np.where(grey >= SNAPSHOT_THRESHOLD * 255, 255, 0).astype(np.uint8)
    both = np.ascontiguousarray(np.hstack([cv2.equalizeHist(grey), np.full((SNAPSHOT_PX, 2), 128, np.uint8),
                                           binary]))
    return QPixmap.fromImage(QImage(both.data, both.shape[1], both.shape[0], both.shape[1],
                                    QImage.Format_Grayscale8).copy())


class SnapshotStrips(QTreeWidget):
    """One row per image (its path; the image id as the first column's user data), one column per snapshot epoch."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIconSize(QSize(48, 48))
        self.setMaximumHeight(160)

    def show_run(self, store: Store, run: Run) -> None:
        """``run``'s snapshots in ``store``, replacing what was shown."""
        self.clear()
        strips = snapshots(store, run.id)
        masks = any(kind == "mask" for strip in strips.values() for _e, kind, _d in strip)
        self.setIconSize(QSize(2 * SNAPSHOT_PX + 2, SNAPSHOT_PX) if masks else QSize(48, 48))
        epochs = sorted({epoch for strip in strips.values() for epoch, _k, _d in strip})
        self.setColumnCount(1 + len(epochs))
        classes = run.params.get("classes")
        classes = classes if isinstance(classes, list) else []
        for image_id, strip in strips.items():
            item = QTreeWidgetItem([store.image(image_id).path])
            item.setData(0, Qt.UserRole, image_id)
            for epoch, kind, data in strip:
                self._cell(item, 1 + epochs.index(epoch), epoch, kind, data, classes)
            self.addTopLevelItem(item)

    def _cell(self, item: QTreeWidgetItem, col: int, epoch: int, kind: str, data, classes: list) -> None:
        if kind == "mask":
            item.setIcon(col, QIcon(snapshot_views(data)))
            item.setText(col, f"{epoch}")
            item.setToolTip(col, self.tr("Epoch {0}: equalised probabilities | binarised at {1}").format(
                epoch, SNAPSHOT_THRESHOLD))
        elif kind == "boxes":
            boxes = json.loads(data)
            best = self.tr(" (best {0})").format(f"{boxes[0]['score']:.2f}") if boxes else ""
            item.setText(col, self.tr("{0}: {1} boxes").format(epoch, len(boxes)) + best)
        else:
            values = json.loads(data)
            if isinstance(values, list) and len(values) == len(classes) and classes:
                best = max(range(len(values)), key=values.__getitem__)
                item.setText(col, f"{epoch}: {classes[best]} {values[best]:.2f}")
            else:
                item.setText(col, f"{epoch}: {values[0] if isinstance(values, list) else values:.2f}")
