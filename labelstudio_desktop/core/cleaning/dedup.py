"""Finding duplicates: exact copies, near duplicates, label conflicts and split leaks, at any number of pairs.

Fingerprints (:mod:`.prints`) are cached in the store keyed by image, kind, file size and mtime, so a second run over
an unchanged folder decodes nothing; they are computed in worker processes where there are cores for them, and held
as arrays (a few dozen bytes per image). The images are read as columns (:mod:`.image_table`).

Pairs are never all held: images with the same hash are one node (:mod:`.grouping`), the pairs of distinct hashes
come from the multi-index a bounded block at a time (:func:`.hamming.stream_pairs`; shared among worker processes
when there are many distinct hashes, :mod:`.pair_workers`) and join the groups of a
union-find over arrays (:mod:`.forest`), which counts every pair found. A group keeps for review all its pairs when
it has at most :data:`.grouping.PAIRS_PER_GROUP` of them, else that many of its closest (spanning the group as far
as they can): :attr:`DedupResult.pairs_found` is the count of all pairs, ``len(pairs)`` those listed. Groups keep
every member. A pair with a "not a duplicate" decision is neither listed nor joins a group (its images are searched
as nodes of their own). Exact copies (the same bytes, or the same pixel data under other metadata) have the same
hash, so they are found among the pairs at distance 0 and marked exact.

Default near-duplicate threshold (pHash, 64 bits): 12, inclusive. Chosen on real photos (the
``benchmarks/dedup_speed.py`` set: scikit-image and scikit-learn sample photos cut into 500x400 pictures)
and on the demo project: resized, recompressed, brightened and 3%-cropped copies stayed at distance <= 10,
while the closest distinct pictures were at 16 or more; 12 keeps a margin on both sides. Other sizes scale
it by ``bits / 64``.

Look-alikes (``similar``): pairs whose image features (:mod:`.features`, computed beforehand by ``ml/features.py``)
have a look-alike score at or above a threshold (a cosine similarity corrected for how alike the project's images are
anyway, :mod:`.similar`): crops, quarter turns, colour-shifted mirrors and rescaled screenshots that perceptual
hashes miss. A pair found by a hash too is listed as exact or near. Images whose features are not computed yet are
left out of that search and counted (:attr:`DedupResult.features_missing`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from ..jobs import JobToken
from ..store.features import load_features
from ..store.store import ImageRecord, Store
from . import group_facts
from .grouping import EXACT, NEAR, SIMILAR, Grouping, Groups, Kept, collapse
from .hamming import distances, pack_hashes
from .hashing import ALGORITHMS, HashError, hash_size_for, same_pixels
from .image_table import ImageTable
from .pair_workers import parallel_pairs
from .prints import Prints, cores, table_prints
from .similar import similar_pairs

DEFAULT_THRESHOLD_64 = 12
NOT_DUPLICATE = "not_duplicate"
#: Kinds of pairs, strongest first: a pair found as two kinds is listed as the stronger one.
KINDS = ("exact", "near", "similar")


def default_threshold(bits: int) -> int:
    return max(0, round(DEFAULT_THRESHOLD_64 * bits / 64))


@dataclass
class Pair:
    a: int
    b: int
    kind: str  # one of KINDS
    distance: int | float  # Hamming distance of the hashes; for "similar": 1 - similarity
    mirrored: bool = False
    similarity: float | None = None  # the look-alike score of the features ("similar" pairs; core/cleaning/similar.py)


class PairList(Sequence[Pair]):
    """The pairs listed for review, held as arrays (image ids ``a < b``, kind numbers in :data:`KINDS`' order); a
    :class:`Pair` is made when one is asked for."""

    def __init__(self, a: np.ndarray, b: np.ndarray, kind: np.ndarray, distance: np.ndarray, mirrored: np.ndarray,
                 similarity: np.ndarray):
        self.a, self.b, self.kind, self.distance = a, b, kind, distance
        self.mirrored, self.similarity = mirrored, similarity

    def __len__(self) -> int:
        return len(self.a)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        kind = KINDS[int(self.kind[index])]
        similarity = float(self.similarity[index])
        distance = float(self.distance[index])
        return Pair(int(self.a[index]), int(self.b[index]), kind, distance if kind == "similar" else int(distance),
                    bool(self.mirrored[index]), None if np.isnan(similarity) else similarity)

    def __iter__(self) -> Iterator[Pair]:
        return (self[k] for k in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(self) == len(other) and all(x == y for x, y in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass
class DedupResult:
    images: Mapping[int, ImageRecord]  # the usable images (an :class:`.ImageTable` from :func:`find_duplicates`)
    pairs: Sequence[Pair] = field(default_factory=list)  # the pairs listed for review, closest first
    groups: list[list[int]] = field(default_factory=list)  # every member of every group, by path
    keepers: list[int] = field(default_factory=list)  # suggested keeper per group
    conflicts: list[int] = field(default_factory=list)  # indices into groups
    leaks: list[int] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    hashed: int = 0  # fingerprints computed in this run (the rest came from the cache)
    seconds: float = 0.0
    similar_threshold: float | None = None  # the look-alike search's threshold; None: not searched
    features_missing: int = 0  # usable images left out of the look-alike search: no current features
    pairs_found: int = 0  # every pair found; more than len(pairs) where a large group lists only its closest
    pairs_per_group: int = 0  # how many pairs a large group lists (grouping.PAIRS_PER_GROUP when it ran)
    group_rows: np.ndarray | None = field(default=None, repr=False)  # group per row of an ImageTable (-1: none)
    _group_ids: dict[int, int] | None = field(default=None, repr=False)

    def group_of(self, image_id: int) -> int | None:
        """The index of the image's group, or None (a lookup, not a search)."""
        if self.group_rows is not None and isinstance(self.images, ImageTable):
            try:
                row = self.images.row(int(image_id))
            except KeyError:
                return None
            n = int(self.group_rows[row])
            return n if n >= 0 else None
        if self._group_ids is None:
            self._group_ids = {i: n for n, group in enumerate(self.groups) for i in group}
        return self._group_ids.get(image_id)

    def pair_groups(self) -> np.ndarray:
        """The group of each listed pair (an array in :attr:`pairs`' order)."""
        if self.group_rows is not None and isinstance(self.images, ImageTable) and isinstance(self.pairs, PairList):
            return self.group_rows[self.images.rows(self.pairs.a)]
        return np.array([self.group_of(p.a) for p in self.pairs], np.int64)

    def as_json(self) -> dict:
        path = self.images
        return {
            "pairs": [{"a": path[p.a].path, "b": path[p.b].path, "kind": p.kind, "distance": p.distance,
                       **({"mirrored": True} if p.mirrored else {}),
                       **({"similarity": p.similarity} if p.similarity is not None else {})} for p in self.pairs],
            "groups": [[path[i].path for i in g] for g in self.groups],
            "conflicts": [[path[i].path for i in self.groups[n]] for n in self.conflicts],
            "leaks": [[path[i].path for i in self.groups[n]] for n in self.leaks],
            **({"pairs_found": self.pairs_found} if self.pairs_found > len(self.pairs) else {}),
            **({"similar": {"threshold": self.similar_threshold, "features_missing": self.features_missing}}
               if self.similar_threshold is not None else {}),
        }


# ------------------------------------------------------------------ decisions
def decisions(store: Store) -> dict[tuple[int, int], str]:
    rows = store.conn.execute("SELECT image_a, image_b, decision FROM duplicate_decisions")
    return {(r[0], r[1]): r[2] for r in rows}


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


# ------------------------------------------------------------------ finding
def find_duplicates(store: Store, algo: str = "phash", bits: int = 64, threshold: int | None = None,
                    mirror: bool = False, job: JobToken | None = None, similar: float | None = None) -> DedupResult:
    """Exact and near-duplicate pairs among the project's usable images, grouped, with conflicts and leaks;
    with ``similar`` (a look-alike score, :mod:`.similar`) also the look-alike pairs of the images whose features
    are computed. See the module's text for what is listed of large groups."""
    job = job or JobToken()
    if algo not in ALGORITHMS:
        raise HashError(f"unknown hash {algo!r}; choose one of {', '.join(ALGORITHMS)}")
    hash_size_for(bits, algo)  # a plain error before anything is read
    threshold = default_threshold(bits) if threshold is None else threshold
    started = time.perf_counter()
    table = ImageTable.usable(store)
    result = DedupResult(images=table)
    prints = table_prints(store, table, algo, bits, mirror, job, result.problems)
    result.hashed = prints.hashed
    job.status("searching pairs")
    found = _search(store, table, prints, bits, threshold, mirror, job)
    if similar is not None:
        job.status("comparing features")
        result.similar_threshold = similar
        result.features_missing = _look_alikes(store, table, found, similar, job)
    groups = found.grouping.finish(found.exact)
    _settle(store, result, table, found, groups)
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class _Found:
    """The search's state: hashed rows, their nodes, and the grouping the pairs went into."""

    rows: np.ndarray  # the table rows with fingerprints (member k is row rows[k])
    node_of: np.ndarray
    hashes: np.ndarray  # packed, per node
    mirrors: np.ndarray | None
    exact: np.ndarray  # per member
    gray: np.ndarray  # per member
    grouping: Grouping
    threshold: int
    rejected: np.ndarray  # member pairs lo * members + hi


def _search(store: Store, table: ImageTable, prints: Prints, bits: int, threshold: int, mirror: bool,
            job: JobToken) -> _Found:
    rows = np.nonzero(prints.ok)[0]
    m = len(rows)
    packed = pack_hashes(prints.hashes[rows], bits)
    flipped = pack_hashes(prints.mirrors[rows], bits) if prints.mirrors is not None else None
    rejected = _rejected(store, table, rows)
    alone = np.zeros(m, bool)
    alone[rejected // max(m, 1)] = alone[rejected % max(m, 1)] = True
    if threshold >= 0:  # the same hash (and mirror image's hash): within every threshold
        keys = packed if flipped is None else np.concatenate([packed, flipped], axis=1)
    else:  # only exact copies are pairs
        keys = prints.exact[rows][:, None]
    node_of, counts, firsts = collapse(keys, alone)
    found = _Found(rows, node_of, packed[firsts], flipped[firsts] if flipped is not None else None, prints.exact[rows],
                   prints.gray[rows], Grouping(node_of, counts, firsts, rejected), threshold, rejected)
    del packed, flipped, keys
    grouping, hashes = found.grouping, found.hashes
    for i, j, d in parallel_pairs(hashes, bits, threshold, workers=cores(), check=job.check, progress=job.progress):
        grouping.add(i, j, d)
    if found.mirrors is not None:
        for i, j, d in parallel_pairs(hashes, bits, threshold, other=found.mirrors, workers=cores(),
                                      check=job.check):
            # a pair is listed once: not when it is a pair unmirrored too, and from one side when both sides match
            straight = distances(hashes[i], hashes[j])
            back = distances(hashes[j], found.mirrors[i])
            keep = (i != j) & (straight > threshold) & ((i < j) | (back > threshold))
            grouping.add(i[keep], j[keep], np.minimum(d, back)[keep], NEAR, mirrored=True)
    _copies_apart(found, alone)
    return found


def _rejected(store: Store, table: ImageTable, rows: np.ndarray) -> np.ndarray:
    """The "not a duplicate" pairs of hashed images, as member pairs ``lo * members + hi``."""
    pairs = [k for k, v in decisions(store).items() if v == NOT_DUPLICATE]
    if not pairs or not len(rows):
        return np.zeros(0, np.int64)
    at = table.rows(np.array(pairs, np.int64).ravel()).reshape(-1, 2)
    member = np.searchsorted(rows, at)
    member = np.where((at >= 0) & (rows[np.minimum(member, len(rows) - 1)] == at), member, -1)
    member = member[(member >= 0).all(axis=1)]
    return np.unique(member.min(axis=1) * len(rows) + member.max(axis=1))


def _copies_apart(found: _Found, alone: np.ndarray) -> None:
    """Without a hash search (a negative threshold) the nodes are the exact copies; an image searched as a node of its
    own (a "not a duplicate" decision) is paired here with the other copies of its picture."""
    if found.threshold >= 0 or not alone.any():  # with a search, copies have the same hash: paired at distance 0
        return
    exact, node_of = found.exact, found.node_of
    u, v = [], []
    for value in np.unique(exact[alone]).tolist():
        nodes = np.unique(node_of[exact == value]).tolist()
        u += [p for k, p in enumerate(nodes) for _q in nodes[k + 1:]]
        v += [q for k, _p in enumerate(nodes) for q in nodes[k + 1:]]
    if u:
        found.grouping.add(np.array(u), np.array(v), np.zeros(len(u)), EXACT)


def _look_alikes(store: Store, table: ImageTable, found: _Found, threshold: float, job: JobToken) -> int:
    """Join the look-alike pairs not paired by a hash; the images left out for want of features."""
    usable = [table.record(int(r)) for r in found.rows]
    with_features, vectors = load_features(store, usable, dtype=np.float16)  # prepared a few rows at a time
    member = np.searchsorted(found.rows, table.rows(np.array(with_features, np.int64)))
    i, j, score = similar_pairs(vectors, threshold, job.check)
    a, b = member[i], member[j]
    u, v = found.node_of[a], found.node_of[b]
    paired = u == v
    if found.threshold >= 0:
        paired |= distances(found.hashes[u], found.hashes[v]) <= found.threshold
        if found.mirrors is not None:
            paired |= distances(found.hashes[u], found.mirrors[v]) <= found.threshold
            paired |= distances(found.hashes[v], found.mirrors[u]) <= found.threshold
    keep = ~paired
    score = np.asarray(score, np.float64)[keep]
    found.grouping.add(u[keep], v[keep], np.round(1.0 - score, 4), SIMILAR, members=(a[keep], b[keep]),
                       similarity=np.round(score, 4))
    return len(usable) - len(with_features)


def _settle(store: Store, result: DedupResult, table: ImageTable, found: _Found, groups: Groups) -> None:
    """The result's groups, pairs, keepers, conflicts and leaks from the grouping."""
    group = np.full(len(table), -1, np.int64)
    group[found.rows] = groups.group
    result.group_rows = group
    result.pairs_found, result.pairs_per_group = groups.pairs_found, found.grouping.keep
    rows, starts = group_facts.members(group)
    ids = table.ids[rows].tolist()
    bounds = [*starts.tolist(), len(ids)]
    result.groups = [ids[bounds[k]:bounds[k + 1]] for k in range(groups.count)]
    kept = groups.kept
    _upgrade_identical_pixels(store, table, found, kept)
    a, b = table.ids[found.rows[kept.a]], table.ids[found.rows[kept.b]]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((table.rows(hi), table.rows(lo), kept.distance, kept.kind))
    result.pairs = PairList(lo[order], hi[order], kept.kind[order], kept.distance[order], kept.mirrored[order],
                            kept.similarity[order])
    result.keepers = table.ids[group_facts.keepers(table, group, groups.count, accepted_annotations(store))].tolist()
    result.conflicts = group_facts.conflicts(table, group, groups.count, _box_labels(store))
    result.leaks = group_facts.leaks(table, group, groups.count)


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _upgrade_identical_pixels(store: Store, table: ImageTable, found: _Found, kept: Kept) -> None:
    """A zero distance between two files of one format and size may hide the very same pixels: check the
    listed pairs whose decoded luminance is identical too (others cannot have the same pixels)."""
    ra, rb = found.rows[kept.a], found.rows[kept.b]
    suspects = np.nonzero((kept.kind == NEAR) & (kept.distance == 0) & ~kept.mirrored
                          & (found.gray[kept.a] == found.gray[kept.b]) & (table.width[ra] == table.width[rb])
                          & (table.height[ra] == table.height[rb]))[0]
    suspects = [k for k in suspects.tolist() if _same_container(table.paths[ra[k]], table.paths[rb[k]])]
    if not suspects:
        return
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        verdicts = pool.map(lambda k: same_pixels(store.abs_path(table.paths[ra[k]]),
                                                  store.abs_path(table.paths[rb[k]])), suspects)
        for k, same in zip(suspects, verdicts, strict=True):
            if same:
                kept.kind[k] = EXACT


def _same_container(a: str, b: str) -> bool:
    return a.rsplit(".", 1)[-1].lower().replace("jpeg", "jpg") == b.rsplit(".", 1)[-1].lower().replace("jpeg", "jpg")


def _box_labels(store: Store) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for image_id, label in store.conn.execute(
            "SELECT image_id, label FROM boxes WHERE state='accepted' ORDER BY image_id, label"):
        out.setdefault(image_id, []).append(label)
    return out


def accepted_annotations(store: Store) -> dict[int, int]:
    """Accepted boxes and masks per image id (images with none are left out)."""
    counts: dict[int, int] = {}
    for table in ("boxes", "masks"):
        for image_id, n in store.conn.execute(
                f"SELECT image_id, COUNT(*) FROM {table} WHERE state='accepted' GROUP BY image_id"):
            counts[image_id] = counts.get(image_id, 0) + n
    return counts


def suggest_keeper(members: list[ImageRecord], annotations: Mapping[int, int] | None = None) -> ImageRecord:
    """The copy to keep: the one with the operator's work first (verified, then more accepted boxes and masks, as
    counted in ``annotations``, see :func:`accepted_annotations`, then a class or value set), so that keeping the
    suggestion never drops a review; then the largest resolution, then the largest file, then the oldest."""
    annotations = annotations or {}
    return max(members, key=lambda m: (keeper_work(m, annotations), m.width * m.height, m.size, -m.mtime))


def keeper_work(image: ImageRecord, annotations: Mapping[int, int]) -> tuple[bool, int, bool]:
    """How much of the operator's work a copy holds, as :func:`suggest_keeper` compares it: (verified, accepted
    boxes and masks, class or value set)."""
    return (image.status == "verified", annotations.get(image.id, 0),
            image.label is not None or image.value is not None)
