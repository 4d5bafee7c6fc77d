"""train() says how many epochs it does: the task's minimum of batches raises them on few images (issue 19)."""

from __future__ import annotations

from labelstudio_desktop.core.editing.training_needs import train_counts
from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.config import epoch_plan
from labelstudio_desktop.ml.train import TrainConfig, train


def test_the_run_reports_its_plan_and_does_it(demo_db):
    reports = []
    with Store.open(demo_db) as store:
        images = train_counts(store, "classify").images
    # one batch a pass: the two batches asked for are one epoch of two passes
    config = TrainConfig(task="classify", size=32, epochs=1, batch=256, min_steps=2, backbone="small")
    batches = []
    result = train(demo_db, config, JobToken(on_report=reports.append, on_progress=lambda d, t: batches.append((d, t))))
    plans = [r["plan"] for r in reports if "plan" in r]
    assert plans == [{"asked": 1, "epochs": 1, "steps": 2, "min_steps": 2, "passes": 2, "raised": True}]
    assert plans[0] == epoch_plan(1, 256, images, 2).as_dict()  # what the dock computed before the run
    assert result.status == "finished" and result.epochs == 1
    assert batches[-2:] == [(1, 2), (2, 2)]  # the epoch trained its two batches (the data went round twice)
    resumed = []
    train(demo_db, TrainConfig(task="classify", epochs=1), JobToken(on_report=resumed.append), resume=result.run_id)
    assert [r["plan"] for r in resumed if "plan" in r] == [
        {"asked": 1, "epochs": 1, "steps": 1, "min_steps": 0, "passes": 1, "raised": False}]


def test_the_training_stage_starts_its_bar_at_zero(demo_db):
    """Loading fills the bar; training then starts it again at 0 of its batches (the dock showed 100% until the
    first batch ended)."""
    events = []
    token = JobToken(on_progress=lambda done, total: events.append(("progress", done, total)),
                     on_status=lambda text: events.append(("status", text)))
    config = TrainConfig(task="classify", size=32, epochs=1, batch=256, backbone="small")
    train(demo_db, config, token)
    start = next(n for n, e in enumerate(events) if e[0] == "status" and e[1].startswith("training classify"))
    loading = [e for e in events[:start] if e[0] == "progress"]
    assert loading and loading[-1][1] == loading[-1][2]  # the loading stage ended full
    first, *batches = [e for e in events[start:] if e[0] == "progress"]
    assert first == ("progress", 0, 1) and batches[-1] == ("progress", 1, 1)
