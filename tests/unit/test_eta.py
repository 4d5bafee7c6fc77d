"""The training ETA: batches extrapolated during the first epoch, measured epochs after it (issue 9)."""

from __future__ import annotations

import pytest

from labelstudio_desktop.core.jobs import EtaEstimator


def simulate(estimator, epochs=5, steps=10, first_batch=5.0, batch=0.5, tail=10.0):
    """A made-up run: the first batch traces the model, every epoch ends with validation (``tail``).
    Yields (time, true seconds left, estimate) after every batch and every epoch end."""
    events, t = [], 0.0
    for epoch in range(epochs):
        for step in range(steps):
            t += first_batch if (epoch, step) == (0, 0) else batch
            events.append(("batch", t, epoch * steps + step + 1))
        t += tail
        events.append(("epoch", t, None))
    end = t
    for kind, t, done in events:
        if kind == "batch":
            estimator.progress(done, epochs * steps, t)
        else:
            estimator.epoch_finished(t)
        yield t, end - t, estimator.remaining(t)


def test_first_epoch_extrapolates_the_batches_after_the_first():
    eta = EtaEstimator()
    assert eta.remaining(0.0) is None
    eta.progress(1, 50, 5.0)
    assert eta.remaining(5.0) is None  # one point gives no rate
    eta.progress(2, 50, 5.5)
    assert eta.remaining(5.5) == pytest.approx(0.5 * 48)  # the 5 s of the first batch are not counted
    assert eta.remaining(6.5) == pytest.approx(0.5 * 48 - 1.0)  # counts down between reports


def test_measured_epochs_take_over_after_the_first_epoch():
    steps = list(simulate(EtaEstimator()))
    true_at_first_batches = steps[1][1]
    assert steps[1][2] < true_at_first_batches * 0.4  # batches alone miss validation: the 107 s for 190 s
    after_first_epoch = steps[10:]  # from the end of epoch 1 on, every estimate is the real time left
    for t, true, estimate in after_first_epoch:
        assert estimate == pytest.approx(true), t
    assert steps[-1][2] == 0.0


def test_epoch_time_leaves_out_the_first_epoch_once_later_ones_are_measured():
    eta = EtaEstimator()
    list(simulate(eta, epochs=4, tail=10.0))
    assert eta.durations[0] == pytest.approx(5.0 + 9 * 0.5 + 10.0 - 5.0 + 0.5)  # first batch at the steady rate
    assert eta.epoch_time() == pytest.approx(15.0)


def test_recent_epochs_follow_a_lasting_slowdown():
    eta = EtaEstimator()
    eta.progress(1, 200, 1.0)
    eta.progress(10, 200, 10.0)
    ends = [20.0, 30.0, 40.0] + [40.0 + 30.0 * n for n in range(1, 11)]  # epochs 4-13 take 30 s instead of 10 s
    for n, end in enumerate(ends):
        eta.progress(10 * (n + 1), 200, end - 1.0)
        eta.epoch_finished(end)
        if n == 4:
            assert 10.0 < eta.epoch_time() < 30.0  # two slow epochs: on the way, not there yet
    assert eta.epoch_time() == pytest.approx(30.0)  # the recent half (at least 8 epochs): all slow


def test_an_epoch_slower_than_the_mean_counts_its_unfinished_batches():
    eta = EtaEstimator()
    eta.progress(1, 30, 1.0)
    eta.progress(10, 30, 10.0)
    eta.epoch_finished(10.0)
    eta.progress(20, 30, 20.0)
    eta.epoch_finished(20.0)  # epochs of 10 s
    eta.progress(25, 30, 40.0)  # epoch 3 is half done after 20 s
    assert eta.remaining(40.0) == pytest.approx(5.0)  # never a negative or a zero while work is left


def test_a_new_progress_sequence_starts_a_new_estimate():
    eta = EtaEstimator()
    eta.progress(1, 48, 0.0)  # loading 48 images
    eta.progress(48, 48, 4.7)
    eta.progress(1, 20, 10.0)  # then training: another total
    assert eta.remaining(10.0) is None
    eta.progress(2, 20, 11.0)
    assert eta.remaining(11.0) == pytest.approx(18.0)
    eta.progress(2, 20, 12.0)
    eta.progress(1, 20, 13.0)  # the same total again, but done went back: a new run
    assert eta.first == (13.0, 1) and eta.durations == []


def test_epoch_news_without_progress_is_ignored():
    eta = EtaEstimator()
    eta.epoch_finished(3.0)
    assert eta.remaining(3.0) is None and eta.epoch_time() is None


def test_on_a_busy_machine_the_estimate_settles_after_the_first_epochs():
    """Issue 19: 300 epochs of 2 batches, every other epoch twice as long (another job shares the CPUs). The true
    time left falls by an epoch's time per epoch; from the ninth epoch on, the estimate moves by less than 10 %."""
    eta = EtaEstimator()
    epochs, steps, t = 300, 2, 0.0
    estimates = []
    for epoch in range(epochs):
        slow = 2.0 if epoch % 2 else 1.0
        for step in range(steps):
            t += (5.0 if (epoch, step) == (0, 0) else 0.5) * slow
            eta.progress(epoch * steps + step + 1, epochs * steps, t)
        t += 1.0 * slow  # validation
        eta.epoch_finished(t)
        estimates.append((t, eta.remaining(t)))
    mean_epoch = 3.0  # (2 s + 4 s) / 2
    for (t0, before), (t1, after) in zip(estimates[8:-1], estimates[9:], strict=True):
        assert abs((before - (t1 - t0)) - after) < 0.1 * before + 2 * mean_epoch, t1  # the old mean of 3: 25 %
    assert estimates[10][1] == pytest.approx(mean_epoch * (epochs - 11), rel=0.1)


def test_settled_once_an_epoch_was_measured():
    eta = EtaEstimator()
    eta.progress(1, 20, 1.0)
    eta.progress(2, 20, 2.0)
    assert not eta.settled and eta.remaining(2.0) == pytest.approx(18.0)
    eta.progress(10, 20, 10.0)
    eta.epoch_finished(12.0)
    assert eta.settled
