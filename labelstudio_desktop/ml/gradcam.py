"""Class activation maps of the classifiers of :mod:`models`, batched: Grad-CAM, and the cold start's default for a
pretrained backbone, :class:`FeatureCam`.

Grad-CAM: the gradient model maps the input to (feature map of the target layer, predictions); the classifiers are
built flat, so this never meets a nested model's "Graph disconnected". The features are computed outside the
gradient tape and only the layers after the target are differentiated (a tape would otherwise run the gradient
back through every convolution of the backbone: three times the cost). The heatmap is
``ReLU(sum_k mean(d score / d A_k) * A_k)``, scaled to 0..1 per image.

FeatureCam: a pretrained classifier's last feature map is size / 32 (4 x 4 at 128 px): too coarse to place a box on
objects of a tenth of the photo, and Grad-CAM of an earlier layer through the classifier's head is no better (it
lights textures). Instead a linear softmax head is fitted on the globally pooled features of two layers of the
classifier itself, from the image classes the operator set (a class activation map, CAM, per layer: the map of
class c is ``ReLU(sum_k w_ck A_k)``): the coarse layer (the last map of at least :data:`MIN_CELLS` cells a side)
and the layer of twice its resolution. The image's map is the geometric mean of the two, each scaled to 0..1: the
coarse map knows the class, the fine one where its edges are. benchmarks/cold_start.py measures it against
Grad-CAM and the fixed centre box on the photo sets.
"""

from __future__ import annotations

import cv2
import keras
import numpy as np
import tensorflow as tf

from .models import last_conv_layer

#: The coarse map of :class:`FeatureCam`: the last feature map with at least this many cells a side (MobileNetV2:
#: stride 32 at 224 px, 7 x 7; stride 16 at 128 px, 8 x 8, where stride 32 would be 4 x 4).
MIN_CELLS = 7
#: Feature layers a class activation map can be taken of (VGG's convolutions hold their ReLU).
FEATURE_LAYERS = ("Activation", "ReLU", "Conv2D")
#: The fitted heads: L2 weight on standardised features, and full-batch gradient descent steps.
HEAD_L2 = 1e-3
HEAD_STEPS = 500
HEAD_RATE = 0.5


def normalise(maps: np.ndarray) -> np.ndarray:
    """Each map (N x h x w) scaled so its peak is 1 (an all-zero map stays zero)."""
    peak = maps.reshape(len(maps), -1).max(axis=1)
    return (maps / np.where(peak > 0, peak, 1.0)[:, None, None]).astype(np.float32)


def chosen_classes(classes: np.ndarray | None, predictions: np.ndarray) -> np.ndarray:
    """The class each map explains: ``classes`` where given (>= 0), else the predicted class."""
    predicted = np.argmax(predictions, axis=1)
    return predicted if classes is None else np.where(np.asarray(classes) >= 0, classes, predicted)


class _ClassMaps:
    """``__call__`` of a class activation method (a subclass gives ``_cam(images, classes)``): the maps of a batch,
    with the mirror image averaged in."""

    def __call__(self, images: np.ndarray, classes: np.ndarray | None = None,
                 flip: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Heatmaps (N x h x w, 0..1, on the feature grid) and class probabilities (N x C) of a batch of 0-255
        images, for ``classes`` (default, and where a class is -1: the predicted class). With ``flip`` the heatmap
        is the mean of the image's and its mirror image's (flipped back), for the class chosen on the image."""
        cam, predictions = self._cam(images, classes)
        if not flip:
            return cam, predictions
        mirrored, _ = self._cam(np.asarray(images)[:, :, ::-1], chosen_classes(classes, predictions))
        return normalise(cam + mirrored[:, :, ::-1]), predictions


class GradCam(_ClassMaps):
    def __init__(self, model: keras.Model, layer: str | None = None):
        self.model = model
        self.layer = layer or last_conv_layer(model)
        conv = model.get_layer(self.layer)
        self.grad_model = keras.Model(model.inputs, [conv.output, model.output])
        try:  # the layers after the target alone: the gradient then never runs back through the backbone
            self.features_model = keras.Model(model.inputs, conv.output)
            self.head_model = keras.Model(conv.output, model.output)
        except ValueError:  # a later layer also reads an earlier tensor (a skip connection): one model
            self.head_model = None

    def _cam(self, images: np.ndarray, classes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        x = tf.convert_to_tensor(images, tf.float32)
        with tf.GradientTape(watch_accessed_variables=self.head_model is None) as tape:
            if self.head_model is None:
                features, predictions = self.grad_model(x, training=False)
            else:
                features = self.features_model(x, training=False)
                tape.watch(features)
                predictions = self.head_model(features, training=False)
            predicted = tf.argmax(predictions, axis=1)
            if classes is None:
                chosen = predicted
            else:
                given = tf.convert_to_tensor(classes, tf.int64)
                chosen = tf.where(given >= 0, given, predicted)
            score = tf.gather(predictions, chosen, axis=1, batch_dims=1)
        grads = tape.gradient(score, features)
        weights = tf.reduce_mean(grads, axis=(1, 2), keepdims=True)
        cam = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1)).numpy()
        return normalise(cam), predictions.numpy()


def feature_sides(model: keras.Model) -> list[tuple[str, int]]:
    """(name, side) of each feature layer (:data:`FEATURE_LAYERS`) with a square 4-D output, in model order."""
    found = []
    for layer in model.layers:
        shape = getattr(getattr(layer, "output", None), "shape", None)
        if layer.__class__.__name__ in FEATURE_LAYERS and shape is not None and len(shape) == 4 \
                and shape[1] is not None and shape[1] == shape[2]:
            found.append((layer.name, int(shape[1])))
    return found


def cam_layers(model: keras.Model, min_cells: int = MIN_CELLS) -> list[str]:
    """The layers :class:`FeatureCam` reads, fine first: the last feature map of at least ``min_cells`` cells a side
    (or the model's last one when none is that large) and, when the model has one, the last of twice its side."""
    sides = feature_sides(model)
    if not sides:
        raise ValueError("the model has no convolutional feature map")
    large = [entry for entry in sides if entry[1] >= min_cells]
    coarse, side = large[-1] if large else sides[-1]
    fine = [name for name, s in sides if s == 2 * side]
    return [fine[-1], coarse] if fine else [coarse]


def linear_head(pooled: np.ndarray, labels: np.ndarray, classes: int, l2: float = HEAD_L2,
                steps: int = HEAD_STEPS, rate: float = HEAD_RATE) -> np.ndarray:
    """The weights (features x classes) of a softmax regression of ``labels`` on ``pooled`` features, fitted on
    standardised features (L2 ``l2``, ``steps`` of full-batch gradient descent) and returned for the raw ones."""
    pooled = np.asarray(pooled, np.float64)
    mean, spread = pooled.mean(axis=0), pooled.std(axis=0) + 1e-6
    z = (pooled - mean) / spread
    target = np.eye(classes)[np.asarray(labels)]
    weights, bias = np.zeros((z.shape[1], classes)), np.zeros(classes)
    for _ in range(steps):
        logits = z @ weights + bias
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        error = (probs - target) / len(z)
        weights -= rate * (z.T @ error + l2 * weights)
        bias -= rate * error.sum(axis=0)
    return (weights / spread[:, None]).astype(np.float32)


class FeatureCam(_ClassMaps):
    """Class activation maps of linear heads fitted on the classifier's own pooled features at :func:`cam_layers`
    (see the module's docstring); :meth:`fit` them on images with known classes before calling."""

    def __init__(self, model: keras.Model, layers: list[str] | None = None, min_cells: int = MIN_CELLS,
                 batch: int = 32):
        self.model, self.batch = model, batch
        self.layers = list(layers or cam_layers(model, min_cells))
        outputs = [model.get_layer(name).output for name in self.layers]
        self.features_model = keras.Model(model.inputs, [*outputs, model.output])
        self.heads: list[np.ndarray] = []

    def features(self, images: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
        """The feature maps at :attr:`layers` and the class probabilities of a batch of 0-255 images."""
        *maps, predictions = self.features_model(tf.convert_to_tensor(images, tf.float32), training=False)
        return [np.asarray(m, np.float32) for m in maps], np.asarray(predictions)

    def fit(self, images: np.ndarray, labels: np.ndarray) -> FeatureCam:
        """Fit a head per layer on ``images`` (0-255) of class indices ``labels`` (at least two classes)."""
        labels = np.asarray(labels)
        if len(np.unique(labels)) < 2:
            raise ValueError("class activation heads need images of at least two classes")
        pooled = [[] for _ in self.layers]
        for start in range(0, len(images), self.batch):
            maps, _ = self.features(images[start:start + self.batch])
            for collected, features in zip(pooled, maps, strict=True):
                collected.append(features.mean(axis=(1, 2)))
        classes = int(self.model.output.shape[-1])
        self.heads = [linear_head(np.concatenate(p), labels, classes) for p in pooled]
        return self

    def _cam(self, images: np.ndarray, classes: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        if not self.heads:
            raise RuntimeError("FeatureCam.fit must run first")
        maps, predictions = self.features(images)
        chosen = chosen_classes(classes, predictions)
        side = max(m.shape[1] for m in maps)
        combined = np.ones((len(chosen), side, side), np.float32)
        for features, head in zip(maps, self.heads, strict=True):
            cam = normalise(np.maximum(np.einsum("nhwc,cn->nhw", features, head[:, chosen]), 0))
            combined *= np.stack([cv2.resize(c, (side, side), interpolation=cv2.INTER_LINEAR) for c in cam])
        return normalise(np.maximum(combined, 0) ** (1 / len(maps))), predictions
