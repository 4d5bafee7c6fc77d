"""Importing mask images: matching, layouts, bad masks, and a re-import that never overwrites the operator's edits."""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers import write_image, write_labelimg_xml
from mask_files import save_grey, save_palette, square
from PIL import Image

from labelstudio_desktop.core.formats.voc import VocObject
from labelstudio_desktop.core.images import load_rgb
from labelstudio_desktop.core.store.masks import decode_mask, encode_mask, union_mask
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import ImportFailed, import_folder


def _masks(store, rel):
    img = store.image_by_path(rel)
    return {r["label"]: decode_mask(r["png"], img.width, img.height) for r in store.masks(img.id)}


def _problems(report):
    return {(p.path.rsplit("/", 1)[-1], p.severity): p.reason for p in report.problems}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "photos"
    for rel in ("cat/001.jpg", "dog/001.jpg", "cat/002.png", "dog/003.jpg"):
        write_image(root / rel, seed=len(rel))
    store = Store.create(root)
    yield store
    store.close()


def test_masks_match_by_stem_with_subfolders_deciding(project, tmp_path):
    masks = tmp_path / "masks"
    save_grey(masks / "cat" / "001.png", square() * 255)
    save_grey(masks / "dog" / "001.png", square(box=(0, 0, 5, 5)))  # a 0/1 mask
    save_grey(masks / "002_mask.png", square(box=(40, 30, 60, 40)) * 255)
    Image.fromarray(square(box=(1, 1, 9, 9)).astype(bool)).save(masks / "003.bmp")
    save_grey(masks / "999.png", square() * 255)
    save_grey(masks / "001.png", square() * 255)  # two images are named 001: which one?
    report = import_folder(project, masks=masks)
    assert report.masks.masks == 4 and report.masks.files == 4
    assert np.array_equal(_masks(project, "cat/001.jpg")["cat"], square())  # binary masks take the image's class
    assert np.array_equal(_masks(project, "dog/001.jpg")["dog"], square(box=(0, 0, 5, 5)))
    assert _masks(project, "cat/002.png")["cat"].sum() == 200
    assert _masks(project, "dog/003.jpg")["dog"].sum() == 64
    problems = _problems(report)
    assert "without a matching image" in problems[("999.png", "mask")]
    assert "2 images match" in problems[("001.png", "mask")]
    image = project.image_by_path("cat/001.jpg")
    row = project.masks(image.id)[0]
    assert (row["source"], row["state"]) == ("imported", "accepted")
    assert np.array_equal(union_mask(project, image.id, image.width, image.height), square())  # what training reads


def test_bad_masks_are_plain_warnings_and_the_rest_goes_on(project, tmp_path):
    masks = tmp_path / "masks"
    save_grey(masks / "cat" / "001.png", square(w=60) * 255)  # the image is 64x48
    save_grey(masks / "dog" / "001.png", np.zeros((48, 64)))
    (masks / "002.png").write_bytes(b"")
    (masks / "003.png").write_text("no picture here")
    report = import_folder(project, masks=masks)
    problems = {p.path: p.reason for p in report.problems}
    assert problems[str(masks / "cat" / "001.png")] == "mask is 60x48, the image is 64x48 (upright): not imported"
    assert problems[str(masks / "dog" / "001.png")] == "empty mask (no foreground pixel): not imported"
    problems = _problems(report)
    assert "empty file (0 bytes)" in problems[("002.png", "mask")]
    assert "not an image" in problems[("003.png", "mask")]
    assert report.imported == 4 and report.masks.masks == 0 and report.masks.skipped == 4
    again = import_folder(project, masks=masks)  # not read again, still reported
    assert again.masks.unchanged == 4 and len([p for p in again.problems if p.severity == "mask"]) == 4


def test_a_mask_of_the_raw_frame_of_an_exif_rotated_photo_is_turned_upright(tmp_path):
    root = tmp_path / "p"
    root.mkdir()
    raw = square(w=64, h=48, box=(5, 3, 20, 10))
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(np.dstack([raw * 255] * 3)).save(root / "photo.jpg", exif=exif, quality=95)
    save_grey(tmp_path / "masks" / "photo.png", raw * 255)  # drawn by a tool that ignores EXIF
    with Store.create(root) as store:
        report = import_folder(store, masks=tmp_path / "masks")
        upright = _masks(store, "photo.jpg")["object"]
    assert upright.shape == (64, 48)
    assert np.array_equal(upright, (load_rgb(root / "photo.jpg")[..., 0] > 127).astype(np.uint8))
    assert any("turned upright" in p.reason for p in report.problems)


def _rewrite(path, mask, same_stat_as=None):
    """Write a new mask; with ``same_stat_as``, keep the old size and modification time (bytes of the same size)."""
    if same_stat_as is not None:
        st = same_stat_as
        path.write_bytes(b"\0" * st.st_size)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        return
    save_grey(path, mask * 255)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_reimport_reads_changed_files_only_and_never_overwrites_an_edit(project, tmp_path):
    masks = tmp_path / "masks"
    files = {"cat/001.jpg": masks / "cat" / "001.png", "dog/001.jpg": masks / "dog" / "001.png",
             "cat/002.png": masks / "002.png", "dog/003.jpg": masks / "003.png"}
    for path in files.values():
        save_grey(path, square() * 255)
    assert import_folder(project, masks=masks).masks.masks == 4

    # an unchanged file (same size and time) is not read again, even when its bytes are garbage now
    _rewrite(files["cat/001.jpg"], None, same_stat_as=files["cat/001.jpg"].stat())
    again = import_folder(project, masks=masks)
    assert again.masks.unchanged == 4 and again.masks.masks == 0
    assert np.array_equal(_masks(project, "cat/001.jpg")["cat"], square())

    new = square(box=(40, 20, 60, 40))
    edited = encode_mask(square(box=(0, 0, 3, 3)))
    dog = project.image_by_path("dog/001.jpg")
    project.update_mask(project.masks(dog.id)[0]["id"], "accepted", edited, "dog")  # a correction in the app
    project.update_image_fields(project.image_by_path("cat/002.png").id, {"status": "verified"})
    project.delete_mask(project.masks(project.image_by_path("dog/003.jpg").id)[0]["id"])
    for path in files.values():
        _rewrite(path, new)
    report = import_folder(project, masks=masks)
    assert report.masks.refreshed == 1 and report.masks.conflicts == 3 and report.masks.masks == 1
    assert np.array_equal(_masks(project, "cat/001.jpg")["cat"], new)  # not reviewed: refreshed
    assert bytes(project.masks(dog.id)[0]["png"]) == edited  # the operator's correction is kept
    assert np.array_equal(_masks(project, "cat/002.png")["cat"], square())  # verified: kept
    assert _masks(project, "dog/003.jpg") == {}  # deleted in the app: not brought back
    reasons = sorted(p.reason for p in report.problems if p.reason.startswith("conflict"))
    assert any("'dog' mask was edited in the app" in r for r in reasons)
    assert any("the image is verified" in r for r in reasons)
    assert any("deleted in the app" in r for r in reasons)


def test_a_changed_file_that_became_unreadable_keeps_the_masks_it_gave(project, tmp_path):
    masks = tmp_path / "masks"
    save_grey(masks / "003.png", square() * 255)
    import_folder(project, masks=masks)
    (masks / "003.png").write_text("broken now")
    report = import_folder(project, masks=masks)
    assert "the masks it gave before are kept" in _problems(report)[("003.png", "mask")]
    assert np.array_equal(_masks(project, "dog/003.jpg")["dog"], square())


def test_a_new_file_never_replaces_a_mask_drawn_in_the_app(project, tmp_path):
    import_folder(project)
    image = project.image_by_path("dog/003.jpg")
    project.add_mask(image.id, "dog", encode_mask(square(box=(0, 0, 2, 2))))
    save_grey(tmp_path / "masks" / "003.png", square() * 255)
    report = import_folder(project, masks=tmp_path / "masks")
    assert report.masks.conflicts == 1 and "already has a 'dog' mask" in report.problems[0].reason
    assert len(project.masks(image.id)) == 1 and project.masks(image.id)[0]["source"] == "manual"


def test_images_and_masks_folders_are_found_and_masks_are_not_images(tmp_path):
    root = tmp_path / "set"
    for split in ("train", "val"):
        for name, cls in (("a", "cat"), ("b", "dog")):
            write_image(root / split / "images" / cls / f"{name}.jpg", seed=ord(name))
            save_grey(root / split / "masks" / cls / f"{name}.png", square(box=(0, 0, 8 + ord(name) % 3, 8)))
    with Store.create(root) as store:
        report = import_folder(store)
        images = {i.path: i for i in store.images()}
        assert report.format == "images+masks" and report.masks.masks == 4
        assert set(images) == {f"{s}/images/{c}/{n}.jpg" for s in ("train", "val") for n, c in (("a", "cat"),
                                                                                              ("b", "dog"))}
        assert images["val/images/dog/b.jpg"].label == "dog" and images["val/images/dog/b.jpg"].split == "val"
        assert _masks(store, "train/images/cat/a.jpg")["cat"].sum() == (8 + ord("a") % 3) * 8


def test_a_vocdevkit_brings_its_segmentation_masks_and_splits(tmp_path):
    year = tmp_path / "voc" / "VOCdevkit" / "VOC2012"
    for stem in ("2007_000032", "2007_000033"):
        write_image(year / "JPEGImages" / f"{stem}.jpg", seed=3)
    classes = np.zeros((48, 64), np.uint8)
    classes[5:20, 5:20] = 1  # aeroplane
    classes[30:40, 30:60] = 15  # person
    classes[4, 4:21] = 255  # the void border
    save_palette(year / "SegmentationClass" / "2007_000032.png", classes)
    objects = np.zeros((48, 64), np.uint8)
    objects[0:10, 0:10] = 1
    objects[20:30, 20:30] = 2
    save_palette(year / "SegmentationObject" / "2007_000033.png", objects)
    write_labelimg_xml(year / "Annotations" / "2007_000033.xml", year / "JPEGImages" / "2007_000033.jpg", 64, 48,
                       [VocObject("dog", 0, 0, 10, 10), VocObject("person", 20, 20, 30, 30)])
    (year / "ImageSets" / "Segmentation").mkdir(parents=True)
    (year / "ImageSets" / "Segmentation" / "train.txt").write_text("2007_000032\n")
    (year / "ImageSets" / "Segmentation" / "val.txt").write_text("2007_000033\n")
    with Store.create(tmp_path / "voc") as store:
        report = import_folder(store)
        first, second = "VOCdevkit/VOC2012/JPEGImages/2007_000032.jpg", "VOCdevkit/VOC2012/JPEGImages/2007_000033.jpg"
        assert report.format == "vocdevkit" and report.masks.masks == 4
        assert {k: int(v.sum()) for k, v in _masks(store, first).items()} == {"aeroplane": 225, "person": 300}
        assert {k: int(v.sum()) for k, v in _masks(store, second).items()} == {"dog": 100, "person": 100}
        assert (store.image_by_path(first).split, store.image_by_path(second).split) == ("train", "val")


def test_a_missing_mask_folder_is_a_plain_error(project, tmp_path):
    with pytest.raises(ImportFailed, match="mask folder not found"):
        import_folder(project, masks=tmp_path / "nowhere")


def test_a_mask_folder_inside_the_project_is_not_imported_as_images(project, tmp_path):
    masks = project.root / "seg"
    save_grey(masks / "003.png", square() * 255)
    report = import_folder(project, masks=masks)
    assert report.added == 4 and all(not img.path.startswith("seg/") for img in project.images())
    assert report.masks.masks == 1 and report.problems == []
    with pytest.raises(ImportFailed, match="a folder of their own"):
        import_folder(project, masks=project.root)
