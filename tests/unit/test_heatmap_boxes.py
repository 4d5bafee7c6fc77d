"""Cold-start levers on crafted heatmaps and images (no model)."""

from __future__ import annotations

import numpy as np

from labelstudio_desktop.core.boxes.heatmap_boxes import binarize, grabcut_mask, strong_components, upsample


def test_strong_components_drop_the_specks_and_keep_the_objects():
    grid = np.zeros((64, 64), np.float32)
    grid[5:20, 5:20] = 1.0  # an object
    grid[40:55, 40:52] = 0.8  # another
    grid[60:62, 1:3] = 0.4  # a speck
    binary = grid > 0
    kept = strong_components(binary, grid, 0.2)
    assert kept[10, 10] and kept[45, 45] and not kept[61, 2]
    assert strong_components(binary, grid, 0.0)[61, 2]  # keep 0: everything stays


def test_grabcut_reaches_the_object_the_heatmap_only_touches():
    image = np.full((96, 128, 3), 30, np.uint8)
    image[20:70, 30:100] = (200, 180, 40)  # the object
    heat = np.zeros((24, 32), np.float32)
    heat[8:12, 12:18] = 1.0  # the heatmap lights a small part of it
    seed = upsample(heat, 64) >= 0.3
    mask = grabcut_mask(image, heat, 0.3, max_side=128)
    ys, xs = np.nonzero(mask)
    box = (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
    assert box[2] - box[0] > 60 and box[3] - box[1] > 40  # the object's extent, not the lit part
    assert mask.shape == (96, 128) and seed.sum() < mask.sum() * 64 * 64 / (96 * 128)


def test_grabcut_without_background_returns_the_seed():
    image = np.zeros((32, 32, 3), np.uint8)
    heat = np.ones((8, 8), np.float32)
    assert grabcut_mask(image, heat, 0.3).all()
    assert not grabcut_mask(image, np.zeros((8, 8), np.float32), 0.3).any()


def test_binarize_is_inclusive():
    heat = np.array([[0.3, 0.29], [1.0, 0.0]], np.float32)
    assert binarize(heat, 0.3, size=2).tolist() == [[True, False], [True, False]]
