"""Every kind of bad or unusual image gets a clear verdict (DESIGN.md, Known traps)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.images import ImageProblem, load_rgb, probe


def _rgb(w=40, h=30, seed=0):
    return np.random.default_rng(seed).integers(0, 255, (h, w, 3), dtype=np.uint8)


def _save(path, im, **kw):
    im.save(path, **kw)
    return path


def test_plain_jpeg(tmp_path):
    facts = probe(_save(tmp_path / "a.jpg", Image.fromarray(_rgb())))
    assert (facts.width, facts.height, facts.channels, facts.warnings) == (40, 30, 3, [])


def test_zero_byte_file(tmp_path):
    (tmp_path / "z.jpg").write_bytes(b"")
    with pytest.raises(ImageProblem, match="empty file"):
        probe(tmp_path / "z.jpg")


def test_text_file_named_jpg(tmp_path):
    (tmp_path / "notes.jpg").write_text("shopping list: nuts, bolts")
    with pytest.raises(ImageProblem, match="not an image"):
        probe(tmp_path / "notes.jpg")


def test_broken_symlink_is_unreadable(tmp_path):
    (tmp_path / "gone.jpg").symlink_to(tmp_path / "nowhere.jpg")
    with pytest.raises(ImageProblem, match="cannot read"):
        probe(tmp_path / "gone.jpg")


def test_truncated_jpeg_is_flagged_and_still_loads(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(_rgb(200, 150)).save(buf, "JPEG")
    (tmp_path / "t.jpg").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    facts = probe(tmp_path / "t.jpg")
    assert any("truncated JPEG" in w for w in facts.warnings)
    assert load_rgb(tmp_path / "t.jpg").shape == (150, 200, 3)


def test_truncated_png_is_flagged(tmp_path):
    buf = io.BytesIO()
    Image.fromarray(_rgb(200, 150)).save(buf, "PNG")
    (tmp_path / "t.png").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert any("truncated PNG" in w for w in probe(tmp_path / "t.png").warnings)


def test_cmyk_jpeg(tmp_path):
    path = _save(tmp_path / "c.jpg", Image.fromarray(_rgb()).convert("CMYK"))
    facts = probe(path)
    assert any("CMYK" in w for w in facts.warnings)
    assert load_rgb(path).shape == (30, 40, 3)


def test_16bit_gray_png(tmp_path):
    arr = (np.arange(40 * 30).reshape(30, 40) * 50).astype(np.uint16)
    path = _save(tmp_path / "g16.png", Image.fromarray(arr))
    facts = probe(path)
    assert facts.channels == 1 and any("16-bit" in w for w in facts.warnings)
    rgb = load_rgb(path)
    assert rgb.dtype == np.uint8 and rgb.shape == (30, 40, 3)
    assert rgb[-1, -1, 0] == round(arr[-1, -1] / 65535 * 255)


def test_16bit_rgb_png_detected_from_header(tmp_path):
    import cv2

    arr = (np.random.default_rng(1).integers(0, 65535, (30, 40, 3))).astype(np.uint16)
    cv2.imwrite(str(tmp_path / "c16.png"), arr)
    assert any("16-bit" in w for w in probe(tmp_path / "c16.png").warnings)
    assert load_rgb(tmp_path / "c16.png").shape == (30, 40, 3)


def test_grayscale_and_alpha(tmp_path):
    gray = probe(_save(tmp_path / "g.png", Image.fromarray(_rgb()[..., 0])))
    assert gray.channels == 1 and gray.warnings == []
    rgba = np.dstack([_rgb(), np.zeros((30, 40), np.uint8)])
    path = _save(tmp_path / "a.png", Image.fromarray(rgba, "RGBA"))
    assert any("alpha" in w for w in probe(path).warnings)
    assert (load_rgb(path) == 255).all()  # fully transparent -> white


def test_exif_rotation_swaps_size_and_loads_upright(tmp_path):
    yy, xx = np.mgrid[0:20, 0:60]
    upright = np.dstack([xx * 4, yy * 12, 255 - xx * 4]).astype(np.uint8)  # smooth, so JPEG keeps it
    exif = Image.Exif()
    exif[0x0112] = 6
    path = _save(tmp_path / "r.jpg", Image.fromarray(np.ascontiguousarray(np.rot90(upright, 1))), exif=exif,
                 quality=100)
    facts = probe(path)
    assert (facts.width, facts.height, facts.orientation) == (60, 20, 6)
    loaded = load_rgb(path).astype(int)
    assert loaded.shape == (20, 60, 3)
    assert np.abs(loaded - upright).mean() < 4  # same picture, upright (JPEG noise aside)


def test_unicode_file_name(tmp_path):
    path = _save(tmp_path / "ナット_écrou_🔩.png", Image.fromarray(_rgb()))
    assert probe(path).width == 40


def test_decompression_bomb_is_refused_from_the_header(tmp_path):
    path = _save(tmp_path / "bomb.png", Image.new("1", (12000, 12000)))
    assert path.stat().st_size < 200_000
    with pytest.raises(ImageProblem, match="decompression bomb"):
        probe(path)
