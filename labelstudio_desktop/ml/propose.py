"""Box proposals, stored as pending for review: from the box detector trained on reviewed boxes, or (the cold
start, :mod:`.cold_start`) from a classifier's class heatmap; U-Net masks as pending masks. With no detector, no
classifier and no image class, nothing can propose: the report's note says so (:data:`NO_CLASSES`) and the operator
draws the first boxes.

Each proposal keeps its provenance (run, method: ``exact``/``bayes`` for Grad-CAM boxes, ``detector``,
``unet``; threshold, IoU to the binary map, score). Proposals never touch accepted or manual boxes; proposing
again replaces only the pending proposals of an image, and obeys the review (:mod:`core.editing.review_memory`).
Images predicted as a background class (``empty``, ``background``, ``none``, ``negative``) get no box.

Proposals never get worse by surprise (``source="auto"`` with both a detector and a classifier): the two sources
are scored (F1 at IoU 0.5, labels compared) on the reviewed images the detector did not train on
(:func:`core.store.runs.held_out_images`); the one measured better proposes (on a tie, or with nothing to measure on,
the source of the pending proposals; the detector when there are none), and where it finds nothing on an image
the other source proposes there. An image's pending proposals are replaced only by proposals of their own source
or of a source measured better than theirs, and never by nothing. The report carries the figures.

With one class per image (:func:`.data.class_per_image`), an image's class is the label of its proposals from
either source (the detector's boxes of any class become the image's class, duplicates merged; Grad-CAM explains
the image's class), as it is the label of its boxes in the detector's training.
"""

from __future__ import annotations

import fnmatch
import math
import time
from pathlib import Path

import cv2
import numpy as np

from ..core.editing.review_memory import Candidate, is_background, remembered, review_of
from ..core.jobs import JobToken
from ..core.store.runs import get_run, held_out_images, last_run
from ..core.store.store import BoxRecord, Store, StoreError
from .cold_start import GradCamBoxes
from .config import stored_size, stored_tuned, trained_boxes, tuned_value
from .data import class_per_image
from .proposal_common import (
    Proposal,
    ProposeReport,
    denormalise,
    image_class,
    load_batch,
    model_run,
    png_bytes,
    run_model,
    run_note,
)
from .second_look import BEST_GUESS_FLOOR, SecondLook, kept_detections

SOURCES = ("auto", "gradcam", "detector", "unet")
#: The score threshold of a detector's proposals until it is calibrated on review (propose --calibrate), for a
#: detector trained on :data:`MANY_BOXES` boxes or more (or of unknown boxes) ...
DETECTOR_THRESHOLD = 0.3
#: ... and for one trained on :data:`FEW_BOXES` or fewer, which scores its objects low; in between it rises with the
#: log of the boxes, in steps of 0.05. The thresholds that cost the operator the fewest seconds on held-out photos
#: (docs/benchmarks.md): 0.15 after 20 photos of boards (24 boxes) and of cards (37), 0.25 after 100 (120 and 187
#: boxes), 0.3 on BCCD after 20 (270 boxes) and 0.35 after 100 (1,300 boxes).
FEW_BOXES_THRESHOLD = 0.15
FEW_BOXES, MANY_BOXES = 30, 300
BATCH = 32
#: The report's note when the cold start cannot run: no detector, no classifier, and no image with a class.
NO_CLASSES = ("no image has a class yet: draw the first boxes, or set the images' classes for Grad-CAM "
              "proposals")


def default_detector_threshold(boxes: int | None) -> float:
    """A detector's score threshold before calibration, by the boxes it trained on (:data:`DETECTOR_THRESHOLD`)."""
    if boxes is None:
        return DETECTOR_THRESHOLD
    share = min(1.0, max(0.0, math.log(max(boxes, 1) / FEW_BOXES) / math.log(MANY_BOXES / FEW_BOXES)))
    return round(round((FEW_BOXES_THRESHOLD + share * (DETECTOR_THRESHOLD - FEW_BOXES_THRESHOLD)) * 20) / 20, 2)


def detector_threshold(run, notes: list[str]) -> float:
    """The score threshold of detector ``run``'s proposals: its calibrated one, else its default
    (:func:`default_detector_threshold`); a calibration that cannot be used adds a note to ``notes``."""
    what = f"run {run.id}"
    return tuned_value(stored_tuned(run.params, notes, what), "threshold",
                       default_detector_threshold(trained_boxes(run.params)), notes, what)


def resolve_source(store: Store, source: str, run_id: int | None = None) -> str:
    """``auto``: the detector once one is trained (or when ``run_id`` is a detector run), Grad-CAM before."""
    if source not in SOURCES:
        raise StoreError(f"unknown proposal source {source!r}: {', '.join(SOURCES)}")
    if source != "auto":
        return source
    if run_id is not None:
        return {"detect": "detector", "segment": "unet"}.get(get_run(store, run_id).task, "gradcam")
    return "detector" if last_run(store, "detect") is not None else "gradcam"


def images_to_propose(store: Store, images: str | None = None, limit: int | None = None,
                      include_verified: bool = False) -> tuple[list, int]:
    """The usable images matching ``images`` (a glob), verified ones left out unless asked for; and how many
    verified images were left out."""
    todo = [i for i in store.each_image(include_excluded=False, include_missing=False)
            if images is None or fnmatch.fnmatch(i.path, images)]
    kept = todo if include_verified else [i for i in todo if i.status != "verified"]
    return (kept[:limit] if limit is not None else kept), len(todo) - len(kept)


def has_image_classes(store: Store) -> bool:
    """Whether a usable image has a class that is not a background class (the cold start needs one)."""
    return any(img.label and not is_background(img.label)
               for img in store.each_image(include_excluded=False, include_missing=False))


class _DetectorBoxes:
    """Boxes from the box detector trained on the reviewed boxes; with ``prior`` an image's class is the label of
    all its boxes (whatever class channel found them; boxes that then overlap at IoU >= 0.5 are merged)."""

    method = "detector"
    source = "detector"

    def __init__(self, store: Store, run_id, threshold, max_boxes, prior: bool = False):
        self.store = store
        self.run = model_run(store, run_id, "detect")
        self.notes: list[str] = []
        self.classes, self.model, self.size = run_model(self.run, self.notes)
        # the second look at the photos of few detections (ml/second_look.py), with what the run stored for it
        self.look = SecondLook.of_run(Path(self.run.model_path).parent) if self.run.model_path else \
            SecondLook(None, None)
        self.threshold = threshold if threshold is not None else detector_threshold(self.run, self.notes)
        self.max_boxes, self.prior = max_boxes, prior

    def __call__(self, batch, pixels, report: ProposeReport):
        from .detector import predict

        found = kept_detections(predict(self.model, np.stack(pixels)), self.threshold, self.max_boxes)
        labels = [image_class(img, self.prior) for img in batch]
        for img, label, boxes in zip(batch, labels, found, strict=True):
            if label is not None and is_background(label):
                report.without_box.append((img.path, f"the image's class '{label}' is a background class"))
            elif not boxes:
                report.without_box.append((img.path, "the detector found nothing scoring "
                                                   f"{min(self.threshold, BEST_GUESS_FLOOR):g} or more"))
        kept = [before_the_look(boxes, label) for boxes, label in zip(found, labels, strict=True)]
        edges, classed = self.look.apply(self.classes, [(self.store.abs_path(img), (img.width, img.height))
                                                        for img in batch], kept)
        for img, label, mine, theirs in zip(batch, labels, edges, classed, strict=True):
            yield img, as_proposed(label, mine, theirs, self.classes, img), None


def before_the_look(found: list, label: str | None) -> list:
    """An image's kept detections as its second look gets them: none when its class (under the class prior) is a
    background class; one per place whatever the detector's class when it has a class (they all take it)."""
    from .detector import nms

    if label is not None and is_background(label):
        return []
    if label is not None and found:
        return [found[k] for k in nms(np.array([b[0] for b in found]), np.array([b[2] for b in found]))]
    return found


def as_proposed(label: str | None, edges: list, classed: list, classes: list[str], img) -> list[Candidate]:
    """An image's proposals from its looked-at detections: with its class (the prior) the refined edges, all of that
    class; else each box with the class the box classifier sees, one per class and place; in pixels of ``img``."""
    boxes = edges if label is not None else classed
    return [Candidate(label or classes[k], denormalise(box, img.width, img.height), float(score))
            for box, k, score in boxes]


def propose(db_path, run_id: int | None = None, method: str = "exact", threshold: float | None = None,
            multi: bool = False, min_area: int | None = None, padding: float | None = None, images: str | None = None,
            limit: int | None = None, layer: str | None = None, max_iter: int = 10, use_labels: bool | None = None,
            source: str = "auto", include_verified: bool = False, max_boxes: int = 50, levers: dict | None = None,
            job: JobToken | None = None) -> ProposeReport:
    """Propose boxes on the project's usable, unverified images, stored as pending for review.

    ``source``: ``detector`` (the box detector trained on reviewed boxes), ``gradcam`` (the classifier's
    heatmap: the cold start) or ``auto``. With ``auto`` and both models, the source measured better on the reviewed
    images the detector did not train on proposes, the other one where it finds nothing on an image, and pending
    proposals are replaced only by their own source or one measured better (see the module's docstring; the
    report holds the figures). An explicit source replaces the pending proposals wherever it proposes. Nothing
    found on an image never deletes its pending proposals. ``run_id`` picks the model run of the source it
    resolves to (default: the last of its kind). Review is remembered: no proposal on a verified image (unless
    ``include_verified``), over an accepted box of the same label, or where the operator rejected one.

    ``use_labels`` (the class prior): an image's class is the label of its proposals and Grad-CAM explains that
    class (when the classifier knows it); None: when the project is one class per image
    (:func:`.data.class_per_image`); False: the predicted class. Parameters left as None come from the run's
    calibration when there is one, else defaults: cold-start threshold 0.3, padding 0.15 (:data:`COLD_START`),
    components of 4 cells, the heatmap of :func:`class_maps` (``layer``: Grad-CAM of that layer); detector:
    ``threshold`` is the lowest score kept (default 0.3), at most ``max_boxes`` boxes per image. ``threshold``
    applies to the source ``source`` resolves to; the other one uses its own. With no detector, no classifier and
    no image class the report holds no proposal and the note :data:`NO_CLASSES`."""
    job = job or JobToken()
    started = time.perf_counter()
    with Store.open(db_path) as store:
        resolved = resolve_source(store, source, run_id)
        if resolved == "unet":
            raise StoreError("U-Net proposals are masks: use propose_masks (propose --source unet)")
        prior = class_per_image(store) if use_labels is None else bool(use_labels)
        if resolved == "gradcam" and run_id is None and last_run(store, "classify") is None \
                and not has_image_classes(store):
            todo, skipped = images_to_propose(store, images, limit, include_verified)
            return ProposeReport(0, method, 0.0, images=len(todo), skipped_verified=skipped, note=NO_CLASSES,
                                 seconds=time.perf_counter() - started)

        def maker(kind: str, run: int | None, cut: float | None):
            if kind == "detector":
                return _DetectorBoxes(store, run, cut, max_boxes, prior)
            return GradCamBoxes(store, run, method, cut, multi, min_area, padding, layer, max_iter, prior, levers)

        primary, second = maker(resolved, run_id, threshold), None
        other = "gradcam" if resolved == "detector" else "detector"
        if source == "auto" and last_run(store, {"gradcam": "classify", "detector": "detect"}[other]) is not None:
            second = maker(other, None, None)
        pending = pending_sources(store)
        scores, held = {}, 0
        if second is not None:
            detector = primary if primary.source == "detector" else second
            reviewed = held_out_images(store, detector.run)
            held = len(reviewed)
            scores = score_sources(store, reviewed, [primary, second]) if reviewed else {}
            if scores and scores["detector"] != scores["gradcam"]:
                chosen = max(scores, key=scores.get)
            else:
                counts = {k: list(pending.values()).count(k) for k in ("detector", "gradcam")}
                chosen = max(counts, key=counts.get) if any(counts.values()) else "detector"
            if chosen != primary.source:
                primary, second = second, primary
        todo, skipped = images_to_propose(store, images, limit, include_verified)
        report = ProposeReport(primary.run.id, primary.method, primary.threshold, images=len(todo),
                               source=primary.source, skipped_verified=skipped, held_out=held, scores=scores,
                               runs={m.source: m.run.id for m in (primary, second) if m is not None},
                               other=second.source if second is not None else "")
        for maker in (primary, second):  # what the runs' stored parameters held that could not be used
            report.problems += [run_note(note) for note in getattr(maker, "notes", [])]
        for start in range(0, len(todo), BATCH):
            job.check()
            found = _candidates(store, primary, todo[start:start + BATCH], report)
            empty = [img for img, cands, _heat, _why in found.values() if not cands]
            backup = _candidates(store, second, empty, ProposeReport(0, "", 0.0)) if second and empty else {}
            for img_id, (img, cands, heat, why) in found.items():
                used = primary
                if not cands and backup.get(img_id, (None, []))[1]:
                    _img, cands, heat, why = backup[img_id]
                    used = second
                    report.fallback += 1
                elif not cands and img_id in backup:
                    why = why + backup[img_id][3]
                report.without_box.extend(why)
                replace = source != "auto" or may_replace(pending.get(img_id), used.source, scores)
                _store_proposals(store, img, cands, heat, used, report, replace)
            job.progress(min(start + BATCH, len(todo)), len(todo))
    report.seconds = time.perf_counter() - started
    return report


def score_sources(store: Store, images: list, makers: list) -> dict[str, float]:
    """Each proposal source (a ``propose`` box maker) scored on reviewed ``images``: F1 at IoU 0.5 of what it
    proposes there (labels compared, review memory not applied) against the accepted boxes; a verified image
    without boxes makes every proposal on it a false positive. Keyed by the makers' ``source``."""
    from .metrics import labelled_f1

    truth = {i.id: [(b.label, b.edges) for b in store.boxes(i.id, states=("accepted",))] for i in images}
    scores = {}
    for maker in makers:
        scratch = ProposeReport(0, "", 0.0)
        samples = []
        for start in range(0, len(images), 32):
            batch, pixels = load_batch(store, images[start:start + 32], maker.size, scratch)
            if batch:
                samples += [(truth[img.id], [(c.label, c.box, c.score) for c in candidates])
                            for img, candidates, _heat in maker(batch, pixels, scratch)]
        scores[maker.source] = labelled_f1(samples)[0]
    return scores


def pending_sources(store: Store) -> dict[int, str]:
    """The source of each image's pending box proposals (``detector`` or ``gradcam``; U-Net boxes left out)."""
    rows = store.conn.execute("SELECT image_id, method FROM boxes WHERE source='proposal' AND state='pending' "
                              "AND COALESCE(method, '') != 'unet'")
    return {image_id: "detector" if m == "detector" else "gradcam" for image_id, m in rows}


def may_replace(pending: str | None, new: str, scores: dict[str, float]) -> bool:
    """Whether proposals of source ``new`` may replace an image's pending proposals of source ``pending``: when
    there are none, when they are of the same source, or when ``new`` was measured better."""
    return pending is None or pending == new or (pending in scores and scores.get(new, 0.0) > scores[pending])


def _candidates(store: Store, maker, images: list, report: ProposeReport) -> dict[int, tuple]:
    """Per readable image: (image, candidates, heatmap or None, [(path, why it got none)]); unreadable images go
    to ``report.problems``."""
    scratch = ProposeReport(0, "", 0.0)
    batch, pixels = load_batch(store, images, maker.size, report)
    out = {}
    if batch:
        for img, candidates, heat in maker(batch, pixels, scratch):
            out[img.id] = (img, candidates, heat, [w for w in scratch.without_box if w[0] == img.path])
    return out


def _store_proposals(store: Store, img, candidates: list[Candidate], heat, maker, report: ProposeReport,
                     replace: bool = True) -> None:
    """Replace the image's pending box proposals with the candidates that review allows; when there are none, or
    ``replace`` is False (the new source is not measured better than theirs), its pending proposals stay."""
    kept, dropped = remembered(candidates, review_of(store, img.id))
    for reason, count in dropped.items():
        report.dropped[reason] = report.dropped.get(reason, 0) + count
    if candidates and not kept:
        report.without_box.append((img.path, "every proposal repeats a box already accepted or rejected"))
    has_pending = store.conn.execute("SELECT 1 FROM boxes WHERE image_id=? AND source='proposal' AND "
                                     "state='pending' AND COALESCE(method, '') != 'unet' LIMIT 1",
                                     (img.id,)).fetchone() is not None
    if has_pending and (not replace or not kept):
        report.kept_pending += 1
        return
    with store.transaction() as c:
        c.execute("DELETE FROM boxes WHERE image_id=? AND source='proposal' AND state='pending' "
                  "AND COALESCE(method, '') != 'unet'", (img.id,))
        if heat is not None:
            c.execute("INSERT OR REPLACE INTO heatmaps(image_id, run_id, kind, png) VALUES(?,?,?,?)",
                      (img.id, maker.run.id, "gradcam", png_bytes(heat)))
        for cand in kept:
            store.insert_box(BoxRecord(0, img.id, cand.label, *cand.box, source="proposal", state="pending",
                                       run_id=maker.run.id, method=maker.method, score=cand.score,
                                       threshold=maker.threshold, map_iou=cand.map_iou))
            report.proposals.append(Proposal(img.path, cand.label, cand.box, cand.score, cand.map_iou))


def mask_boxes(mask: np.ndarray, mode: str = "largest", min_area: int = 16) -> list[tuple[int, int, int, int]]:
    """Boxes around a binary mask: its largest component, or every component of at least ``min_area`` pixels."""
    count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    comps = [(stats[k, cv2.CC_STAT_AREA], k) for k in range(1, count) if stats[k, cv2.CC_STAT_AREA] >= min_area]
    if mode == "largest":
        comps = sorted(comps)[-1:]
    out = []
    for _area, k in comps:
        x, y, w, h = stats[k, :4]
        out.append((int(x), int(y), int(x + w), int(y + h)))
    return out


def propose_masks(db_path, run_id: int | None = None, threshold: float = 0.5, boxes: str = "largest",
                  images: str | None = None, limit: int | None = None, label: str = "object",
                  include_verified: bool = False, job: JobToken | None = None) -> ProposeReport:
    """U-Net masks as pending mask proposals (probabilities kept, so the threshold can change in review),
    and, unless ``boxes`` is ``none``, their box(es) as pending box proposals (``largest`` or ``all``)."""
    from .train import task_model

    job = job or JobToken()
    started = time.perf_counter()
    with Store.open(db_path) as store:
        run = model_run(store, run_id, "segment")
        notes: list[str] = []
        model, size = task_model(run.model_path, "segment", size=stored_size(run.params), what=f"run {run.id}",
                                 notes=notes)
        todo, verified = images_to_propose(store, images, limit, include_verified)
        report = ProposeReport(run.id, "unet", threshold, images=len(todo), source="unet",
                               skipped_verified=verified, problems=[run_note(note) for note in notes])
        for start in range(0, len(todo), BATCH):
            job.check()
            batch, pixels = load_batch(store, todo[start:start + BATCH], size, report)
            if not batch:
                continue
            probs = model.predict(np.stack(pixels).astype(np.float32), verbose=0)[..., 0]
            for img, prob in zip(batch, probs, strict=True):
                full = cv2.resize(prob, (img.width, img.height), interpolation=cv2.INTER_LINEAR)
                binary = full >= threshold
                with store.transaction() as c:
                    c.execute("DELETE FROM masks WHERE image_id=? AND source='proposal' AND state='pending'",
                              (img.id,))
                    c.execute("DELETE FROM boxes WHERE image_id=? AND source='proposal' AND state='pending' "
                              "AND method='unet'", (img.id,))
                    name = img.label or label
                    store.add_mask(img.id, name, png_bytes(full), source="proposal", state="pending", run_id=run.id)
                    if boxes != "none":
                        for box in mask_boxes(binary, boxes):
                            inside = binary[box[1]:box[3], box[0]:box[2]]
                            fitted_iou = float(inside.sum() / max(1, binary.sum() + inside.size - inside.sum()))
                            store.insert_box(BoxRecord(0, img.id, name, *box, source="proposal", state="pending",
                                                       run_id=run.id, method="unet",
                                                       score=float(full[binary].mean()) if binary.any() else 0.0,
                                                       threshold=threshold, map_iou=fitted_iou))
                            report.proposals.append(Proposal(img.path, name, box, float(full.max()), fitted_iou))
            job.progress(min(start + BATCH, len(todo)), len(todo))
    report.seconds = time.perf_counter() - started
    return report
