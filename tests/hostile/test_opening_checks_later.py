"""Opening with the slow checks left for later (what the app does, so that a million images paint at once): the links
leading out are refused once checked, exactly as an opening that checks them at once refuses them, and the backup on
opening is taken then (core/store/opening_checks.py)."""

from __future__ import annotations

import pytest
from received_project import received_project, snapshot

from labelstudio_desktop.core.confine import LINK
from labelstudio_desktop.core.jobs import Cancelled, JobToken
from labelstudio_desktop.core.store import refusals
from labelstudio_desktop.core.store.backups import list_backups
from labelstudio_desktop.core.store.opening_checks import later_opening_checks
from labelstudio_desktop.core.store.store import Store


@pytest.mark.timeout(60)
@pytest.mark.parametrize("paths_per_read", [refusals.PATHS_PER_READ, 2])  # 2: the paths read in many pieces
def test_links_checked_after_opening_are_refused_as_an_opening_that_checks_them_refuses_them(tmp_path, monkeypatch,
                                                                                               paths_per_read):
    monkeypatch.setattr(refusals, "PATHS_PER_READ", paths_per_read)
    at_once, later = received_project(tmp_path / "a"), received_project(tmp_path / "b")
    before = snapshot(later.victim)
    with Store.open(at_once.root) as store:
        refused_images, refused = set(store.refused_images), {r.record for r in store.refusals}
        backups = len(list_backups(store.db_path))
    assert backups >= 1

    with Store.open(later.root, checks_later=True) as store:
        assert set(store.refused_images) < refused_images  # all but the links leading out
        assert len(list_backups(store.db_path)) == backups - 1
        links = later_opening_checks(store.db_path, store.root, backup=True)
        new = store.refuse_links(links)
        assert new and {r.reason for r in new} == {LINK}
        assert store.refused_images == refused_images
        assert {r.record for r in store.refusals} == refused
        assert len(list_backups(store.db_path)) == backups
        assert store.refuse_links(links) == []  # refused once
    assert snapshot(later.victim) == before


@pytest.mark.timeout(60)
def test_the_later_checks_stop_when_cancelled(tmp_path):
    received = received_project(tmp_path)
    with Store.open(received.root, checks_later=True) as store:
        job = JobToken()
        job.cancel()
        with pytest.raises(Cancelled):
            later_opening_checks(store.db_path, store.root, backup=True, job=job)
