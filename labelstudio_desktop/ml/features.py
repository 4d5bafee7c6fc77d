"""Computing image features with the ImageNet MobileNetV2 that ships with the app, for the images that need them.

An image's input: decoded upright (EXIF), a uniform border trimmed (the frame of a screenshot or a letterbox, up to a
quarter of each side: :func:`trim_border`), squeezed to :data:`~..core.features.INPUT_SIZE` pixels square (the whole
picture), and the same of its central :data:`CENTRE` (each side). The network sees both in their four quarter turns
in one batch; the upright whole image's pooled output is the ``pooled`` feature, the mean of the eight the ``views``
feature (:mod:`..core.features`).

:func:`compute_features` is a job (progress, cancel between batches): it skips the images whose stored features are
current, reads and decodes the next batch in threads while the network runs, and commits each batch, so a cancelled
or killed run keeps what it finished and the next run resumes there.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np
from keras import layers
from PIL import Image, ImageOps, UnidentifiedImageError

from ..core.batches import read_ahead
from ..core.fsutil import check_read
from ..core.images import to_rgb
from ..core.jobs import JobToken
from ..core.store.features import INPUT_SIZE, EmbedReport, FeatureState, feature_state, save_features
from ..core.store.store import ImageRecord, Store
from .models import transfer_base

#: Images per batch (the network runs on eight times as many: :func:`view_features`); the job stops between batches.
BATCH = 8
#: The second view of an image: its centre, this share of each side (a crop of 10-20% then still overlaps it).
CENTRE = 0.8
#: A border row or column: every pixel within this many levels (0-255) of the corner's colour.
BORDER_TOLERANCE = 12
#: The most of each side trimmed as border.
MAX_BORDER = 0.25


def _leading(flags: np.ndarray, most: int) -> int:
    """How many of ``flags`` are True from the start, at most ``most``."""
    stop = np.flatnonzero(~flags[:most])
    return int(stop[0]) if stop.size else min(most, flags.size)


def trim_border(rgb: np.ndarray, tolerance: int = BORDER_TOLERANCE, most: float = MAX_BORDER) -> np.ndarray:
    """``rgb`` (H x W x 3) without the uniform rows and columns at its edges: each side's rows (columns) whose pixels
    are all within ``tolerance`` of that side's corner colour, at most ``most`` of the side."""
    h, w = rgb.shape[:2]
    pixels = rgb.astype(np.int16)

    def near(ref: np.ndarray) -> np.ndarray:
        return np.abs(pixels - ref).max(axis=2) <= tolerance

    top = _leading(near(pixels[0, 0]).all(axis=1), int(h * most))
    bottom = h - _leading(near(pixels[-1, -1]).all(axis=1)[::-1], int(h * most))
    left = _leading(near(pixels[top, 0])[top:bottom].all(axis=0), int(w * most))
    right = w - _leading(near(pixels[bottom - 1, -1])[top:bottom].all(axis=0)[::-1], int(w * most))
    return rgb[top:bottom, left:right]


def model_inputs(path: Path, size: int = INPUT_SIZE) -> np.ndarray:
    """The network's two inputs for the image at ``path`` (2 x ``size`` x ``size`` x 3 uint8): the upright RGB image,
    border trimmed, whole and its centre."""
    check_read(path)
    with Image.open(path) as im:
        im.draft(im.mode, (2 * size, 2 * size))  # a JPEG decodes at a reduced scale, still twice the input or more
        im.load()
        rgb = np.asarray(to_rgb(ImageOps.exif_transpose(im)))
    whole = Image.fromarray(np.ascontiguousarray(trim_border(rgb)))
    w, h = whole.size
    cw, ch = max(1, round(w * CENTRE)), max(1, round(h * CENTRE))
    centre = whole.crop(((w - cw) // 2, (h - ch) // 2, (w - cw) // 2 + cw, (h - ch) // 2 + ch))
    return np.stack([np.asarray(view.resize((size, size), Image.BILINEAR)) for view in (whole, centre)])


def _safe_input(path: Path, size: int) -> np.ndarray | str:
    try:
        return model_inputs(path, size)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError) as exc:
        return f"cannot decode ({exc})"


def build_extractor(size: int = INPUT_SIZE) -> keras.Model:
    """MobileNetV2 with the shipped ImageNet weights, its last feature map averaged: 1,280 numbers per image."""
    inputs = keras.Input((size, size, 3), name="image")
    base = transfer_base(inputs)
    return keras.Model(inputs, layers.GlobalAveragePooling2D(name="pooled")(base.output), name="features")


def view_features(model: keras.Model, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pooled`` (the upright whole images) and ``views`` (the mean over the four quarter turns of both inputs) for
    a batch of :func:`model_inputs` (N x 2 x S x S x 3)."""
    n = len(batch)
    views = batch.transpose(1, 0, 2, 3, 4).reshape(2 * n, *batch.shape[2:])  # all whole images, then all centres
    turned = np.concatenate([np.rot90(views, k, axes=(1, 2)) for k in range(4)]).astype(np.float32)
    out = np.asarray(model.predict_on_batch(turned)).reshape(8, n, -1)
    return out[0], out.mean(axis=0)


def predict_in_calls(model: keras.Model, pixels: np.ndarray, per_call: int) -> np.ndarray:
    """The model's outputs for ``pixels``, ``per_call`` at a time, the last call padded: a call of another size would
    trace the network again, which costs more than the padding."""
    out = []
    for start in range(0, len(pixels), per_call):
        chunk = pixels[start:start + per_call].astype(np.float32)
        padded = np.zeros((per_call, *chunk.shape[1:]), np.float32)
        padded[:len(chunk)] = chunk
        out.append(np.asarray(model.predict_on_batch(padded))[:len(chunk)])
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def compute_features(store: Store, job: JobToken | None = None, batch: int = BATCH,
                     model: keras.Model | None = None, state: FeatureState | None = None) -> EmbedReport:
    """Compute and store the features of the project's usable images that have none, or only of an older file
    (``state``: :func:`~..core.features.feature_state` when the caller has it already)."""
    job = job or JobToken()
    started = time.perf_counter()
    state = state or feature_state(store)
    report = EmbedReport.start(state)
    todo = state.todo
    if todo:
        job.status(f"computing features of {len(todo)} images ({len(state.done)} already done)")
        job.check()  # a job cancelled while TensorFlow loaded stops before the network is built
        model = model or build_extractor()
        _run_batches(store, model, todo, batch, job, report)
    report.seconds = time.perf_counter() - started
    return report


def _run_batches(store: Store, model: keras.Model, todo: list[tuple[ImageRecord, int, float]], batch: int,
                 job: JobToken, report: EmbedReport) -> None:
    size = int(model.input_shape[1])
    batches = [todo[start:start + batch] for start in range(0, len(todo), batch)]
    job.progress(0, len(todo))
    for n, (items, inputs) in enumerate(read_ahead(batches, lambda t: _safe_input(store.abs_path(t[0]), size), job,
                                                   workers=2)):
        good = [(item, x) for item, x in zip(items, inputs, strict=True) if not isinstance(x, str)]
        for (img, _size, _mtime), x in zip(items, inputs, strict=True):
            if isinstance(x, str):
                report.failed += 1
                report.problems.append((img.path, x))
        if good:
            pooled, views = view_features(model, np.stack([x for _, x in good]))
            save_features(store, [(img.id, fsize, mtime, pooled[k], views[k])
                                  for k, ((img, fsize, mtime), _x) in enumerate(good)])
            report.done += len(good)
        job.progress(min((n + 1) * batch, len(todo)), len(todo))


def embed_project(db_path: str, job: JobToken | None = None) -> dict:
    """:func:`compute_features` of the project at ``db_path``, its report as a dict (the app runs this in a child
    process: ``gui/process_job.py``)."""
    with Store.open(db_path) as store:
        return compute_features(store, job).as_dict()

