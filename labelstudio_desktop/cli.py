"""Command line: ``labelstudio-desktop demo | import | info | dedup | split | train | evaluate | export | restore |
relocate | gui`` (restore and relocate in :mod:`.cli_project`).

Each subcommand uses core (and, for later subcommands, ml) directly; long work draws a progress bar
on a terminal. Errors are one plain line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from . import cli_features, cli_map, cli_mistakes, cli_project, cli_train
from .core.cleaning.dedup import DEFAULT_THRESHOLD_64, find_duplicates
from .core.cleaning.hashing import ALGORITHMS, HashError
from .core.cleaning.split import DEFAULT_RATIOS, SplitError, assign_splits
from .core.formats.cifar import VIEWS
from .core.formats.coco import MASK_FORMATS
from .core.formats.crops import CROP_SOURCES
from .core.formats.voc import LAYOUTS, export_voc
from .core.formats.writing import ExportError
from .core.jobs import Cancelled, ConsoleJob
from .core.store.store import NOTE_LISTENERS, REFUSAL_LISTENERS, SPLITS, Store, StoreError
from .core.transfer.export_formats import FORMATS as MORE_FORMATS
from .core.transfer.export_formats import export_more
from .core.transfer.importer import FORMATS, ImportFailed, ImportReport, import_folder
from .ml.config import TASKS

EXIT_OK, EXIT_ERROR, EXIT_NOTHING_IMPORTED = 0, 1, 2


def _add_project(p: argparse.ArgumentParser, optional: bool = False) -> None:
    p.add_argument("project", nargs="?" if optional else None, type=Path,
                   help="the project's image folder (or its .db file)")
    p.add_argument("--db", type=Path, help="the project database, when it is not in <folder>/.labelstudio/")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="labelstudio-desktop",
        description="Clean, annotate, train on and export small image datasets.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="generate the demo dataset and open it as a project")
    p.add_argument("folder", type=Path, help="a new (or empty) folder to write the demo into")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--annotated", type=float, default=0.0, metavar="FRACTION",
                   help="give this fraction of the images (per class) their true boxes and masks, verified, as the "
                        "operator's work (make run: 0.3); the rest of the truth stays in ground_truth/")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")

    p = sub.add_parser("import", help="import (or re-import) a folder of images into its project")
    _add_project(p)
    p.add_argument("--format", choices=FORMATS, default="auto",
                   help="layout of the folder, or the annotation format to read: voc (XML per image), yolo (txt "
                        "labels, classes.txt or data.yaml), coco, labelme, cvat (CVAT for images XML), labelstudio "
                        "(Label Studio JSON), createml (default: detect)")
    p.add_argument("--annotations", type=Path,
                   help="folder of annotation files (VOC XML, YOLO txt matched by file stem; COCO, CVAT, Label "
                        "Studio, CreateML files by the image names they hold)")
    p.add_argument("--view", choices=VIEWS, help="which view of 3-view (9-plane) CIFAR batches to import")
    p.add_argument("--masks", type=Path, metavar="DIR",
                   help="folder of mask images matched to the images by file stem (PNG/BMP/TIFF/JPEG; grey: nonzero or "
                        ">= 128, palette: class indices named by labelmap.txt or classes.txt); images/ + masks/ and "
                        "VOCdevkit SegmentationClass are found without it")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("info", help="counts of images, classes, splits, boxes and warnings")
    _add_project(p)
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--images", action="store_true", help="one row per image")

    p = sub.add_parser("dedup", help="find exact and near duplicates, label conflicts and split leaks")
    _add_project(p)
    p.add_argument("--hash", choices=ALGORITHMS, default="phash", help="perceptual hash (default phash)")
    p.add_argument("--bits", type=int, default=64, help="hash size in bits: 16, 64, 256 or 1024 (default 64)")
    p.add_argument("--threshold", type=int,
                   help=f"largest Hamming distance of a near pair, inclusive (default {DEFAULT_THRESHOLD_64} "
                        "for 64 bits, scaled for other sizes)")
    p.add_argument("--mirror", action="store_true", help="also find horizontally flipped copies")
    cli_features.add_dedup_options(p)
    p.add_argument("--json", action="store_true", help="print pairs, groups, conflicts and leaks as JSON")

    p = sub.add_parser("split", help="stratified train/val/test split keeping duplicate groups together")
    _add_project(p)
    p.add_argument("--ratios", type=float, nargs=3, default=DEFAULT_RATIOS, metavar=("TRAIN", "VAL", "TEST"),
                   help="split ratios (default 0.8 0.1 0.1)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--reshuffle", action="store_true", help="reassign images that already have a split")
    p.add_argument("--threshold", type=int, help="near-duplicate threshold used to find the groups")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    cli_train.add_parsers(sub, _add_project)

    p = sub.add_parser("evaluate", help="metrics, plots and misclassified images of a trained run")
    _add_project(p)
    p.add_argument("--task", choices=TASKS)
    p.add_argument("--run", type=int, help="run id (default: the last run with a model)")
    p.add_argument("--misses", type=Path, help="copy misclassified images here as {true}_to_{pred}_{name}")
    p.add_argument("--score-threshold", type=float,
                   help="detect: keep boxes scoring at least this (default: the threshold its proposals use)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("propose", help="box (or mask) proposals stored as pending for review: from the detector "
                                       "once one is trained, from a classifier's Grad-CAM before")
    _add_project(p)
    p.add_argument("--run", type=int, help="model run (default: the last one of the source's kind)")
    p.add_argument("--source", choices=("auto", "gradcam", "detector", "unet"), default="auto",
                   help="auto (default): with a detector and a classifier, the one measured better on reviewed images "
                        "the detector did not train on, the other where it finds nothing, pending proposals kept "
                        "unless their source measures worse; gradcam: boxes from a classifier's heatmap; "
                        "detector: boxes from the detector trained on reviewed boxes; unet: "
                        "masks (and their boxes) from a U-Net")
    p.add_argument("--include-verified", action="store_true",
                   help="propose on verified images too (by default the operator's finished images are left alone)")
    p.add_argument("--mask-boxes", choices=("largest", "all", "none"), default="largest",
                   help="unet: a box around the largest component, around each, or none")
    p.add_argument("--method", choices=("exact", "bayes"), default="exact",
                   help="exact: the true best box (default); bayes: GPyOpt as published")
    p.add_argument("--threshold", type=float,
                   help="gradcam: binarisation threshold; detector: lowest score kept (default: the calibrated one, "
                        "else 0.3; unet: 0.5)")
    p.add_argument("--multi", action="store_true", help="one box per connected component")
    p.add_argument("--min-area", type=int, help="smallest component, in map cells of the 64x64 grid (default 4)")
    p.add_argument("--padding", type=float, help="grow boxes by this fraction of their size on each side "
                   "(default 0.15, or the calibrated value)")
    p.add_argument("--calibrate", action="store_true",
                   help="first tune on the reviewed boxes and store with the run, then propose: gradcam: threshold, "
                        "padding, component size and layer (GPyOpt); detector: the score threshold costing the "
                        "operator the fewest seconds")
    p.add_argument("--max-iter", type=int, default=10, help="bayes: optimisation steps")
    p.add_argument("--layer", help="gradcam: the layer to explain (default: the last convolutional one)")
    p.add_argument("--use-labels", action=argparse.BooleanOptionalAction, default=None,
                   help="each image's class labels its proposals (and Grad-CAM explains it) instead of the predicted "
                        "class; default: when the project is one class per image (class folders or the class field)")
    p.add_argument("--images", help="only images whose path matches this glob")
    p.add_argument("--limit", type=int, help="at most N images")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("export", help="export annotations (Pascal VOC, YOLO, VOC segmentation masks, crops)")
    _add_project(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--format", choices=("voc", *MORE_FORMATS), default="voc",
                   help="voc (default), yolov3 (keras-yolo3: train/val/test.txt, JPEGImages), yolo (ultralytics: "
                        "images/{split}, labels/{split}, data.yaml; classes.txt for labelImg), coco (COCO JSON per "
                        "split, boxes and masks), labelme (a JSON per image), masks (a VOC "
                        "segmentation set: JPEGImages, SegmentationClass, SegmentationObject, ImageSets/Segmentation, "
                        "labelmap.txt), crops (box or mask regions, a folder per label), augmented (N transformed "
                        "copies)")
    p.add_argument("--variants", type=int, default=4, help="augmented: copies per image")
    p.add_argument("--from", dest="crop_source", choices=CROP_SOURCES, default="boxes",
                   help="crops: the region of each box (default), or of each connected component of each mask")
    p.add_argument("--padding", type=float, default=0.1, help="crops: grow each region by this fraction of its size")
    p.add_argument("--cutout", action="store_true",
                   help="crops --from masks: PNG with the background transparent (alpha from the mask)")
    p.add_argument("--border", type=int, default=0, metavar="PX",
                   help="masks: mark pixels within PX of a region's edge 255 ('void', ignored by VOC trainers); "
                        "default 0: none")
    p.add_argument("--layout", choices=LAYOUTS, default="labelimg",
                   help="voc: labelimg (one XML per image, mirroring the folders) or vocdevkit (VOCdevkit/VOC2007); "
                        "masks: written into --out, or with vocdevkit into VOCdevkit/VOC2012 (torchvision's root)")
    p.add_argument("--coco-masks", choices=MASK_FORMATS, default="rle",
                   help="coco: masks as run-length encoding (exact; default) or polygons (outlines; holes are lost)")
    p.add_argument("--include-pending", action="store_true", help="also export pending proposals")
    p.add_argument("--overwrite", action="store_true", help="replace files that already exist in --out")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    cli_project.add_parsers(sub, _add_project)
    cli_features.add_parsers(sub, _add_project)
    cli_map.add_parsers(sub, _add_project)
    cli_mistakes.add_parsers(sub, _add_project)

    p = sub.add_parser("gui", help="open the desktop app")
    _add_project(p, optional=True)
    p.add_argument("--image", help="show this image first (path relative to the project)")
    p.add_argument("--screenshot", type=Path, help="save the main window as PNG and exit")
    p.add_argument("--language", choices=["system", "en", "ja"],
                   help="the app's language for this run (default: Settings > Language, else the system's)")
    return parser


RESULTS = {"error": "skipped", "warning": "imported", "mask": "not used"}


def _print_problems(problems, stream) -> None:
    if not problems:
        return
    width = min(60, max(len(p.path) for p in problems))
    stream.write(f"\n{'file':<{width}}  {'result':<9}  reason\n")
    stream.write(f"{'-' * width}  {'-' * 9}  {'-' * 30}\n")
    for p in problems:
        stream.write(f"{p.path:<{width}}  {RESULTS.get(p.severity, p.severity):<9}  {p.reason}\n")


def _report_import(report: ImportReport, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.as_dict(), indent=1))
    else:
        print(f"format: {report.format}; added {report.added}, refreshed {report.refreshed}, "
              f"unchanged {report.unchanged}, restored {report.restored}, missing {report.missing}; "
              f"{report.boxes} boxes; {len(report.errors)} file(s) skipped, "
              f"{len(report.problems) - len(report.errors)} warning(s)")
        if report.annotations is not None:
            a = report.annotations
            print(f"annotation files: {a.files} ({a.read} new or changed and read); {a.images} image(s) given "
                  f"{a.boxes} boxes and {a.masks} masks, {a.refreshed} refreshed, {a.conflicts} conflict(s) with "
                  "reviewed work left as it was")
        if report.masks is not None:
            m = report.masks
            print(f"masks: {m.masks} stored from {m.files} mask file(s) ({m.refreshed} refreshed, {m.unchanged} "
                  f"unchanged and not read again); {m.skipped} file(s) not usable, {m.conflicts} conflict(s)")
        _print_problems(report.problems, sys.stdout)
    if report.imported == 0:
        print("nothing could be imported", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    return EXIT_OK


def _project_db(args: argparse.Namespace) -> Path:
    """The project's database file, for commands that hand it to a job opening its own connection."""
    db = Store.find_db(args.project, args.db)
    if db is None:
        raise StoreError(f"{args.project}: no project here; run 'labelstudio-desktop import' first")
    return db


def cmd_demo(args: argparse.Namespace) -> int:
    from .core.demo import create_demo_project

    try:
        store, report = create_demo_project(args.folder, seed=args.seed, job=ConsoleJob("demo"),
                                            annotated=args.annotated)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    annotated = len(store.get_setting("demo", {}).get("annotated", []))
    store.close()
    if not args.json:
        print(f"demo project written to {args.folder / 'images'} (ground truth in {args.folder / 'ground_truth'})")
        if annotated:
            print(f"{annotated} images annotated from the ground truth (true boxes and masks, verified): train a "
                  "classifier, a box detector (--task detect) or a U-Net (--task segment) now")
    return _report_import(report, args.json)


def cmd_import(args: argparse.Namespace) -> int:
    store = Store.create(args.project, args.db)
    try:
        report = import_folder(store, fmt=args.format, annotations=args.annotations, view=args.view,
                               job=ConsoleJob("import"), masks=args.masks)
    finally:
        store.close()
    return _report_import(report, args.json)


def _image_rows(store: Store) -> Iterator[dict]:
    """Each image's row of ``info --images``, read as it is printed (a million images: never a list of them)."""
    counts = {r[0]: r[1] for r in store.conn.execute(
        "SELECT image_id, COUNT(*) FROM boxes WHERE state != 'rejected' GROUP BY image_id")}
    for img in store.each_image():
        yield {"path": img.path, "width": img.width, "height": img.height, "class": img.label, "value": img.value,
               "split": img.split, "status": img.status, "excluded": img.excluded, "missing": img.missing,
               "warnings": img.warnings, "boxes": counts.get(img.id, 0)}


def _print_json_rows(rows: Iterable[dict]) -> None:
    """A JSON list printed a row at a time (the same text as ``json.dumps(list(rows), indent=1)``)."""
    sep = "["
    for row in rows:
        print(sep + "\n " + json.dumps(row, indent=1, ensure_ascii=False).replace("\n", "\n "), end="")
        sep = ","
    print("[]" if sep == "[" else "\n]")


def _print_image_row(row: dict) -> None:
    flags = " ".join(f for f, on in (("excluded", row["excluded"]), ("missing", row["missing"])) if on)
    print(f"{row['path']}\t{row['width']}x{row['height']}\t{row['class'] or '-'}\t"
          f"{row['split'] or '-'}\t{row['status']}\t{row['boxes']} boxes\t{flags}"
          + (f"\t{'; '.join(row['warnings'])}" if row["warnings"] else ""))


def cmd_info(args: argparse.Namespace) -> int:
    with Store.open(args.project, args.db, readonly=True) as store:
        if args.images:
            if args.json:
                _print_json_rows(_image_rows(store))
            else:
                for row in _image_rows(store):
                    _print_image_row(row)
            return EXIT_OK
        data = store.summary()
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
    else:
        print(f"project   {data['root']}\ndatabase  {data['database']}")
        print(f"images    {data['images']} ({data['excluded']} excluded, {data['missing']} missing, "
              f"{data['images_with_warnings']} with warnings; {data['import_problems']} files not imported)")
        print("classes   " + (", ".join(f"{k or '(none)'} {v}" for k, v in data["classes"].items()) or "-"))
        print("splits    " + (", ".join(f"{k or '(none)'} {v}" for k, v in data["splits"].items()) or "-"))
        print("status    " + ", ".join(f"{k} {v}" for k, v in data["status"].items()))
        print("boxes     " + ", ".join(f"{k} {v}" for k, v in data["boxes"].items()))
        print("masks     " + ", ".join(f"{k} {v}" for k, v in data["mask_states"].items()))
        for line in cli_project.refusal_lines(data["refused"]):
            print(line)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    with Store.open(args.project, args.db, readonly=True) as store:
        if args.format == "voc":
            report = export_voc(store, args.out, layout=args.layout, include_pending=args.include_pending,
                                overwrite=args.overwrite, job=ConsoleJob("export"))
        else:
            report = export_more(store, args.out, args.format, include_pending=args.include_pending,
                                 overwrite=args.overwrite, variants=args.variants, padding=args.padding,
                                 job=ConsoleJob("export"), crop_source=args.crop_source, cutout=args.cutout,
                                 border=args.border, layout=args.layout, mask_format=args.coco_masks)
    if args.json:
        print(json.dumps(report.as_dict(), indent=1))
    else:
        print(f"exported {report.images} images, {report.objects} objects to {report.out} ({report.layout})")
        for path, reason in report.problems:
            print(f"  {path or 'note'}: {reason}")
    if report.images:
        return EXIT_OK
    print(f"error: nothing exported: {report.nothing_because or 'no usable image could be written'}",
          file=sys.stderr)
    return EXIT_ERROR


def cmd_dedup(args: argparse.Namespace) -> int:
    with Store.open(args.project, args.db) as store:
        result = find_duplicates(store, algo=args.hash, bits=args.bits, threshold=args.threshold, mirror=args.mirror,
                                 job=ConsoleJob("hashing"), **cli_features.dedup_options(args, store))
    if args.json:
        print(json.dumps(result.as_json(), indent=1, ensure_ascii=False))
        return EXIT_OK
    listed = f"{result.pairs_found} pairs ({len(result.pairs)} shown)" if result.pairs_found > len(result.pairs) \
        else f"{len(result.pairs)} pairs"
    print(f"{len(result.images)} images, {result.hashed} hashed ({len(result.images) - result.hashed} from the "
          f"cache) in {result.seconds:.2f} s: {listed} in {len(result.groups)} groups, "
          f"{len(result.conflicts)} label conflicts, {len(result.leaks)} split leaks")
    conflicts, leaks, images = set(result.conflicts), set(result.leaks), result.images
    for n, group in enumerate(result.groups):
        flags = [f for f, on in (("CONFLICT", n in conflicts), ("LEAK", n in leaks)) if on]
        print(f"\ngroup {n + 1}{' [' + ', '.join(flags) + ']' if flags else ''}")
        for image_id in group:
            img = images[image_id]
            keeper = "keep" if image_id == result.keepers[n] else "    "
            print(f"  {keeper} {img.path}  {img.width}x{img.height}  {img.label or '-'}  {img.split or '-'}")
    if result.pairs:
        print("\npairs:" if result.pairs_found == len(result.pairs) else
              f"\npairs (the closest of each large group; {result.pairs_found} in all):")
        for p in result.pairs:
            print(f"  {p.kind:5} {p.distance:3}  {images[p.a].path}  {images[p.b].path}"
                  f"{'  (mirrored)' if p.mirrored else ''}")
    for path, reason in result.problems:
        print(f"  skipped {path}: {reason}", file=sys.stderr)
    return EXIT_OK


def cmd_split(args: argparse.Namespace) -> int:
    with Store.open(args.project, args.db) as store:
        groups = find_duplicates(store, threshold=args.threshold, job=ConsoleJob("hashing")).groups
        report = assign_splits(store, groups, tuple(args.ratios), seed=args.seed, reshuffle=args.reshuffle)
    if args.json:
        print(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
        return EXIT_OK
    print(f"{report.changed} images given a split, {report.kept} kept; {report.groups} duplicate groups kept "
          f"together ({report.moved_leaks} images moved to reunite a group)")
    classes = sorted({c for per in report.counts.values() for c in per})
    width = max([5, *(len(c) for c in classes)])
    print(f"\n{'class':<{width}}  " + "  ".join(f"{s:>6}" for s in SPLITS))
    for cls in classes:
        print(f"{cls or '(none)':<{width}}  " + "  ".join(f"{report.counts.get(s, {}).get(cls, 0):>6}" for s in SPLITS))
    totals = [sum(report.counts.get(s, {}).values()) for s in SPLITS]
    print(f"{'total':<{width}}  " + "  ".join(f"{t:>6}" for t in totals))
    return EXIT_OK


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """Columns aligned with two spaces between them: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(row[n])) for row in [header, *rows]) for n in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(f"{c:<{w}}" if n == 0 else f"{c:>{w}}" for n, (c, w) in enumerate(zip(cells, widths,
                                                                                             strict=True)))
    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def evaluation_warnings(result) -> list[str]:
    """Why the numbers of an evaluation may mislead: too few images, or not the test split."""
    from .ml.evaluate import FEW_IMAGES

    out = []
    if result.split != "test":
        out.append(f"the test split has no usable image: these numbers are on the {result.split} split, which "
                   "the model " + ("trained on" if result.split == "train" else "was tuned on"))
    if result.few_images:
        out.append(f"only {result.images} reviewed images in the {result.split} split: with fewer than "
                   f"{FEW_IMAGES}, one image moves these numbers a lot; review more images")
    return out


def evaluation_text(result) -> str:
    """An evaluation's heading, warnings and tables (the whole split, then per class) as the CLI prints them."""
    from .ml.evaluate import format_metric

    lines = [f"run {result.run_id} ({result.task}) on the {result.split} split: {result.images} images"]
    lines += [f"warning: {line}" for line in evaluation_warnings(result)]
    lines += ["", text_table(["metric", "value"], [[k, format_metric(k, v)] for k, v in result.overall()])]
    columns, rows = result.per_class()
    if rows:
        cells = [[name, *(format_metric(c, v) for c, v in zip(columns, values, strict=True))] for name, values in rows]
        lines += ["", text_table(["class", *columns], cells)]
    return "\n".join(lines)


def cmd_evaluate(args: argparse.Namespace) -> int:
    from .ml.data import DataError
    from .ml.evaluate import evaluate, export_misses
    from .ml.train import TrainError

    db = _project_db(args)
    try:
        result = evaluate(db, run_id=args.run, task=args.task, job=ConsoleJob("evaluating"),
                          score_threshold=args.score_threshold)
    except (TrainError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.misses:
        export_misses(db, result, args.misses)
    if args.json:
        print(json.dumps(result.as_json(), indent=1, ensure_ascii=False))
        return EXIT_OK
    print(evaluation_text(result))
    if result.task == "classify":
        width = max(len(c) for c in result.classes)
        print("\nconfusion (rows true, columns predicted)")
        print(" " * (width + 2) + " ".join(f"{c[:6]:>6}" for c in result.classes))
        for name, row in zip(result.classes, result.confusion, strict=True):
            print(f"{name:<{width}}  " + " ".join(f"{v:>6}" for v in row))
        for miss in result.misclassified[:20]:
            print(f"  miss: {miss['path']}  {miss['true']} -> {miss['pred']} ({miss['confidence']:.2f})")
    if result.task == "detect":
        print("\nimages with the most errors (false positives + missed boxes)")
        for worst in result.worst[:10]:
            print(f"  {worst['path']}: {worst['tp']} found, {worst['fp']} false, {worst['fn']} missed, "
                  f"mean IoU {worst['mean_iou']:.2f}")
    for name, path in result.plots.items():
        print(f"  plot {name}: {path}")
    return EXIT_OK


def cmd_propose(args: argparse.Namespace) -> int:
    from .ml.propose import propose, propose_masks, resolve_source
    from .ml.train import TrainError

    db = _project_db(args)
    try:
        with Store.open(db) as store:
            source = resolve_source(store, args.source, args.run)
        if args.calibrate and source != "unet":
            from .ml.calibrate import calibrate

            result = calibrate(db, run_id=args.run, multi=args.multi, job=ConsoleJob("calibrating"), source=source)
            scope = " the detector did not train on" if result.unseen else ""
            print(f"calibrated on {result.boxes} reviewed boxes of {result.images} images{scope}: {result.metric} "
                  f"{result.before:.3f} -> {result.after:.3f} (cross-validated); {result.params}", file=sys.stderr)
        if source == "unet":
            threshold = 0.5 if args.threshold is None else args.threshold  # a mask's natural cut is 0.5
            report = propose_masks(db, run_id=args.run, threshold=threshold, boxes=args.mask_boxes,
                                   images=args.images, limit=args.limit, include_verified=args.include_verified,
                                   job=ConsoleJob("proposing"))
        else:
            report = propose(db, run_id=args.run, method=args.method, threshold=args.threshold, multi=args.multi,
                             min_area=args.min_area, padding=args.padding, images=args.images, limit=args.limit,
                             max_iter=args.max_iter, use_labels=args.use_labels, layer=args.layer, source=source,
                             include_verified=args.include_verified, job=ConsoleJob("proposing"))
    except (TrainError, StoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for path, reason in report.problems + report.without_box:
        print(f"{path}: {reason}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(), indent=1, ensure_ascii=False))
    else:
        how = report.source if report.method == report.source else f"{report.source}, {report.method}"
        print(f"{len(report.proposals)} pending proposals on {report.images} images from run {report.run_id} "
              f"({how}, threshold {report.threshold}) in {report.seconds:.1f} s; "
              f"{report.skipped_verified} verified images left alone; review them in the app")
        if report.source != "unet":
            print(report.decision())
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    from .gui.app import run_app

    return run_app(args.project, db=args.db, screenshot=args.screenshot, image=args.image, language=args.language)


COMMANDS = {"demo": cmd_demo, "import": cmd_import, "info": cmd_info, "dedup": cmd_dedup, "split": cmd_split,
            **cli_train.COMMANDS, "evaluate": cmd_evaluate, "propose": cmd_propose, "export": cmd_export,
            "gui": cmd_gui, **cli_project.COMMANDS, **cli_features.COMMANDS, **cli_map.COMMANDS,
            **cli_mistakes.COMMANDS}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    report = cli_project.RefusalReport()
    REFUSAL_LISTENERS.append(report)
    NOTE_LISTENERS.append(report.note)
    try:
        return COMMANDS[args.command](args)
    except (StoreError, ImportFailed, ExportError, HashError, SplitError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Cancelled:
        print("cancelled", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `labelstudio-desktop dedup P | head`
        sys.stderr.close()
        return EXIT_OK
    except (sqlite3.Error, OSError) as exc:  # locked, full, read-only, damaged: one plain line, never a traceback
        print(f"error: {cli_project.plain_error(exc)}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        REFUSAL_LISTENERS.remove(report)
        NOTE_LISTENERS.remove(report.note)


if __name__ == "__main__":
    sys.exit(main())
