"""The VOC segmentation export, read back as torchvision reads it, and imported back into a new project."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import write_image
from mask_files import square
from PIL import Image
from strict_readers import torchvision_voc_segmentation

from labelstudio_desktop.core.formats.masks import VOC_COLORMAP, export_masks, parse_labelmap
from labelstudio_desktop.core.formats.writing import ExportError
from labelstudio_desktop.core.store.masks import decode_mask, encode_mask
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


@pytest.fixture
def project(tmp_path):
    """Three images with masks in train, val and test; one without a mask; a pending proposal."""
    root = tmp_path / "p"
    for name in ("a.jpg", "b.png", "c.jpg", "d.jpg"):
        write_image(root / name, seed=ord(name[0]))
    exif = Image.Exif()
    exif[0x0112] = 6  # c.jpg: stored on its side, upright 48x64
    Image.open(root / "c.jpg").save(root / "c.jpg", exif=exif)
    store = Store.create(root)
    import_folder(store)
    ids = {img.path: img.id for img in store.images()}
    two_nuts = square(box=(2, 2, 12, 12)) | square(box=(40, 30, 60, 44))
    store.add_mask(ids["a.jpg"], "nut", encode_mask(two_nuts))
    store.add_mask(ids["a.jpg"], "bolt", encode_mask(square(box=(20, 5, 30, 25))))
    store.add_mask(ids["b.png"], "bolt", encode_mask(square()))
    store.add_mask(ids["c.jpg"], "nut", encode_mask(square(w=48, h=64, box=(5, 40, 20, 60))))
    store.add_mask(ids["d.jpg"], "washer", encode_mask(square()), source="proposal", state="pending")
    for path, split in (("a.jpg", "train"), ("b.png", "val"), ("c.jpg", "test")):
        store.update_image_fields(ids[path], {"split": split})
    yield store
    store.close()


def test_torchvision_reads_the_set_and_the_indices_follow_the_labelmap(project, tmp_path):
    report = export_masks(project, tmp_path / "out", layout="vocdevkit")
    assert report.images == 3 and report.objects == 5  # two nuts and a bolt on a, a bolt on b, a nut on c
    voc = tmp_path / "out" / "VOCdevkit" / "VOC2012"
    classes = parse_labelmap((voc / "labelmap.txt").read_text())
    assert classes.names == ["background", "bolt", "nut", "washer"]  # every mask class has an index, the pending too
    for image_set, count in (("train", 1), ("val", 1), ("trainval", 2)):
        samples = torchvision_voc_segmentation(tmp_path / "out", image_set)
        assert len(samples) == count
        for image, target in samples:
            assert target.mode == "P" and image.size == target.size
    (image, target), = torchvision_voc_segmentation(tmp_path / "out", "train")
    index = np.asarray(target)
    assert index[5, 5] == classes.names.index("nut") and index[10, 25] == classes.names.index("bolt")
    assert index[0, 0] == 0 and set(np.unique(index)) == {0, 1, 2}
    assert target.getpalette()[:12] == VOC_COLORMAP[:4].ravel().tolist()
    objects = np.asarray(Image.open(voc / "SegmentationObject" / "a.png"))
    assert set(np.unique(objects)) == {0, 1, 2, 3} and objects[5, 5] != objects[35, 45]
    raw = Image.open(voc / "SegmentationClassRaw" / "a.png")
    assert raw.mode == "L" and np.array_equal(np.asarray(raw), index)
    assert (voc / "ImageSets" / "Segmentation" / "test.txt").read_text() == "c\n"
    upright = Image.open(voc / "JPEGImages" / "c.jpg")
    assert upright.size == (48, 64) == Image.open(voc / "SegmentationClass" / "c.png").size


def test_a_border_band_is_255_around_every_region(project, tmp_path):
    export_masks(project, tmp_path / "out", border=1)
    index = np.asarray(Image.open(tmp_path / "out" / "SegmentationClass" / "b.png"))
    assert index[9, 10] == 255 and index[9, 9] == 255  # the edge between x 9 and 10: both sides
    assert index[9, 11] == 1 and index[9, 8] == 0 and index[16, 20] == 1
    assert np.asarray(Image.open(tmp_path / "out" / "SegmentationObject" / "b.png"))[8, 10] == 255


def test_the_export_imports_back_as_the_same_masks_and_splits(project, tmp_path):
    export_masks(project, tmp_path / "out")
    with Store.create(tmp_path / "out") as back:
        report = import_folder(back)
        assert report.format == "vocdevkit" and report.masks.masks == 4
        for img in project.images():
            if img.path == "d.jpg":
                continue
            copy = back.image_by_path(f"JPEGImages/{img.path.rsplit('.', 1)[0]}.jpg")
            assert copy.split == img.split
            theirs = {r["label"]: decode_mask(r["png"], img.width, img.height) for r in back.masks(copy.id)}
            ours = {r["label"]: decode_mask(r["png"], img.width, img.height) for r in project.masks(img.id)}
            assert theirs.keys() == ours.keys() and all(np.array_equal(theirs[k], ours[k]) for k in ours)


def test_pending_masks_only_when_asked_and_class_ids_stay_put(project, tmp_path):
    report = export_masks(project, tmp_path / "with", include_pending=True)
    assert report.images == 4
    names = parse_labelmap((tmp_path / "with" / "labelmap.txt").read_text()).names
    assert names == ["background", "bolt", "nut", "washer"]
    again = export_masks(project, tmp_path / "again")  # washer has no accepted mask: it keeps its index anyway
    assert again.images == 3
    assert parse_labelmap((tmp_path / "again" / "labelmap.txt").read_text()).names == names


def test_existing_files_are_not_replaced_without_overwrite(project, tmp_path):
    export_masks(project, tmp_path / "out")
    with pytest.raises(ExportError, match="already exist"):
        export_masks(project, tmp_path / "out")
    assert export_masks(project, tmp_path / "out", overwrite=True).images == 3


def test_an_empty_export_says_why(tmp_path):
    root = tmp_path / "p"
    write_image(root / "a.jpg")
    with Store.create(root) as store:
        import_folder(store)
        report = export_masks(store, tmp_path / "out")
        assert report.images == 0 and "has no masks" in report.nothing_because
        assert "--masks DIR" in report.nothing_because
        store.add_mask(store.images()[0].id, "nut", encode_mask(square()), source="proposal", state="pending")
        report = export_masks(store, tmp_path / "out")
        assert "only pending masks (1)" in report.nothing_because and "--include-pending" in report.nothing_because
    assert not (tmp_path / "out").exists()
