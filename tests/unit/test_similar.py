"""The look-alike search (core/cleaning/similar.py): blocked exact search, the neighbourhood correction, the index
beyond the exact search's size."""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.core.cleaning import similar
from labelstudio_desktop.core.cleaning.similar import Index, indexed_pairs, neighbourhoods, prepared, similar_pairs


def _clusters(seed: int = 3) -> np.ndarray:
    """Non-negative vectors in two tight families (everything alike within each) plus a few near-copies."""
    rng = np.random.default_rng(seed)
    families = rng.uniform(0, 4, (2, 64))
    rows = [np.maximum(families[n % 2] + rng.normal(0, 0.6, 64), 0) for n in range(40)]
    rows += [np.maximum(rows[k] + rng.normal(0, 0.05, 64), 0) for k in (0, 1, 7)]  # copies of rows 0, 1, 7
    return np.array(rows)


def _all_scores(vectors: np.ndarray) -> np.ndarray:
    x = prepared(vectors)
    usual = neighbourhoods(x)
    return x @ x.T - (usual[:, None] + usual[None, :]) / 2


def test_the_copies_stand_out_of_families_where_everything_looks_alike():
    vectors = _clusters()
    i, j, score = similar_pairs(vectors, 0.25)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 40), (1, 41), (7, 42)]
    assert np.all(score <= 1.0)
    plain = prepared(vectors) @ prepared(vectors).T  # without the correction, family members are alike too
    assert (plain[:40, :40][np.triu_indices(40, 1)] > 0.25).any()


def test_blocks_give_the_same_pairs_as_the_whole_matrix(monkeypatch):
    vectors = _clusters(5)
    whole = _all_scores(vectors)
    expected = sorted((a, b) for a, b in zip(*np.nonzero(whole >= 0.1), strict=True) if a < b)
    monkeypatch.setattr(similar, "BLOCK_ELEMENTS", 50)  # one row per block
    i, j, score = similar_pairs(vectors, 0.1)
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == expected
    assert np.allclose(score, np.minimum(whole[i, j], 1.0), atol=1e-5)


def test_a_neighbour_that_is_a_look_alike_itself_does_not_count_in_the_neighbourhood():
    vectors = _clusters()
    x = prepared(vectors)
    usual = neighbourhoods(x)
    sims = x @ x.T
    np.fill_diagonal(sims, -np.inf)
    row = np.sort(sims[0][sims[0] < similar.SAME])[-similar.NEIGHBOURS:]
    assert usual[0] == pytest.approx(row.mean(), abs=1e-5)


def test_preparing_a_few_rows_at_a_time_changes_nothing(monkeypatch):
    vectors = _clusters(5)
    whole = prepared(vectors)
    monkeypatch.setattr(similar, "PREPARE_ROWS", 7)
    assert np.allclose(prepared(vectors), whole, atol=1e-5)


def test_the_index_probing_every_cell_finds_exactly_the_exact_pairs():
    vectors = _clusters(5)
    i, j, score = similar_pairs(vectors, 0.1)
    ii, jj, ss = indexed_pairs(prepared(vectors), 0.1, cells=6, probe=6)
    assert ii.tolist() == i.tolist() and jj.tolist() == j.tolist()
    assert np.allclose(ss, score, atol=1e-5)


def test_the_index_deals_every_row_to_one_cell_and_probes_its_own_cell_first():
    x = prepared(_clusters(5))
    index = Index(x, cells=6, probe=3)
    assert sorted(np.concatenate([index.members(c) for c in range(6)]).tolist()) == list(range(len(x)))
    assert index.near[:, 0].tolist() == list(range(6)) and index.near.shape == (6, 3)
    for rows, candidates, sims in index.blocks():
        assert set(rows.tolist()) <= set(candidates.tolist()) and sims.shape == (len(rows), len(candidates))


def test_beyond_the_exact_search_the_index_finds_the_copies(monkeypatch):
    vectors = _clusters()
    monkeypatch.setattr(similar, "MAX_EXACT", 10)
    monkeypatch.setattr(similar, "CELL_SIZE", 8)  # 5 cells of about 8 rows, each probing 2
    monkeypatch.setattr(similar, "PROBE", 2)
    cancelled = []
    i, j, score = similar_pairs(vectors, 0.25, check=lambda: cancelled.append(1))
    assert sorted(zip(i.tolist(), j.tolist(), strict=True)) == [(0, 40), (1, 41), (7, 42)] and cancelled
    assert np.all(score <= 1.0)


def test_tiny_inputs_give_nothing():
    assert all(len(a) == 0 for a in similar_pairs(np.ones((1, 8)), 0.25))
    assert all(len(a) == 0 for a in similar_pairs(np.zeros((0, 8)), 0.25))
