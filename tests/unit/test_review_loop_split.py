"""benchmarks/review_loop.py holds its scoring images out of every model (no training: the split, the hiding)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from review_loop import hidden, split_held_out  # noqa: E402


class FakeStore:
    """Records the image fields the loop sets, as the project would."""

    def __init__(self, ids):
        self.excluded = dict.fromkeys(ids, False)

    def update_image_fields(self, image_id, values):
        self.excluded[image_id] = values["excluded"]

    def training_ids(self):  # what ml.data.collect and the calibration read: include_excluded=False
        return {i for i, hid in self.excluded.items() if not hid}


def test_held_out_images_are_apart_from_the_reviewed_pool():
    paths = [f"img{i:03}.jpg" for i in range(60)]
    held, pool = split_held_out(paths, seed=0)
    assert len(held) == 20 and not set(held) & set(pool) and sorted(held + pool) == paths
    assert split_held_out(paths, seed=0) == (held, pool)  # the same images every run
    assert len(split_held_out([f"{i}" for i in range(600)], seed=0, most=100)[0]) == 100


def test_the_cold_start_classifier_trains_without_the_held_out_images():
    paths = [f"class_{i % 2}/img{i:03}.jpg" for i in range(30)]
    held, _pool = split_held_out(paths, seed=1)
    ids = {p: n for n, p in enumerate(paths)}
    store = FakeStore(ids.values())
    with hidden(store, [ids[p] for p in held]):
        seen = store.training_ids()
        assert seen and not seen & {ids[p] for p in held}  # what a model trained meanwhile could read
    assert store.training_ids() == set(ids.values())  # back for proposing and scoring afterwards
