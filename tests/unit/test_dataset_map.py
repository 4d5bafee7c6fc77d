"""The dataset map's places, selection and picture (core/dataset_map.py), on a real project with stored features."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core import dataset_map as dm
from labelstudio_desktop.core.store.features import DIM, save_features
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


def _clusters(n_per: int, centres: int, seed: int = 0, dim: int = 64) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    where = rng.normal(0, 10, (centres, dim))
    which = np.repeat(np.arange(centres), n_per)
    return (where[which] + rng.normal(0, 1, (len(which), dim))).astype(np.float32), which


def test_the_randomised_components_span_what_the_exact_ones_span():
    x, _which = _clusters(2_000, 4)  # 8,000 rows: the randomised SVD
    assert len(x) > dm.EXACT_UP_TO
    fast = dm.principal_components(x, 2)
    centred = x - x.mean(axis=0)
    exact = centred @ np.linalg.svd(centred, full_matrices=False)[2][:2].T
    for k in range(2):
        assert abs(np.corrcoef(fast[:, k], exact[:, k])[0, 1]) > 0.999
    assert np.array_equal(dm.principal_components(x, 2), fast)  # the same data, the same map


def test_separate_groups_land_apart_and_the_map_fills_the_unit_square():
    x, which = _clusters(50, 3)
    xy = dm.project(x)
    assert xy.min() >= 0 and xy.max() <= 1 and np.isclose(max(np.ptp(xy[:, 0]), np.ptp(xy[:, 1])), 1)
    centres = np.array([xy[which == k].mean(axis=0) for k in range(3)])
    spread = max(np.linalg.norm(xy[which == k] - centres[k], axis=1).max() for k in range(3))
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(3) for b in range(a + 1, 3)]
    assert min(gaps) > 2 * spread


def test_an_unavailable_projection_is_refused_plainly():
    assert "pca" in dm.methods()
    with pytest.raises(dm.MapError, match="not available here"):
        dm.project(np.zeros((5, 3), np.float32), "no-such-method")


def test_points_inside_a_concave_lasso():
    points = np.array([[0.1, 0.1], [0.5, 0.5], [0.9, 0.1], [0.5, 0.9], [0.2, 0.8]], np.float32)
    u_shape = np.array([[0, 0], [1, 0], [1, 1], [0.7, 1], [0.7, 0.3], [0.3, 0.3], [0.3, 1], [0, 1]])
    assert dm.points_in_polygon(points, u_shape).tolist() == [True, False, True, False, True]
    assert not dm.points_in_polygon(points, u_shape[:2]).any()  # a line holds nothing


def test_the_picture_has_each_point_in_its_colour_and_rings_the_highlighted():
    xy = np.array([[0.0, 0.0], [1.0, 1.0]], np.float32)
    colours = dm.colours_of(np.array([0, -1]))
    image = dm.render(xy, colours, 100, 60, point=3, margin=5, highlighted=np.array([False, True]))
    px, py = dm.to_pixels(xy, 100, 60, 5)
    assert image.shape == (60, 100, 4)
    assert tuple(image[py[0], px[0], :3]) == dm.PALETTE[0]
    assert tuple(image[py[1], px[1], :3]) == dm.NONE_COLOUR
    assert tuple(image[py[1] + 2, px[1], :3]) == (0, 0, 0)  # the ring around the highlighted point
    assert tuple(image[py[0] + 2, px[0], :3]) == (255, 255, 255)
    back = dm.to_map(px[1], py[1], 100, 60, 5)
    assert np.allclose(back, (1, 1), atol=0.03)


def test_a_hundred_thousand_points_draw():
    rng = np.random.default_rng(1)
    xy = rng.random((100_000, 2)).astype(np.float32)
    image = dm.render(xy, dm.colours_of(rng.integers(-1, 5, 100_000)), 800, 800, point=3)
    assert (image[..., :3] != 255).any(axis=2).mean() > 0.3


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "images"
    for group, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200))):
        (folder / group).mkdir(parents=True)
        for n in range(4):
            Image.new("RGB", (40, 30), tuple(c + 5 * n for c in colour)).save(folder / group / f"{n}.png")
    with Store.create(folder) as store:
        import_folder(store)
    return folder


def _store_features(store: Store, skip: str | None = None) -> None:
    rng = np.random.default_rng(3)
    rows = []
    for img in store.images():
        if img.path == skip:
            continue
        centre = 5.0 if img.label == "red" else -5.0
        vector = (centre + rng.normal(0, 0.5, DIM)).astype(np.float32)
        stat = store.abs_path(img).stat()
        rows.append((img.id, stat.st_size, stat.st_mtime, vector, vector))
    save_features(store, rows)


def test_the_map_of_a_project_places_the_images_with_features_and_colours_them_by_class(project):
    with Store.open(project) as store:
        with pytest.raises(dm.MapError, match="no image has features yet"):
            dm.dataset_map(store)
        _store_features(store, skip="blue/3.png")
        found = dm.dataset_map(store)
        assert len(found.ids) == 7 and found.without_features == 1
        names, categories = found.categories("label")
        assert names == ["red", "blue"]  # most common first
        red = found.xy[categories == 0]
        blue = found.xy[categories == 1]
        assert np.abs(red[:, 0].mean() - blue[:, 0].mean()) > 0.5  # the classes apart along the first axis
        assert found.categories("split")[1].tolist() == [-1] * 7  # no split yet: no category
        with pytest.raises(dm.MapError, match="cannot colour by"):
            found.categories("path")
        flagged = {int(found.ids[0]): "box class", int(found.ids[1]): "image class", int(found.ids[2]): "box class"}
        names, categories = found.categories("mistake", flagged)
        assert names == ["box class", "image class"] and categories.tolist() == [0, 1, 0] + [-1] * 4
        assert found.categories("mistake")[1].tolist() == [-1] * 7  # not judged yet: every point grey
        first = int(found.ids[0])
        assert found.nearest(*found.xy[0], radius=1e-6) == first
        assert found.nearest(5.0, 5.0, radius=0.1) is None
        assert sorted(found.inside(np.array([[-1, -1], [2, -1], [2, 2], [-1, 2]]))) == sorted(found.ids.tolist())
