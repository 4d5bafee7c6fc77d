"""Model files and a run's stored parameters from a received project (issue 22, item 3): a ``.keras`` file cut short,
a model of the wrong kind for its run (a U-Net where a detector belongs, a classifier where a detector belongs), a
weights file that the chosen backbone cannot use, and a run whose parameters hold what no run can have (text where
numbers belong, NaN, huge or negative numbers, lists, unknown augmentation options). Each is a plain message or
note naming the file or the run and the problem, never a traceback, and what can go on does.

Everything is real: the project is made by the program (:func:`fixed_model.squares_project`: its images imported by
the store, a real saved classifier registered as a run), the other models are real tiny Keras models saved to
``.keras`` files, the odd values are written into ``project.db`` with ``sqlite3`` as a crafted file would hold them.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from fixed_model import CLASSES, squares_project
from odd_values import IMAGES, odd_project

from labelstudio_desktop.cli import main
from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.runs import create_run, get_run, list_runs, run_dir, update_run
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.config import ParamsError, TrainConfig

TRUNCATED = "not a whole Keras model file"


def _sql(db: Path, statement: str, args: tuple = ()) -> None:
    """One statement on the database as a foreign program would run it (no checks)."""
    c = sqlite3.connect(db, isolation_level=None)
    try:
        c.execute(statement, args)
    finally:
        c.close()


def _params(db: Path, run_id: int, **values) -> None:
    """Set a run's stored parameters, the JSON written as is (NaN included)."""
    with Store.open(db) as store:
        params = {**get_run(store, run_id).params, **values}
    _sql(db, "UPDATE runs SET params=? WHERE id=?", (json.dumps(params), run_id))


def _register(db: Path, task: str, model, params: dict, name: str = "best.keras") -> int:
    """A finished ``task`` run whose model is ``model`` (a Keras model saved here, or the path of a file)."""
    with Store.open(db) as store:
        run_id = create_run(store, task, {"task": task, **params})
        path = run_dir(store, run_id) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(model, Path):
            path.write_bytes(model.read_bytes())
        else:
            model.save(str(path))
        update_run(store, run_id, model_path=str(path), status="finished")
    return run_id


@pytest.fixture
def squares(tmp_path):
    """(database, the fixed classifier's run id, its model file)."""
    db, run_id = squares_project(tmp_path / "squares")
    with Store.open(db) as store:
        model = Path(get_run(store, run_id).model_path)
    return db, run_id, model


def _half(model: Path, out: Path) -> Path:
    """The first half of a real saved model, as a copy stopped half-way leaves it."""
    data = model.read_bytes()
    out.write_bytes(data[:len(data) // 2])
    return out


def _cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return code, captured.err + captured.out


# ---------------------------------------------------------------- a truncated model file
def test_a_truncated_model_file_is_named_by_propose_evaluate_calibrate_and_resume(squares, tmp_path, capsys):
    db, _run, model = squares
    half = _half(model, tmp_path / "half.keras")
    run_id = _register(db, "classify", half, {"size": 32, "classes": CLASSES, "backbone": "fixed"})
    with Store.open(db) as store:
        stored = get_run(store, run_id).model_path
        (run_dir(store, run_id) / "last.keras").write_bytes(half.read_bytes())
    root = db.parent.parent
    for args in (["propose", root, "--source", "gradcam", "--run", run_id],
                 ["evaluate", root, "--run", run_id],
                 ["propose", root, "--source", "gradcam", "--calibrate", "--run", run_id],
                 ["train", root, "--resume", run_id, "--epochs", 1]):
        code, out = _cli(capsys, *args)
        assert code == 1, (args, out)
        assert TRUNCATED in out and str(Path(stored).parent) in out, (args, out)
    with Store.open(db) as store:  # the failed resume is recorded with the message, the file left as it was
        assert TRUNCATED in get_run(store, run_id).message
    assert (Path(stored).parent / "last.keras").read_bytes() == half.read_bytes()


def test_a_truncated_weights_file_is_named_and_no_run_is_left_half_made(squares, tmp_path, capsys):
    db, _run, model = squares
    half = _half(model, tmp_path / "weights.keras")
    with Store.open(db) as store:
        before = len(list_runs(store))
    code, out = _cli(capsys, "train", db.parent.parent, "--task", "classify", "--weights", half, "--size", 32,
                     "--epochs", 1, "--batch", 4)
    assert code == 1 and f"{half}: it is {TRUNCATED}" in out, out
    with Store.open(db) as store:  # the run is recorded as failed, with the message
        runs = list_runs(store)
    new = max(runs, key=lambda r: r.id)
    assert len(runs) == before + 1 and new.status == "failed" and TRUNCATED in new.message


def test_a_weights_file_with_the_small_backbone_is_refused_not_ignored(squares, tmp_path, capsys):
    db, _run, model = squares
    with Store.open(db) as store:
        before = len(list_runs(store))
    for weights in (_half(model, tmp_path / "corrupt.keras"), model, tmp_path / "absent.h5"):
        code, out = _cli(capsys, "train", db.parent.parent, "--task", "classify", "--backbone", "small", "--weights",
                         weights, "--size", 32, "--epochs", 1, "--batch", 4)
        assert code == 1, out
        assert f"--weights {weights}: the small backbone trains from scratch and cannot use a weights file" in out
    with Store.open(db) as store:
        assert len(list_runs(store)) == before  # refused before any run was recorded


# ---------------------------------------------------------------- a model of the wrong kind
def _unet():
    from labelstudio_desktop.ml.models import build_unet

    return build_unet(32, depth=2, backbone="small")


def _detector(classes: int = 3):
    from labelstudio_desktop.ml.detector import build_detector

    return build_detector(32, classes, backbone="small", weights="none")


@pytest.mark.parametrize(("task", "make", "words"), [
    ("detect", _unet, "is a U-Net (a mask per image), not a detector"),
    ("detect", None, "is a classifier of 3 classes, not a detector"),
    ("classify", _detector, "is a detector of 3 classes, not a classifier"),
    ("classify", _unet, "is a U-Net (a mask per image), not a classifier"),
    ("segment", _detector, "is a detector of 3 classes, not a U-Net (mask model)"),
])
def test_a_model_of_the_wrong_kind_is_named_by_propose_and_evaluate(squares, capsys, task, make, words):
    db, _run, model = squares
    run_id = _register(db, task, model if make is None else make(), {"size": 32, "classes": CLASSES})
    source = {"detect": "detector", "classify": "gradcam", "segment": "unet"}[task]
    root = db.parent.parent
    for args in (["propose", root, "--source", source, "--run", run_id], ["evaluate", root, "--run", run_id]):
        code, out = _cli(capsys, *args)
        assert code == 1 and f"(run {run_id}) {words}" in out, (args, out)
    with Store.open(db) as store:  # nothing was proposed from it
        assert not store.conn.execute("SELECT 1 FROM boxes WHERE run_id=?", (run_id,)).fetchone()


def test_a_model_whose_classes_are_not_its_runs_is_refused_by_name(squares, capsys):
    db, _run, model = squares
    run_id = _register(db, "classify", model, {"size": 32, "classes": ["blue", "red"]})
    code, out = _cli(capsys, "propose", db.parent.parent, "--source", "gradcam", "--run", run_id)
    assert code == 1 and "is a classifier of 3 classes, but the run names 2 classes" in out, out


def test_resuming_a_run_whose_last_model_is_of_another_kind_is_refused_and_the_file_kept(squares, capsys):
    db, _run, model = squares
    run_id = _register(db, "classify", model, {"size": 32, "classes": CLASSES, "backbone": "small"})
    with Store.open(db) as store:
        last = run_dir(store, run_id) / "last.keras"
    _unet().save(str(last))
    before = last.read_bytes()
    code, out = _cli(capsys, "train", db.parent.parent, "--resume", run_id, "--epochs", 1)
    assert code == 1 and f"(run {run_id}) is a U-Net (a mask per image), not a classifier" in out, out
    assert last.read_bytes() == before


# ---------------------------------------------------------------- a bad stored mask in segment training
def test_a_mask_that_cannot_be_used_leaves_its_image_out_of_segment_training_by_name(tmp_path):
    from labelstudio_desktop.ml.data import collect

    odd = odd_project(tmp_path)  # b.jpg holds a PNG bomb, c.jpg text and a number where PNGs belong
    with Store.open(odd.db) as store:
        data = collect(store, "segment", 32, JobToken())
    assert data.ids["train"] == [odd.images["a.jpg"]]  # the image whose masks are all valid
    left_out = {path for path, _reason in data.problems}
    assert left_out == {"b.jpg", "c.jpg"} and set(IMAGES) == left_out | {"a.jpg"}
    reasons = " ".join(reason for _path, reason in data.problems)
    assert f"mask {odd.odd_masks['bomb']} ('dog') left out" in reasons and "the image is left out" in reasons


# ---------------------------------------------------------------- a run's stored parameters
ODD_TRAINING = {"epochs": "ten", "batch": -4, "size": 1e308, "learning_rate": float("nan"), "seed": 10 ** 40,
                "unet_depth": [3], "stride": 5, "balance": {"x": 1}, "loss": "rm -rf", "head": None,
                "backbone": "../../evil", "weights": "/etc/passwd", "trainable_layers": -1,
                "hard_negative_weight": float("inf"), "snapshot_every": "often", "min_steps": 1.5,
                "augment": {"hflip": "yes", "shift": 1e9, "erase_s": [0.5, 0.1], "erase_v": "grey",
                            "exec": "import os", "rotate": 10.0}}


def test_every_odd_stored_training_value_takes_its_default_with_a_note_naming_the_run():
    notes: list[str] = []
    config = TrainConfig.from_params({"task": "detect", **ODD_TRAINING}, notes, "run 7")
    default = TrainConfig(task="detect")
    for key in ODD_TRAINING:
        if key not in ("augment", "weights"):
            assert getattr(config, key) == getattr(default, key), key
            assert any(n.startswith(f"run 7: its stored {key} (") for n in notes), (key, notes)
    assert config.weights == "imagenet"  # a file named by the database is never read
    assert any("its weights file '/etc/passwd' is not read again" in n for n in notes)
    assert config.augment.rotate == 10.0 and config.augment.hflip is False and config.augment.shift == 0.0
    assert config.augment.erase_s == default.augment.erase_s and config.augment.erase_v == default.augment.erase_v
    assert "run 7: its stored augmentation option 'exec' is unknown: ignored" in notes
    assert len(notes) == len(ODD_TRAINING) - 1 + 5  # one per odd value, five in augment (rotate is fine)
    clean: list[str] = []
    for task in ("classify", "segment", "regress", "detect"):  # what training writes reads back as it was
        written = TrainConfig.for_task(task, size=64, trainable_layers=None, weights="none")
        assert TrainConfig.from_params(written.as_params(), clean) == written
    assert clean == []


@pytest.mark.parametrize("params", ["not an object", [1, 2], {"task": ["classify"]}, {"task": "evil"}])
def test_stored_parameters_naming_no_task_refuse_the_run_plainly(params):
    with pytest.raises(ParamsError, match=r"^run 3: its task \(.*\) is not one of classify, segment"):
        TrainConfig.from_params(params, [], "run 3")
    notes: list[str] = []
    assert TrainConfig.from_params(params, notes, "run 3", task="segment").task == "segment"  # the runs table's


def test_retraining_a_run_with_odd_parameters_warns_and_trains(squares, capsys):
    db, _run, _model = squares
    from labelstudio_desktop.ml.train import train

    first = train(db, TrainConfig(task="classify", backbone="small", weights="none", size=32, epochs=1, batch=4))
    assert first.status == "finished"
    _params(db, first.run_id, learning_rate="fast", augment={"evil": True}, seconds="long", batch=[4])
    code, out = _cli(capsys, "train", db.parent.parent, "--retrain", "--epochs", 1)
    assert code == 0, out
    assert f"warning: run {first.run_id}: its stored learning_rate ('fast') is not a number" in out
    assert f"warning: run {first.run_id}: its stored augmentation option 'evil' is unknown: ignored" in out
    code, out = _cli(capsys, "train", db.parent.parent, "--resume", first.run_id, "--epochs", 1)
    assert code == 0, out  # a resume too: its odd values replaced, the time it had recorded as text restarted
    with Store.open(db) as store:
        run = get_run(store, first.run_id)
    assert run.status == "finished" and run.epochs == 2 and isinstance(run.params["seconds"], float)


def test_retraining_a_run_that_names_no_task_is_refused_plainly(squares, capsys):
    db, run_id, _model = squares
    _sql(db, "UPDATE runs SET task='evil', params=? WHERE id=?", (json.dumps({"task": 5}), run_id))
    code, out = _cli(capsys, "train", db.parent.parent, "--retrain")
    assert code == 1 and f"error: run {run_id}: its task (5) is not one of" in out, out


def test_the_apps_retrain_plan_reads_odd_parameters_with_notes(squares):
    from labelstudio_desktop.gui.training import retrain_plan

    db, run_id, _model = squares
    _params(db, run_id, epochs=-1, augment=["hflip"])
    notes: list[str] = []
    start, config = retrain_plan(db, notes)
    assert start == run_id and config.task == "classify" and config.epochs == TrainConfig(task="classify").epochs
    assert [n.split(" (")[0] for n in notes] == [f"run {run_id}: its stored epochs",
                                                 f"run {run_id}: its stored backbone",  # the test's 'fixed'
                                                 f"run {run_id}: its stored augmentation"]


def _proposals(db: Path, run_id: int) -> list:
    with Store.open(db) as store:
        rows = store.conn.execute("SELECT image_id, label, x0, y0, x1, y1 FROM boxes WHERE run_id=? AND "
                                  "state='pending'", (run_id,)).fetchall()
    return sorted(tuple(row) for row in rows)


def test_odd_calibrated_values_and_size_give_way_to_defaults_and_propose_the_same(squares, capsys):
    db, run_id, _model = squares
    root = db.parent.parent
    code, _out = _cli(capsys, "propose", root, "--source", "gradcam", "--run", run_id)
    clean = _proposals(db, run_id)
    assert code == 0 and clean
    _params(db, run_id, size="32", backbone=["mobilenetv2"],
            proposal_params={"threshold": "high", "min_area": 1e308, "padding": float("nan"), "flip": "yes",
                             "keep": -3, "refine": ["grabcut"], "layer_name": "no_such_layer"})
    code, out = _cli(capsys, "propose", root, "--source", "gradcam", "--run", run_id)
    assert code == 0, out
    for note in ("its stored input size is not usable; the model's own (32 px) used",
                 "its stored calibrated threshold ('high') is not a number in 0..1: 0.3 used",
                 "its stored calibrated min_area (1e+308) is not a number in 1..4096: 4 used",
                 "its stored calibrated padding (nan) is not a number in 0..1: 0.15 used",
                 "its stored calibrated flip ('yes') is not true or false: True used",
                 "its stored calibrated refine (['grabcut']) is not one of grabcut, none: 'grabcut' used",
                 "its calibrated layer_name ('no_such_layer') is not a layer of its model: the default heatmap used"):
        assert f"run {run_id}: {note}" in out, (note, out)
    assert _proposals(db, run_id) == clean  # the defaults it fell back on are what a clean run uses


@pytest.mark.parametrize("classes", ["blue", [], ["blue", "blue", "red"], [1, 2, 3], None])
def test_stored_classes_that_name_no_outputs_refuse_the_run_by_name(squares, capsys, classes):
    db, run_id, _model = squares
    _params(db, run_id, classes=classes)
    root = db.parent.parent
    for args in (["propose", root, "--source", "gradcam", "--run", run_id], ["evaluate", root, "--run", run_id]):
        code, out = _cli(capsys, *args)
        assert code == 1 and f"error: run {run_id}: its stored classes (" in out, (args, out)
        assert "are not a list of distinct class names: the run cannot be used" in out
