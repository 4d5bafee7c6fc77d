"""benchmarks/cold_start.py scores photos no model learnt from, and only photos with an image class."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from cold_start import FOLDS, photos_with_a_class, split_photos  # noqa: E402


@pytest.fixture
def photos(tmp_path):
    """A photo set as review_loop.photo_dataset copies it (train_*/test_*), with its truth."""
    truth = {}
    for part, count in (("train", 9), ("test", 4)):
        for n in range(count):
            name = f"{part}_{n}.png"
            Image.fromarray(np.zeros((30, 40, 3), np.uint8)).save(tmp_path / name)
            truth[name] = [("a" if n % 2 else "b", (1, 1, 10, 10))]
    truth["train_0.png"].append(("a", (20, 5, 30, 25)))  # both boxes of class b and a: no image class
    truth["test_1.png"].append(("a", (20, 5, 30, 25)))  # two boxes of one class: its class is a
    return tmp_path, truth


def test_only_photos_whose_boxes_share_one_class_are_scored(photos):
    folder, truth = photos
    kept, left_out = photos_with_a_class(folder, truth)
    assert left_out == 1 and len(kept) == len(truth) - 1
    two = next(p for p in kept if p.path.name == "test_1.png")
    assert two.label == "a" and len(two.boxes) == 2 and (two.width, two.height) == (40, 30)


@pytest.mark.parametrize("split", ["folder", "folds"])
def test_no_scored_photo_is_learnt_from_and_every_photo_is_scored_once(photos, split):
    kept, _ = photos_with_a_class(*photos)
    folds = split_photos(kept, split, seed=1)
    assert len(folds) == (1 if split == "folder" else FOLDS)
    scored = [p.path for _learn, score in folds for p in score]
    for learn, score in folds:
        assert not {p.path for p in learn} & {p.path for p in score}
    if split == "folder":
        assert all(p.name.startswith("test_") for p in scored) and len(scored) == 4
    else:
        assert sorted(scored) == sorted(p.path for p in kept)
