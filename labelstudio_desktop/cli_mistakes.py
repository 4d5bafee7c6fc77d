"""Command line: ``mistakes``, the image and box classes the features disagree with (:mod:`.core.mistakes`), and
the boxes likely missing or misplaced (:mod:`.core.box_places`).

Image classes are judged by the stored whole-image features (missing ones computed first), or, for images with
accepted boxes, by their boxes' crops; box classes by the features of the boxes' crops, computed for the run
(TensorFlow loads only then); box places by a detector per fold
(``ml/out_of_fold.py``: minutes), only when asked (``--kind places`` or ``all``).
"""

from __future__ import annotations

import argparse
import json
import sys

from .cli_features import FeaturesUnavailable, embed
from .core.box_places import PlaceReport
from .core.jobs import ConsoleJob
from .core.mistakes import DOUBT_BELOW, MistakeReport, box_mistakes, class_mistakes, judged_boxes
from .core.store.store import Store

EXIT_OK, EXIT_ERROR = 0, 1
KINDS = ("images", "boxes", "places")
CHOICES = {"classes": ("images", "boxes"), "all": KINDS, **{kind: (kind,) for kind in KINDS}}


def add_parsers(sub, add_project) -> None:
    p = sub.add_parser("mistakes", help="likely mistakes: image and box classes that a model fitted on the other "
                                        "images (out of fold) disagrees with, and boxes likely missing or "
                                        "misplaced, most doubted first")
    add_project(p)
    p.add_argument("--kind", choices=list(CHOICES), default="classes",
                   help="images: image classes; boxes: box classes; classes: both (default); places: boxes likely "
                        "missing or misplaced (trains a detector per fold: minutes); all: the three")
    p.add_argument("--limit", type=int, default=50, help="list at most this many of each kind (default 50)")
    p.add_argument("--json", action="store_true", help="print the likely mistakes as JSON")


def crop_features(store: Store):
    """The crops' features of the project's accepted boxes (``ml/box_features.py``; None when there are no boxes)."""
    from .ml.backbones import WeightsError
    from .ml.box_features import box_features

    boxes = judged_boxes(store)
    if not boxes:
        return None
    try:
        found = box_features(store, boxes, ConsoleJob("box features"))
    except WeightsError as exc:
        raise FeaturesUnavailable(str(exc)) from exc
    for path, reason in found.problems:
        print(f"  no box features for {path}: {reason}", file=sys.stderr)
    return found


def cmd_mistakes(args: argparse.Namespace) -> int:
    kinds = CHOICES[args.kind]
    reports: dict[str, MistakeReport | PlaceReport] = {}
    try:
        with Store.open(args.project, args.db) as store:
            if "images" in kinds:
                embed(store)
            if {"images", "boxes"} & set(kinds):
                reports.update(class_reports(store, kinds))
            if "places" in kinds:
                reports["places"] = judge_places(store)
    except (FeaturesUnavailable, PlacesUnavailable) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps({kind: {**report.as_dict(), "likely": report.as_dict()["likely"][:args.limit]}
                          for kind, report in reports.items()}, indent=1, ensure_ascii=False))
        return EXIT_OK
    for kind, report in reports.items():
        (_print_places if kind == "places" else _print_report)(kind, report, args.limit)
    return EXIT_OK


def class_reports(store: Store, kinds: tuple[str, ...] = ("images", "boxes")) -> dict[str, MistakeReport]:
    """The likely mistakes of image classes (``images``: by the features stored, :func:`embed` computes those missing)
    and of box classes (``boxes``), those of ``kinds`` asked. Raises :class:`FeaturesUnavailable` when the network
    cannot be loaded for the boxes' crops."""
    crops = crop_features(store)
    reports: dict[str, MistakeReport] = {}
    if "images" in kinds:
        reports["images"] = class_mistakes(store, boxes=crops and (crops.ids, crops.vectors))
    if "boxes" in kinds:
        reports["boxes"] = box_mistakes(store, crops.ids, crops.vectors) if crops else MistakeReport()
    return reports


class PlacesUnavailable(Exception):
    """Nothing to train the detectors on (no reviewed boxes), or one diverged: the message says which."""


def judge_places(store: Store) -> PlaceReport:
    """The boxes likely missing or misplaced, by a detector per fold."""
    from .ml.out_of_fold import judge_places

    report, problems = judge_places(store, ConsoleJob("box places"))
    if report.note:
        raise PlacesUnavailable(f"box places: {report.note}")
    for path, reason in problems:
        print(f"  left out: {path}: {reason}", file=sys.stderr)
    return report


def _print_places(_kind: str, report: PlaceReport, limit: int) -> None:
    missing = sum(d.kind == "missing" for d in report.doubts)
    print(f"box places: {missing} likely missing and {len(report.doubts) - missing} likely misplaced boxes on "
          f"{report.images} reviewed images ({report.boxes} boxes; {report.folds} detectors, each judging the images "
          f"it did not train on, confirm {report.agreement or 0:.0%} of the boxes)")
    for doubt in report.doubts[:limit]:
        if doubt.kind == "missing":
            print(f"  {doubt.path}: missing box '{doubt.label}' at {_edges(doubt.edges)} (the detector: "
                  f"{doubt.score:.0%})")
        else:
            print(f"  {doubt.path} box {doubt.box_id}: misplaced '{doubt.label}' at {_edges(doubt.was)}, the detector "
                  f"puts it at {_edges(doubt.edges)} ({doubt.score:.0%}, IoU {doubt.iou:.2f})")
    if len(report.doubts) > limit:
        print(f"  ... and {len(report.doubts) - limit} more (--limit)")


def _edges(edges) -> str:
    return "({}, {}, {}, {})".format(*edges)


def _print_report(kind: str, report: MistakeReport, limit: int) -> None:
    what = "image classes" if kind == "images" else "box classes"
    if len(report.classes) < 2:
        print(f"{what}: nothing to judge (at least two classes of 3 or more are needed"
              + (f"; too few: {_counts(report.too_few)}" if report.too_few else "") + ")")
        return
    likely = report.likely
    line = (f"{what}: {len(likely)} likely mistakes among {len(report.scored)} judged (the model gives their class "
            f"less than {DOUBT_BELOW:.0%}; it agrees with {report.agreement:.0%} of the classes)")
    if report.too_few:
        line += f"; too few to judge: {_counts(report.too_few)}"
    if report.without_features:
        line += f"; {report.without_features} without features"
    if report.by_objects:
        line += f"; {report.by_objects} judged by their boxes"
    print(line)
    for doubt in likely[:limit]:
        where = f" box {doubt.box_id}" if doubt.box_id is not None else ""
        print(f"  {doubt.path}{where}: {doubt.label} ({doubt.p_label:.0%}), the model says {doubt.suggested} "
              f"({doubt.p_suggested:.0%})")
    if len(likely) > limit:
        print(f"  ... and {len(likely) - limit} more (--limit)")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{label} {n}" for label, n in counts.items())


COMMANDS = {"mistakes": cmd_mistakes}
