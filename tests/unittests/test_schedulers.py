"""Tests of the learning-rate schedules (``speechbrain_fica.nnet.schedulers``).

* ``StepDecayScheduler``: the rate at the decay boundaries, and a resumed
  run (a new instance, the schedule being stateless) on the same schedule;
* ``CosineStepScheduler``: the rate at the start, half-way, the end and
  beyond, monotone decay, the optimiser's groups updated, and the step
  count saved and recovered by SpeechBrain's checkpointer.

Authors
 * speechbrain-fica contributors 2026
"""

import math

import pytest
import torch
from speechbrain.nnet.schedulers import update_learning_rate
from speechbrain.utils.checkpoints import Checkpointer

from speechbrain_fica.nnet.schedulers import (
    CosineStepScheduler,
    StepDecayScheduler,
)


def two_group_optimizer(lr=1.0):
    first = torch.nn.Parameter(torch.ones(2))
    second = torch.nn.Parameter(torch.ones(3))
    return torch.optim.Adam([{"params": [first]}, {"params": [second]}], lr=lr)


# ---------------------------------------------------------------------------
# StepDecayScheduler
# ---------------------------------------------------------------------------


def test_step_decay_values_at_boundaries():
    # The paper's setting: 3e-4, halved every 10 epochs.
    schedule = StepDecayScheduler(3e-4, factor=0.5, every=10)
    for epoch, rate in ((1, 3e-4), (10, 3e-4), (11, 1.5e-4), (20, 1.5e-4)):
        assert schedule.value(epoch) == pytest.approx(rate, rel=1e-12)
    assert schedule.value(21) == pytest.approx(7.5e-5, rel=1e-12)
    assert schedule.value(31) == pytest.approx(3e-4 / 8, rel=1e-12)
    # Called at the end of an epoch: (rate used, rate of the next epoch).
    assert schedule(current_epoch=10) == (schedule.value(10), 1.5e-4)
    assert schedule(current_epoch=11) == (1.5e-4, 1.5e-4)
    assert schedule(current_epoch=20) == (1.5e-4, schedule.value(21))
    # Every epoch.
    every_epoch = StepDecayScheduler(1.0, factor=0.1, every=1)
    rates = [every_epoch.value(epoch) for epoch in range(1, 5)]
    assert rates == pytest.approx([1.0, 0.1, 0.01, 0.001], rel=1e-12)


def test_step_decay_resumed_run_continues_the_schedule():
    # Epoch-level use as in FICABrain.on_stage_end: the optimiser's rate
    # after each epoch's end; a new instance (a resumed run) picks up at
    # any epoch with the same rates.
    schedule = StepDecayScheduler(2e-3, factor=0.5, every=3)
    optimizer = two_group_optimizer(lr=schedule.value(1))
    rates = []
    for epoch in range(1, 8):
        _, new_rate = schedule(epoch)
        update_learning_rate(optimizer, new_rate)
        rates.append([group["lr"] for group in optimizer.param_groups])
    resumed = StepDecayScheduler(2e-3, factor=0.5, every=3)
    for epoch in range(4, 8):
        assert resumed(epoch)[1] == rates[epoch - 1][0]
    assert [r[0] for r in rates] == pytest.approx(
        [2e-3, 2e-3, 1e-3, 1e-3, 1e-3, 5e-4, 5e-4], rel=1e-12
    )
    assert all(first == second for first, second in rates)


# ---------------------------------------------------------------------------
# CosineStepScheduler
# ---------------------------------------------------------------------------


def test_cosine_values_at_boundaries():
    schedule = CosineStepScheduler(1e-4, 5e-6, total_steps=100)
    assert schedule.value(0) == pytest.approx(1e-4, rel=1e-12)
    assert schedule.value(50) == pytest.approx((1e-4 + 5e-6) / 2, rel=1e-12)
    assert schedule.value(100) == pytest.approx(5e-6, rel=1e-12)
    assert schedule.value(250) == pytest.approx(5e-6, rel=1e-12)
    # A quarter of the way: min + (base - min) * (1 + cos(pi / 4)) / 2.
    quarter = 5e-6 + (1e-4 - 5e-6) * (1 + math.cos(math.pi / 4)) / 2
    assert schedule.value(25) == pytest.approx(quarter, rel=1e-12)
    values = [schedule.value(step) for step in range(0, 121)]
    assert all(a >= b for a, b in zip(values, values[1:]))
    assert values[0] > values[99] > values[100] == values[120]


def test_cosine_steps_set_every_group():
    schedule = CosineStepScheduler(1e-3, 1e-5, total_steps=4)
    optimizer = two_group_optimizer()
    seen = []
    for step in range(1, 7):
        old, new = schedule(optimizer)
        assert old == schedule.value(step - 1)
        assert new == schedule.value(step)
        assert [g["lr"] for g in optimizer.param_groups] == [new, new]
        seen.append(new)
    assert schedule.n_steps == 6
    assert seen[3:] == [1e-5, 1e-5, 1e-5]


def test_cosine_checkpoint_round_trip(tmp_path):
    schedule = CosineStepScheduler(1e-3, 1e-5, total_steps=10)
    optimizer = two_group_optimizer()
    checkpointer = Checkpointer(str(tmp_path), {"lr_step_scheduler": schedule})
    for _ in range(3):
        schedule(optimizer)
    checkpointer.save_checkpoint(meta={"EER": 1.0})
    for _ in range(4):  # steps after the checkpoint are lost at a resume
        schedule(optimizer)

    resumed = CosineStepScheduler(1e-3, 1e-5, total_steps=10)
    Checkpointer(
        str(tmp_path), {"lr_step_scheduler": resumed}
    ).recover_if_possible()
    assert resumed.n_steps == 3
    reference = CosineStepScheduler(1e-3, 1e-5, total_steps=10)
    for _ in range(3):
        reference(two_group_optimizer())
    resumed_optimizer = two_group_optimizer()
    for _ in range(8):
        assert resumed(resumed_optimizer) == reference(optimizer)
    assert resumed_optimizer.param_groups[0]["lr"] == 1e-5
