"""Splitting into train/val/test: stratified by class, seeded, duplicate groups kept inside one split.

Units are duplicate groups (from :func:`dedup.find_duplicates`) and single images; a unit's class is the
most common class of its members. Excluded and missing images are left out. Existing splits are kept
unless ``reshuffle``; a group whose members already sit in different splits (a leak) is moved as a whole
to the split most of its members are in (ties: the earliest of train, val, test). New units go, class by
class in a seeded random order, to the split furthest below its target share.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from ..store.store import SPLITS, Store

DEFAULT_RATIOS = (0.8, 0.1, 0.1)


class SplitError(Exception):
    """Ratios that cannot be used."""


@dataclass
class SplitReport:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # split -> class -> images
    changed: int = 0
    kept: int = 0
    moved_leaks: int = 0  # images moved to reunite a group
    groups: int = 0

    def as_dict(self) -> dict:
        return {"counts": self.counts, "changed": self.changed, "kept": self.kept,
                "moved_to_reunite_groups": self.moved_leaks, "groups": self.groups}


class _Placed(NamedTuple):
    """What the split of an image depends on: its class ("" for none) and the split it has."""

    label: str
    split: str | None


def check_ratios(ratios: tuple[float, ...]) -> tuple[float, float, float]:
    if len(ratios) != 3 or any(r < 0 for r in ratios) or sum(ratios) <= 0:
        raise SplitError(f"give three non-negative ratios for train, val and test (got {ratios})")
    total = sum(ratios)
    return tuple(r / total for r in ratios)  # type: ignore[return-value]


def assign_splits(store: Store, groups: list[list[int]], ratios: tuple[float, ...] = DEFAULT_RATIOS,
                  seed: int = 0, reshuffle: bool = False) -> SplitReport:
    """Give every usable image a split; one transaction. ``groups`` lists image ids that must stay together."""
    shares = dict(zip(SPLITS, check_ratios(ratios), strict=True))
    # each usable image's class and split only (a million records would hold a gigabyte)
    images = {i.id: _Placed(i.label or "", i.split)
              for i in store.each_image(include_excluded=False, include_missing=False)}
    in_group: set[int] = set()
    units: list[list[int]] = []
    for group in groups:
        members = [i for i in group if i in images]
        if members:
            units.append(members)
            in_group.update(members)
    units += [[i] for i in sorted(images) if i not in in_group]
    report = SplitReport(groups=sum(1 for u in units if len(u) > 1))

    def unit_class(unit: list[int]) -> str:
        labels = Counter(images[i].label for i in unit)
        return sorted(labels.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    target: dict[str, str] = {}
    placed: dict[str, Counter] = {}  # class -> split -> images
    todo: dict[str, list[list[int]]] = {}
    for unit in units:
        cls = unit_class(unit)
        current = [images[i].split for i in unit if images[i].split] if not reshuffle else []
        if current:
            votes = Counter(current)
            split = sorted(votes, key=lambda s: (-votes[s], SPLITS.index(s)))[0]
            report.moved_leaks += sum(1 for i in unit if images[i].split not in (None, split))
            for i in unit:
                target[i] = split
            placed.setdefault(cls, Counter())[split] += len(unit)
        else:
            todo.setdefault(cls, []).append(unit)
    rng = random.Random(seed)
    for cls in sorted(todo):
        units_of_class = todo[cls]
        rng.shuffle(units_of_class)
        units_of_class.sort(key=len, reverse=True)  # big groups first, while every split still has room
        counts = placed.setdefault(cls, Counter())
        total = sum(counts.values()) + sum(len(u) for u in units_of_class)
        for unit in units_of_class:
            split = max(SPLITS, key=lambda s: (shares[s] * total - counts[s], -SPLITS.index(s)))
            counts[split] += len(unit)
            for i in unit:
                target[i] = split
    changed = [(split, image_id) for image_id, split in target.items() if images[image_id].split != split]
    with store.transaction() as c:  # one statement for every change (the splits are SPLITS' own names)
        c.executemany("UPDATE images SET split=? WHERE id=?", changed)
    report.changed, report.kept = len(changed), len(target) - len(changed)
    for image_id, split in target.items():
        cls = images[image_id].label
        report.counts.setdefault(split, {}).setdefault(cls, 0)
        report.counts[split][cls] += 1
    return report
