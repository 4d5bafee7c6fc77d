"""A detector's few reviewed validation images train too (ml/train.py): two or three images cannot tell its epochs
apart, and with twenty reviewed each is a tenth more to learn from. The run records it, so that what measures the
run afterwards (``held_out_images``) no longer counts them as unseen; the test split stays apart."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from labelstudio_desktop.core.jobs import JobToken
from labelstudio_desktop.core.store.runs import VALIDATION_TRAINED, get_run, held_out_images
from labelstudio_desktop.core.store.store import BoxRecord, Store
from labelstudio_desktop.core.transfer.importer import import_folder
from labelstudio_desktop.ml.data import collect
from labelstudio_desktop.ml.train import FEW_VALIDATION_IMAGES, TrainConfig, train


def _plates(folder, splits: list[str]):
    """A project of photos each holding one bright plate (its box accepted), the n-th photo in ``splits[n]``."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    for n in range(len(splits)):
        pixels = rng.integers(60, 120, (64, 80, 3)).astype(np.uint8)
        x0, y0 = int(rng.integers(0, 40)), int(rng.integers(0, 30))
        pixels[y0:y0 + 30, x0:x0 + 36] = (230, 210, 90)
        Image.fromarray(pixels).save(folder / f"plate{n:03d}.png")
    with Store.create(folder) as store:
        import_folder(store)
        for img in store.images():
            n = int(img.path[5:8])
            store.update_image_fields(img.id, {"split": splits[n]})
            pixels = np.asarray(Image.open(store.abs_path(img)))
            ys, xs = np.nonzero(pixels[..., 0] > 200)
            store.insert_box(BoxRecord(0, img.id, "plate", int(xs.min()), int(ys.min()), int(xs.max()) + 1,
                                       int(ys.max()) + 1))
        return store.db_path


def _config() -> TrainConfig:
    return TrainConfig(task="detect", size=32, epochs=1, batch=8, backbone="small", weights="none")


def test_few_validation_images_train_and_are_no_longer_counted_as_unseen(tmp_path):
    splits = ["train"] * 16 + ["val"] * 2 + ["test"] * 2  # twenty reviewed images, split as the app splits them
    db = _plates(tmp_path / "plates", splits)
    said: list[str] = []
    result = train(db, _config(), JobToken(on_status=said.append))
    assert result.status == "finished" and "val_loss" not in result.history
    assert "2 validation images, too few to judge the epochs: they train too" in said
    with Store.open(db) as store:
        run = get_run(store, result.run_id)
        assert run.params[VALIDATION_TRAINED] is True
        assert sorted(img.split for img in held_out_images(store, run)) == ["test", "test"]
        assert sum(run.params["counts"].values()) == 18  # the boxes it trained on: train and val
        data = collect(store, "detect", 32)
    assert (len(data.ids["train"]), len(data.ids["val"]), len(data.ids["test"])) == (16, 2, 2)  # the project's
    resumed = train(db, _config(), resume=result.run_id)  # a resume trains on what the run trained on
    assert resumed.status == "finished" and resumed.epochs == 2 and "val_loss" not in resumed.history
    moved = data.fold_validation()
    assert moved == 2 and len(data.ids["train"]) == len(data.x["train"]) == len(data.y["train"]) == 18
    assert len(data.ids["val"]) == len(data.x["val"]) == len(data.y["val"]) == 0 and data.fold_validation() == 0


@pytest.mark.parametrize("val", [FEW_VALIDATION_IMAGES, 0])
def test_enough_validation_images_or_none_leave_the_split_as_it_is(tmp_path, val):
    db = _plates(tmp_path / "plates", ["train"] * 6 + ["val"] * val + ["test"] * 2)
    said: list[str] = []
    result = train(db, _config(), JobToken(on_status=said.append))
    assert result.status == "finished" and ("val_loss" in result.history) == (val > 0)
    assert not any("too few to judge the epochs" in line for line in said)
    with Store.open(db) as store:
        run = get_run(store, result.run_id)
        assert run.params[VALIDATION_TRAINED] is False
        assert sorted(img.split for img in held_out_images(store, run)) == ["test"] * 2 + ["val"] * val


def test_the_evaluation_does_not_score_a_run_on_validation_images_it_trained_on(tmp_path):
    from labelstudio_desktop.ml.evaluate import evaluate

    few = _plates(tmp_path / "few", ["train"] * 8 + ["val"] * 2)
    assert evaluate(few, train(few, _config()).run_id).split == "train"
    enough = _plates(tmp_path / "enough", ["train"] * 8 + ["val"] * FEW_VALIDATION_IMAGES)
    assert evaluate(enough, train(enough, _config()).run_id).split == "val"
