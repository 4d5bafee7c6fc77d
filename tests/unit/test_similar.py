"""The look-alike search (core/cleaning/similar.py): blocked exact search, the neighbourhood correction, the size
limit."""

from __future__ import annotations

import numpy as np
import pytest

from labelstudio_desktop.core.cleaning import similar
from labelstudio_desktop.core.cleaning.similar import TooManyImages, neighbourhoods, prepared, similar_pairs


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


def test_too_many_images_is_a_plain_refusal_and_tiny_inputs_give_nothing(monkeypatch):
    monkeypatch.setattr(similar, "MAX_EXACT", 5)
    with pytest.raises(TooManyImages, match="up to 5 images"):
        similar_pairs(np.ones((6, 8)), 0.25)
    assert all(len(a) == 0 for a in similar_pairs(np.ones((1, 8)), 0.25))
    assert all(len(a) == 0 for a in similar_pairs(np.zeros((0, 8)), 0.25))
