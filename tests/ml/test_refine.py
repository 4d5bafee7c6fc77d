"""Box refinement (ml/refine.py) with the shipped MobileNetV2: fitted on real pixels in closed form, it moves boxes
that are off their object back onto it, and is stored and read back as plain arrays."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.boxes.boxes import box_iou
from labelstudio_desktop.core.images import open_upright
from labelstudio_desktop.ml import refine
from labelstudio_desktop.ml.refine import FILE_NAME, Refiner, fit_refiner


def _photo(seed: int) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A textured background with one plate (a bright rectangle with a dark rim) at a random place and size."""
    rng = np.random.default_rng(seed)
    pixels = rng.integers(60, 120, (240, 320, 3)).astype(np.uint8)
    w, h = rng.integers(70, 150), rng.integers(60, 120)
    x0, y0 = rng.integers(10, 320 - w - 10), rng.integers(10, 240 - h - 10)
    pixels[y0:y0 + h, x0:x0 + w] = (20, 20, 30)
    pixels[y0 + 6:y0 + h - 6, x0 + 6:x0 + w - 6] = (230, 210, 90)
    return Image.fromarray(pixels), (float(x0), float(y0), float(x0 + w), float(y0 + h))


@pytest.fixture(scope="module")
def fitted():
    photos = [_photo(seed) for seed in range(12)]
    refiner = fit_refiner(((image, [box]) for image, box in photos), total=len(photos))
    assert refiner is not None and refiner.boxes == 12 and refiner.weights.shape[1] == 4
    return refiner


def test_boxes_off_their_object_are_moved_back_onto_it(fitted):
    rng = np.random.default_rng(99)
    before, after = [], []
    for seed in range(100, 108):  # photos it never saw
        image, truth = _photo(seed)
        off = refine.jittered(truth, rng)
        (refined,) = fitted.refine(image, [off])
        before.append(box_iou(off, truth))
        after.append(box_iou(refined, truth))
        assert 0 <= refined[0] < refined[2] <= image.width and 0 <= refined[1] < refined[3] <= image.height
    assert np.mean(after) > np.mean(before) + 0.1, (before, after)


def test_it_is_stored_as_arrays_and_one_of_other_settings_or_damaged_is_not_used(fitted, tmp_path, monkeypatch):
    path = tmp_path / FILE_NAME
    fitted.save(path)
    loaded = Refiner.load(path)
    assert np.array_equal(loaded.weights, fitted.weights.astype(np.float32)) and loaded.boxes == 12
    image, truth = _photo(200)
    assert np.allclose(loaded.refine(image, [truth]), fitted.refine(image, [truth]), atol=0.5)
    assert loaded.refine(image, []) == []
    monkeypatch.setattr(refine, "CROP", 96)  # a refiner fitted at another size is left alone
    assert Refiner.load(path) is None
    monkeypatch.undo()
    path.write_bytes(b"not numpy")
    assert Refiner.load(path) is None
    assert Refiner.load(tmp_path / "missing.npz") is None


def test_nothing_to_fit_without_boxes_and_images_of_many_boxes_keep_the_detectors():
    assert fit_refiner(iter([]), total=0) is None
    assert Refiner.worth_it(1) and Refiner.worth_it(refine.AT_MOST)
    assert not Refiner.worth_it(0) and not Refiner.worth_it(refine.AT_MOST + 1)


def test_a_photo_is_decoded_as_small_as_its_cuts_allow_and_boxes_come_back_in_its_frame(fitted, tmp_path):
    assert refine.reduction([(0, 0, 1000, 1000)]) == 8 and refine.reduction([(0, 0, 100, 100)]) == 1
    assert refine.reduction([(0, 0, 300, 300), (0, 0, 100, 80)]) == 1  # the smallest box decides
    assert refine.reduction([(0, 0, 1000, 1000)], crop=224, context=0) == 4  # a box classifier's cut: 224 px, tight
    image, truth = _photo(300)
    big = image.resize((image.width * 4, image.height * 4), Image.NEAREST)
    path = tmp_path / "photo.jpg"
    big.save(path, quality=95)
    assert open_upright(path, reduce=4).size == image.size and open_upright(path).size == big.size
    box = tuple(4 * v for v in truth)
    (found,), gone = refine.refined_in_files(fitted, [(path, [box], big.size), (tmp_path / "gone.jpg", [box],
                                                                                   big.size)])
    assert box_iou(found.box, box) > 0.8 and gone is None  # in the big photo's frame, on its object; unreadable: None
    assert found.label is None  # no box classifier: no class seen
    other, _ = _photo(301)
    together = fitted.refine_many([(image, [truth, truth]), (other, [])])
    assert together[1] == [] and np.allclose(together[0], [fitted.refine(image, [truth])[0]] * 2, atol=0.5)


def test_a_box_is_looked_at_again_only_while_its_last_look_moved_it(fitted, monkeypatch):
    """A regression that always answers "where the box is" settles after one look; one that always moves the box by
    a fifth of its side is looked at :data:`refine.PASSES` times (the real network, its features weighed by zero)."""
    image, box = _photo(3)
    looks: list[int] = []
    real = Refiner.features

    def counted(self, cuts):
        looks.append(len(cuts))
        return real(self, cuts)

    monkeypatch.setattr(Refiner, "features", counted)
    inside = refine.as_fractions(box, refine.region(box))
    features = fitted.features(np.zeros((1, refine.CROP, refine.CROP, 3), np.uint8)).shape[1]
    still = Refiner(np.zeros(features), np.zeros((features, 4)), inside.astype(np.float64), 1, fitted.model)
    looks.clear()
    assert still.refine(image, [box])[0] == pytest.approx(box, abs=1e-3) and looks == [1]
    moving = Refiner(np.zeros(features), np.zeros((features, 4)), inside + np.array([0.2, 0, 0.2, 0]) / 1.8, 1,
                     fitted.model)
    looks.clear()
    moved = moving.refine(image, [box, box])
    assert looks == [2] * refine.PASSES and moved[0][0] > box[0] + 0.15 * (box[2] - box[0])
    assert refine.moved_share((0, 0, 10, 20), (1, 0, 10, 23)) == pytest.approx(0.15)
