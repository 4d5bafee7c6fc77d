"""From a class heatmap (Grad-CAM, 0..1) to binary maps and boxes: the cold-start levers measured by
``benchmarks/cold_start.py``.

- ``binarize``: the map upsampled and thresholded (Otsu's per-map threshold measured no better than 0.3).
- ``strong_components``: keep only the regions that carry a real share of the heat (one box per object without
  a box per speck).
- ``grabcut_mask``: OpenCV's GrabCut on the image, seeded by the map (sure foreground where the heat is high,
  probable foreground where it passes the threshold, probable background elsewhere), so a box can reach the
  object's extent rather than its most telling part.
"""

from __future__ import annotations

import cv2
import numpy as np

MAP_SIZE = 64


def upsample(heatmap: np.ndarray, size: int = MAP_SIZE) -> np.ndarray:
    return cv2.resize(heatmap.astype(np.float32), (size, size), interpolation=cv2.INTER_LINEAR)


def binarize(heatmap: np.ndarray, threshold: float, size: int = MAP_SIZE) -> np.ndarray:
    """The heatmap on the map grid, binarised at ``threshold`` (inclusive)."""
    return upsample(heatmap, size) >= threshold


def strong_components(binary: np.ndarray, grid: np.ndarray, keep: float) -> np.ndarray:
    """The binary map without the components whose summed heat is below ``keep`` times the strongest one's."""
    count, labels = cv2.connectedComponents(binary.astype(np.uint8), connectivity=8)
    if count <= 2 or keep <= 0:
        return binary
    mass = np.bincount(labels.ravel(), weights=grid.ravel(), minlength=count)[1:]
    strong = np.flatnonzero(mass >= keep * mass.max()) + 1
    return np.isin(labels, strong)


def grabcut_mask(image: np.ndarray, heatmap: np.ndarray, threshold: float, sure: float = 0.7,
                 iterations: int = 3, max_side: int = 96) -> np.ndarray:
    """A foreground mask (on the image, downscaled so its longer side is at most ``max_side``) from GrabCut
    seeded by the heatmap; the seed itself where GrabCut cannot run (no foreground or no background seed)."""
    h, w = image.shape[:2]
    scale = min(1.0, max_side / max(h, w))
    small = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA)
    heat = cv2.resize(heatmap.astype(np.float32), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_LINEAR)
    seed = np.full(heat.shape, cv2.GC_PR_BGD, np.uint8)
    seed[heat >= threshold] = cv2.GC_PR_FGD
    seed[heat >= max(sure, threshold)] = cv2.GC_FGD
    foreground = np.isin(seed, (cv2.GC_FGD, cv2.GC_PR_FGD))
    if foreground.all() or not foreground.any():
        return foreground
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    mask = seed.copy()
    cv2.grabCut(np.ascontiguousarray(small[..., ::-1]), mask, None, bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    return np.isin(mask, (cv2.GC_FGD, cv2.GC_PR_FGD))
