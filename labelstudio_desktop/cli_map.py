"""Command line: ``map`` (:mod:`.core.dataset_map`): every image placed by its features, coloured by class, split,
status or likely mistake (:mod:`.cli_mistakes` judges them first), drawn into a PNG or printed as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .cli_features import EXIT_ERROR, EXIT_OK, FeaturesUnavailable, embed
from .cli_mistakes import class_reports
from .core.dataset_map import COLOUR_BY, MapError, colours_of, dataset_map, methods, render
from .core.mistakes import flagged_images
from .core.store.store import Store


def add_parsers(sub, add_project) -> None:
    p = sub.add_parser("map", help="a map of the dataset: every image placed in two dimensions by its features, "
                                   "look-alikes near each other (missing features are computed first)")
    add_project(p)
    p.add_argument("--method", default="pca", help="pca (default), or umap / tsne where umap-learn / scikit-learn "
                                                   "is installed")
    p.add_argument("--colour", choices=COLOUR_BY, default="label",
                   help="colour the points by (default: label); mistake: the kind of each image's most doubted "
                        "likely class mistake, judged first as `mistakes` does")
    p.add_argument("--png", type=Path, help="draw the map into this PNG file")
    p.add_argument("--side", type=int, default=800, help="the PNG's side in pixels (default 800)")
    p.add_argument("--json", action="store_true", help="print every image's place as JSON")


def cmd_map(args: argparse.Namespace) -> int:
    if args.method not in methods():
        print(f"error: the projection {args.method!r} is not available here: {', '.join(methods())}", file=sys.stderr)
        return EXIT_ERROR
    try:
        with Store.open(args.project, args.db) as store:
            report = embed(store)  # what the map places, and what the image classes are judged by
            found = dataset_map(store, args.method)
            mistakes = flagged_images([row for judged in class_reports(store).values()
                                       for row in judged.as_dict()["likely"]]) if args.colour == "mistake" else {}
    except (FeaturesUnavailable, MapError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for path, reason in report.problems:
        print(f"  no features for {path}: {reason}", file=sys.stderr)
    names, categories = found.categories(args.colour, mistakes)
    if args.png:
        side = max(64, args.side)
        try:
            _save_png(args.png, render(found.xy, colours_of(categories), side, side), names)
        except OSError as exc:
            print(f"error: cannot write {args.png}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
    if args.json:
        points = [{"id": int(i), "path": found.records[int(i)].path, "x": round(float(x), 5), "y": round(float(y), 5),
                   args.colour: mistakes.get(int(i)) if args.colour == "mistake"
                   else getattr(found.records[int(i)], args.colour)}
                  for i, (x, y) in zip(found.ids, found.xy, strict=True)]
        print(json.dumps({"method": found.method, "colour": args.colour, "without_features": found.without_features,
                          "points": points}, indent=1, ensure_ascii=False))
    else:
        counts = ", ".join(f"{name} {int((categories == k).sum())}" for k, name in enumerate(names))
        none = int((categories < 0).sum())
        print(f"map ({found.method}): {len(found.ids)} images placed, {found.without_features} without features; "
              f"by {args.colour}: {counts or '-'}" + (f", none {none}" if none else ""))
        if args.png:
            print(f"drawn into {args.png}")
    return EXIT_OK


def _save_png(path: Path, rgba, names: list[str]) -> None:
    """The map with a legend of its first categories in the top-left corner."""
    from PIL import Image, ImageDraw

    from .core.dataset_map import PALETTE

    image = Image.fromarray(rgba, "RGBA")
    draw = ImageDraw.Draw(image)
    for k, name in enumerate(names[:len(PALETTE)]):
        draw.rectangle((6, 6 + 14 * k, 15, 15 + 14 * k), fill=PALETTE[k])
        draw.text((20, 5 + 14 * k), name, fill=(0, 0, 0))
    image.save(path)


COMMANDS = {"map": cmd_map}
