"""Duplicate groups at any number of pairs: the array union-find and the grouping against plain references, the
bounded pairs per group, the columns of the image table, the keepers for all groups at once, and find_duplicates on
a real folder with a large group of look-alikes (pairs counted, a few listed, every member grouped), its worker
processes giving what its threads give, and a cancel during the search."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from PIL import Image
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from labelstudio_desktop.cli import main
from labelstudio_desktop.core.cleaning import dedup, group_facts, grouping, prints
from labelstudio_desktop.core.cleaning.dedup import NOT_DUPLICATE, find_duplicates, suggest_keeper
from labelstudio_desktop.core.cleaning.forest import Forest
from labelstudio_desktop.core.cleaning.grouping import Grouping, collapse
from labelstudio_desktop.core.cleaning.hamming import _brute_force, stream_pairs
from labelstudio_desktop.core.cleaning.image_table import ImageTable
from labelstudio_desktop.core.jobs import Cancelled, JobToken
from labelstudio_desktop.core.store.records import ImageRecord
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


def _components(n, a, b):
    a, b = np.asarray(a, np.int64), np.asarray(b, np.int64)
    return connected_components(coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)), directed=False)[1]


def _same_partition(x, y) -> bool:
    return len(set(zip(x.tolist(), y.tolist(), strict=True))) == len(set(x.tolist())) == len(set(y.tolist()))


@pytest.mark.timeout(60)
def test_the_union_find_joins_blocks_as_a_graph_search_does():
    rng = np.random.default_rng(0)
    for _trial in range(25):
        n, m = int(rng.integers(2, 300)), int(rng.integers(0, 700))
        a, b, d = rng.integers(0, n, m), rng.integers(0, n, m), rng.integers(0, 10, m)
        keep = a != b
        a, b, d = a[keep], b[keep], d[keep]
        forest, tree = Forest(n), []
        for s in range(0, len(a), 41):
            joined, _roots = forest.join(a[s:s + 41], b[s:s + 41], d[s:s + 41])
            tree += [(a[s + k], b[s + k]) for k in joined.tolist()]
        roots, reference = forest.roots(), _components(n, a, b)
        assert _same_partition(roots, reference)
        assert all(r == np.nonzero(roots == r)[0].min() for r in set(roots.tolist()))  # the smallest is the root
        sets = len(set(reference.tolist()))
        assert len(tree) == n - sets  # a spanning forest ...
        assert len(set(_components(n, *zip(*tree, strict=True)).tolist()) if tree else range(n)) == sets  # ... of all
        for r in set(roots.tolist()):  # every set counts its pairs
            assert forest.pairs[r] == np.sum(roots[a] == r)


def _clusters(m, rng):
    centres = rng.integers(0, 2**63, int(rng.integers(1, 12)), dtype=np.uint64)
    h = centres[rng.integers(0, len(centres), m)]
    flips = rng.integers(0, 64, (m, 3)).astype(np.uint64)
    some = rng.random((m, 3)) < 0.4
    for k in range(3):
        h = h ^ np.where(some[:, k], np.uint64(1) << flips[:, k], np.uint64(0))
    return h[:, None]


@pytest.mark.timeout(120)
def test_groups_and_kept_pairs_match_a_brute_force_reference():
    rng = np.random.default_rng(3)
    for _trial in range(25):
        m, threshold, keep = int(rng.integers(2, 300)), int(rng.integers(0, 13)), int(rng.integers(1, 25))
        packed = _clusters(m, rng)
        rejected = {tuple(sorted(rng.integers(0, m, 2).tolist())) for _ in range(int(rng.integers(0, 6)))}
        rejected = {p for p in rejected if p[0] != p[1]}
        alone = np.zeros(m, bool)
        alone[[x for p in rejected for x in p]] = True
        node_of, counts, firsts = collapse(packed, alone)
        assert len(firsts) <= m and (counts[node_of[alone]] == 1).all()
        group = Grouping(node_of, counts, firsts, rejected=np.array([a * m + b for a, b in rejected], np.int64),
                         keep=keep, pool=40)  # a tiny pool: its compaction runs too
        for i, j, d in stream_pairs(packed[firsts], 64, threshold, block=64):
            group.add(i, j, d)
        found = group.finish(np.arange(m))
        bi, bj = _brute_force(packed, threshold)
        pairs = {(a, b) for a, b in zip(bi.tolist(), bj.tolist(), strict=True)} - rejected
        reference = _components(m, [p[0] for p in pairs], [p[1] for p in pairs])
        grouped = np.bincount(reference)[reference] >= 2
        assert ((found.group >= 0) == grouped).all()
        assert _same_partition(found.group[grouped], reference[grouped])
        assert found.count == len(set(reference[grouped].tolist()))
        firsts_of_groups = [int(np.nonzero(found.group == g)[0][0]) for g in range(found.count)]
        assert firsts_of_groups == sorted(firsts_of_groups)  # numbered by their first member
        assert found.pairs_found == len(pairs)
        kept = [(min(a, b), max(a, b)) for a, b in zip(found.kept.a.tolist(), found.kept.b.tolist(), strict=True)]
        assert len(kept) == len(set(kept)) and set(kept) <= pairs  # real pairs, none rejected, none twice
        for g in range(found.count):
            of_group = {p for p in pairs if found.group[p[0]] == g}
            listed = {p for p in kept if found.group[p[0]] == g}
            if len(of_group) <= keep:
                assert listed == of_group  # a small group lists every pair
            else:
                assert 0 < len(listed) <= keep  # a large one at most `keep`


def test_a_large_group_of_equal_hashes_lists_its_members_against_the_first():
    packed = np.zeros((40, 1), np.uint64)
    node_of, counts, firsts = collapse(packed, np.zeros(40, bool))
    assert counts.tolist() == [40]
    found = Grouping(node_of, counts, firsts, keep=50).finish(np.arange(40))
    assert found.pairs_found == 40 * 39 // 2 and found.count == 1
    assert len(found.kept) == 39 and set(found.kept.a.tolist()) == {0}  # each member once, with the first
    assert (found.kept.kind == grouping.NEAR).all()
    same = Grouping(node_of, counts, firsts, keep=5).finish(np.zeros(40, np.int64))  # exact copies: marked so
    assert len(same.kept) == 5 and (same.kept.kind == grouping.EXACT).all()


def _records(n, rng):
    return [ImageRecord(id=int(3 * k + 1), path=f"f/{k:03d}.jpg", size=int(rng.integers(100, 110)),
                        mtime=float(rng.integers(0, 3)), width=int(rng.choice([10, 20])), height=10, channels=3,
                        label=rng.choice([None, "cat", "dog"]), value=None if k % 4 else 0.5,
                        split=rng.choice([None, "train", "val"]), status=rng.choice(["unverified", "verified"]),
                        warnings=["odd"] if k == 3 else []) for k in range(n)]


def test_the_image_table_gives_back_the_records():
    records = _records(50, np.random.default_rng(1))
    table = ImageTable(records)
    assert len(table) == 50 and list(table) == [r.id for r in records]
    assert all(table[r.id] == r for r in records)
    assert table.rows([4, 5, 1]).tolist() == [1, -1, 0] and 5 not in table and 4 in table
    with pytest.raises(KeyError):
        table[5]
    sparse = ImageTable([ImageRecord(id=10**12, path="x", size=1, mtime=0, width=1, height=1, channels=1)])
    assert sparse[10**12].path == "x" and sparse.rows([10**12, 3]).tolist() == [0, -1]


def test_keepers_for_all_groups_at_once_are_suggest_keepers():
    rng = np.random.default_rng(2)
    records = _records(120, rng)
    table = ImageTable(records)
    group = rng.integers(-1, 15, 120)
    group[:15] = np.arange(15)  # every group has a member
    annotations = {r.id: int(rng.integers(0, 3)) for r in records[::3]}
    keepers = group_facts.keepers(table, group, 15, annotations)
    for g in range(15):
        members = [records[k] for k in np.nonzero(group == g)[0]]
        assert table.ids[keepers[g]] == suggest_keeper(members, annotations).id


# ---------------------------------------------------------------------------------------------- real files
def _look_alikes(folder, rng, name, count, jitter=2):
    scene = rng.integers(0, 256, (12, 16, 3), dtype=np.uint8)
    base = np.asarray(Image.fromarray(scene).resize((68, 52), Image.BICUBIC), np.float32)
    (folder / name).mkdir(parents=True)
    for k in range(count):
        dx, dy = rng.integers(0, jitter + 1, 2)
        arr = base[dy:dy + 48, dx:dx + 64] * rng.uniform(0.9, 1.1) + rng.normal(0, 4, (48, 64, 3))
        Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).save(folder / name / f"{k:03d}.jpg", quality=90)


@pytest.fixture
def bursts(tmp_path):
    """A burst of 30 look-alikes, one of 3, and 6 distinct pictures."""
    rng = np.random.default_rng(7)
    folder = tmp_path / "bursts"
    _look_alikes(folder, rng, "burst", 30)
    _look_alikes(folder, rng, "few", 3, jitter=0)
    for k in range(6):
        _look_alikes(folder, rng, f"single{k}", 1)
    with Store.create(folder) as store:
        import_folder(store)
    return folder


@pytest.mark.timeout(300)
def test_a_large_group_lists_its_closest_pairs_and_keeps_every_member(bursts, monkeypatch, capsys):
    monkeypatch.setattr(grouping, "PAIRS_PER_GROUP", 5)
    with Store.open(bursts) as store:
        result = find_duplicates(store)
        ids = {img.path: img.id for img in store.images()}
    burst = sorted(ids[p] for p in ids if p.startswith("burst/"))
    few = sorted(ids[p] for p in ids if p.startswith("few/"))
    assert sorted(map(sorted, result.groups)) == sorted([burst, few])  # every member, the distinct ones in none
    big = result.group_of(burst[0])
    assert all(result.group_of(i) == big for i in burst) and result.group_of(ids["single0/000.jpg"]) is None
    listed = [(p.a, p.b) for p in result.pairs]
    in_big = [p for p in listed if result.group_of(p[0]) == big]
    assert len(in_big) == 5 and len([p for p in listed if p[0] in few]) == 3  # the small group lists its 3 pairs
    assert result.pairs_found > 3 + 5 and result.pairs_found <= 3 + 30 * 29 // 2
    distances = [p.distance for p in result.pairs]
    assert distances == sorted(distances)
    assert result.as_json()["pairs_found"] == result.pairs_found
    assert main(["dedup", str(bursts)]) == 0
    assert f"{result.pairs_found} pairs (8 shown) in 2 groups" in capsys.readouterr().out


@pytest.mark.timeout(300)
def test_a_rejected_pair_is_not_listed_and_joins_nothing(bursts):
    with Store.open(bursts) as store:
        a, b, c = (store.image_by_path(f"few/{k:03d}.jpg").id for k in range(3))
        with store.transaction() as conn:
            for x, y in ((a, b), (a, c)):
                conn.execute("INSERT INTO duplicate_decisions(image_a, image_b, decision, created_at) "
                             "VALUES(?,?,?,0)", (min(x, y), max(x, y), NOT_DUPLICATE))
        result = find_duplicates(store)
    listed = {frozenset((p.a, p.b)) for p in result.pairs}
    assert frozenset((b, c)) in listed and frozenset((a, b)) not in listed and frozenset((a, c)) not in listed
    assert result.group_of(a) is None and result.group_of(b) == result.group_of(c) is not None


@pytest.mark.timeout(300)
def test_worker_processes_give_what_threads_give(bursts, tmp_path, monkeypatch):
    with Store.open(bursts) as store:
        threads = find_duplicates(store)
        by_threads = sorted(tuple(r) for r in store.conn.execute("SELECT image_id, algo, value FROM hashes"))
        store.conn.execute("DELETE FROM hashes")
        store.conn.commit()
        monkeypatch.setattr(prints, "PROCESS_MIN", 1)
        monkeypatch.setattr(prints, "cores", lambda: 2)  # processes even on one core
        processes = find_duplicates(store)
        assert processes.hashed == len(processes.images)
        assert sorted(tuple(r) for r in store.conn.execute("SELECT image_id, algo, value FROM hashes")) == by_threads
    assert processes.groups == threads.groups and processes.pairs == threads.pairs
    assert processes.pairs_found == threads.pairs_found


@pytest.mark.timeout(300)
def test_a_cancel_during_the_pair_search(bursts):
    class StopWhileSearching(JobToken):
        searching = False

        def status(self, text):
            self.searching = text.startswith("searching")

        def progress(self, done, total):
            if self.searching:
                self.cancel()

    with Store.open(bursts) as store:
        job = StopWhileSearching()
        with pytest.raises(Cancelled):
            find_duplicates(store, job=job)
        assert job.searching  # stopped in the search, the fingerprints kept
        assert find_duplicates(store).hashed == 0


def test_pairs_list_reads_as_a_list():
    pairs = dedup.PairList(np.array([1, 2]), np.array([5, 6]), np.array([0, 2], np.int8), np.array([0.0, 0.25]),
                           np.array([False, True]), np.array([np.nan, 0.75]))
    assert pairs[0] == dedup.Pair(1, 5, "exact", 0) and pairs[-1].similarity == 0.75
    assert list(pairs) == [pairs[0], pairs[1]] and pairs[:1] == [pairs[0]] and pairs != []
    assert dedup.PairList(*(np.zeros(0) for _ in range(6))) == []
    assert list(itertools.islice(pairs, 1)) == [pairs[0]]
