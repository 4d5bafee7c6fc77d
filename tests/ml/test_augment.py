"""The batched (TensorFlow) augmentation: random scale + crop moves image and mask together; colour jitter changes
colours and nothing else; every option name, old and new, parses."""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.ml.augment import augment_batch
from labelstudio_desktop.ml.config import NAMED_STRENGTHS, OPTIONS, AugmentConfig


def test_every_option_name_parses_old_and_new():
    old = AugmentConfig.from_names("flip,shift,zoom,brightness,erase")
    assert old.hflip and (old.shift, old.zoom, old.brightness, old.erase_p) == (0.1, 0.1, 0.2, 0.5)
    assert (old.scale, old.color) == (0.0, 0.0) and old.geometric and old.photometric
    new = AugmentConfig.from_names("scale,color")
    assert (new.scale, new.color) == (NAMED_STRENGTHS["scale"], NAMED_STRENGTHS["color"]) and new.active
    assert not new.photometric_only().geometric and new.photometric_only().color == new.color
    everything = AugmentConfig.from_names("all")
    assert all(getattr(everything, "erase_p" if name == "erase" else name) for name in OPTIONS)
    with pytest.raises(ValueError, match="unknown augmentation"):
        AugmentConfig.from_names("scale,sharpen")


def test_random_scale_and_crop_moves_image_and_mask_together():
    size = 48
    image = np.zeros((8, size, size, 3), np.float32)
    image[:, 10:30, 14:40] = 255.0
    mask = (image[..., :1] > 0).astype(np.float32)
    out, out_mask = augment_batch(image, mask, AugmentConfig(scale=0.5), size, seed=3)
    out, out_mask = out.numpy(), out_mask.numpy()
    assert not np.array_equal(out, image)  # it did move them
    for picture, moved in zip(out, out_mask, strict=True):
        bright = picture[..., 0] > 127
        agree = np.mean(bright == (moved[..., 0] > 0.5))
        assert agree > 0.97  # only the interpolated rim may differ


def test_colour_jitter_changes_colours_only():
    rng = np.random.default_rng(0)
    grey = np.full((4, 16, 16, 3), 90.0, np.float32)
    out, _ = augment_batch(grey, None, AugmentConfig(color=0.4), 16, seed=1)
    np.testing.assert_allclose(out.numpy(), grey, atol=1e-3)  # a flat grey picture has no contrast or saturation
    colours = np.repeat(rng.uniform(0, 255, (1, 16, 16, 3)).astype(np.float32), 4, axis=0)
    out = augment_batch(colours, None, AugmentConfig(color=0.4), 16, seed=1)[0].numpy()
    assert out.min() >= 0.0 and out.max() <= 255.0
    assert not np.allclose(out[0], colours[0], atol=1.0)
    assert not np.allclose(out[0], out[1], atol=1.0)  # a factor per picture
