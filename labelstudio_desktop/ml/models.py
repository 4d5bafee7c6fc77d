"""Keras models: classifier (small CNN or transfer learning), binary U-Net, image regressor.

Every task defaults to the ImageNet-pretrained MobileNetV2 that ships with the app (:mod:`backbones`: ``weights
imagenet``, no download), frozen, its BatchNorm layers in inference mode; ``backbone="small"`` is each task's own
network from scratch (small CNN, plain U-Net, ResNet-v2 style regressor trunk).

Every model is one flat functional model: a transfer base is built on our input tensor and its output
feeds the head directly, so Grad-CAM can reach the last convolution without a "Graph disconnected" error
(DESIGN.md). :func:`last_conv_layer` finds the last convolutional feature map of any of them.
"""

from __future__ import annotations

import keras
from keras import layers

from .backbones import (  # noqa: F401 - WeightsError re-exported: callers catch it from here
    APPLICATIONS,
    DEFAULT_BACKBONE,
    PRETRAINED,
    WeightsError,
    download_error,
    freeze,
    resolve_weights,
    zip_damage,
)

BACKBONES = ("mobilenetv2", "small", "resnet50v2", "vgg16")
#: The smallest input a transfer backbone takes (its last feature map is size / 32).
MIN_TRANSFER_SIZE = 32


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


def build_classifier(size: int, classes: int, backbone: str = DEFAULT_BACKBONE, weights: str = PRETRAINED,
                     trainable_layers: int | None = 0, head: str = "avg") -> keras.Model:
    """A classifier for ``size`` x ``size`` RGB images (0-255 input): a base, global average pooling, dropout and a
    softmax layer.

    ``trainable_layers``: 0 freezes the whole base (random weights, ``none``: trains all of it), N fine-tunes its
    last N layers, None trains all.
    """
    inputs = keras.Input((size, size, 3), name="image")
    if backbone == "small":
        return keras.Model(inputs, small_cnn(inputs, classes, head=head), name="classifier_small")
    base = transfer_base(inputs, backbone, weights, trainable_layers)
    x = layers.GlobalAveragePooling2D()(base.output)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=f"classifier_{backbone}")


def transfer_base(inputs: keras.KerasTensor, backbone: str = DEFAULT_BACKBONE, weights: str = PRETRAINED,
                  trainable_layers: int | None = 0) -> keras.Model:
    """A ``keras.applications`` base built on ``inputs`` (so the caller's model stays flat), its input scaled as
    the backbone expects (MobileNetV2: -1..1), weights ``imagenet | none | FILE`` (``imagenet`` of mobilenetv2: the
    shipped file); ``trainable_layers`` as in :func:`build_classifier`; a pretrained base's BatchNorm layers stay in
    inference mode (:func:`backbones.freeze`)."""
    if backbone not in APPLICATIONS:
        raise ValueError(f"unknown backbone {backbone!r}; choose one of {', '.join(BACKBONES)}")
    size = inputs.shape[1]
    if size is not None and size < MIN_TRANSFER_SIZE:
        raise ValueError(f"the {backbone} backbone needs inputs of at least {MIN_TRANSFER_SIZE} px (got {size})")
    name = APPLICATIONS[backbone]
    keras_weights, weights_file = resolve_weights(backbone, weights)
    x = _preprocess_layer(backbone)(inputs)
    try:
        base = getattr(keras.applications, name)(include_top=False, weights=keras_weights, input_tensor=x)
    except Exception as exc:  # noqa: BLE001 - a failed download has many exception types
        if keras_weights == PRETRAINED:
            raise download_error(name, exc) from exc
        raise
    if weights_file is not None:
        damage = zip_damage(weights_file) if weights_file.suffix == ".keras" else None
        if damage:
            raise WeightsError(f"{weights_file}: {damage}")
        try:
            keras.Model(base.input, base.output).load_weights(str(weights_file))
        except Exception as exc:  # noqa: BLE001 - a wrong or broken file raises many kinds of errors
            raise WeightsError(f"{weights_file}: not weights of {name} without its top "
                               f"({exc.__class__.__name__}: {exc})") from exc
    if keras_weights is None and weights_file is None and trainable_layers == 0:
        trainable_layers = None  # a frozen random base is useless: random weights train the whole base
    freeze([layer for layer in base.layers if layer is not base.layers[0]], weights, trainable_layers)
    return base


def feature_maps(base: keras.Model, size: int, strides: tuple[int, ...]) -> list:
    """The last feature map of ``base`` at each of ``strides`` (found by spatial size, for any backbone)."""
    found = {}
    for layer in base.layers:
        shape = getattr(getattr(layer, "output", None), "shape", None)
        if shape is None or len(shape) != 4 or shape[1] is None:
            continue
        for stride in strides:
            if shape[1] == size // stride and shape[2] == size // stride:
                found[stride] = layer.output
    missing = [s for s in strides if s not in found]
    if missing:
        raise ValueError(f"the backbone has no feature map at stride(s) {missing} for input size {size}")
    return [found[s] for s in strides]


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


def build_unet(size: int, depth: int = 3, width: int = 16, backbone: str = DEFAULT_BACKBONE,
               weights: str = PRETRAINED, trainable_layers: int | None = 0) -> keras.Model:
    """A binary U-Net; sigmoid output at the input size.

    ``backbone="small"``: the plain U-Net from scratch, ``depth`` down/up levels (size divisible by 2**depth).
    A transfer backbone (default: the pretrained MobileNetV2) is the encoder: its feature maps at strides 2 to 16
    are the skip connections, stride 32 the bottom (size divisible by 32, ``depth`` unused), the decoder learns."""
    if backbone != "small":
        return _transfer_unet(size, width, backbone, weights, trainable_layers)
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


def _transfer_unet(size: int, width: int, backbone: str, weights: str, trainable_layers: int | None) -> keras.Model:
    if size % 32:
        raise ValueError(f"U-Net input size {size} must be divisible by 32 with the {backbone} encoder")
    inputs = keras.Input((size, size, 3), name="image")
    base = transfer_base(inputs, backbone, weights, trainable_layers)
    *skips, x = feature_maps(base, size, (2, 4, 8, 16, 32))
    for level in reversed(range(len(skips))):  # stride 16 -> 2, then the full size
        x = layers.Conv2DTranspose(width * 2 ** level, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skips[level]])
        x = _conv_block(x, width * 2 ** level)
    x = layers.Conv2DTranspose(width, 2, strides=2, padding="same")(x)
    x = _conv_block(x, width)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name=f"unet_{backbone}")


def _conv_block(x, filters: int):
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same", activation="relu")(x)


def build_regressor(size: int, width: int = 16, blocks: tuple[int, ...] = (1, 1, 1),
                    backbone: str = DEFAULT_BACKBONE, weights: str = PRETRAINED,
                    trainable_layers: int | None = 0) -> keras.Model:
    """A trunk, global average pooling and a ``Dense(8, relu) -> Dense(1)`` head (MSE). The trunk is a transfer
    backbone (default: the pretrained MobileNetV2) or, with ``backbone="small"``, a ResNet-v2 style trunk from
    scratch (pre-activation residual blocks: ``width``, ``blocks``)."""
    inputs = keras.Input((size, size, 3), name="image")
    if backbone != "small":
        x = transfer_base(inputs, backbone, weights, trainable_layers).output
    else:
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
    return keras.Model(inputs, outputs, name="regressor" if backbone == "small" else f"regressor_{backbone}")


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
