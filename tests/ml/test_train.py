"""Training with a real tiny Keras model on the demo project's real images."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np
import pytest
from helpers import CancelAtFirstBatch

from labelstudio_desktop.core.store.runs import get_run, snapshots
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.augment import AugmentConfig
from labelstudio_desktop.ml.data import DataError
from labelstudio_desktop.ml.evaluate import evaluate, export_misses
from labelstudio_desktop.ml.models import WeightsError, build_classifier, last_conv_layer
from labelstudio_desktop.ml.train import TrainConfig, TrainError, load_model, strategy_from_name, train

TINY = {"size": 32, "batch": 16, "backbone": "small"}  # pretrained defaults: test_pretrained.py


def test_classifier_trains_saves_and_resumes_the_epoch_count(demo_db):
    first = train(demo_db, TrainConfig(task="classify", epochs=2, **TINY))
    assert first.status == "finished" and first.epochs == 2
    model = load_model(first.model_path)
    iterations = int(keras.ops.convert_to_numpy(load_model(first.model_path.replace("best", "last"))
                                                .optimizer.iterations))
    second = train(demo_db, TrainConfig(task="classify", epochs=2), resume=first.run_id)
    assert second.run_id == first.run_id and second.epochs == 4
    assert len(second.history["val_loss"]) == 4
    last = load_model(second.model_path.replace("best", "last"))
    assert int(keras.ops.convert_to_numpy(last.optimizer.iterations)) == 2 * iterations  # optimizer state kept
    with Store.open(demo_db) as store:
        run = get_run(store, first.run_id)
        assert run.epochs == 4 and run.status == "finished" and run.params["classes"] == sorted(run.params["counts"])
    assert model.output_shape == (None, 4)


@pytest.mark.parametrize("task", ["regress", "segment"])
def test_regressor_and_unet_train_and_evaluate(demo_with_masks, task):
    result = train(demo_with_masks, TrainConfig(task=task, epochs=1, snapshot_every=1, snapshot_images=2,
                                                augment=AugmentConfig.from_names("all"), **TINY))
    assert result.status == "finished" and result.model_path
    with Store.open(demo_with_masks) as store:
        strips = snapshots(store, result.run_id)
        assert len(strips) == 2 and all(s[0][0] == 1 for s in strips.values())
    evaluation = evaluate(demo_with_masks, result.run_id)
    keys = {"regress": {"mae", "rmse"}, "segment": {"iou", "dice"}}[task]
    assert keys <= set(evaluation.metrics)
    if task == "segment":
        ious = [w["iou"] for w in evaluation.worst]
        assert ious == sorted(ious)


def test_cancel_stops_within_one_batch(demo_db):
    token = CancelAtFirstBatch()
    result = train(demo_db, TrainConfig(task="classify", epochs=5, **TINY), token)
    assert result.status == "cancelled" and token.batches == 1 and result.epochs == 0


def test_nan_loss_stops_with_a_plain_message_and_damages_nothing(demo_db):
    result = train(demo_db, TrainConfig(task="regress", epochs=3, learning_rate=1e12, **TINY))
    assert result.status == "failed" and "NaN" in result.message
    if result.model_path:  # whatever was saved before is a finite, loadable model
        assert load_model(result.model_path)


def test_missing_checkpoint_and_empty_class_are_plain_errors(demo_db):
    first = train(demo_db, TrainConfig(task="classify", epochs=1, **TINY))
    Path(first.model_path.replace("best", "last")).unlink()
    with pytest.raises(TrainError, match="missing"):
        train(demo_db, TrainConfig(task="classify", epochs=1), resume=first.run_id)
    with Store.open(demo_db) as store:
        for image in store.images():
            if image.label == "washer" and image.split == "train":
                store.update_image_fields(image.id, {"split": "test"})
    with pytest.raises(DataError, match="washer"):
        train(demo_db, TrainConfig(task="classify", epochs=1, **TINY))


def test_imagenet_download_without_network_says_what_to_do(offline):
    with pytest.raises(WeightsError, match="--weights FILE"):  # vgg16's weights do not ship: Keras downloads them
        build_classifier(32, 3, "vgg16", "imagenet")


def test_transfer_classifier_is_flat_so_gradcam_reaches_the_last_conv():
    import tensorflow as tf

    model = build_classifier(32, 3, "mobilenetv2", "none", trainable_layers=4)
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)  # no nested base model
    conv = model.get_layer(last_conv_layer(model))
    grad_model = keras.Model(model.inputs, [conv.output, model.output])  # "Graph disconnected" would raise
    x = tf.random.uniform((1, 32, 32, 3), 0, 255)
    with tf.GradientTape() as tape:
        features, preds = grad_model(x)
        score = preds[:, 0]
    assert tape.gradient(score, features) is not None
    trainable = [layer for layer in model.layers if layer.trainable and layer.weights]
    assert 0 < len(trainable) < len([layer for layer in model.layers if layer.weights])


def test_weights_file_and_bad_weights(tmp_path):
    with pytest.raises(WeightsError, match="not found"):
        build_classifier(32, 3, "mobilenetv2", str(tmp_path / "nope.h5"))


def test_one_device_mirrored_strategy(demo_db):
    strategy = strategy_from_name("mirrored")
    result = train(demo_db, TrainConfig(task="regress", epochs=1, **TINY), strategy=strategy)
    assert result.status == "finished"
    with pytest.raises(TrainError, match="TF_CONFIG"):
        strategy_from_name("multiworker")


def test_evaluation_is_consistent_and_misses_are_exported(demo_db, tmp_path):
    """Whatever a briefly trained classifier predicts: the figures agree with each other and with the test split
    (how accurate a longer training gets is a benchmark's claim, not a test's)."""
    result = train(demo_db, TrainConfig(task="classify", epochs=2, seed=1, **TINY))
    evaluation = evaluate(demo_db, result.run_id)
    with Store.open(demo_db) as store:
        tested = [i for i in store.images(include_excluded=False, include_missing=False)
                  if i.split == "test" and i.label]
    confusion = np.asarray(evaluation.confusion)
    assert confusion.sum() == len(tested)
    assert evaluation.metrics["accuracy"] == pytest.approx(np.trace(confusion) / confusion.sum())
    assert len(evaluation.misclassified) == confusion.sum() - np.trace(confusion)
    written = export_misses(demo_db, evaluation, tmp_path / "miss")
    assert len(written) == len(evaluation.misclassified)
    for path, miss in zip(written, evaluation.misclassified, strict=True):
        assert path.name.startswith(f"{miss['true']}_to_{miss['pred']}_") and path.is_file()


@pytest.mark.parametrize("head, pooling", [("max", "GlobalMaxPooling2D"), ("avg", "GlobalAveragePooling2D")])
def test_small_classifier_heads(head, pooling):
    model = build_classifier(32, 3, "small", "none", head=head)
    assert pooling in {layer.__class__.__name__ for layer in model.layers}
    assert last_conv_layer(model) == "last_conv"
    with pytest.raises(ValueError, match="unknown head"):
        build_classifier(32, 3, "small", "none", head="min")


def test_min_steps_adds_epochs_when_there_are_few_images(demo_db):
    result = train(demo_db, TrainConfig(task="regress", size=32, epochs=1, batch=1000, min_steps=3, backbone="small"))
    assert result.epochs == 1  # one batch a pass: one epoch of three passes makes the three steps
    assert len(result.history["loss"]) == 1
    resumed = train(demo_db, TrainConfig(task="regress", epochs=1, min_steps=3), resume=result.run_id)
    assert resumed.epochs == 2  # a resumed run trains what it is asked for


def test_a_killed_run_is_marked_interrupted_and_resumes_from_its_last_epoch(demo_db):
    """kill -9 during training: every finished epoch is in the store (history, best model), the run is marked
    interrupted on the next open, and --resume continues from the last finished epoch; best.keras is replaced
    only by a better model."""
    import hashlib
    import os
    import signal
    import subprocess
    import sys
    import time

    from labelstudio_desktop.core.store.runs import list_runs, recover_interrupted

    child = subprocess.Popen([sys.executable, "-m", "labelstudio_desktop", "train", str(demo_db.parent.parent),
                              "--task", "classify", "--size", "32", "--batch", "16", "--epochs", "500", "--weights",
                              "none"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        epochs = 0
        while epochs < 3 and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.2)
            with Store.open(demo_db) as store:
                runs = list_runs(store)
                epochs = runs[-1].epochs if runs else 0
        assert epochs >= 3, "the child never finished three epochs"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    with Store.open(demo_db) as store:
        (run,) = list_runs(store)
        assert run.status == "running"  # as the crash left it
        assert recover_interrupted(store) == [run.id]
        run = get_run(store, run.id)
    killed_at = run.epochs
    assert run.status == "interrupted" and f"resume {run.id}" in run.message and killed_at >= 3
    assert len(run.history["val_loss"]) == killed_at and Path(run.model_path).name == "best.keras"
    best_before = min(run.history["val_loss"])
    digest = hashlib.sha256(Path(run.model_path).read_bytes()).hexdigest()
    resumed = train(demo_db, TrainConfig(task="classify", epochs=2), resume=run.id)
    assert resumed.status == "finished" and resumed.epochs == killed_at + 2
    assert resumed.history["val_loss"][:killed_at] == run.history["val_loss"]
    improved = min(resumed.history["val_loss"][killed_at:]) < best_before
    assert (hashlib.sha256(Path(resumed.model_path).read_bytes()).hexdigest() != digest) == improved


def test_a_run_of_a_live_process_is_not_marked_interrupted(demo_db):
    from labelstudio_desktop.core.store.runs import create_run, owner_params, recover_interrupted

    with Store.open(demo_db) as store:
        mine = create_run(store, "classify", {"size": 32, **owner_params()})  # this test's own process
        gone = create_run(store, "classify", {"size": 32, "_pid": 2 ** 22 + 12345, "_host": owner_params()["_host"]})
        assert recover_interrupted(store) == [gone]
        assert get_run(store, mine).status == "running" and get_run(store, gone).status == "interrupted"


def test_a_full_disk_while_saving_a_checkpoint_fails_the_run_plainly_and_leaves_no_temporary_file(demo, tmp_path):
    """A real small tmpfs holds the database and the models; it is nearly full when training starts."""
    import shutil
    import subprocess

    from labelstudio_desktop.core.transfer.importer import import_folder

    disk = tmp_path / "tmpfs"
    disk.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], capture_output=True,
                             text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        db = disk / "project.db"
        with Store.create(demo / "images", db) as store:
            import_folder(store)
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - 400_000))  # room for the database, not for a model
        result = train(db, TrainConfig(task="classify", epochs=2, **TINY))
        assert result.status == "failed" and "cannot save the checkpoint" in result.message
        assert "resume" in result.message and result.model_path is None
        assert not list(disk.rglob("*.tmp.keras"))
        with Store.open(db) as store:
            run = get_run(store, result.run_id)
            assert run.status == "failed" and "cannot save the checkpoint" in run.message
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_misses_named_after_hostile_labels_stay_inside_the_folder(demo_db, tmp_path):
    from labelstudio_desktop.ml.evaluate import Evaluation

    with Store.open(demo_db) as store:
        path = store.images()[0].path
    evaluation = Evaluation(1, "classify", "test", misclassified=[
        {"path": path, "true": "../../../x", "pred": "a/b", "confidence": 0.9},
        {"path": path, "true": "../../../x", "pred": "a/b", "confidence": 0.9}])
    out = tmp_path / "deep" / "miss"
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    written = export_misses(demo_db, evaluation, out)
    assert len(written) == 2 and all(p.parent == out and p.is_file() for p in written)
    assert {p for p in tmp_path.rglob("*") if p.is_file()} - before == set(written)  # nothing written elsewhere
