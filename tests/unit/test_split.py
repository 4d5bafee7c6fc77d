"""Split: stratified, seeded, duplicate groups inside one split, excluded images left out."""

from __future__ import annotations

from collections import Counter

import pytest

from labelstudio_desktop.core.cleaning.dedup import find_duplicates
from labelstudio_desktop.core.cleaning.split import SplitError, assign_splits
from labelstudio_desktop.core.store.store import Store


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path)
    with s.transaction():
        for cls, n in (("a", 100), ("b", 40), ("c", 10)):
            for i in range(n):
                s.add_image(f"{cls}/{i}.jpg", 1, 1.0, 10, 10, 3, label=cls)
    yield s
    s.close()


def _splits(store):
    return {i.id: i.split for i in store.images()}


def test_stratified_ratios_per_class(store):
    report = assign_splits(store, [], seed=3)
    for cls, n in (("a", 100), ("b", 40), ("c", 10)):
        got = {s: report.counts.get(s, {}).get(cls, 0) for s in ("train", "val", "test")}
        assert got == {"train": round(n * 0.8), "val": round(n * 0.1), "test": round(n * 0.1)}


def test_seeded_and_custom_ratios(store, tmp_path):
    assign_splits(store, [], ratios=(6, 2, 2), seed=1)
    first = _splits(store)
    assign_splits(store, [], ratios=(6, 2, 2), seed=1, reshuffle=True)
    assert _splits(store) == first
    assert Counter(first.values()) == {"train": 90, "val": 30, "test": 30}
    assign_splits(store, [], ratios=(6, 2, 2), seed=2, reshuffle=True)
    assert _splits(store) != first


def test_groups_stay_together_and_excluded_are_left_out(store):
    ids = [i.id for i in store.images()]
    groups = [ids[0:5], ids[100:103], [ids[5], ids[140]]]
    store.update_image_fields(ids[7], {"excluded": True})
    assign_splits(store, groups, seed=0)
    splits = _splits(store)
    for group in groups:
        assert len({splits[i] for i in group}) == 1
    assert splits[ids[7]] is None


def test_existing_splits_kept_and_leaks_reunited(store):
    ids = [i.id for i in store.images()]
    store.update_image_fields(ids[0], {"split": "test"})
    store.update_image_fields(ids[1], {"split": "train"})
    store.update_image_fields(ids[2], {"split": "train"})
    store.update_image_fields(ids[3], {"split": "val"})
    report = assign_splits(store, [[ids[0], ids[1], ids[2]]], seed=0)
    splits = _splits(store)
    assert splits[ids[0]] == splits[ids[1]] == splits[ids[2]] == "train"  # majority wins
    assert splits[ids[3]] == "val"  # kept
    assert report.moved_leaks == 1


def test_bad_ratios(store):
    with pytest.raises(SplitError):
        assign_splits(store, [], ratios=(1, -1, 0))


def test_demo_split_keeps_every_duplicate_group_together(demo):
    with Store.open(demo / "images") as store:
        result = find_duplicates(store)
        assert result.leaks  # the demo ships a leaking split
        assign_splits(store, result.groups, seed=0)
        after = find_duplicates(store)
        assert after.leaks == []
        assign_splits(store, after.groups, seed=5, reshuffle=True)
        assert find_duplicates(store).leaks == []
