"""A tiny project of real photos (``tests/data/photos``: clearly different scenes) with planted look-alike copies."""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image, ImageEnhance, ImageOps

PHOTOS = Path(__file__).parent / "data" / "photos"


def plant_copies(folder: Path) -> dict[str, str]:
    """Copies that perceptual hashes miss, written into ``folder``: {copy: the photo it copies}."""
    planted = {}
    with Image.open(PHOTOS / "cards_on_table.jpg") as im:
        w, h = im.size
        im.crop((int(w * 0.1), int(h * 0.05), int(w * 0.95), int(h * 0.9))).save(folder / "copy_crop.jpg", quality=95)
    planted["copy_crop.jpg"] = "cards_on_table.jpg"
    with Image.open(PHOTOS / "board_on_desk.jpg") as im:
        mirrored = ImageEnhance.Brightness(ImageOps.mirror(im)).enhance(1.15)
        ImageEnhance.Color(mirrored).enhance(0.8).save(folder / "copy_mirror.jpg", quality=95)
    planted["copy_mirror.jpg"] = "board_on_desk.jpg"
    with Image.open(PHOTOS / "blood_smear.jpg") as im:
        im.transpose(Image.Transpose.ROTATE_90).save(folder / "copy_turn.jpg", quality=95)
    planted["copy_turn.jpg"] = "blood_smear.jpg"
    return planted


def photo_project(folder: Path) -> tuple[Path, dict[str, str]]:
    """A project of the photos and their planted copies (a crop, a colour-shifted mirror, a quarter turn), imported:
    its folder and the copies as by :func:`plant_copies`."""
    from labelstudio_desktop.core.store.store import Store
    from labelstudio_desktop.core.transfer.importer import import_folder

    planted = photo_folder(folder)
    with Store.create(folder) as store:
        import_folder(store)
    return folder, planted


def photo_folder(folder: Path, copies: bool = True) -> dict[str, str]:
    """``folder`` filled with the photos (and, with ``copies``, the planted copies, returned as by
    :func:`plant_copies`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for photo in sorted(PHOTOS.glob("*.jpg")):
        shutil.copy(photo, folder / photo.name)
    return plant_copies(folder) if copies else {}


CARD_PHOTOS = ("card_on_cat.jpg", "card_on_cloth.jpg", "cards_on_deck.jpg", "cards_on_table.jpg", "cards_on_wood.jpg",
               "copy_crop.jpg")


def labelled_photo_project(folder: Path) -> Path:
    """:func:`photo_project` with each photo labelled 'cards' or 'other' (cards_on_wood.jpg wrongly 'other') and two
    accepted boxes of its true class on each."""
    from labelstudio_desktop.core.store.records import BoxRecord
    from labelstudio_desktop.core.store.store import Store

    folder, _planted = photo_project(folder)
    with Store.open(folder) as store:
        for img in store.images():
            label = "cards" if img.path in CARD_PHOTOS else "other"
            store.update_image_fields(img.id, {"label": "other" if img.path == "cards_on_wood.jpg" else label})
            w, h = img.width, img.height
            for k in range(2):
                store.insert_box(BoxRecord(0, img.id, label, k * w // 4, k * h // 4, w // 2 + k * w // 4,
                                           h // 2 + k * h // 4))
    return folder
