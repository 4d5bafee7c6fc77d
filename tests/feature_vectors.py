"""Feature vectors written into a project as the embed job writes them (current for each file's size and mtime),
chosen so that which images look alike is known: an image of kind ``k`` points along its own ten directions of the
feature space, with a little noise."""

from __future__ import annotations

import numpy as np

from labelstudio_desktop.core.store.features import DIM, save_features


def kind_vector(kind: int, seed: int, wobble: float = 0.01) -> np.ndarray:
    v = np.random.default_rng(seed).normal(0, wobble, DIM).astype(np.float32)
    v[kind * 10:(kind + 1) * 10] += 1.0
    return v


def write_kind_features(store, kinds: dict[str, int]) -> None:
    """Store a vector of its kind for each image path of ``kinds`` (both feature kinds the same)."""
    images = {img.path: img for img in store.images()}
    rows = []
    for n, (path, kind) in enumerate(kinds.items()):
        img = images[path]
        st = store.abs_path(img.path).stat()
        v = kind_vector(kind, n)
        rows.append((img.id, st.st_size, st.st_mtime, v, v))
    save_features(store, rows)
