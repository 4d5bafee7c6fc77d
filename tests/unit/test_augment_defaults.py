"""No task turns ordinary photos upside down by default (issue 19); vertical flips and rotation stay options.

A photo has an up: sky above, a table below. Training a detector on upside-down copies of every other photo spends
its few images on views it will never be asked about. Pictures without an up (microscope slides such as BCCD, aerial
views) can turn vertical flips and rotation on in the Training dock or with ``--augment``.
"""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.ml.config import TASKS, AugmentConfig, TrainConfig
from labelstudio_desktop.ml.data import augment_detection
from labelstudio_desktop.ml.detector import ImageBoxes


@pytest.mark.parametrize("task", TASKS)
def test_no_task_flips_vertically_or_rotates_by_default(task):
    augment = TrainConfig.for_task(task).augment
    assert not augment.vflip and not augment.rotate


def test_the_detectors_default_augmentation_keeps_a_photo_upright():
    """A picture bright on top and dark below, a box in its top half: through the detector's default augmentation
    (the one its training uses) a hundred times, the top stays bright and the box stays in the top half."""
    cfg = TrainConfig.for_task("detect").augment
    image = np.zeros((64, 64, 3), np.uint8)
    image[:32] = 220
    boxes = ImageBoxes(boxes=np.float32([[0.3, 0.1, 0.7, 0.4]]), labels=np.int64([0]))
    rng = np.random.default_rng(0)
    for _ in range(100):
        out, moved = augment_detection(image, boxes, cfg, rng)
        assert out[:16].mean() > out[48:].mean()
        assert all(b[3] <= 0.6 for b in moved.boxes)


def test_vertical_flip_and_rotation_are_still_offered():
    assert AugmentConfig.from_names("hflip,vflip").vflip
    assert AugmentConfig.from_names("rotate").rotate > 0
    image = np.zeros((64, 64, 3), np.uint8)
    image[:32] = 220
    flips = [augment_detection(image, ImageBoxes(), AugmentConfig(vflip=True), np.random.default_rng(n))[0]
             for n in range(20)]
    assert any(f[:16].mean() < f[48:].mean() for f in flips)  # chosen, it does turn pictures upside down
