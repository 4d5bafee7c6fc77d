"""Malformed CIFAR python batches, built as real pickle files (issue 13 item 15): each gets a plain message or a
warning naming the file, never a crash; labels outside the class list are not turned into classes; batches pickled
with protocol 2 or 5 load, and still never run code."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

from labelstudio_desktop.core.formats import cifar
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder

NAMES = [b"cat", b"dog", b"ship"]


def _batch(folder: Path, n: int = 5, protocol: int = pickle.DEFAULT_PROTOCOL, meta: dict | None = None, **fields):
    """``data_batch_1`` of ``n`` images (fields override or, given None, drop the standard ones) and a meta file."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump(meta if meta is not None else {b"label_names": NAMES}, f, protocol=protocol)
    rng = np.random.default_rng(0)
    batch = {b"batch_label": b"training batch 1 of 1",
             b"data": rng.integers(0, 255, (n, 3072), dtype=np.uint8),
             b"labels": [i % 3 for i in range(n)],
             b"filenames": [f"img_{i}.png".encode() for i in range(n)]}
    for key, value in fields.items():
        if value is None:
            batch.pop(key.encode())
        else:
            batch[key.encode()] = value
    with open(folder / "data_batch_1", "wb") as f:
        pickle.dump(batch, f, protocol=protocol)


def _import(root: Path):
    with Store.create(root) as store:
        report = import_folder(store)
        return report, {img.path.rsplit("/", 1)[-1]: img.label for img in store.images()}


def _reasons(report, name: str) -> list[str]:
    return [p.reason for p in report.problems if p.path.endswith(name)]


@pytest.mark.parametrize("labels, fragment, classes", [
    (["cat", "dog", "ship", "cat", "dog"], "not whole numbers (such as 'cat')", [None] * 5),
    ([0.0, float("nan"), 2.0, 1.0, 0.0], "not whole numbers (such as nan)", ["cat", None, "ship", "dog", "cat"]),
    (np.array([0, 1, np.nan, 1, 0]), "not whole numbers (such as nan)", ["cat", "dog", None, "dog", "cat"]),
])
def test_labels_that_are_not_numbers_import_those_images_without_a_class(tmp_path, labels, fragment, classes):
    _batch(tmp_path / "p", labels=labels)
    report, images = _import(tmp_path / "p")
    assert [images[f"{i:05d}_img_{i}.png"] for i in range(5)] == classes
    assert any(fragment in r for r in _reasons(report, "data_batch_1")), report.problems


@pytest.mark.parametrize("labels, fragment", [
    (3, "'labels' is a single int, not one label per image"),
    (b"\x00\x01\x02\x00\x01", "'labels' is a single bytes"),
    (np.zeros((5, 2)), "'labels' is a 2-D array"),
    ([0, 1], "2 labels for 5 images"),
])
def test_labels_that_cannot_be_matched_to_images_refuse_the_batch_with_a_message(tmp_path, labels, fragment):
    _batch(tmp_path / "p", labels=labels)
    report, images = _import(tmp_path / "p")
    assert images == {}
    errors = [p for p in report.problems if p.path.endswith("data_batch_1") and p.severity == "error"]
    assert errors and fragment in errors[0].reason


@pytest.mark.parametrize("filenames, fragment", [
    (7, "'filenames' is a single int"),
    (b"img.png", "'filenames' is a single bytes"),
    (np.array([b"a.png", b"b.png", b"c.png", b"d.png", b"e.png"]), None),  # an array: fine, no crash
    ([1, 2, 3, 4, 5], "some file names are not text"),
    ([b"only.png"], "1 file names for 5 images: the rest are named by number"),
])
def test_odd_filenames_never_lose_images(tmp_path, filenames, fragment):
    _batch(tmp_path / "p", filenames=filenames)
    report, images = _import(tmp_path / "p")
    assert len(images) == 5  # every row, whatever the names (fewer names than images kept 1 row of 5)
    if fragment:
        assert any(fragment in r for r in _reasons(report, "data_batch_1")), report.problems
    else:
        assert {"00000_a.png", "00004_e.png"} <= set(images)


@pytest.mark.parametrize("names, fragment", [
    (10, "'label_names' is a single int, not a list of class names; classes named by number"),
    ([b"cat", b"dog\nhound", b"ship"], "has a line break: a label is one line: class 1 is named 1"),
])
def test_odd_label_names_are_warned_about_and_classes_named_by_number(tmp_path, names, fragment):
    _batch(tmp_path / "p", meta={b"label_names": names})
    report, images = _import(tmp_path / "p")
    assert len(images) == 5
    assert any(fragment in r for r in _reasons(report, "batches.meta")), report.problems
    assert all("\n" not in (label or "") for label in images.values())


def test_labels_outside_the_class_list_are_not_made_classes(tmp_path):
    _batch(tmp_path / "p", labels=[0, -5, 2, 99, 1])
    report, images = _import(tmp_path / "p")
    assert sorted(v for v in images.values() if v) == ["cat", "dog", "ship"]
    assert list(images.values()).count(None) == 2
    assert any("2 image(s) have labels outside the 3 classes of batches.meta (0..2) (-5, 99)" in r
               for r in _reasons(report, "data_batch_1")), report.problems


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_every_pickle_protocol_loads(tmp_path, protocol):
    _batch(tmp_path / "p", protocol=protocol)
    report, images = _import(tmp_path / "p")
    assert sorted(images.values()) == ["cat", "cat", "dog", "dog", "ship"], report.problems
    assert not [p for p in report.problems if p.severity == "error"]


class _Evil:
    def __reduce__(self):
        return (Path.touch, (Path(self.target),))


@pytest.mark.parametrize("protocol", [2, 5])
def test_a_pickle_that_would_run_code_is_refused_at_any_protocol(tmp_path, protocol):
    evil = _Evil()
    evil.target = str(tmp_path / "pwned")
    _batch(tmp_path / "p", protocol=protocol, labels=[0, 1, 2, evil, 0])
    report, images = _import(tmp_path / "p")
    assert not (tmp_path / "pwned").exists() and images == {}
    assert any("refused to load" in r for r in _reasons(report, "data_batch_1")), report.problems


def test_only_text_codecs_may_be_named(tmp_path):
    (tmp_path / "b").write_bytes(b"\x80\x02c_codecs\nencode\nq\x00X\x01\x00\x00\x00xX\x04\x00\x00\x00zlib\x86R.")
    with pytest.raises(cifar.CifarError, match="refused to encode with 'zlib'"):
        cifar.load_pickle(tmp_path / "b")
