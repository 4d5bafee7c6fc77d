"""Class activation maps for the cold start: the layers FeatureCam reads, its fitted heads, and its maps on the
fixed-weight colour classifier (tests/fixed_model.py: its features are the image's colour planes, so the map of a
class is known in advance whatever a fit settles on, as long as it tells the colours apart)."""

from __future__ import annotations

import numpy as np
import pytest
from fixed_model import CLASSES, SQUARES, colour_classifier, write_squares

from labelstudio_desktop.core.images import load_rgb
from labelstudio_desktop.ml.data import resize_square
from labelstudio_desktop.ml.gradcam import FeatureCam, GradCam, cam_layers, linear_head
from labelstudio_desktop.ml.models import build_classifier


@pytest.mark.parametrize(("size", "expected"), [(128, ["block_6_expand_relu", "block_13_expand_relu"]),
                                                (224, ["block_13_expand_relu", "out_relu"])])
def test_feature_cam_reads_the_last_map_of_at_least_seven_cells_and_the_one_of_twice_its_side(size, expected):
    """At 128 px MobileNetV2's last map is 4 x 4: the maps at stride 16 (8 x 8) and 8 (16 x 16) are read instead."""
    model = build_classifier(size, 3, weights="none")
    assert cam_layers(model) == expected
    sides = [model.get_layer(name).output.shape[1] for name in expected]
    assert sides[0] == 2 * sides[1] and sides[1] >= 7


def test_the_small_network_and_a_one_map_model_get_layers_too():
    small = build_classifier(64, 2, backbone="small")
    fine, coarse = cam_layers(small)
    assert coarse == "last_conv" and small.get_layer(fine).output.shape[1] == 32
    assert cam_layers(colour_classifier()) == ["planes"]  # no map of twice its side: one layer


def test_a_linear_head_weighs_the_feature_that_tells_the_classes_apart():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 20)
    pooled = rng.normal(0, 0.1, (60, 5)) + 3.0  # feature k is high for class k, the others are noise
    pooled[np.arange(60), labels] += 1.0
    weights = linear_head(pooled, labels, 3)
    assert weights.shape == (5, 3)
    for k in range(3):
        assert np.argmax(weights[:, k]) == k and weights[k, k] > 0


@pytest.fixture
def squares_pixels(tmp_path):
    """(pixels at 32 px, class indices, file names) of the coloured squares."""
    write_squares(tmp_path)
    names = sorted(SQUARES)
    pixels = np.stack([resize_square(load_rgb(tmp_path / name), 32) for name in names]).astype(np.float32)
    return pixels, np.array([CLASSES.index(SQUARES[name][0]) for name in names]), names


def test_feature_cam_maps_the_square_of_the_image_class(squares_pixels):
    pixels, labels, names = squares_pixels
    cam = FeatureCam(colour_classifier()).fit(pixels, labels)
    heat, probs = cam(pixels, labels)
    assert heat.shape == (len(names), 32, 32) and probs.shape == (len(names), len(CLASSES))
    for n in range(len(names)):
        full, black = pixels[n].max(axis=-1) >= 254, pixels[n].max(axis=-1) == 0  # inside a square, outside all
        if full.any():
            assert heat[n][full].min() == pytest.approx(1.0) and heat[n][black].max() == 0.0
        else:
            assert heat[n].max() == 0.0  # black: no evidence, an empty map
    mirrored, _ = cam(pixels, labels, flip=True)  # a map cell reads its own pixel: the mirror image adds nothing
    np.testing.assert_allclose(mirrored, heat, atol=1e-6)


def test_feature_cam_needs_two_classes_and_a_fit(squares_pixels):
    pixels, labels, _names = squares_pixels
    cam = FeatureCam(colour_classifier())
    with pytest.raises(RuntimeError, match="fit"):
        cam(pixels, labels)
    with pytest.raises(ValueError, match="two classes"):
        cam.fit(pixels, np.zeros(len(pixels), int))


def test_feature_cam_and_grad_cam_share_the_class_choice_and_the_mirror_image(squares_pixels):
    """Where the class is -1 both explain the predicted class; both give maps of 0..1."""
    pixels, labels, _names = squares_pixels
    model = colour_classifier()
    for cam in (FeatureCam(model).fit(pixels, labels), GradCam(model)):
        given, _ = cam(pixels, labels, flip=True)
        predicted, _ = cam(pixels, np.full(len(pixels), -1), flip=True)
        np.testing.assert_allclose(given, predicted, atol=1e-6)  # the fixed classifier predicts every colour
        assert given.min() >= 0 and given.max() <= 1
