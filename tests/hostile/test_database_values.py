"""Odd values in a project's database (issue 22, items 3 and 5): warnings that are not JSON, a mask that is a
30000x30000 PNG bomb, mask blobs that are text or a number, runs whose process id is text or 0 and whose history or
times are not what training writes, settings that are not JSON. Each is a plain note naming its record and the
problem, never a traceback, and the project's valid records still work (:mod:`odd_values` builds the project)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from odd_values import BOMB_SIDE, IMAGES, H, W, block_mask, odd_project, png_bomb

from labelstudio_desktop.cli import main
from labelstudio_desktop.core.store.masks import (
    BadMask,
    decode_grey,
    decode_mask,
    decoded_masks,
    encode_mask,
    union_mask,
)
from labelstudio_desktop.core.store.runs import list_runs, recover_interrupted, snapshots
from labelstudio_desktop.core.store.store import Store


@pytest.fixture
def odd(tmp_path):
    return odd_project(tmp_path)


def _mask_notes(odd) -> dict[str, str]:
    ids = odd.odd_masks
    return {"bomb": f"mask {ids['bomb']} ('dog') left out: its PNG is {BOMB_SIDE}x{BOMB_SIDE}, far from its image's "
                    f"size {W}x{H}: not decoded",
            "text": f"mask {ids['text']} ('dog') left out: not a PNG image",
            "number": f"mask {ids['number']} ('dog') left out: not a PNG image"}


def test_info_in_its_own_process_lists_every_image_and_names_the_unreadable_warnings(odd):
    result = subprocess.run([sys.executable, "-m", "labelstudio_desktop", "info", str(odd.root), "--images"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    lines = {line.split("\t")[0]: line for line in result.stdout.splitlines()}
    assert set(lines) == set(IMAGES)
    assert lines["a.jpg"].endswith("its warnings in the database: not JSON ('{\"not json'): ignored")
    assert "1 boxes" in lines["a.jpg"]  # the record works: its box, class and split are there


#: Objects each export writes from the valid records: a box and a mask per image (crops and masks: the masks).
EXPORTED = {"masks": (3, 3), "coco": (3, 6), "labelme": (3, 6), "crops": (3, 3), "augmented": (12, 12)}


@pytest.mark.parametrize("fmt", sorted(EXPORTED))
def test_an_export_leaves_out_the_bomb_and_the_junk_masks_by_name_and_writes_the_valid_ones(odd, fmt, tmp_path,
                                                                                            capsys):
    source = ["--from", "masks"] if fmt == "crops" else []
    assert main(["export", str(odd.root), "--format", fmt, *source, "--out", str(tmp_path / "out"), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    problems = {(p["path"], p["reason"]) for p in report["problems"]}
    notes = _mask_notes(odd)
    assert any(path == "b.jpg" and reason == notes["bomb"] for path, reason in problems), problems
    for case in ("text", "number"):
        assert any(path == "c.jpg" and reason.startswith(notes[case]) for path, reason in problems), problems
    assert (report["images"], report["objects"]) == EXPORTED[fmt]


# Runs the command line and writes its own peak resident memory (kB) to the file named first. The process's own high
# water mark (VmHWM of its memory after exec), not wait4's ru_maxrss: Linux carries the parent's resident size at
# fork into that, and the test process is large by the time this runs in the suite.
_PEAK_OF_RUN = """
import atexit, re, runpy, sys
report = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status:
        peak = re.search(r"VmHWM:\\s+(\\d+)", status.read()).group(1)
    with open(report, "w") as out:
        out.write(peak)
atexit.register(write_peak)
runpy.run_module("labelstudio_desktop", run_name="__main__", alter_sys=True)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc")
def test_exporting_the_bomb_in_its_own_process_never_decodes_it(odd, tmp_path):
    """Decoding the bomb takes 900 MB (more with its copies); the export's process stays far below."""
    peak = tmp_path / "peak"
    process = subprocess.run([sys.executable, "-c", _PEAK_OF_RUN, str(peak), "export", str(odd.root), "--format",
                              "coco", "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert process.returncode == 0 and "Traceback" not in process.stderr, process.stderr
    assert _mask_notes(odd)["bomb"] in process.stdout
    assert int(peak.read_text()) < 600_000, peak.read_text()  # kilobytes


def test_the_masks_of_an_image_skip_what_cannot_be_used_and_decode_the_rest(odd):
    with Store.open(odd.root) as store:
        rows = store.masks(odd.images["c.jpg"])
        notes: list[str] = []
        kept = decoded_masks(rows, W, H, notes)
        assert [r["id"] for r, _mask in kept] == [odd.valid_masks["c.jpg"]]
        assert len(notes) == 2 and all(n.endswith("not decoded") for n in notes)
        with pytest.raises(BadMask):
            decoded_masks(rows, W, H, None)  # without notes: the plain error, for callers that stop
        union = union_mask(store, odd.images["b.jpg"], W, H, notes=notes)
        assert (union == block_mask(6, 5, 30, 20)).all()  # b.jpg's valid mask alone
        assert notes[-1].startswith(_mask_notes(odd)["bomb"])


def test_a_mask_is_checked_against_its_image_before_decoding():
    mask = block_mask(5, 5, 30, 20)
    assert (decode_mask(encode_mask(mask), W, H) == mask).all()
    old_size = encode_mask(np.kron(mask, np.ones((2, 2), np.uint8)))  # a mask of the file before it was replaced
    assert (decode_mask(old_size, W, H) == mask).all()
    with pytest.raises(BadMask, match="far from its image's size"):
        decode_grey(png_bomb(), W, H)
    for width, height in ((0, H), ("64", H), (BOMB_SIDE, BOMB_SIDE)):  # an image record of no size, or of a huge one
        with pytest.raises(BadMask, match="its image's recorded size"):
            decode_mask(encode_mask(mask), width, height)
    with pytest.raises(BadMask, match="cut short"):
        decode_mask(encode_mask(mask)[:60], W, H)  # its header, then part of its data
    damaged = bytearray(encode_mask(mask))
    damaged[40:48] = b"\xff" * 8  # inside the compressed data
    with pytest.raises(BadMask, match="cannot be decoded"):
        decode_mask(bytes(damaged), W, H)


def test_runs_with_odd_values_are_listed_with_a_message_and_marked_interrupted(odd):
    ids = odd.runs
    with Store.open(odd.root) as store:
        runs = {r.id: r for r in list_runs(store)}
        assert runs[ids["not json"]].params == {} and runs[ids["not json"]].history == {}
        assert "its parameters in the database: not JSON ('{params')" in runs[ids["not json"]].message
        assert "its start time in the database: not a time ('yesterday')" in runs[ids["not json"]].message
        words = runs[ids["history of words"]]
        assert words.history == {"val_loss": [2.0]} and words.best() == 2.0
        assert "'loss' is not a list of numbers" in words.message
        assert sorted(recover_interrupted(store)) == sorted(ids.values())
        runs = {r.id: r for r in list_runs(store)}
    assert all(r.status == "interrupted" for r in runs.values())
    pid_text = runs[ids["pid text"]]
    assert "its process id is not a whole number ('twelve') in the database" in pid_text.message
    assert pid_text.history == {"loss": [0.5]} and pid_text.epochs == 1  # its valid history is kept
    assert "its process id 0 is out of range" in runs[ids["history of words"]].message  # 0 would mean "any process"
    assert "'loss' is not a list of numbers" in runs[ids["history of words"]].message  # still named, still stored


def test_a_run_of_a_live_process_stays_running(odd):
    run = odd.sql("INSERT INTO runs(task, params, history, status, started_at) VALUES('detect', ?, '{}', "
                  "'running', 1.0)", (json.dumps({"_pid": os.getpid(), "_host": None}),))
    with Store.open(odd.root) as store:
        assert run not in recover_interrupted(store)
        assert {r.id: r.status for r in list_runs(store)}[run] == "running"


def test_snapshots_that_are_not_what_training_writes_are_left_out(odd):
    run, image = odd.runs["pid text"], odd.images["a.jpg"]
    snapshot = "INSERT INTO snapshots(run_id, epoch, image_id, kind, data) VALUES(?, ?, ?, ?, ?)"
    good = [(1, "mask", encode_mask(block_mask(1, 1, 9, 9))), (2, "boxes", b'[{"box": [0, 0, 1, 1], "score": 0.5}]'),
            (3, "prediction", b"[0.2, 0.8]")]
    bad = [(4, "mask", png_bomb()), (5, "boxes", b'[{"score": "high"}]'), (6, "prediction", b"not json"),
           ("seven", "prediction", b"[0.1]"), (8, "boxes", b"[" * 100_000)]
    for epoch, kind, data in good + bad:
        odd.sql(snapshot, (run, epoch, image, kind, data))
    odd.sql(snapshot, (run, 9, 999, "prediction", b"[0.3]"))  # an image the project does not hold
    with Store.open(odd.root) as store:
        assert snapshots(store, run) == {image: good}


def test_settings_that_are_not_json_are_named_and_the_export_uses_the_rest(odd, tmp_path, capsys):
    assert main(["export", str(odd.root), "--format", "yolo", "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "the setting 'class_keys' in the database: not JSON ('[not json'): ignored" in err
    assert "the setting 'object_classes' in the database: 2 value(s) that are not names: ignored" in err
    assert "names:\n  0: cat\n  1: dog\n" in (tmp_path / "out" / "data.yaml").read_text()


def test_an_image_whose_facts_are_not_numbers_is_read_as_missing_until_the_next_import_reads_it(odd, tmp_path,
                                                                                                   capsys):
    odd.sql("UPDATE images SET width='wide', mtime='now' WHERE id=?", (odd.images["b.jpg"],))
    assert main(["info", str(odd.root), "--images"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("b.jpg"))
    assert "missing" in line and "its width is not a whole number ('wide') in the database" in line
    assert main(["export", str(odd.root), "--format", "yolo", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out" / "labels" / "train").glob("?.txt")) == ["a.txt", "c.txt"]
    assert main(["import", str(odd.root)]) == 0  # reads the file again: the record is whole
    with Store.open(odd.root) as store:
        b = store.image(odd.images["b.jpg"])
    assert (b.width, b.height, b.missing, b.warnings) == (W, H, False, [])


def test_a_box_whose_values_no_box_can_have_is_left_out_by_name_and_the_rest_exported(odd, tmp_path, capsys):
    box = "INSERT INTO boxes(image_id, label, x0, y0, x1, y1, source, state, created_at) VALUES(?, ?, ?, 2, ?, 9, " \
          "'manual', 'accepted', 0)"
    a = odd.images["a.jpg"]
    odd_boxes = {odd.sql(box, (a, "cat", "left", 9)): "x0 is not a whole number ('left')",
                 odd.sql(box, (a, "cat", 1, 1e308)): "x1 1e+308 is out of range",
                 odd.sql(box, (a, b"\xff", 1, 9)): "its class is not a name"}
    odd.sql("UPDATE images SET label=?, split=? WHERE id=?", (b"\xff\xfe", "elsewhere", a))
    odd.sql("UPDATE images SET warnings=CAST(X'5b2261ff225d' AS TEXT) WHERE id=?", (odd.images["c.jpg"],))
    assert main(["export", str(odd.root), "--format", "coco", "--out", str(tmp_path / "out"), "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["objects"] == 6  # a box and a mask for each image
    for box_id, reason in odd_boxes.items():
        assert f"box {box_id} of image {a}: {reason}" in captured.err and "in the database: left out" in captured.err
    assert main(["info", str(odd.root), "--json", "--images"]) == 0
    rows = {r["path"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["a.jpg"]["class"] is None and rows["a.jpg"]["split"] is None
    assert "its class in the database is not one (b'\\xff\\xfe'): ignored" in rows["a.jpg"]["warnings"]
    assert rows["c.jpg"]["warnings"] == ["a\ufffd"]  # bytes that are not UTF-8, read as U+FFFD
