"""Duplicate finding on real files and on the demo project's planted problems."""

from __future__ import annotations

import io
import json
import shutil

import imagehash
import numpy as np
import pytest
from PIL import Image, ImageOps

from labelstudio_desktop.core.cleaning.dedup import NOT_DUPLICATE, find_duplicates, suggest_keeper
from labelstudio_desktop.core.cleaning.hashing import content_digest, fingerprint, read_and_decode
from labelstudio_desktop.core.jobs import Cancelled, JobToken
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


def _truth(demo):
    return json.loads((demo / "ground_truth" / "truth.json").read_text())


def _pairs(result):
    return {frozenset((result.images[p.a].path, result.images[p.b].path)): p for p in result.pairs}


def test_batched_phash_is_imagehash_bit_for_bit(demo):
    for path in sorted((demo / "images").rglob("*.png"))[:12]:  # PNGs: the same decoded pixels for both
        ours = fingerprint(path).phash
        gray = ImageOps.exif_transpose(Image.open(path)).convert("L")
        theirs = np.packbits(imagehash.phash(gray).hash.reshape(-1)).tobytes()
        assert ours == theirs, path


def test_content_digest_ignores_metadata_only(tmp_path):
    arr = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    plain, tagged = io.BytesIO(), io.BytesIO()
    exif = Image.Exif()
    exif[0x010E] = "a description"
    Image.fromarray(arr).save(plain, "JPEG", quality=90)
    Image.fromarray(arr).save(tagged, "JPEG", quality=90, exif=exif, comment=b"hello")
    assert plain.getvalue() != tagged.getvalue()
    assert content_digest(plain.getvalue(), 1) == content_digest(tagged.getvalue(), 1)
    assert content_digest(plain.getvalue(), 1) != content_digest(plain.getvalue(), 6)  # rotation is not metadata
    other = io.BytesIO()
    Image.fromarray(arr).save(other, "JPEG", quality=60)
    assert content_digest(other.getvalue(), 1) != content_digest(plain.getvalue(), 1)


def test_every_planted_copy_is_found_and_nothing_else(demo):
    truth = _truth(demo)
    planted = truth["planted"]
    with Store.open(demo / "images") as store:
        result = find_duplicates(store)
    pairs = _pairs(result)
    for a, b in planted["exact"] + planted["conflict"]:
        assert pairs[frozenset((a, b))].kind == "exact", (a, b)
    for a, b, _how in planted["near"]:
        assert frozenset((a, b)) in pairs, (a, b)
    for a, b in planted["leak"]:
        assert frozenset((a, b)) in pairs
    expected = {frozenset(p[:2]) for key in ("exact", "near", "conflict", "leak") for p in planted[key]}
    assert set(pairs) == expected  # no distinct images paired
    groups = result.as_json()
    conflict = planted["conflict"][0]
    assert any(set(conflict) <= set(g) for g in groups["conflicts"])
    leak = planted["leak"][0]
    assert any(set(leak) <= set(g) for g in groups["leaks"])
    assert len(groups["conflicts"]) == 1 and len(groups["leaks"]) == 1


def test_second_run_reads_the_cache_and_a_changed_file_is_hashed_again(demo):
    with Store.open(demo / "images") as store:
        first = find_duplicates(store)
        assert first.hashed == len(first.images)
        second = find_duplicates(store)
        assert second.hashed == 0 and _pairs(second).keys() == _pairs(first).keys()
        target = demo / "images" / "nut" / "nut_003_copy.jpg"
        Image.open(demo / "images" / "bolt" / "bolt_001.jpg").save(target)  # the copy is now something else
        third = find_duplicates(store)
        assert third.hashed == 1
        assert frozenset(("nut/nut_003.jpg", "nut/nut_003_copy.jpg")) not in _pairs(third)


def test_cancel_leaves_only_complete_cache_rows(demo):
    class StopAfterOneBatch(JobToken):
        def progress(self, done, total):
            self.cancel()

    with Store.open(demo / "images") as store:
        with pytest.raises(Cancelled):
            find_duplicates(store, job=StopAfterOneBatch())
        per_image = store.conn.execute("SELECT image_id, COUNT(*) FROM hashes GROUP BY image_id").fetchall()
        assert 0 < len(per_image) < store.image_count()
        assert {count for _, count in per_image} == {4}  # sha256, content, gray, phash: all or nothing
        assert find_duplicates(store).hashed == store.image_count() - len(per_image)


def test_not_a_duplicate_decision_is_remembered(demo):
    with Store.open(demo / "images") as store:
        a = store.image_by_path("nut/nut_008.jpg").id
        b = store.image_by_path("nut/nut_008_bright.jpg").id
        with store.transaction() as c:
            c.execute("INSERT INTO duplicate_decisions(image_a, image_b, decision, created_at) VALUES(?,?,?,0)",
                      (min(a, b), max(a, b), NOT_DUPLICATE))
        assert frozenset(("nut/nut_008.jpg", "nut/nut_008_bright.jpg")) not in _pairs(find_duplicates(store))


def test_excluded_images_are_left_out(demo):
    with Store.open(demo / "images") as store:
        store.update_image_fields(store.image_by_path("nut/nut_003_copy.jpg").id, {"excluded": True})
        assert frozenset(("nut/nut_003.jpg", "nut/nut_003_copy.jpg")) not in _pairs(find_duplicates(store))


def test_mirror_mode_finds_flipped_copies(tmp_path, demo):
    src = demo / "images" / "bolt" / "bolt_001.jpg"
    folder = tmp_path / "mirror"
    folder.mkdir()
    shutil.copy(src, folder / "a.jpg")
    ImageOps.mirror(Image.open(src)).save(folder / "a_flipped.jpg", quality=92)
    shutil.copy(demo / "images" / "nut" / "nut_001.jpg", folder / "other.jpg")
    with Store.create(folder) as store:
        import_folder(store)
        assert find_duplicates(store).pairs == []
        pairs = _pairs(find_duplicates(store, mirror=True))
        assert set(pairs) == {frozenset(("a.jpg", "a_flipped.jpg"))}
        assert pairs[frozenset(("a.jpg", "a_flipped.jpg"))].mirrored


@pytest.mark.parametrize("algo", ["dhash", "whash", "ahash"])
def test_other_hashes_find_the_resized_copy(demo, algo):
    with Store.open(demo / "images") as store:
        pairs = _pairs(find_duplicates(store, algo=algo))
    assert frozenset(("bolt/bolt_002.jpg", "bolt/bolt_002_small.jpg")) in pairs


def test_bigger_hashes(demo):
    with Store.open(demo / "images") as store:
        pairs = _pairs(find_duplicates(store, bits=256))
    assert frozenset(("washer/washer_006.jpg", "washer/washer_006_q40.jpg")) in pairs


def test_a_reduced_jpeg_decode_is_upright(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (400, 100), (255, 255, 255)).save(tmp_path / "r.jpg", exif=exif)
    assert read_and_decode(tmp_path / "r.jpg", size=(100, 400)).gray.shape[0] > \
        read_and_decode(tmp_path / "r.jpg", size=(100, 400)).gray.shape[1]


def test_keeper_prefers_resolution_then_size_then_age(demo):
    with Store.open(demo / "images") as store:
        big = store.image_by_path("bolt/bolt_002.jpg")
        small = store.image_by_path("bolt/bolt_002_small.jpg")
        assert suggest_keeper([small, big]).id == big.id
        twin = store.image_by_path("nut/nut_003.jpg")
        copy = store.image_by_path("nut/nut_003_copy.jpg")
        copy.mtime = twin.mtime + 10
        assert suggest_keeper([copy, twin]).id == twin.id  # same pixels and bytes: the older one
