"""Every registered export format (core/formats/registry.py: each format's module registers it) exported and
imported back: the same boxes, classes and masks for each format the importer reads; a format it does not read says
why here. A new format is added to :data:`READ_BACK` or :data:`NOT_READ_BACK`, or this test fails."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePosixPath

import numpy as np
import pytest
from helpers import write_image

from labelstudio_desktop.core.formats.catalog import READERS
from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.masks import decode_mask, encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.export_formats import EXPORT_FORMATS
from labelstudio_desktop.core.transfer.importer import FORMATS as IMPORT_FORMATS
from labelstudio_desktop.core.transfer.importer import import_folder

#: How each format's export is read back: (export options, what must come back the same).
READ_BACK = {
    "voc": ({"layout": "labelimg"}, "boxes"),
    "voc-vocdevkit": ({"layout": "vocdevkit"}, "boxes"),
    "yolo": ({}, "boxes"),
    "coco": ({}, "boxes+masks"),
    "coco-polygons": ({"mask_format": "polygons"}, "boxes"),
    "labelme": ({}, "boxes"),
    "masks": ({"layout": "vocdevkit"}, "masks"),
    "crops": ({"source": "boxes", "padding": 0.0}, "classes"),
}
NOT_READ_BACK = {
    "yolov3": "keras-yolo3 annotation lines are a training list, not an import format",
    "augmented": "transformed copies: new images, not the project's",
}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    for k, name in enumerate("abc"):
        write_image(root / f"{name}.jpg", 100, 80, seed=k)
    store = Store.create(root)
    import_folder(store)
    ids = {PurePosixPath(i.path).stem: i.id for i in store.images()}
    store.insert_box(BoxRecord(0, ids["a"], "nut", 10, 20, 40, 60))
    store.insert_box(BoxRecord(0, ids["a"], "bolt", 0, 0, 100, 80))
    store.insert_box(BoxRecord(0, ids["b"], "washer", 50, 5, 51, 6))
    store.insert_box(BoxRecord(0, ids["c"], "nut", 1, 2, 99, 79))
    mask = np.zeros((80, 100), np.uint8)
    mask[30:50, 60:90] = 1
    store.add_mask(ids["b"], "nut", encode_mask(mask))
    for name, split in zip("abc", ("train", "val", "test"), strict=True):
        store.update_image_fields(ids[name], {"split": split})
    yield store
    store.close()


def _stem(path: str) -> str:
    return PurePosixPath(path).stem


def _boxes(store: Store) -> dict:
    return {_stem(i.path): sorted((b.label, b.edges) for b in store.boxes(i.id)) for i in store.images()
            if store.boxes(i.id)}


def _masks(store: Store) -> dict:
    return {(_stem(i.path), r["label"]): decode_mask(r["png"], i.width, i.height).astype(bool)
            for i in store.images() for r in store.masks(i.id)}


def test_every_registered_format_is_read_back_or_says_why_not():
    covered = {key.split("-")[0] for key in READ_BACK} | set(NOT_READ_BACK)
    assert covered == set(EXPORT_FORMATS)


def test_every_registered_reader_is_an_import_format_in_detection_order():
    ranks = sorted(READERS.values(), key=lambda f: f.rank)
    assert [f.key for f in ranks] == [k for k in IMPORT_FORMATS if k in READERS]
    assert all(f.title for f in ranks) and len({f.rank for f in ranks}) == len(ranks)
    assert all((f.sniff_json is None) == (f.read_json is None) for f in ranks)


@pytest.mark.parametrize("case", sorted(READ_BACK))
def test_export_then_import_gives_the_same(project, tmp_path, case):
    options, same = READ_BACK[case]
    fmt = EXPORT_FORMATS[case.split("-")[0]]
    out = tmp_path / "out"
    report = fmt.write(project, out, False, False, JobToken(), **options)
    assert report.images
    if case == "voc":  # the labelImg layout: sidecar XMLs, read with the project's own images
        back = Store.create(project.root, tmp_path / "back.db")
        import_folder(back, annotations=out)
    else:
        back = Store.create(out, tmp_path / "back.db")
        import_folder(back)
    with back:
        if "boxes" in same:
            assert _boxes(back) == _boxes(project)
        if "masks" in same:
            theirs, ours = _masks(back), _masks(project)
            assert theirs.keys() == ours.keys() and all(np.array_equal(theirs[k], ours[k]) for k in ours)
        if same == "classes":  # a crop per box, in a folder named for its label
            assert Counter(i.label for i in back.images()) == Counter(b.label for i in project.images()
                                                                        for b in project.boxes(i.id))
