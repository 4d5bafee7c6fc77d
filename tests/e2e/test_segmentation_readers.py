"""The segmentation export read by TensorFlow as TF pipelines read it (see strict_readers.py for what TF returns)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import write_image
from mask_files import square
from PIL import Image
from strict_readers import tf_raw_class_indices, tf_voc_class_indices

from labelstudio_desktop.core.formats.masks import VOC_COLORMAP, export_masks
from labelstudio_desktop.core.store.masks import encode_mask
from labelstudio_desktop.core.store.store import Store
from labelstudio_desktop.core.transfer.importer import import_folder


def test_tensorflow_gets_colours_from_the_palette_png_and_indices_from_the_raw_one(tmp_path):
    tf = pytest.importorskip("tensorflow")
    write_image(tmp_path / "p" / "a.jpg")
    with Store.create(tmp_path / "p") as store:
        import_folder(store)
        image = store.images()[0].id
        for n, label in enumerate(("nut", "bolt", "washer")):
            store.add_mask(image, label, encode_mask(square(box=(5 + 15 * n, 5, 15 + 15 * n, 40))))
        export_masks(store, tmp_path / "out", border=1)
    palette_png = tmp_path / "out" / "SegmentationClass" / "a.png"
    expected = np.asarray(Image.open(palette_png))
    assert set(np.unique(expected)) == {0, 1, 2, 3, 255}
    decoded = tf.io.decode_png(tf.io.read_file(str(palette_png))).numpy()
    assert decoded.shape == (48, 64, 3)  # the palette expanded to RGB: colours, not indices
    assert decoded[20, 10].tolist() == VOC_COLORMAP[expected[20, 10]].tolist()
    assert np.array_equal(tf_voc_class_indices(palette_png, VOC_COLORMAP), expected)
    assert np.array_equal(tf_raw_class_indices(tmp_path / "out" / "SegmentationClassRaw" / "a.png"), expected)
