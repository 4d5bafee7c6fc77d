"""Proposals and calibration from the box detector: contracts on crafted detections and a real tiny detector
(asserting only what holds whatever a briefly trained model outputs)."""

from __future__ import annotations

import numpy as np
import pytest
from fixed_model import SQUARES, squares_project

from labelstudio_desktop.core.boxes.review_cost import SECONDS_METRIC, review
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.ml.calibrate import THRESHOLDS, _best_threshold, _seconds, calibrate
from labelstudio_desktop.ml.config import trained_boxes
from labelstudio_desktop.ml.proposal_common import denormalise
from labelstudio_desktop.ml.propose import (
    DETECTOR_THRESHOLD,
    FEW_BOXES,
    FEW_BOXES_THRESHOLD,
    MANY_BOXES,
    default_detector_threshold,
    propose,
)
from labelstudio_desktop.ml.second_look import BEST_GUESS_FLOOR, sure_or_best


def _costs(samples) -> tuple[np.ndarray, np.ndarray]:
    """Each image's seconds at each threshold (thresholds x images) reviewing its detections scoring that much, and
    its true boxes: what calibration measures on a detector's proposals."""
    costs = [[review([(k, box) for box, k, score in found if score >= t], truth).seconds for found, truth in samples]
             for t in THRESHOLDS]
    return np.array(costs), np.array([len(truth) for _found, truth in samples])


def test_the_threshold_costing_the_operator_the_fewest_seconds_on_crafted_detections():
    truth = [(0, (0, 0, 10, 10)), (1, (20, 20, 30, 30))]
    detections = [((0, 0, 10, 10), 0, 0.9), ((20, 20, 30, 31), 1, 0.6), ((50, 50, 60, 60), 0, 0.2)]
    seconds = _seconds(*_costs([(detections, truth)]))
    assert seconds[THRESHOLDS.index(0.1)] == pytest.approx((1.5 + 1.5 + 1.0 + 0.5) / 2)  # two accepted, one rejected
    assert seconds[THRESHOLDS.index(0.5)] == pytest.approx((1.5 + 1.5 + 0.5) / 2)
    assert seconds[-1] == pytest.approx((1.5 + 7 + 0.5) / 2)  # at 0.9 the second is drawn by hand
    assert _best_threshold(*_costs([(detections, truth)])) == 0.3  # among equal costs, the one nearest the default
    shy = [([((0, 0, 10, 10), 0, 0.9), ((20, 20, 30, 30), 1, 0.12), ((50, 50, 60, 60), 0, 0.07)], truth)]
    assert _best_threshold(*_costs(shy)) == 0.1  # a box missed costs a drawing (7 s), a wrong one a rejection (1 s)


def test_a_detector_trained_on_few_boxes_proposes_down_to_a_lower_score_until_calibrated():
    assert default_detector_threshold(10) == default_detector_threshold(FEW_BOXES) == FEW_BOXES_THRESHOLD
    assert default_detector_threshold(MANY_BOXES) == default_detector_threshold(5000) == DETECTOR_THRESHOLD
    assert default_detector_threshold(None) == DETECTOR_THRESHOLD  # boxes not known: the default of many
    steps = [default_detector_threshold(n) for n in range(0, 400, 7)]
    assert steps == sorted(steps) and set(steps) <= set(THRESHOLDS)  # rising, each one calibration can choose
    assert default_detector_threshold(120) == 0.25  # boards after 100 photos: the cheapest for the operator
    assert trained_boxes({"counts": {"a": 20, "b": 17}}) == 37
    for hostile in ({"counts": {"a": "20"}}, {"counts": {"a": -1}}, {"counts": {"a": True}}, {"counts": [3]},
                    {"counts": {}}, {"counts": {"a": float("nan")}}, "counts", None):
        assert trained_boxes(hostile) is None


def test_an_image_with_nothing_sure_gets_its_best_guess_above_the_floor():
    a, b = ((0, 0, 1, 1), 0, 0.5), ((0, 0, 2, 2), 1, 0.2)
    assert sure_or_best([a, b], 0.3) == [a]
    assert sure_or_best([b], 0.3) == [b]  # a drawing costs 7 s, a rejection 1 s
    assert sure_or_best([((0, 0, 1, 1), 0, BEST_GUESS_FLOOR / 2)], 0.3) == []
    assert sure_or_best([], 0.3) == []


def test_denormalise_gives_pixel_edges_never_empty():
    assert denormalise((0.1, 0.2, 0.5, 1.2), 100, 50) == (10, 10, 50, 50)
    assert denormalise((0.5, 0.5, 0.5, 0.5), 10, 10) == (5, 5, 6, 6)


@pytest.fixture
def squares_with_a_detector(tmp_path):
    """The squares project with every box reviewed and a detector trained on it for one epoch."""
    from labelstudio_desktop.ml.config import TrainConfig
    from labelstudio_desktop.ml.train import train

    db, _run = squares_project(tmp_path / "squares")
    with Store.open(db) as store:
        for rel, (label, truth) in SQUARES.items():
            image = store.image_by_path(rel)
            for box in truth:
                store.insert_box(BoxRecord(0, image.id, label, *box))
            if not truth:
                store.update_image_fields(image.id, {"status": "verified"})
    result = train(db, TrainConfig(task="detect", size=32, epochs=1, batch=4, backbone="small"))
    assert result.status == "finished"
    return db, result.run_id


def test_detector_proposals_are_pending_valid_and_remember_the_review(squares_with_a_detector):
    db, run = squares_with_a_detector
    with Store.open(db) as store:  # unreview two images so the detector has somewhere to propose
        for rel in ("red/red_0.png", "blue/blue_1.png"):
            image = store.image_by_path(rel).id
            store.conn.execute("DELETE FROM boxes WHERE image_id=?", (image,))
    report = propose(db, threshold=0.0, max_boxes=5, source="detector")
    assert report.source == "detector" and report.method == "detector" and report.run_id == run
    with Store.open(db) as store:
        pending = store.boxes(states=("pending",))
        assert len(pending) == len(report.proposals) <= 5 * report.images
        for b in pending:
            image = store.image(b.image_id)
            assert 0 <= b.x0 < b.x1 <= image.width and 0 <= b.y0 < b.y1 <= image.height
            assert b.method == "detector" and b.run_id == run and 0 <= b.score <= 1 and b.label in ("red", "green",
                                                                                                   "blue")
        reviewed = {store.image_by_path(r).id for r in SQUARES} - {store.image_by_path(r).id
                                                                  for r in ("red/red_0.png", "blue/blue_1.png")}
        accepted = {b.image_id: b for b in store.boxes(states=("accepted",))}
        for b in pending:  # never over an accepted box of the same label
            same = [a for a in store.boxes(b.image_id, states=("accepted",)) if a.label == b.label]
            from labelstudio_desktop.core.boxes.boxes import box_iou

            assert all(box_iou(a.edges, b.edges) < 0.5 for a in same)
        assert accepted.keys() <= reviewed


def test_detector_calibration_stores_a_threshold_the_next_proposals_use(squares_with_a_detector):
    db, run = squares_with_a_detector
    before = propose(db, include_verified=True)
    assert before.threshold == FEW_BOXES_THRESHOLD  # a dozen boxes: until calibrated, the few boxes' default
    result = calibrate(db, folds=2)
    assert result.default == FEW_BOXES_THRESHOLD  # what the cross-validated figure before is measured at
    assert result.metric == SECONDS_METRIC and result.params["threshold"] in THRESHOLDS
    assert result.before > 0 and result.after > 0 and result.images == len(SQUARES)  # seconds per box
    report = propose(db, include_verified=True)
    assert report.threshold == result.params["threshold"]


def test_cli_source_detector_without_one_is_a_plain_error(tmp_path):
    import subprocess
    import sys

    db, _run = squares_project(tmp_path / "squares")
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "propose", str(db.parent.parent),
                             "--source", "detector"], capture_output=True, text=True)
    assert result.returncode != 0 and "no trained detect model" in result.stderr and "Traceback" not in result.stderr


def test_cli_auto_proposes_with_the_detector_and_leaves_verified_images_alone(squares_with_a_detector):
    import json
    import subprocess
    import sys

    db, _run = squares_with_a_detector
    with Store.open(db) as store:
        store.conn.execute("DELETE FROM boxes WHERE image_id=?", (store.image_by_path("red/red_0.png").id,))
        store.update_image_fields(store.image_by_path("red/red_1.png").id, {"status": "verified"})
    args = [sys.executable, "-m", "labelstudio_desktop", "propose", str(db.parent.parent), "--threshold", "0"]
    result = subprocess.run([*args, "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    images = {p["image"] for p in json.loads(result.stdout)["proposals"]}
    assert "red/red_1.png" not in images and "red/red_empty.png" not in images
    with_verified = subprocess.run([*args, "--include-verified", "--images", "red/red_1.png", "--json"],
                                   capture_output=True, text=True)
    assert with_verified.returncode == 0, with_verified.stderr
    assert {p["image"] for p in json.loads(with_verified.stdout)["proposals"]} <= {"red/red_1.png"}
