"""Keras models: classifier (small CNN or transfer learning), binary U-Net, image regressor.

Every classifier is one flat functional model: a transfer base is built on our input tensor and its output
feeds the head directly, so Grad-CAM can reach the last convolution without a "Graph disconnected" error
(DESIGN.md). :func:`last_conv_layer` finds the last convolutional feature map of any of them.
"""

from __future__ import annotations

from pathlib import Path

import keras
from keras import layers

BACKBONES = ("small", "mobilenetv2", "resnet50v2", "vgg16")
_APPLICATIONS = {"mobilenetv2": "MobileNetV2", "resnet50v2": "ResNet50V2", "vgg16": "VGG16"}


class WeightsError(Exception):
    """Pretrained weights that cannot be had; the message says what to do."""


def _resolve_weights(weights: str) -> tuple[str | None, Path | None]:
    """``imagenet`` | ``none`` | a local file -> (keras weights argument, file to load after building)."""
    if weights in (None, "", "none"):
        return None, None
    if weights == "imagenet":
        return "imagenet", None
    path = Path(weights)
    if not path.is_file():
        raise WeightsError(f"{weights}: weights file not found (use imagenet, none, or a local .h5/.weights.h5)")
    return None, path


HEADS = ("max", "avg")


def small_cnn(inputs: keras.KerasTensor, classes: int, width: int = 32, head: str = "avg") -> keras.KerasTensor:
    """Three conv stages with batch normalisation; global average pooling (``head="avg"``, the class-activation-map
    head: its Grad-CAM covers more of an object, benchmarks/cold_start.py) or global max pooling (``"max"``)."""
    if head not in HEADS:
        raise ValueError(f"unknown head {head!r}: {', '.join(HEADS)}")
    x = layers.Rescaling(1 / 255.0)(inputs)
    for n, filters in enumerate((width, width * 2, width * 4)):
        for k in range(2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization(momentum=0.9)(x)  # small data: few steps to settle the statistics
            x = layers.Activation("relu", name="last_conv" if (n, k) == (2, 1) else None)(x)
        if n < 2:
            x = layers.MaxPooling2D()(x)
    x = layers.GlobalMaxPooling2D()(x) if head == "max" else layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.2)(x)
    return layers.Dense(classes, activation="softmax", name="predictions")(x)


def build_classifier(size: int, classes: int, backbone: str = "small", weights: str = "none",
                     trainable_layers: int | None = 0, head: str = "avg") -> keras.Model:
    """A classifier for ``size`` x ``size`` RGB images (0-255 input).

    ``trainable_layers``: 0 freezes the whole base, N fine-tunes its last N layers, None trains all.
    """
    inputs = keras.Input((size, size, 3), name="image")
    if backbone == "small":
        return keras.Model(inputs, small_cnn(inputs, classes, head=head), name="classifier_small")
    base = transfer_base(inputs, backbone, weights, trainable_layers)
    x = layers.GlobalAveragePooling2D()(base.output)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=f"classifier_{backbone}")


def transfer_base(inputs: keras.KerasTensor, backbone: str, weights: str = "none",
                  trainable_layers: int | None = 0) -> keras.Model:
    """A ``keras.applications`` base built on ``inputs`` (so the caller's model stays flat), its input scaled as
    the backbone expects, weights ``imagenet | none | FILE``; ``trainable_layers`` as in :func:`build_classifier`."""
    if backbone not in _APPLICATIONS:
        raise ValueError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONES)}")
    name = _APPLICATIONS[backbone]
    keras_weights, weights_file = _resolve_weights(weights)
    x = _preprocess_layer(backbone)(inputs)
    try:
        base = getattr(keras.applications, name)(include_top=False, weights=keras_weights, input_tensor=x)
    except Exception as exc:  # noqa: BLE001 - a failed download has many exception types
        if keras_weights == "imagenet":
            raise WeightsError(
                f"could not get the ImageNet weights of {name} ({exc.__class__.__name__}: {exc}). This machine may "
                "have no internet: download them elsewhere and pass the file with --weights FILE, or use "
                "--weights none") from exc
        raise
    if weights_file is not None:
        base_model = keras.Model(base.input, base.output)
        base_model.load_weights(str(weights_file), skip_mismatch=False)
    base_layers = [layer for layer in base.layers if layer is not base.layers[0]]
    if trainable_layers is not None:
        for layer in base_layers[:len(base_layers) - trainable_layers] if trainable_layers else base_layers:
            layer.trainable = False
    return base


def _preprocess_layer(backbone: str) -> layers.Layer:
    """The backbone's input scaling as plain layers (no Lambda: models stay loadable in safe mode)."""
    if backbone in ("mobilenetv2", "resnet50v2"):
        return layers.Rescaling(1 / 127.5, offset=-1.0, name="preprocess")
    # VGG16 expects BGR with the ImageNet means removed
    return _VggPreprocess(name="preprocess")


@keras.saving.register_keras_serializable(package="labelstudio")
class _VggPreprocess(layers.Layer):
    def call(self, x):
        x = x[..., ::-1]
        return x - keras.ops.convert_to_tensor([103.939, 116.779, 123.68], dtype=x.dtype)


def last_conv_layer(model: keras.Model) -> str:
    """The name of the last layer with a 4-D output: the target of Grad-CAM."""
    for layer in reversed(model.layers):
        shape = getattr(layer, "output", None)
        if shape is not None and len(shape.shape) == 4 and not isinstance(layer, layers.InputLayer):
            if not isinstance(layer, (layers.Dropout, layers.Rescaling)):
                return layer.name
    raise ValueError("the model has no convolutional feature map")


def build_unet(size: int, depth: int = 3, width: int = 16) -> keras.Model:
    """A binary U-Net with ``depth`` down/up levels (size must be divisible by 2**depth); sigmoid output."""
    if size % (2 ** depth):
        raise ValueError(f"U-Net input size {size} must be divisible by {2 ** depth}")
    inputs = keras.Input((size, size, 3), name="image")
    x = layers.Rescaling(1 / 255.0)(inputs)
    skips = []
    for level in range(depth):
        x = _conv_block(x, width * 2 ** level)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    x = _conv_block(x, width * 2 ** depth)
    for level in reversed(range(depth)):
        x = layers.Conv2DTranspose(width * 2 ** level, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skips[level]])
        x = _conv_block(x, width * 2 ** level)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name="unet")


def _conv_block(x, filters: int):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def build_regressor(size: int, width: int = 16, blocks: tuple[int, ...] = (1, 1, 1)) -> keras.Model:
    """A ResNet-v2 style trunk (pre-activation residual blocks) with a ``Dense(8, relu) -> Dense(1)`` head."""
    inputs = keras.Input((size, size, 3), name="image")
    x = layers.Rescaling(1 / 255.0)(inputs)
    x = layers.Conv2D(width, 3, padding="same")(x)
    for stage, count in enumerate(blocks):
        filters = width * 2 ** stage
        for n in range(count):
            x = _preact_block(x, filters, stride=2 if stage > 0 and n == 0 else 1)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu", name="last_conv")(x)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(8, activation="relu")(x)
    outputs = layers.Dense(1, name="value")(x)
    return keras.Model(inputs, outputs, name="regressor")


def _preact_block(x, filters: int, stride: int):
    shortcut = x
    y = layers.BatchNormalization()(x)
    y = layers.Activation("relu")(y)
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride)(y)
    y = layers.Conv2D(filters, 3, strides=stride, padding="same")(y)
    y = layers.BatchNormalization()(y)
    y = layers.Activation("relu")(y)
    y = layers.Conv2D(filters, 3, padding="same")(y)
    return layers.Add()([shortcut, y])


# ---------------------------------------------------------------- losses and metrics
@keras.saving.register_keras_serializable(package="labelstudio")
def dice_coefficient(y_true, y_pred, smooth: float = 1.0):
    ops = keras.ops
    y_true = ops.cast(y_true, y_pred.dtype)
    inter = ops.sum(y_true * y_pred, axis=(1, 2, 3))
    total = ops.sum(y_true, axis=(1, 2, 3)) + ops.sum(y_pred, axis=(1, 2, 3))
    return ops.mean((2.0 * inter + smooth) / (total + smooth))


@keras.saving.register_keras_serializable(package="labelstudio")
def iou_score(y_true, y_pred, smooth: float = 1.0):
    ops = keras.ops
    y_true = ops.cast(y_true, y_pred.dtype)
    hard = ops.cast(y_pred > 0.5, y_pred.dtype)
    inter = ops.sum(y_true * hard, axis=(1, 2, 3))
    union = ops.sum(ops.maximum(y_true, hard), axis=(1, 2, 3))
    return ops.mean((inter + smooth) / (union + smooth))


@keras.saving.register_keras_serializable(package="labelstudio")
def dice_loss(y_true, y_pred):
    return 1.0 - dice_coefficient(y_true, y_pred)


@keras.saving.register_keras_serializable(package="labelstudio")
def bce_dice_loss(y_true, y_pred):
    bce = keras.ops.mean(keras.losses.binary_crossentropy(keras.ops.cast(y_true, y_pred.dtype), y_pred))
    return bce + dice_loss(y_true, y_pred)


SEGMENT_LOSSES = {"bce": "binary_crossentropy", "dice": dice_loss, "bce+dice": bce_dice_loss}
