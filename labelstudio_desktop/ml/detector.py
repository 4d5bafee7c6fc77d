"""A multi-class, multi-object box detector trained on the operator's reviewed boxes (CenterNet/TTFNet style).

The model maps a square image of ``size`` pixels to a grid of ``size / stride`` cells. The stride is 8 by default
(:data:`STRIDE`; :data:`STRIDES` are offered): a pretrained backbone's features at strides 8 to 32 are merged
top-down (FPN) into that grid, which suits objects from a few percent of the image (blood cells) to most of it (a
board photographed close up). Each cell has:

* ``C`` heatmap channels (sigmoid): the score that an object of class ``c`` has its centre in this cell;
* 4 box channels ``(dx, dy, log w, log h)`` in grid units: the box centre relative to the cell's centre and
  the box size. Every cell near an object's centre regresses the whole box (TTFNet: many regression samples
  per object, which is what lets the model learn from a few images on a CPU).

Training targets (:func:`encode`) hold, per cell, ``C`` heatmap values (an elliptical Gaussian per object, exactly
1 at its centre cell), the 4 box values of the object owning the cell, the cell's regression weight, and ``C``
background weights. The loss (:func:`detection_loss`) is the penalty-reduced focal loss of CenterNet on the
heatmap plus ``BOX_WEIGHT`` x a GIoU loss on the boxes.

Background weights carry the review: 1 on ordinary background; up to ``hard_negative_weight`` (default 4) inside a
**rejected** box of class ``c`` (a Gaussian over the box, its peak at the box centre) in channel ``c``, unless that
box overlaps an accepted box of the same class at IoU >= 0.5 (then the rejection was of a duplicate, not of an
object); down to 0 at the centre of a **pending** box (unreviewed: neither object nor background), and at the
centre of an object that an augmentation cut mostly out of the frame.

:func:`decode` (pure NumPy) turns outputs into boxes: 3x3 max-pool peak extraction, score threshold, box refinement
(the boxes regressed by the peak's 3x3 neighbours that agree with the peak's own, averaged with the neighbours'
scores as weights), then non-maximum suppression per class. The grid size is read from the outputs, so a model of
any stride (the stride-4 detectors of earlier versions too) decodes the same way. :func:`detect` runs a model on a
batch and decodes.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .metrics import box_ious

#: The default output stride, and the strides offered (the grid is ``size / stride``; 4 was the only one before).
STRIDE = 8
STRIDES = (4, 8, 16)
BOX_WEIGHT = 5.0
HARD_NEGATIVE_WEIGHT = 4.0
HEAT_ALPHA = 0.54  # Gaussian sigma = alpha * box side / 6 (TTFNet)
REGRESSION_MIN = 0.05  # cells whose Gaussian value is below this regress nothing
LOG_SIZE_CLIP = 8.0
PRIOR = 0.1  # initial heatmap score, as in CenterNet (bias -2.19)
#: Box refinement: a peak's box is the heat-weighted mean of the boxes of its 3x3 neighbours (itself included) whose
#: box overlaps its own at IoU >= this (a neighbour regressing another object is left out).
REFINE_IOU = 0.6
#: Average each image's outputs with its mirror image's: on BCCD (200 training photos, 72 held out) 2% more boxes
#: accepted as is and 4-6% fewer operator actions, at 80 instead of 101 images/s proposing from the files
TEST_TIME_FLIP = True

Detection = tuple[tuple[float, float, float, float], int, float]


@dataclass
class ImageBoxes:
    """The boxes of one training image, normalised to 0..1 of the (square) input: ``(x0, y0, x1, y1)`` rows.

    ``boxes``/``labels``: accepted boxes; ``hard``/``hard_labels``: rejected proposals that are hard negatives;
    ``ignore``/``ignore_labels``: pending proposals (not reviewed: no loss either way at their centre)."""

    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    labels: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int64))
    hard: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    hard_labels: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int64))
    ignore: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    ignore_labels: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int64))


# ---------------------------------------------------------------- geometry
def nms(boxes: np.ndarray, scores: np.ndarray, iou: float = 0.5) -> list[int]:
    """Greedy non-maximum suppression: indices kept, best score first."""
    order = list(np.argsort(-np.asarray(scores), kind="stable"))
    keep: list[int] = []
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    while order:
        best = order.pop(0)
        keep.append(int(best))
        if order:
            overlaps = box_ious(boxes[best:best + 1], boxes[order])[0]
            order = [i for i, o in zip(order, overlaps, strict=True) if o < iou]
    return keep


def nms_per_class(boxes: Sequence, labels: Sequence, scores: Sequence, iou: float = 0.5) -> list[int]:
    """:func:`nms` within each class: the indices kept, in their order."""
    kept: set[int] = set()
    for label in set(labels):
        ones = [k for k, other in enumerate(labels) if other == label]
        kept.update(ones[k] for k in nms(np.array([boxes[k] for k in ones], np.float64),
                                         np.array([scores[k] for k in ones]), iou))
    return sorted(kept)


def _gaussian(grid: int, box: np.ndarray, alpha: float) -> tuple[np.ndarray, tuple[int, int]]:
    """An elliptical Gaussian over the grid for a normalised box, peak 1 at the cell holding its centre."""
    x0, y0, x1, y1 = (np.asarray(box, np.float64) * grid).tolist()
    cx = min(grid - 1, max(0, int(math.floor((x0 + x1) / 2))))
    cy = min(grid - 1, max(0, int(math.floor((y0 + y1) / 2))))
    sx = max(alpha * (x1 - x0) / 6, 0.2)
    sy = max(alpha * (y1 - y0) / 6, 0.2)
    xs = np.arange(grid, dtype=np.float64)
    gx = np.exp(-((xs - cx) ** 2) / (2 * sx * sx))
    gy = np.exp(-((xs - cy) ** 2) / (2 * sy * sy))
    return np.outer(gy, gx), (cy, cx)


# ---------------------------------------------------------------- targets
def target_channels(classes: int) -> int:
    """Channels of a training target: heatmaps, box, regression weight, background weights."""
    return 2 * classes + 5


def encode(boxes: ImageBoxes, classes: int, size: int, stride: int = STRIDE,
           hard_negative_weight: float = HARD_NEGATIVE_WEIGHT) -> np.ndarray:
    """The training target of one image: ``(G, G, 2C + 5)`` float32 with ``G = size // stride``.

    Channels: ``[0, C)`` heatmaps, ``[C, C+4)`` box ``(dx, dy, log w, log h)`` of the owning object,
    ``C+4`` regression weight (sums to 1 per object), ``[C+5, 2C+5)`` background (negative) weights."""
    grid = size // stride
    target = np.zeros((grid, grid, target_channels(classes)), np.float32)
    heat = target[..., :classes]
    neg = np.ones((grid, grid, classes), np.float64)
    centres = (np.arange(grid) + 0.5)[None, :]
    objects = [(np.asarray(b, np.float64), int(c)) for b, c in zip(boxes.boxes, boxes.labels, strict=True)]
    # larger objects first: a smaller one takes over the cells they share, and every centre cell goes to its own
    objects.sort(key=lambda o: -(o[0][2] - o[0][0]) * (o[0][3] - o[0][1]))
    owner = np.full((grid, grid), -1, np.int64)
    gaussians = []
    for k, (box, cls) in enumerate(objects):
        g, (cy, cx) = _gaussian(grid, box, HEAT_ALPHA)
        gaussians.append((g, cy, cx))
        heat[..., cls] = np.maximum(heat[..., cls], g)
        inside = ((centres.T > box[1] * grid) & (centres.T < box[3] * grid)) & \
                 ((centres > box[0] * grid) & (centres < box[2] * grid))
        owner[(g >= REGRESSION_MIN) & inside] = k
    for k, (_g, cy, cx) in enumerate(gaussians):
        owner[cy, cx] = k
        heat[cy, cx, objects[k][1]] = 1.0
    rows, cols = np.mgrid[0:grid, 0:grid]
    for k, (box, _cls) in enumerate(objects):
        cells = owner == k
        if not cells.any():
            continue
        g = gaussians[k][0] * cells
        x0, y0, x1, y1 = box * grid
        target[..., classes][cells] = (x0 + x1) / 2 - (cols[cells] + 0.5)
        target[..., classes + 1][cells] = (y0 + y1) / 2 - (rows[cells] + 0.5)
        target[..., classes + 2][cells] = math.log(max(x1 - x0, 1e-6))
        target[..., classes + 3][cells] = math.log(max(y1 - y0, 1e-6))
        target[..., classes + 4] += (g / g.sum()).astype(np.float32)
    for box, cls in zip(boxes.hard, boxes.hard_labels, strict=True):
        if not 0 <= cls < classes:
            continue
        same = boxes.boxes[boxes.labels == cls]
        if len(same) and box_ious(box[None], same).max() >= 0.5:
            continue  # the rejection of a duplicate, not of an object
        g, _centre = _gaussian(grid, box, 1.0)
        neg[..., cls] = np.maximum(neg[..., cls], 1 + (hard_negative_weight - 1) * g)
    for box, cls in zip(boxes.ignore, boxes.ignore_labels, strict=True):
        if 0 <= cls < classes:
            g, _centre = _gaussian(grid, box, HEAT_ALPHA)
            neg[..., cls] *= 1 - g
    target[..., classes + 5:] = neg
    return target


def encode_batch(items: Sequence[ImageBoxes], classes: int, size: int, stride: int = STRIDE,
                 hard_negative_weight: float = HARD_NEGATIVE_WEIGHT) -> np.ndarray:
    """:func:`encode` for several images: ``(N, G, G, 2C + 5)``."""
    grid = size // stride
    if not items:
        return np.zeros((0, grid, grid, target_channels(classes)), np.float32)
    return np.stack([encode(b, classes, size, stride, hard_negative_weight) for b in items])


def output_stride(model) -> int:
    """The stride of a detector: its input size over its output grid (4 for the detectors of earlier versions)."""
    return int(model.input_shape[1]) // int(model.output_shape[1])


def targets_as_outputs(target: np.ndarray, classes: int) -> np.ndarray:
    """The model output that a target describes exactly (heatmaps and boxes): for tests and sanity checks."""
    return np.asarray(target)[..., :classes + 4]


# ---------------------------------------------------------------- decoding
def _peaks(heat: np.ndarray) -> np.ndarray:
    """Cells equal to the maximum of their 3x3 neighbourhood (per channel): (G, G, C) bool."""
    padded = np.pad(heat, ((1, 1), (1, 1), (0, 0)), constant_values=-np.inf)
    g_h, g_w = heat.shape[:2]
    pooled = np.max([padded[dy:dy + g_h, dx:dx + g_w] for dy in range(3) for dx in range(3)], axis=0)
    return heat >= pooled


def _cell_boxes(box: np.ndarray, rows: np.ndarray, cols: np.ndarray, grid_h: int, grid_w: int) -> np.ndarray:
    """Corners ``(..., 4)`` in 0..1 of the boxes that cells ``(rows, cols)`` regress (``box``: their 4 channels)."""
    cx = (cols + 0.5 + box[..., 0]) / grid_w
    cy = (rows + 0.5 + box[..., 1]) / grid_h
    w = np.exp(np.clip(box[..., 2], -LOG_SIZE_CLIP, LOG_SIZE_CLIP)) / grid_w
    h = np.exp(np.clip(box[..., 3], -LOG_SIZE_CLIP, LOG_SIZE_CLIP)) / grid_h
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=-1)


def _pair_ious(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes ``a`` (P, 4) with each of their neighbours ``b`` (P, K, 4)."""
    w = np.clip(np.minimum(a[:, None, 2], b[..., 2]) - np.maximum(a[:, None, 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[:, None, 3], b[..., 3]) - np.maximum(a[:, None, 1], b[..., 1]), 0, None)
    inter = w * h
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    return inter / np.maximum(area_a[:, None] + area_b - inter, 1e-12)


def refine(out: np.ndarray, rows: np.ndarray, cols: np.ndarray, cls: np.ndarray,
           min_iou: float = REFINE_IOU) -> np.ndarray:
    """The refined boxes (P, 4 corners in 0..1) of peaks ``(rows, cols, cls)`` of one image's outputs ``(G, G, C +
    4)``: the mean of the boxes regressed by the peak's 3x3 neighbours (itself included) that overlap the peak's own
    box at IoU >= ``min_iou``, each weighted by its score in the peak's class. Neighbours regressing another object
    (crowded scenes) overlap little and are left out; ``min_iou`` above 1 keeps the peak's own box."""
    grid_h, grid_w, channels = out.shape
    classes = channels - 4
    offsets = np.array([(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)])
    n_rows = rows[:, None] + offsets[None, :, 0]
    n_cols = cols[:, None] + offsets[None, :, 1]
    inside = (n_rows >= 0) & (n_rows < grid_h) & (n_cols >= 0) & (n_cols < grid_w)
    n_rows, n_cols = np.clip(n_rows, 0, grid_h - 1), np.clip(n_cols, 0, grid_w - 1)
    boxes = _cell_boxes(out[n_rows, n_cols, classes:], n_rows, n_cols, grid_h, grid_w)  # (P, 9, 4)
    own = boxes[:, 4]
    weights = out[n_rows, n_cols, cls[:, None]] * inside * (_pair_ious(own, boxes) >= min_iou)
    weights[:, 4] = np.maximum(weights[:, 4], 1e-6)  # the peak itself always counts
    return np.einsum("pk,pkc->pc", weights, boxes) / weights.sum(axis=1, keepdims=True)


def decode(outputs: np.ndarray, score_threshold: float = 0.3, max_boxes: int = 50,
           nms_iou: float = 0.5, refine_iou: float = REFINE_IOU) -> list[list[Detection]]:
    """Boxes from raw detector outputs ``(N, G, G, C + 4)``: per image ``[((x0, y0, x1, y1), class, score)]``,
    coordinates normalised to 0..1 of the square input, best score first.

    Peaks are cells at the maximum of their 3x3 neighbourhood in a class heatmap with a score of at least
    ``score_threshold``; each peak's box is refined (:func:`refine`, ``refine_iou``); boxes of one class overlapping
    a better one at IoU >= ``nms_iou`` are dropped."""
    outputs = np.asarray(outputs, np.float64)
    if outputs.ndim == 3:
        outputs = outputs[None]
    classes = outputs.shape[-1] - 4
    result: list[list[Detection]] = []
    for out in outputs:
        heat = out[..., :classes]
        rows, cols, cls = np.nonzero(_peaks(heat) & (heat >= score_threshold))
        scores = heat[rows, cols, cls]
        order = np.argsort(-scores, kind="stable")[:max(4 * max_boxes, 100)]
        rows, cols, cls, scores = rows[order], cols[order], cls[order], scores[order]
        corners = np.clip(refine(out, rows, cols, cls, refine_iou), 0.0, 1.0)
        found: list[Detection] = []
        for c in np.unique(cls):
            idx = np.flatnonzero(cls == c)
            valid = idx[(corners[idx, 2] > corners[idx, 0]) & (corners[idx, 3] > corners[idx, 1])]
            for k in nms(corners[valid], scores[valid], nms_iou):
                i = valid[k]
                found.append((tuple(float(v) for v in corners[i]), int(c), float(scores[i])))
        found.sort(key=lambda d: -d[2])
        result.append(found[:max_boxes])
    return result


def detect(model, images: np.ndarray, score_threshold: float = 0.3, max_boxes: int = 50,
           nms_iou: float = 0.5, flip: bool = TEST_TIME_FLIP) -> list[list[Detection]]:
    """Run a detector on ``images`` (N, S, S, 3), 0-255 uint8 or float, already resized to the run's square size.

    Returns per image a list of ``((x0, y0, x1, y1), class index, score)``, coordinates normalised to 0..1 of
    the square input, class an index into ``run.params["classes"]``, best score first. ``flip``: the outputs
    are averaged with those of the mirror image (see :func:`predict`)."""
    outputs = predict(model, images, flip=flip)
    return decode(outputs, score_threshold, max_boxes, nms_iou)


def unflip(outputs: np.ndarray) -> np.ndarray:
    """Outputs of mirrored images mapped back onto the images: columns reversed, the centre offset ``dx``
    negated (cell ``c`` of the mirror is cell ``G - 1 - c``, its centre ``G - (c + 0.5)``)."""
    back = np.array(outputs[:, :, ::-1], np.float32)
    back[..., outputs.shape[-1] - 4] *= -1
    return back


#: A traced forward pass per model, for any batch size (one trace: Keras' predict function traces again for each
#: new batch size, seconds each on a CPU, and calling the model eagerly is several times slower). It holds the model
#: weakly, so it goes with the model.
_FORWARD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _forward(model):
    fn = _FORWARD.get(model)
    if fn is None:
        import tensorflow as tf

        ref = weakref.ref(model)
        spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32)
        fn = _FORWARD[model] = tf.function(lambda x: ref()(x, training=False), input_signature=[spec])
    return fn


def predict(model, images: np.ndarray, batch: int = 32, flip: bool = TEST_TIME_FLIP) -> np.ndarray:
    """Raw outputs ``(N, G, G, C + 4)`` of ``model`` on 0-255 images, in batches through its traced forward pass.
    ``flip``: the mean of the outputs of each image and of its mirror image (test-time augmentation; both go
    through the model in one batch)."""
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[None]
    forward = _forward(model)
    parts = []
    for start in range(0, len(images), batch):
        chunk = images[start:start + batch].astype(np.float32)
        if flip:
            both = forward(np.concatenate([chunk, chunk[:, :, ::-1]])).numpy()
            parts.append((both[:len(chunk)] + unflip(both[len(chunk):])) / 2)
        else:
            parts.append(forward(chunk).numpy())
    if not parts:
        shape = model.output_shape
        return np.zeros((0, *shape[1:]), np.float32)
    return np.concatenate(parts)


# ---------------------------------------------------------------- model and loss (Keras)
def build_detector(size: int, classes: int, backbone: str = "mobilenetv2", weights: str = "imagenet",
                   trainable_layers: int | None = 0, width: int = 32, stride: int = STRIDE):
    """A flat functional detector: 0-255 ``size`` x ``size`` RGB in, ``(size/stride, size/stride, classes + 4)`` out.

    ``small`` is a CNN from scratch (``size`` divisible by 32); ``mobilenetv2`` (the default: ImageNet weights shipped
    with the app, :mod:`backbones`)/``resnet50v2``/``vgg16`` are
    ``keras.applications`` bases built on the input (weights ``imagenet | none | FILE``; with ``none`` the whole
    base trains, a frozen random base being useless, else ``trainable_layers`` as for the classifier). Features at
    strides ``stride`` (:data:`STRIDES`) to 32 are merged top-down (FPN-style) into the output grid, then two heads
    of ``2 * width`` channels."""
    import keras
    from keras import layers

    from .models import BACKBONES, feature_maps, transfer_base

    if backbone not in BACKBONES:
        raise ValueError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONES)}")
    if stride not in STRIDES:
        raise ValueError(f"detector stride {stride} is not one of {', '.join(map(str, STRIDES))}")
    if size % 32:
        raise ValueError(f"detector input size {size} must be a multiple of 32")
    levels = tuple(s for s in (4, 8, 16, 32) if s >= stride)
    inputs = keras.Input((size, size, 3), name="image")
    if backbone == "small":
        features = _small_features(inputs, width // 2)[-len(levels):]
    else:
        base = transfer_base(inputs, backbone, weights, None if weights in (None, "", "none") else trainable_layers)
        features = feature_maps(base, size, levels)
    x = None
    for n, feat in enumerate(reversed(features)):  # stride 32 -> the output's
        channels = width * (2 if n < len(features) - 1 else 1)
        lateral = layers.Conv2D(channels, 1, use_bias=False)(feat)
        if x is not None:
            x = layers.UpSampling2D(interpolation="nearest")(x)
            x = layers.Conv2D(channels, 1, use_bias=False)(x)
            lateral = layers.Add()([lateral, x])
        x = _conv_bn(lateral, channels)
    heat = _conv_bn(x, width)
    heat = layers.Conv2D(classes, 1, activation="sigmoid", name="heatmap",
                         bias_initializer=keras.initializers.Constant(-math.log((1 - PRIOR) / PRIOR)))(heat)
    box = _conv_bn(x, width)
    box = layers.Conv2D(4, 1, name="box", kernel_initializer=keras.initializers.RandomNormal(stddev=0.01))(box)
    outputs = layers.Concatenate(name="detections")([heat, box])
    return keras.Model(inputs, outputs, name=f"detector_{backbone}")


def _conv_bn(x, filters: int, stride: int = 1):
    from keras import layers

    x = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.Activation("relu")(x)


def _small_features(inputs, width: int) -> list:
    """A small CNN from scratch: feature maps at strides 4, 8, 16 and 32."""
    from keras import layers

    x = layers.Rescaling(1 / 255.0)(inputs)
    x = _conv_bn(x, width, stride=2)
    x = _conv_bn(x, width)
    out = []
    for n, filters in enumerate((width * 2, width * 4, width * 8, width * 8)):
        x = layers.MaxPooling2D()(x)
        x = _conv_bn(x, filters)
        if n < 3:
            x = _conv_bn(x, filters)
        out.append(x)
    return out


def _parts(y_true, y_pred):
    import keras

    ops = keras.ops
    classes = y_pred.shape[-1] - 4
    y_true = ops.cast(y_true, y_pred.dtype)
    return (classes, y_true[..., :classes], y_true[..., classes:classes + 4], y_true[..., classes + 4],
            y_true[..., classes + 5:], y_pred[..., :classes], y_pred[..., classes:])


def _focal(y_true, y_pred):
    import keras

    ops = keras.ops
    _c, heat_t, _b, _w, neg_w, heat_p, _bp = _parts(y_true, y_pred)
    p = ops.clip(heat_p, 1e-4, 1 - 1e-4)
    pos = ops.cast(heat_t >= 1.0, p.dtype)
    pos_loss = -ops.log(p) * ops.square(1 - p) * pos
    neg_loss = -ops.log(1 - p) * ops.square(p) * ops.power(1 - heat_t, 4) * (1 - pos) * neg_w
    return (ops.sum(pos_loss) + ops.sum(neg_loss)) / ops.maximum(ops.sum(pos), 1.0)


def _giou(y_true, y_pred):
    import keras

    ops = keras.ops
    _c, _h, box_t, weight, _n, _hp, box_p = _parts(y_true, y_pred)

    def corners(b):
        w = ops.exp(ops.clip(b[..., 2], -LOG_SIZE_CLIP, LOG_SIZE_CLIP))
        h = ops.exp(ops.clip(b[..., 3], -LOG_SIZE_CLIP, LOG_SIZE_CLIP))
        return b[..., 0] - w / 2, b[..., 1] - h / 2, b[..., 0] + w / 2, b[..., 1] + h / 2, w * h

    tx0, ty0, tx1, ty1, t_area = corners(box_t)
    px0, py0, px1, py1, p_area = corners(box_p)
    inter = ops.relu(ops.minimum(tx1, px1) - ops.maximum(tx0, px0)) * \
        ops.relu(ops.minimum(ty1, py1) - ops.maximum(ty0, py0))
    union = t_area + p_area - inter
    enclose = (ops.maximum(tx1, px1) - ops.minimum(tx0, px0)) * (ops.maximum(ty1, py1) - ops.minimum(ty0, py0))
    giou = inter / (union + 1e-7) - (enclose - union) / (enclose + 1e-7)
    return ops.sum(weight * (1 - giou)) / ops.maximum(ops.sum(weight), 1.0)


def _register():
    import keras

    register = keras.saving.register_keras_serializable(package="labelstudio")

    def heatmap_loss(y_true, y_pred):
        """Focal loss on the heatmaps (a metric for the curves)."""
        return _focal(y_true, y_pred)

    def box_loss(y_true, y_pred):
        """GIoU loss on the boxes (a metric for the curves)."""
        return _giou(y_true, y_pred)

    def detection_loss(y_true, y_pred):
        """Focal heatmap loss + BOX_WEIGHT x GIoU box loss."""
        return _focal(y_true, y_pred) + BOX_WEIGHT * _giou(y_true, y_pred)

    return register(detection_loss), register(heatmap_loss), register(box_loss)


class _Lazy:
    """The Keras loss functions, registered on first use (importing this module never imports TensorFlow)."""

    functions = None

    @classmethod
    def get(cls):
        if cls.functions is None:
            cls.functions = _register()
        return cls.functions


def compile_detector(model, learning_rate: float, slow_layers: Sequence[str] = ()) -> None:
    """Adam (gradients clipped) with :func:`detection_loss`; heatmap and box losses logged as metrics. The layers
    named in ``slow_layers`` (unfrozen pretrained ones) learn at a lower rate (:class:`backbones.BackboneAdam`)."""
    from .backbones import BackboneAdam

    loss, heat, box = _Lazy.get()
    model.compile(BackboneAdam(learning_rate, slow_layers=slow_layers, clipnorm=10.0), loss, metrics=[heat, box])


def register_losses() -> None:
    """Make the detector's loss functions known to ``keras.models.load_model`` (safe mode)."""
    _Lazy.get()
