"""Training on two machines for real: two worker processes of ``labelstudio-desktop train --distribute multiworker``
on 127.0.0.1, each with its own TF_CONFIG, train one run of the demo project together."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import tensorflow as tf

from labelstudio_desktop.core.store.runs import list_runs, models_dir, run_dir
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.multiworker import Start, unsupported, weights_digest
from labelstudio_desktop.ml.train import load_model

TINY = ["--size", "32", "--batch", "16", "--backbone", "small", "--weights", "none"]
WAIT = 120  # seconds both workers may take together (about 30 on 2 busy cores: TensorFlow loads twice)


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def run_workers(tmp_path, args: list[str], count: int = 2, started: int | None = None) -> list[tuple[int, str, str]]:
    """(exit status, stdout, stderr) of the first ``started`` (default: all) of ``count`` workers of
    ``labelstudio-desktop train ARGS`` on 127.0.0.1; all are killed when one is still running after :data:`WAIT`
    seconds (the test then fails)."""
    cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(count)]}
    env = {**os.environ, "CUDA_VISIBLE_DEVICES": "-1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    procs, files = [], []
    try:
        for index in range(count if started is None else started):
            out, err = (open(tmp_path / f"worker{index}.{kind}", "w+") for kind in ("out", "err"))
            files.append((out, err))
            config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
            procs.append(subprocess.Popen([sys.executable, "-m", "labelstudio_desktop", "train", *args],
                                          stdout=out, stderr=err, env={**env, "TF_CONFIG": config},
                                          start_new_session=True))
        deadline = time.monotonic() + WAIT
        for proc in procs:
            try:
                proc.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pytest.fail(f"the workers were still running after {WAIT} s; worker stderr:\n"
                            + "\n".join(_tail(err) for _out, err in files))
        results = []
        for proc, (out, err) in zip(procs, files, strict=True):
            out.seek(0)
            err.seek(0)
            results.append((proc.returncode, out.read(), err.read()))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for out, err in files:
            out.close()
            err.close()


def _tail(handle, size: int = 3000) -> str:
    handle.seek(0)
    return handle.read()[-size:]


@pytest.mark.timeout(WAIT + 60)
def test_two_workers_train_one_run_and_end_with_the_same_weights(demo, tmp_path):
    project = demo / "images"
    results = run_workers(tmp_path, [str(project), "--task", "classify", "--epochs", "1", *TINY,
                                     "--distribute", "multiworker", "--json"])
    for index, (code, _out, err) in enumerate(results):
        assert code == 0, f"worker {index} exited with {code}:\n{err[-3000:]}"
    chief, other = (json.loads(out) for _code, out, _err in results)
    assert chief["status"] == other["status"] == "finished"
    assert chief["run"] == other["run"] and chief["epochs"] == other["epochs"] == 1
    assert chief["history"] == other["history"]  # the loss and accuracy of the whole batch, summed across workers
    assert set(chief["history"]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    # the same weights on both, and in the files the chief saved
    assert chief["weights"] == other["weights"]
    assert weights_digest(load_model(chief["model"])) == chief["weights"]  # one epoch: best.keras is the last
    assert weights_digest(load_model(chief["model"].replace("best", "last"))) == chief["weights"]
    # the chief alone recorded the run; the other worker saved nothing
    assert other["model"] is None and "chief (worker 0) records run" in other["message"]
    with Store.open(project) as store:
        runs = list_runs(store)
        folders = sorted(p.name for p in models_dir(store).iterdir())
        files = sorted(p.name for p in run_dir(store, chief["run"]).iterdir())
    assert [(r.id, r.status, r.epochs) for r in runs] == [(chief["run"], "finished", 1)]
    assert runs[0].params["device"].endswith("on the chief of 2 workers")
    assert folders == [f"run_{chief['run']:04d}"] and files == ["best.keras", "last.keras"]


@pytest.mark.timeout(WAIT + 60)
def test_a_worker_whose_peer_never_starts_stops_with_a_message_and_records_nothing(demo, tmp_path):
    project = demo / "images"
    [(code, _out, err)] = run_workers(tmp_path, [str(project), "--task", "classify", "--epochs", "1", *TINY,
                                                 "--distribute", "multiworker", "--join-timeout", "5"], started=1)
    assert code != 0, err[-3000:]  # stopped by its watchdog
    assert "did not all start within 5 s; stopped" in err and "127.0.0.1:" in err
    with Store.open(project) as store:
        assert list_runs(store) == []


def test_the_tasks_it_cannot_train_are_named_and_one_machine_needs_no_agreement():
    assert unsupported("classify") is None and unsupported("regress") is None
    for task in ("segment", "detect"):
        assert "classify and regress" in unsupported(task) and task in unsupported(task)
    start = Start(tf.distribute.get_strategy())
    assert not start.multi and start.chief and start.device("CPU (2 cores)") == "CPU (2 cores)"
    with start:  # every stage is a no-op
        start.check_task("segment")
        start.built()
