"""Propose after Retrain in the window: a detector measured worse than Grad-CAM on the reviewed images it did not
train on leaves the pending Grad-CAM proposals in place, and the status bar says so with the figures (issue 19)."""

from __future__ import annotations

import sys
from pathlib import Path

from widgets_helper import open_and_propose

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ml"))


def test_propose_keeps_grad_cam_proposals_when_the_detector_is_measured_worse(qtbot, settings, tmp_path):
    from fixed_model import SQUARES, squares_project
    from test_propose_sources import add_detector, corner_detector, pending, review

    from labelstudio_desktop.ml.propose import propose

    db, _classifier = squares_project(tmp_path / "squares")
    propose(db, source="gradcam", multi=True)  # the cold start's proposals, as the window's Propose makes them
    for rel in ("green/green_0.png", "blue/blue_0.png"):
        review(db, rel, SQUARES[rel][1][0])
    before = pending(db)
    add_detector(db, corner_detector())  # Retrain gave a detector that is wrong everywhere
    window = open_and_propose(qtbot, settings, tmp_path / "squares")
    after = pending(db)
    assert {p for p in after if p[3] != "detector"} == before  # none of the pending proposals lost
    message = window.statusBar().currentMessage()
    assert "from Grad-CAM" in message and "F1 1.00 against the detector's 0.00 on 2 reviewed images" in message
    window.close()
