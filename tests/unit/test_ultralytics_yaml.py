"""Ultralytics ``data.yaml`` splits in each form its dataset documentation gives: a folder of images, a ``.txt`` list of
image paths, or a list of folders (issue 12 item 4)."""

from __future__ import annotations

from helpers import write_image

from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder

W, H = 100, 80
LINE = "0 0.5 0.5 0.2 0.25\n"  # (40, 30, 60, 50) on a 100 x 80 image


def _dataset(root, names):
    """Images in one flat ``images/`` folder with labels in ``labels/`` (but ``n``, a negative without labels)."""
    for name in names:
        write_image(root / "images" / f"{name}.jpg", W, H, seed=len(name))
        if name != "n":
            (root / "labels").mkdir(parents=True, exist_ok=True)
            (root / "labels" / f"{name}.txt").write_text(LINE)


def _imported(root):
    store = Store.create(root)
    report = import_folder(store)
    splits = {i.path: i.split for i in store.images()}
    boxes = {i.path: [(b.label, *b.edges) for b in store.boxes(i.id)] for i in store.images()}
    store.close()
    return report, splits, boxes


def test_train_and_val_as_list_files_of_image_paths(tmp_path):
    _dataset(tmp_path, ["a", "b", "c", "n"])
    (tmp_path / "autosplit_train.txt").write_text("./images/a.jpg\n./images/b.jpg\n")
    (tmp_path / "autosplit_val.txt").write_text("./images/c.jpg\n\n./images/n.jpg\n./images/gone.jpg\n")
    (tmp_path / "data.yaml").write_text("path: .\ntrain: autosplit_train.txt\nval: autosplit_val.txt\ntest:\n"
                                        "names:\n  0: nut\n")
    report, splits, boxes = _imported(tmp_path)
    assert report.format == "yolo"
    assert splits == {"images/a.jpg": "train", "images/b.jpg": "train", "images/c.jpg": "val",
                      "images/n.jpg": "val"}
    assert boxes["images/c.jpg"] == [("nut", 40, 30, 60, 50)] and boxes["images/n.jpg"] == []
    assert any("1 listed image(s) not found: ./images/gone.jpg" in p.reason for p in report.problems)


def test_a_list_of_folders_and_a_moved_absolute_path(tmp_path):
    for folder, name in (("part1", "a"), ("part2", "b"), ("holdout", "c")):
        write_image(tmp_path / "images" / folder / f"{name}.jpg", W, H, seed=len(name))
        (tmp_path / "labels" / folder).mkdir(parents=True)
        (tmp_path / "labels" / folder / f"{name}.txt").write_text(LINE)
    (tmp_path / "data.yaml").write_text("path: /nowhere/moved/dataset\ntrain: [images/part1, images/part2]\n"
                                        "val: images/holdout\nnames: [nut]\n")
    report, splits, boxes = _imported(tmp_path)
    assert splits == {"images/part1/a.jpg": "train", "images/part2/b.jpg": "train", "images/holdout/c.jpg": "val"}
    assert all(b == [("nut", 40, 30, 60, 50)] for b in boxes.values())
    assert any("is not a folder" in p.reason for p in report.problems)
