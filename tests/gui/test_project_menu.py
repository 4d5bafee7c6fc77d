"""Project > Import masks… in a real window (picked from the menu with the mouse, the folder typed in the folder
dialog), and the demo the app opens: the annotated one `make run` opens."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
from dialogs_helper import answer_next_folder_dialog, answer_next_message_box, click_menu_action
from mask_files import save_grey
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.gui.project_jobs import DEMO_ANNOTATED, DEMO_NAME, demo_folder

ROOT = Path(__file__).resolve().parents[2]


def _import_masks(qtbot, window, folder) -> list[str]:
    """Project > Import masks…, choose ``folder``; returns what the summary box said (when one came up)."""
    said = answer_next_message_box(None)
    answer_next_folder_dialog(folder)
    click_menu_action(qtbot, window, "&Project", window.act_import_masks)
    qtbot.waitUntil(lambda: not window.jobs.runner.busy(), timeout=30000)
    return said


def test_import_masks_from_the_project_menu(window, demo, qtbot, tmp_path):
    masks = tmp_path / "masks"
    shutil.copytree(demo / "ground_truth" / "masks", masks)
    save_grey(masks / "bolt" / "bolt_001.png", np.full((10, 12), 255))  # another size than its image
    save_grey(masks / "zebra_999.png", np.full((10, 12), 255))  # no image of that name
    shown = window.annotation.image
    assert window.store.mask_counts()["accepted"] == 0 and not window.canvas.mask_mode

    said = _import_masks(qtbot, window, masks)
    qtbot.waitUntil(lambda: len(said) == 2)
    imported = window.store.mask_counts()["imported"]
    summary = window.statusBar().currentMessage()
    assert imported > 60 and summary.startswith(f"Masks: {imported} imported from ")
    problems = said[1].splitlines()
    assert said[0] == summary and "problems" in summary and len(problems) == 9  # 8 listed, then how many more
    assert problems[-1].startswith("… and ") and problems[-1].endswith(" more")
    assert problems[0].startswith("bolt/bolt_001.png: mask is 12x10, the image is ")  # by file, in the folder
    assert all(line.startswith("empty/") for line in problems[1:8])  # the demo's empty pictures have empty masks
    assert window.settings.value("import/masks_folder") == str(masks)
    # the window shows what the import did: counts, the image on the canvas with its mask
    assert f"{imported} accepted" in window.counts_label.text()
    assert window.annotation.image.id == shown.id and window.canvas.mask_mode
    assert "accepted mask" in window.properties.mask_state.text()

    said = _import_masks(qtbot, window, masks)  # again: nothing changed
    unchanged = window.statusBar().currentMessage()
    assert unchanged.startswith("Masks: 0 imported from ") and " 0 refreshed" in unchanged
    assert window.store.mask_counts()["imported"] == imported


def test_a_mask_folder_without_problems_needs_no_box(window, demo, qtbot, tmp_path):
    masks = tmp_path / "few"
    for cls in ("nut", "bolt"):
        shutil.copytree(demo / "ground_truth" / "masks" / cls, masks / cls)
    said = _import_masks(qtbot, window, masks)
    count = len(list(masks.rglob("*.png")))
    assert window.statusBar().currentMessage().startswith(f"Masks: {count} imported from {count} files, ")
    assert said == [] and window.store.mask_counts()["imported"] == count


def test_the_app_opens_the_annotated_demo_make_run_opens(qtbot, settings, tmp_path, monkeypatch):
    makefile = (ROOT / "Makefile").read_text()
    assert float(re.search(r"^DEMO_ANNOTATED := (\S+)$", makefile, re.M).group(1)) == DEMO_ANNOTATED
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "labelstudio-desktop" / DEMO_NAME
    assert demo_folder() == folder  # ~/.cache/labelstudio-desktop/demo-annotated without XDG_CACHE_HOME
    # make run opens the same folder: the DEMO make itself computes, with and without XDG_CACHE_HOME
    for env in ({"XDG_CACHE_HOME": str(tmp_path / "cache")}, {}):
        demo = subprocess.run(["make", "-s", "-C", str(ROOT), "--eval", "print-demo: ; @echo $(DEMO)", "print-demo"],
                              env={"HOME": os.environ["HOME"], "PATH": os.environ["PATH"], **env},
                              capture_output=True, text=True, check=True).stdout.strip()
        expected = folder if env else Path(os.environ["HOME"]) / ".cache" / "labelstudio-desktop" / DEMO_NAME
        assert Path(demo) == expected

    from labelstudio_desktop.gui.main_window import MainWindow

    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    button = next(b for b in window.start_page.findChildren(QPushButton) if b.text() == "Open the demo project")
    qtbot.mouseClick(button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.store is not None, timeout=60000)
    assert window.store.root == (folder / "images").resolve()
    with Store.open(folder / "images") as store:  # as `labelstudio-desktop demo DIR --annotated 0.3` makes it
        annotated = store.get_setting("demo")["annotated"]
        images = store.image_count()
        assert 0.25 * images < len(annotated) < 0.35 * images
        assert store.mask_counts()["accepted"] > 0 and store.box_counts()["accepted"] > 0
    assert window.close_project()
    qtbot.mouseClick(button, Qt.LeftButton)  # generated already: opened at once, no job
    assert window.store is not None and not window.jobs.runner.busy()
    window.close()
