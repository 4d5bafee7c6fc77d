"""Training data from the store: images decoded once (EXIF-upright, resized), targets per task, tf.data.

Only usable images (not excluded, not missing) and accepted annotations (never pending proposals) are used.
Detection learns from reviewed images only: an image counts when it has an accepted box or is marked verified
(verified without boxes: all background); an unreviewed image is never used, so never taken for background.
Its rejected proposals become hard negatives and its pending ones are left out of the loss (see detector.py).
When the project is one class per image (:func:`class_per_image`: class folders or the class field), the image's
class is the label of every box on it in training (the class prior: a box accepted with another label on a photo of
class A is an A), so the detector's class channels follow the image classes; proposing applies the same rule.
Images are decoded by core's loader, which copes with every odd file, then held in memory as uint8: the
tf.data pipeline (shuffle, batch, augment, prefetch) then runs on tensors and is never the bottleneck.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from ..core.cleaning.dedup import find_duplicates
from ..core.cleaning.split import assign_splits
from ..core.editing.review_memory import is_background
from ..core.images import ImageProblem, load_rgb
from ..core.jobs import JobToken
from ..core.store.masks import union_mask
from ..core.store.store import SPLITS, ImageRecord, Store
from .config import TASKS, AugmentConfig  # noqa: F401 - TASKS re-exported: one list for the CLI, GUI, training
from .detector import STRIDE, ImageBoxes, encode_batch, target_channels

BALANCES = ("none", "weights", "oversample", "undersample")


class DataError(Exception):
    """The project has no usable training data for this task; the message says what is missing."""


@dataclass
class TaskData:
    task: str
    size: int
    classes: list[str] = field(default_factory=list)
    x: dict[str, np.ndarray] = field(default_factory=dict)  # split -> N x S x S x 3 uint8
    y: dict[str, np.ndarray] = field(default_factory=dict)  # class index, value, N x S x S x 1 mask, ImageBoxes
    ids: dict[str, list[int]] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def fold_validation(self) -> int:
        """Move the validation images into the training ones (their targets and ids along); how many moved."""
        moved = len(self.ids.get("val", []))
        if moved:
            for table in (self.x, self.y):
                table["train"] = np.concatenate([table["train"], table["val"]]) if len(table["train"]) \
                    else table["val"]
                table["val"] = table["val"][:0]
            self.ids["train"], self.ids["val"] = self.ids["train"] + self.ids["val"], []
        return moved

    def counts(self, split: str = "train") -> dict[str, int]:
        """Images per class in a split (classification), for the balance options; accepted boxes per class
        (detection)."""
        if self.task == "detect":
            boxes = Counter(int(c) for item in self.y[split] for c in item.labels)
            return {name: boxes.get(i, 0) for i, name in enumerate(self.classes)}
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
    elif task == "detect":
        reviewed = reviewed_boxes(store, images)
        if class_per_image(store):
            reviewed = {i.id: with_image_class(reviewed[i.id], i.label) for i in images if i.id in reviewed}
        images = [i for i in images if i.id in reviewed]
        data.classes = classes or sorted({b.label for boxes in reviewed.values() for b in boxes["accepted"]})
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
        elif task == "detect":
            target = image_boxes(reviewed[img.id], img, data.classes)
        else:
            notes: list[str] = []
            mask = union_mask(store, img.id, img.width, img.height, notes=notes)
            if notes:  # a stored mask that cannot be used (a PNG bomb, text): the image would teach a wrong mask
                data.problems += [(img.path, f"{note}; the image is left out") for note in notes]
                continue
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
        data.ids[split] = ids[split]
        if task == "detect":
            data.y[split] = np.empty(len(ys[split]), object)
            data.y[split][:] = ys[split]
            continue
        dtype = np.int64 if task == "classify" else np.float32
        shape = (-1, size, size, 1) if task == "segment" else (-1,)
        data.y[split] = np.asarray(ys[split], dtype).reshape(shape)
    _check(data)
    return data


def reviewed_boxes(store: Store, images: list[ImageRecord]) -> dict[int, dict[str, list]]:
    """The reviewed images among ``images`` (an accepted box, or verified), each with its boxes by state."""
    by_image: dict[int, dict[str, list]] = {}
    for box in store.boxes():
        by_image.setdefault(box.image_id, {"accepted": [], "rejected": [], "pending": []})[box.state].append(box)
    empty = {"accepted": [], "rejected": [], "pending": []}
    return {i.id: by_image.get(i.id, empty) for i in images
            if i.status == "verified" or by_image.get(i.id, empty)["accepted"]}


#: Share of the usable images that must have a class, and of the accepted boxes on them that must carry it, for a
#: project to count as one class per image.
CLASS_PER_IMAGE_SHARE = 0.5
BOX_AGREEMENT = 0.8


def class_per_image(store: Store) -> bool:
    """Whether the project is one class per image: at least half its usable images have a class (class folders,
    or the class field) and at least 80% of the accepted boxes on those images carry their image's class (true
    when there are none yet). Then an image's class is the label of its boxes, in training and in proposing."""
    images = store.images(include_excluded=False, include_missing=False)
    labelled = {i.id: i.label for i in images if i.label and not is_background(i.label)}
    if not labelled or len([i for i in images if i.label]) < CLASS_PER_IMAGE_SHARE * len(images):
        return False
    rows = [(image_id, label) for image_id, label in store.conn.execute(
        "SELECT image_id, label FROM boxes WHERE state='accepted'") if image_id in labelled]
    agree = sum(1 for image_id, label in rows if labelled[image_id] == label)
    return not rows or agree >= BOX_AGREEMENT * len(rows)


def with_image_class(boxes: dict[str, list], label: str | None) -> dict[str, list]:
    """An image's boxes by state, each relabelled with the image's class (unless it has none, or it is a background
    class)."""
    if not label or is_background(label):
        return boxes
    return {state: [replace(b, label=label) for b in items] for state, items in boxes.items()}


def image_boxes(boxes: dict[str, list], image: ImageRecord, classes: list[str]) -> ImageBoxes:
    """One image's boxes normalised to 0..1 (the square input stretches the image, boxes with it); boxes of a
    class the run does not know are left out."""
    def rows(state):
        known = [b for b in boxes[state] if b.label in classes]
        edges = np.asarray([b.edges for b in known], np.float64).reshape(-1, 4)
        scale = np.asarray([image.width, image.height, image.width, image.height], np.float64)
        return (np.clip(edges / scale, 0.0, 1.0).astype(np.float32),
                np.asarray([classes.index(b.label) for b in known], np.int64))

    (b, bl), (h, hl), (p, pl) = rows("accepted"), rows("rejected"), rows("pending")
    return ImageBoxes(b, bl, h, hl, p, pl)


def _check(data: TaskData) -> None:
    if data.task == "detect":
        if not data.classes:
            raise DataError("no accepted boxes to learn from: draw boxes, or accept proposals, on some images first")
        if len(data.x["train"]) == 0:
            raise DataError("no reviewed images in the train split: an image counts once it has an accepted box or "
                            "is marked verified")
        return
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


# ---------------------------------------------------------------- detection
#: A box an augmentation cuts to less than this share of its area is no longer an object to find: it leaves the
#: targets and becomes an ignored region (no loss at its centre either way: what is left of it is not background).
MIN_VISIBLE = 0.4
GREY = (114, 114, 114)  # what an augmentation that shrinks or moves an image shows beyond its edges


def detection_affine(cfg: AugmentConfig, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A random map ``u' = a * u + b`` per axis (``a``, ``b``: ``(x, y)`` pairs) of 0..1 image coordinates: flips,
    then a scale about the centre (``zoom``: 1 +- zoom; ``scale``: log-uniform in 1 / (1 + scale) .. 1 + scale) and
    a translation (``shift``: +- shift; with ``scale``, anywhere the scaled image still covers, or stays inside, the
    frame: a random crop of the enlarged image, a random place for the reduced one)."""
    a, b = np.ones(2), np.zeros(2)
    for axis, on in ((0, cfg.hflip), (1, cfg.vflip)):
        if on and rng.random() < 0.5:
            a[axis], b[axis] = -1.0, 1.0
    factor = 1.0 + rng.uniform(-cfg.zoom, cfg.zoom) if cfg.zoom else 1.0
    if cfg.scale:
        factor *= math.exp(rng.uniform(-math.log1p(cfg.scale), math.log1p(cfg.scale)))
    shift = rng.uniform(-cfg.shift, cfg.shift, 2) if cfg.shift else np.zeros(2)
    if cfg.scale:
        shift = shift + rng.uniform(-1.0, 1.0, 2) * abs(factor - 1) / 2
    # u' = factor * (a u + b - 0.5) + 0.5 + shift
    return factor * a, factor * (b - 0.5) + 0.5 + shift


def move_boxes(boxes: ImageBoxes, a: np.ndarray, b: np.ndarray) -> ImageBoxes:
    """``boxes`` through ``u' = a * u + b``, clipped to the frame. An accepted box keeping less than
    :data:`MIN_VISIBLE` of its area becomes an ignored region; such a rejected box is dropped; an ignored region is
    kept while any of it is in the frame."""
    def move(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(rows, np.float64).reshape(-1, 4)
        ends = rows.reshape(-1, 2, 2) * a + b  # (K, corner, axis)
        moved = np.concatenate([ends.min(axis=1), ends.max(axis=1)], axis=1)
        clipped = np.clip(moved, 0.0, 1.0)
        area = np.prod(moved[:, 2:] - moved[:, :2], axis=1)
        visible = np.prod(np.clip(clipped[:, 2:] - clipped[:, :2], 0, None), axis=1)
        return clipped.astype(np.float32), visible / np.maximum(area, 1e-12)

    boxes_at, boxes_seen = move(boxes.boxes)
    hard_at, hard_seen = move(boxes.hard)
    ignore_at, ignore_seen = move(boxes.ignore)
    kept, cut = boxes_seen >= MIN_VISIBLE, (boxes_seen > 0) & (boxes_seen < MIN_VISIBLE)
    hard, ignored = hard_seen >= MIN_VISIBLE, ignore_seen > 0
    return ImageBoxes(boxes_at[kept], boxes.labels[kept], hard_at[hard], boxes.hard_labels[hard],
                      np.concatenate([ignore_at[ignored], boxes_at[cut]]),
                      np.concatenate([boxes.ignore_labels[ignored], boxes.labels[cut]]))


def augment_detection(image: np.ndarray, boxes: ImageBoxes, cfg: AugmentConfig,
                      rng: np.random.Generator) -> tuple[np.ndarray, ImageBoxes]:
    """Flips, shift, zoom and random scale + crop (:func:`detection_affine`) applied to one image in one warp and,
    identically, to its boxes (before targets are encoded). Rotation is not used for detection (a rotated box is no
    longer tight); brightness, colour and erasing are the batch's (:func:`make_detect_dataset`)."""
    if not cfg.geometric:
        return image, boxes
    size = image.shape[0]
    a, b = detection_affine(cfg, rng)
    if np.array_equal(a, np.ones(2)) and not b.any():  # nothing drawn moved it (rotation alone: not for boxes)
        return image, boxes
    # pixel centres: x = u * size - 0.5, so x' = a x + (a - 1) / 2 + b * size
    offset = (a - 1) / 2 + b * size
    matrix = np.float32([[a[0], 0, offset[0]], [0, a[1], offset[1]]])
    image = cv2.warpAffine(np.ascontiguousarray(image), matrix, (size, size), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=GREY)
    return image, move_boxes(boxes, a, b)


def make_detect_dataset(x: np.ndarray, items, classes: int, batch: int, training: bool,
                        augment: AugmentConfig | None = None, seed: int = 0,
                        hard_negative_weight: float = 4.0, stride: int = STRIDE):
    """A tf.data pipeline of (images, targets) for a detector of output ``stride``: targets encoded per batch after
    the geometric augmentation, so boxes move with their images; brightness, colour and random erasing then touch
    the images only."""
    import tensorflow as tf

    from .augment import augment_batch

    size = x.shape[1]
    grid = size // stride
    channels = target_channels(classes)
    cfg = augment if training and augment is not None else AugmentConfig()
    photometric = cfg.photometric_only()
    ds = tf.data.Dataset.range(len(x))
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    ds = ds.batch(batch)
    if cfg.geometric:
        rng = np.random.default_rng(seed)

        def load(index: np.ndarray):
            pairs = [augment_detection(x[i], items[i], cfg, rng) for i in index]
            images = np.stack([p[0] for p in pairs]).astype(np.float32)
            return images, encode_batch([p[1] for p in pairs], classes, size, stride, hard_negative_weight)

        def gather(index):
            images, targets = tf.numpy_function(load, [index], [tf.float32, tf.float32], stateful=True)
            images.set_shape((None, size, size, 3))
            targets.set_shape((None, grid, grid, channels))
            return images, targets

        ds = ds.map(gather)  # sequential: the random stream (and so a seeded run) stays reproducible
    else:
        images = tf.constant(x)
        targets = tf.constant(encode_batch(list(items), classes, size, stride, hard_negative_weight))
        ds = ds.map(lambda index: (tf.cast(tf.gather(images, index), tf.float32), tf.gather(targets, index)),
                    num_parallel_calls=tf.data.AUTOTUNE)
    if photometric.active:
        ds = ds.map(lambda im, t: (augment_batch(im, None, photometric, size)[0], t),
                    num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
