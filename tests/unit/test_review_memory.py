"""The review rules every proposal round obeys, on crafted boxes and a real SQLite project."""

from __future__ import annotations

from labelstudio_desktop.core.editing.review_memory import Candidate, Review, remembered, review_of, why_dropped
from labelstudio_desktop.core.store.store import BoxRecord, Store


def _review(accepted=None, rejected=None):
    return Review(accepted or {}, rejected or {})


def test_a_proposal_over_an_accepted_box_of_the_same_label_is_dropped():
    review = _review(accepted={"cat": [(10, 10, 50, 50)]})
    assert why_dropped(Candidate("cat", (12, 12, 52, 50), 0.9), review) == "accepted"
    assert why_dropped(Candidate("dog", (12, 12, 52, 50), 0.9), review) is None  # another label: a new object
    assert why_dropped(Candidate("cat", (40, 40, 90, 90), 0.9), review) is None  # overlaps too little


def test_a_rejected_box_is_never_proposed_again():
    review = _review(rejected={"cat": [(0, 0, 20, 20)]})
    assert why_dropped(Candidate("cat", (1, 1, 21, 20), 0.5), review) == "rejected"
    assert why_dropped(Candidate("cat", (0, 0, 40, 40), 0.5), review) is None  # IoU 0.25: another box


def test_the_threshold_is_inclusive():
    review = _review(accepted={"cat": [(0, 0, 10, 10)]})
    assert why_dropped(Candidate("cat", (0, 0, 10, 20), 0.5), review) == "accepted"  # IoU exactly 0.5


def test_remembered_keeps_the_best_of_duplicates_and_counts_what_it_dropped():
    review = _review(accepted={"cat": [(100, 100, 150, 150)]}, rejected={"dog": [(0, 0, 30, 30)]})
    candidates = [Candidate("cat", (0, 0, 40, 40), 0.4), Candidate("cat", (1, 1, 41, 41), 0.8),
                  Candidate("cat", (100, 100, 150, 151), 0.9), Candidate("dog", (0, 0, 30, 31), 0.7),
                  Candidate("dog", (200, 200, 240, 240), 0.2)]
    kept, dropped = remembered(candidates, review)
    assert [(c.label, c.box) for c in kept] == [("cat", (1, 1, 41, 41)), ("dog", (200, 200, 240, 240))]
    assert dropped == {"accepted": 1, "rejected": 1, "duplicate": 1}


def test_review_of_reads_accepted_and_rejected_boxes_of_one_image(tmp_path):
    from helpers import write_image

    from labelstudio_desktop.core.transfer.importer import import_folder

    write_image(tmp_path / "p" / "a.jpg", 64, 48)
    with Store.create(tmp_path / "p") as store:
        import_folder(store)
        image = store.image_by_path("a.jpg").id
        store.insert_box(BoxRecord(0, image, "cat", 1, 1, 10, 10))
        store.insert_box(BoxRecord(0, image, "cat", 20, 20, 30, 30, source="proposal", state="rejected"))
        store.insert_box(BoxRecord(0, image, "cat", 5, 5, 9, 9, source="proposal", state="pending"))
        review = review_of(store, image)
    assert review.accepted == {"cat": [(1, 1, 10, 10)]} and review.rejected == {"cat": [(20, 20, 30, 30)]}
