"""The evaluation of a detector also scores what the operator is shown (its proposals: best guesses, the second
look) and how many true boxes a proposal of which would be accepted as it is (issue 20): checked with a real Keras
detector whose output is fixed (``test_propose_sources.centred_detector``), so the figures are known in advance."""

from __future__ import annotations

import pytest
from fixed_model import CLASSES, SQUARES, squares_project
from test_propose_sources import CENTRED, add_detector, centred_detector, review

from labelstudio_desktop.ml.evaluate import evaluate, format_metric


def test_the_evaluation_says_how_many_boxes_would_be_accepted_as_proposed(tmp_path):
    db, _classifier = squares_project(tmp_path / "squares")
    review(db, "red/red_0.png", SQUARES["red/red_0.png"][1][0], split="train")  # evaluation needs a training image
    review(db, "blue/blue_0.png", CENTRED, split="test")  # the detector's box is this one's, within a pixel
    review(db, "blue/blue_1.png", (50, 4, 90, 34), split="test")  # and far from this one's
    run_id = add_detector(db, centred_detector(channel=CLASSES.index("blue")))
    m = evaluate(db, run_id, score_threshold=0.5).metrics
    assert m["true_boxes"] == 2 and m["predicted_boxes"] == 2
    assert m["accepted_as_is"] == pytest.approx(0.5)  # the first accepted; the second rejected and drawn
    assert m["proposed_precision"] == pytest.approx(0.5) and m["proposed_recall"] == pytest.approx(0.5)
    assert m["proposed_mean_iou"] == pytest.approx(m["mean_iou"])  # no second look stored: the same boxes
    silent = evaluate(db, run_id, score_threshold=0.95).metrics  # nothing sure: each photo's best guess is shown
    assert silent["predicted_boxes"] == 0 and silent["accepted_as_is"] == pytest.approx(0.5)
    assert format_metric("accepted_as_is", 1.0) == "1.000"  # a share, not a count
