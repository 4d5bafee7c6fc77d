"""``labelstudio-desktop evaluate`` prints tables and warns when the numbers rest on too few images (issue 19)."""

from __future__ import annotations

from labelstudio_desktop.cli import evaluation_text
from labelstudio_desktop.ml.evaluate import Evaluation

DETECT = {"precision": 0.0, "recall": 0.0, "mean_iou": 0.41, "map50": 0.6667, "true_boxes": 3.0,
          "predicted_boxes": 1.0, "true_positives": 0.0, "images": 2.0, "score_threshold": 0.3,
          "precision_bolt": 0.0, "recall_bolt": 0.0, "ap50_bolt": 0.6667}


def test_a_detector_on_two_test_images_is_a_table_with_a_warning():
    text = evaluation_text(Evaluation(4, "detect", "test", dict(DETECT), classes=["bolt"], images=2))
    lines = text.splitlines()
    assert lines[0] == "run 4 (detect) on the test split: 2 images"
    assert lines[1].startswith("warning: only 2 reviewed images in the test split") and "fewer than 20" in lines[1]
    assert "map50            0.667" in lines and "images               2" in lines
    assert lines[lines.index("") + 1].split() == ["metric", "value"]
    assert ["class", "precision", "recall", "ap50"] in [line.split() for line in lines]
    assert ["bolt", "0.000", "0.000", "0.667"] in [line.split() for line in lines]
    assert not any("precision_bolt" in line for line in lines)


def test_enough_test_images_need_no_warning_and_another_split_does():
    enough = evaluation_text(Evaluation(5, "classify", "test", {"accuracy": 0.9}, images=40))
    assert "warning" not in enough and "accuracy  0.900" in enough.splitlines()
    on_val = evaluation_text(Evaluation(5, "classify", "val", {"accuracy": 1.0}, images=40))
    assert "warning: the test split has no usable image: these numbers are on the val split" in on_val
