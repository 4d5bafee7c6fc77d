"""Proposals from a real tiny classifier on the demo's real images."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from labelstudio_desktop.core.store import BoxRecord, Store
from labelstudio_desktop.ml.propose import propose
from labelstudio_desktop.ml.train import TrainConfig, train


@pytest.fixture
def classifier(demo_db):
    return train(demo_db, TrainConfig(task="classify", size=32, epochs=6, batch=16)).run_id


def test_proposals_are_pending_with_provenance_and_never_touch_accepted_boxes(demo_db, classifier):
    with Store.open(demo_db) as store:
        image = store.image_by_path("bolt/bolt_001.jpg")
        manual = store.insert_box(BoxRecord(0, image.id, "bolt", 1, 1, 30, 30))
    report = propose(demo_db, classifier, images="bolt/*", threshold=0.3, use_labels=True)
    assert report.images == 30 and report.proposals
    with Store.open(demo_db) as store:
        pending = store.boxes(states=("pending",))
        assert pending and all(b.source == "proposal" and b.run_id == classifier and b.method == "exact"
                               and b.threshold == 0.3 and 0 < b.map_iou <= 1 and 0 < b.score <= 1 for b in pending)
        assert store.box(manual).state == "accepted"
        count = len(pending)
        first = pending[0]
        store.update_box(BoxRecord(**{**first.__dict__, "state": "accepted"}))
    again = propose(demo_db, classifier, images="bolt/*", threshold=0.3, use_labels=True)
    with Store.open(demo_db) as store:
        assert store.box(first.id).state == "accepted"  # reviewed boxes survive a new proposal round
        assert store.box(manual).state == "accepted"
        assert len(store.boxes(states=("pending",))) == len(again.proposals) <= count
        heatmaps = store.conn.execute("SELECT COUNT(*) FROM heatmaps").fetchone()[0]
        assert heatmaps == 30


def test_multi_and_bayes(demo_db, classifier):
    multi = propose(demo_db, classifier, images="nut/nut_00*", multi=True, threshold=0.2, use_labels=True)
    single = propose(demo_db, classifier, images="nut/nut_00*", threshold=0.2, use_labels=True)
    assert len(multi.proposals) >= len(single.proposals)
    bayes = propose(demo_db, classifier, images="nut/nut_000.jpg", method="bayes", max_iter=2, use_labels=True)
    assert bayes.proposals
    for p in bayes.proposals:
        assert p.box[0] < p.box[2] and p.box[1] < p.box[3]


def test_cli_json_uses_voc_coordinates(demo, demo_db, classifier):
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "propose", str(demo / "images"),
                             "--images", "washer/*", "--limit", "5", "--use-labels", "--json"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["proposals"]
    for p in data["proposals"]:
        assert set(p) == {"image", "label", "box", "score", "iou_to_map"}
        xmin, ymin, xmax, ymax = p["box"]
        assert 1 <= xmin <= xmax and 1 <= ymin <= ymax and all(isinstance(v, int) for v in p["box"])


def test_unet_masks_become_pending_masks_and_boxes(demo_with_masks):
    from labelstudio_desktop.core.commands import History, UpdateMask
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


def test_calibration_from_reviewed_boxes(demo, demo_db, classifier):
    from labelstudio_desktop.core.runs import get_run
    from labelstudio_desktop.ml.calibrate import calibrate

    truth = json.loads((demo / "ground_truth" / "truth.json").read_text())
    with Store.open(demo_db) as store:  # the operator accepted/corrected boxes on a dozen images
        for rel in [r for r, info in truth["images"].items() if info["boxes"]][:12]:
            image = store.image_by_path(rel)
            for x0, y0, x1, y1, label in truth["images"][rel]["boxes"]:
                store.insert_box(BoxRecord(0, image.id, label, x0, y0, x1, y1, source="proposal",
                                           state="accepted", edited=True))
    result = calibrate(demo_db, classifier, max_iter=3, folds=2)
    assert result.images == 12 and 0 <= result.before <= 1 and 0 <= result.after <= 1
    assert set(result.params) >= {"threshold", "padding", "min_area", "layer", "layer_name"}
    with Store.open(demo_db) as store:
        assert get_run(store, classifier).params["proposal_params"] == result.params
    report = propose(demo_db, classifier, images="bolt/*", use_labels=True)
    assert report.threshold == result.params["threshold"]  # the next proposals use the tuned parameters
