"""Image features with the shipped ImageNet MobileNetV2 (ml/features.py) on a tiny project of real photos: stored and
reused, recomputed for a changed file, cancelled and resumed, the look-alikes they find, and ``embed --json``."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from photo_project import photo_project
from PIL import Image

from labelstudio_desktop import cli
from labelstudio_desktop.core.cleaning.dedup import find_duplicates
from labelstudio_desktop.core.cleaning.similar import DEFAULT_SIMILAR
from labelstudio_desktop.core.jobs import Cancelled, JobToken
from labelstudio_desktop.core.store.features import DIM, load_features
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.ml.features import build_extractor, compute_features, trim_border

PHOTOS = 7


@pytest.fixture(scope="module")
def extractor():
    return build_extractor()


@pytest.fixture
def project(tmp_path):
    return photo_project(tmp_path / "photos")


def test_features_are_stored_reused_and_recomputed_for_a_changed_file(project, extractor):
    folder, planted = project
    with Store.open(folder) as store:
        first = compute_features(store, model=extractor)
        assert (first.done, first.skipped, first.failed) == (PHOTOS + len(planted), 0, 0)
        ids, before = load_features(store, store.images())
        again = compute_features(store, model=extractor)
        assert (again.done, again.skipped) == (0, PHOTOS + len(planted))
        assert np.array_equal(load_features(store, store.images())[1], before)

        changed = folder / "card_on_cat.jpg"
        changed.write_bytes((folder / "blood_smear.jpg").read_bytes())  # another picture under the same name
        os.utime(changed, (1_700_000_000, 1_700_000_000))
        third = compute_features(store, model=extractor)
        assert (third.done, third.skipped) == (1, PHOTOS + len(planted) - 1)
        after = dict(zip(*load_features(store, store.images()), strict=True))
        cat = store.image_by_path("card_on_cat.jpg").id
        blood = store.image_by_path("blood_smear.jpg").id
        assert not np.array_equal(after[cat], before[ids.index(cat)])
        assert np.allclose(after[cat], after[blood], atol=1e-2)  # the same picture now: the same features
        assert before.shape == (PHOTOS + len(planted), DIM) and np.isfinite(before).all() and before.min() >= 0


def test_a_cancelled_run_keeps_its_finished_batches_and_the_next_one_resumes(project, extractor):
    folder, planted = project
    token = JobToken(on_progress=lambda done, total: token.cancel() if done >= 2 else None)
    with Store.open(folder) as store:
        with pytest.raises(Cancelled):
            compute_features(store, token, batch=2, model=extractor)
        assert store.conn.execute("SELECT COUNT(*) FROM features").fetchone()[0] == 2
        resumed = compute_features(store, batch=4, model=extractor)
    assert (resumed.done, resumed.skipped) == (PHOTOS + len(planted) - 2, 2)


def test_look_alikes_are_the_planted_copies_and_none_of_the_different_photos(project, extractor):
    folder, planted = project
    with Store.open(folder) as store:
        compute_features(store, model=extractor)
        hashes_only = find_duplicates(store)
        result = find_duplicates(store, similar=DEFAULT_SIMILAR)
    found = {frozenset((result.images[p.a].path, result.images[p.b].path)): p for p in result.pairs}
    assert set(found) == {frozenset(pair) for pair in planted.items()}
    assert all(p.kind == "similar" and p.similarity >= DEFAULT_SIMILAR for p in found.values())
    assert hashes_only.pairs == []  # what perceptual hashes miss
    assert result.features_missing == 0 and result.as_json()["similar"]["threshold"] == DEFAULT_SIMILAR


def test_embed_json_counts_done_skipped_and_failed(project, capsys):
    folder, planted = project
    assert cli.main(["embed", str(folder), "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["done"], first["skipped"], first["failed"]) == (PHOTOS + len(planted), 0, 0)
    assert first["seconds"] > 0 and first["model"].startswith("mobilenetv2")
    (folder / "copy_turn.jpg").write_bytes(b"not an image any more")
    assert cli.main(["embed", str(folder), "--json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert (second["done"], second["skipped"], second["failed"]) == (0, PHOTOS + len(planted) - 1, 1)
    assert second["problems"][0]["path"] == "copy_turn.jpg"


def test_dedup_similar_computes_the_missing_features_first(project, capsys):
    folder, planted = project
    assert cli.main(["dedup", str(folder), "--similar", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {frozenset((p["a"], p["b"])) for p in data["pairs"]} == {frozenset(pair) for pair in planted.items()}
    assert all(p["kind"] == "similar" and p["similarity"] >= DEFAULT_SIMILAR for p in data["pairs"])
    assert data["similar"] == {"threshold": DEFAULT_SIMILAR, "features_missing": 0}


def test_map_places_every_photo_draws_it_and_says_what_it_could_not_place(project, capsys, tmp_path):
    folder, planted = project
    (folder / "copy_turn.jpg").write_bytes(b"not an image")  # imported as an image, unreadable now
    png = tmp_path / "map.png"
    assert cli.main(["map", str(folder), "--json", "--png", str(png), "--side", "300", "--colour", "status"]) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    placed = {p["path"] for p in data["points"]}
    assert len(placed) == PHOTOS + len(planted) - 1 and "copy_turn.jpg" not in placed
    assert data["method"] == "pca" and data["without_features"] == 1
    assert all(0 <= p["x"] <= 1 and 0 <= p["y"] <= 1 and p["status"] == "unverified" for p in data["points"])
    assert "no features for copy_turn.jpg" in captured.err
    with Image.open(png) as im:
        assert im.size == (300, 300)
    assert cli.main(["map", str(folder), "--method", "no-such"]) == 1
    assert "not available here: pca" in capsys.readouterr().err


def test_a_uniform_border_is_trimmed_and_a_photo_is_kept_whole():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, (60, 80, 3), dtype=np.uint8)
    framed = np.full((80, 100, 3), 240, np.uint8)
    framed[10:70, 10:90] = photo
    assert np.array_equal(trim_border(framed), photo)
    assert np.array_equal(trim_border(photo), photo)
    blank = np.full((40, 40, 3), 7, np.uint8)
    assert trim_border(blank).shape == (20, 20, 3)  # never more than a quarter of each side


def test_review_order_puts_the_look_alike_of_a_reviewed_photo_behind_the_new_ones(project, capsys):
    """Real features of real photos: with cards_on_table.jpg verified, its planted crop is the image most like a
    reviewed one, so it comes after every photo of another scene (no proposals yet: every doubt is the same)."""
    folder, planted = project
    with Store.open(folder) as store:
        reviewed = next(img for img in store.images() if img.path == "cards_on_table.jpg")
        store.update_image_fields(reviewed.id, {"status": "verified"})
    assert cli.main(["review-order", str(folder), "--json", "--limit", "100"]) == 0
    data = json.loads(capsys.readouterr().out)
    order = [row["path"] for row in data["order"]]
    assert data["reviewed"] == 1 and data["to_review"] == PHOTOS + len(planted) - 1
    assert "cards_on_table.jpg" not in order and {*planted} <= set(order)
    assert order.index("copy_crop.jpg") >= PHOTOS - 1  # behind the six other scenes
    assert all(row["doubt"] == 0.5 for row in data["order"])
    assert cli.main(["review-order", str(folder), "--limit", "2"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"{PHOTOS + len(planted) - 1} images to review (1 reviewed)")
    assert "more (--limit)" in printed
