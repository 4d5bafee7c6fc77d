"""The ImageNet MobileNetV2 shipped with the app: the file, a real forward pass, and fine-tuning every task on the
demo's real images with the pretrained default (offline), its BatchNorm statistics left as shipped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import keras
import numpy as np
import pytest

from labelstudio_desktop.core.images import load_rgb
from labelstudio_desktop.core.store.runs import get_run
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.ml.backbones import (
    SHIPPED,
    BackboneAdam,
    WeightsError,
    file_sha256,
    shipped_weights,
    slow_layers,
    weights_dir,
)
from labelstudio_desktop.ml.data import resize_square
from labelstudio_desktop.ml.models import build_classifier, transfer_base
from labelstudio_desktop.ml.propose import propose
from labelstudio_desktop.ml.refine import FILE_NAME as REFINER_FILE
from labelstudio_desktop.ml.refine import Refiner
from labelstudio_desktop.ml.train import TrainConfig, load_model, train

MOBILENET = SHIPPED["mobilenetv2"]


def _real_images(demo: Path, size: int, count: int = 2) -> np.ndarray:
    """``count`` demo photos of different classes, 0-255, square."""
    truth = json.loads((demo / "ground_truth" / "truth.json").read_text())
    picked, classes = [], set()
    for rel, info in sorted(truth["images"].items()):
        if info["class"] not in classes and (demo / "images" / rel).is_file():
            classes.add(info["class"])
            picked.append(resize_square(load_rgb(demo / "images" / rel), size))
        if len(picked) == count:
            break
    return np.stack(picked).astype(np.float32)


def test_the_shipped_file_is_the_published_one():
    path = weights_dir() / MOBILENET.file
    assert file_sha256(path) == MOBILENET.sha256 == "6714965a05ee6d8568343664bb9cda7456c6eb1fa190a6f5eb39bf087068b100"
    assert shipped_weights() == path
    notes = {p.name for p in weights_dir().iterdir()}
    assert {"README.md", "LICENSE-mobilenet_v2_keras.txt"} <= notes  # the licence notes travel with the file


def test_a_damaged_or_missing_copy_is_a_plain_error_naming_the_file(tmp_path):
    damaged = tmp_path / MOBILENET.file
    shutil.copy(weights_dir() / MOBILENET.file, damaged)
    with open(damaged, "r+b") as f:
        f.seek(5_000_000)
        byte = f.read(1)
        f.seek(5_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(WeightsError, match=f"{damaged}: the file is damaged .*--weights none"):
        shipped_weights(folder=tmp_path)
    damaged.unlink()
    with pytest.raises(WeightsError, match="missing"):
        shipped_weights(folder=tmp_path)


def test_a_real_forward_pass_offline(demo, offline):
    """The shipped weights load into the app's flat base exactly as Keras' own loader puts them (same features as
    ``keras.applications.MobileNetV2(weights=FILE)`` + ``preprocess_input``), with no network, and give finite,
    image-dependent features unlike random weights."""
    images = _real_images(demo, 96)
    inputs = keras.Input((96, 96, 3))
    base = transfer_base(inputs, "mobilenetv2", "imagenet")
    ours = keras.Model(inputs, base.output).predict(images, verbose=0)
    assert ours.shape == (2, 3, 3, 1280)  # stride 32, 1280 channels
    assert np.isfinite(ours).all() and ours.max() > 0
    assert not np.allclose(ours[0], ours[1])  # two different photos, two different descriptions
    reference = keras.applications.MobileNetV2(input_shape=(96, 96, 3), include_top=False,
                                               weights=str(weights_dir() / MOBILENET.file))
    expected = reference.predict(keras.applications.mobilenet_v2.preprocess_input(images.copy()), verbose=0)
    np.testing.assert_allclose(ours, expected, rtol=1e-3, atol=2e-3)  # x / 127.5 - 1 vs (x - 127.5) / 127.5: rounding
    random_inputs = keras.Input((96, 96, 3))
    random_base = transfer_base(random_inputs, "mobilenetv2", "none")
    assert not np.allclose(keras.Model(random_inputs, random_base.output).predict(images, verbose=0), ours)
    assert all(not layer.trainable for layer in base.layers if layer.weights)  # the default: frozen


def _boxes_from_truth(demo: Path, db: Path) -> None:
    """The demo's true boxes as accepted boxes (as an operator would have reviewed them)."""
    truth = json.loads((demo / "ground_truth" / "truth.json").read_text())
    with Store.open(db) as store:
        for rel, info in truth["images"].items():
            image = store.image_by_path(rel)
            if image is None:
                continue
            for x0, y0, x1, y1, label in info["boxes"]:
                store.insert_box(BoxRecord(0, image.id, label, int(x0), int(y0), int(x1), int(y1)))


@pytest.mark.parametrize("task", ["classify", "regress", "segment", "detect"])
def test_fine_tuning_each_task_from_the_pretrained_default_keeps_batchnorm_as_shipped(demo, demo_with_masks,
                                                                                       task, offline):
    if task == "detect":
        _boxes_from_truth(demo, demo_with_masks)
    config = TrainConfig(task=task, size=32, epochs=1, batch=16)  # the defaults: mobilenetv2, imagenet, frozen
    assert (config.backbone, config.weights, config.trainable_layers) == ("mobilenetv2", "imagenet", 0)
    result = train(demo_with_masks, config)
    assert result.status == "finished" and result.epochs == 1
    model = load_model(Path(result.model_path).with_name("last.keras"))
    inputs = keras.Input((32, 32, 3))
    shipped = transfer_base(inputs, "mobilenetv2", "imagenet")
    compared = 0
    for reference in shipped.layers:
        if reference.weights:  # every base layer, BatchNorm moving statistics included, is as shipped
            for got, want in zip(model.get_layer(reference.name).get_weights(), reference.get_weights(), strict=True):
                np.testing.assert_array_equal(got, want)
            compared += 1
    assert compared > 100
    batchnorm = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
                 and layer.name in {r.name for r in shipped.layers}]
    assert batchnorm and not any(layer.trainable for layer in batchnorm)  # inference mode in training
    with Store.open(demo_with_masks) as store:
        params = get_run(store, result.run_id).params
    assert (params["backbone"], params["weights"]) == ("mobilenetv2", "imagenet")
    if task == "detect":  # the proposals' second look is fitted beside the model, and the proposals take it
        assert Refiner.load(Path(result.model_path).with_name(REFINER_FILE)).boxes > 0
        report = propose(demo_with_masks, run_id=result.run_id, source="detector", threshold=0.0, max_boxes=2,
                         limit=3)
        assert report.run_id == result.run_id and report.proposals
        with Store.open(demo_with_masks) as store:
            for box in store.boxes(states=("pending",)):
                image = store.image(box.image_id)
                assert 0 <= box.x0 < box.x1 <= image.width and 0 <= box.y0 < box.y1 <= image.height


def test_unfrozen_pretrained_layers_learn_at_a_tenth_of_the_rate_and_keep_batchnorm_frozen(tmp_path):
    model = build_classifier(32, 3, trainable_layers=6)
    slow = slow_layers(model, "mobilenetv2", "imagenet")
    assert "Conv_1" in slow and "predictions" not in slow and "Conv_1_bn" not in slow
    assert not model.get_layer("Conv_1_bn").trainable  # unfrozen stage, BatchNorm still in inference mode
    model.compile(BackboneAdam(1e-3, slow_layers=slow), "sparse_categorical_crossentropy")
    x = np.random.default_rng(0).uniform(0, 255, (8, 32, 32, 3)).astype(np.float32)
    y = np.arange(8) % 3
    before = {name: model.get_layer(name).get_weights() for name in ("Conv_1", "predictions", "Conv_1_bn")}
    model.train_on_batch(x, y)
    # Adam's first step moves every weight by about its learning rate (sign of the gradient)
    conv = np.abs(model.get_layer("Conv_1").get_weights()[0] - before["Conv_1"][0]).max()
    head = np.abs(model.get_layer("predictions").get_weights()[0] - before["predictions"][0]).max()
    assert conv == pytest.approx(1e-4, rel=0.05) and head == pytest.approx(1e-3, rel=0.05)
    for got, want in zip(model.get_layer("Conv_1_bn").get_weights(), before["Conv_1_bn"], strict=True):
        np.testing.assert_array_equal(got, want)
    model.save(tmp_path / "m.keras")  # a checkpoint keeps the two rates for a resume
    loaded = keras.models.load_model(tmp_path / "m.keras", safe_mode=True)
    assert isinstance(loaded.optimizer, BackboneAdam) and loaded.optimizer.slow_layers == tuple(slow)


def test_gradcam_and_propose_run_on_a_pretrained_classifier(demo_db, offline):
    from labelstudio_desktop.ml.gradcam import GradCam
    from labelstudio_desktop.ml.propose import propose

    result = train(demo_db, TrainConfig(task="classify", size=64, epochs=1, batch=16))
    model = load_model(result.model_path)
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)  # flat: no "Graph disconnected"
    cam = GradCam(model)
    assert cam.layer == "out_relu" and cam.head_model is not None
    heat, probabilities = cam(np.random.default_rng(1).uniform(0, 255, (3, 64, 64, 3)).astype(np.float32))
    assert heat.shape == (3, 2, 2) and np.isfinite(heat).all() and heat.min() >= 0 and heat.max() <= 1
    assert np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    report = propose(demo_db, result.run_id, limit=4)
    assert report.images == 4 and report.source == "gradcam"
    answered = {p.image for p in report.proposals} | {image for image, _why in report.without_box}
    assert len(answered) == 4  # every image gets a box or a plain reason, whatever the model learnt
