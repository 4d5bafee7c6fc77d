"""Features of the objects in their boxes: what judges a box's class (``core/mistakes.py``, likely mistakes).

Each box is cut from its upright image with a margin of :data:`CONTEXT` of its size on every side (a little of
what surrounds an object tells what it is), resized to :data:`CROP_SIZE` pixels square and passed through the
shipped ImageNet MobileNetV2 (its pooled output: 1,280 numbers). Whole-image features cannot tell a small object's
class (a board at a tenth of a desk photo, a card's rank); its crop can. Images are read in threads while the
network runs on the previous ones; a box whose image cannot be read is reported, the others go on.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
from PIL import Image, UnidentifiedImageError

from ..core.batches import read_ahead
from ..core.images import ImageProblem, open_upright
from ..core.jobs import JobToken
from ..core.store.features import INPUT_SIZE
from ..core.store.records import BoxRecord
from ..core.store.store import Store
from .features import build_extractor, predict_in_calls

CROP_SIZE = INPUT_SIZE  # as the whole images: one extractor serves both; 160 px beat 96 and 128 on cards
CONTEXT = 0.15
#: Images whose crops are read together, and the crops the network takes at once (always this many: a batch of
#: another size would trace the network again).
IMAGES_PER_BATCH = 8
CROPS_PER_CALL = 32


@dataclass
class BoxFeatures:
    """The ids of the boxes that have features, their vectors (N x 1,280 float32, same order), the boxes that could
    not be cut (path, reason) and the seconds it took."""

    ids: list[int] = field(default_factory=list)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1280), np.float32))
    problems: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def crops(image: Image.Image, boxes: list[BoxRecord], size: int = CROP_SIZE, context: float = CONTEXT) -> np.ndarray:
    """The boxes of ``image`` (upright RGB) cut with their margin and resized: ``len(boxes) x size x size x 3``."""
    w, h = image.size
    out = np.zeros((len(boxes), size, size, 3), np.uint8)
    for n, box in enumerate(boxes):
        mx, my = context * (box.x1 - box.x0), context * (box.y1 - box.y0)
        left, top = max(0, round(box.x0 - mx)), max(0, round(box.y0 - my))
        right, bottom = min(w, round(box.x1 + mx)), min(h, round(box.y1 + my))
        if right > left and bottom > top:
            out[n] = np.asarray(image.crop((left, top, right, bottom)).resize((size, size), Image.BILINEAR))
    return out


def box_features(store: Store, boxes: list[BoxRecord], job: JobToken | None = None,
                 model: keras.Model | None = None, size: int = CROP_SIZE) -> BoxFeatures:
    """Features of ``boxes`` (see the module's docstring); ``model``: an extractor of ``size`` (built when None)."""
    job = job or JobToken()
    started = time.perf_counter()
    model = model or build_extractor(size)
    result = BoxFeatures()
    by_image: dict[int, list[BoxRecord]] = {}
    for box in boxes:
        by_image.setdefault(box.image_id, []).append(box)
    images = {img.id: img for img in store.images() if img.id in by_image}
    order = [image_id for image_id in by_image if image_id in images]
    batches = [order[start:start + IMAGES_PER_BATCH] for start in range(0, len(order), IMAGES_PER_BATCH)]

    def load(image_id: int) -> np.ndarray | str:
        try:
            with open_upright(store.abs_path(images[image_id])) as im:
                return crops(im.convert("RGB"), by_image[image_id], size)
        except ImageProblem as exc:  # its message names the file: keep the reason
            return str(exc).removeprefix(f"{Path(images[image_id].path).name}: ")
        except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
            return f"cannot decode ({exc})"

    vectors = []
    job.progress(0, len(order))
    for n, (batch, loaded) in enumerate(read_ahead(batches, load, job, workers=2)):
        cut = []
        for image_id, pixels in zip(batch, loaded, strict=True):
            if isinstance(pixels, str):
                result.problems.append((images[image_id].path, pixels))
                continue
            cut.append(pixels)
            result.ids += [box.id for box in by_image[image_id]]
        if cut:
            vectors.append(predict_in_calls(model, np.concatenate(cut), CROPS_PER_CALL))
        job.progress(min((n + 1) * IMAGES_PER_BATCH, len(order)), len(order))
    if vectors:
        result.vectors = np.concatenate(vectors).astype(np.float32)
    result.seconds = time.perf_counter() - started
    return result
