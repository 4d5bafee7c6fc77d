"""The Export dialog in a real window: every CLI format with only its options, picked with keys and clicks; the files
a VOC segmentation set, cut-out crops and VOC are written as; an empty result and existing files said plainly."""

from __future__ import annotations

import numpy as np
import pytest
from dialogs_helper import answer_next_message_box, answer_next_modal
from helpers import write_image
from mask_files import square
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.export_formats import EXPORT_FORMATS
from labelstudio_desktop.core.transfer.export_formats import FORMATS as MORE_FORMATS
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.gui.export_dialog import ExportDialog

W, H = 96, 64
# image -> (class, split, masks as (label, box, state))
PICTURES = {
    "nut_0.jpg": ("nut", "train", [("nut", (10, 10, 40, 40), "accepted"), ("nut", (60, 20, 80, 50), "accepted")]),
    "nut_1.jpg": ("nut", "val", [("nut", (20, 5, 50, 30), "pending")]),
    "bolt_2.jpg": ("bolt", "test", [("bolt", (30, 15, 70, 45), "accepted")]),
    "bolt_3.jpg": ("bolt", "train", []),
}


@pytest.fixture
def shapes(tmp_path):
    """A project of four real pictures with splits, masks (one pending) and a box on each."""
    folder = tmp_path / "shapes"
    for n, name in enumerate(PICTURES):
        write_image(folder / name, W, H, seed=n)
    with Store.create(folder) as store:
        import_folder(store)
        for name, (label, split, masks) in PICTURES.items():
            image = store.image_by_path(name)
            store.update_image_fields(image.id, {"label": label, "split": split})
            store.insert_box(BoxRecord(0, image.id, label, 5, 5, 50, 40))
            for mask_label, box, state in masks:
                store.add_mask(image.id, mask_label, encode_mask(square(W, H, box)), state=state)
    return folder


def _files(folder) -> set[str]:
    """The files below ``folder`` (but the project's own ``.labelstudio``: thumbnails come and go)."""
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            and ".labelstudio" not in p.relative_to(folder).parts}


def _pick(qtbot, combo, data) -> None:
    """Choose the item with ``data`` in a combo box with the arrow keys, as a user would."""
    combo.setFocus()
    target = combo.findData(data)
    while combo.currentIndex() != target:
        qtbot.keyClick(combo, Qt.Key_Down if combo.currentIndex() < target else Qt.Key_Up)


def _type(qtbot, widget, text: str) -> None:
    """Replace a field's text by typing."""
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key_A, Qt.ControlModifier)
    qtbot.keyClicks(widget, text)


def _click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.LeftButton, pos=widget.rect().center())


def _tick(qtbot, box) -> None:
    """Click a check box's indicator (its centre may lie past its text, where a click does nothing)."""
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    pos = box.style().subElementRect(QStyle.SE_CheckBoxIndicator, option, box).center()
    checked = box.isChecked()
    qtbot.mouseClick(box, Qt.LeftButton, pos=pos)
    assert box.isChecked() != checked


def _export(window, qtbot, fill) -> None:
    """Press Export on the toolbar, let ``fill(dialog)`` make the choices, click Export, wait for the job."""
    def act(dialog):
        fill(dialog)
        _click(qtbot, dialog.buttons.button(QDialogButtonBox.Ok))

    answer_next_modal(ExportDialog, act)
    _click(qtbot, _toolbar_button(window, window.act_export))
    qtbot.waitUntil(lambda: not window.jobs.runner.busy(), timeout=20000)


def _toolbar_button(window, action):
    from PySide6.QtWidgets import QToolBar

    for toolbar in window.findChildren(QToolBar):
        widget = toolbar.widgetForAction(action)
        if widget is not None:
            return widget
    raise AssertionError(f"{action.text()} is on no toolbar")


def test_every_cli_format_is_offered_with_only_its_options(shapes, open_window, qtbot):
    window = open_window(shapes)
    assert "Pascal VOC" in window.act_export.toolTip() and "segmentation" in window.act_export.toolTip()
    seen = {}

    def walk(dialog):
        combo = dialog.format
        _pick(qtbot, combo, combo.itemData(0))
        for _ in range(combo.count()):
            shown = {name for name, widget in dialog.rows.items() if widget.isVisible()}
            assert dialog.description.text() and dialog.pending.isVisible() and dialog.overwrite.isVisible()
            seen[dialog.fmt()] = (shown, dialog.description.text(), dialog.layout_box.count())
            qtbot.keyClick(combo, Qt.Key_Down)
        qtbot.keyClick(dialog, Qt.Key_Escape)

    answer_next_modal(ExportDialog, walk)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)  # the window's shortcuts need it active
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_E, Qt.ControlModifier)
    assert set(seen) == {"voc", *MORE_FORMATS}  # what `labelstudio-desktop export --format` takes
    assert {fmt: shown for fmt, (shown, _d, _n) in seen.items()} == {
        "voc": {"layout"}, "masks": {"layout", "border"}, "crops": {"source", "cutout", "padding"},
        "coco": {"mask_format"}, "labelme": set(), "yolo": set(), "yolov3": set(), "augmented": {"variants"}}
    assert {f: set(EXPORT_FORMATS[f].options) for f in seen} == {f: s for f, (s, _d, _n) in seen.items()}
    assert len({d for _s, d, _n in seen.values()}) == len(seen)  # a description of its own each
    assert seen["voc"][2] == seen["masks"][2] == 2  # labelImg | VOCdevkit; into the folder | VOCdevkit/VOC2012
    assert not window.jobs.runner.busy() and not (shapes.parent / "shapes-export").exists()  # cancelled


def test_a_voc_segmentation_set_from_the_toolbar(shapes, open_window, qtbot, tmp_path):
    window = open_window(shapes)
    out = tmp_path / "out"
    before = _files(shapes)

    def fill(dialog):
        _pick(qtbot, dialog.format, "masks")
        _pick(qtbot, dialog.layout_box, "vocdevkit")
        _type(qtbot, dialog.border, "2")
        _tick(qtbot, dialog.pending)
        _type(qtbot, dialog.folder, str(out))

    _export(window, qtbot, fill)
    base = out / "VOCdevkit" / "VOC2012"
    ids = ["nut_0", "nut_1", "bolt_2"]  # bolt_3 has no mask; nut_1's is pending (included)
    assert _files(out) == {f"VOCdevkit/VOC2012/{d}/{i}.{'jpg' if d == 'JPEGImages' else 'png'}" for i in ids for d in
                           ("JPEGImages", "SegmentationClass", "SegmentationClassRaw", "SegmentationObject")} | {
        f"VOCdevkit/VOC2012/ImageSets/Segmentation/{s}.txt" for s in ("train", "val", "test", "trainval")} | {
        "VOCdevkit/VOC2012/labelmap.txt", "VOCdevkit/VOC2012/classes.txt"}
    sets = base / "ImageSets" / "Segmentation"
    assert (sets / "train.txt").read_text().split() == ["nut_0"]
    assert (sets / "trainval.txt").read_text().split() == ["nut_0", "nut_1"]
    assert (sets / "test.txt").read_text().split() == ["bolt_2"]
    nut = Image.open(base / "SegmentationClass" / "nut_0.png")
    assert nut.mode == "P" and nut.size == (W, H)
    classes = (base / "classes.txt").read_text().split()
    indices = np.asarray(nut)
    assert indices[25, 25] == classes.index("nut") and indices[2, 2] == 0
    assert indices[10, 25] == 255 and indices[25, 50] == 0  # the 2-pixel border band around the square
    objects = np.asarray(Image.open(base / "SegmentationObject" / "nut_0.png"))
    assert {int(objects[25, 25]), int(objects[35, 70])} == {1, 2}
    message = window.statusBar().currentMessage()
    assert "3 images" in message and str(base) in message
    wide = window.counts_label.maximumWidth()
    assert wide <= window.width() // 4  # the counts beside the message make room for it...
    window.statusBar().clearMessage()
    assert window.counts_label.maximumWidth() > wide  # ...until it goes
    assert _files(shapes) == before  # nothing written beside the images


def test_cut_out_crops_from_masks(shapes, open_window, qtbot, tmp_path):
    window = open_window(shapes)
    out = tmp_path / "crops"
    states = {}

    def fill(dialog):
        _pick(qtbot, dialog.format, "crops")
        states["boxes"] = dialog.cutout.isEnabled()
        _pick(qtbot, dialog.source, "masks")
        _tick(qtbot, dialog.cutout)
        _type(qtbot, dialog.folder, str(out))

    _export(window, qtbot, fill)
    assert states["boxes"] is False  # a box has no outline to cut along
    assert _files(out) == {"nut/nut_0_0.png", "nut/nut_0_1.png", "bolt/bolt_2_0.png"}  # accepted masks only
    crop = Image.open(out / "nut" / "nut_0_0.png")
    assert crop.mode == "RGBA" and crop.size == (36, 36)  # the 30 x 30 square grown by 10 % on each side
    alpha = np.asarray(crop)[..., 3]
    assert alpha[0, 0] == 0 and alpha[2, 18] == 0 and alpha[3, 18] == 255 and alpha[18, 18] == 255
    assert "3 crops from 2 images" in window.statusBar().currentMessage()


def test_crops_of_boxes_with_padding(shapes, open_window, qtbot, tmp_path):
    window = open_window(shapes)
    out = tmp_path / "boxes"

    def fill(dialog):
        _pick(qtbot, dialog.format, "crops")
        _type(qtbot, dialog.padding, "20")
        _type(qtbot, dialog.folder, str(out))

    _export(window, qtbot, fill)
    assert len(_files(out)) == 4
    crop = Image.open(out / "bolt" / "bolt_3_0.png")
    assert crop.mode == "RGB" and crop.size == (45 + 5 + 9, 35 + 5 + 7)  # 45 x 35 grown by 20 %, cut at the edge


def test_an_empty_result_says_why_and_writes_nothing(demo, open_window, qtbot, tmp_path):
    window = open_window(demo / "images")  # the demo as imported: no masks
    out = tmp_path / "empty"

    def fill(dialog):
        _pick(qtbot, dialog.format, "masks")
        _type(qtbot, dialog.folder, str(out))

    said = []

    def read(box):
        said.extend([box.text(), window.job_progress.isVisible()])
        box.button(QMessageBox.Ok).click()

    answer_next_modal(QMessageBox, read)
    _export(window, qtbot, fill)
    qtbot.waitUntil(lambda: len(said) == 2)
    assert said == ["Nothing was exported: the project has no masks: import mask images (Project > Import masks…) "
                    "or paint masks in the app.", False]  # no "running" bar beside the message
    assert not out.exists()


def test_only_pending_masks_and_files_that_exist_are_explained(shapes, open_window, qtbot, tmp_path):
    window = open_window(shapes)
    with Store.open(shapes) as store:
        store.conn.execute("UPDATE masks SET state='pending'")
        store.conn.commit()
    out = tmp_path / "out"

    def masks_into(out_folder, replace=False):
        def fill(dialog):
            _pick(qtbot, dialog.format, "masks")
            _type(qtbot, dialog.folder, str(out_folder))
            if replace:
                _tick(qtbot, dialog.overwrite)
        return fill

    said = answer_next_message_box(None)
    _export(window, qtbot, masks_into(out))
    qtbot.waitUntil(lambda: len(said) == 2)
    assert "only pending masks (4)" in said[0] and "tick “Include pending proposals”" in said[0]
    assert "--" not in said[0]

    def voc(dialog, replace=False):
        _pick(qtbot, dialog.format, "voc")
        _pick(qtbot, dialog.layout_box, "vocdevkit")
        _type(qtbot, dialog.folder, str(out))
        if replace:
            _tick(qtbot, dialog.overwrite)

    _export(window, qtbot, voc)
    written = _files(out)
    assert "VOCdevkit/VOC2007/Annotations/nut_0.xml" in written and len(written) > 8
    said = answer_next_message_box(None)
    _export(window, qtbot, voc)  # the same again: the files exist
    qtbot.waitUntil(lambda: len(said) == 2)
    assert "already exist" in said[0] and "tick “Replace files that already exist”" in said[0]
    _export(window, qtbot, lambda dialog: voc(dialog, replace=True))
    assert "4 images, 4 objects" in window.statusBar().currentMessage() and _files(out) == written


def test_the_folder_must_be_a_full_path_and_is_remembered_with_the_format(shapes, open_window, qtbot, tmp_path):
    window = open_window(shapes)
    out = tmp_path / "yolo"
    checked = {}

    def fill(dialog):
        assert dialog.folder.text() == str(shapes.parent / "shapes-export")  # the first default: beside the project
        ok = dialog.buttons.button(QDialogButtonBox.Ok)
        _type(qtbot, dialog.folder, "relative/folder")
        checked["relative"] = (ok.isEnabled(), dialog.hint.text())
        qtbot.keyClick(dialog.folder, Qt.Key_Return)  # Enter does not export into a relative folder
        checked["still open"] = dialog.isVisible()
        _type(qtbot, dialog.folder, str(shapes / "nut_0.jpg"))
        checked["file"] = ok.isEnabled()
        _pick(qtbot, dialog.format, "yolo")
        _type(qtbot, dialog.folder, str(out))

    _export(window, qtbot, fill)
    assert checked == {"relative": (False, "Give the folder's full path (or choose it with Browse…)."),
                       "still open": True, "file": False}
    assert {"data.yaml", "images/train/nut_0.jpg", "labels/train/nut_0.txt"} <= _files(out)
    remembered = {}

    def look(dialog):
        remembered.update(folder=dialog.folder.text(), fmt=dialog.fmt())
        dialog.reject()

    answer_next_modal(ExportDialog, look)
    window.act_export.trigger()
    assert remembered == {"folder": str(out), "fmt": "yolo"}
    other = ExportDialog(window.settings, tmp_path / "other", tmp_path / "other" / ".labelstudio" / "project.db")
    qtbot.addWidget(other)
    assert other.folder.text() == str(tmp_path / "other-export")  # never another project's export folder
    assert other.fmt() == "yolo"  # the format is the user's habit


def test_coco_with_masks_as_polygons(shapes, open_window, qtbot, tmp_path):
    import json

    window = open_window(shapes)
    out = tmp_path / "coco"
    offered = {}

    def fill(dialog):
        _pick(qtbot, dialog.format, "coco")
        offered["masks as"] = [dialog.mask_format.itemData(i) for i in range(dialog.mask_format.count())]
        _pick(qtbot, dialog.mask_format, "polygons")
        _type(qtbot, dialog.folder, str(out))

    _export(window, qtbot, fill)
    assert offered["masks as"] == list(EXPORT_FORMATS["coco"].choices["mask_format"])
    train = json.loads((out / "annotations" / "instances_train.json").read_text())
    segmentations = [a["segmentation"] for a in train["annotations"] if a.get("segmentation")]
    assert segmentations and all(isinstance(s, list) for s in segmentations)  # polygons, not RLE dicts
