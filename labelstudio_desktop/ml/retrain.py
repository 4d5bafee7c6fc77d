"""The one-click retrain (the Training dock's Retrain, ``train --retrain``): a new run from the last run's model, and,
for a detector, the score threshold its review calibrated carried to the new run's proposals.

The operator reviews a batch of the last detector's proposals, then retrains. Those reviewed images are the ones
that detector never trained on: the fair measure of which threshold costs the operator the fewest seconds
(``calibrate.calibrate_detector`` on them alone, :data:`.calibrate.MIN_UNSEEN` at least). Without them, a
threshold calibrated earlier (Calibrate proposals from review) is carried; without either, the new run keeps its
default, by the boxes it trained on (``propose.default_detector_threshold``). A carried threshold moves by as much as
that default moves from the last run to the new one (:func:`carried`): a detector trained on more boxes scores its
objects higher. The new run's record says where its threshold came from (``runs.THRESHOLD_FROM``).
``benchmarks/review_loop.py`` retrains with this function, so its figures are the app's.
"""

from __future__ import annotations

from pathlib import Path

from ..core.jobs import JobToken
from ..core.store.runs import THRESHOLD_FROM, Run, get_run, held_out_images, update_run
from ..core.store.store import Store, StoreError
from .calibrate import MIN_UNSEEN, THRESHOLDS, calibrate_detector
from .config import stored_tuned, trained_boxes, tuned_value
from .propose import default_detector_threshold
from .run_parts import RunResult, TrainError
from .train import TrainConfig, train


def retrain(db_path: str | Path, config: TrainConfig, start_from: int, job: JobToken | None = None,
            strategy=None) -> RunResult:
    """Train a new run from run ``start_from``'s model (``train.train``); a finished detector run then takes the
    threshold calibrated for ``start_from`` (see the module)."""
    job = job or JobToken()
    from .multiworker import Start  # TensorFlow's multi-worker parts, as ``train`` imports them

    result = train(db_path, config, job, start_from=start_from, strategy=strategy)
    if config.task == "detect" and result.status == "finished" and Start(strategy).chief:
        with Store.open(db_path) as store:
            run = get_run(store, result.run_id)
            carried = _carried_threshold(store, start_from, run, job)
            if carried is not None:
                threshold, source = carried
                update_run(store, run.id, params={**run.params, "proposal_params": {"threshold": threshold},
                                                  THRESHOLD_FROM: source})
    return result


def carried(calibrated: float, previous: Run, new: Run) -> float:
    """Run ``previous``'s ``calibrated`` threshold for run ``new``: moved by as much as the default threshold moves
    between them (``propose.default_detector_threshold`` of the boxes each trained on), one of
    :data:`.calibrate.THRESHOLDS`."""
    shift = default_detector_threshold(trained_boxes(new.params)) - \
        default_detector_threshold(trained_boxes(previous.params))
    return min(THRESHOLDS, key=lambda t: abs(t - (calibrated + shift)))


def _carried_threshold(store: Store, previous_id: int, new: Run, job: JobToken) -> tuple[float, dict] | None:
    """The threshold for run ``new`` after detector run ``previous_id``, and where it came from; None when there is
    none to carry."""
    previous = get_run(store, previous_id)
    if previous.task != "detect" or not previous.model_path:
        return None
    unseen = held_out_images(store, previous)
    if len(unseen) >= MIN_UNSEEN:
        job.status(f"calibrating run {previous.id}'s score threshold on {len(unseen)} reviewed images it did not "
                   "train on")
        try:
            calibration = calibrate_detector(store, previous.id, job=job, unseen=unseen)
        except (StoreError, TrainError) as exc:  # e.g. a received project's run record: the new run stands
            job.status(f"score threshold not calibrated: {exc}")
        else:
            calibrated = calibration.params["threshold"]
            threshold = carried(calibrated, previous, new)
            job.status(f"next proposals: score threshold {threshold:.2f}")
            return threshold, {"run": previous.id, "images": calibration.images, "calibrated": calibrated}
    notes: list[str] = []
    what = f"run {previous.id}"
    calibrated = tuned_value(stored_tuned(previous.params, notes, what), "threshold", None, notes, what)
    if calibrated is None:
        return None
    threshold = carried(calibrated, previous, new)
    job.status(f"next proposals: score threshold {threshold:.2f}, from run {previous.id}'s calibration")
    return threshold, {"run": previous.id, "images": 0, "calibrated": calibrated}
