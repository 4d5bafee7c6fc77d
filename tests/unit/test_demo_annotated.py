"""demo --annotated: part of the ground truth becomes the operator's work, the rest stays apart."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.demo import create_demo_project
from labelstudio_desktop.core.demo_annotations import choose_annotated
from labelstudio_desktop.core.store.masks import union_mask


def test_a_fraction_of_each_class_gets_its_true_boxes_and_masks(tmp_path):
    store, _report = create_demo_project(tmp_path / "d", annotated=0.3)
    truth = json.loads((tmp_path / "d" / "ground_truth" / "truth.json").read_text())
    with store:
        chosen = store.get_setting("demo")["annotated"]
        listed = (tmp_path / "d" / "ground_truth" / "annotated.txt").read_text().split()
        assert chosen == listed == choose_annotated(truth, 0.3, 7)
        per_class = {c: sum(truth["images"][r]["class"] == c for r in chosen) for c in truth["classes"]}
        totals = {c: sum(v["class"] == c for v in truth["images"].values()) for c in truth["classes"]}
        assert all(abs(per_class[c] - 0.3 * totals[c]) <= 1 for c in totals)
        for img in store.images():
            boxes = store.boxes(img.id)
            if img.path not in chosen:
                assert img.status == "unverified" and not boxes and not store.masks(img.id)
                continue
            assert img.status == "verified"
            true_boxes = truth["images"][img.path]["boxes"]
            assert sorted([*b.edges, b.label] for b in boxes) == sorted(true_boxes)
            assert all((b.source, b.state) == ("imported", "accepted") for b in boxes)
            mask = union_mask(store, img.id, img.width, img.height)
            if not true_boxes:
                assert mask is None  # background: verified with nothing on it
                continue
            true_mask = np.asarray(Image.open(tmp_path / "d" / "ground_truth" / "masks" /
                                              img.path.replace(".jpg", ".png")))
            assert np.array_equal(mask, (true_mask > 0).astype(np.uint8))
            assert {r["label"] for r in store.masks(img.id)} == {true_boxes[0][4]}
        assert truth["planted"]["truncated"][0] not in chosen
        splits = {store.image_by_path(r).split for r in chosen}
        assert "train" in splits


def test_a_fraction_outside_0_1_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="between 0 and 1"):
        create_demo_project(tmp_path / "d", annotated=1.5)
    assert not (tmp_path / "d").exists()
