"""The epochs a run will do (the task's minimum of batches can raise them) and what it trains on (issue 19)."""

from __future__ import annotations

import pytest
from helpers import write_image

from labelstudio_desktop.core.editing.training_needs import TrainCounts, train_counts
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.ml.config import MIN_EPOCH_BATCHES, TASK_DEFAULTS, EpochPlan, epoch_plan


def test_few_images_raise_the_epochs_to_the_minimum_of_batches_in_epochs_of_several_passes():
    """20 images make 2 batches a pass: 600 epochs of one pass would end 300 times in a validation and a checkpoint
    (a 20-image retrain took 11 minutes); epochs of 10 passes (20 batches) end 30 times."""
    plan = epoch_plan(40, 16, 20, TASK_DEFAULTS["detect"]["min_steps"])
    assert (plan.asked, plan.epochs, plan.steps, plan.passes, plan.batches) == (40, 30, 20, 10, 600)
    assert plan.raised and plan.steps >= MIN_EPOCH_BATCHES
    plan = epoch_plan(40, 16, 3, 600)  # one batch a pass
    assert (plan.epochs, plan.steps, plan.passes, plan.batches, plan.raised) == (30, 20, 20, 600, True)
    plan = epoch_plan(40, 16, 100, 600)  # 7 batches a pass: 3 passes, 29 epochs of 21 batches
    assert (plan.epochs, plan.steps, plan.passes, plan.raised) == (29, 21, 3, True) and plan.batches >= 600


def test_enough_images_keep_the_epochs_asked():
    plan = epoch_plan(40, 16, 16 * 20, 600)  # 20 batches per epoch: 40 epochs are 800 batches
    assert (plan.epochs, plan.steps, plan.passes, plan.raised) == (40, 20, 1, False)
    assert epoch_plan(3, 16, 5).epochs == 3 and epoch_plan(3, 16, 5).steps == 1  # no minimum: as asked
    assert epoch_plan(3, 16, 0, 10).steps == 1  # no image yet: one (empty) batch, never a division by zero
    assert epoch_plan(3, 16, 0, 10).passes == 1  # and never an endless pass over nothing


def test_the_plan_travels_as_a_dict():
    plan = epoch_plan(30, 16, 40, 400)  # 3 batches a pass: 7 passes, 20 epochs of 21 batches
    assert EpochPlan.from_dict(plan.as_dict()) == plan and (plan.epochs, plan.passes) == (20, 7)
    assert plan.as_dict()["raised"] is True
    old = {"asked": 40, "epochs": 300, "steps": 2, "min_steps": 600}  # what an earlier version reported
    assert EpochPlan.from_dict(old).passes == 1 and EpochPlan.from_dict(old).raised


def test_the_command_line_says_what_was_asked_and_what_runs():
    """``train`` on 20 images: 40 epochs asked were 40 batches; the run does 30 epochs of 20 (600 batches), fewer
    epochs than asked but each of 10 passes: the line says both, so "raised" reads true."""
    import io

    from labelstudio_desktop.core.jobs import ConsoleJob

    stream = io.StringIO()
    ConsoleJob(stream=stream).report({"plan": epoch_plan(40, 16, 20, 600).as_dict()})
    assert stream.getvalue() == ("30 epochs of 20 batches (10 passes over the training images each) (40 epochs "
                                 "asked, 80 batches: raised to at least 600 batches, since few images make short "
                                 "epochs)\n")
    stream = io.StringIO()
    ConsoleJob(stream=stream).report({"plan": epoch_plan(40, 16, 16 * 20, 600).as_dict()})
    assert stream.getvalue() == "40 epochs of 20 batches\n"


@pytest.fixture
def store(tmp_path):
    for n in range(10):
        write_image(tmp_path / f"{n}.jpg", seed=n)
    s = Store.create(tmp_path)
    import_folder(s)
    yield s
    s.close()


def test_train_counts_follow_the_split_and_the_labels(store):
    ids = [img.id for img in store.images()]
    assert train_counts(store, "classify") == TrainCounts({}, 0, False)
    for n, image_id in enumerate(ids):
        store.update_image_fields(image_id, {"label": "cat" if n < 6 else "dog"})
    counts = train_counts(store, "classify")  # no split yet: every image counts, 8 of 10 will train
    assert (counts.per_class, counts.images, counts.split) == ({"cat": 6, "dog": 4}, 8, False)
    for n, image_id in enumerate(ids):
        store.update_image_fields(image_id, {"split": "train" if n % 2 else "test"})
    counts = train_counts(store, "classify")
    assert (counts.per_class, counts.images, counts.split) == ({"cat": 3, "dog": 2}, 5, True)
    store.update_image_fields(ids[1], {"excluded": True})
    assert train_counts(store, "classify").per_class == {"cat": 2, "dog": 2}


def test_train_counts_of_the_detector_count_accepted_boxes_of_reviewed_train_images(store):
    ids = [img.id for img in store.images()]
    for n, image_id in enumerate(ids):
        store.update_image_fields(image_id, {"split": "train" if n < 8 else "val"})
    store.insert_box(BoxRecord(0, ids[0], "bolt", 1, 1, 5, 5))
    store.insert_box(BoxRecord(0, ids[0], "bolt", 6, 6, 9, 9))
    store.insert_box(BoxRecord(0, ids[1], "nut", 1, 1, 5, 5, source="proposal", state="pending"))
    store.insert_box(BoxRecord(0, ids[9], "nut", 1, 1, 5, 5))  # a val image
    counts = train_counts(store, "detect")
    assert (counts.per_class, counts.images) == ({"bolt": 2}, 1)
    store.update_image_fields(ids[2], {"status": "verified"})  # reviewed without boxes: a negative image
    assert train_counts(store, "detect").images == 2
