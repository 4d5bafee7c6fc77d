"""Command line: ``labelstudio-desktop demo | import | info | export | gui``.

Each subcommand uses core (and, for later subcommands, ml) directly; long work draws a progress bar
on a terminal. Errors are one plain line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .core.export import LAYOUTS, ExportError, export_voc
from .core.formats.cifar import VIEWS
from .core.importer import FORMATS, ImportFailed, ImportReport, import_folder
from .core.jobs import Cancelled, ConsoleJob
from .core.store import Store, StoreError

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
    p.add_argument("--json", action="store_true", help="print the import report as JSON")

    p = sub.add_parser("import", help="import (or re-import) a folder of images into its project")
    _add_project(p)
    p.add_argument("--format", choices=FORMATS, default="auto", help="layout of the folder (default: detect)")
    p.add_argument("--annotations", type=Path, help="folder of Pascal VOC XML files matched by file stem")
    p.add_argument("--view", choices=VIEWS, help="which view of 3-view (9-plane) CIFAR batches to import")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("info", help="counts of images, classes, splits, boxes and warnings")
    _add_project(p)
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--images", action="store_true", help="one row per image")

    p = sub.add_parser("export", help="export annotations (Pascal VOC)")
    _add_project(p)
    p.add_argument("--out", type=Path, required=True, help="output folder")
    p.add_argument("--format", choices=("voc",), default="voc", help="export format (default voc)")
    p.add_argument("--layout", choices=LAYOUTS, default="labelimg",
                   help="labelimg: one XML per image, mirroring the folders; vocdevkit: VOCdevkit/VOC2007")
    p.add_argument("--include-pending", action="store_true", help="also export pending proposals")
    p.add_argument("--overwrite", action="store_true", help="replace files that already exist in --out")
    p.add_argument("--json", action="store_true", help="print the report as JSON")

    p = sub.add_parser("gui", help="open the desktop app")
    _add_project(p, optional=True)
    p.add_argument("--image", help="show this image first (path relative to the project)")
    p.add_argument("--screenshot", type=Path, help="save the main window as PNG and exit")
    return parser


def _print_problems(problems, stream) -> None:
    if not problems:
        return
    width = min(60, max(len(p.path) for p in problems))
    stream.write(f"\n{'file':<{width}}  {'result':<9}  reason\n")
    stream.write(f"{'-' * width}  {'-' * 9}  {'-' * 30}\n")
    for p in problems:
        result = "skipped" if p.severity == "error" else "imported"
        stream.write(f"{p.path:<{width}}  {result:<9}  {p.reason}\n")


def _report_import(report: ImportReport, as_json: bool) -> int:
    if as_json:
        print(json.dumps(report.as_dict(), indent=1))
    else:
        print(f"format: {report.format}; added {report.added}, refreshed {report.refreshed}, "
              f"unchanged {report.unchanged}, restored {report.restored}, missing {report.missing}; "
              f"{report.boxes} boxes; {len(report.errors)} file(s) skipped, "
              f"{len(report.problems) - len(report.errors)} warning(s)")
        _print_problems(report.problems, sys.stdout)
    if report.imported == 0:
        print("nothing could be imported", file=sys.stderr)
        return EXIT_NOTHING_IMPORTED
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from .core.demo import create_demo_project

    try:
        store, report = create_demo_project(args.folder, seed=args.seed, job=ConsoleJob("demo"))
    except FileExistsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    store.close()
    if not args.json:
        print(f"demo project written to {args.folder / 'images'} (ground truth in {args.folder / 'ground_truth'})")
    return _report_import(report, args.json)


def cmd_import(args: argparse.Namespace) -> int:
    store = Store.create(args.project, args.db)
    try:
        report = import_folder(store, fmt=args.format, annotations=args.annotations, view=args.view,
                               job=ConsoleJob("import"))
    finally:
        store.close()
    return _report_import(report, args.json)


def _image_rows(store: Store) -> list[dict]:
    counts = {r[0]: r[1] for r in store.conn.execute(
        "SELECT image_id, COUNT(*) FROM boxes WHERE state != 'rejected' GROUP BY image_id")}
    return [{"path": img.path, "width": img.width, "height": img.height, "class": img.label,
             "value": img.value, "split": img.split, "status": img.status, "excluded": img.excluded,
             "missing": img.missing, "warnings": img.warnings, "boxes": counts.get(img.id, 0)}
            for img in store.images()]


def cmd_info(args: argparse.Namespace) -> int:
    with Store.open(args.project, args.db) as store:
        data = _image_rows(store) if args.images else store.summary()
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
    elif args.images:
        for row in data:
            flags = " ".join(f for f, on in (("excluded", row["excluded"]), ("missing", row["missing"])) if on)
            print(f"{row['path']}\t{row['width']}x{row['height']}\t{row['class'] or '-'}\t"
                  f"{row['split'] or '-'}\t{row['status']}\t{row['boxes']} boxes\t{flags}"
                  + (f"\t{'; '.join(row['warnings'])}" if row["warnings"] else ""))
    else:
        print(f"project   {data['root']}\ndatabase  {data['database']}")
        print(f"images    {data['images']} ({data['excluded']} excluded, {data['missing']} missing, "
              f"{data['images_with_warnings']} with warnings; {data['import_problems']} files not imported)")
        print("classes   " + (", ".join(f"{k or '(none)'} {v}" for k, v in data["classes"].items()) or "-"))
        print("splits    " + (", ".join(f"{k or '(none)'} {v}" for k, v in data["splits"].items()) or "-"))
        print("status    " + ", ".join(f"{k} {v}" for k, v in data["status"].items()))
        print("boxes     " + ", ".join(f"{k} {v}" for k, v in data["boxes"].items()))
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    with Store.open(args.project, args.db) as store:
        report = export_voc(store, args.out, layout=args.layout, include_pending=args.include_pending,
                            overwrite=args.overwrite, job=ConsoleJob("export"))
    if args.json:
        print(json.dumps(report.as_dict(), indent=1))
    else:
        print(f"exported {report.images} images, {report.objects} objects to {report.out} ({report.layout})")
        for path, reason in report.problems:
            print(f"  {path or 'note'}: {reason}")
    return EXIT_OK if report.images else EXIT_ERROR


def cmd_gui(args: argparse.Namespace) -> int:
    from .gui.app import run_app

    return run_app(args.project, db=args.db, screenshot=args.screenshot, image=args.image)


COMMANDS = {"demo": cmd_demo, "import": cmd_import, "info": cmd_info, "export": cmd_export, "gui": cmd_gui}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_OK
    try:
        return COMMANDS[args.command](args)
    except (StoreError, ImportFailed, ExportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Cancelled:
        print("cancelled", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
