"""Originals next to augmented versions, computed in the background (TensorFlow loads on first use)."""

from __future__ import annotations

from itertools import islice

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QGridLayout, QLabel, QVBoxLayout

from ..core.images import load_rgb
from ..core.store.store import Store
from .annotation import pil_to_qimage
from .process_job import in_process
from .workers import JobRunner

SAMPLES, VARIANTS, CELL = 4, 4, 128


class AugmentPreview(QDialog):
    def __init__(self, store: Store, config, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Augmentation preview"))
        self.grid = QGridLayout()
        self.info = QLabel(self.tr("Preparing…"), self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addLayout(self.grid)
        images = list(islice(store.each_image(include_excluded=False, include_missing=False), SAMPLES))
        size = config.size
        originals = [load_rgb(store.abs_path(i)) for i in images]
        self.originals = originals
        self.runner = JobRunner(self)
        self.runner.sig_done.connect(lambda _t, result: self.show_result(result))
        self.runner.sig_failed.connect(lambda _t, msg: self.info.setText(msg))
        from ..ml.data import resize_square

        batch = np.stack([resize_square(o, size) for o in originals]) if originals else np.zeros((0, size, size, 3))
        job = in_process("labelstudio_desktop.ml.augment:preview_job", images=batch, masks=None,
                         cfg=config.augment, size=size, variants=VARIANTS)
        self.runner.start("preview", job)

    def show_result(self, augmented: np.ndarray) -> None:
        from PIL import Image

        self.info.setText(self.tr("Left: original. Right: {0} augmented versions.").format(VARIANTS))
        for row, original in enumerate(self.originals):
            cells = [Image.fromarray(original)] + [Image.fromarray(a) for a in
                                                   augmented[row * VARIANTS:(row + 1) * VARIANTS]]
            for col, im in enumerate(cells):
                label = QLabel(self)
                label.setPixmap(QPixmap.fromImage(pil_to_qimage(im)).scaled(CELL, CELL, Qt.KeepAspectRatio))
                self.grid.addWidget(label, row, col)

    def done(self, result: int) -> None:
        self.runner.stop()
        super().done(result)
