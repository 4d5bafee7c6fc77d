"""The one-click retrain (the Training dock's Retrain, ``train --retrain``): a new run from the last run's model, and,
for a detector, the score threshold its review calibrated carried to the new run's proposals.

The operator reviews a batch of the last detector's proposals, then retrains. Those reviewed images are the ones
that detector never trained on: the fair measure of which threshold costs the operator the fewest seconds
(``calibrate.calibrate_detector`` on them alone, :data:`.calibrate.MIN_UNSEEN` at least). Without them, a
threshold calibrated earlier (Calibrate proposals from review) is carried as it was; without either, the new run
keeps its default, by the boxes it trained on (``propose.default_detector_threshold``). ``benchmarks/review_loop.py``
retrains with this function, so its figures are the app's.
"""

from __future__ import annotations

from pathlib import Path

from ..core.jobs import JobToken
from ..core.store.runs import get_run, held_out_images, update_run
from ..core.store.store import Store
from .calibrate import MIN_UNSEEN, calibrate_detector
from .config import stored_tuned, tuned_value
from .run_parts import RunResult
from .train import TrainConfig, train

#: The new run's parameter naming where its proposals' score threshold came from: ``{"run": N, "images": K}``
#: (calibrated on K reviewed images run N did not train on; K is 0 for a threshold carried as run N stored it).
THRESHOLD_FROM = "threshold_from"


def retrain(db_path: str | Path, config: TrainConfig, start_from: int, job: JobToken | None = None,
            strategy=None) -> RunResult:
    """Train a new run from run ``start_from``'s model (``train.train``); a finished detector run then takes the
    threshold calibrated for ``start_from`` (see the module)."""
    job = job or JobToken()
    from .multiworker import is_multiworker  # TensorFlow's multi-worker parts, as ``train`` imports them

    result = train(db_path, config, job, start_from=start_from, strategy=strategy)
    chief = not is_multiworker(strategy) or bool(strategy.extended.should_checkpoint)
    if config.task == "detect" and result.status == "finished" and chief:
        with Store.open(db_path) as store:
            carried = _carried_threshold(store, start_from, job)
            if carried is not None:
                run = get_run(store, result.run_id)
                threshold, source = carried
                update_run(store, run.id, params={**run.params, "proposal_params": {"threshold": threshold},
                                                  THRESHOLD_FROM: source})
    return result


def _carried_threshold(store: Store, previous_id: int, job: JobToken) -> tuple[float, dict] | None:
    """The threshold for the run after detector run ``previous_id``, and where it came from; None when there is
    none to carry."""
    previous = get_run(store, previous_id)
    if previous is None or previous.task != "detect" or not previous.model_path:
        return None
    unseen = len(held_out_images(store, previous))
    if unseen >= MIN_UNSEEN:
        job.status(f"calibrating run {previous.id}'s score threshold on {unseen} reviewed images it did not train on")
        calibration = calibrate_detector(store, previous.id, job=job, unseen_only=True)
        threshold = calibration.params["threshold"]
        job.status(f"next proposals: score threshold {threshold:.2f}")
        return threshold, {"run": previous.id, "images": calibration.images}
    notes: list[str] = []
    what = f"run {previous.id}"
    threshold = tuned_value(stored_tuned(previous.params, notes, what), "threshold", None, notes, what)
    if threshold is None:
        return None
    job.status(f"next proposals: score threshold {threshold:.2f}, as run {previous.id} was calibrated")
    return threshold, {"run": previous.id, "images": 0}
