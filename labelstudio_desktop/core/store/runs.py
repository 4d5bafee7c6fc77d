"""Training runs in the store: parameters, per-epoch history, model files, status, prediction snapshots."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..confine import OutsideProject, check_inside
from ..validate import Invalid
from .db_values import finite, loaded, process_alive, seconds, series, stored_json
from .masks import mask_size
from .relocate import MODELS_DIRNAME, own_file, to_stored
from .store import Store, StoreError


@dataclass
class Run:
    id: int
    task: str
    params: dict[str, Any]
    history: dict[str, list[float]]
    model_path: str | None
    status: str
    parent_id: int | None
    started_at: float
    finished_at: float | None
    message: str = ""

    @property
    def epochs(self) -> int:
        return len(self.history.get("loss", []))

    def best(self, key: str = "val_loss") -> float | None:
        values = self.history.get(key) or self.history.get("loss")
        return min(values) if values else None


def models_dir(store: Store) -> Path:
    return store.db_path.parent / MODELS_DIRNAME


def run_dir(store: Store, run_id: int) -> Path:
    """The folder of a run's model files; raises :class:`.confine.OutsideProject` when a link there leads out of
    the project's own folder (a crafted project), so nothing is ever written through it."""
    return check_inside(store.db_path.parent, models_dir(store) / f"run_{run_id:04d}",
                        "a link leading outside the project's own folder: nothing is written there")


def model_file(store: Store, stored: str | None) -> str | None:
    """A run's model path as stored (relative to the database's folder) made absolute; None when there is none, or
    when it leads outside the project's own folder (a refused record: :mod:`.confine`)."""
    if not stored:
        return None
    try:
        return str(own_file(stored, store.db_path))
    except OutsideProject:
        return None


def _row_to_run(row, store: Store) -> Run:
    """A run as stored; its model path made absolute (:func:`model_file`). Values the database holds that are not
    what a run records (parameters or history that are not JSON objects, times that are not numbers) are left out,
    and its message says so (:mod:`.db_values`)."""
    params, note = stored_json(row["params"], dict, "its parameters in the database")
    history, notes = series(row["history"], "its history in the database")
    started, started_note = seconds(row["started_at"], "its start time in the database")
    finished, finished_note = seconds(row["finished_at"], "its end time in the database")
    message = params.get("_message", "")
    odd = [n for n in (note, *notes, started_note, finished_note) if n]
    if not isinstance(message, str) or odd:
        message = "; ".join([*odd, *([message] if isinstance(message, str) and message else [])])
    return Run(row["id"], str(row["task"]), params, history, model_file(store, row["model_path"]), str(row["status"]),
               row["parent_id"] if isinstance(row["parent_id"], int) else None, started or 0.0, finished, message)


def create_run(store: Store, task: str, params: dict, parent_id: int | None = None) -> int:
    with store.transaction() as c:
        cur = c.execute("INSERT INTO runs(task, params, history, status, parent_id, started_at) "
                        "VALUES(?,?,?,?,?,?)", (task, json.dumps(params), "{}", "running", parent_id, time.time()))
        return int(cur.lastrowid)


def get_run(store: Store, run_id: int) -> Run:
    row = store.conn.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
    if row is None:
        raise StoreError(f"no training run {run_id}")
    return _row_to_run(row, store)


def list_runs(store: Store, task: str | None = None) -> list[Run]:
    sql, args = "SELECT * FROM runs", ()
    if task:
        sql, args = sql + " WHERE task=?", (task,)
    return [_row_to_run(r, store) for r in store.conn.execute(sql + " ORDER BY id", args)]


def last_run(store: Store, task: str | None = None, with_model: bool = True) -> Run | None:
    runs = [r for r in list_runs(store, task) if not with_model or (r.model_path and Path(r.model_path).is_file())]
    return runs[-1] if runs else None


def update_run(store: Store, run_id: int, **values: Any) -> None:
    """Set ``history``, ``model_path``, ``status``, ``finished_at``, ``params`` or ``message``."""
    run = get_run(store, run_id)
    params = dict(values.pop("params", run.params))
    if "message" in values:
        params["_message"] = values.pop("message")
    history = values.pop("history", None)  # kept as stored unless given (what could not be read stays named)
    if values.get("model_path"):  # relative to the database's folder, so the project can move
        values["model_path"] = to_stored(values["model_path"], store.db_path)
    with store.transaction() as c:
        c.execute("UPDATE runs SET params=?, history=COALESCE(?, history), model_path=COALESCE(?, model_path), "
                  "status=COALESCE(?, status), finished_at=COALESCE(?, finished_at) WHERE id=?",
                  (json.dumps(params), None if history is None else json.dumps(history), values.get("model_path"),
                   values.get("status"), values.get("finished_at"), run_id))


def owner_params() -> dict[str, Any]:
    """The process that trains a run (kept in its params, so a crash can be told from a run still going)."""
    return {"_pid": os.getpid(), "_host": socket.gethostname()}


def recover_interrupted(store: Store) -> list[int]:
    """Runs left ``running`` by a process that is gone (a crash, a kill, a power loss) are marked
    ``interrupted``: their history, epoch count, best model and last checkpoint are those of the last finished
    epoch, and ``train --resume N`` continues from there. Runs of a live process, or of another machine, are
    left alone. Returns the ids marked."""
    marked = []
    for run in list_runs(store):
        if run.status != "running":
            continue
        pid, host = run.params.get("_pid"), run.params.get("_host")
        why = "a crash or a kill"
        try:
            if host not in (None, socket.gethostname()) or (pid is not None and process_alive(pid)):
                continue
        except Invalid as exc:  # no process can be found by it: none of this machine trains the run
            why = f"{exc} in the database, so no process of it can be found"
        update_run(store, run.id, status="interrupted", message=(
            f"the training process stopped after epoch {run.epochs} ({why}); "
            f"`train --resume {run.id}` continues from there"))
        marked.append(run.id)
    return marked


def add_snapshot(store: Store, run_id: int, epoch: int, image_id: int, kind: str, data: bytes) -> None:
    with store.transaction() as c:
        c.execute("INSERT INTO snapshots(run_id, epoch, image_id, kind, data) VALUES(?,?,?,?,?)",
                  (run_id, epoch, image_id, kind, data))


#: Largest side of a mask snapshot (they are made at the model's input size).
SNAPSHOT_MAX_SIDE = 4096


def snapshots(store: Store, run_id: int) -> dict[int, list[tuple[int, str, bytes]]]:
    """Per image of the project: (epoch, kind, data) in epoch order — a strip across training. A snapshot whose
    values are not what training writes (:func:`usable_snapshot`) is left out."""
    out: dict[int, list[tuple[int, str, bytes]]] = {}
    for image_id, epoch, kind, data in store.conn.execute(
            "SELECT s.image_id, s.epoch, s.kind, CAST(s.data AS BLOB) FROM snapshots s JOIN images i "
            "ON i.id = s.image_id WHERE s.run_id=? ORDER BY s.image_id, s.epoch", (run_id,)):
        if isinstance(epoch, int) and usable_snapshot(kind, data):
            out.setdefault(image_id, []).append((epoch, kind, data))
    return out


def usable_snapshot(kind: object, data: bytes) -> bool:
    """Whether a snapshot holds what training writes: a mask PNG of at most :data:`SNAPSHOT_MAX_SIDE` a side,
    a JSON list of boxes each with a finite score, or (a prediction) a JSON list of finite numbers or one."""
    if kind == "mask":
        size = mask_size(data)
        return size is not None and 0 < min(size) and max(size) <= SNAPSHOT_MAX_SIDE
    try:
        value = loaded(data, "a snapshot")
    except Invalid:
        return False
    if kind == "boxes":
        return isinstance(value, list) and all(isinstance(b, dict) and finite(b.get("score")) for b in value)
    return finite(value) or (isinstance(value, list) and bool(value) and all(finite(v) for v in value))


#: A run's parameter: True when its validation images trained too (a detector's few: ``ml/train.py``).
VALIDATION_TRAINED = "validation_trained"
#: A detector run's parameter naming where its proposals' score threshold came from (``ml/retrain.py``):
#: ``{"run": N, "images": K, "calibrated": T}`` (run N's threshold T, calibrated on K reviewed images it did not train
#: on; K is 0 for a threshold run N had stored).
THRESHOLD_FROM = "threshold_from"


def held_out_images(store: Store, run: Run) -> list:
    """The reviewed images (verified, or with an accepted box) that ``run`` did not train on: those outside the
    train split (val and test; test alone when the run's few validation images trained too, its
    :data:`VALIDATION_TRAINED`), and train-split images whose accepted boxes were all made after the run started
    (reviewed since; a verified train image without boxes counts as trained on). Training learns only from the
    train split (val only scores the epochs), so these measure the run fairly."""
    started = run.started_at
    untrained = ("test",) if run.params.get(VALIDATION_TRAINED) else ("val", "test")
    accepted: dict[int, list[float]] = {}
    for image_id, created in store.conn.execute("SELECT image_id, created_at FROM boxes WHERE state='accepted'"):
        accepted.setdefault(image_id, []).append(created)
    held = []
    for img in store.each_image(include_excluded=False, include_missing=False):
        if img.status != "verified" and img.id not in accepted:
            continue
        if img.split in untrained or (img.id in accepted and min(accepted[img.id]) > started):
            held.append(img)
    return held
