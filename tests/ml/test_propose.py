"""Proposals: contracts checked with a real Keras classifier whose weights are fixed (its Grad-CAM is known in
advance, see tests/fixed_model.py), and the U-Net path with a real tiny trained U-Net (asserting only what holds
for any output)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fixed_model import SQUARES, squares_project

from labelstudio_desktop.core.boxes.boxes import box_iou
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.ml.cold_start import fit_boxes, no_box_reason
from labelstudio_desktop.ml.propose import propose
from labelstudio_desktop.ml.train import TrainConfig, train


@pytest.fixture
def squares(tmp_path):
    """(database, classify run id) of the coloured-squares project with the fixed-weight classifier."""
    return squares_project(tmp_path / "squares")


def _best_iou(box, truth):
    return max((box_iou(box, t) for t in truth), default=0.0)


def test_proposals_are_pending_with_provenance_and_never_touch_accepted_boxes(squares):
    db, run = squares
    with Store.open(db) as store:
        image = store.image_by_path("red/red_1.png")
        manual = store.insert_box(BoxRecord(0, image.id, "red", 60, 40, 90, 60))
    report = propose(db, run, threshold=0.3, padding=0.0, use_labels=True)  # boxes as fitted to the map
    assert report.images == len(SQUARES)
    # one box per image with evidence (the largest object of red_2 wins the single-box fit), each on its square
    assert sorted(p.image for p in report.proposals) == sorted(r for r, (_, b) in SQUARES.items() if b)
    for p in report.proposals:
        label, truth = SQUARES[p.image]
        assert p.label == label and _best_iou(p.box, truth) >= 0.85
    assert report.without_box == [("red/red_empty.png",
                                   "the heatmap is empty: nothing in the image supports the class")]
    with Store.open(db) as store:
        pending = store.boxes(states=("pending",))
        assert len(pending) == len(report.proposals)
        assert all(b.source == "proposal" and b.run_id == run and b.method == "exact" and b.threshold == 0.3
                   and 0 < b.map_iou <= 1 and 0 < b.score <= 1 for b in pending)
        assert store.box(manual).state == "accepted"
        first = pending[0]
        store.update_box(BoxRecord(**{**first.__dict__, "state": "accepted"}))
    again = propose(db, run, threshold=0.3, use_labels=True)
    with Store.open(db) as store:
        assert store.box(first.id).state == "accepted"  # reviewed boxes survive a new proposal round
        assert store.box(manual).state == "accepted"
        assert len(store.boxes(states=("pending",))) == len(again.proposals)
        assert store.conn.execute("SELECT COUNT(*) FROM heatmaps").fetchone()[0] == len(SQUARES)


def test_a_label_the_image_does_not_support_gets_a_reason_not_a_box(squares):
    db, run = squares
    with Store.open(db) as store:  # the operator says green; the picture is a red square
        store.update_image_fields(store.image_by_path("red/red_0.png").id, {"label": "green"})
    report = propose(db, run, images="red/red_0.png", use_labels=True)
    assert report.proposals == []
    assert report.without_box == [("red/red_0.png", "the heatmap is empty: nothing in the image supports the class")]
    predicted = propose(db, run, images="red/red_0.png", use_labels=False)  # the predicted class: red
    assert [p.label for p in predicted.proposals] == ["red"]


def test_multi_gives_one_box_per_object_and_bayes_a_valid_box(squares):
    db, run = squares
    single = propose(db, run, images="red/red_2.png", padding=0.0, use_labels=True)
    multi = propose(db, run, images="red/red_2.png", multi=True, padding=0.0, use_labels=True)
    truth = SQUARES["red/red_2.png"][1]
    assert len(single.proposals) == 1 and len(multi.proposals) == 2
    matched = sorted(max(range(2), key=lambda k, p=p: box_iou(p.box, truth[k])) for p in multi.proposals)
    assert matched == [0, 1] and all(_best_iou(p.box, truth) >= 0.85 for p in multi.proposals)
    bayes = propose(db, run, images="red/red_0.png", method="bayes", max_iter=2, use_labels=True)
    (p,) = bayes.proposals
    w, h = 96, 64
    assert 0 <= p.box[0] < p.box[2] <= w and 0 <= p.box[1] < p.box[3] <= h and 0 < p.iou_to_map <= 1
    with Store.open(db) as store:
        (stored,) = store.boxes(store.image_by_path("red/red_0.png").id, states=("pending",))
        assert stored.method == "bayes" and stored.edges == p.box


@pytest.mark.parametrize("method", ["exact", "bayes"])
@pytest.mark.parametrize("multi", [False, True])
def test_fit_boxes_contract_on_crafted_maps(method, multi):
    import numpy as np

    empty = np.zeros((16, 16), bool)
    assert fit_boxes(empty, method, multi, max_iter=2) == []
    binary = empty.copy()
    binary[3:9, 4:12] = True
    binary[12:15, 1:4] = True
    found = fit_boxes(binary, method, multi, min_area=4, max_iter=2)
    assert len(found) == (2 if multi else 1)
    for f in found:
        x0, y0, x1, y1 = f.box
        assert 0 <= x0 < x1 <= 16 and 0 <= y0 < y1 <= 16 and 0 < f.iou <= 1
    if method == "exact" and not multi:
        assert found[0].box == (4, 3, 12, 9)  # the optimum: the large block alone


def test_no_box_reasons_are_plain():
    import numpy as np

    assert "empty" in no_box_reason(np.zeros((4, 4)), 0.3, False, 4)
    heat = np.zeros((4, 4))
    heat[1, 1] = 1.0
    assert no_box_reason(heat, 0.3, True, 4) == "no heatmap region of at least 4 cells reaches the threshold 0.3"


def test_cli_json_uses_voc_coordinates_and_names_images_without_a_box(squares):
    db, _run = squares
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "propose", str(db.parent.parent),
                             "--images", "red/*", "--use-labels", "--padding", "0", "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["proposals"]) == 3
    for p in data["proposals"]:
        assert set(p) == {"image", "label", "box", "score", "iou_to_map"}
        xmin, ymin, xmax, ymax = p["box"]
        assert 1 <= xmin <= xmax and 1 <= ymin <= ymax and all(isinstance(v, int) for v in p["box"])
        x0, y0, x1, y1 = xmin - 1, ymin - 1, xmax, ymax  # back to pixel edges
        assert _best_iou((x0, y0, x1, y1), SQUARES[p["image"]][1]) >= 0.85
    assert "red/red_empty.png: the heatmap is empty" in result.stderr


def test_unet_masks_become_pending_masks_and_boxes(demo_with_masks):
    from labelstudio_desktop.core.editing.commands import History, UpdateMask
    from labelstudio_desktop.ml.propose import mask_boxes, propose_masks

    run = train(demo_with_masks, TrainConfig(task="segment", size=32, epochs=2, batch=16)).run_id
    with Store.open(demo_with_masks) as store:  # the operator's masks stay; proposals come beside them
        accepted_before = store.conn.execute("SELECT COUNT(*) FROM masks WHERE state='accepted'").fetchone()[0]
    report = propose_masks(demo_with_masks, run, threshold=0.3, images="washer/*", boxes="all")
    with Store.open(demo_with_masks) as store:
        pending = store.conn.execute("SELECT id, image_id, run_id FROM masks WHERE state='pending'").fetchall()
        assert len(pending) == report.images == 32 and all(r[2] == run for r in pending)
        assert store.conn.execute("SELECT COUNT(*) FROM masks WHERE state='accepted'").fetchone()[0] == accepted_before
        boxes = store.boxes(states=("pending",))
        assert all(b.method == "unet" and b.run_id == run for b in boxes)
        h = History(store)
        h.push(UpdateMask(store, pending[0][0], state="accepted"))
        assert store.mask(pending[0][0])["state"] == "accepted"
        h.undo()
        assert store.mask(pending[0][0])["state"] == "pending"
    import numpy as np

    m = np.zeros((20, 30), bool)
    m[2:6, 3:9] = True
    m[10:18, 15:28] = True
    assert mask_boxes(m, "largest") == [(15, 10, 28, 18)]
    assert sorted(mask_boxes(m, "all")) == [(3, 2, 9, 6), (15, 10, 28, 18)]


def test_calibration_from_reviewed_boxes(squares):
    from labelstudio_desktop.core.store.runs import get_run
    from labelstudio_desktop.ml.calibrate import calibrate

    db, run = squares
    with Store.open(db) as store:  # the operator accepted/corrected boxes on the square images
        for rel, (label, truth) in SQUARES.items():
            image = store.image_by_path(rel)
            for box in truth:
                store.insert_box(BoxRecord(0, image.id, label, *box, source="proposal", state="accepted",
                                           edited=True))
    result = calibrate(db, run, max_iter=3, folds=2)
    assert result.images == 7 and result.boxes == 8 and 0 <= result.before <= 1 and 0 <= result.after <= 1
    assert set(result.params) >= {"threshold", "padding", "min_area", "layer", "layer_name"}
    assert result.layers == ["planes"]
    with Store.open(db) as store:
        assert get_run(store, run).params["proposal_params"] == result.params
    report = propose(db, run, images="blue/*", use_labels=True)
    assert report.threshold == result.params["threshold"]  # the next proposals use the tuned parameters


def test_proposing_again_remembers_the_review(squares):
    """Never on verified images, never over an accepted box of the same label, never a rejected box again."""
    db, run = squares
    first = {p.image: p for p in propose(db, run, use_labels=True).proposals}
    with Store.open(db) as store:
        ids = {rel: store.image_by_path(rel).id for rel in SQUARES}
        verified = ids["green/green_0.png"]
        store.update_image_fields(verified, {"status": "verified"})
        (accepted,) = store.boxes(ids["red/red_0.png"], states=("pending",))
        store.update_box(BoxRecord(**{**accepted.__dict__, "state": "accepted"}))
        (rejected,) = store.boxes(ids["blue/blue_0.png"], states=("pending",))
        store.update_box(BoxRecord(**{**rejected.__dict__, "state": "rejected"}))
        pending_on_verified = store.boxes(verified, states=("pending",))
    again = propose(db, run, use_labels=True)
    proposed = {p.image for p in again.proposals}
    assert "green/green_0.png" not in proposed and again.skipped_verified == 1
    assert "red/red_0.png" not in proposed and "blue/blue_0.png" not in proposed
    assert again.dropped == {"accepted": 1, "rejected": 1, "duplicate": 0}
    assert proposed == set(first) - {"green/green_0.png", "red/red_0.png", "blue/blue_0.png"}
    with Store.open(db) as store:
        assert store.box(accepted.id).state == "accepted" and store.box(rejected.id).state == "rejected"
        assert store.boxes(ids["blue/blue_0.png"], states=("pending",)) == []
        assert store.boxes(verified, states=("pending",)) == pending_on_verified  # a verified image is left alone
    with_verified = propose(db, run, use_labels=True, include_verified=True, images="green/*")
    assert {p.image for p in with_verified.proposals} == {"green/green_0.png", "green/green_1.png"}


def test_auto_source_is_gradcam_until_a_detector_exists(squares):
    from labelstudio_desktop.ml.propose import resolve_source

    db, run = squares
    with Store.open(db) as store:
        assert resolve_source(store, "auto") == "gradcam"
        assert resolve_source(store, "auto", run) == "gradcam"
        assert resolve_source(store, "detector") == "detector"
    report = propose(db, images="red/red_0.png", use_labels=True)
    assert report.source == "gradcam" and report.method == "exact"
    with pytest.raises(Exception, match="no trained detect model"):
        propose(db, source="detector")


def test_grad_cam_boxes_are_padded_by_the_cold_start_default(squares):
    """Grad-CAM lights the most telling part of an object: its boxes grow by COLD_START["padding"] per side."""
    from labelstudio_desktop.core.boxes.boxes import pad_box
    from labelstudio_desktop.ml.cold_start import COLD_START

    db, run = squares
    (fitted,) = propose(db, run, images="blue/blue_0.png", padding=0.0, use_labels=True).proposals
    (padded,) = propose(db, run, images="blue/blue_0.png", use_labels=True).proposals
    assert COLD_START["padding"] > 0 and padded.box == pad_box(fitted.box, COLD_START["padding"], (96, 64))


def test_a_grad_cam_box_scores_by_the_evidence_it_holds():
    import numpy as np

    from labelstudio_desktop.ml.cold_start import box_score

    grid = np.zeros((64, 64), np.float32)
    grid[10:20, 10:20] = 1.0
    grid[40:60, 40:60] = 0.5
    hot, warm, cold = box_score(0.8, grid, (10, 10, 20, 20)), box_score(0.8, grid, (40, 40, 60, 60)), \
        box_score(0.8, grid, (25, 25, 35, 35))
    assert hot == pytest.approx(0.8) and warm == pytest.approx(0.4) and cold == 0.0


@pytest.mark.parametrize("backbone", ["small", "mobilenetv2"])
def test_grad_cam_differentiating_only_the_head_gives_the_full_gradient_heatmap(backbone):
    """The fast path (features outside the tape) is the same Grad-CAM as one tape over the whole model."""
    import numpy as np

    from labelstudio_desktop.ml.gradcam import GradCam
    from labelstudio_desktop.ml.models import build_classifier

    model = build_classifier(64, 3, backbone=backbone, trainable_layers=None)
    images = np.random.default_rng(0).uniform(0, 255, (3, 64, 64, 3)).astype(np.float32)
    fast = GradCam(model)
    assert fast.head_model is not None
    heat, probs = fast(images, np.array([0, 1, -1]), flip=True)
    whole = GradCam(model)
    whole.head_model = None
    heat_whole, probs_whole = whole(images, np.array([0, 1, -1]), flip=True)
    np.testing.assert_allclose(heat, heat_whole, atol=1e-5)
    np.testing.assert_allclose(probs, probs_whole, atol=1e-6)
