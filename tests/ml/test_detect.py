"""The box detector: target encoding and decoding on crafted data, the reviewed-image rule on a real project, and
real tiny training runs (contracts only: what a briefly trained model finds is a benchmark's business)."""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from fixed_model import IMAGE_SIZE, SQUARES
from fixed_model import box_record as _box
from helpers import CancelAtFirstBatch

from labelstudio_desktop.core.store.runs import get_run, snapshots, update_run
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.config import AugmentConfig, TrainConfig
from labelstudio_desktop.ml.data import DataError, augment_detection, collect, detection_affine, move_boxes
from labelstudio_desktop.ml.detector import (
    ImageBoxes,
    build_detector,
    decode,
    detect,
    encode,
    encode_batch,
    nms,
    output_stride,
    refine,
    targets_as_outputs,
    unflip,
)
from labelstudio_desktop.ml.evaluate import evaluate
from labelstudio_desktop.ml.metrics import average_precision, match_boxes
from labelstudio_desktop.ml.models import WeightsError
from labelstudio_desktop.ml.train import load_model, train

TINY = {"size": 32, "batch": 4, "backbone": "small"}  # the pretrained default: test_pretrained.py
W, H = IMAGE_SIZE


def _boxes(rows, labels) -> ImageBoxes:
    return ImageBoxes(np.asarray(rows, np.float32).reshape(-1, 4), np.asarray(labels, np.int64))


def _sorted(detections):
    return sorted((tuple(round(v, 5) for v in box), cls) for box, cls, _score in detections)


# ---------------------------------------------------------------- encoding and decoding (no training)
ROWS = [(0.10, 0.12, 0.40, 0.50), (0.50, 0.50, 0.90, 0.95), (0.45, 0.05, 0.52, 0.13),  # a small one
        (0.55, 0.55, 0.80, 0.85),  # overlaps the second, other class
        (0.00, 0.70, 0.20, 1.00)]  # on the border
LABELS = [0, 1, 0, 2, 2]


@pytest.mark.parametrize(("stride", "size"), [(4, 64), (8, 128), (16, 256)])
def test_encode_decode_round_trip_is_exact_at_every_stride(stride, size):
    target = encode(_boxes(ROWS, LABELS), 3, size, stride)
    assert target.shape == (size // stride, size // stride, 3 * 2 + 5)
    found = decode(targets_as_outputs(target, 3)[None], score_threshold=0.5)[0]
    assert len(found) == len(ROWS) and all(score == 1.0 for _b, _c, score in found)
    expected = sorted((tuple(r), c) for r, c in zip(ROWS, LABELS, strict=True))
    for (box, cls), (want, want_cls) in zip(_sorted(found), expected, strict=True):
        assert cls == want_cls
        np.testing.assert_allclose(box, want, atol=1e-5)
    weights = target[..., 3 + 4]
    assert weights.sum() == pytest.approx(len(ROWS), rel=1e-5)  # one unit of regression weight per object
    assert np.all(target[..., 3 + 5:] == 1.0)  # no review: plain background everywhere
    assert encode_batch([_boxes(ROWS, LABELS)] * 2, 3, size, stride).shape == (2, *target.shape)


def test_outputs_of_a_mirror_image_map_back_onto_the_image():
    """Test-time flip: the encoded boxes of the mirrored boxes, unflipped, decode to the original boxes."""
    rows = [(0.10, 0.12, 0.40, 0.50), (0.55, 0.55, 0.81, 0.85), (0.00, 0.70, 0.20, 1.00)]
    mirrored = [(1 - x1, y0, 1 - x0, y1) for x0, y0, x1, y1 in rows]
    target = encode(_boxes(mirrored, [0, 1, 1]), 2, 64)
    found = decode(unflip(targets_as_outputs(target, 2)[None]), score_threshold=0.5)[0]
    for (box, cls), (want, want_cls) in zip(_sorted(found), sorted(zip(rows, [0, 1, 1], strict=True)), strict=True):
        assert cls == want_cls
        np.testing.assert_allclose(box, want, atol=1e-5)


def _visible_box(image: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(image[..., 0] > 200)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]) / image.shape[0]


@pytest.mark.parametrize("cfg", [AugmentConfig(hflip=True, vflip=True, shift=0.1, zoom=0.1),
                                 AugmentConfig(hflip=True, scale=0.5), AugmentConfig(scale=1.0, shift=0.1)],
                         ids=["flips-shift-zoom", "flip-scale", "strong-scale"])
def test_geometric_augmentation_moves_image_and_boxes_together(cfg):
    size = 64
    image = np.zeros((size, size, 3), np.uint8)
    image[8:24, 12:40] = 255  # rows y 8..24, columns x 12..40
    boxes = _boxes([(12 / size, 8 / size, 40 / size, 24 / size)], [0])
    for seed in range(16):
        out, moved = augment_detection(image, boxes, cfg, np.random.default_rng(seed))
        if len(moved.boxes) == 0:  # cut mostly out of the frame: an ignored region, never background
            assert len(moved.ignore) == 1 and moved.ignore_labels.tolist() == [0]
            continue
        assert len(moved.boxes) == 1 and len(moved.ignore) == 0
        if np.array_equal(moved.boxes[0], np.clip(moved.boxes[0], 1 / size, 1 - 1 / size)):  # inside the frame
            np.testing.assert_allclose(moved.boxes[0], _visible_box(out), atol=1.5 / size)  # it still hugs the square
        found = decode(targets_as_outputs(encode(moved, 1, size, 4), 1)[None], 0.5)[0]
        np.testing.assert_allclose(found[0][0], moved.boxes[0], atol=1e-5)


def test_random_scale_and_crop_draws_both_ways_and_keeps_the_frame_covered():
    """Enlarged: the crop stays inside the enlarged image (no grey border); reduced: the image stays inside the
    frame (all of it is seen)."""
    cfg = AugmentConfig(scale=0.5)
    factors = []
    for seed in range(200):
        a, b = detection_affine(cfg, np.random.default_rng(seed))
        assert a[0] == a[1] and 1 / 1.5 - 1e-9 <= a[0] <= 1.5 + 1e-9
        lo, hi = b, a + b  # where the image's edges 0 and 1 land
        if a[0] >= 1:
            assert np.all(lo <= 1e-9) and np.all(hi >= 1 - 1e-9)
        else:
            assert np.all(lo >= -1e-9) and np.all(hi <= 1 + 1e-9)
        factors.append(a[0])
    assert min(factors) < 0.8 and max(factors) > 1.3


def test_a_box_cut_by_the_frame_is_kept_ignored_or_dropped_by_what_is_left():
    items = ImageBoxes(np.float32([[0.0, 0.0, 0.4, 0.4], [0.7, 0.7, 0.95, 0.95]]), np.int64([0, 1]),
                       np.float32([[0.8, 0.1, 0.95, 0.3]]), np.int64([0]), np.float32([[0.1, 0.8, 0.2, 0.9]]),
                       np.int64([1]))
    moved = move_boxes(items, np.array([2.0, 2.0]), np.array([-0.5, -0.5]))  # enlarged twice about the centre
    assert moved.labels.tolist() == [] and moved.hard_labels.tolist() == []  # both mostly out of the frame
    np.testing.assert_allclose(moved.ignore, [[0.0, 0.0, 0.3, 0.3], [0.9, 0.9, 1.0, 1.0]], atol=1e-6)
    assert moved.ignore_labels.tolist() == [0, 1]  # the objects' remains: no loss either way; the old ignore left
    kept = move_boxes(items, np.array([1.0, 1.0]), np.array([0.1, 0.0]))
    np.testing.assert_allclose(kept.boxes, [[0.1, 0.0, 0.5, 0.4], [0.8, 0.7, 1.0, 0.95]], atol=1e-6)
    assert kept.labels.tolist() == [0, 1] and len(kept.hard) == 1 and len(kept.ignore) == 1


def test_refinement_averages_the_neighbours_that_agree_with_the_peak():
    """The peak's own box is off; its neighbours regress the true one: the refined box moves towards theirs by
    their weights. A neighbour regressing another object is left out."""
    grid, classes = 8, 1
    out = np.zeros((grid, grid, classes + 4))
    out[..., classes + 2:] = np.log(2.0)  # 2 x 2 cells everywhere
    out[3, 3, 0], out[3, 4, 0], out[2, 3, 0] = 0.9, 0.5, 0.3
    out[3, 4, classes] = -1.0  # the right neighbour: the same box as the peak (centre one cell to the left)
    out[3, 3, classes] = 0.2  # the peak's own box, a fifth of a cell to the right
    out[2, 3, classes + 1] = 1.0  # the upper neighbour regresses the same box as the peak's...
    out[2, 3, classes] = 0.0
    peak = decode(out[None], score_threshold=0.8, refine_iou=2.0)[0][0][0]  # refinement off: the peak's own box
    np.testing.assert_allclose(peak, np.array([2.7, 2.5, 4.7, 4.5]) / grid, atol=1e-9)
    refined = refine(out, np.array([3]), np.array([3]), np.array([0]))[0]
    want = (0.9 * np.array([2.7, 2.5, 4.7, 4.5]) + 0.5 * np.array([2.5, 2.5, 4.5, 4.5]) +
            0.3 * np.array([2.5, 2.5, 4.5, 4.5])) / 1.7 / grid
    np.testing.assert_allclose(refined, want, atol=1e-9)
    out[3, 4, classes] = 1.0  # now the right neighbour regresses an object a cell further right
    refined = refine(out, np.array([3]), np.array([3]), np.array([0]))[0]
    want = (0.9 * np.array([2.7, 2.5, 4.7, 4.5]) + 0.3 * np.array([2.5, 2.5, 4.5, 4.5])) / 1.2 / grid
    np.testing.assert_allclose(refined, want, atol=1e-9)
    assert decode(out[None], score_threshold=0.8)[0][0][0] == pytest.approx(tuple(refined))


def test_peak_extraction_and_nms_suppress_duplicates():
    grid, classes = 8, 2
    out = np.zeros((grid, grid, classes + 4), np.float32)
    out[..., classes + 2:] = np.log(2.0)  # every box 2 x 2 cells around its cell centre (+ offset)
    out[2, 2, 0], out[2, 3, 0] = 0.9, 0.8  # neighbours: only the local maximum is a peak
    out[5, 5, 0], out[5, 6, 1] = 0.7, 0.6  # next to each other but other classes: both kept
    out[5, 7, 0] = 0.65  # not a 3x3 neighbour of (5, 5), but its box (centre moved 1.5 cells to the left)
    out[5, 7, classes] = -1.5  # overlaps that one at IoU 0.6: NMS drops it
    out[0, 7, 1] = 0.2  # below the threshold
    found = decode(out[None], score_threshold=0.3, nms_iou=0.5)[0]
    assert [(c, round(s, 2)) for _b, c, s in found] == [(0, 0.9), (0, 0.7), (1, 0.6)]
    np.testing.assert_allclose(found[0][0], (1.5 / 8, 1.5 / 8, 3.5 / 8, 3.5 / 8), atol=1e-6)
    assert len(decode(out[None], score_threshold=0.3, nms_iou=0.7)[0]) == 4  # a looser NMS keeps it
    assert len(decode(out[None], score_threshold=0.1)[0]) == 4
    assert len(decode(out[None], score_threshold=0.3, max_boxes=2)[0]) == 2
    assert decode(np.zeros((2, grid, grid, classes + 4)))[1] == []
    assert nms(np.array([[0, 0, 1, 1], [0, 0, 1, 0.9], [2, 2, 3, 3]]), np.array([0.5, 0.9, 0.1])) == [1, 2]


def test_detection_matching_and_average_precision():
    truth = [(0, 0, 10, 10), (20, 20, 30, 30)]
    preds = [(0, 0, 10, 9), (1, 0, 10, 10), (20, 20, 30, 30), (50, 50, 60, 60)]
    hits, best = match_boxes(truth, [0, 1], preds, [0, 0, 0, 1], [0.9, 0.8, 0.7, 0.6])
    assert hits.tolist() == [True, False, False, False]  # a duplicate is false; a wrong class is false
    np.testing.assert_allclose(best, [0.9, 0.0])
    assert average_precision([0.9, 0.8], [True, False], 1) == pytest.approx(1.0)
    assert average_precision([0.9, 0.8], [False, True], 2) == pytest.approx(0.25)


# ---------------------------------------------------------------- the reviewed-image rule, on a real project
def test_only_reviewed_images_are_used_and_rejections_become_hard_negatives(squares):
    with Store.open(squares) as store:
        image = {Path(i.path).stem: i for i in store.images()}
        for img in store.images():
            store.update_image_fields(img.id, {"split": "train"})
        red0, red2 = SQUARES["red/red_0.png"][1][0], SQUARES["red/red_2.png"][1]
        store.insert_box(_box(image["red_0"].id, red0, "red"))
        store.insert_box(_box(image["red_0"].id, (60, 30, 90, 60), "red", "pending"))  # unreviewed part
        store.insert_box(_box(image["red_1"].id, SQUARES["red/red_1.png"][1][0], "red", "pending"))  # unreviewed
        store.insert_box(_box(image["red_2"].id, red2[0], "red"))
        store.insert_box(_box(image["red_2"].id, (60, 2, 92, 30), "red", "rejected"))  # a hard negative
        store.insert_box(_box(image["red_2"].id, (9, 8, 32, 32), "red", "rejected"))  # a duplicate, IoU >= 0.5
        store.update_image_fields(image["green_0"].id, {"status": "verified"})  # reviewed, no box: background
        store.insert_box(_box(image["blue_0"].id, SQUARES["blue/blue_0.png"][1][0], "blue", source="imported"))
        store.insert_box(_box(image["blue_1"].id, SQUARES["blue/blue_1.png"][1][0], "blue", "rejected"))
        data = collect(store, "detect", 32)
    items = {Path(path).stem: item for path, item in zip(_paths(squares, data.ids["train"]), data.y["train"],
                                                          strict=True)}
    assert set(items) == {"red_0", "red_2", "green_0", "blue_0"}  # never red_1, green_1, blue_1, red_empty
    assert data.classes == ["blue", "red"] and data.counts() == {"blue": 1, "red": 2}
    np.testing.assert_allclose(items["red_0"].boxes[0], np.divide(red0, (W, H, W, H)), atol=1e-6)
    assert len(items["red_2"].hard) == 2 and len(items["green_0"].boxes) == 0

    def centre(edges):
        x0, y0, x1, y1 = np.divide(edges, (W, H, W, H)) * 8
        return int((y0 + y1) / 2), int((x0 + x1) / 2)

    red = 1
    target = encode(items["red_2"], 2, 32, stride=4)  # an 8 x 8 grid
    negatives = target[..., 2 + 5:]
    assert negatives[centre((60, 2, 92, 30))][red] == pytest.approx(4.0)  # hard negative, full weight
    assert negatives[centre((60, 2, 92, 30))][0] == 1.0  # a rejected red box says nothing about blue
    duplicate = centre((9, 8, 32, 32))
    assert negatives[duplicate][red] == 1.0 and target[duplicate][red] == 1.0  # still an object
    assert encode(items["red_2"], 2, 32, 4, hard_negative_weight=2.0)[..., 2 + 5:][centre((60, 2, 92, 30))][red] == 2.0
    pending = encode(items["red_0"], 2, 32, 4)[..., 2 + 5:]
    assert pending[centre((60, 30, 90, 60))][red] == pytest.approx(0.0, abs=1e-6)  # no loss either way
    background = encode(items["green_0"], 2, 32, 4)
    assert background[..., :2].max() == 0.0 and np.all(background[..., 2 + 5:] == 1.0)


def _paths(db, ids):
    with Store.open(db) as store:
        return [store.image(i).path for i in ids]


def test_a_project_without_reviewed_boxes_is_a_plain_error(squares):
    with pytest.raises(DataError, match="accepted boxes"):
        train(squares, TrainConfig(task="detect", epochs=1, **TINY))


# ---------------------------------------------------------------- real tiny training runs
def test_detector_trains_resumes_and_is_loadable_in_safe_mode(boxed):
    first = train(boxed, TrainConfig(task="detect", epochs=2, snapshot_every=1, snapshot_images=2,
                                     augment=AugmentConfig.from_names("hflip,vflip,shift,zoom,brightness"), **TINY))
    assert first.status == "finished" and first.epochs == 2
    assert {"loss", "heatmap_loss", "box_loss"} <= set(first.history)
    assert "val_loss" not in first.history  # its 2 validation images are too few to judge epochs: they train too
    model = load_model(first.model_path)  # safe mode, custom loss known
    assert model.output_shape == (None, 4, 4, 3 + 4) and output_stride(model) == 8
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)
    with Store.open(boxed) as store:
        run = get_run(store, first.run_id)
        assert run.task == "detect" and run.params["classes"] == ["blue", "green", "red"] and run.params["size"] == 32
        assert run.params["counts"] == {"blue": 1, "green": 2, "red": 4}  # train and val
        strips = snapshots(store, first.run_id)
        assert len(strips) == 2 and {kind for strip in strips.values() for _e, kind, _d in strip} == {"boxes"}
        assert all(isinstance(json.loads(data), list) for strip in strips.values() for _e, _k, data in strip)
    second = train(boxed, TrainConfig(task="detect", epochs=1), resume=first.run_id)
    assert second.run_id == first.run_id and second.epochs == 3 and len(second.history["loss"]) == 3
    assert "val_loss" not in second.history
    pixels = np.random.default_rng(0).integers(0, 255, (3, 32, 32, 3), dtype=np.uint8)
    found = detect(load_model(second.model_path), pixels, score_threshold=0.0, max_boxes=5)
    assert len(found) == 3
    for boxes in found:  # the contract, whatever the model learnt
        assert len(boxes) <= 5 and [s for _b, _c, s in boxes] == sorted((s for _b, _c, s in boxes), reverse=True)
        for (x0, y0, x1, y1), cls, score in boxes:
            assert 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 and cls in (0, 1, 2) and 0 <= score <= 1


def test_cancel_stops_within_one_batch(boxed):
    token = CancelAtFirstBatch()
    result = train(boxed, TrainConfig(task="detect", epochs=5, size=32, batch=1, backbone="small"), token)
    assert result.status == "cancelled" and token.batches == 1 and result.epochs == 0


def test_evaluation_counts_are_consistent(boxed):
    result = train(boxed, TrainConfig(task="detect", epochs=1, **TINY))
    evaluation = evaluate(boxed, result.run_id, score_threshold=0.05)
    m = evaluation.metrics
    assert evaluation.split == "test" and m["images"] == 2
    assert m["true_boxes"] == len(SQUARES["blue/blue_1.png"][1])  # the verified empty image adds none
    assert 0 <= m["true_positives"] <= min(m["true_boxes"], m["predicted_boxes"])
    for key in ("precision", "recall", "mean_iou", "map50"):
        assert 0.0 <= m[key] <= 1.0
    if m["predicted_boxes"]:
        assert m["precision"] == pytest.approx(m["true_positives"] / m["predicted_boxes"])
    assert m["recall"] == pytest.approx(m["true_positives"] / m["true_boxes"])
    assert len(evaluation.worst) == 2
    assert sum(w["tp"] for w in evaluation.worst) == m["true_positives"]
    assert sum(w["fp"] for w in evaluation.worst) == m["predicted_boxes"] - m["true_positives"]
    errors = [w["fp"] + w["fn"] for w in evaluation.worst]
    assert errors == sorted(errors, reverse=True)
    assert Path(evaluation.plots["precision_recall"]).is_file()
    assert evaluation.as_json()["worst"] == evaluation.worst


def test_retrain_after_a_new_class_keeps_what_fits(boxed):
    first = train(boxed, TrainConfig(task="detect", epochs=1, **TINY))
    with Store.open(boxed) as store:
        img = store.image_by_path("green/green_0.png")  # a photo of a new class (one class per image: the image's
        store.update_image_fields(img.id, {"label": "yellow"})  # class is its boxes' label)
        store.insert_box(_box(img.id, (2, 2, 20, 20), "yellow"))
    second = train(boxed, TrainConfig(task="detect", epochs=1, **TINY), start_from=first.run_id)
    assert second.status == "finished"
    old, new = load_model(first.model_path), load_model(second.model_path)
    assert new.output_shape[-1] == old.output_shape[-1] + 1
    with Store.open(boxed) as store:
        assert get_run(store, second.run_id).parent_id == first.run_id


def test_a_stride_4_run_of_an_earlier_version_resumes_retrains_and_proposes(boxed):
    """Detectors saved before the stride was a setting are stride 4 and their records name no stride: the stride is
    read from the model, for training targets and for decoding alike."""
    first = train(boxed, TrainConfig(task="detect", epochs=1, stride=4, **TINY))
    with Store.open(boxed) as store:  # the record as an earlier version wrote it
        params = get_run(store, first.run_id).params
        del params["stride"]
        update_run(store, first.run_id, params=params)
    assert output_stride(load_model(first.model_path)) == 4
    resumed = train(boxed, TrainConfig(task="detect", epochs=1), resume=first.run_id)
    assert resumed.status == "finished" and resumed.epochs == 2
    retrained = train(boxed, TrainConfig.from_params(params), start_from=first.run_id)
    assert retrained.status == "finished"
    for result in (resumed, retrained):
        model = load_model(result.model_path)
        assert model.output_shape == (None, 8, 8, 3 + 4)
        pixels = np.random.default_rng(0).integers(0, 255, (2, 32, 32, 3), dtype=np.uint8)
        for boxes in detect(model, pixels, score_threshold=0.0, max_boxes=5):
            assert all(0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1 for (x0, y0, x1, y1), _c, _s in boxes)


@pytest.mark.parametrize("stride", [4, 8, 16])
def test_the_small_detector_builds_at_every_stride(stride):
    model = build_detector(64, 2, "small", "none", stride=stride)
    assert model.output_shape == (None, 64 // stride, 64 // stride, 6) and output_stride(model) == stride
    with pytest.raises(ValueError, match="stride 2"):
        build_detector(64, 2, "small", "none", stride=2)


def test_transfer_backbone_is_flat_and_offline_imagenet_says_what_to_do(offline):
    model = build_detector(64, 2, "mobilenetv2", "none")
    assert model.output_shape == (None, 8, 8, 6)
    assert not any(isinstance(layer, keras.Model) for layer in model.layers)
    assert all(layer.trainable for layer in model.layers)  # no pretrained weights: the whole base learns
    with pytest.raises(ValueError, match="multiple of 32"):
        build_detector(48, 2)
    with pytest.raises(WeightsError, match="--weights FILE"):  # vgg16's weights do not ship: Keras downloads them
        build_detector(64, 2, "vgg16", "imagenet")


def test_the_detectors_learning_rate_warms_up_then_decays():
    from labelstudio_desktop.ml.train import FINAL_SHARE, _CosineSchedule, _JobCallback

    schedule = _CosineSchedule(1e-3, 200, _JobCallback(None, 10, 20, 0))
    rates = [schedule.at(step) for step in range(200)]
    assert rates[0] == pytest.approx(1e-4) and max(rates) == pytest.approx(1e-3, rel=1e-6)
    peak = int(np.argmax(rates))
    assert peak == schedule.warmup == 10
    assert all(a <= b for a, b in zip(rates[:peak], rates[1:peak + 1], strict=True))  # up, then down
    assert all(a >= b for a, b in zip(rates[peak:], rates[peak + 1:], strict=False))
    assert rates[-1] == pytest.approx(1e-3 * FINAL_SHARE, rel=0.05)
