"""Command line: ``mistakes``, the image and box classes the features disagree with (:mod:`.core.mistakes`).

Image classes are judged by the stored whole-image features (missing ones computed first); box classes by the
features of the boxes' crops, computed for the run (TensorFlow loads only then).
"""

from __future__ import annotations

import argparse
import json
import sys

from .cli_features import FeaturesUnavailable, embed
from .core.jobs import ConsoleJob
from .core.mistakes import DOUBT_BELOW, MistakeReport, box_mistakes, class_mistakes, judged_boxes
from .core.store.store import Store

EXIT_OK, EXIT_ERROR = 0, 1
KINDS = ("images", "boxes")


def add_parsers(sub, add_project) -> None:
    p = sub.add_parser("mistakes", help="likely mistakes: image and box classes that a model fitted on the other "
                                        "images (out of fold) disagrees with, most doubted first")
    add_project(p)
    p.add_argument("--kind", choices=[*KINDS, "all"], default="all", help="judge image classes, box classes or "
                                                                          "both (default)")
    p.add_argument("--limit", type=int, default=50, help="list at most this many of each kind (default 50)")
    p.add_argument("--json", action="store_true", help="print the likely mistakes as JSON")


def judge_boxes(store: Store) -> MistakeReport:
    """The project's accepted boxes judged by their crops' features."""
    from .ml.backbones import WeightsError
    from .ml.box_features import box_features

    boxes = judged_boxes(store)
    if not boxes:
        return MistakeReport()
    try:
        found = box_features(store, boxes, ConsoleJob("box features"))
    except WeightsError as exc:
        raise FeaturesUnavailable(str(exc)) from exc
    for path, reason in found.problems:
        print(f"  no box features for {path}: {reason}", file=sys.stderr)
    return box_mistakes(store, found.ids, found.vectors)


def cmd_mistakes(args: argparse.Namespace) -> int:
    kinds = KINDS if args.kind == "all" else (args.kind,)
    reports: dict[str, MistakeReport] = {}
    try:
        with Store.open(args.project, args.db) as store:
            if "images" in kinds:
                embed(store)
                reports["images"] = class_mistakes(store)
            if "boxes" in kinds:
                reports["boxes"] = judge_boxes(store)
    except FeaturesUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps({kind: {**report.as_dict(), "likely": report.as_dict()["likely"][:args.limit]}
                          for kind, report in reports.items()}, indent=1, ensure_ascii=False))
        return EXIT_OK
    for kind, report in reports.items():
        _print_report(kind, report, args.limit)
    return EXIT_OK


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
