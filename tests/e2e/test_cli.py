"""The command line as a user runs it, in a separate process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import write_image

from labelstudio_desktop.cli import _print_json_rows, main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "labelstudio_desktop", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd)


def test_help_for_every_command():
    for command in ("demo", "import", "info", "export", "gui"):
        result = run(command, "--help")
        assert result.returncode == 0 and "usage" in result.stdout


def test_demo_import_info_export(tmp_path):
    result = run("demo", tmp_path / "d")
    assert result.returncode == 0, result.stderr
    assert "bolt/bolt_broken.jpg" in result.stdout and "truncated" in result.stdout
    project = tmp_path / "d" / "images"
    info = json.loads(run("info", project, "--json").stdout)
    assert info["images"] == 122 and info["boxes"] == {"pending": 0, "accepted": 0, "rejected": 0}
    rows = json.loads(run("info", project, "--images", "--json").stdout)
    assert set(rows[0]) == {"path", "width", "height", "class", "value", "split", "status", "excluded",
                            "missing", "warnings", "boxes"}
    again = run("import", project, "--json")
    assert json.loads(again.stdout)["unchanged"] == 122
    nothing = run("export", project, "--out", tmp_path / "voc", "--layout", "vocdevkit")
    assert nothing.returncode == 1 and "no boxes" in nothing.stderr  # unverified images without boxes: no negatives
    annotated = run("import", project, "--annotations", tmp_path / "d" / "ground_truth" / "annotations")
    assert annotated.returncode == 0, annotated.stderr
    exported = run("export", project, "--out", tmp_path / "voc", "--layout", "vocdevkit")
    assert exported.returncode == 0, exported.stderr
    assert len(list((tmp_path / "voc" / "VOCdevkit" / "VOC2007" / "Annotations").glob("*.xml"))) > 50
    refused = run("export", project, "--out", tmp_path / "voc", "--layout", "vocdevkit")
    assert refused.returncode == 1 and "already exist" in refused.stderr
    assert run("demo", tmp_path / "d").returncode == 1  # never written into a non-empty folder


def test_import_summary_table_and_exit_codes(tmp_path, capsys):
    write_image(tmp_path / "ok.jpg")
    (tmp_path / "zero.jpg").write_bytes(b"")
    assert main(["import", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "zero.jpg" in out and "skipped" in out and "empty file" in out
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "zero.jpg").write_bytes(b"")
    assert main(["import", str(bad)]) == 2


def test_clear_error_for_a_folder_without_project(tmp_path, capsys):
    assert main(["info", str(tmp_path)]) == 1
    assert "no project here" in capsys.readouterr().err


def test_db_elsewhere(tmp_path):
    write_image(tmp_path / "imgs" / "a.jpg")
    db = tmp_path / "p.db"
    assert run("import", tmp_path / "imgs", "--db", db).returncode == 0
    info = json.loads(run("info", tmp_path / "imgs", "--db", db, "--json").stdout)
    assert info["images"] == 1 and info["database"] == str(db.resolve())


def test_dedup_json_and_split(tmp_path):
    assert run("demo", tmp_path / "d").returncode == 0
    project = tmp_path / "d" / "images"
    result = run("dedup", project, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"pairs", "groups", "conflicts", "leaks"}
    assert {"a", "b", "kind", "distance"} <= set(data["pairs"][0])
    assert len(data["conflicts"]) == 1 and len(data["leaks"]) == 1
    split = run("split", project, "--ratios", "0.6", "0.2", "0.2", "--seed", "4", "--json")
    assert split.returncode == 0, split.stderr
    assert json.loads(split.stdout)["groups"] == len(data["groups"])
    assert json.loads(run("dedup", project, "--json").stdout)["leaks"] == []
    human = run("split", project)
    assert "total" in human.stdout and "train" in human.stdout
    assert run("dedup", project, "--bits", "60").returncode == 1  # not a square: a plain error


def test_train_and_evaluate_a_detector(tmp_path):
    from fixed_model import SQUARES, write_squares

    from labelstudio_desktop.core.store.runs import get_run
    from labelstudio_desktop.core.store.store import BoxRecord, Store

    project = tmp_path / "squares"
    write_squares(project)
    assert run("import", project).returncode == 0
    refused = run("train", project, "--task", "detect", "--epochs", "1", "--size", "32")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines()[-1].startswith("error: no accepted boxes")  # after TF's own logs
    with Store.open(project) as store:
        for img in store.images():
            for edges in SQUARES[img.path][1]:
                store.insert_box(BoxRecord(0, img.id, SQUARES[img.path][0], *edges, source="imported"))
    trained = run("train", project, "--task", "detect", "--epochs", "1", "--size", "32", "--json")
    assert trained.returncode == 0, trained.stderr
    result = json.loads(trained.stdout)
    assert result["task"] == "detect" and result["status"] == "finished" and result["epochs"] == 1
    with Store.open(project) as store:  # the default: the pretrained MobileNetV2 shipped with the app
        params = get_run(store, result["run"]).params
    assert (params["backbone"], params["weights"]) == ("mobilenetv2", "imagenet")
    evaluated = run("evaluate", project, "--run", result["run"], "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads(evaluated.stdout)
    assert metrics["task"] == "detect" and all(0 <= metrics[k] <= 1 for k in ("precision", "recall", "mean_iou"))


@pytest.mark.parametrize("rows", [[], [{"path": "a.jpg", "warnings": []}],
                                  [{"path": "é/b.jpg", "warnings": ["x", "y"], "class": None}, {"boxes": 3}]])
def test_info_prints_its_image_rows_as_they_are_read_in_the_json_a_list_would_give(rows, capsys):
    _print_json_rows(iter(rows))
    assert capsys.readouterr().out == json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
