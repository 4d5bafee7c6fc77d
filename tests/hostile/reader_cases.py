"""Hostile annotation files, generated beside valid ones: each case writes one bad record (or one bad file) into a
project of two real images whose other records are valid.

Every project holds ``a.jpg`` and ``b.jpg`` (64 x 48). A valid file gives ``a.jpg`` the box :data:`BOX_A`; the file
under attack gives ``b.jpg`` the valid box :data:`BOX_B` and then the hostile record. A case says which file must be
named, the words that name the record, and whether ``b.jpg``'s valid box survives (it does unless the whole file is
refused: a JSON nested 100,000 deep, a YAML of aliases).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

W, H = 64, 48
BOX_A = ("cat", 10, 8, 30, 24)  # label, x0, y0, x1, y1 in pixel edges
BOX_B = ("dog", 5, 5, 20, 20)
NAN, INF = float("nan"), float("inf")
HUGE = 1e308
DEEP = 100_000


@dataclass
class Case:
    id: str
    fmt: str  # the import's --format
    write: Callable[[Path], None]
    file: str  # the file the note must name
    words: tuple[str, ...]  # what names the record (and the trouble) in that note
    keeps_b: bool = True  # b.jpg's valid record is imported


def dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))  # NaN and Infinity as Python writes them (JSON readers accept them)


def deep_json(path: Path) -> None:
    path.write_text("[" * DEEP + "]" * DEEP)


# ------------------------------------------------------------------ COCO
def _coco(root: Path, annotations=(), images=(), categories=(), image_b: dict | None = None) -> None:
    dump(root / "good.json", {"images": [{"id": 1, "file_name": "a.jpg", "width": W, "height": H}],
                              "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 8, 20, 16]}],
                              "categories": [{"id": 1, "name": "cat"}]})
    image = image_b or {"id": 1, "file_name": "b.jpg", "width": W, "height": H}
    dump(root / "cards.json", {"images": [image, *images],
                               "annotations": [{"id": 1, "image_id": 1, "category_id": 2, "bbox": [5, 5, 15, 15]},
                                               *annotations],
                               "categories": [{"id": 2, "name": "dog"}, *categories]})


def _coco_annotation(**fields) -> Callable[[Path], None]:
    record = {"id": 17, "image_id": 1, "category_id": 2, **fields}
    return lambda root: _coco(root, annotations=[record])


def _coco_case(name: str, words: tuple[str, ...], **fields) -> Case:
    return Case(f"coco-{name}", "coco", _coco_annotation(**fields), "cards.json", ("annotation 17", *words))


COCO = [
    _coco_case("bbox-huge", ("bbox", "out of range"), bbox=[HUGE, 0, HUGE, 10]),
    _coco_case("bbox-nan", ("bbox", "finite"), bbox=[NAN, 1, 2, 3]),
    _coco_case("bbox-infinity", ("bbox", "finite"), bbox=[1, 1, INF, 3]),
    _coco_case("bbox-strings", ("bbox", "not a number"), bbox=["a", "b", "c", "d"]),
    _coco_case("bbox-null", ("bbox", "not a number"), bbox=[None, 1, 2, 3]),
    _coco_case("bbox-short", ("bbox", "4 numbers"), bbox=[1, 2]),
    _coco_case("bbox-object", ("bbox", "4 numbers"), bbox={"x": 1}),
    _coco_case("bbox-nested", ("bbox", "not a number"), bbox=[[[[1]]], 1, 2, 3]),
    _coco_case("image-id-list", ("image_id",), image_id=[1], bbox=[1, 1, 2, 2]),
    _coco_case("category-id-list", ("category_id",), category_id=[2], bbox=[1, 1, 2, 2]),
    _coco_case("polygon-huge", ("polygon", "out of range"), segmentation=[[HUGE, 0, 10, 0, 10, 10]]),
    _coco_case("polygon-nan", ("polygon", "finite"), segmentation=[[NAN, 0, 10, 0, 10, 10]]),
    _coco_case("polygon-strings", ("polygon", "not a number"), segmentation=[["a", 0, 10, 0, 10, 10]]),
    _coco_case("polygon-one-point", ("polygon", "1 point"), segmentation=[[5, 5]]),
    _coco_case("polygon-odd", ("polygon", "odd"), segmentation=[[5, 5, 10, 5, 10]]),
    _coco_case("rle-overflow", ("RLE",), segmentation={"size": [H, W], "counts": [10 ** 30, 3072 - 10 ** 30]}),
    _coco_case("rle-overflow-sum", ("RLE",), segmentation={"size": [H, W], "counts": [10 ** 30]}),
    _coco_case("rle-huge-size", ("mask is 100000x100000",),
               segmentation={"size": [100000, 100000], "counts": [10 ** 10]}),
    _coco_case("rle-size-huge-float", ("RLE",), segmentation={"size": [HUGE, HUGE], "counts": [1]}),
    _coco_case("rle-strings", ("RLE",), segmentation={"size": [H, W], "counts": ["a", "b"]}),
    _coco_case("rle-null-size", ("RLE",), segmentation={"size": None, "counts": [3072]}),
    _coco_case("rle-compressed-garbage", ("RLE",), segmentation={"size": [H, W], "counts": "ÿÿÿ\u2603"}),
    _coco_case("rle-compressed-endless", ("RLE",), segmentation={"size": [H, W], "counts": "o" * 40}),
    _coco_case("segmentation-number", ("segmentation",), segmentation=5, bbox=[1, 1, 2, 2]),
    Case("coco-annotation-not-object", "coco", lambda root: _coco(root, annotations=[42]), "cards.json",
         ("annotation 2", "not an object")),
    Case("coco-image-id-list", "coco", lambda root: _coco(root, images=[{"id": [2], "file_name": "c.jpg"}]),
         "cards.json", ("image 2", "id")),
    Case("coco-image-width-infinite", "coco",
         lambda root: _coco(root, image_b={"id": 1, "file_name": "b.jpg", "width": INF, "height": H}),
         "cards.json", ("width",)),
    Case("coco-image-width-huge", "coco",
         lambda root: _coco(root, image_b={"id": 1, "file_name": "b.jpg", "width": 10 ** 400, "height": H}),
         "cards.json", ("width",)),
    Case("coco-file-name-list", "coco",
         lambda root: _coco(root, images=[{"id": 2, "file_name": ["b.jpg"]}]), "cards.json", ("file_name",)),
    Case("coco-category-id-list", "coco", lambda root: _coco(root, categories=[{"id": [3], "name": "x"}]),
         "cards.json", ("category 2", "id")),
    Case("coco-category-name-list", "coco", lambda root: _coco(root, categories=[{"id": 3, "name": ["x"]}]),
         "cards.json", ("category 2", "name")),
    Case("coco-deep-json-beside", "coco", lambda root: (_coco(root), deep_json(root / "deep.json")),
         "deep.json", ("nested",)),
]


# ------------------------------------------------------------------ labelme
def _labelme(root: Path, shape: object = None, **top) -> None:
    def rect(label, x0, y0, x1, y1):
        return {"label": label, "points": [[x0, y0], [x1, y1]], "shape_type": "rectangle"}
    dump(root / "a.json", {"imagePath": "a.jpg", "imageWidth": W, "imageHeight": H, "shapes": [rect(*BOX_A)]})
    shapes = [rect(*BOX_B)] + ([] if shape is None else [shape])
    dump(root / "b.json", {"imagePath": "b.jpg", "imageWidth": W, "imageHeight": H, "shapes": shapes, **top})


def _labelme_case(name: str, words: tuple[str, ...], shape: object = None, **top) -> Case:
    return Case(f"labelme-{name}", "labelme", lambda root: _labelme(root, shape, **top), "b.json", words)


def _shape(points, kind="polygon", label="dog") -> dict:
    return {"label": label, "points": points, "shape_type": kind}


LABELME = [
    _labelme_case("shape-type-list", ("shape 2", "shape_type"), _shape([[1, 1], [9, 9]], kind=["rectangle"])),
    _labelme_case("shape-type-object", ("shape 2", "shape_type"), _shape([[1, 1], [9, 9]], kind={"a": 1})),
    _labelme_case("points-huge", ("shape 2", "out of range"), _shape([[HUGE, 1], [9, 9], [1, 9]])),
    _labelme_case("points-nan", ("shape 2", "finite"), _shape([[NAN, 1], [9, 9], [1, 9]])),
    _labelme_case("points-strings", ("shape 2", "not a number"), _shape([["a", 1], [9, 9], [1, 9]])),
    _labelme_case("points-null", ("shape 2", "points"), _shape(None)),
    _labelme_case("points-object", ("shape 2", "points"), _shape({"x": 1})),
    _labelme_case("points-nested", ("shape 2", "point"), _shape([[[1, 2]], [9, 9], [1, 9]])),
    _labelme_case("polygon-one-point", ("shape 2", "1 point"), _shape([[5, 5]])),
    _labelme_case("label-list", ("shape 2", "label"), _shape([[1, 1], [9, 9], [1, 9]], label=["dog"])),
    _labelme_case("shape-not-object", ("shape 2", "not an object"), 42),
    _labelme_case("width-infinite", ("imageWidth",), None, imageWidth=INF),
    _labelme_case("width-text", ("imageWidth",), None, imageWidth="wide"),
    Case("labelme-deep-json-beside", "labelme", lambda root: (_labelme(root), deep_json(root / "deep.json")),
         "deep.json", ("nested",)),
]


# ------------------------------------------------------------------ YOLO
def _yolo_line(label_id: int, x0, y0, x1, y1) -> str:
    """A box in the common YOLO convention (continuous pixel coordinates of the edges)."""
    return f"{label_id} {(x0 + x1) / 2 / W} {(y0 + y1) / 2 / H} {(x1 - x0) / W} {(y1 - y0) / H}"


def _yolo(root: Path, bad_line: str = "", first: bool = False, yaml: str | None = None) -> None:
    (root / "classes.txt").write_text("cat\ndog\n")
    (root / "a.txt").write_text(_yolo_line(0, *BOX_A[1:]) + "\n")
    lines = [_yolo_line(1, *BOX_B[1:])]
    if bad_line:
        lines.insert(0 if first else 1, bad_line)
    (root / "b.txt").write_text("\n".join(lines) + "\n")
    if yaml is not None:
        (root / "data.yaml").write_text(yaml)


def _yolo_case(name: str, line: str, words: tuple[str, ...], first: bool = False) -> Case:
    number = "line 1" if first else "line 2"
    return Case(f"yolo-{name}", "auto", lambda root: _yolo(root, line, first), "b.txt", (number, *words))


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)) + "names: *i\n"
YOLO = [
    _yolo_case("coordinate-huge", "0 1e308 0.5 1e308 0.1", ("out of range",)),
    _yolo_case("coordinate-nan", "0 nan 0.5 0.1 0.1", ("finite",)),
    _yolo_case("coordinate-infinity", "0 0.5 inf 0.1 0.1", ("finite",)),
    _yolo_case("class-minus-one", "-1 0.5 0.5 0.2 0.2", ("class",)),
    _yolo_case("class-minus-one-first", "-1 0.5 0.5 0.2 0.2", ("class",), first=True),
    _yolo_case("class-huge", "99999999999999999999999 0.5 0.5 0.2 0.2", ("class",)),
    _yolo_case("class-text", "cat 0.5 0.5 0.2 0.2", ("class",)),
    _yolo_case("polygon-huge", "0 0.1 0.1 1e308 0.1 0.5 0.5", ("out of range",)),
    _yolo_case("too-few", "0 0.1 0.1 0.2", ("4",)),
    Case("yolo-yaml-billion-laughs", "yolo", lambda root: _yolo(root, yaml=BILLION_LAUGHS), "data.yaml",
         ("alias",)),
    Case("yolo-yaml-huge-class-id", "yolo",
         lambda root: _yolo(root, yaml="names: {0: cat, 1: dog, 1000000000: bird}\n"), "data.yaml", ("1000000000",)),
    Case("yolo-yaml-deep", "yolo", lambda root: _yolo(root, yaml="names: " + "[" * DEEP + "]" * DEEP + "\n"),
         "data.yaml", ("nested",)),
    Case("yolo-yaml-negative-id", "yolo", lambda root: _yolo(root, yaml="names: {-5: bird, 0: cat, 1: dog}\n"),
         "data.yaml", ("-5",)),
    Case("yolo-yaml-name-nested", "yolo", lambda root: _yolo(root, yaml="names: [cat, dog, [[bird]]]\n"),
         "data.yaml", ("names: 2",)),
    Case("yolo-yaml-python-object", "yolo",
         lambda root: _yolo(root, yaml="names: !!python/object/apply:os.system [echo hi]\n"), "data.yaml",
         ("not read",)),
]


# ------------------------------------------------------------------ CVAT for images
def _cvat(root: Path, shape: str = "", image_b: str = f'name="b.jpg" width="{W}" height="{H}"') -> None:
    x0, y0, x1, y1 = BOX_A[1:]
    b0, c0, b1, c1 = BOX_B[1:]
    (root / "annotations.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<annotations><version>1.1</version>'
        f'<image id="0" name="a.jpg" width="{W}" height="{H}">'
        f'<box label="cat" occluded="0" xtl="{x0}" ytl="{y0}" xbr="{x1}" ybr="{y1}"/></image>'
        f'<image id="1" {image_b}><box label="dog" occluded="0" xtl="{b0}" ytl="{c0}" xbr="{b1}" ybr="{c1}"/>'
        f"{shape}</image></annotations>")


def _cvat_case(name: str, shape: str, words: tuple[str, ...], **kw) -> Case:
    return Case(f"cvat-{name}", "cvat", lambda root: _cvat(root, shape, **kw), "annotations.xml", words)


def _mask(rle: str, left=0, top=0, width=8, height=8) -> str:
    return f'<mask label="dog" rle="{rle}" left="{left}" top="{top}" width="{width}" height="{height}"/>'


CVAT = [
    _cvat_case("box-huge", '<box label="dog" xtl="1e308" ytl="0" xbr="1e308" ybr="5"/>', ("<box> 2", "out of range")),
    _cvat_case("box-nan", '<box label="dog" xtl="nan" ytl="0" xbr="5" ybr="5"/>', ("<box> 2", "finite")),
    _cvat_case("box-text", '<box label="dog" xtl="left" ytl="0" xbr="5" ybr="5"/>', ("<box> 2", "not a number")),
    _cvat_case("box-missing", '<box label="dog" ytl="0" xbr="5" ybr="5"/>', ("<box> 2", "xtl")),
    _cvat_case("polygon-one-point", '<polygon label="dog" points="5,5"/>', ("<polygon> 2", "1 point")),
    _cvat_case("polygon-huge", '<polygon label="dog" points="1e308,5;9,9;1,9"/>', ("<polygon> 2", "out of range")),
    _cvat_case("mask-rle-overflow", _mask("99999999999999999999,-99999999999999999936"), ("<mask> 2", "rle")),
    _cvat_case("mask-rle-huge-run", _mask("100000000000000000000000,5"), ("<mask> 2", "rle")),
    _cvat_case("mask-rle-text", _mask("a,b"), ("<mask> 2", "rle")),
    _cvat_case("mask-larger-than-image", _mask("0,10000000000", width=100000, height=100000),
               ("<mask> 2", "100000")),
    _cvat_case("mask-outside", _mask("0,64", left=-1000, top=1e308), ("<mask> 2",)),
    _cvat_case("image-100000-square", _mask("0,64"), ("100000x100000",),
               image_b='name="b.jpg" width="100000" height="100000"'),
    Case("cvat-deep-xml", "cvat", lambda root: (_cvat(root), (root / "deep.xml").write_text(
        "<annotations>" + "<image>" * DEEP + "</image>" * DEEP + "</annotations>")), "deep.xml", ("deep",)),
]


# ------------------------------------------------------------------ Label Studio
def _ls_rect(label: str, x0, y0, x1, y1) -> dict:
    return {"type": "rectanglelabels", "original_width": W, "original_height": H,
            "value": {"x": x0 / W * 100, "y": y0 / H * 100, "width": (x1 - x0) / W * 100,
                      "height": (y1 - y0) / H * 100, "rotation": 0, "rectanglelabels": [label]}}


def _label_studio(root: Path, result: object = None, task: dict | None = None) -> None:
    results = [_ls_rect(*BOX_B)] + ([] if result is None else [result])
    tasks = [{"data": {"image": "/data/upload/1/a.jpg"}, "annotations": [{"result": [_ls_rect(*BOX_A)]}]},
             task or {"data": {"image": "/data/upload/1/b.jpg"}, "annotations": [{"result": results}]}]
    dump(root / "tasks.json", tasks)


def _ls_value(**value) -> dict:
    base = _ls_rect(*BOX_B)
    base["value"] = {**base["value"], **value}
    return base


def _ls_case(name: str, words: tuple[str, ...], result: object = None, task: dict | None = None,
             keeps_b: bool = True) -> Case:
    return Case(f"labelstudio-{name}", "labelstudio", lambda root: _label_studio(root, result, task), "tasks.json",
                words, keeps_b)


LABEL_STUDIO = [
    _ls_case("original-width-text", ("result 2", "original_width"),
             dict(_ls_rect(*BOX_B), original_width="wide")),
    _ls_case("original-width-huge", ("result 2", "original_width"),
             dict(_ls_value(rotation=30), original_width=1.7e308)),
    _ls_case("x-huge", ("result 2", "out of range"), _ls_value(x=1.7e308)),
    _ls_case("x-text", ("result 2", "not a number"), _ls_value(x="left")),
    _ls_case("x-null", ("result 2", "not a number"), _ls_value(x=None)),
    _ls_case("rotation-text", ("result 2", "rotation"), _ls_value(rotation="a lot")),
    _ls_case("labels-nested", ("result 2", "label"), _ls_value(rectanglelabels=[["dog"]])),
    _ls_case("points-not-pairs", ("result 2", "point"),
             {"type": "polygonlabels", "value": {"points": [1, 2, 3], "polygonlabels": ["dog"]}}),
    _ls_case("points-huge", ("result 2", "out of range"),
             {"type": "polygonlabels", "value": {"points": [[1.7e308, 1], [9, 9], [1, 9]],
                                                 "polygonlabels": ["dog"]}}),
    _ls_case("polygon-one-point", ("result 2", "1 point"),
             {"type": "polygonlabels", "value": {"points": [[5, 5]], "polygonlabels": ["dog"]}}),
    _ls_case("result-not-object", ("result 2", "not an object"), 42),
    _ls_case("annotations-number", ("task 2", "annotations"),
             task={"data": {"image": "b.jpg"}, "annotations": 5}, keeps_b=False),
    _ls_case("result-object", ("task 2", "result"),
             task={"data": {"image": "b.jpg"}, "annotations": [{"result": {"a": 1}}]}, keeps_b=False),
    _ls_case("image-list", ("task 2", "image"),
             task={"data": {"image": ["b.jpg"]}, "annotations": [{"result": []}]}, keeps_b=False),
]


# ------------------------------------------------------------------ CreateML
def _createml_box(label: str, x0, y0, x1, y1) -> dict:
    return {"label": label, "coordinates": {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2, "width": x1 - x0,
                                            "height": y1 - y0}}


def _createml(root: Path, item: object = None, entry: dict | None = None) -> None:
    items = [_createml_box(*BOX_B)] + ([] if item is None else [item])
    dump(root / "createml.json", [{"image": "a.jpg", "annotations": [_createml_box(*BOX_A)]},
                                  entry or {"image": "b.jpg", "annotations": items}])


def _createml_case(name: str, words: tuple[str, ...], item: object = None, entry: dict | None = None,
                   keeps_b: bool = True) -> Case:
    return Case(f"createml-{name}", "createml", lambda root: _createml(root, item, entry), "createml.json", words,
                keeps_b)


CREATEML = [
    _createml_case("huge", ("annotation 2", "out of range"),
                   {"label": "dog", "coordinates": {"x": 1.7e308, "y": 5, "width": 1.7e308, "height": 4}}),
    _createml_case("nan", ("annotation 2", "finite"),
                   {"label": "dog", "coordinates": {"x": NAN, "y": 5, "width": 4, "height": 4}}),
    _createml_case("coordinates-list", ("annotation 2", "coordinates"), {"label": "dog", "coordinates": [1, 2]}),
    _createml_case("label-list", ("annotation 2", "label"), dict(_createml_box(*BOX_B), label=["dog"])),
    _createml_case("item-not-object", ("annotation 2", "not an object"), 42),
    _createml_case("annotations-number", ("image 2", "annotations"), entry={"image": "b.jpg", "annotations": 5},
                   keeps_b=False),
    _createml_case("image-list", ("image 2", "image"), entry={"image": ["b.jpg"], "annotations": []},
                   keeps_b=False),
]


# ------------------------------------------------------------------ Pascal VOC
def _voc_xml(name: str, box: tuple, width=W, height=H) -> str:
    label, x0, y0, x1, y1 = box
    return (f"<annotation><filename>{name}</filename><size><width>{width}</width><height>{height}</height>"
            f"<depth>3</depth></size><object><name>{label}</name><difficult>0</difficult><bndbox>"
            f"<xmin>{x0}</xmin><ymin>{y0}</ymin><xmax>{x1}</xmax><ymax>{y1}</ymax></bndbox></object></annotation>")


def _voc(root: Path, bad: str) -> None:
    label, x0, y0, x1, y1 = BOX_A
    (root / "a.xml").write_text(_voc_xml("a.jpg", (label, x0 + 1, y0 + 1, x1, y1)))
    (root / "b.xml").write_text(bad)


def _voc_case(name: str, bad: str, words: tuple[str, ...]) -> Case:
    return Case(f"voc-{name}", "voc", lambda root: _voc(root, bad), "b.xml", words, keeps_b=False)


VOC = [
    _voc_case("coordinate-huge", _voc_xml("b.jpg", ("dog", "1e308", 1, "1e308", 9)), ("object 1",)),
    _voc_case("coordinate-nan", _voc_xml("b.jpg", ("dog", "nan", 1, 9, 9)), ("object 1",)),
    _voc_case("size-huge", _voc_xml("b.jpg", ("dog", 1, 1, 9, 9), width="1e308", height="1e308"), ("<width>",)),
    _voc_case("deep", "<annotation>" + "<a>" * DEEP + "</a>" * DEEP + "</annotation>", ("deep",)),
]

CASES = COCO + LABELME + YOLO + CVAT + LABEL_STUDIO + CREATEML + VOC
