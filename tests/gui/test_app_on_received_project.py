"""The app on a received project with a crafted database (issue 22): it says how many records were refused, makes
thumbnails of the project's own images only, never shows a file outside the project, and changes nothing there."""

from __future__ import annotations

import re

import pytest
from received_project import SECRET, files_holding, received_project, snapshot

from labelstudio_desktop.core import confine
from labelstudio_desktop.gui.image_notes import IMAGE_NOTES
from labelstudio_desktop.gui.thumbnails import thumbnail_key


@pytest.mark.parametrize("reason", [confine.OUTSIDE, confine.ABSOLUTE, confine.PARENT, confine.LINK, confine.EMPTY])
def test_every_reason_a_path_is_refused_for_has_a_translation_pattern(reason):
    """The viewer shows why it cannot show an image through gui/image_notes.py: each reason has its pattern (the
    .ts test, tests/gui/test_translations.py, checks that each pattern's template is translated)."""
    assert [t for p, t in IMAGE_NOTES if re.fullmatch(p, reason)] == [reason]


def test_the_app_reports_refusals_and_reads_nothing_outside_the_project(open_window, tmp_path, qtbot):
    received = received_project(tmp_path)
    before = snapshot(received.victim)
    window = open_window(received.root)
    assert "refused" in window.statusBar().currentMessage()  # the records refused by their paths, at once...
    said = f"{len(received.refused_records)} record(s) of this project refused"
    qtbot.waitUntil(lambda: said in window.statusBar().currentMessage(), timeout=20000)  # ...the links once checked

    store = window.store
    thumbs = store.db_path.parent / "thumbnails"
    shown = [i for i in store.images(include_excluded=False, include_missing=False)]
    wanted = {thumbnail_key(i.path, i.size, i.mtime) for i in shown}
    qtbot.waitUntil(lambda: {p.stem for p in thumbs.rglob("*.png")} >= wanted, timeout=20000)
    refused = [store.image(i) for i in store.refused_images]
    made = {p.stem for p in thumbs.rglob("*.png")}
    assert not made & {thumbnail_key(i.path, i.size, i.mtime) for i in refused}

    for image in refused:  # a row of the browser the user clicks: a message, never the file's pixels
        window.annotation.show(image.id)
        assert window.canvas.image is None
        assert "Cannot show" in window.statusBar().currentMessage()
    assert snapshot(received.victim) == before
    assert files_holding(received.root, [SECRET, received.photo.read_bytes()]) == []
