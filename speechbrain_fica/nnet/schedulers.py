"""Learning-rate schedules of the paper's and the official AASIST setups.

Authors
 * speechbrain-fica contributors 2026
"""

import math

from speechbrain.utils import checkpoints


class StepDecayScheduler:
    """Epoch-level step decay: the rate is multiplied by ``factor`` every
    ``every`` epochs.

    The rate of (1-based) epoch ``e`` is
    ``initial_value * factor ** ((e - 1) // every)``: with the FICA paper's
    setting (3e-4, halved every 10 epochs) epochs 1-10 use 3e-4 and epochs
    11-20 use 1.5e-4. Used like SpeechBrain's epoch schedulers: called at
    the end of an epoch, it returns the old and the next rate. Stateless,
    so a resumed run continues on the same schedule.

    Arguments
    ---------
    initial_value : float
        Rate of the first epoch.
    factor : float
        Multiplier applied every ``every`` epochs.
    every : int
        Epochs between two decays.

    Example
    -------
    >>> schedule = StepDecayScheduler(3e-4, factor=0.5, every=10)
    >>> schedule(current_epoch=9)
    (0.0003, 0.0003)
    >>> schedule(current_epoch=10)
    (0.0003, 0.00015)
    """

    def __init__(self, initial_value, factor=0.5, every=10):
        self.initial_value = initial_value
        self.factor = factor
        self.every = every

    def value(self, epoch):
        """The rate used during (1-based) ``epoch``.

        Arguments
        ---------
        epoch : int
            Epoch number.

        Returns
        -------
        float
            The learning rate.
        """
        return self.initial_value * self.factor ** ((epoch - 1) // self.every)

    def __call__(self, current_epoch):
        """Rates of the finished epoch and of the next one.

        Arguments
        ---------
        current_epoch : int
            The epoch that just ended.

        Returns
        -------
        tuple of float
            ``(old_rate, new_rate)``.
        """
        return self.value(current_epoch), self.value(current_epoch + 1)


@checkpoints.register_checkpoint_hooks
class CosineStepScheduler:
    """Per-step cosine decay of the official AASIST training.

    ``lr = base * (m + (1 - m) * (1 + cos(pi * step / total_steps)) / 2)``
    with ``m = min_value / base``, so the rate goes from ``base`` to
    ``min_value`` over ``total_steps`` optimiser steps (and stays there).
    The step count is saved in checkpoints.

    Arguments
    ---------
    base_value : float
        Initial rate.
    min_value : float
        Final rate.
    total_steps : int
        Steps of the whole training (epochs x steps per epoch).

    Example
    -------
    >>> import torch
    >>> optimizer = torch.optim.Adam([torch.nn.Parameter(torch.ones(1))])
    >>> schedule = CosineStepScheduler(1e-4, 5e-6, total_steps=4)
    >>> [round(schedule(optimizer)[1], 8) for _ in range(5)]
    [8.609e-05, 5.25e-05, 1.891e-05, 5e-06, 5e-06]
    """

    def __init__(self, base_value, min_value, total_steps):
        self.base_value = base_value
        self.min_value = min_value
        self.total_steps = total_steps
        self.n_steps = 0

    def value(self, step):
        """Rate after ``step`` optimiser steps.

        Arguments
        ---------
        step : int
            Optimiser steps taken so far (0 before the first one).

        Returns
        -------
        float
            The learning rate, ``min_value`` from ``total_steps`` on.
        """
        progress = min(step, self.total_steps) / self.total_steps
        cosine = 0.5 * (1.0 + math.cos(math.pi * progress))
        return self.min_value + (self.base_value - self.min_value) * cosine

    def __call__(self, optimizer):
        """Counts one step and sets the optimiser's rate accordingly.

        Arguments
        ---------
        optimizer : torch.optim.Optimizer
            The optimiser to update.

        Returns
        -------
        tuple of float
            ``(old_rate, new_rate)``.
        """
        old = self.value(self.n_steps)
        self.n_steps += 1
        new = self.value(self.n_steps)
        for group in optimizer.param_groups:
            group["lr"] = new
        return old, new

    @checkpoints.mark_as_saver
    def _save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            f.write(str(self.n_steps))

    @checkpoints.mark_as_loader
    def _load(self, path, end_of_epoch=False):
        del end_of_epoch  # the step count is exact at any checkpoint
        with open(path, encoding="utf-8") as f:
            self.n_steps = int(f.read())
