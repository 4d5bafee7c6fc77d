"""Pretrained backbones: the ImageNet MobileNetV2 weights shipped with the app, how a ``--weights`` value resolves,
how a pretrained base is frozen, and the lower learning rate of the backbone layers that are fine-tuned.

``--weights imagenet`` (:data:`PRETRAINED`, the default) means, for ``mobilenetv2``, the file shipped in
``resources/weights/`` (a checkout) or ``labelstudio_desktop/resources/weights/`` (an installed wheel): no download,
so a fresh install trains offline. Its sha256 is checked once per process; a damaged file is a plain error naming it.
For the other ``keras.applications`` backbones ``imagenet`` is Keras' own download (with a plain message when it
fails). ``none`` trains from random weights; anything else is a local weights file.

Fine-tuning on a few images (DESIGN.md, "Known traps"): the BatchNorm layers of a pretrained base stay in inference
mode (non-trainable: Keras 3 then uses, and never updates, their moving statistics), and the backbone layers a run
unfreezes learn at :data:`BACKBONE_LR_FACTOR` times the learning rate of the new layers (:class:`BackboneAdam`).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import keras
from keras import layers

#: The ``--weights`` value of ImageNet weights (shipped for mobilenetv2, downloaded by Keras for the others).
PRETRAINED = "imagenet"
#: Every task's default backbone.
DEFAULT_BACKBONE = "mobilenetv2"
#: The learning rate of unfrozen pretrained layers, as a share of the new layers' (they are already good features).
BACKBONE_LR_FACTOR = 0.1
APPLICATIONS = {"mobilenetv2": "MobileNetV2", "resnet50v2": "ResNet50V2", "vgg16": "VGG16"}
_PACKAGE = Path(__file__).resolve().parent.parent


class WeightsError(Exception):
    """Pretrained weights that cannot be had; the message says what to do."""


@dataclass(frozen=True)
class ShippedWeights:
    """A weights file that ships with the package (in ``resources/weights/``) and its sha256."""

    backbone: str
    file: str
    sha256: str


SHIPPED = {
    "mobilenetv2": ShippedWeights("mobilenetv2", "mobilenet_v2_1.0_224_no_top.weights.h5",
                                  "6714965a05ee6d8568343664bb9cda7456c6eb1fa190a6f5eb39bf087068b100"),
}
_verified: set[tuple[str, int, int, str]] = set()


def weights_dir() -> Path:
    """``labelstudio_desktop/resources/weights`` when installed from a wheel, else ``resources/weights`` of the source
    tree (as ``gui/resources.py`` finds the icons)."""
    installed = _PACKAGE / "resources" / "weights"
    return installed if installed.is_dir() else _PACKAGE.parent / "resources" / "weights"


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify(path: Path, sha256: str) -> Path:
    """``path`` when its sha256 is ``sha256`` (hashed once per process for an unchanged file), else a plain
    :class:`WeightsError` naming the file."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: the ImageNet weights that ship with labelstudio-desktop are missing; reinstall "
                           "it, or train from scratch with --weights none")
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, sha256)
    if key not in _verified:
        actual = file_sha256(path)
        if actual != sha256:
            raise WeightsError(f"{path}: the file is damaged (sha256 {actual}, expected {sha256}); reinstall "
                               "labelstudio-desktop, or train from scratch with --weights none")
        _verified.add(key)
    return path


def shipped_weights(backbone: str = DEFAULT_BACKBONE, folder: Path | None = None) -> Path:
    """The verified path of the ImageNet weights shipped for ``backbone`` (in ``folder``, default
    :func:`weights_dir`)."""
    entry = SHIPPED[backbone]
    return verify(Path(folder or weights_dir()) / entry.file, entry.sha256)


def is_pretrained(weights: str | None) -> bool:
    """True for ``imagenet`` or a file, False for ``none`` (random initial weights)."""
    return weights not in (None, "", "none")


def resolve_weights(backbone: str, weights: str | None) -> tuple[str | None, Path | None]:
    """``imagenet | none | FILE`` -> (Keras' ``weights`` argument, file to load after building). ``imagenet`` of a
    backbone whose weights ship with the app is that file (no download)."""
    if not is_pretrained(weights):
        return None, None
    if weights == PRETRAINED:
        return (None, shipped_weights(backbone)) if backbone in SHIPPED else (PRETRAINED, None)
    path = Path(weights)
    if not path.is_file():
        raise WeightsError(f"{weights}: weights file not found (use imagenet, none, or a local .h5/.weights.h5)")
    return None, path


def zip_damage(path: Path) -> str | None:
    """Why a ``.keras`` file (a zip archive) is not a whole one, or None: a file cut short has no central
    directory at its end, a damaged member fails its CRC."""
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except zipfile.BadZipFile:
        return "it is not a whole Keras model file (truncated or damaged: not a complete zip archive)"
    except (OSError, EOFError, zipfile.LargeZipFile, NotImplementedError, ValueError) as exc:
        return f"it cannot be read as a Keras model file ({exc.__class__.__name__}: {exc})"
    if bad is not None:
        return f"it is damaged (its part {bad!r} fails its checksum)"
    return None


def download_error(name: str, exc: Exception) -> WeightsError:
    """The plain message of a failed ImageNet download (no internet, most often)."""
    shipped = ", ".join(SHIPPED)
    return WeightsError(
        f"could not get the ImageNet weights of {name} ({exc.__class__.__name__}: {exc}). This machine may have no "
        f"internet: download them elsewhere and pass the file with --weights FILE, use --weights none, or use the "
        f"backbone whose ImageNet weights ship with the app ({shipped})")


def freeze(base_layers: list[layers.Layer], weights: str | None, trainable_layers: int | None) -> None:
    """Freeze a base: ``trainable_layers`` 0 all of it, N all but its last N layers, None none. A pretrained base
    keeps every BatchNorm layer in inference mode (non-trainable), whatever is unfrozen."""
    if trainable_layers is not None:
        frozen = base_layers[:len(base_layers) - trainable_layers] if trainable_layers else base_layers
        for layer in frozen:
            layer.trainable = False
    if is_pretrained(weights):
        for layer in base_layers:
            if isinstance(layer, layers.BatchNormalization):
                layer.trainable = False


@cache
def application_layer_names(backbone: str) -> frozenset[str]:
    """The layer names of a ``keras.applications`` backbone (they do not depend on the input size)."""
    model = getattr(keras.applications, APPLICATIONS[backbone])(include_top=False, weights=None,
                                                                 input_shape=(32, 32, 3))
    names = frozenset(layer.name for layer in model.layers)
    del model
    return names


def slow_layers(model: keras.Model, backbone: str, weights: str | None) -> list[str]:
    """The trainable layers of ``model`` that come from a pretrained ``backbone``: they learn at
    :data:`BACKBONE_LR_FACTOR` times the learning rate. Empty for random weights or the small networks."""
    if backbone not in APPLICATIONS or not is_pretrained(weights):
        return []
    names = application_layer_names(backbone)
    return [layer.name for layer in model.layers if layer.name in names and layer.trainable and layer.weights]


@keras.saving.register_keras_serializable(package="labelstudio")
class BackboneAdam(keras.optimizers.Adam):
    """Adam whose updates of the variables of ``slow_layers`` (named layers of the model) use
    ``learning_rate * slow_factor``: unfrozen pretrained layers learn slower than the new ones. Saved and loaded
    with a checkpoint, so a resumed run keeps the two rates."""

    def __init__(self, learning_rate=1e-3, slow_layers=(), slow_factor: float = BACKBONE_LR_FACTOR, **kwargs):
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.slow_layers = tuple(slow_layers)
        self.slow_factor = float(slow_factor)
        self._slow_indices: set[int] = set()

    def build(self, var_list):
        super().build(var_list)
        slow = set(self.slow_layers)
        self._slow_indices = {self._get_variable_index(v) for v in var_list if v.path.split("/")[0] in slow}

    def update_step(self, gradient, variable, learning_rate):
        if self._get_variable_index(variable) in self._slow_indices:
            learning_rate = learning_rate * self.slow_factor
        return super().update_step(gradient, variable, learning_rate)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update(slow_layers=list(self.slow_layers), slow_factor=self.slow_factor)
        return config
