"""The app on a received project with a crafted database (issue 22): it says how many records were refused, makes
thumbnails of the project's own images only, never shows a file outside the project, and changes nothing there."""

from __future__ import annotations

from received_project import SECRET, files_holding, received_project, snapshot

from labelstudio_desktop.gui.thumbnails import thumbnail_key


def test_the_app_reports_refusals_and_reads_nothing_outside_the_project(open_window, tmp_path, qtbot):
    received = received_project(tmp_path)
    before = snapshot(received.victim)
    window = open_window(received.root)
    assert "refused" in window.statusBar().currentMessage()
    assert str(len(received.refused_records)) in window.statusBar().currentMessage()

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
