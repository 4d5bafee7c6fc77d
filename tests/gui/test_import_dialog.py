"""Project > Import annotations… in a real window: the folder or the file chosen in Qt's file dialogs, the format
picked from the list with the mouse, the import run in the background, its problems listed by file."""

from __future__ import annotations

import json
import shutil

from dialogs_helper import answer_next_folder_dialog, answer_next_message_box, answer_next_modal, click_menu_action
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit

from labelstudio_desktop.core.transfer.importer import FORMATS
from labelstudio_desktop.gui.import_dialog import FORMAT_TITLES, ImportAnnotationsDialog


def _open(qtbot, window) -> ImportAnnotationsDialog:
    click_menu_action(qtbot, window, "&Project", window.act_import_annotations)
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), ImportAnnotationsDialog))
    return QApplication.activeModalWidget()


def _pick_format(qtbot, dialog, key: str) -> None:
    """Open the format list with a click, go down to the entry of ``key`` with the arrow key, press Enter."""
    combo = dialog.format
    qtbot.mouseClick(combo, Qt.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    for _ in range(combo.findData(key) - combo.currentIndex()):
        qtbot.keyClick(view, Qt.Key_Down)
    qtbot.keyClick(view, Qt.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible())
    assert combo.currentData() == key


def _answer_file_dialog(path) -> None:
    """Choose the file ``path`` in the next file dialog as a user: go to its folder, type its name, click Open."""

    def act(dialog):
        dialog.setDirectory(str(path.parent))
        dialog.findChild(QLineEdit, "fileNameEdit").setText(path.name)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Open).click()

    answer_next_modal(QFileDialog, act)


def _imported_boxes(window) -> int:
    return window.store.conn.execute("SELECT COUNT(*) FROM boxes WHERE source='imported'").fetchone()[0]


def test_every_import_format_has_a_readable_title(qtbot, settings):
    assert set(FORMAT_TITLES) == set(FORMATS)
    dialog = ImportAnnotationsDialog("")
    qtbot.addWidget(dialog)
    titles = [dialog.format.itemText(k) for k in range(dialog.format.count())]
    assert len(titles) == len(FORMATS) and not set(titles) & set(FORMATS)  # titles, never the bare keys
    assert dialog.format.itemData(0) == "auto"


def test_the_dialog_fits_a_laptop_screen(qtbot, settings):
    """Its description wraps: one long line made the dialog about 1750 px wide."""
    dialog = ImportAnnotationsDialog("")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= 1000 and dialog.minimumSizeHint().width() <= 1000


def test_import_a_folder_of_voc_files_reports_the_broken_one(window, demo, qtbot, tmp_path):
    folder = tmp_path / "labelImg"
    shutil.copytree(demo / "ground_truth" / "annotations", folder)
    (folder / "nut" / "nut_000.xml").write_text("<annotation><object>")  # truncated
    files = len(list(folder.rglob("*.xml")))
    assert _imported_boxes(window) == 0
    dialog = _open(qtbot, window)
    assert not dialog.buttons.button(QDialogButtonBox.Ok).isEnabled()  # nothing chosen yet
    answer_next_folder_dialog(folder)
    qtbot.mouseClick(dialog.folder_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.path.text() == str(folder))
    _pick_format(qtbot, dialog, "voc")
    said = answer_next_message_box(None)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: len(said) == 2, timeout=30000)
    qtbot.waitUntil(lambda: not window.jobs.runner.busy())
    boxes = _imported_boxes(window)
    summary = window.statusBar().currentMessage()
    assert boxes > 50 and summary.startswith(f"Annotations (voc): {boxes} boxes and 0 masks on ")
    assert f"from {files - 1} files" in summary or f"from {files} files" in summary
    assert said[0] == summary
    assert "nut/nut_000.jpg: annotation nut_000.xml: malformed XML" in said[1]  # by image, naming the file
    assert window.settings.value("import/annotations") == str(folder)
    assert window.annotation.image is not None  # the window shows the project after the job


def test_import_one_coco_file_found_automatically(window, qtbot, tmp_path):
    image = window.store.images()[0]
    coco = tmp_path / "elsewhere" / "instances_default.json"
    coco.parent.mkdir()
    coco.write_text(json.dumps({
        "images": [{"id": 1, "file_name": image.path, "width": image.width, "height": image.height}],
        "categories": [{"id": 1, "name": "hex nut"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [2, 3, 10, 12], "area": 120,
                         "iscrowd": 0, "segmentation": []},
                        {"id": 2, "image_id": 99, "category_id": 1, "bbox": [0, 0, 1, 1]}]}))
    dialog = _open(qtbot, window)
    _answer_file_dialog(coco)
    qtbot.mouseClick(dialog.file_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.path.text() == str(coco))
    assert dialog.format.currentData() == "auto"
    said = answer_next_message_box(None)
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: len(said) == 2, timeout=30000)
    qtbot.waitUntil(lambda: not window.jobs.runner.busy())
    assert [(b.label, b.edges) for b in window.store.boxes(image.id)] == [("hex nut", (2, 3, 12, 15))]
    assert window.statusBar().currentMessage().startswith("Annotations (coco): 1 boxes and 0 masks on 1 images ")
    assert "1 annotation(s) name no image of the file, skipped" in said[1]
