"""The device a run trains on (issue 20, item 5): kept in the run's params, reported once before the first epoch,
printed by the CLI's train; GPUs named as CUDA names them."""

from __future__ import annotations

import io
import re

from labelstudio_desktop.cli_train import TrainJob
from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.runs import get_run
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.device import cpu_cores, describe, training_device
from labelstudio_desktop.ml.train import TrainConfig, train


def test_the_run_records_and_reports_its_device_before_the_first_epoch(demo_db):
    reports = []
    config = TrainConfig(task="classify", size=32, epochs=1, batch=256, backbone="small", weights="none")
    result = train(demo_db, config, JobToken(on_report=reports.append))
    assert result.status == "finished"
    devices = [n for n, r in enumerate(reports) if "device" in r]
    first_epoch = next(n for n, r in enumerate(reports) if "epoch" in r)
    plan = next(n for n, r in enumerate(reports) if "plan" in r)
    assert len(devices) == 1 and devices[0] < plan < first_epoch  # once, at the start
    device = reports[devices[0]]["device"]
    assert device == training_device()  # this machine: tensorflow-cpu, no GPU
    assert re.fullmatch(r"CPU \(\d+ cores\)", device) and device == f"CPU ({cpu_cores()} cores)"
    with Store.open(demo_db) as store:
        assert get_run(store, result.run_id).params["device"] == device


def test_gpus_are_named_and_a_default_strategy_uses_the_first():
    h200 = [("0", "NVIDIA H200"), ("1", "NVIDIA H200")]
    assert describe([], cores=16) == "CPU (16 cores)"
    assert describe(h200) == "GPU 0: NVIDIA H200"
    assert describe(h200, replicas=2) == "2 GPUs: NVIDIA H200, NVIDIA H200"
    assert describe(h200[:1], replicas=4) == "GPU 0: NVIDIA H200"  # replicas on other machines are not here


def test_the_cli_prints_the_device_on_stderr_before_the_plan():
    stream = io.StringIO()
    job = TrainJob("training", stream=stream)
    job.report({"device": "GPU 0: NVIDIA H200"})
    job.report({"plan": {"asked": 1, "epochs": 1, "steps": 3, "min_steps": 0}, "first_epoch": 0})
    assert stream.getvalue().splitlines() == ["device: GPU 0: NVIDIA H200", "1 epochs of 3 batches"]
