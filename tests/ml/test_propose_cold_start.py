"""The cold start of proposals: which class activation method a classifier gets, boxes from a class heatmap, and
the plain note when no image has a class yet."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from fixed_model import SQUARES, squares_project
from PIL import Image

from labelstudio_desktop.core.boxes.boxes import box_iou, pad_box
from labelstudio_desktop.core.store.runs import get_run, update_run
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.ml.cold_start import COLD_START, class_maps, cold_start_boxes
from labelstudio_desktop.ml.propose import NO_CLASSES, propose


def _as_pretrained(db, run_id) -> None:
    """Record the run as one of a pretrained MobileNetV2 (the fixed model stays what it is)."""
    with Store.open(db) as store:
        update_run(store, run_id, params={**get_run(store, run_id).params, "backbone": "mobilenetv2"})


@pytest.mark.parametrize("pretrained", [False, True])
def test_a_pretrained_classifier_gets_fitted_class_maps_and_others_grad_cam(tmp_path, pretrained):
    from labelstudio_desktop.ml.gradcam import FeatureCam, GradCam
    from labelstudio_desktop.ml.train import load_model

    db, run_id = squares_project(tmp_path / "squares")
    if pretrained:
        _as_pretrained(db, run_id)
    with Store.open(db) as store:
        run = get_run(store, run_id)
        model = load_model(run.model_path)
        chosen = class_maps(store, run, model, None)
        assert isinstance(chosen, FeatureCam if pretrained else GradCam)
        assert isinstance(class_maps(store, run, model, "planes"), GradCam)  # a layer asked for: Grad-CAM of it


def test_fitted_class_maps_propose_boxes_on_the_squares(tmp_path):
    db, run_id = squares_project(tmp_path / "squares")
    _as_pretrained(db, run_id)
    report = propose(db, run_id, padding=0.0, multi=True, use_labels=True, levers={"refine": "none"})
    assert sorted({p.image for p in report.proposals}) == sorted(r for r, (_, b) in SQUARES.items() if b)
    for p in report.proposals:
        label, truth = SQUARES[p.image]
        assert p.label == label and max(box_iou(p.box, t) for t in truth) >= 0.85


def test_cold_start_boxes_fit_a_box_per_region_scaled_to_the_image_and_padded():
    heat = np.zeros((16, 16), np.float32)
    heat[2:6, 2:8] = 1.0  # two regions of heat on a 16 x 16 map
    heat[10:14, 9:15] = 0.8
    pixels = np.zeros((32, 32, 3), np.uint8)
    levers = {**COLD_START, "refine": "none"}
    (one,) = cold_start_boxes(heat, pixels, (320, 160), 0.3, levers, 0.0)
    regions = cold_start_boxes(heat, pixels, (320, 160), 0.3, levers, 0.0, multi=True)
    padded = cold_start_boxes(heat, pixels, (320, 160), 0.3, levers, 0.15, multi=True)
    assert len(regions) == 2 and one[0] in [box for box, _fitted in regions]
    for (box, fitted), (grown, _) in zip(regions, padded, strict=True):
        x0, y0, x1, y1 = box
        assert 0 <= x0 < x1 <= 320 and 0 <= y0 < y1 <= 160 and 0 < fitted.iou <= 1
        assert grown == pad_box(box, 0.15, (320, 160))
    assert cold_start_boxes(np.zeros((16, 16), np.float32), pixels, (320, 160), 0.3, levers, 0.15) == []


@pytest.fixture
def unlabelled(tmp_path):
    """A project of two photos without classes, boxes or models."""
    folder = tmp_path / "flat"
    folder.mkdir()
    for n in range(2):
        Image.fromarray(np.full((24, 32, 3), 60 * n, np.uint8)).save(folder / f"photo_{n}.png")
    with Store.create(folder) as store:
        import_folder(store)
        return store.db_path


def test_without_image_classes_propose_says_so_and_proposes_nothing(unlabelled):
    report = propose(unlabelled)
    assert report.note == NO_CLASSES and report.decision() == NO_CLASSES
    assert report.proposals == [] and report.images == 2 and report.as_json()["note"] == NO_CLASSES
    assert "draw the first boxes" in NO_CLASSES and "set the images' classes" in NO_CLASSES


def test_the_cli_prints_the_note(unlabelled):
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "propose", str(unlabelled.parent.parent)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and NO_CLASSES in result.stdout and "Traceback" not in result.stderr
