"""Grad-CAM for the classifiers of :mod:`models`, batched.

The gradient model maps the input to (feature map of the target layer, predictions); the classifiers are
built flat, so this never meets a nested model's "Graph disconnected". The features are computed outside the
gradient tape and only the layers after the target are differentiated (a tape would otherwise run the gradient
back through every convolution of the backbone: three times the cost). The heatmap is
``ReLU(sum_k mean(d score / d A_k) * A_k)``, scaled to 0..1 per image.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from .models import last_conv_layer


class GradCam:
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

    def __call__(self, images: np.ndarray, classes: np.ndarray | None = None,
                 flip: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Heatmaps (N x h x w, 0..1, on the feature grid) and class probabilities (N x C) of a batch of 0-255
        images; the gradient is taken of ``classes`` (default, and where a class is -1: the predicted class).
        With ``flip`` the heatmap is the mean of the image's and its mirror image's (flipped back), for the class
        chosen on the image itself."""
        cam, predictions = self._cam(images, classes)
        if not flip:
            return cam, predictions
        chosen = np.argmax(predictions, axis=1) if classes is None else \
            np.where(np.asarray(classes) >= 0, classes, np.argmax(predictions, axis=1))
        mirrored, _ = self._cam(np.asarray(images)[:, :, ::-1], chosen)
        both = (cam + mirrored[:, :, ::-1]) / 2
        peak = both.reshape(len(both), -1).max(axis=1)
        return (both / np.where(peak > 0, peak, 1.0)[:, None, None]).astype(np.float32), predictions

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
        peak = cam.reshape(len(cam), -1).max(axis=1)
        cam = cam / np.where(peak > 0, peak, 1.0)[:, None, None]
        return cam.astype(np.float32), predictions.numpy()
