"""The status lines of core's and ml's jobs, shown in the UI's language.

Jobs are plain functions that report in English (the command line prints the same lines, and core and ml have no Qt),
so the app translates what it shows: each known line is a pattern of the English text and a translatable template
with the pattern's groups as ``{0}``, ``{1}``... A line without a pattern is shown as it is.
``tests/gui/test_translations.py`` checks that every ``job.status(...)`` of core and ml has a pattern here.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from .image_notes import translate_by_patterns

STATUS_LINES = [
    (r"scanning folder", QT_TRANSLATE_NOOP("JobStatus", "scanning folder")),
    (r"reading image headers", QT_TRANSLATE_NOOP("JobStatus", "reading image headers")),
    (r"unpacking (.+)", QT_TRANSLATE_NOOP("JobStatus", "unpacking {0}")),
    (r"left out of training: (.+?): (.+)", QT_TRANSLATE_NOOP("JobStatus", "left out of training: {0}: {1}")),
    (r"reading masks", QT_TRANSLATE_NOOP("JobStatus", "reading masks")),
    (r"hashing (\d+) images \((\d+) from the cache\)",
     QT_TRANSLATE_NOOP("JobStatus", "hashing {0} images ({1} from the cache)")),
    (r"searching pairs", QT_TRANSLATE_NOOP("JobStatus", "searching pairs")),
    (r"comparing features", QT_TRANSLATE_NOOP("JobStatus", "comparing features")),
    (r"computing features of (\d+) images \((\d+) already done\)",
     QT_TRANSLATE_NOOP("JobStatus", "computing features of {0} images ({1} already done)")),
    (r"loading (\d+) images", QT_TRANSLATE_NOOP("JobStatus", "loading {0} images")),
    (r"training (\S+): (\d+) images, (\d+) batches per epoch",
     QT_TRANSLATE_NOOP("JobStatus", "training {0}: {1} images, {2} batches per epoch")),
    (r"epoch (\d+)/(\d+)", QT_TRANSLATE_NOOP("JobStatus", "epoch {0}/{1}")),
    (r"rotation is not used for detection \(a rotated box is no longer tight\)",
     QT_TRANSLATE_NOOP("JobStatus", "rotation is not used for detection (a rotated box is no longer tight)")),
    (r"heatmaps of (\d+) reviewed images, (\d+) layers",
     QT_TRANSLATE_NOOP("JobStatus", "heatmaps of {0} reviewed images, {1} layers")),
    (r"tuning fold (\d+)/(\d+)", QT_TRANSLATE_NOOP("JobStatus", "tuning fold {0}/{1}")),
    (r"tuning on all reviewed images", QT_TRANSLATE_NOOP("JobStatus", "tuning on all reviewed images")),
    (r"calibrating run (\d+)'s score threshold on (\d+) reviewed images it did not train on",
     QT_TRANSLATE_NOOP("JobStatus",
                       "calibrating run {0}'s score threshold on {1} reviewed images it did not train on")),
    (r"score threshold not calibrated: (.+)", QT_TRANSLATE_NOOP("JobStatus", "score threshold not calibrated: {0}")),
    (r"next proposals: score threshold (\S+), from run (\d+)'s calibration",
     QT_TRANSLATE_NOOP("JobStatus", "next proposals: score threshold {0}, from run {1}'s calibration")),
    (r"next proposals: score threshold (\S+)", QT_TRANSLATE_NOOP("JobStatus", "next proposals: score threshold {0}")),
    (r"image features", QT_TRANSLATE_NOOP("JobStatus", "image features")),
    (r"box features", QT_TRANSLATE_NOOP("JobStatus", "box features")),
    (r"fitting the box refinement", QT_TRANSLATE_NOOP("JobStatus", "fitting the box refinement")),
    (r"(\d+) validation images, too few to judge the epochs: they train too",
     QT_TRANSLATE_NOOP("JobStatus", "{0} validation images, too few to judge the epochs: they train too")),
    (r"box refinement: left out (.+?): (.+)", QT_TRANSLATE_NOOP("JobStatus", "box refinement: left out {0}: {1}")),
    (r"fitting the box classes", QT_TRANSLATE_NOOP("JobStatus", "fitting the box classes")),
    (r"box classes: left out (.+?): (.+)", QT_TRANSLATE_NOOP("JobStatus", "box classes: left out {0}: {1}")),
    (r"detections on (\d+) reviewed images", QT_TRANSLATE_NOOP("JobStatus", "detections on {0} reviewed images")),
    (r"fold (\d+)/(\d+): training a detector on (\d+) images",
     QT_TRANSLATE_NOOP("JobStatus", "fold {0}/{1}: training a detector on {2} images")),
    (r"worker (\d+) of (\d+): batches of (\d+) images, (\d+) on each of (\d+) replicas",
     QT_TRANSLATE_NOOP("JobStatus", "worker {0} of {1}: batches of {2} images, {3} on each of {4} replicas")),
]
_LINES = [(re.compile(pattern), template) for pattern, template in STATUS_LINES]

#: A training run's status (core/store/runs.py, ml/train.py), as the Runs list and the end of a run show it.
RUN_STATUS = {
    "running": QT_TRANSLATE_NOOP("JobStatus", "running"),
    "finished": QT_TRANSLATE_NOOP("JobStatus", "finished"),
    "cancelled": QT_TRANSLATE_NOOP("JobStatus", "cancelled"),
    "failed": QT_TRANSLATE_NOOP("JobStatus", "failed"),
    "interrupted": QT_TRANSLATE_NOOP("JobStatus", "interrupted"),
}


def translate_status(text: str) -> str:
    """``text`` (a job's English status line) in the UI's language."""
    return translate_by_patterns(_LINES, text, lambda template: QCoreApplication.translate("JobStatus", template))


def run_status(status: str) -> str:
    return QCoreApplication.translate("JobStatus", RUN_STATUS[status]) if status in RUN_STATUS else status
