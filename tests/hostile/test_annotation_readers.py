"""Hostile annotation files never stop an import (issue 22, item 2): each bad record or file is a note naming the
file and the record, the rest of that file and the other files import, nothing is written outside the project, and
cost is bounded by structure (what would blow up is refused before it is expanded or allocated).

Every case runs the import the CLI runs (:func:`import_folder`) on a generated project (:mod:`reader_cases`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import write_image
from reader_cases import BOX_A, BOX_B, CASES, Case, H, W, dump

from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.core.validate import MAX_NOTES


def project(tmp_path: Path) -> Path:
    """The project folder with two real images, and a victim folder beside it that nothing may touch."""
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "secret.txt").write_text("keep me")
    root = tmp_path / "p"
    write_image(root / "a.jpg", W, H, seed=1)
    write_image(root / "b.jpg", W, H, seed=2)
    return root


def outside(tmp_path: Path, root: Path) -> dict[str, tuple[int, int]]:
    """Every file beside the project (not in it), with its size and modification time."""
    return {str(p.relative_to(tmp_path)): (p.stat().st_size, p.stat().st_mtime_ns) for p in tmp_path.rglob("*")
            if root != p and root not in p.parents}


def run_import(root: Path, fmt: str = "auto", **kw):
    """The CLI's import; returns the report and each image's boxes as (label, x0, y0, x1, y1)."""
    with Store.create(root) as store:
        report = import_folder(store, fmt=fmt, **kw)
        boxes = {img.path: sorted((b.label, b.x0, b.y0, b.x1, b.y1) for b in store.boxes(img.id))
                 for img in store.images()}
        masks = {img.path: [m["label"] for m in store.masks(img.id)] for img in store.images()}
    return report, boxes, masks


def named(report, file: str, *words: str) -> bool:
    """A problem of the report names ``file`` and holds every one of ``words``."""
    return any(file in f"{p.path} {p.reason}" and all(w in f"{p.path} {p.reason}" for w in words)
               for p in report.problems)


def shown(report) -> str:
    return "\n".join(f"{p.path} [{p.severity}] {p.reason}" for p in report.problems)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_a_hostile_record_is_named_and_the_rest_imports(tmp_path, case: Case):
    root = project(tmp_path)
    case.write(root)
    before = outside(tmp_path, root)
    report, boxes, _masks = run_import(root, case.fmt)
    assert boxes["a.jpg"] == [BOX_A], shown(report)
    if case.keeps_b:
        assert BOX_B in boxes["b.jpg"], shown(report)
    assert named(report, case.file, *case.words), shown(report)
    assert outside(tmp_path, root) == before


def test_a_file_of_thousands_of_bad_records_gives_a_bounded_list_of_notes(tmp_path):
    root = project(tmp_path)
    bad = [{"id": k, "image_id": 1, "category_id": 2, "bbox": [float("nan"), 1, 2, 3]} for k in range(2, 2002)]
    dump(root / "cards.json", {"images": [{"id": 1, "file_name": "b.jpg", "width": W, "height": H}],
                               "annotations": [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [5, 5, 15, 15]},
                                               *bad], "categories": [{"id": 2, "name": "dog"}]})
    report, boxes, _masks = run_import(root, "coco")
    assert boxes["b.jpg"] == [BOX_B]
    notes = [p.reason for p in report.problems if p.path == "b.jpg"]
    assert len(notes) == MAX_NOTES + 1 and notes[0].startswith("cards.json: annotation 2 ")
    assert notes[-1] == f"cards.json: and {2000 - MAX_NOTES} more problem(s) like these"
