"""The Training dock while a run trains: a measured ETA, and long messages that never widen a dock (issue 9)."""

from __future__ import annotations

from widgets_helper import Clock, settle

LONG_WORDS = ("the training process stopped unexpectedly because " * 12)[:600]
LONG_PATH = "/home/operator/projects/" + "cucumber-grading-prototype-2/" * 20 + "best.keras"


def test_eta_uses_measured_epochs_after_the_first(panel):
    """5 epochs of 10 batches: the first batch takes 5 s (tracing), the others 0.5 s, validation 10 s."""
    runner, clock = panel.runner, Clock()
    panel.clock = clock
    runner.sig_started.emit("Training")
    runner.sig_status.emit("loading 48 images")
    for n in range(1, 49):  # the bar fills once for loading the images...
        clock.now += 0.1
        runner.sig_progress.emit(n, 48)
    runner.sig_status.emit("training classify: 48 images, 10 batches per epoch")

    def batch(done: int, seconds: float) -> None:
        clock.now += seconds
        runner.sig_progress.emit(done, 50)
        if done % 10 in (1, 0):  # what the training process says at the first and last batch of an epoch
            runner.sig_status.emit(f"epoch {(done - 1) // 10 + 1}/5")  # what train.py reports

    def epoch_end(epoch: int) -> None:
        clock.now += 10.0
        runner.sig_report.emit({"epoch": epoch, "logs": {"loss": 1.0 / epoch, "val_loss": 1.2 / epoch}})

    batch(1, 5.0)  # ...then again for training: a new estimate, nothing to go on yet
    assert panel.eta.text() == ""
    batch(2, 0.5)
    assert panel.eta.text() == "at least 24 s left"  # extrapolated from the batches after the first
    assert panel.status.text() == "epoch 1/5"
    for done in range(3, 11):
        batch(done, 0.5)
    epoch_end(1)
    assert panel.eta.text() == "1 min 00 s left"  # 4 epochs of 15 s: validation counted now
    for done in range(11, 21):
        batch(done, 0.5)
    epoch_end(2)
    assert panel.eta.text() == "45 s left"
    for done in range(21, 25):
        batch(done, 0.5)
    assert panel.eta.text() == "43 s left"  # the unfinished part of epoch 3 counts down with the clock
    assert panel.status.text() == "epoch 3/5" and panel.plot.history["loss"] == [1.0, 0.5]
    runner.sig_stopped.emit("Training")
    assert panel.eta.text() == "" and panel.train_button.isEnabled()


def test_eta_text_for_long_runs(panel):
    assert panel.format_eta(59.4) == "59 s left"
    assert panel.format_eta(3599) == "59 min 59 s left"
    assert panel.format_eta(2 * 3600 + 7 * 60 + 30) == "2 h 07 min left"


def test_long_messages_never_widen_the_training_dock(window, panel, qtbot):
    dock = window.training_dock
    settle(qtbot)
    canvas_width, dock_width, window_size = window.canvas.width(), dock.width(), window.size()
    assert dock.minimumSizeHint().width() < 450
    for text in (LONG_WORDS, LONG_PATH):
        panel.runner.sig_status.emit(text)
        settle(qtbot)
        assert panel.status.text() == text and panel.status.toolTip() == text
        assert (dock.width(), window.canvas.width(), window.size()) == (dock_width, canvas_width, window_size)
        assert dock.minimumSizeHint().width() < 450
    panel.runner.sig_failed.emit("Training", LONG_PATH)  # a failure is shown in the same label
    panel.metrics.setText(LONG_WORDS)  # and the metrics of an evaluation on the Runs tab
    panel.tabs.setCurrentIndex(1)
    settle(qtbot)
    assert LONG_PATH in panel.status.text()
    assert (dock.width(), window.canvas.width(), window.size()) == (dock_width, canvas_width, window_size)
    assert dock.minimumSizeHint().width() < 450


def test_long_job_status_never_widens_the_window(window, qtbot):
    jobs = window.jobs
    jobs.runner.sig_started.emit("Importing")  # what the project job runner says when a job starts
    settle(qtbot)
    canvas_width, window_size = window.canvas.width(), window.size()
    jobs.runner.sig_status.emit(LONG_PATH)
    settle(qtbot)
    try:
        assert window.job_label.text() == LONG_PATH and window.job_label.toolTip() == LONG_PATH
        assert (window.canvas.width(), window.size()) == (canvas_width, window_size)
        assert window.statusBar().minimumSizeHint().width() < window.width()
        assert window.job_label.width() > 0
    finally:
        jobs.runner.sig_stopped.emit("Importing")
