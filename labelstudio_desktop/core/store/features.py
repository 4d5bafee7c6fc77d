"""Image features stored in the project: what is computed, what is still to do, and the vectors themselves.

Each usable image gets two vectors of :data:`DIM` float16 numbers from the ImageNet MobileNetV2 that ships with the
app (computed by ``ml/features.py``; nothing here imports TensorFlow):

- ``pooled``: the network's pooled output (global average of its last feature map) for the upright image (the map of
  the dataset);
- ``views``: the mean of the pooled outputs of eight views of the image, the four quarter turns of the whole image
  and of its central 80%: the same for an image and any 90 degree rotation of it, and steadier under crops, mirroring
  and colour changes; what look-alike duplicates compare (:mod:`.similar`, ``benchmarks/similar_duplicates.py``), what
  the review order's novelty measures, and what the likely mistakes judge an image class by.

A row remembers the file's size and modification time when it was computed, as the fingerprint cache of
:mod:`.dedup` does: a changed file no longer matches, so its features count as missing and are computed again
(:func:`feature_state`). :data:`MODEL` names the network, its weights and its input size; features of another
model are never mixed in.

Storage: 2 x 1,280 float16 = 5 KB per image (500 MB for 100,000 images, 5 GB for a million). They are not reduced
further: the searches read them :data:`LOAD_ROWS` rows at a time, and the look-alike index works on 256 principal
directions of its own (``benchmarks/similar_index.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from ..confine import LINK, resolves_inside
from .store import ImageRecord, Store

#: The network's input side in pixels. Measured on real photos with planted copies (benchmarks/similar_duplicates.py):
#: 160 px finds rescaled screenshots better than 224 px (whose finer view sees the lost detail), at half the cost.
INPUT_SIZE = 160
#: The features' origin: network, weights (the shipped ImageNet file) and input size. Bump it when any changes.
MODEL = f"mobilenetv2-imagenet-{INPUT_SIZE}"
DIM = 1280
KINDS = ("pooled", "views")
DTYPE = np.float16
#: Rows read at a time by :func:`load_features`.
LOAD_ROWS = 10_000


@dataclass
class FeatureState:
    """Which usable images have current features (``done``), which need them (``todo``: never computed, or
    computed from a file that has changed since), and which cannot be read at all (``problems``: path, reason)."""

    done: list[ImageRecord] = field(default_factory=list)
    todo: list[tuple[ImageRecord, int, float]] = field(default_factory=list)  # image, file size, file mtime
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class EmbedReport:
    """What a run of ``embed`` did: features computed (``done``), already current (``skipped``), images that could
    not be read (``failed``, with ``problems``: path, reason), and the seconds it took."""

    done: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    problems: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def start(cls, state: FeatureState) -> EmbedReport:
        """The report before any feature is computed: the current ones skipped, the unreadable ones failed."""
        return cls(skipped=len(state.done), failed=len(state.problems), problems=list(state.problems))

    def as_dict(self) -> dict:
        data = asdict(self)
        data["model"] = MODEL
        data["problems"] = [{"path": p, "reason": r} for p, r in self.problems]
        return data


def _stored_facts(store: Store, model: str) -> dict[int, tuple[int, float]]:
    """The file facts of the stored rows whose vectors have the right length (a damaged row counts as missing)."""
    rows = store.conn.execute("SELECT image_id, size, mtime FROM features WHERE model=? AND length(pooled)=? "
                              "AND length(views)=?", (model, DIM * 2, DIM * 2))
    return {r[0]: (r[1], r[2]) for r in rows}


def feature_state(store: Store, images: Iterable[ImageRecord] | None = None, model: str = MODEL) -> FeatureState:
    """Sort ``images`` (default: the project's usable ones) by whether their stored features still match their
    file's size and modification time."""
    if images is None:
        images = store.images(include_excluded=False, include_missing=False)
    stored = _stored_facts(store, model)
    state = FeatureState()
    for img in images:
        try:
            path = store.abs_path(img)
            st = os.stat(path)
        except OSError as exc:
            state.problems.append((img.path, f"cannot read ({exc.strerror})"))
            continue
        if stored.get(img.id) == (st.st_size, st.st_mtime):
            state.done.append(img)
        elif not resolves_inside(store.root, path):  # a link leading outside the project: never read
            state.problems.append((img.path, LINK))
        else:
            state.todo.append((img, st.st_size, st.st_mtime))
    return state


def to_blob(vector: np.ndarray) -> bytes:
    """A vector as the bytes stored: :data:`DIM` little-endian float16 numbers."""
    vector = np.asarray(vector, dtype="<f2").reshape(-1)
    if vector.shape[0] != DIM or not np.isfinite(vector).all():
        raise ValueError(f"a feature vector must hold {DIM} finite numbers")
    return vector.tobytes()


def save_features(store: Store, rows: list[tuple[int, int, float, np.ndarray, np.ndarray]],
                  model: str = MODEL) -> None:
    """Store (image id, file size, file mtime, pooled, views) rows in one transaction (a batch of a job: a
    cancelled job leaves only complete rows)."""
    values = [(image_id, model, size, mtime, to_blob(pooled), to_blob(views))
              for image_id, size, mtime, pooled, views in rows]
    with store.transaction() as c:
        c.executemany("INSERT INTO features(image_id, model, size, mtime, pooled, views) VALUES(?,?,?,?,?,?) "
                      "ON CONFLICT(image_id, model) DO UPDATE SET size=excluded.size, mtime=excluded.mtime, "
                      "pooled=excluded.pooled, views=excluded.views", values)


def load_features(store: Store, images: list[ImageRecord], kind: str = "views", model: str = MODEL,
                  dtype: type = np.float32) -> tuple[list[int], np.ndarray]:
    """The ``kind`` vectors of those of ``images`` whose features are current: their ids and an ``N x DIM`` matrix
    of ``dtype`` in the same order (float16 halves the memory: 2.5 GB for a million images). Images without current
    features are left out (see :func:`feature_state`), and so is a damaged row (not :data:`DIM` finite numbers: not
    written by this program). Read :data:`LOAD_ROWS` rows at a time into the matrix, never all the bytes at once."""
    if kind not in KINDS:
        raise ValueError(f"unknown feature kind {kind!r}; choose one of {', '.join(KINDS)}")
    current = {img.id for img in feature_state(store, images, model).done}
    matrix = np.empty((len(current), DIM), dtype)
    ids: list[int] = []
    cursor = store.conn.execute(f"SELECT image_id, {kind} FROM features WHERE model=? ORDER BY image_id", (model,))
    while rows := cursor.fetchmany(LOAD_ROWS):
        kept = [(image_id, blob) for image_id, blob in rows
                if image_id in current and blob is not None and len(blob) == 2 * DIM]
        if not kept:
            continue
        part = np.frombuffer(b"".join(bytes(blob) for _, blob in kept), dtype="<f2").reshape(len(kept), DIM)
        finite = np.isfinite(part).all(axis=1)
        matrix[len(ids):len(ids) + int(finite.sum())] = part[finite]
        ids += [image_id for (image_id, _), ok in zip(kept, finite, strict=True) if ok]
    return ids, matrix[:len(ids)]
