"""Out-of-fold detections (ml/out_of_fold.py) with real tiny detectors on the coloured squares: every reviewed image
looked at once, by a detector trained on the other folds only; nothing recorded in the project."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_detect import TINY

from labelstudio_desktop.cli_mistakes import _print_places
from labelstudio_desktop.core.box_places import PlaceDoubt, PlaceReport
from labelstudio_desktop.core.jobs import Cancelled, JobToken
from labelstudio_desktop.core.store.runs import list_runs
from labelstudio_desktop.core.store.store import ImageRecord, Store
from labelstudio_desktop.ml import out_of_fold
from labelstudio_desktop.ml.config import TrainConfig
from labelstudio_desktop.ml.out_of_fold import fold_of, image_detections, out_of_fold_detections, place_report

CONFIG = {"task": "detect", "epochs": 1, "min_steps": 0, **TINY}


def test_folds_are_even_and_seeded():
    fold = fold_of(10, 3, seed=4)
    assert sorted(np.bincount(fold).tolist()) == [3, 3, 4]
    assert (fold_of(10, 3, seed=4) == fold).all() and not (fold_of(10, 3, seed=5) == fold).all()


def test_a_place_the_detector_is_unsure_of_gives_one_detection_not_a_missing_box_beside_it():
    img = ImageRecord(1, "a.png", 0, 0.0, 200, 100, 3, label="nut")
    found = [((0.10, 0.10, 0.50, 0.90), 0, 0.8), ((0.11, 0.10, 0.50, 0.88), 1, 0.4),  # one place, two classes
             ((0.60, 0.20, 0.90, 0.80), 1, 0.3)]
    kept = image_detections(found, img, ["bolt", "nut"], class_per_image=False)
    assert kept == [("bolt", (20, 10, 100, 90), 0.8), ("nut", (120, 20, 180, 80), 0.3)]
    shifted = (70, 10, 150, 90)  # the recorded box, off the object: IoU 0.23 with both detections there
    report = place_report(out_of_fold.OutOfFold(images=[(1, "a.png")], recorded={1: [(7, "bolt", shifted)]},
                                                detected={1: kept}))
    assert [(d.kind, d.edges) for d in report.doubts] == [("misplaced", (20, 10, 100, 90)),
                                                          ("missing", (120, 20, 180, 80))]  # not the second class
    assert [c for c, _e, _s in image_detections(found, img, ["bolt", "nut"], class_per_image=True)] == ["nut", "nut"]


def test_every_reviewed_image_is_judged_by_a_detector_that_never_trained_on_it(boxed, monkeypatch):  # noqa: F811
    trained_on: list[set[bytes]] = []
    real_fit = out_of_fold.fit_detector

    def recording_fit(config, x, items, classes, job, seed=0):
        trained_on.append({image.tobytes() for image in x})
        return real_fit(config, x, items, classes, job, seed)

    judged: list[set[bytes]] = []
    real_detect = out_of_fold.detect

    def recording_detect(model, images, **kwargs):
        judged.append({image.tobytes() for image in images})
        return real_detect(model, images, **kwargs)

    monkeypatch.setattr(out_of_fold, "fit_detector", recording_fit)
    monkeypatch.setattr(out_of_fold, "detect", recording_detect)
    progress: list[tuple[int, int]] = []
    with Store.open(boxed) as store:
        files_before = sorted(p.name for p in store.db_path.parent.rglob("*"))
        found = out_of_fold_detections(store, JobToken(on_progress=lambda d, t: progress.append((d, t))),
                                       config=TrainConfig(**CONFIG))
        assert list_runs(store) == [] and sorted(p.name for p in store.db_path.parent.rglob("*")) == files_before
        reviewed = {img.id for img in store.images() if store.boxes(image_id=img.id, states=("accepted",))
                    or img.status == "verified"}
    assert found.folds == 3 and len(trained_on) == len(judged) == 3
    assert all(not (trained_on[k] & judged[k]) for k in range(3))  # each fold's judge never saw its images
    assert sum(len(j) for j in judged) == len(found.images)
    assert {i for i, _path in found.images} == reviewed == set(found.detected)
    assert sum(len(boxes) for boxes in found.recorded.values()) == 8  # every accepted square
    assert max(done / total for done, total in progress) == 1.0  # the three folds fill one bar
    for detections in found.detected.values():
        for label, (x0, y0, x1, y1), score in detections:
            assert label in {"red", "green", "blue"} and 0 <= x0 < x1 and 0 <= y0 < y1 and 0 < score <= 1
    report = place_report(found)
    assert report.images == len(reviewed) and report.boxes == 8 and report.folds == 3


def test_cancelling_stops_the_folds(boxed):  # noqa: F811
    job = JobToken()
    job.cancel()
    with Store.open(boxed) as store, pytest.raises(Cancelled):
        out_of_fold_detections(store, job, config=TrainConfig(**CONFIG))


@pytest.fixture
def tiny_detectors(monkeypatch):
    """The app's paths with detectors small enough for a test (still real Keras training)."""
    monkeypatch.setattr(out_of_fold, "detector_config", lambda: TrainConfig(**CONFIG))


def test_box_places_on_the_command_line(boxed, tiny_detectors, capsys):  # noqa: F811
    from labelstudio_desktop import cli

    project = boxed.parent.parent if boxed.parent.name == ".labelstudio" else boxed.parent
    assert cli.main(["mistakes", str(project), "--kind", "places", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"places"} and data["places"]["boxes"] == 8 and data["places"]["folds"] == 3
    for row in data["places"]["likely"]:
        assert row["kind"] in ("missing", "misplaced") and (row["box"] is None) == (row["kind"] == "missing")
    report = PlaceReport(doubts=[PlaceDoubt(1, "red/red_0.png", "missing", "red", (1, 2, 30, 40), 0.8),
                                 PlaceDoubt(2, "red/red_2.png", "misplaced", "red", (5, 5, 40, 40), 0.6, 9,
                                            (25, 5, 60, 40), 0.3)], images=8, boxes=8, confirmed=6, folds=3)
    _print_places("places", report, limit=1)
    assert capsys.readouterr().out.splitlines() == [
        "box places: 1 likely missing and 1 likely misplaced boxes on 8 reviewed images (8 boxes; 3 detectors, each "
        "judging the images it did not train on, confirm 75% of the boxes)",
        "  red/red_0.png: missing box 'red' at (1, 2, 30, 40) (the detector: 80%)",
        "  ... and 1 more (--limit)"]


def test_box_places_without_reviewed_boxes_say_so(squares, tiny_detectors, capsys):  # noqa: F811
    from labelstudio_desktop import cli

    project = squares.parent.parent if squares.parent.name == ".labelstudio" else squares.parent
    assert cli.main(["mistakes", str(project), "--kind", "places"]) == 1
    assert "box places: no accepted boxes to learn from" in capsys.readouterr().err
