"""Training and augmentation settings as plain dataclasses (no TensorFlow: the GUI imports them freely)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from ..core.validate import shown

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
    def from_params(cls, params: object, notes: list[str] | None = None, what: str = "the run",
                    task: str | None = None) -> TrainConfig:
        """The config a run's stored parameters describe (:func:`checked_params`): a value that no run can have is
        replaced by its default, with a note in ``notes`` naming ``what`` (the run) and the value."""
        return checked_params(params, notes if notes is not None else [], what, task)


# ---------------------------------------------------------------- a run's stored parameters
class ParamsError(ValueError):
    """A run whose stored parameters cannot be used at all (its task, its classes, its input size); the message is
    plain and names the run."""


#: What a stored training parameter may be: (kind, lowest, highest); ``None`` allowed where the field allows it.
_NUMBER_FIELDS: dict[str, tuple[type, float, float]] = {
    "epochs": (int, 0, 100_000), "batch": (int, 1, 4096), "size": (int, 16, 2048),
    "learning_rate": (float, 1e-9, 10.0), "unet_depth": (int, 1, 8), "seed": (int, 0, 2 ** 31 - 1),
    "snapshot_every": (int, 0, 100_000), "snapshot_images": (int, 0, 64), "hard_negative_weight": (float, 0.0, 100.0),
    "min_steps": (int, 0, 10_000_000), "trainable_layers": (int, 0, 100_000),
}
#: The names a stored text parameter may hold.
_CHOICES: dict[str, tuple[str, ...]] = {
    "backbone": ("mobilenetv2", "small", "resnet50v2", "vgg16"),
    "balance": ("none", "weights", "oversample", "undersample"),
    "loss": ("bce", "dice", "bce+dice"), "head": ("avg", "max"),
}
_STRIDES = (4, 8, 16)
#: An augmentation option's range: strengths, the probability of random erasing; the pairs of random erasing.
_AUGMENT_NUMBERS = {"shift": (0.0, 1.0), "rotate": (0.0, 180.0), "zoom": (0.0, 0.9), "scale": (0.0, 4.0),
                    "brightness": (0.0, 1.0), "color": (0.0, 1.0), "erase_p": (0.0, 1.0)}
_AUGMENT_PAIRS = {"erase_s": (0.0, 1.0), "erase_r": (1e-3, 1e3), "erase_v": (0.0, 255.0)}
_AUGMENT_FLAGS = ("hflip", "vflip", "erase_pixel_level")


def stored_number(value: object, kind: type, low: float, high: float) -> int | float | None:
    """``value`` as an int (``kind`` int: a whole number) or float within ``low..high``; None when it is anything
    else (text, a list, NaN, a bool, out of range)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        as_float = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    if not math.isfinite(as_float) or not low <= as_float <= high:
        return None
    if kind is int:
        return int(value) if as_float.is_integer() else None
    return as_float


def _odd(notes: list[str], what: str, key: str, value: object, used: object, why: str = "") -> None:
    notes.append(f"{what}: its stored {key} ({shown(value)}) is not {why or 'a usable value'}: {shown(used)} used")


def checked_params(params: object, notes: list[str], what: str = "the run", task: str | None = None) -> TrainConfig:
    """A :class:`TrainConfig` from a run's stored parameters (JSON from a project database, so from anyone): each
    known field that holds what no run can have (text where a number belongs, a list, NaN, a huge or negative
    number, an unknown name) takes its default, with a note in ``notes`` naming ``what`` and the value; unknown
    augmentation options are left out with a note. Raises :class:`ParamsError` when neither the parameters nor
    ``task`` (the run's task column) name a task."""
    if not isinstance(params, dict):
        notes.append(f"{what}: its stored parameters are not a JSON object ({shown(params)}): defaults used")
        params = {}
    stored_task = params.get("task", task)
    if stored_task not in TASKS:
        if task not in TASKS:
            raise ParamsError(f"{what}: its task ({shown(stored_task)}) is not one of {', '.join(TASKS)}: the run "
                              "cannot be used")
        if "task" in params:
            _odd(notes, what, "task", stored_task, task, "a task")
        stored_task = task
    config = TrainConfig(task=stored_task)  # what a field missing from the parameters always meant
    defaults = {f.name: getattr(config, f.name) for f in fields(TrainConfig)}
    for key, (kind, low, high) in _NUMBER_FIELDS.items():
        if key not in params:
            continue
        value = params[key]
        if key == "trainable_layers" and value is None:
            config.trainable_layers = None
            continue
        checked = stored_number(value, kind, low, high)
        if checked is None:
            why = f"a whole number in {low}..{high}" if kind is int else f"a number in {low:g}..{high:g}"
            _odd(notes, what, key, value, defaults[key], why)
        else:
            setattr(config, key, checked)
    for key, choices in _CHOICES.items():
        if key in params:
            if isinstance(params[key], str) and params[key] in choices:
                setattr(config, key, params[key])
            else:
                _odd(notes, what, key, params[key], defaults[key], f"one of {', '.join(choices)}")
    if "stride" in params:
        if stored_number(params["stride"], int, 4, 16) in _STRIDES:
            config.stride = int(params["stride"])
        else:
            _odd(notes, what, "stride", params["stride"], defaults["stride"], "one of 4, 8, 16")
    if "weights" in params:
        weights = params["weights"]
        if weights in ("imagenet", "none"):
            config.weights = weights
        elif isinstance(weights, str) and weights:
            # a file named by a database (someone else's path) is never read: the run's own model holds its weights
            notes.append(f"{what}: its weights file {shown(weights)} is not read again: imagenet used for a new base")
        else:
            _odd(notes, what, "weights", weights, defaults["weights"], "imagenet, none or a file")
    if "augment" in params:
        config.augment = checked_augment(params["augment"], notes, what, config.augment)
    return config


def checked_augment(value: object, notes: list[str], what: str = "the run",
                    default: AugmentConfig | None = None) -> AugmentConfig:
    """An :class:`AugmentConfig` from stored options (see :func:`checked_params`): odd values take the default's,
    unknown options are left out, each with a note."""
    default = default or AugmentConfig()
    if not isinstance(value, dict):
        if value is not None:
            _odd(notes, what, "augmentation", value, "the task's default", "a JSON object of options")
        return default
    out = AugmentConfig(**default.as_dict())
    for key, option in value.items():
        if key in _AUGMENT_FLAGS:
            if isinstance(option, bool):
                setattr(out, key, option)
            else:
                _odd(notes, what, f"augmentation {key}", option, getattr(default, key), "true or false")
        elif key in _AUGMENT_NUMBERS:
            low, high = _AUGMENT_NUMBERS[key]
            checked = stored_number(option, float, low, high)
            if checked is None:
                _odd(notes, what, f"augmentation {key}", option, getattr(default, key),
                     f"a number in {low:g}..{high:g}")
            else:
                setattr(out, key, checked)
        elif key in _AUGMENT_PAIRS:
            low, high = _AUGMENT_PAIRS[key]
            pair = [stored_number(v, float, low, high) for v in option] \
                if isinstance(option, (list, tuple)) and len(option) == 2 else [None]
            if None in pair or pair[0] > pair[1]:
                _odd(notes, what, f"augmentation {key}", option, getattr(default, key),
                     f"two ascending numbers in {low:g}..{high:g}")
            else:
                setattr(out, key, (pair[0], pair[1]))
        else:
            notes.append(f"{what}: its stored augmentation option {shown(key)} is unknown: ignored")
    return out


def stored_classes(params: object, what: str = "the run") -> list[str]:
    """A run's class names: a list of distinct non-empty texts; :class:`ParamsError` when the stored value is not
    (the model's outputs could not be named)."""
    classes = params.get("classes") if isinstance(params, dict) else None
    if not isinstance(classes, list) or not classes or len(classes) > 100_000 \
            or not all(isinstance(c, str) and c for c in classes) or len(set(classes)) != len(classes):
        raise ParamsError(f"{what}: its stored classes ({shown(classes)}) are not a list of distinct class names: "
                          "the run cannot be used; train a new one")
    return classes


def stored_size(params: object, what: str = "the run") -> int | None:
    """A run's square input size as stored, or None when it is not a usable size (the model's own input size then
    decides: see ``ml.train.task_model``)."""
    size = params.get("size") if isinstance(params, dict) else None
    low, high = _NUMBER_FIELDS["size"][1:]
    return stored_number(size, int, low, high)


def trained_boxes(params: object) -> int | None:
    """How many boxes a detector run trained on (the sum of its stored ``counts`` per class), or None when they are
    not stored as whole numbers of boxes."""
    counts = params.get("counts") if isinstance(params, dict) else None
    if not isinstance(counts, dict) or not counts:
        return None
    values = [stored_number(v, int, 0, 10 ** 12) for v in counts.values()]
    return None if None in values else int(sum(values))


def tuned_value(tuned: dict, key: str, default, notes: list[str], what: str = "the run",
                low: float = 0.0, high: float = 1.0, kind: type = float):
    """A calibrated proposal parameter (``proposal_params``) of a run: ``tuned[key]`` when it is a number in
    ``low..high`` (a bool for ``kind`` bool, one of ``high`` for ``kind`` str), else ``default`` with a note."""
    if key not in tuned:
        return default
    value = tuned[key]
    if kind is bool:
        ok = isinstance(value, bool)
        why = "true or false"
    elif kind is str:
        ok = isinstance(value, str) and value in high
        why = f"one of {', '.join(high)}"
    else:
        value = stored_number(value, kind, low, high)
        ok = value is not None
        why = f"a number in {low:g}..{high:g}"
    if ok:
        return value
    _odd(notes, what, f"calibrated {key}", tuned[key], default, why)
    return default


def stored_tuned(params: object, notes: list[str], what: str = "the run") -> dict:
    """A run's calibrated proposal parameters (``proposal_params``): a JSON object, else none (with a note)."""
    tuned = params.get("proposal_params") if isinstance(params, dict) else None
    if tuned is None:
        return {}
    if not isinstance(tuned, dict):
        notes.append(f"{what}: its stored calibration ({shown(tuned)}) is not a JSON object: ignored")
        return {}
    return tuned


#: An epoch of a run its minimum of batches lengthens goes over the images again until it holds this many batches:
#: every epoch ends in a validation and maybe a checkpoint (a second or more with a pretrained backbone), which 600
#: epochs of one batch each paid 600 times (a 20-image retrain took 11 minutes, issue 20).
MIN_EPOCH_BATCHES = 20


@dataclass(frozen=True)
class EpochPlan:
    """How many epochs a run does and why: ``asked`` epochs (one pass over the training images each), raised when the
    task's minimum of batches (``min_steps``) needs more; ``steps`` batches per epoch, which are ``passes`` passes
    over the images when the images are few (``MIN_EPOCH_BATCHES``)."""

    asked: int
    epochs: int
    steps: int
    min_steps: int = 0
    passes: int = 1

    @property
    def raised(self) -> bool:
        """True when the minimum of batches made the run longer than asked."""
        return self.batches > self.asked * (self.steps // self.passes)

    @property
    def batches(self) -> int:
        return self.epochs * self.steps

    def as_dict(self) -> dict:
        return {"asked": self.asked, "epochs": self.epochs, "steps": self.steps, "min_steps": self.min_steps,
                "passes": self.passes, "raised": self.raised}

    @classmethod
    def from_dict(cls, data: dict) -> EpochPlan:
        return cls(int(data["asked"]), int(data["epochs"]), int(data["steps"]), int(data.get("min_steps", 0)),
                   int(data.get("passes", 1)))


def epoch_plan(epochs: int, batch: int, images: int, min_steps: int = 0) -> EpochPlan:
    """The epochs a new run of ``epochs`` trains on ``images`` training images in batches of ``batch``: at least
    ``min_steps`` batches in all when the task has such a minimum (``TASK_DEFAULTS``), then in epochs of at least
    ``MIN_EPOCH_BATCHES`` batches (several passes over few images)."""
    one_pass = max(1, math.ceil(max(0, images) / max(1, batch)))
    if not min_steps or epochs * one_pass >= min_steps:
        return EpochPlan(asked=epochs, epochs=epochs, steps=one_pass, min_steps=min_steps)
    if images <= 0:  # nothing to go over again: one (empty) batch an epoch
        return EpochPlan(asked=epochs, epochs=min_steps, steps=1, min_steps=min_steps)
    passes = max(1, min(math.ceil(MIN_EPOCH_BATCHES / one_pass), math.ceil(min_steps / one_pass)))
    steps = one_pass * passes
    return EpochPlan(asked=epochs, epochs=math.ceil(min_steps / steps), steps=steps, min_steps=min_steps,
                     passes=passes)
