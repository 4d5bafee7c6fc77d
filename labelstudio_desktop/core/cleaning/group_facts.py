"""What the duplicate groups say, for all groups at once over the image table's columns: each group's suggested
keeper (:func:`.dedup.suggest_keeper`'s order), its label conflicts and its split leaks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .image_table import ImageTable


def members(group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in groups, ordered by group then row, and where each group starts among them."""
    rows = np.nonzero(group >= 0)[0]
    rows = rows[np.argsort(group[rows], kind="stable")]
    starts = np.searchsorted(group[rows], np.arange(int(group.max()) + 1 if len(rows) else 0))
    return rows, starts


def keepers(table: ImageTable, group: np.ndarray, count: int, annotations: Mapping[int, int]) -> np.ndarray:
    """Each group's suggested keeper (a row): the most of the operator's work (verified, then accepted boxes and masks,
    then a class or value), then the largest resolution, the largest file, the oldest, the first path."""
    rows = np.nonzero(group >= 0)[0]
    if not count:
        return np.zeros(0, np.int64)
    work = np.zeros(len(table), np.int64)
    if annotations:
        ids = np.fromiter(annotations.keys(), np.int64, len(annotations))
        at = table.rows(ids)
        found = at >= 0
        work[at[found]] = np.fromiter(annotations.values(), np.int64, len(annotations))[found]
    verified = np.isin(table.status, [k for k, s in enumerate(table.status_names) if s == "verified"])
    labelled = (table.label >= 0) | ~np.isnan(table.value)
    area = table.width[rows].astype(np.int64) * table.height[rows]
    key = (-rows, -table.mtime[rows], table.size[rows], area, labelled[rows], work[rows], verified[rows], group[rows])
    order = rows[np.lexsort(key)]
    g = group[order]
    last = np.nonzero(np.concatenate((g[1:] != g[:-1], [True])))[0]
    return order[last]


def _several(group: np.ndarray, code: np.ndarray, count: int) -> np.ndarray:
    """The groups whose members (those with a code >= 0) hold more than one distinct code."""
    has = (group >= 0) & (code >= 0)
    if not has.any():
        return np.zeros(0, np.int64)
    distinct = np.unique(np.stack([group[has], code[has]]), axis=1)
    return np.nonzero(np.bincount(distinct[0], minlength=count) > 1)[0]


def conflicts(table: ImageTable, group: np.ndarray, count: int, box_labels: Mapping[int, list[str]]) -> list[int]:
    """Groups whose members have different classes, or different sets of accepted box classes (of those with boxes)."""
    boxes = np.full(len(table), -1, np.int64)
    if box_labels:
        ids = np.fromiter(box_labels.keys(), np.int64, len(box_labels))
        at = table.rows(ids)
        codes: dict[tuple[str, ...], int] = {}
        signature = np.fromiter((codes.setdefault(tuple(v), len(codes)) for v in box_labels.values()), np.int64,
                                len(box_labels))
        found = at >= 0
        boxes[at[found]] = signature[found]
    out = np.union1d(_several(group, table.label.astype(np.int64), count), _several(group, boxes, count))
    return out.astype(int).tolist()


def leaks(table: ImageTable, group: np.ndarray, count: int) -> list[int]:
    """Groups whose members are in different splits."""
    return _several(group, table.split.astype(np.int64), count).astype(int).tolist()
