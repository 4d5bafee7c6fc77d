"""Hostile mask files and CIFAR batches beside valid ones (issue 22, item 2): each is named with a plain reason, the
valid file beside it is imported, nothing outside the project changes."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_annotation_readers import named, outside, project, run_import, shown
from test_reading_costs import png_start, sparse

MASK = np.pad(np.ones((16, 20), np.uint8), ((8, 24), (10, 34)))  # 64 x 48, a 20 x 16 block


def _save(path: Path, values: np.ndarray, mode: str = "L") -> None:
    Image.fromarray(np.asarray(values, np.uint8), mode).save(path)


MASK_CASES = {
    "text-named-png": (lambda p: p.write_text("not a picture"), "not an image"),
    "empty": (lambda p: p.write_bytes(b""), "empty file"),
    "another-size": (lambda p: _save(p, np.ones((10, 10))), "mask is 10x10, the image is 64x48"),
    "sparse-gigabyte": (lambda p: sparse(p, png_start(64, 48)), "not an image"),
    "all-background": (lambda p: _save(p, np.zeros((48, 64))), "empty mask"),
    "unknown-colours": (lambda p: _save(p, np.dstack([MASK * 7, MASK * 99, MASK * 3]), "RGB"), "colour"),
}


@pytest.mark.parametrize("case", sorted(MASK_CASES))
def test_a_hostile_mask_file_is_named_and_the_valid_one_imported(tmp_path, case):
    root = project(tmp_path)
    masks = tmp_path / "masks"
    masks.mkdir()
    _save(masks / "a.png", MASK)
    write, words = MASK_CASES[case]
    write(masks / "b.png")
    before = outside(tmp_path, root)
    report, _boxes, found = run_import(root, masks=masks)
    assert found["a.jpg"] == ["object"] and found["b.jpg"] == [], shown(report)
    assert named(report, "b.png", words), shown(report)
    assert outside(tmp_path, root) == before


def _batch(path: Path, fields: dict) -> None:
    """A batch of 4 images with ``fields`` in place of the standard ones, or the raw pickle ``fields[b"pickle"]``."""
    rng = np.random.default_rng(0)
    batch = {b"data": rng.integers(0, 255, (4, 3072), dtype=np.uint8), b"labels": [0, 1, 0, 1], **fields}
    path.write_bytes(fields.get(b"pickle") or pickle.dumps(batch))


BATCH_CASES = {
    "runs-code": ({b"pickle": b"cos\nsystem\n(S'touch /tmp/pwned-by-a-batch'\ntR."}, "refused to load os.system"),
    "odd-rows": ({b"data": np.zeros((4, 3), np.uint8)}, "neither 3 nor 9 planes"),
    "labels-nested": ({b"labels": [[[[0]]], 1, 0, 1]}, "not whole numbers"),
    "labels-short": ({b"labels": [0]}, "1 labels for 4 images"),
}


@pytest.mark.parametrize("case", sorted(BATCH_CASES))
def test_a_hostile_cifar_batch_is_named_and_the_valid_one_imported(tmp_path, case):
    root = tmp_path / "p"
    root.mkdir()
    _batch(root / "data_batch_1", {})
    fields, words = BATCH_CASES[case]
    _batch(root / "test_batch", fields)
    before = outside(tmp_path, root)
    report, boxes, _masks = run_import(root)
    assert sum(path.startswith("cifar-png/data_batch_1/") for path in boxes) == 4, shown(report)
    assert named(report, "test_batch", words), shown(report)
    assert outside(tmp_path, root) == before
    assert not Path("/tmp/pwned-by-a-batch").exists()
