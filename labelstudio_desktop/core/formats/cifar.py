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

from ..labels_rule import label_problem

VIEWS = ("above", "below", "side")
BATCH_NAME = re.compile(r"^(data_batch_\d+|test_batch)$")
def _encode(text: str, encoding: str = "utf-8") -> bytes:
    """``_codecs.encode`` as protocol 2 pickles need it for ``bytes`` (``latin1`` text), for text codecs only."""
    if not isinstance(text, str) or encoding.lower().replace("-", "").replace("_", "") not in _TEXT_CODECS:
        raise pickle.UnpicklingError(f"refused to encode with {encoding!r} (only text codecs are allowed in a batch)")
    return text.encode(encoding)


def _frombuffer(buffer, dtype, shape, order):
    """NumPy's ``_frombuffer`` as protocol 5 pickles name it: an array over the pickled bytes, of a plain dtype."""
    dtype = np.dtype(dtype)
    if dtype.hasobject:
        raise pickle.UnpicklingError("refused an array of Python objects (only data is allowed in a batch)")
    return np.frombuffer(buffer, dtype=dtype).reshape(shape, order=order)


_TEXT_CODECS = {"latin1", "iso88591", "utf8", "ascii"}
_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): None,
    ("numpy._core.multiarray", "_reconstruct"): None,
    ("numpy", "ndarray"): None,
    ("numpy", "dtype"): None,
    ("numpy.core.multiarray", "scalar"): None,
    ("numpy._core.multiarray", "scalar"): None,
    ("collections", "OrderedDict"): None,
    # protocol 2 has no bytes opcode: bytes come as _codecs.encode(text, "latin1")
    ("_codecs", "encode"): _encode,
    # protocol 5 pickles arrays as _frombuffer(bytes, dtype, shape, order)
    ("numpy.core.numeric", "_frombuffer"): _frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
}


class CifarError(Exception):
    """A batch file that cannot be used; the message is a plain reason."""


class _SafeUnpickler(pickle.Unpickler):
    """Builds plain containers and NumPy arrays only: every global a pickle may name is on a short list, and the
    two that could do more (``_codecs.encode``, ``_frombuffer``) are replaced by versions that only build data."""

    def find_class(self, module: str, name: str):
        if (module, name) in _ALLOWED_GLOBALS:
            return _ALLOWED_GLOBALS[(module, name)] or super().find_class(module, name)
        raise pickle.UnpicklingError(f"refused to load {module}.{name} (only data is allowed in a batch)")


def load_pickle(path: Path) -> dict:
    """Load a CIFAR pickle safely (protocols 0 to 5); keys are returned as ``str``."""
    try:
        with open(path, "rb") as f:
            obj = _SafeUnpickler(f, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError,
            MemoryError) as exc:
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


def _sequence(value) -> bool:
    """A list-like of items (a list, tuple or 1-D array), not a string or a single number."""
    if isinstance(value, np.ndarray):
        return value.ndim == 1
    return isinstance(value, (list, tuple))


def _kind(value) -> str:
    if isinstance(value, np.ndarray):
        return f"a {value.ndim}-D array"
    return f"a single {type(value).__name__}" if not isinstance(value, (list, tuple, dict)) else \
        f"a {type(value).__name__}"


def label_names(batch_dir: Path, notes: list[str] | None = None) -> list[str] | None:
    """The class names of ``batches.meta`` (None without one). A name that breaks the label rule (a line break, a
    control character) is replaced by the class number, with a note in ``notes``."""
    meta = batch_dir / "batches.meta"
    if not meta.is_file():
        return None
    raw = load_pickle(meta).get("label_names")
    if raw is None:
        return None
    if not _sequence(raw):
        raise CifarError(f"'label_names' is {_kind(raw)}, not a list of class names")
    names = []
    for k, item in enumerate(raw):
        if isinstance(item, bytes):
            text = item.decode("utf-8", "replace")
        elif isinstance(item, (str, int, np.integer)) and not isinstance(item, bool):
            text = str(item)
        else:
            text = ""
        problem = label_problem(text) if text.strip() else f"class {k} has no usable name ({item!r})"
        if problem:
            if notes is not None:
                notes.append(f"{problem}: class {k} is named {k}")
            text = str(k)
        names.append(text)
    return names or None


@dataclass
class CifarSample:
    batch: str
    index: int
    filename: str
    label: int | None  # None: the batch's label is not a whole number
    pixels: np.ndarray  # 32 x 32 x 3 uint8


def _label_value(value) -> int | None:
    """A label as a whole number, or None (text, NaN, a fraction, a nested list)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and float(value).is_integer():
        return int(value)
    if isinstance(value, (str, bytes)):
        text = value.decode("latin1") if isinstance(value, bytes) else value
        return int(text) if text.strip().lstrip("-").isdigit() else None
    return None


def _labels(raw, count: int, notes: list[str]) -> list[int | None]:
    if not _sequence(raw):
        raise CifarError(f"'labels' is {_kind(raw)}, not one label per image")
    if len(raw) != count:
        raise CifarError(f"{len(raw)} labels for {count} images")
    labels = [_label_value(v) for v in raw]
    bad = [v.item() if isinstance(v, np.generic) else v for v, label in zip(raw, labels, strict=True)
           if label is None]
    if bad:
        notes.append(f"{len(bad)} label(s) are not whole numbers (such as {bad[0]!r}): those images are imported "
                     "without a class")
    return labels


def _filenames(raw, count: int, notes: list[str]) -> list[str | None]:
    if raw is None:
        return [None] * count
    if not _sequence(raw):
        notes.append(f"'filenames' is {_kind(raw)}, not a list of names: images are named by number")
        return [None] * count
    names: list[str | None] = []
    for item in list(raw)[:count]:
        if isinstance(item, (bytes, np.bytes_)):
            names.append(bytes(item).decode("utf-8", "replace") or None)
        elif isinstance(item, str):
            names.append(item or None)
        else:
            names.append(None)
    if len(raw) != count:
        notes.append(f"{len(raw)} file names for {count} images: "
                     + ("the rest are named by number" if len(raw) < count else "the extra names are ignored"))
    if any(n is None for n in names[:len(raw)]):
        notes.append("some file names are not text: those images are named by number")
    return names + [None] * (count - len(names))


def read_batch(path: Path, view: str | None = None, notes: list[str] | None = None) -> list[CifarSample]:
    """Samples of one batch; ``view`` selects above/below/side for 9-plane (3-view) batches. What is odd but
    usable (labels that are not numbers, missing or odd file names) is described in ``notes``; what is not usable
    raises :class:`CifarError` with a plain reason."""
    notes = notes if notes is not None else []
    data = load_pickle(path)
    array = data.get("data")
    raw_labels = data.get("labels", data.get("fine_labels"))
    if array is None or raw_labels is None:
        raise CifarError("batch has no 'data' or 'labels'")
    if not isinstance(array, np.ndarray):
        try:
            array = np.asarray(array, dtype=np.uint8) if isinstance(array, (list, tuple)) else np.asarray(array)
        except (ValueError, TypeError, OverflowError) as exc:
            raise CifarError(f"'data' is not rows of 8-bit pixels ({exc})") from exc
    if array.dtype != np.uint8 or array.ndim != 2:
        raise CifarError(f"unexpected data shape {array.shape} / {array.dtype}: expected rows of 8-bit pixels")
    labels = _labels(raw_labels, array.shape[0], notes)
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
    filenames = _filenames(data.get("filenames"), len(labels), notes)
    return [CifarSample(path.name, i, fname or f"{i:05d}.png", label, np.ascontiguousarray(cube[i].transpose(1, 2, 0)))
            for i, (label, fname) in enumerate(zip(labels, filenames, strict=True))]


def png_bytes(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buf, format="PNG")
    return buf.getvalue()


def safe_stem(filename: str, index: int) -> str:
    stem = Path(filename).stem
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("._") or "sample"
    return f"{index:05d}_{stem}"
