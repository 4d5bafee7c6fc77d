"""Batched augmentation in TensorFlow, applied identically to an image and its mask.

Geometric changes (flips, shift, rotation, zoom, random scale + crop) move image and mask together; brightness,
colour (contrast and saturation) and random erasing touch the image only. Random erasing follows Zhong et al.:
with probability ``p`` a rectangle of area fraction ``s_l..s_h`` and aspect ``r_1..r_2`` is filled with one value
from ``v_l..v_h`` or, with ``pixel_level``, with a value per pixel.
"""

from __future__ import annotations

import math

import numpy as np
import tensorflow as tf

from .config import OPTIONS, AugmentConfig  # noqa: F401 - AugmentConfig is part of this module's interface


def _transforms(batch: int, size: int, cfg: AugmentConfig, seed_op) -> tf.Tensor:
    """Per-sample projective transforms (output -> input pixel mapping) for ImageProjectiveTransformV3."""
    c = (size - 1) / 2.0
    angle = seed_op((batch,), -cfg.rotate, cfg.rotate) * (math.pi / 180.0)
    scale = 1.0 + seed_op((batch,), -cfg.zoom, cfg.zoom)
    tx = seed_op((batch,), -cfg.shift, cfg.shift) * size
    ty = seed_op((batch,), -cfg.shift, cfg.shift) * size
    if cfg.scale:  # random scale + crop: anywhere the scaled image still covers (or stays inside) the frame
        scale = scale * tf.exp(seed_op((batch,), -math.log1p(cfg.scale), math.log1p(cfg.scale)))
        room = tf.abs(scale - 1.0) / 2 * size
        tx = tx + seed_op((batch,), -1.0, 1.0) * room
        ty = ty + seed_op((batch,), -1.0, 1.0) * room
    flip_x = tf.where(seed_op((batch,), 0.0, 1.0) < (0.5 if cfg.hflip else 0.0), -1.0, 1.0)
    flip_y = tf.where(seed_op((batch,), 0.0, 1.0) < (0.5 if cfg.vflip else 0.0), -1.0, 1.0)
    cos, sin = tf.cos(angle) / scale, tf.sin(angle) / scale
    # input = R(angle)/scale * F * (output - c - t) + c
    a0, a1 = cos * flip_x, -sin * flip_y
    b0, b1 = sin * flip_x, cos * flip_y
    a2 = c - a0 * (c + tx) - a1 * (c + ty)
    b2 = c - b0 * (c + tx) - b1 * (c + ty)
    zeros = tf.zeros_like(a0)
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def _warp(images: tf.Tensor, transforms: tf.Tensor, interpolation: str) -> tf.Tensor:
    size = tf.shape(images)[1:3]
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms, output_shape=size, fill_value=0.0,
        interpolation=interpolation, fill_mode="REFLECT")


def _color(images: tf.Tensor, strength: float, uniform) -> tf.Tensor:
    """Colour jitter: per image, contrast (about its mean grey) and saturation (about each pixel's grey) by
    factors in 1 +- ``strength``."""
    batch = tf.shape(images)[0]
    grey = tf.reduce_sum(images * tf.constant([0.299, 0.587, 0.114]), axis=-1, keepdims=True)
    saturation = uniform((batch, 1, 1, 1), 1.0 - strength, 1.0 + strength)
    images = grey + saturation * (images - grey)
    mean = tf.reduce_mean(grey, axis=(1, 2, 3), keepdims=True)
    contrast = uniform((batch, 1, 1, 1), 1.0 - strength, 1.0 + strength)
    return tf.clip_by_value(mean + contrast * (images - mean), 0.0, 255.0)


def _erase(images: tf.Tensor, cfg: AugmentConfig, uniform) -> tf.Tensor:
    shape = tf.shape(images)
    batch, h, w = shape[0], shape[1], shape[2]
    hf, wf = tf.cast(h, tf.float32), tf.cast(w, tf.float32)
    area = uniform((batch,), cfg.erase_s[0], cfg.erase_s[1]) * hf * wf
    log_r = uniform((batch,), math.log(cfg.erase_r[0]), math.log(cfg.erase_r[1]))
    ratio = tf.exp(log_r)
    eh = tf.minimum(tf.sqrt(area * ratio), hf)
    ew = tf.minimum(tf.sqrt(area / ratio), wf)
    y0 = uniform((batch,), 0.0, 1.0) * (hf - eh)
    x0 = uniform((batch,), 0.0, 1.0) * (wf - ew)
    rows = tf.range(hf)[None, :, None]
    cols = tf.range(wf)[None, None, :]
    inside = ((rows >= y0[:, None, None]) & (rows < (y0 + eh)[:, None, None]) &
              (cols >= x0[:, None, None]) & (cols < (x0 + ew)[:, None, None]))
    chosen = uniform((batch,), 0.0, 1.0) < cfg.erase_p
    inside = inside & chosen[:, None, None]
    if cfg.erase_pixel_level:
        fill = uniform(tf.shape(images), cfg.erase_v[0], cfg.erase_v[1])
    else:
        fill = uniform((batch, 1, 1, shape[3]), cfg.erase_v[0], cfg.erase_v[1]) + tf.zeros_like(images)
    return tf.where(inside[..., None], fill, images)


def augment_batch(images: tf.Tensor, masks: tf.Tensor | None, cfg: AugmentConfig, size: int,
                  seed: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor | None]:
    """Augment a float32 batch of images (0-255) and, identically, its masks (or None)."""
    rng = tf.random.Generator.from_seed(int(seed)) if seed is not None else None

    def uniform(shape, lo, hi):
        if rng is not None:
            return rng.uniform(shape, lo, hi)
        return tf.random.uniform(shape, lo, hi)

    batch = tf.shape(images)[0]
    if cfg.geometric:
        transforms = _transforms(batch, size, cfg, uniform)
        images = _warp(images, transforms, "BILINEAR")
        if masks is not None:
            masks = _warp(masks, transforms, "NEAREST")
    if cfg.brightness:
        factor = uniform((batch, 1, 1, 1), 1.0 - cfg.brightness, 1.0 + cfg.brightness)
        images = tf.clip_by_value(images * factor, 0.0, 255.0)
    if cfg.color:
        images = _color(images, cfg.color, uniform)
    if cfg.erase_p:
        images = _erase(images, cfg, uniform)
    return images, masks


def preview_job(job=None, **kwargs) -> np.ndarray:
    """:func:`preview` as a job (run in a child process by the GUI): the augmented images only."""
    return preview(**kwargs)[0]


def preview(images: np.ndarray, masks: np.ndarray | None, cfg: AugmentConfig, size: int,
            variants: int = 4, seed: int = 0) -> tuple[np.ndarray, np.ndarray | None]:
    """``variants`` augmented versions of each image (for the preview next to the originals)."""
    x = tf.convert_to_tensor(np.repeat(images.astype(np.float32), variants, axis=0))
    m = None if masks is None else tf.convert_to_tensor(np.repeat(masks.astype(np.float32), variants, axis=0))
    out, out_m = augment_batch(x, m, cfg, size, seed=seed)
    return out.numpy().astype(np.uint8), None if out_m is None else out_m.numpy()
