"""Which image to review next: the one the current model is least sure about, far from what is reviewed already.

An image still to review (not verified, no accepted box or mask, not excluded) gets two numbers:

- its *doubt*: how close its least sure pending box proposal is to the score threshold it was proposed at (1 at the
  threshold, 0 at a score of 0 or 1); an image without scored proposals (none yet, or none found) gets
  :data:`UNKNOWN_DOUBT`, halfway;
- its *novelty*: one less the cosine similarity of its features (``views``: the mean over eight views, quarter
  turns included, as look-alike duplicates compare them; centred on the project's mean) to the
  closest reviewed image's, divided by the largest novelty among the images to review: 1 for the image least like
  anything reviewed.

Its priority is their product, so an image the model doubts but that looks like ten reviewed ones waits behind a
doubtful one of a kind never reviewed (uncertainty balanced with diversity, the usual pairing in active learning for
detection: Settles 2009, Sener and Savarese 2018). The order is built greedily: each image placed counts as
reviewed for the novelty of those after it, so the first twenty are not twenty near copies. After
:data:`GREEDY_PICKS` places (and for images without features) the order goes on by priority alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..store.counts import REVIEWED_IDS
from ..store.features import MODEL, load_features
from ..store.records import ImageRecord, image_from_row
from ..store.store import Store

#: The doubt of an image without a scored pending proposal.
UNKNOWN_DOUBT = 0.5
#: Places chosen one by one (each updates the others' novelty); the rest by priority.
GREEDY_PICKS = 200
#: Above this many images to review, fewer greedy places (each costs a pass over every vector).
GREEDY_BUDGET = 4_000_000


class Doubts(dict):
    """Image id -> doubt, holding the images with a scored pending proposal only: any other image's doubt is
    :data:`UNKNOWN_DOUBT` (a million images without proposals hold no entry each)."""

    def __missing__(self, image_id: int) -> float:
        return UNKNOWN_DOUBT


@dataclass
class ReviewOrder:
    """The images to review, first to review first, with why."""

    ids: list[int] = field(default_factory=list)
    doubt: Doubts = field(default_factory=Doubts)
    novelty: dict[int, float] = field(default_factory=dict)  # images with features only
    reviewed: int = 0  # images reviewed already (the novelty's reference)

    def place(self) -> dict[int, int]:
        """Image id -> place in the order (0 first)."""
        return {image_id: n for n, image_id in enumerate(self.ids)}


def box_doubt(score: float, threshold: float) -> float:
    """1 at the threshold, falling linearly to 0 at a score of 0 or 1."""
    threshold = min(max(threshold, 1e-6), 1 - 1e-6)
    span = (1.0 - threshold) if score >= threshold else threshold
    return float(min(1.0, max(0.0, 1.0 - abs(score - threshold) / span)))


def image_doubts(store: Store, default_threshold: float = 0.5) -> dict[int, float]:
    """Each image's largest doubt among its scored pending box proposals (images without any are left out)."""
    doubts: dict[int, float] = {}
    rows = store.conn.execute("SELECT image_id, score, threshold FROM boxes WHERE state = 'pending' "
                              "AND typeof(score) IN ('real', 'integer')")
    for image_id, score, threshold in rows:
        if not np.isfinite(score):
            continue
        t = threshold if isinstance(threshold, int | float) and 0 < threshold < 1 else default_threshold
        doubts[image_id] = max(doubts.get(image_id, 0.0), box_doubt(min(max(float(score), 0.0), 1.0), t))
    return doubts


def reviewed_ids(store: Store) -> set[int]:
    """Images verified, or with an accepted box or mask (:data:`..store.counts.REVIEWED_IDS`)."""
    return {r[0] for r in store.conn.execute(REVIEWED_IDS)}


def _unit_rows(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    x = x - mean
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _usable_ids(store: Store) -> list[int]:
    """The usable images' ids (neither excluded, missing nor refused), in path order, read without their records."""
    refused = store.refused_images
    return [r[0] for r in store.conn.execute("SELECT id FROM images WHERE excluded = 0 AND missing = 0 ORDER BY path")
            if r[0] not in refused]


def _with_features(store: Store, ids: set[int]) -> list[ImageRecord]:
    """The records of those of ``ids`` that have stored features (whether current or not), for :func:`load_features`:
    a million images without features cost no record each."""
    rows = store.conn.execute("SELECT * FROM images WHERE id IN (SELECT image_id FROM features WHERE model = ?)",
                              (MODEL,))
    records = (image_from_row(r) for r in rows if r["id"] in ids)
    return [img for img in records if not img.missing]


def review_order(store: Store, candidates: list[int] | None = None, reference: list[int] | None = None) -> ReviewOrder:
    """The images to review in the order to review them. ``candidates`` limits the images ordered (default: every
    image still to review); ``reference`` replaces the reviewed images the novelty is measured against."""
    done = reviewed_ids(store)
    wanted = set(candidates) if candidates is not None else None
    todo = [i for i in _usable_ids(store) if i not in done and (wanted is None or i in wanted)]
    reference_ids = set(reference) if reference is not None else done
    order = ReviewOrder(reviewed=len(reference_ids))
    if not todo:
        return order
    order.doubt = Doubts(image_doubts(store))
    ids, vectors = load_features(store, _with_features(store, set(todo) | reference_ids), kind="views")
    row_of = {image_id: n for n, image_id in enumerate(ids)}
    with_features = [i for i in todo if i in row_of]
    placed: list[int] = []
    if with_features:
        unit = _unit_rows(vectors, vectors.mean(axis=0))
        x = unit[[row_of[i] for i in with_features]]
        ref = [row_of[i] for i in reference_ids if i in row_of]
        closest = (unit[ref] @ x.T).max(axis=0) if ref else np.full(len(x), -1.0, np.float32)
        novelty = 1.0 - closest  # 0 (a copy of a reviewed image) to 2
        scale = max(float(novelty.max()), 1e-6)
        order.novelty = {i: float(v / scale) for i, v in zip(with_features, novelty, strict=True)}
        doubt = np.array([order.doubt[i] for i in with_features], np.float32)
        left = np.ones(len(with_features), bool)
        picks = min(len(with_features), GREEDY_PICKS, max(1, GREEDY_BUDGET // len(with_features)))
        for _ in range(picks):
            priority = np.where(left, doubt * (novelty / scale), -np.inf)
            best = int(np.argmax(priority))
            placed.append(with_features[best])
            left[best] = False
            novelty = np.minimum(novelty, 1.0 - x @ x[best])  # the image placed counts as reviewed
        rest = np.flatnonzero(left)
        rest = rest[np.argsort(-(doubt[rest] * novelty[rest] / scale), kind="stable")]
        placed += [with_features[n] for n in rest]
    without = [i for i in todo if i not in row_of]  # no features yet: by doubt, then file order
    placed += sorted(without, key=lambda i: -order.doubt[i])
    order.ids = placed
    return order
