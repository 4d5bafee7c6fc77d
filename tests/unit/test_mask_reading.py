"""Reading mask files: every kind of mask image becomes the right 0/1 mask per label (real files, made with PIL)."""

from __future__ import annotations

import numpy as np
import pytest
from mask_files import save_grey, save_palette, save_rgb, square
from PIL import Image

from labelstudio_desktop.core.formats.masks import (
    VOC_COLORMAP,
    MaskProblem,
    find_class_list,
    labelmap_text,
    parse_classes_txt,
    parse_labelmap,
    read_mask,
)


def test_the_voc_colour_map_starts_as_published():
    assert VOC_COLORMAP[:4].tolist() == [[0, 0, 0], [128, 0, 0], [0, 128, 0], [128, 128, 0]]
    assert VOC_COLORMAP[15].tolist() == [192, 128, 128] and VOC_COLORMAP[255].tolist() == [224, 224, 192]


@pytest.mark.parametrize("high", [1, 255, 37])
def test_a_grey_mask_with_one_nonzero_value_is_binary(tmp_path, high):
    m = square()
    reading = read_mask(save_grey(tmp_path / "m.png", m * high), default_label="nut")
    assert list(reading.masks) == ["nut"] and np.array_equal(reading.masks["nut"], m)
    assert (reading.width, reading.height) == (64, 48)


def test_jpeg_and_anti_aliased_masks_cut_at_128(tmp_path):
    m = square()
    jpeg = read_mask(save_grey(tmp_path / "m.jpg", m * 255, quality=70))
    assert np.array_equal(jpeg.masks["object"], m)  # JPEG ringing stays on the right side of 128
    smooth = (m * 255).astype(np.float32)
    smooth[8:24, 9] = 200  # an anti-aliased left edge: inside
    smooth[8:24, 30] = 60  # and right edge: outside
    grey = read_mask(save_grey(tmp_path / "aa.png", smooth))
    expected = m.copy()
    expected[8:24, 9] = 1
    assert np.array_equal(grey.masks["object"], expected)


def test_one_bit_and_sixteen_bit_masks(tmp_path):
    m = square()
    Image.fromarray(m.astype(bool)).save(tmp_path / "bits.png")
    assert np.array_equal(read_mask(tmp_path / "bits.png").masks["object"], m)
    Image.fromarray(m.astype(np.uint16) * np.uint16(65535)).save(tmp_path / "deep.png")
    assert np.array_equal(read_mask(tmp_path / "deep.png").masks["object"], m)


def test_a_cut_out_with_constant_grey_uses_its_alpha(tmp_path):
    m = square()
    Image.fromarray(np.dstack([np.full_like(m, 200), m * 255]), "LA").save(tmp_path / "cut.png")
    assert np.array_equal(read_mask(tmp_path / "cut.png").masks["object"], m)


def test_palette_indices_are_named_by_the_labelmap_colours_and_255_is_void(tmp_path):
    index = np.zeros((48, 64), np.uint8)
    index[0:10, 0:10] = 1
    index[20:30, 20:30] = 2
    index[10, :] = 255  # VOC's border band: ignored, never a class
    classes = parse_labelmap("# label:color_rgb:parts:actions\nbackground:0,0,0::\nbolt:128,0,0::\nnut:0,128,0::\n")
    reading = read_mask(save_palette(tmp_path / "m.png", index), classes)
    assert sorted(reading.masks) == ["bolt", "nut"]
    assert reading.masks["bolt"].sum() == 100 and reading.masks["nut"].sum() == 100
    # a labelmap whose colours are not the palette's: its order names the indices
    swapped = parse_labelmap("background:0,0,0::\nnut:10,10,10::\nbolt:20,20,20::\n")
    reading = read_mask(tmp_path / "m.png", swapped)
    assert reading.masks["nut"][0, 0] == 1 and reading.masks["bolt"][25, 25] == 1


def test_palette_indices_without_a_class_list_keep_their_number(tmp_path):
    index = np.zeros((48, 64), np.uint8)
    index[:5, :5] = 3
    assert list(read_mask(save_palette(tmp_path / "m.png", index)).masks) == ["class_3"]


def test_classes_txt_with_or_without_background_first(tmp_path):
    assert parse_classes_txt("nut\nbolt\n").names == ["background", "nut", "bolt"]
    assert parse_classes_txt("_background_\nnut\n").names == ["_background_", "nut"]
    (tmp_path / "masks").mkdir()
    (tmp_path / "classes.txt").write_text("nut\nbolt\n")
    classes = find_class_list(tmp_path / "masks", tmp_path)
    index = np.zeros((48, 64), np.uint8)
    index[:4, :4] = 2
    index[40:, 40:] = 1
    reading = read_mask(save_grey(tmp_path / "masks" / "m.png", index), classes)  # a grey index mask
    assert reading.masks["bolt"].sum() == 16 and reading.masks["nut"].sum() == 8 * 24


def test_grey_index_masks_without_a_list(tmp_path):
    index = np.zeros((48, 64), np.uint8)
    index[:4, :4] = 1
    index[40:, 40:] = 2
    assert sorted(read_mask(save_grey(tmp_path / "m.png", index)).masks) == ["class_1", "class_2"]


def test_colour_masks_need_a_labelmap_unless_they_use_voc_colours(tmp_path):
    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[:10, :10] = (128, 0, 0)
    rgb[30:, 30:] = (0, 128, 0)
    classes = parse_labelmap("background:0,0,0::\ncat:128,0,0::\ndog:0,128,0::\n")
    reading = read_mask(save_rgb(tmp_path / "voc.png", rgb), classes)
    assert reading.masks["cat"].sum() == 100 and reading.masks["dog"].sum() == 18 * 34
    assert sorted(read_mask(tmp_path / "voc.png").masks) == ["class_1", "class_2"]
    rgb[:10, :10] = (1, 2, 3)
    with pytest.raises(MaskProblem, match="labelmap.txt"):
        read_mask(save_rgb(tmp_path / "odd.png", rgb))
    noted = read_mask(tmp_path / "odd.png", classes)
    assert list(noted.masks) == ["dog"] and "not in" in noted.notes[0]


def test_unreadable_files_are_plain_problems(tmp_path):
    (tmp_path / "zero.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("not a picture")
    with pytest.raises(MaskProblem, match="empty file"):
        read_mask(tmp_path / "zero.png")
    with pytest.raises(MaskProblem, match="not an image"):
        read_mask(tmp_path / "text.png")


def test_labelmap_round_trip_keeps_order_and_colours():
    classes = parse_labelmap(labelmap_text(["nut", "bolt"]))
    assert classes.names == ["background", "nut", "bolt"]
    assert classes.colors[(128, 0, 0)] == "nut" and classes.colors[(0, 128, 0)] == "bolt"
