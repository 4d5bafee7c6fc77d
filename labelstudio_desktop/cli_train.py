"""Command line: ``train`` (:mod:`.ml.train`; TensorFlow is imported only once what the run needs is checked)."""

from __future__ import annotations

import argparse
import json
import sys

from .core.editing.training_needs import missing_training_data
from .core.jobs import ConsoleJob
from .core.store.store import Store
from .ml.config import DEFAULT_BACKBONE, TASK_DEFAULTS, TASKS

EXIT_OK, EXIT_ERROR = 0, 1


def add_parsers(sub, add_project) -> None:
    p = sub.add_parser("train", help="train a classifier, U-Net, regressor or box detector (TensorFlow)")
    add_project(p)
    p.add_argument("--task", choices=TASKS,
                   help="what to learn (required for a new run); detect: a box detector on the reviewed boxes")
    p.add_argument("--backbone", choices=("mobilenetv2", "small", "resnet50v2", "vgg16"),
                   help="mobilenetv2 (default, pretrained on ImageNet; with --weights none: small), small (each task's "
                        "own network from scratch: small CNN, plain U-Net, ResNet-v2 style regressor), resnet50v2 or "
                        "vgg16 (classify, detect, regress, and the U-Net's encoder)")
    p.add_argument("--head", choices=("max", "avg"), default="avg",
                   help="classify with the small backbone: global average pooling (default; its Grad-CAM localises "
                        "better) or max pooling")
    p.add_argument("--weights", default="imagenet",
                   help="imagenet (default; for mobilenetv2 the weights shipped with the app, offline; for resnet50v2 "
                        "and vgg16 a download by Keras, needs the internet once) | none (random weights: from scratch) "
                        "| a local weights file")
    p.add_argument("--trainable-layers", type=int, default=0,
                   help="fine-tune the last N layers of a transfer backbone (0: frozen, the default; -1: all); "
                        "pretrained layers learn at a tenth of --lr, their BatchNorm statistics stay frozen")
    p.add_argument("--epochs", type=int, help="epochs (more epochs with --resume; default: "
                   + ", ".join(f"{t} {d['epochs']}" for t, d in TASK_DEFAULTS.items()) + ")")
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--size", type=int, help="input size in pixels (square; default: "
                   + ", ".join(f"{t} {d['size']}" for t, d in TASK_DEFAULTS.items()) + ")")
    p.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    p.add_argument("--augment", help="comma list: hflip,vflip,shift,rotate,zoom,brightness,erase, all or none "
                                     "(default: " + "; ".join(f"{t} {d['augment'] or 'none'}"
                                                              for t, d in TASK_DEFAULTS.items())
                                     + "; detect never rotates)")
    p.add_argument("--balance", default="none", choices=("none", "weights", "oversample", "undersample"))
    p.add_argument("--loss", default="bce+dice", choices=("bce", "dice", "bce+dice"), help="segmentation loss")
    p.add_argument("--hard-negative-weight", type=float, default=4.0,
                   help="detect: background loss weight at the centre of a rejected proposal (default 4)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--snapshot-every", type=int, default=0, help="store predictions on a few images every K epochs")
    p.add_argument("--resume", type=int, metavar="RUN", help="continue run RUN for --epochs more epochs")
    p.add_argument("--retrain", action="store_true",
                   help="a new run of the last task, starting from its last model, on the current annotations "
                   "(a detector: with the score threshold the last one is calibrated to on the images reviewed since)")
    p.add_argument("--distribute", default="default", choices=("default", "mirrored", "multiworker"),
                   help="tf.distribute strategy (mirrored: all local GPUs; multiworker: from TF_CONFIG)")
    p.add_argument("--join-timeout", type=float, default=600, metavar="SECONDS",
                   help="multiworker: stop when the other workers have not all started within SECONDS (600)")
    p.add_argument("--json", action="store_true")


class TrainJob(ConsoleJob):
    """The console token of ``train``: also prints the device the run trains on (stderr, like the plan line)."""

    def report(self, data) -> None:
        if isinstance(data, dict) and data.get("device"):
            self.finish()
            self.stream.write(f"device: {data['device']}\n")
            self.stream.flush()
        super().report(data)


def cmd_train(args: argparse.Namespace) -> int:
    from .core.store.runs import last_run

    with Store.open(args.project, args.db) as store:  # what is missing is said before TensorFlow loads
        db = store.db_path
        previous = last_run(store, args.task) if args.retrain else None
        task = previous.task if previous is not None else args.task
        missing = missing_training_data(store, task) if task and args.resume is None else None
    if args.retrain and previous is None:
        print("error: nothing to retrain: no run with a saved model yet", file=sys.stderr)
        return EXIT_ERROR
    if missing:
        print(f"error: {missing}", file=sys.stderr)
        return EXIT_ERROR
    from .ml.augment import AugmentConfig
    from .ml.data import DataError
    from .ml.train import TrainConfig, TrainError, strategy_from_name, train

    if previous is not None:
        from .ml.config import ParamsError

        notes: list[str] = []
        try:
            config = TrainConfig.from_params(previous.params, notes, f"run {previous.id}", previous.task)
        except ParamsError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        for note in notes:
            print(f"warning: {note}", file=sys.stderr)
        config.epochs = args.epochs or TASK_DEFAULTS[config.task]["epochs"]
    elif args.resume is None and args.task is None:
        print("error: --task is required for a new run", file=sys.stderr)
        return EXIT_ERROR
    else:
        defaults = TASK_DEFAULTS[args.task or "classify"]
        names = defaults["augment"] if args.augment is None else args.augment
        try:
            augment = AugmentConfig.from_names("" if names == "none" else names)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_ERROR
        backbone = args.backbone or ("small" if args.weights == "none" else DEFAULT_BACKBONE)
        config = TrainConfig(task=args.task or "classify", backbone=backbone, head=args.head, weights=args.weights,
                             trainable_layers=None if args.trainable_layers < 0 else args.trainable_layers,
                             epochs=args.epochs or defaults["epochs"], batch=args.batch,
                             size=args.size or defaults["size"], learning_rate=args.lr, augment=augment,
                             balance=args.balance, loss=args.loss, seed=args.seed,
                             snapshot_every=args.snapshot_every, hard_negative_weight=args.hard_negative_weight,
                             min_steps=defaults.get("min_steps", 0) if args.epochs is None else 0)
    try:
        strategy = strategy_from_name(args.distribute, args.join_timeout)
        if previous is not None:  # what the app's Retrain does: a detector also carries its calibrated threshold
            from .ml.retrain import retrain

            result = retrain(db, config, previous.id, TrainJob("training"), strategy=strategy)
        else:
            result = train(db, config, TrainJob("training"), resume=args.resume, strategy=strategy)
    except (TrainError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.json:
        print(json.dumps(result.as_json(), indent=1))
    else:
        last = {k: v[-1] for k, v in result.history.items() if v}
        print(f"run {result.run_id} ({result.task}): {result.status} after {result.epochs} epochs; "
              + ", ".join(f"{k} {v:.4f}" for k, v in sorted(last.items())))
        print(f"model: {result.model_path}")
        if result.message:
            print(result.message)
    return EXIT_OK if result.status == "finished" else EXIT_ERROR


COMMANDS = {"train": cmd_train}
