"""Command line: ``embed`` (image features, :mod:`.core.features`), ``review-order``
(:mod:`.core.editing.review_order`) and the look-alike option of ``dedup``; ``map`` is in :mod:`.cli_map`.

TensorFlow is imported only when some image needs its features computed: ``embed`` on a project whose features are
all current, or ``dedup --similar`` after it, answers at once.
"""

from __future__ import annotations

import argparse
import json
import sys

from .core.cleaning.similar import DEFAULT_SIMILAR
from .core.editing.review_order import review_order
from .core.jobs import ConsoleJob
from .core.store.features import INPUT_SIZE, MODEL, EmbedReport, feature_state
from .core.store.store import Store

EXIT_OK, EXIT_ERROR = 0, 1


def add_parsers(sub, add_project) -> None:
    p = sub.add_parser("embed", help="compute the image features (ImageNet MobileNetV2) that look-alike duplicates "
                                     "compare; images already done are skipped")
    add_project(p)
    p.add_argument("--json", action="store_true", help="print the counts as JSON")
    p = sub.add_parser("review-order", help="the images still to review, first to review first: the model least "
                                            "sure of its proposals, least like the reviewed images (missing "
                                            "features are computed first)")
    add_project(p)
    p.add_argument("--limit", type=int, default=20, help="list at most this many (default 20)")
    p.add_argument("--json", action="store_true", help="print the order as JSON")


def _score(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not -1.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text}: a look-alike score is between -1 and 1")
    return value


def add_dedup_options(p: argparse.ArgumentParser) -> None:
    """``dedup --similar [SCORE]``."""
    p.add_argument("--similar", type=_score, nargs="?", const=DEFAULT_SIMILAR, metavar="SCORE",
                   help="also find look-alikes by their image features (crops, quarter turns, colour-shifted mirrors, "
                        "rescaled screenshots): pairs whose look-alike score is at least SCORE (-1..1; default "
                        f"{DEFAULT_SIMILAR}: a cosine similarity less the images' usual one to their neighbours); "
                        "listed as kind similar with distance 1 - score; features still missing are computed first")


def embed(store: Store, label: str = "features") -> EmbedReport:
    """Compute the features the project's usable images lack (TensorFlow loads only when some do)."""
    state = feature_state(store)
    if not state.todo:
        return EmbedReport.start(state)
    from .ml.backbones import WeightsError
    from .ml.features import compute_features

    try:
        return compute_features(store, ConsoleJob(label), state=state)
    except WeightsError as exc:  # the shipped weights are missing or damaged: a plain line, as train says it
        raise FeaturesUnavailable(str(exc)) from exc


class FeaturesUnavailable(Exception):
    """The network that computes features cannot be had; the message says why."""


def dedup_options(args: argparse.Namespace, store: Store) -> dict:
    """``find_duplicates``' look-alike keyword for ``dedup``'s arguments, after computing the missing features."""
    if args.similar is None:
        return {}
    try:
        report = embed(store)
    except FeaturesUnavailable as exc:  # the hashes still find what they find; the look-alike search says who is out
        print(f"warning: no image features could be computed: {exc}", file=sys.stderr)
    else:
        if report.done:
            print(f"features computed for {report.done} images in {report.seconds:.1f} s", file=sys.stderr)
    return {"similar": args.similar}


def cmd_embed(args: argparse.Namespace) -> int:
    try:
        with Store.open(args.project, args.db) as store:
            report = embed(store)
    except FeaturesUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(report.as_dict(), indent=1, ensure_ascii=False))
    else:
        print(f"features ({MODEL}, {INPUT_SIZE} px): {report.done} computed, {report.skipped} already done "
              f"(skipped), {report.failed} failed, in {report.seconds:.1f} s")
        for path, reason in report.problems:
            print(f"  failed {path}: {reason}", file=sys.stderr)
    return EXIT_ERROR if report.failed and not (report.done or report.skipped) else EXIT_OK


def cmd_review_order(args: argparse.Namespace) -> int:
    try:
        with Store.open(args.project, args.db) as store:
            report = embed(store)
            order = review_order(store)
            paths = store.paths_of(order.ids)
    except FeaturesUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for path, reason in report.problems:
        print(f"  no features for {path}: {reason}", file=sys.stderr)
    rows = [{"id": i, "path": paths[i], "doubt": round(order.doubt[i], 4),
             "novelty": round(order.novelty[i], 4) if i in order.novelty else None} for i in order.ids]
    if args.json:
        print(json.dumps({"to_review": len(rows), "reviewed": order.reviewed, "order": rows[:max(0, args.limit)]},
                         indent=1, ensure_ascii=False))
        return EXIT_OK
    print(f"{len(rows)} images to review ({order.reviewed} reviewed); first to review first "
          "(doubt: of the least sure proposal, 1 at its threshold; novelty: 1 for the image least like those reviewed)")
    for row in rows[:max(0, args.limit)]:
        novelty = "no features" if row["novelty"] is None else f"novelty {row['novelty']:.2f}"
        print(f"  {row['path']}: doubt {row['doubt']:.2f}, {novelty}")
    if len(rows) > args.limit:
        print(f"  ... and {len(rows) - args.limit} more (--limit)")
    return EXIT_OK


COMMANDS = {"embed": cmd_embed, "review-order": cmd_review_order}
