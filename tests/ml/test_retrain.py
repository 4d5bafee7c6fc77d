"""The one-click retrain of a detector carries the score threshold its review calibrated (``ml/retrain.py``), on real
tiny detectors (contracts only: which threshold a briefly trained model earns is a benchmark's business)."""

from __future__ import annotations

from pathlib import Path

from fixed_model import SQUARES, box_record

from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.runs import THRESHOLD_FROM, Run, get_run, held_out_images, update_run
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.calibrate import MIN_UNSEEN, THRESHOLDS, calibrate
from labelstudio_desktop.ml.config import TrainConfig
from labelstudio_desktop.ml.propose import default_detector_threshold, detector_threshold
from labelstudio_desktop.ml.retrain import carried, retrain
from labelstudio_desktop.ml.train import train

TINY = {"task": "detect", "epochs": 1, "size": 32, "batch": 4, "backbone": "small"}


def _review_again(db: Path, names: list[str]) -> None:
    """The operator's review of these images after the last run started: their boxes accepted anew."""
    with Store.open(db) as store:
        for img in store.images():
            if Path(img.path).stem in names:
                store.conn.execute("DELETE FROM boxes WHERE image_id=?", (img.id,))
                store.conn.commit()
                for edges in SQUARES[img.path][1]:
                    store.insert_box(box_record(img.id, edges, SQUARES[img.path][0]))


def _run(db: Path, run_id: int):
    with Store.open(db) as store:
        return get_run(store, run_id)


def test_retrain_calibrates_on_the_images_reviewed_since_and_the_new_run_proposes_at_that_threshold(boxed):
    first = train(boxed, TrainConfig(**TINY))
    _review_again(boxed, ["red_0", "red_1", "green_0", "blue_0"])  # train images reviewed since; val and test too
    with Store.open(boxed) as store:
        unseen = len(held_out_images(store, get_run(store, first.run_id)))
    assert unseen >= MIN_UNSEEN
    second = retrain(boxed, TrainConfig(**TINY), first.run_id)
    assert second.status == "finished"
    previous, new = _run(boxed, first.run_id), _run(boxed, second.run_id)
    calibrated = previous.params["proposal_params"]["threshold"]  # the calibration of the run that proposed
    threshold = carried(calibrated, previous, new)
    assert threshold == calibrated in THRESHOLDS  # both trained on the same 7 boxes: the same default
    assert new.params["proposal_params"] == {"threshold": threshold}
    assert new.params[THRESHOLD_FROM] == {"run": first.run_id, "images": unseen, "calibrated": calibrated}
    assert detector_threshold(new, []) == threshold and new.parent_id == first.run_id


def test_retrain_without_images_reviewed_since_carries_a_calibration_as_stored_or_keeps_the_default(boxed):
    first = train(boxed, TrainConfig(**TINY))
    second = retrain(boxed, TrainConfig(**TINY), first.run_id)  # nothing reviewed since: nothing to calibrate on
    new = _run(boxed, second.run_id)
    assert "proposal_params" not in new.params and THRESHOLD_FROM not in new.params
    assert detector_threshold(new, []) == default_detector_threshold(7)  # by the 7 boxes it trained on
    update_run_params(boxed, second.run_id, {"proposal_params": {"threshold": 0.45}})  # Calibrate, clicked
    third = retrain(boxed, TrainConfig(**TINY), second.run_id)
    new = _run(boxed, third.run_id)
    assert detector_threshold(new, []) == 0.45
    assert new.params[THRESHOLD_FROM] == {"run": second.run_id, "images": 0, "calibrated": 0.45}


def test_calibrating_by_hand_uses_the_reviewed_images_the_detector_did_not_train_on_once_there_are_enough(boxed):
    first = train(boxed, TrainConfig(**TINY))
    few = calibrate(boxed, first.run_id, folds=2)  # only val and test images are unseen: too few
    assert not few.unseen and few.images == 8  # every reviewed image, the trained ones too
    _review_again(boxed, ["red_0", "red_1", "green_0"])
    enough = calibrate(boxed, first.run_id, folds=2)
    assert enough.unseen and enough.images == 5 and enough.as_json()["unseen"]  # test split and the three


def update_run_params(db: Path, run_id: int, extra: dict) -> None:
    with Store.open(db) as store:
        update_run(store, run_id, params={**get_run(store, run_id).params, **extra})


def _trained_on(boxes: int) -> Run:
    return Run(1, "detect", {"counts": {"a": boxes}}, {}, None, "finished", None, 0.0, None)


def test_a_carried_threshold_moves_as_the_default_does_with_the_boxes_trained_on():
    assert default_detector_threshold(24) == 0.15 and default_detector_threshold(120) == 0.25
    assert carried(0.2, _trained_on(24), _trained_on(120)) == 0.3  # calibrated 0.05 above the default: still
    assert carried(0.2, _trained_on(120), _trained_on(24)) == 0.1
    assert carried(0.9, _trained_on(24), _trained_on(1000)) == 0.9 == max(THRESHOLDS)  # one of the thresholds
    assert carried(0.05, _trained_on(300), _trained_on(10)) == 0.05 == min(THRESHOLDS)
    assert carried(0.35, _trained_on(40), _trained_on(42)) == 0.35  # the same default


def test_a_previous_run_that_cannot_be_calibrated_leaves_the_new_run_standing(boxed):
    first = train(boxed, TrainConfig(**TINY))
    update_run_params(boxed, first.run_id, {"classes": "red"})  # a received project's odd record
    _review_again(boxed, ["red_0", "red_1", "green_0", "blue_0"])
    lines: list[str] = []
    second = retrain(boxed, TrainConfig(**TINY), first.run_id, JobToken(on_status=lines.append))
    new = _run(boxed, second.run_id)
    assert second.status == "finished" and THRESHOLD_FROM not in new.params
    assert any(line.startswith(f"score threshold not calibrated: run {first.run_id}") for line in lines)
