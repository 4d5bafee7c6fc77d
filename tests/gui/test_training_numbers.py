"""Honest numbers in the Training dock (issue 19): the epochs a run will do and why, an ETA that settles, the
evaluation as a table with a warning on few images, counts that follow the project, an uncut loss axis."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from widgets_helper import Clock, settle

from labelstudio_desktop.core.editing.training_needs import train_counts
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.ml.config import TASK_DEFAULTS, epoch_plan


def test_the_dock_says_how_many_epochs_will_run_and_why(window, panel, qtbot):
    panel.task.setCurrentText("classify")
    counts = train_counts(window.store, "classify")
    assert panel.plan.text() == f"A new run: 10 epochs (batches per epoch: {-(-counts.images // 16)})"
    ids = [img.id for img in window.store.images() if img.split == "train"][:3]
    panel.task.setCurrentText("detect")
    for image_id in ids:  # three reviewed images: one batch a pass; the detector's 600 batches in epochs of 20 passes
        window.store.insert_box(BoxRecord(0, image_id, "bolt", 1, 1, 20, 20))
    qtbot.waitUntil(lambda: "30 epochs" in panel.plan.text(), timeout=5000)  # the dock follows the project
    plan = epoch_plan(40, 16, 3, TASK_DEFAULTS["detect"]["min_steps"])
    assert panel.plan.text() == ("A new run: 30 epochs (batches per epoch: 20) (20 passes over the training images "
                                 "each) (40 epochs asked, 40 batches: raised to at least 600 batches, since few "
                                 "images make short epochs)") and plan.epochs == 30
    assert panel.counts.text() == "Accepted boxes in train images: bolt 3"
    panel.epochs.setValue(12)  # epochs chosen by hand: no minimum
    assert panel.plan.text() == "A new run: 12 epochs (batches per epoch: 1)"
    panel.epochs.setValue(40)
    runner = panel.runner  # during a run: what the training process said it does (Retrain may differ from the form)
    runner.sig_started.emit("Training")
    runner.sig_report.emit({"plan": {"asked": 40, "epochs": 300, "steps": 2, "min_steps": 600}, "first_epoch": 0})
    assert panel.plan.text().startswith("This run: 300 epochs (batches per epoch: 2) (40 epochs asked, 80 batches")
    panel.epochs.setValue(41)
    assert panel.plan.text().startswith("This run: 300 epochs")
    runner.sig_stopped.emit("Training")


def test_the_eta_says_at_least_until_an_epoch_is_measured_then_settles(panel):
    """300 epochs of 2 batches on a busy machine: every other epoch twice as long."""
    runner, clock = panel.runner, Clock()
    panel.clock = clock
    runner.sig_started.emit("Training")
    total, shown = 600, []
    for epoch in range(40):
        slow = 2.0 if epoch % 2 else 1.0
        for step in range(2):
            clock.now += (5.0 if (epoch, step) == (0, 0) else 0.5) * slow
            runner.sig_progress.emit(epoch * 2 + step + 1, total)
            if epoch == 0 and step == 1:
                assert panel.eta.text() == "at least 4 min 59 s left"  # batches alone miss validation
        clock.now += 1.0 * slow
        runner.sig_report.emit({"epoch": epoch + 1, "logs": {"loss": 1.0}})
        shown.append(panel.eta.text())
    assert not any(text.startswith("at least") for text in shown)

    def seconds(text: str) -> int:
        parts = text.replace(" left", "").split()
        return int(parts[0]) * 60 + int(parts[2]) if parts[1] == "min" else int(parts[0])

    later = [seconds(t) for t in shown[9:]]
    for before, after in zip(later, later[1:], strict=False):  # each epoch: 3 s less, give or take 10 %
        assert abs(before - 3 - after) < 0.1 * before + 6, (before, after)
    assert seconds(shown[-1]) == pytest.approx(3.0 * 260, rel=0.05)
    runner.sig_stopped.emit("Training")


def test_the_counts_follow_label_changes_and_a_split_made_by_training(window, panel, qtbot):
    panel.task.setCurrentText("classify")
    image = next(img for img in window.store.images() if img.split == "train")
    window.browser.select_id(image.id)
    qtbot.waitUntil(lambda: window.annotation.image is not None and window.annotation.image.id == image.id)
    before = panel.counts.text()
    window.canvas.setFocus()
    key = next(n for n, name in enumerate(window.store.class_keys(), start=1) if name != image.label)
    qtbot.keyClick(window.canvas, Qt.Key_0 + key)
    assert window.store.image(image.id).label != image.label
    expected = "Train images per class: " + ", ".join(
        f"{k} {v}" for k, v in train_counts(window.store, "classify").per_class.items())
    qtbot.waitUntil(lambda: panel.counts.text() == expected, timeout=5000)
    assert expected != before
    with Store.open(window.store.db_path) as other:  # the training process makes the split on its connection
        other.conn.execute("UPDATE images SET split = NULL")
        other.conn.commit()
    qtbot.waitUntil(lambda: panel.counts.text().startswith("Images per class (no split yet"), timeout=5000)
    assert "none yet" not in panel.counts.text()


def test_evaluation_shows_a_table_and_warns_on_few_test_images(window, panel, qtbot):
    from labelstudio_desktop.ml.evaluate import Evaluation

    metrics = {"precision": 0.0, "recall": 0.0, "mean_iou": 0.41, "map50": 0.6667, "true_boxes": 3.0,
               "predicted_boxes": 1.0, "true_positives": 0.0, "images": 2.0, "score_threshold": 0.3,
               "precision_bolt": 0.0, "recall_bolt": 0.0, "ap50_bolt": 0.6667}
    evaluation = Evaluation(4, "detect", "test", metrics, classes=["bolt"], images=2)
    panel.runner.sig_done.emit("Evaluating", evaluation)  # what the evaluation process hands back
    settle(qtbot)
    view = panel.evaluation_view
    assert view.summary.text() == "Run 4 on the test split: 2 images"
    assert view.warning.isVisible() and "Only 2 reviewed images in the test split" in view.warning.text()
    table = {view.table.item(r, 0).text(): view.table.item(r, 1).text() for r in range(view.table.rowCount())}
    assert table["mAP50"] == "0.667" and table["Precision"] == "0.000" and table["Images"] == "2"
    assert not any("_bolt" in name for name in table)
    header = [view.classes.horizontalHeaderItem(c).text() for c in range(view.classes.columnCount())]
    assert header == ["Class", "Precision", "Recall", "AP50"]
    assert [view.classes.item(0, c).text() for c in range(4)] == ["bolt", "0.000", "0.000", "0.667"]
    evaluation = Evaluation(5, "classify", "test", {"accuracy": 0.9}, images=40)
    panel.runner.sig_done.emit("Evaluating", evaluation)
    settle(qtbot)
    assert not view.warning.isVisible() and not view.classes.isVisible()


def test_the_loss_axis_labels_stay_inside_the_plot(window, panel, qtbot):
    plot = panel.plot
    plot.set_history({"loss": [0.0123, 0.0081, 0.00412], "val_loss": [0.0131, 0.0099, 0.00745]})
    settle(qtbot)
    for width in (plot.width(), 260):
        plot.resize(width, plot.height())
        settle(qtbot)
        plot.draw()
        renderer = plot.get_renderer()
        canvas = plot.figure.bbox
        drawn = plot.axes.get_tightbbox(renderer)  # what is drawn: tick labels, axis labels, legend
        for name, box in (("everything", drawn), ("loss", plot.axes.yaxis.label.get_window_extent(renderer)),
                          ("epoch", plot.axes.xaxis.label.get_window_extent(renderer))):
            assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= canvas.x1 and box.y1 <= canvas.y1, (name, box, width)
