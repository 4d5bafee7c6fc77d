"""Real files for tests: images, labelImg-style XML, CIFAR batches."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np
from PIL import Image

from labelstudio_desktop.core.formats.voc import VocObject, voc_xml
from labelstudio_desktop.core.jobs import JobToken


def write_image(path: Path, w: int = 64, h: int = 48, seed: int = 0, fmt: str | None = None, **save) -> Path:
    """A real, smooth-ish picture (JPEG keeps it) of size w x h."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    base = rng.uniform(0, 255, 3)
    arr = (base + 60 * np.sin(xx[..., None] / (3 + seed % 5) + yy[..., None] / 7 + rng.uniform(0, 6, 3)))
    Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(path, format=fmt, **save)
    return path


def write_labelimg_xml(path: Path, image: Path, w: int, h: int, objects: list[VocObject],
                       verified: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(voc_xml(image.parent.name, image.name, str(image), w, h, 3, objects, verified))
    return path


def write_cifar(folder: Path, n_per_batch: int = 6, planes: int = 3, names=("cat", "dog", "ship")) -> None:
    """CIFAR-10 python batches as the original pickles them (bytes keys, uint8 rows, R then G then B)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [n.encode() for n in names], b"num_vis": 3072}, f)
    for batch in ("data_batch_1", "test_batch"):
        data = rng.integers(0, 255, (n_per_batch, planes * 1024), dtype=np.uint8)
        labels = [int(i % len(names)) for i in range(n_per_batch)]
        files = [f"img_{i}.png".encode() for i in range(n_per_batch)]
        with open(folder / batch, "wb") as f:
            pickle.dump({b"batch_label": batch.encode(), b"labels": labels, b"data": data,
                         b"filenames": files}, f)


def jpeg_bytes(w=64, h=48, seed=0) -> bytes:
    buf = io.BytesIO()
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


class CancelAtFirstBatch(JobToken):
    """A job token that cancels at the first training batch (past data loading) and counts the batches seen."""

    training = False
    batches = 0

    def status(self, text):
        self.training = self.training or text.startswith("training")

    def progress(self, done, total):
        if self.training and done > 0:  # past data loading (whose bar training restarts at 0): these are batches
            self.batches += 1
            self.cancel()
