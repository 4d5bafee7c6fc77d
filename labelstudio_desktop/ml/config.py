"""Training and augmentation settings as plain dataclasses (no TensorFlow: the GUI imports them freely)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

OPTIONS = ("hflip", "vflip", "shift", "rotate", "zoom", "scale", "brightness", "color", "erase")
TASKS = ("classify", "segment", "regress", "detect")
#: What a new run of a task gets when the user sets nothing (the CLI and the Training dock). No default flips
#: vertically or rotates: photos have an up (vflip stays an option for slides and aerial views, which have none).
#: The detector's defaults train on 200 photos in about 2 minutes on 2 CPU cores (benchmarks/detector_speed.py).
#: Every task starts from the ImageNet MobileNetV2 shipped with the app (:data:`DEFAULT_BACKBONE`, weights
#: :data:`DEFAULT_WEIGHTS`). Its last feature map is size / 32: classify and regress take 128 px (a 4 x 4 map for the
#: pooled features and Grad-CAM; at 64 px it would be 2 x 2 and ImageNet features, learnt at 224 px, degrade), and
#: every default size is a multiple of 32 (the U-Net's encoder and the detector's pyramid need it).
DEFAULT_BACKBONE = "mobilenetv2"
DEFAULT_WEIGHTS = "imagenet"
TASK_DEFAULTS = {
    "classify": {"size": 128, "epochs": 10, "augment": ""},
    "segment": {"size": 128, "epochs": 30, "augment": "hflip,shift", "min_steps": 400},
    "regress": {"size": 128, "epochs": 10, "augment": ""},
    "detect": {"size": 160, "epochs": 40, "augment": "hflip,shift,zoom", "min_steps": 600},
}


#: The strength an option named in ``--augment`` gets (flips and random erasing are on or off).
NAMED_STRENGTHS = {"shift": 0.1, "rotate": 15.0, "zoom": 0.1, "scale": 0.5, "brightness": 0.2, "color": 0.3}


@dataclass
class AugmentConfig:
    hflip: bool = False
    vflip: bool = False
    shift: float = 0.0  # fraction of the size
    rotate: float = 0.0  # degrees
    zoom: float = 0.0  # fraction: scale in 1 +- zoom
    scale: float = 0.0  # random scale and crop: a factor in 1 / (1 + scale) .. 1 + scale, at a random position
    brightness: float = 0.0  # fraction: factor in 1 +- brightness
    color: float = 0.0  # colour jitter: contrast and saturation factors in 1 +- color
    erase_p: float = 0.0
    erase_s: tuple[float, float] = (0.02, 0.4)
    erase_r: tuple[float, float] = (0.3, 1 / 0.3)
    erase_v: tuple[float, float] = (0.0, 255.0)
    erase_pixel_level: bool = False

    @property
    def active(self) -> bool:
        return any((self.hflip, self.vflip, self.geometric, self.photometric))

    @property
    def geometric(self) -> bool:
        """True when the options move pixels (and so masks and boxes with them)."""
        return any((self.hflip, self.vflip, self.shift, self.rotate, self.zoom, self.scale))

    @property
    def photometric(self) -> bool:
        """True when the options change pixel values only (brightness, colour, random erasing)."""
        return any((self.brightness, self.color, self.erase_p))

    def photometric_only(self) -> AugmentConfig:
        """The same brightness, colour and random erasing, without any geometric change."""
        return AugmentConfig(brightness=self.brightness, color=self.color, erase_p=self.erase_p, erase_s=self.erase_s,
                             erase_r=self.erase_r, erase_v=self.erase_v, erase_pixel_level=self.erase_pixel_level)

    @classmethod
    def from_names(cls, names: list[str] | str | None) -> AugmentConfig:
        """``hflip,shift,erase`` etc. with the usual strengths (CLI ``--augment``)."""
        if not names:
            return cls()
        if isinstance(names, str):
            names = [n for n in names.replace(" ", "").split(",") if n]
        unknown = set(names) - set(OPTIONS) - {"all", "flip"}
        if unknown:
            raise ValueError(f"unknown augmentation {sorted(unknown)}; choose from {', '.join(OPTIONS)}, all")
        on = set(OPTIONS) if "all" in names else set(names)
        if "flip" in on:
            on.add("hflip")
        strength = {name: value if name in on else 0.0 for name, value in NAMED_STRENGTHS.items()}
        return cls(hflip="hflip" in on, vflip="vflip" in on, erase_p=0.5 if "erase" in on else 0.0, **strength)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainConfig:
    task: str
    backbone: str = DEFAULT_BACKBONE  # "small": the task's own network from scratch (today's CNN, plain U-Net)
    weights: str = DEFAULT_WEIGHTS  # imagenet (shipped for mobilenetv2: no download) | none | a weights file
    trainable_layers: int | None = 0  # of a transfer backbone: 0 frozen, N the last N layers, None all
    epochs: int = 10
    batch: int = 16
    size: int = 128
    learning_rate: float = 1e-3
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    balance: str = "none"
    loss: str = "bce+dice"
    unet_depth: int = 3
    seed: int = 0
    snapshot_every: int = 0
    snapshot_images: int = 4
    hard_negative_weight: float = 4.0  # detect: background loss weight at the centre of a rejected proposal
    stride: int = 8  # detect: the output grid is size / stride (4, 8 or 16)
    head: str = "avg"  # classify, small backbone: global average (localises better) or max pooling
    min_steps: int = 0  # a new run trains at least this many batches (more epochs when there are few images)

    @classmethod
    def for_task(cls, task: str, **values) -> TrainConfig:
        """A config with the task's defaults (:data:`TASK_DEFAULTS`: size, epochs, augmentation); ``values``
        override them."""
        defaults = TASK_DEFAULTS[task]
        config = cls(task=task, size=defaults["size"], epochs=defaults["epochs"],
                     augment=AugmentConfig.from_names(defaults["augment"]), min_steps=defaults.get("min_steps", 0))
        for key, value in values.items():
            setattr(config, key, value)
        return config

    def as_params(self) -> dict:
        params = asdict(self)
        params["augment"] = self.augment.as_dict()
        return params

    @classmethod
    def from_params(cls, params: dict) -> TrainConfig:
        known = {k: v for k, v in params.items() if k in cls.__dataclass_fields__}
        aug = known.pop("augment", {}) or {}
        for key in ("erase_s", "erase_r", "erase_v"):
            if key in aug:
                aug[key] = tuple(aug[key])
        return cls(augment=AugmentConfig(**aug), **known)


@dataclass(frozen=True)
class EpochPlan:
    """How many epochs a run does and why: ``asked`` epochs, raised to ``epochs`` when the task's minimum of
    batches (``min_steps``) needs more at ``steps`` batches per epoch."""

    asked: int
    epochs: int
    steps: int
    min_steps: int = 0

    @property
    def raised(self) -> bool:
        """True when the minimum of batches made the run longer than asked."""
        return self.epochs > self.asked

    @property
    def batches(self) -> int:
        return self.epochs * self.steps

    def as_dict(self) -> dict:
        return {"asked": self.asked, "epochs": self.epochs, "steps": self.steps, "min_steps": self.min_steps}

    @classmethod
    def from_dict(cls, data: dict) -> EpochPlan:
        return cls(int(data["asked"]), int(data["epochs"]), int(data["steps"]), int(data.get("min_steps", 0)))


def epoch_plan(epochs: int, batch: int, images: int, min_steps: int = 0) -> EpochPlan:
    """The epochs a new run of ``epochs`` trains on ``images`` training images in batches of ``batch``: at least
    ``ceil(min_steps / batches per epoch)`` when the task has a minimum of batches (``TASK_DEFAULTS``)."""
    steps = max(1, math.ceil(max(0, images) / max(1, batch)))
    planned = max(epochs, math.ceil(min_steps / steps)) if min_steps else epochs
    return EpochPlan(asked=epochs, epochs=planned, steps=steps, min_steps=min_steps)
