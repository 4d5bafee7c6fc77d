"""The window as an operator uses it: navigation, review, class keys, undo across images, persistence."""

from __future__ import annotations

import subprocess
import sys

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from labelstudio_desktop.core.store.store import BoxRecord, Store


def _current_path(window):
    return window.annotation.image.path


def test_opens_on_the_first_image_with_thumbnails(window, qtbot):
    assert _current_path(window) == "bolt/bolt_000.jpg"
    assert window.canvas.image is not None and window.canvas.image.width() == 192
    qtbot.waitUntil(lambda: len(window.browser.model.thumbs) > 0, timeout=10000)
    cached = list((window.store.db_path.parent / "thumbnails").rglob("*.png"))
    assert cached  # thumbnails are cached on disk


def test_space_d_a_navigation_and_verify(window, qtbot):
    canvas = window.canvas
    canvas.setFocus()
    first = window.annotation.image.id
    qtbot.keyClick(canvas, Qt.Key_Space)
    assert window.store.image(first).status == "verified"
    assert _current_path(window) == "bolt/bolt_001.jpg"
    qtbot.keyClick(canvas, Qt.Key_D)
    assert _current_path(window) == "bolt/bolt_002.jpg"
    qtbot.keyClick(canvas, Qt.Key_A)
    qtbot.keyClick(canvas, Qt.Key_A)
    assert _current_path(window) == "bolt/bolt_000.jpg"
    qtbot.keyClick(canvas, Qt.Key_D, Qt.ShiftModifier)  # next unverified skips nothing here...
    assert _current_path(window) == "bolt/bolt_001.jpg"
    window.browser.select_id(first)
    qtbot.keyClick(canvas, Qt.Key_D, Qt.ShiftModifier)
    assert _current_path(window) == "bolt/bolt_001.jpg"  # ...and skips the verified one
    assert "1 verified" in window.counts_label.text()


def test_space_drag_pans_without_verifying(window, qtbot):
    canvas = window.canvas
    canvas.setFocus()
    image_id = window.annotation.image.id
    offset = canvas.offset
    qtbot.keyPress(canvas, Qt.Key_Space)
    qtbot.mousePress(canvas, Qt.LeftButton, pos=QPoint(300, 300))
    qtbot.mouseMove(canvas, QPoint(340, 320))
    qtbot.mouseRelease(canvas, Qt.LeftButton, pos=QPoint(340, 320))
    qtbot.keyRelease(canvas, Qt.Key_Space)
    assert canvas.offset.x() - offset.x() == 40
    assert window.annotation.image.id == image_id and window.store.image(image_id).status == "unverified"


def test_number_keys_set_the_class_and_undo_restores_it(window, qtbot):
    image_id = window.annotation.image.id
    classes = window.store.classes()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_3)
    assert window.store.image(image_id).label == classes[2]
    assert window.properties.class_box.currentText() == classes[2]
    window.act_undo.trigger()
    assert window.store.image(image_id).label == "bolt"


def test_value_and_split_from_the_side_panel(window):
    image_id = window.annotation.image.id
    window.properties.value_box.setValue(4.5)
    window.properties.split_box.setCurrentIndex(window.properties.split_box.findData("test"))
    window.properties.split_box.activated.emit(window.properties.split_box.currentIndex())
    img = window.store.image(image_id)
    assert (img.value, img.split) == (4.5, "test")


def test_undo_on_another_image_shows_that_image(window, qtbot):
    first = window.annotation.image.id
    window.annotation.set_field("value", 9.0)
    qtbot.keyClick(window.canvas, Qt.Key_D)
    qtbot.keyClick(window.canvas, Qt.Key_D)
    assert window.annotation.image.id != first
    window.act_undo.trigger()
    assert window.annotation.image.id == first
    assert window.store.image(first).value == 1.0
    window.act_redo.trigger()
    assert window.store.image(first).value == 9.0


def test_copy_boxes_from_previous_image(window, qtbot):
    first = window.annotation.image.id
    window.store.insert_box(BoxRecord(0, first, "bolt", 1, 2, 30, 40))
    window.store.insert_box(BoxRecord(0, first, "nut", 5, 5, 9, 9, source="proposal", state="pending"))
    qtbot.keyClick(window.canvas, Qt.Key_D)
    second = window.annotation.image.id
    window.act_copy_prev.trigger()
    assert [(b.label, b.edges) for b in window.store.boxes(second)] == [("bolt", (1, 2, 30, 40))]
    window.act_undo.trigger()
    assert window.store.boxes(second) == []


def test_every_edit_is_on_disk_at_once(window, demo, qtbot):
    image_id = window.annotation.image.id
    window.annotation.set_field("label", "washer")
    window.store.conn.commit()
    with Store.open(demo / "images") as other:  # another connection, as after a crash
        assert other.image(image_id).label == "washer"


def test_reopen_after_close_keeps_edits_and_layout(window, demo, settings, qtbot):
    from labelstudio_desktop.gui.main_window import MainWindow

    image_id = window.annotation.image.id
    window.annotation.set_field("value", 3.25)
    window.close()
    again = MainWindow(settings)
    qtbot.addWidget(again)
    assert settings.value("last_project") == str(demo / "images")
    again.open_project(settings.value("last_project"))
    assert again.store.image(image_id).value == 3.25
    assert settings.value("window/state") is not None
    again.close()


def test_hide_boxes_and_help_dialog(window, qtbot):
    window.act_hide.trigger()
    assert not window.canvas.boxes_visible
    window.act_hide.trigger()
    assert window.canvas.boxes_visible


def test_screenshot_option_writes_a_png(demo, tmp_path):
    out = tmp_path / "shot.png"
    env_settings = {"XDG_CONFIG_HOME": str(tmp_path / "cfg"), "QT_QPA_PLATFORM": "offscreen",
                    "HOME": str(tmp_path)}
    import os

    result = subprocess.run([sys.executable, "main.py", str(demo / "images"), "--screenshot", str(out)],
                            capture_output=True, text=True, env={**os.environ, **env_settings},
                            cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))), timeout=120)
    assert result.returncode == 0, result.stderr
    image = QImage(str(out))
    assert not image.isNull() and image.width() >= 800
    colours = {image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 37)}
    assert len(colours) > 50  # a real picture, not a blank window


def test_label_dialog_offers_recent_labels_first_and_completes(window, qtbot):
    from dialogs_helper import answer_next_dialog

    from labelstudio_desktop.gui.dialogs import LabelDialog

    window.act_ask_always.trigger()  # asked even where the image's class would label the box
    answer_next_dialog("washer")
    window.annotation.add_box(1, 1, 20, 20)
    answer_next_dialog("bolt")
    window.annotation.add_box(30, 30, 50, 50)
    labels = window.annotation.known_labels()
    assert labels[:2] == ["bolt", "washer"]
    dialog = LabelDialog(labels, "bo")
    qtbot.addWidget(dialog)
    completer = dialog.edit.completer()
    completer.setCompletionPrefix("was")
    assert completer.currentCompletion() == "washer"
    dialog.close()


def test_without_asking_new_boxes_take_the_last_label(window, qtbot):
    from dialogs_helper import answer_next_dialog

    window.browser.select_id(window.store.image_by_path("empty/empty_000.jpg").id)  # no class to label the boxes
    answer_next_dialog("washer")
    window.annotation.add_box(1, 1, 20, 20)
    window.act_ask_label.trigger()  # off, and remembered
    assert window.settings.value("prefs/ask_label", type=bool) is False
    window.annotation.add_box(30, 30, 50, 50)  # no dialog is shown
    assert [b.label for b in window.store.boxes(window.annotation.image.id)] == ["washer", "washer"]


def test_reimport_runs_in_the_background_with_progress_and_stops_cleanly(window, demo, qtbot):
    from helpers import write_image

    write_image(demo / "images" / "nut" / "new_one.jpg", 192, 144)
    runner = window.jobs.runner
    with qtbot.waitSignal(runner.sig_stopped, timeout=30000):
        window.act_import.trigger()
        assert runner.busy() and window.job_progress.isVisible()
    assert not runner.busy() and not window.job_progress.isVisible()
    assert window.browser.model.row_of(window.store.image_by_path("nut/new_one.jpg").id) is not None


def start_endless_job(runner, title: str = "endless") -> None:
    """Start a job on ``runner`` that runs until it is cancelled, and wait until it runs."""
    import threading

    started = threading.Event()

    def endless(token):
        started.set()
        while True:
            token.check()
            threading.Event().wait(0.01)

    assert runner.start(title, endless) and started.wait(5)


def test_cancel_stops_a_background_job(window, qtbot):
    runner = window.jobs.runner
    outcomes = []
    runner.sig_failed.connect(lambda title, message: outcomes.append(("failed", message)))
    runner.sig_done.connect(lambda title, result: outcomes.append(("done", result)))
    with qtbot.waitSignal(runner.sig_stopped, timeout=10000):
        start_endless_job(runner)
        window.job_cancel.click()
    assert not runner.busy()
    assert outcomes == []  # ended through its token: neither a failure nor a result


def test_switching_project_while_a_job_runs_asks_first(window, qtbot, tmp_path):
    from dialogs_helper import answer_next_message_box
    from helpers import write_image

    from labelstudio_desktop.core.transfer.importer import import_folder

    other = tmp_path / "other"
    write_image(other / "one.jpg", 64, 48)
    with Store.create(other) as store:
        import_folder(store)
    window.act_train.trigger()  # the Training dock is open...
    runner = window.jobs.runner
    start_endless_job(runner, "Re-importing")
    first_root = window.store.root
    asked = answer_next_message_box(yes=False)
    assert not window.open_project(str(other))  # ...and the user says No: nothing changes
    assert asked and "Re-importing" in asked[0]
    assert runner.busy() and window.store.root == first_root
    asked = answer_next_message_box(yes=True)
    with qtbot.waitSignal(runner.sig_stopped, timeout=10000):
        assert window.open_project(str(other))
    assert not runner.busy() and window.store.root == other.resolve()
    assert window.training_dock.isHidden()  # never an empty dock left over half the window
