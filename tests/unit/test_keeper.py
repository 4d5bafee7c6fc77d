"""The suggested keeper of a duplicate group is the copy holding the operator's work (issue 19).

"The duplicate review suggested keeping the copy with no boxes over the reviewed copy with one": keeping the
suggestion excluded the reviewed copy and with it the review. The copy with the work comes first (verified, then more
accepted boxes and masks, then a class or value set); resolution, file size and age only decide between copies holding
the same work. The GUI's review and the CLI's ``dedup`` show the same keeper (both read it from the search's result).
"""

from __future__ import annotations

import io
import re

import numpy as np
from PIL import Image

from labelstudio_desktop.cli import main
from labelstudio_desktop.core.cleaning.dedup import accepted_annotations, find_duplicates, suggest_keeper
from labelstudio_desktop.core.store.store import BoxRecord, Store

BIG, SMALL = "bolt/bolt_002.jpg", "bolt/bolt_002_small.jpg"  # the demo's resized copy (80% of the size)


def _keeper_of(store: Store, path: str) -> str:
    result = find_duplicates(store)
    image_id = store.image_by_path(path).id
    group = result.group_of(image_id)
    assert group is not None
    return result.images[result.keepers[group]].path


def _mask_png(store: Store, path: str) -> bytes:
    image = store.image_by_path(path)
    mask = np.zeros((image.height, image.width), np.uint8)
    mask[10:30, 10:30] = 255
    out = io.BytesIO()
    Image.fromarray(mask).save(out, format="PNG")
    return out.getvalue()


def _add_mask(store: Store, path: str, state: str = "accepted") -> None:
    with store.transaction() as c:
        c.execute("INSERT INTO masks(image_id, label, png, source, state, created_at) VALUES(?,?,?,?,?,0)",
                  (store.image_by_path(path).id, "bolt", _mask_png(store, path), "manual", state))


def test_without_work_the_larger_copy_is_kept(demo):
    with Store.open(demo / "images") as store:
        assert _keeper_of(store, SMALL) == BIG


def test_the_copy_with_a_reviewed_box_is_kept_over_a_larger_copy_without(demo):
    with Store.open(demo / "images") as store:
        store.insert_box(BoxRecord(0, store.image_by_path(SMALL).id, "bolt", 10, 10, 60, 60))
        assert _keeper_of(store, SMALL) == SMALL  # the larger copy before the fix


def test_more_accepted_boxes_and_masks_win_and_proposals_do_not_count(demo):
    with Store.open(demo / "images") as store:
        big, small = store.image_by_path(BIG).id, store.image_by_path(SMALL).id
        store.insert_box(BoxRecord(0, big, "bolt", 10, 10, 60, 60))
        for n in range(3):  # pending and rejected proposals are the model's, not the operator's work
            store.insert_box(BoxRecord(0, small, "bolt", n, n, 50, 50, source="proposal",
                                       state=("pending", "rejected", "pending")[n]))
        assert _keeper_of(store, SMALL) == BIG
        store.insert_box(BoxRecord(0, small, "bolt", 10, 10, 60, 60))
        _add_mask(store, SMALL)
        _add_mask(store, BIG, state="pending")
        assert accepted_annotations(store)[small] == 2 and accepted_annotations(store)[big] == 1
        assert _keeper_of(store, SMALL) == SMALL


def test_a_verified_copy_is_kept_and_a_class_breaks_a_tie(demo):
    with Store.open(demo / "images") as store:
        store.update_image_fields(store.image_by_path(SMALL).id, {"status": "verified"})
        assert _keeper_of(store, SMALL) == SMALL
        store.update_image_fields(store.image_by_path(SMALL).id, {"status": "unverified"})
        big, small = store.image_by_path(BIG), store.image_by_path(SMALL)
        big.label, big.value, small.label, small.value = None, None, None, 2.0  # a value on the small copy only
        assert suggest_keeper([big, small]).id == small.id
        small.value = None
        assert suggest_keeper([big, small]).id == big.id


def test_the_cli_marks_the_reviewed_copy_to_keep(demo, capsys):
    with Store.open(demo / "images") as store:
        store.insert_box(BoxRecord(0, store.image_by_path(SMALL).id, "bolt", 10, 10, 60, 60))
    assert main(["dedup", str(demo / "images")]) == 0
    out = capsys.readouterr().out
    kept = {m.group(1) for m in re.finditer(r"^\s+keep (\S+)", out, re.M)}
    assert SMALL in kept and BIG not in kept
