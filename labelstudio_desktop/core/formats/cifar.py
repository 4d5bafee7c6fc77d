"""CIFAR-10 *python* batches (``data_batch_N``, ``test_batch``, ``batches.meta``).

Each batch is a pickled dict with ``data`` (N x 3072 uint8, planes R, G, B of 32x32), ``labels`` and
``filenames``. The CUCUMBER-9 prototype 2 stores three views per sample as 9 planes (above RGB, below RGB,
side RGB), i.e. N x 9216; ``view`` picks one of them.

Pickles can run code when loaded, so batches are read with an unpickler that only builds plain
containers and NumPy arrays.
"""

from __future__ import annotations

import io
import pickle
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

VIEWS = ("above", "below", "side")
BATCH_NAME = re.compile(r"^(data_batch_\d+|test_batch)$")
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("collections", "OrderedDict"),
}


class CifarError(Exception):
    """A batch file that cannot be used; the message is a plain reason."""


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name} (only data is allowed in a batch)")


def load_pickle(path: Path) -> dict:
    """Load a CIFAR pickle safely; keys are returned as ``str``."""
    try:
        with open(path, "rb") as f:
            obj = _SafeUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError) as exc:
        raise CifarError(f"not a CIFAR python batch ({exc})") from exc
    except OSError as exc:
        raise CifarError(f"cannot read ({exc.strerror})") from exc
    if not isinstance(obj, dict):
        raise CifarError("not a CIFAR python batch (no dictionary inside)")
    return {(k.decode("latin1") if isinstance(k, bytes) else str(k)): v for k, v in obj.items()}


def find_batch_dir(root: Path) -> Path | None:
    """The folder holding CIFAR batches: ``root`` itself or one folder below it (folders that cannot be read are
    passed over: the import reports them)."""
    try:
        below = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return None
    for folder in [root, *below]:
        try:
            if (folder / "batches.meta").is_file() or any(BATCH_NAME.match(p.name) for p in folder.iterdir()):
                return folder
        except OSError:
            continue
    return None


def label_names(batch_dir: Path) -> list[str] | None:
    meta = batch_dir / "batches.meta"
    if not meta.is_file():
        return None
    names = load_pickle(meta).get("label_names")
    return [n.decode("utf-8") if isinstance(n, bytes) else str(n) for n in names] if names else None


@dataclass
class CifarSample:
    batch: str
    index: int
    filename: str
    label: int
    pixels: np.ndarray  # 32 x 32 x 3 uint8


def read_batch(path: Path, view: str | None = None) -> list[CifarSample]:
    """Samples of one batch; ``view`` selects above/below/side for 9-plane (3-view) batches."""
    data = load_pickle(path)
    array = data.get("data")
    labels = data.get("labels", data.get("fine_labels"))
    if array is None or labels is None:
        raise CifarError("batch has no 'data' or 'labels'")
    array = np.asarray(array)
    if array.dtype != np.uint8 or array.ndim != 2 or len(labels) != array.shape[0]:
        raise CifarError(f"unexpected data shape {array.shape} / {array.dtype} for {len(labels)} labels")
    planes, rem = divmod(array.shape[1], 32 * 32)
    if rem or planes not in (3, 9):
        raise CifarError(f"rows of {array.shape[1]} values are neither 3 nor 9 planes of 32x32")
    cube = array.reshape(-1, planes, 32, 32)
    if planes == 9:
        chosen = view or "above"
        if chosen not in VIEWS:
            raise CifarError(f"unknown view {chosen!r}; choose one of {', '.join(VIEWS)}")
        start = 3 * VIEWS.index(chosen)
        cube = cube[:, start:start + 3]
    filenames = data.get("filenames") or [None] * len(labels)
    samples = []
    for i, (label, name) in enumerate(zip(labels, filenames, strict=False)):
        fname = name.decode("utf-8", "replace") if isinstance(name, bytes) else name
        samples.append(CifarSample(path.name, i, fname or f"{i:05d}.png", int(label),
                                   np.ascontiguousarray(cube[i].transpose(1, 2, 0))))
    return samples


def png_bytes(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="PNG")
    return buf.getvalue()


def safe_stem(filename: str, index: int) -> str:
    stem = Path(filename).stem
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "sample"
    return f"{index:05d}_{stem}"
