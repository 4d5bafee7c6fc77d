"""The map coloured by likely mistakes on the command line: ``map --colour mistake`` judges the classes as
``mistakes`` does (real photos, the shipped MobileNetV2) and gives each image the kind of its most doubted row."""

from __future__ import annotations

import json

from photo_project import labelled_photo_project

from labelstudio_desktop import cli
from labelstudio_desktop.core.mistakes import flagged_images


def test_the_map_colours_each_image_by_the_kind_of_its_most_doubted_likely_mistake(tmp_path, capsys):
    folder = labelled_photo_project(tmp_path / "photos")
    assert cli.main(["mistakes", str(folder), "--json"]) == 0
    judged = json.loads(capsys.readouterr().out)
    expected = flagged_images(judged["images"]["likely"] + judged["boxes"]["likely"])
    assert expected  # one photo is labelled wrongly, and its boxes carry its true class

    assert cli.main(["map", str(folder), "--colour", "mistake", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["colour"] == "mistake" and len(data["points"]) == 10
    assert {p["id"]: p["mistake"] for p in data["points"] if p["mistake"]} == expected

    assert cli.main(["map", str(folder), "--colour", "mistake"]) == 0
    line = capsys.readouterr().out
    assert "by mistake:" in line and f"none {10 - len(expected)}" in line
