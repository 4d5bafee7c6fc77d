"""Training data from the store: images decoded once (EXIF-upright, resized), targets per task, tf.data.

Only usable images (not excluded, not missing) and accepted annotations (never pending proposals) are used.
Images are decoded by core's loader, which copes with every odd file, then held in memory as uint8: the
tf.data pipeline (shuffle, batch, augment, prefetch) then runs on tensors and is never the bottleneck.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np

from ..core.dedup import find_duplicates
from ..core.images import ImageProblem, load_rgb
from ..core.jobs import JobToken
from ..core.masks import union_mask
from ..core.split import assign_splits
from ..core.store import SPLITS, Store

TASKS = ("classify", "segment", "regress")
BALANCES = ("none", "weights", "oversample", "undersample")


class DataError(Exception):
    """The project has no usable training data for this task; the message says what is missing."""


@dataclass
class TaskData:
    task: str
    size: int
    classes: list[str] = field(default_factory=list)
    x: dict[str, np.ndarray] = field(default_factory=dict)  # split -> N x S x S x 3 uint8
    y: dict[str, np.ndarray] = field(default_factory=dict)  # class index, value, or N x S x S x 1 mask
    ids: dict[str, list[int]] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def counts(self, split: str = "train") -> dict[str, int]:
        """Images per class in a split (classification), for the balance options."""
        if self.task != "classify":
            return {}
        c = Counter(self.y[split].tolist())
        return {name: c.get(i, 0) for i, name in enumerate(self.classes)}


def resize_square(pixels: np.ndarray, size: int, nearest: bool = False) -> np.ndarray:
    interpolation = cv2.INTER_NEAREST if nearest else (cv2.INTER_AREA if pixels.shape[0] > size else
                                                       cv2.INTER_LINEAR)
    return cv2.resize(pixels, (size, size), interpolation=interpolation)


def ensure_split(store: Store, seed: int = 0) -> bool:
    """Make a split (keeping duplicate groups together) when no usable image has one; True if made."""
    if store.conn.execute("SELECT COUNT(*) FROM images WHERE split IS NOT NULL AND excluded=0").fetchone()[0]:
        return False
    assign_splits(store, find_duplicates(store).groups, seed=seed)
    return True


def collect(store: Store, task: str, size: int, job: JobToken | None = None,
            classes: list[str] | None = None) -> TaskData:
    """Decode and resize every usable labelled image of ``task``, grouped by split."""
    if task not in TASKS:
        raise DataError(f"unknown task {task!r}; choose one of {', '.join(TASKS)}")
    job = job or JobToken()
    images = [i for i in store.images(include_excluded=False, include_missing=False) if i.split]
    data = TaskData(task=task, size=size)
    if task == "classify":
        images = [i for i in images if i.label]
        data.classes = classes or sorted({i.label for i in images})
    elif task == "regress":
        images = [i for i in images if i.value is not None]
    xs: dict[str, list] = {s: [] for s in SPLITS}
    ys: dict[str, list] = {s: [] for s in SPLITS}
    ids: dict[str, list[int]] = {s: [] for s in SPLITS}
    job.status(f"loading {len(images)} images")
    for n, img in enumerate(images):
        job.check()
        target = None
        if task == "classify":
            if img.label not in data.classes:
                continue
            target = data.classes.index(img.label)
        elif task == "regress":
            target = float(img.value)
        else:
            mask = union_mask(store, img.id, img.width, img.height)
            if mask is None:
                continue
            target = resize_square(mask, size, nearest=True)[..., None].astype(np.float32)
        try:
            pixels = load_rgb(store.abs_path(img))
        except (ImageProblem, OSError) as exc:
            data.problems.append((img.path, str(exc)))
            continue
        xs[img.split].append(resize_square(pixels, size))
        ys[img.split].append(target)
        ids[img.split].append(img.id)
        job.progress(n + 1, len(images))
    for split in SPLITS:
        data.x[split] = np.asarray(xs[split], np.uint8).reshape(-1, size, size, 3)
        dtype = np.int64 if task == "classify" else np.float32
        shape = (-1, size, size, 1) if task == "segment" else (-1,)
        data.y[split] = np.asarray(ys[split], dtype).reshape(shape)
        data.ids[split] = ids[split]
    _check(data)
    return data


def _check(data: TaskData) -> None:
    what = {"classify": "images with a class", "regress": "images with a numeric value",
            "segment": "images with an accepted mask"}[data.task]
    if len(data.x["train"]) == 0:
        raise DataError(f"no {what} in the train split: label some images (and run `split`) first")
    if data.task == "classify":
        if len(data.classes) < 2:
            raise DataError(f"classification needs at least two classes (found {data.classes or 'none'})")
        empty = [c for c, n in data.counts("train").items() if n == 0]
        if empty:
            raise DataError(f"no training images in class(es) {', '.join(empty)}: add some, or exclude the class")


def class_weights(data: TaskData) -> dict[int, float]:
    """Inverse-frequency weights, 1.0 on average."""
    counts = Counter(data.y["train"].tolist())
    total, k = sum(counts.values()), len(data.classes)
    return {i: total / (k * counts[i]) for i in range(k) if counts.get(i)}


def balanced_indices(data: TaskData, mode: str, seed: int = 0) -> np.ndarray:
    """Indices into the train split: every class repeated up to the largest (oversample) or cut to the
    smallest (undersample)."""
    rng = np.random.default_rng(seed)
    y = data.y["train"]
    by_class = [np.flatnonzero(y == i) for i in range(len(data.classes))]
    by_class = [idx for idx in by_class if len(idx)]
    if mode == "oversample":
        target = max(len(idx) for idx in by_class)
        parts = [np.concatenate([idx, rng.choice(idx, target - len(idx))]) for idx in by_class]
    elif mode == "undersample":
        target = min(len(idx) for idx in by_class)
        parts = [rng.choice(idx, target, replace=False) for idx in by_class]
    else:
        return np.arange(len(y))
    return rng.permutation(np.concatenate(parts))


def make_dataset(x: np.ndarray, y: np.ndarray, batch: int, training: bool, augment=None, seed: int = 0,
                 task: str = "classify"):
    """A tf.data pipeline over in-memory arrays: shuffle, batch, augment (train only), prefetch."""
    import tensorflow as tf

    from .augment import augment_batch

    # shuffle and batch indices, then gather each batch from the tensors at once (as Keras does for arrays):
    # far less copying than shuffling whole images one by one
    images, targets = tf.constant(x), tf.constant(y)
    ds = tf.data.Dataset.range(len(x))
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch)
    size = x.shape[1]

    def gather(index):
        return tf.cast(tf.gather(images, index), tf.float32), tf.gather(targets, index)

    ds = ds.map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    if training and augment is not None and augment.active:
        if task == "segment":
            ds = ds.map(lambda im, m: augment_batch(im, m, augment, size), num_parallel_calls=tf.data.AUTOTUNE)
        else:
            ds = ds.map(lambda im, t: (augment_batch(im, None, augment, size)[0], t),
                        num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
