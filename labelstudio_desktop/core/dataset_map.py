"""A map of the dataset: every image with current features as a point in two dimensions, near where it looks alike.

The points come from the images' ``pooled`` features (:mod:`.features`) projected to two dimensions:

- ``pca`` (always): the two principal components, by a randomised SVD above :data:`EXACT_UP_TO` images (a few
  power iterations on a thin random projection: under a second for 100,000 x 1,280 on two cores), exactly below;
- ``umap`` / ``tsne`` where ``umap-learn`` / ``scikit-learn`` is installed (:func:`methods` lists what is).

The coordinates are scaled into 0..1 on both axes with the same factor (distances keep their proportions), and the
map is drawn by :func:`render` as an RGBA array: points as small squares written with NumPy, so 100,000 points draw
in milliseconds, in the app (``gui/dataset_map.py``) and for ``labelstudio-desktop map --png``. Nothing here
imports Qt or TensorFlow.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field

import numpy as np

from .store.features import load_features
from .store.store import ImageRecord, Store

#: Exact SVD up to this many images; a randomised one above.
EXACT_UP_TO = 5_000
#: The randomised SVD's extra dimensions and power iterations (Halko, Martinsson and Tropp, 2011).
OVERSAMPLE = 10
POWER_ITERATIONS = 4
#: The colours of the categories, in order (Okabe and Ito's colour-blind-safe palette, then more), and of
#: points with no category (no class, no split).
PALETTE = ((0, 114, 178), (230, 159, 0), (0, 158, 115), (204, 121, 167), (86, 180, 233), (213, 94, 0),
           (240, 228, 66), (120, 94, 240), (100, 143, 255), (254, 97, 0), (220, 38, 127), (60, 60, 60))
NONE_COLOUR = (170, 170, 170)
#: What the points can be coloured by: an attribute of the image record, or ``mistake``: the kind of the image's most
#: doubted likely mistake (:func:`..mistakes.flagged_images`).
COLOUR_BY = ("label", "split", "status", "mistake")


class MapError(ValueError):
    """The map cannot be made (no image has features yet, an unknown method): the message says why."""


@dataclass
class DatasetMap:
    """Image ids and their places (``xy``: N x 2, in 0..1), the method that placed them, and the images that have
    no current features yet (left off the map)."""

    ids: np.ndarray
    xy: np.ndarray
    method: str
    without_features: int = 0
    records: dict[int, ImageRecord] = field(default_factory=dict)

    def categories(self, by: str, mistakes: dict[int, str] | None = None) -> tuple[list[str], np.ndarray]:
        """The distinct values of the attribute ``by`` (see :data:`COLOUR_BY`; for ``mistake``, each image's kind in
        ``mistakes``, image id -> kind), most common first, and each point's index into them (-1: no value)."""
        if by not in COLOUR_BY:
            raise MapError(f"cannot colour by {by!r}: choose one of {', '.join(COLOUR_BY)}")
        if by == "mistake":
            values = [(mistakes or {}).get(int(i)) for i in self.ids]
        else:
            values = [getattr(self.records[int(i)], by) or None for i in self.ids]
        counts: dict[str, int] = {}
        for value in values:
            if value is not None:
                counts[value] = counts.get(value, 0) + 1
        names = sorted(counts, key=lambda v: (-counts[v], v))
        index = {name: k for k, name in enumerate(names)}
        return names, np.array([index.get(v, -1) if v is not None else -1 for v in values], np.int32)

    def nearest(self, x: float, y: float, radius: float) -> int | None:
        """The id of the point nearest to ``(x, y)`` (map units) within ``radius``, or None."""
        if not len(self.ids):
            return None
        d2 = ((self.xy - np.array([x, y], np.float32)) ** 2).sum(axis=1)
        k = int(np.argmin(d2))
        return int(self.ids[k]) if d2[k] <= radius * radius else None

    def inside(self, polygon: np.ndarray) -> list[int]:
        """The ids of the points inside ``polygon`` (K x 2, map units; closed implicitly)."""
        return [int(i) for i in self.ids[points_in_polygon(self.xy, polygon)]]


def methods() -> list[str]:
    """The projections available here: PCA always, UMAP and t-SNE where their package is installed."""
    found = ["pca"]
    if importlib.util.find_spec("umap") is not None:
        found.append("umap")
    if importlib.util.find_spec("sklearn") is not None:
        found.append("tsne")
    return found


def principal_axes(x: np.ndarray, k: int = 2, seed: int = 0) -> np.ndarray:
    """The ``k`` first principal axes of ``x`` (N x D; centred here) as rows (k x D): exactly by an SVD up to
    :data:`EXACT_UP_TO` rows, by a randomised SVD above. Each axis's sign is fixed (its largest loading positive), so
    the same data gives the same axes."""
    x = np.asarray(x, np.float32)
    x = x - x.mean(axis=0, keepdims=True)
    if len(x) <= EXACT_UP_TO:
        _u, _s, vt = np.linalg.svd(x, full_matrices=False)
        axes = vt[:k]
    else:
        rng = np.random.default_rng(seed)
        q = x.T @ rng.standard_normal((len(x), k + OVERSAMPLE)).astype(np.float32)  # D x (k + p)
        for _ in range(POWER_ITERATIONS):
            q, _r = np.linalg.qr(q)
            q = x.T @ (x @ q)
        q, _r = np.linalg.qr(q)
        small = x @ q  # N x (k + p): the data in the found subspace
        _u, _s, vt = np.linalg.svd(small.T @ small)
        axes = (q @ vt.T[:, :k]).T
    return axes * np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])[:, None]


def principal_components(x: np.ndarray, k: int = 2, seed: int = 0) -> np.ndarray:
    """``x`` (N x D) centred and projected on its ``k`` first principal axes (N x k)."""
    x = np.asarray(x, np.float32)
    return (x - x.mean(axis=0, keepdims=True)) @ principal_axes(x, k, seed).T


def project(vectors: np.ndarray, method: str = "pca", seed: int = 0) -> np.ndarray:
    """Two-dimensional places of ``vectors`` (N x D) by ``method``, scaled into 0..1 with one factor for both axes
    (the longer axis spans 0..1, the other is centred)."""
    if method not in methods():
        raise MapError(f"the projection {method!r} is not available here: {', '.join(methods())}")
    n = len(vectors)
    if n == 0:
        return np.zeros((0, 2), np.float32)
    if n < 3:
        xy = np.zeros((n, 2), np.float32)
        xy[:, 0] = np.arange(n)
    elif method == "pca":
        xy = principal_components(vectors, 2, seed)
    elif method == "umap":
        import umap

        xy = umap.UMAP(n_components=2, random_state=seed).fit_transform(principal_components(vectors, 50, seed))
    else:
        from sklearn.manifold import TSNE

        reduced = principal_components(vectors, min(50, n - 1), seed)
        xy = TSNE(n_components=2, perplexity=min(30.0, (n - 1) / 3), random_state=seed).fit_transform(reduced)
    return _unit_square(np.asarray(xy, np.float32))


def _unit_square(xy: np.ndarray) -> np.ndarray:
    low, high = xy.min(axis=0), xy.max(axis=0)
    span = float((high - low).max()) or 1.0
    return ((xy - low) / span + (1 - (high - low) / span) / 2).astype(np.float32)


def dataset_map(store: Store, method: str = "pca", include_excluded: bool = False) -> DatasetMap:
    """The map of ``store``'s images that have current features (excluded ones left out unless asked)."""
    images = [img for img in store.images(include_excluded=include_excluded) if not img.missing]
    ids, vectors = load_features(store, images, kind="pooled")
    if not ids:
        raise MapError("no image has features yet: they are computed after an import (or run "
                       "'labelstudio-desktop embed PROJECT')")
    records = {img.id: img for img in images}
    return DatasetMap(np.array(ids, np.int64), project(vectors, method), method, len(images) - len(ids),
                      {i: records[i] for i in ids})


def points_in_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Which of ``points`` (N x 2) lie inside ``polygon`` (K x 2), by the even-odd rule: a boolean array."""
    polygon = np.asarray(polygon, np.float64)
    inside = np.zeros(len(points), bool)
    if len(polygon) < 3:
        return inside
    x, y = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    for (x0, y0), (x1, y1) in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
        if y0 == y1:
            continue
        crosses = (y0 > y) != (y1 > y)
        at_x = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < at_x)
    return inside


def colours_of(categories: np.ndarray) -> np.ndarray:
    """RGB (N x 3, uint8) for category indices (-1: none); categories past the palette take its last colour."""
    palette = np.array((*PALETTE, NONE_COLOUR), np.uint8)
    index = np.where(categories < 0, len(PALETTE), np.minimum(categories, len(PALETTE) - 1))
    return palette[index]


def render(xy: np.ndarray, colours: np.ndarray, width: int, height: int, point: int = 3, margin: int = 8,
           highlighted: np.ndarray | None = None, background=(255, 255, 255),
           inset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """The map as an RGBA array (height x width x 4): each point a ``point``-pixel square of its colour, drawn in
    order (later points on top); ``highlighted`` points (a boolean mask) get a dark ring and are drawn last.
    ``inset``: pixels kept free of points on the left and at the top (a legend's place; see :func:`to_pixels`)."""
    image = np.empty((height, width, 4), np.uint8)
    image[...] = (*background, 255)
    if not len(xy):
        return image
    px, py = to_pixels(xy, width, height, margin, inset)
    marked = np.zeros(len(xy), bool) if highlighted is None else np.asarray(highlighted, bool)
    plain, ring = np.flatnonzero(~marked), np.flatnonzero(marked)
    _squares(image, px[plain], py[plain], colours[plain], point)
    if len(ring):
        _squares(image, px[ring], py[ring], np.zeros((len(ring), 3), np.uint8), point + 2)
        _squares(image, px[ring], py[ring], colours[ring], point)
    return image


def to_pixels(xy: np.ndarray, width: int, height: int, margin: int,
              inset: tuple[int, int] = (0, 0)) -> tuple[np.ndarray, np.ndarray]:
    """Pixel columns and rows of map places in a ``width`` x ``height`` picture with ``margin`` pixels around,
    the map's square scaled to fit beside ``inset`` (pixels kept free on the left, at the top), centred in what is
    left (the inverse is :func:`to_map`)."""
    side, left, top = map_frame(width, height, margin, inset)
    return (left + xy[:, 0] * side).round().astype(np.int64), (top + xy[:, 1] * side).round().astype(np.int64)


def to_map(px: float, py: float, width: int, height: int, margin: int,
           inset: tuple[int, int] = (0, 0)) -> tuple[float, float]:
    """The map place of a pixel (see :func:`to_pixels`)."""
    side, left, top = map_frame(width, height, margin, inset)
    return (px - left) / side, (py - top) / side


def map_frame(width: int, height: int, margin: int,
              inset: tuple[int, int] = (0, 0)) -> tuple[float, float, float]:
    """The side, left and top edge (pixels) of the map's square in a ``width`` x ``height`` picture with ``margin``
    around and ``inset`` kept free on the left and at the top."""
    width, height = width - inset[0], height - inset[1]
    side = max(1.0, min(width, height) - 2.0 * margin)
    return side, inset[0] + (width - side) / 2, inset[1] + (height - side) / 2


def _squares(image: np.ndarray, px: np.ndarray, py: np.ndarray, colours: np.ndarray, point: int) -> None:
    height, width = image.shape[:2]
    half = point // 2
    for dy in range(-half, point - half):
        for dx in range(-half, point - half):
            x, y = px + dx, py + dy
            ok = (x >= 0) & (x < width) & (y >= 0) & (y < height)
            image[y[ok], x[ok], :3] = colours[ok]
