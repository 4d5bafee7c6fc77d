"""Calibrate proposals from review in the window: the detector's threshold is tuned on the operator's seconds, and
the message says so in words an operator reads (what was measured, before and after, and what the next proposals
keep), then the next proposals use it."""

from __future__ import annotations

import sys
from pathlib import Path

from dialogs_helper import answer_next_message_box

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ml"))


def test_calibrating_a_detector_says_what_it_measured_and_what_the_next_proposals_keep(qtbot, settings, tmp_path):
    from fixed_model import SQUARES, squares_project
    from test_propose_sources import add_detector, centred_detector, review

    from labelstudio_desktop.core.store.runs import get_run
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.gui.main_window import MainWindow

    db, _classifier = squares_project(tmp_path / "squares")
    for rel in ("green/green_0.png", "blue/blue_0.png", "red/red_0.png"):
        review(db, rel, SQUARES[rel][1][0])
    run_id = add_detector(db, centred_detector())  # a real model whose detections are known in advance
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    assert window.open_project(str(tmp_path / "squares"))
    seen = answer_next_message_box(None)
    with qtbot.waitSignal(window.jobs.runner.sig_stopped, timeout=300000):
        assert window.act_calibrate.isEnabled()
        window.act_calibrate.trigger()
    qtbot.waitUntil(lambda: bool(seen), timeout=60000)
    text = seen[0]
    assert "your seconds per box, lower is better" in text and "(cross-validated)" in text
    assert "some of which the detector trained on: the figures lean optimistic." in text  # 3 unseen: too few
    with Store.open(db) as store:
        threshold = get_run(store, run_id).params["proposal_params"]["threshold"]
    assert f"The next proposals keep detections scoring {threshold:.2f} or more." in text
    window.close()
