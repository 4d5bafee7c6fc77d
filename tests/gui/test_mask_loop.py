"""The U-Net loop in the app: Retrain and Propose act on masks when they are the project's work, N finds images with
pending masks, the Runs tab shows a U-Net's snapshots as equalised and binarised views; and the whole loop with a
real (tiny) U-Net: painted masks, Retrain from the toolbar, Propose, review by key."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from labelstudio_desktop.core.store.runs import add_snapshot, create_run, list_runs, update_run
from labelstudio_desktop.core.store.store import BoxRecord


def _png(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(array).save(buf, "PNG")
    return buf.getvalue()


def _finished_run(store, task: str, model_file) -> int:
    run = create_run(store, task, {"task": task, "size": 32, "epochs": 2})
    update_run(store, run, model_path=str(model_file), status="finished")  # any existing file stands in
    return run


def test_retrain_and_propose_follow_the_projects_work(window):
    from labelstudio_desktop.gui.review import proposal_job
    from labelstudio_desktop.gui.training import retrain_plan
    from labelstudio_desktop.ml.config import TASK_DEFAULTS

    store, db = window.store, window.store.db_path
    image = window.annotation.image
    assert proposal_job(store)[1].endswith(":propose")
    store.add_mask(image.id, "bolt", _png(np.full((image.height, image.width), 255, np.uint8)))
    start, config = retrain_plan(db)  # accepted masks and no boxes: the U-Net with its defaults
    defaults = TASK_DEFAULTS["segment"]
    assert start is None and (config.task, config.size, config.epochs, config.min_steps) == (
        "segment", defaults["size"], defaults["epochs"], defaults["min_steps"])
    assert proposal_job(store)[1].endswith(":propose")  # no U-Net yet: boxes
    unet = _finished_run(store, "segment", db)
    start, config = retrain_plan(db)
    assert start == unet and config.task == "segment"
    title, target, options = proposal_job(store)
    assert target.endswith(":propose_masks") and options == {"boxes": "none"} and title == "Proposing masks"
    store.insert_box(BoxRecord(0, image.id, "bolt", 1, 1, 20, 20))  # boxes too: the model trained last decides
    assert retrain_plan(db)[0] == unet
    detector = _finished_run(store, "detect", db)
    assert retrain_plan(db)[0] == detector and proposal_job(store)[1].endswith(":propose")


def test_n_goes_to_the_next_image_with_a_pending_mask(window, qtbot):
    target = window.store.image_by_path("nut/nut_005.jpg")
    grey = np.full((target.height, target.width), 200, np.uint8)
    window.store.add_mask(target.id, "nut", _png(grey), source="proposal", state="pending")
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_N)
    assert window.annotation.image.id == target.id
    assert window.properties.mask_box.isVisible() and "pending" in window.properties.mask_state.text()


def test_the_runs_tab_shows_mask_snapshots_equalised_and_binarised(window):
    store = window.store
    run = _finished_run(store, "segment", store.db_path)
    image = window.annotation.image
    faint = np.tile(np.linspace(0, 90, 32).astype(np.uint8), (32, 1))  # an early mask: every value under 0.5
    for epoch in (2, 4):
        add_snapshot(store, run, epoch, image.id, "mask", _png(faint))
    window.act_train.trigger()
    panel = window.training
    panel.show_snapshots(list_runs(store)[-1])
    item = panel.snapshots.topLevelItem(0)
    assert panel.snapshots.topLevelItemCount() == 1 and item.text(2) == "4"
    shown = item.icon(1).pixmap(panel.snapshots.iconSize()).toImage()
    assert shown.width() > 1.8 * shown.height()  # two views side by side
    left, right = shown.pixelColor(40, 24).value(), shown.pixelColor(shown.width() - 3, 24).value()
    assert left > 200 and right == 0  # equalised: the faint mask shows; binarised at 0.5: nothing yet
    assert "equalised" in item.toolTip(1)


def _paint_square(qtbot, window, x0, y0, x1, y1) -> None:
    """Click a square with the polygon tool and close it with Enter."""
    canvas = window.canvas
    for x, y in [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]:
        p = canvas.to_widget(x, y)
        qtbot.mouseClick(canvas, Qt.LeftButton, pos=QPoint(round(p.x()), round(p.y())))
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key_Return)


def test_paint_retrain_the_unet_propose_and_review(window, qtbot):
    """The operator's loop with a real U-Net (tiny and short: the test checks the loop, not the masks)."""
    from labelstudio_desktop.core.store.masks import decode_mask

    store = window.store
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_P)
    painted = []
    for _n in range(8):
        image = window.annotation.image
        _paint_square(qtbot, window, 40, 30, 120, 100)
        store.update_image_fields(image.id, {"status": "verified"})  # reviewed: Propose leaves it alone
        painted.append(image.id)
        window.browser.step(1)
    assert len([m for i in painted for m in store.masks(i)]) == 8
    # A first U-Net of seconds from the Training dock (32 px, one epoch), then Retrain from the toolbar goes on from
    # it with its settings: the test checks the loop, and a model of the task's defaults would take minutes on a busy
    # machine. The waits are on the runs' own signals, with room for a loaded machine.
    window.show_training()
    panel = window.training
    panel.task.setCurrentText("segment")
    panel.size.setValue(32)
    panel.epochs.setValue(1)
    with qtbot.waitSignal(panel.runner.sig_stopped, timeout=300000):
        qtbot.mouseClick(panel.train_button, Qt.LeftButton)
    with qtbot.waitSignal(panel.runner.sig_stopped, timeout=300000):
        window.act_retrain.trigger()
    first, run = list_runs(store)
    assert first.status == "finished" and run.params["size"] == 32, panel.status.text()
    assert run.task == "segment" and run.status == "finished", panel.status.text()
    with qtbot.waitSignal(window.jobs.runner.sig_stopped, timeout=300000):
        window.act_propose.trigger()
    pending = store.conn.execute("SELECT id, image_id FROM masks WHERE state='pending'").fetchall()
    assert pending and not {r[1] for r in pending} & set(painted)
    assert store.boxes(states=("pending",)) == []  # the review is of masks
    assert "Mask proposals from the U-Net" in window.statusBar().currentMessage()
    window.review.next_pending()
    mask_id = next(r[0] for r in pending if r[1] == window.annotation.image.id)
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, Qt.Key_Return, Qt.ShiftModifier)
    row = store.mask(mask_id)
    image = store.image(row["image_id"])
    assert row["state"] == "accepted" and set(np.unique(decode_mask(row["png"], image.width, image.height))) <= {0, 1}
    assert window.annotation.image.id != image.id or len(pending) == 1  # on to the next image with proposals
