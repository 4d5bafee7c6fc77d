"""Crops from masks (each component's region, padded; cut out with a transparent background) and from boxes; a label
never writes outside the chosen folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from mask_files import square
from PIL import Image

from labelstudio_desktop.core.formats.crops import export_crops
from labelstudio_desktop.core.formats.writing import ExportError
from labelstudio_desktop.core.fsutil import inside, safe_name, unique_safe_names
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    pixels = np.zeros((50, 100, 3), np.uint8)
    pixels[..., 0] = np.arange(100)[None, :]  # red = x, green = y: a crop says where it came from
    pixels[..., 1] = np.arange(50)[:, None]
    Image.fromarray(pixels).save(root / "a.png")
    store = Store.create(root)
    import_folder(store)
    image = store.images()[0].id
    two = square(w=100, h=50, box=(10, 10, 30, 20)) | square(w=100, h=50, box=(60, 30, 70, 50))
    two[15, 10] = 0  # a notch: the cut-out follows the outline, not the box
    store.add_mask(image, "nut", encode_mask(two))
    yield store
    store.close()


def test_each_mask_component_is_cropped_with_padding(project, tmp_path):
    report = export_crops(project, tmp_path / "c", source="masks", padding=0.5)
    assert report.objects == 2 and report.images == 1
    first = np.asarray(Image.open(tmp_path / "c" / "nut" / "a_0.png"))
    assert first.shape == (20, 40, 3)  # 20x10 grown by half its size on each side
    assert (first[0, 0, 0], first[0, 0, 1]) == (0, 5)  # starts at x 0, y 5
    second = np.asarray(Image.open(tmp_path / "c" / "nut" / "a_1.png"))
    assert second.shape == (30, 20, 3) and (second[0, 0, 0], second[0, 0, 1]) == (55, 20)  # clipped at the bottom


def test_cutout_makes_the_background_transparent(project, tmp_path):
    export_crops(project, tmp_path / "c", source="masks", padding=0.5, cutout=True)
    crop = Image.open(tmp_path / "c" / "nut" / "a_0.png")
    assert crop.mode == "RGBA"
    alpha = np.asarray(crop)[..., 3]
    assert alpha[0, 0] == 0 and alpha[10, 15] == 255 and alpha[10, 10] == 0  # (10, 15) in the crop = the notch
    assert alpha.sum() == (20 * 10 - 1) * 255


def test_cutout_needs_masks_and_nothing_to_crop_says_why(project, tmp_path):
    with pytest.raises(ExportError, match="--cutout needs --from masks"):
        export_crops(project, tmp_path / "c", source="boxes", cutout=True)
    report = export_crops(project, tmp_path / "c", source="boxes")
    assert report.images == 0 and "has no boxes" in report.nothing_because


@pytest.mark.parametrize("label", ["../../x", "/tmp/x", "..", "a/../../b", "C:\\evil", "bell\x07\nline", "CON",
                                   "\u00e9crou"])
def test_a_label_never_writes_outside_the_folder(project, tmp_path, label):
    image = project.images()[0].id
    project.insert_box(BoxRecord(0, image, label, 1, 1, 9, 9))
    project.update_mask(project.masks(image)[0]["id"], "accepted", bytes(project.masks(image)[0]["png"]), label)
    out = tmp_path / "deep" / "out"
    for source in ("boxes", "masks"):
        report = export_crops(project, out / source, source=source)
        assert report.objects >= 1
    written = [p for p in tmp_path.rglob("*") if p.is_file() and tmp_path / "p" not in p.parents]
    assert len(written) == 3 and all(out in p.parents for p in written)  # a box crop and two mask components
    folders = {p.parent.name for p in written}
    assert all(name not in ("", ".", "..") and "/" not in name and "\\" not in name for name in folders)
    assert not any(ch < " " for name in folders for ch in name)


def test_safe_names():
    assert safe_name("../../x") == "_.._x" and safe_name("/tmp/x") == "_tmp_x"
    assert safe_name("..") == "_" and safe_name("") == "_" and safe_name(" . ") == "_"
    assert safe_name("CON") == "_CON" and safe_name("nul.txt") == "_nul.txt"
    assert safe_name("a\tb") == "a_b" and safe_name("\u00e9crou") == "\u00e9crou"
    assert len(safe_name("x" * 500).encode()) <= 200 and len(safe_name("\u00e9" * 300).encode()) <= 200
    assert unique_safe_names(["a/b", "a_b", "A_B"]) == {"a/b": "a_b", "a_b": "a_b_2", "A_B": "A_B_3"}
    assert inside(Path("/srv/out"), Path("/srv/out/a/../b.png")) == Path("/srv/out/b.png")
    with pytest.raises(ValueError):
        inside(Path("/srv/out"), Path("/srv/out/../etc/passwd"))
