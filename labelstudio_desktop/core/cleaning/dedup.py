"""Finding duplicates: exact copies, near duplicates, label conflicts and split leaks.

Fingerprints are cached in the store keyed by image, kind, file size and mtime, so a second run over an
unchanged folder decodes nothing. Hashing runs in a small thread pool (PIL releases the GIL while
decoding) and commits its cache one batch at a time, so a cancelled run leaves only complete rows.

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
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..batches import read_ahead
from ..confine import LINK, resolves_inside
from ..jobs import JobToken
from ..store.features import load_features
from ..store.store import ImageRecord, Store
from .hamming import pack_hashes, pairs_between, pairs_within
from .hashing import ALGORITHMS, Decoded, HashError, hash_size_for, perceptual_hashes, read_and_decode, same_pixels
from .similar import similar_pairs

DEFAULT_THRESHOLD_64 = 12
BATCH = 64
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


@dataclass
class DedupResult:
    images: dict[int, ImageRecord]
    pairs: list[Pair] = field(default_factory=list)
    groups: list[list[int]] = field(default_factory=list)
    keepers: list[int] = field(default_factory=list)  # suggested keeper per group
    conflicts: list[int] = field(default_factory=list)  # indices into groups
    leaks: list[int] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    hashed: int = 0  # fingerprints computed in this run (the rest came from the cache)
    seconds: float = 0.0
    similar_threshold: float | None = None  # the look-alike search's threshold; None: not searched
    features_missing: int = 0  # usable images left out of the look-alike search: no current features

    def group_of(self, image_id: int) -> int | None:
        for n, group in enumerate(self.groups):
            if image_id in group:
                return n
        return None

    def as_json(self) -> dict:
        path = {i: img.path for i, img in self.images.items()}
        return {
            "pairs": [{"a": path[p.a], "b": path[p.b], "kind": p.kind, "distance": p.distance,
                       **({"mirrored": True} if p.mirrored else {}),
                       **({"similarity": p.similarity} if p.similarity is not None else {})} for p in self.pairs],
            "groups": [[path[i] for i in g] for g in self.groups],
            "conflicts": [[path[i] for i in self.groups[n]] for n in self.conflicts],
            "leaks": [[path[i] for i in self.groups[n]] for n in self.leaks],
            **({"similar": {"threshold": self.similar_threshold, "features_missing": self.features_missing}}
               if self.similar_threshold is not None else {}),
        }


# ------------------------------------------------------------------ cache
def _cache_keys(algo: str, bits: int, mirror: bool) -> list[str]:
    keys = ["sha256", "content", f"gray-{algo}{bits}", f"{algo}{bits}"]
    return keys + [f"{algo}{bits}-mirror"] if mirror else keys


def _load_cache(store: Store, ids: list[int], keys: list[str]) -> dict[tuple[int, str], tuple[int, float, bytes]]:
    rows = store.conn.execute(
        f"SELECT image_id, algo, size, mtime, value FROM hashes WHERE algo IN ({','.join('?' * len(keys))})", keys)
    wanted = set(ids)
    return {(r[0], r[1]): (r[2], r[3], bytes(r[4])) for r in rows if r[0] in wanted}


def _store_batch(store: Store, rows: list[tuple[int, str, int, float, bytes]]) -> None:
    with store.transaction() as c:
        c.executemany("INSERT INTO hashes(image_id, algo, size, mtime, value) VALUES(?,?,?,?,?) "
                      "ON CONFLICT(image_id, algo) DO UPDATE SET size=excluded.size, mtime=excluded.mtime, "
                      "value=excluded.value", rows)


def fingerprints(store: Store, images: list[ImageRecord], algo: str, bits: int, mirror: bool,
                 job: JobToken, problems: list[tuple[str, str]]) -> tuple[dict[int, dict[str, bytes]], int]:
    """Every image's fingerprints by cache key, from the cache when the file is unchanged, else computed."""
    hash_size = hash_size_for(bits, algo)
    keys = _cache_keys(algo, bits, mirror)
    cache = _load_cache(store, [i.id for i in images], keys)
    result: dict[int, dict[str, bytes]] = {}
    todo: list[tuple[ImageRecord, int, float]] = []
    paths: dict[int, Path] = {}
    for img in images:
        try:
            paths[img.id] = path = store.abs_path(img)
            st = os.stat(path)
        except OSError as exc:
            problems.append((img.path, f"cannot read ({exc.strerror})"))
            continue
        entries = [cache.get((img.id, k)) for k in keys]
        if all(e is not None and e[0] == st.st_size and e[1] == st.st_mtime for e in entries):
            result[img.id] = {k: e[2] for k, e in zip(keys, entries, strict=True)}
        elif not resolves_inside(store.root, path):  # a link leading outside the project: never read
            problems.append((img.path, LINK))
        else:
            todo.append((img, st.st_size, st.st_mtime))
    job.status(f"hashing {len(todo)} images ({len(result)} from the cache)")
    # reading and decoding in threads (the GIL is released there), hashing batched in this thread while
    # the threads already decode the next batch
    batches = [todo[start:start + BATCH] for start in range(0, len(todo), BATCH)]

    def decode(t: tuple[ImageRecord, int, float]) -> Decoded | str:
        return _safe_decode(paths[t[0].id], algo, hash_size, t[0])

    for n_batch, (batch, decoded) in enumerate(read_ahead(batches, decode, job, _workers())):
        good = [(t, d) for t, d in zip(batch, decoded, strict=True) if not isinstance(d, str)]
        problems.extend((t[0].path, d) for t, d in zip(batch, decoded, strict=True) if isinstance(d, str))
        hashes, mirrors = perceptual_hashes([d for _, d in good], algo, hash_size, mirror)
        rows = []
        for n, ((img, size, mtime), d) in enumerate(good):
            values = {"sha256": d.sha256, "content": d.content or b"", f"gray-{algo}{bits}": d.gray_digest,
                      f"{algo}{bits}": hashes[n]}
            if mirror:
                values[f"{algo}{bits}-mirror"] = mirrors[n]
            result[img.id] = values
            rows += [(img.id, k, size, mtime, v) for k, v in values.items()]
        _store_batch(store, rows)
        job.progress(min((n_batch + 1) * BATCH, len(todo)), len(todo))
    return result, len(todo)


def _safe_decode(path: Path, algo: str, hash_size: int, img: ImageRecord) -> Decoded | str:
    try:
        return read_and_decode(path, algo, hash_size, (img.width, img.height))
    except HashError as exc:
        return str(exc)


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
    are computed."""
    job = job or JobToken()
    if algo not in ALGORITHMS:
        raise HashError(f"unknown hash {algo!r}; choose one of {', '.join(ALGORITHMS)}")
    threshold = default_threshold(bits) if threshold is None else threshold
    started = time.perf_counter()
    images = {img.id: img for img in store.images(include_excluded=False, include_missing=False)}
    result = DedupResult(images=images)
    prints, result.hashed = fingerprints(store, list(images.values()), algo, bits, mirror, job, result.problems)
    ids = sorted(prints)
    found: dict[tuple[int, int], Pair] = {}

    def add(a: int, b: int, kind: str, distance: int | float, mirrored: bool = False,
            similarity: float | None = None) -> None:
        key = ordered(a, b)
        old = found.get(key)
        if old is None or KINDS.index(kind) < KINDS.index(old.kind) or \
                (old.kind == kind and distance < old.distance):
            found[key] = Pair(key[0], key[1], kind, distance, mirrored, similarity)

    job.status("searching pairs")
    for key in ("sha256", "content"):
        by_value: dict[bytes, list[int]] = {}
        for i in ids:
            if prints[i][key]:
                by_value.setdefault(prints[i][key], []).append(i)
        for members in by_value.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    add(members[x], members[y], "exact", 0)
    if ids:
        packed = pack_hashes([prints[i][f"{algo}{bits}"] for i in ids], bits)
        for i, j, d in zip(*pairs_within(packed, bits, threshold), strict=True):
            add(ids[i], ids[j], "near", int(d))
        if mirror:
            flipped = pack_hashes([prints[i][f"{algo}{bits}-mirror"] for i in ids], bits)
            for i, j, d in zip(*pairs_between(packed, flipped, bits, threshold), strict=True):
                if i != j:
                    add(ids[i], ids[j], "near", int(d), mirrored=True)
    _upgrade_identical_pixels(store, images, found.values(), {i: prints[i][f"gray-{algo}{bits}"] for i in ids})
    if similar is not None:
        job.status("comparing features")
        result.similar_threshold = similar
        usable = [images[i] for i in ids]
        with_features, vectors = load_features(store, usable)
        result.features_missing = len(usable) - len(with_features)
        for i, j, score in zip(*similar_pairs(vectors, similar, job.check), strict=True):
            add(with_features[i], with_features[j], "similar", round(1.0 - float(score), 4),
                similarity=round(float(score), 4))
    rejected = {k for k, v in decisions(store).items() if v == NOT_DUPLICATE}
    result.pairs = sorted((p for k, p in found.items() if k not in rejected),
                          key=lambda p: (KINDS.index(p.kind), p.distance, images[p.a].path, images[p.b].path))
    _group(store, result)
    result.seconds = time.perf_counter() - started
    return result


def _workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _upgrade_identical_pixels(store: Store, images: dict[int, ImageRecord], pairs,
                              gray: dict[int, bytes]) -> None:
    """A zero distance between two files of one format and size may hide the very same pixels: check the
    pairs whose decoded luminance is identical too (others cannot have the same pixels)."""
    suspects = [p for p in pairs if p.kind == "near" and p.distance == 0 and not p.mirrored
                and _same_container(images[p.a], images[p.b]) and gray[p.a] == gray[p.b]
                and (images[p.a].width, images[p.a].height) == (images[p.b].width, images[p.b].height)]
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        verdicts = pool.map(lambda p: same_pixels(store.abs_path(images[p.a]), store.abs_path(images[p.b])),
                            suspects)
        for pair, same in zip(suspects, verdicts, strict=True):
            if same:
                pair.kind = "exact"


def _same_container(a: ImageRecord, b: ImageRecord) -> bool:
    return a.path.rsplit(".", 1)[-1].lower().replace("jpeg", "jpg") == \
        b.path.rsplit(".", 1)[-1].lower().replace("jpeg", "jpg")


def _group(store: Store, result: DedupResult) -> None:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for p in result.pairs:
        ra, rb = root(p.a), root(p.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for p in result.pairs:
        for x in (p.a, p.b):
            members = groups.setdefault(root(x), [])
            if x not in members:
                members.append(x)
    images = result.images
    result.groups = sorted((sorted(g, key=lambda i: images[i].path) for g in groups.values()),
                           key=lambda g: images[g[0]].path)
    box_labels = _box_labels(store)
    annotations = accepted_annotations(store)
    for n, group in enumerate(result.groups):
        result.keepers.append(suggest_keeper([images[i] for i in group], annotations).id)
        labels = {images[i].label for i in group if images[i].label is not None}
        boxed = [box_labels[i] for i in group if box_labels.get(i)]
        if len(labels) > 1 or len({tuple(b) for b in boxed}) > 1:
            result.conflicts.append(n)
        if len({images[i].split for i in group if images[i].split is not None}) > 1:
            result.leaks.append(n)


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
