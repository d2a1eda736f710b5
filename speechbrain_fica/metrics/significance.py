"""Bootstrap confidence intervals for the EER and the min t-DCF.

Two questions are answered here:

* **How precise is a system's EER?** :func:`bootstrap_eer_ci` resamples
  the trials of one score set and gives a percentile interval.
* **Is system A better than system B?** :func:`paired_bootstrap` compares
  systems that were scored on the same trials, each trained with the same
  seeds, against one reference system (e.g. the baseline of an ablation).

What is resampled
-----------------
A bootstrap replicate draws, with replacement, as many bona fide trials as
there are (from the bona fide trials) and as many spoof trials as there
are (from the spoof trials), and, with replacement, as many seeds as there
are. The replicate statistic is the mean over the drawn seeds of the
metric of the drawn trials. The trial draw is **stratified by class** so
that every replicate has both classes in their original numbers: the EER
needs both, and a plain draw would also vary the class balance, which is
fixed by the protocol rather than random. The draw is **paired**: in one
replicate every system and every seed sees the same trials, and the
systems see the same seeds, so the difference of two systems is not
blurred by trial or seed variation that they share. Drawing seeds as well
as trials makes the interval cover training randomness too (with 3 seeds
that part is coarse; it is still better than ignoring it).

How it is computed
------------------
Drawing ``n`` trials with replacement is the same as giving every trial an
integer weight (how often it was drawn; the weights follow a multinomial
law), and the metric of the drawn trials is the metric of the trials
repeated by their weights. :func:`weighted_eer` computes that exactly
from one sort of the original scores: the cumulative weights in score
order give the DET curve of the repeated trials at every trial boundary,
and the EER crossing inside a run of copies is found by integer
arithmetic. So one sort per system and seed serves every replicate, and
each replicate costs a few vectorised passes over the trials. The result
equals :func:`~speechbrain_fica.metrics.det.compute_eer` of the explicitly
repeated scores. The min t-DCF is linear along a run of copies, so its
minimum over the repeated trials is reached at a trial boundary
(:func:`weighted_min_tdcf`). The t-DCF coefficients (from the ASV scores)
are held fixed: the interval is for the CM given the ASV system.

The interval is the percentile interval of the replicate statistics;
``p_better`` is the fraction of replicates in which a system's metric is
lower than the reference's (ties count one half, so identical systems
give 0.5).

Authors
 * speechbrain-fica contributors 2026
"""

from dataclasses import dataclass

import numpy as np

from speechbrain_fica.metrics.det import (
    as_bonafide_mask,
    as_float64,
    compute_eer,
    validate_cm_scores,
)
from speechbrain_fica.metrics.tdcf import min_tdcf_2021

# Replicates of one chunk times trials: bounds the memory of a chunk (a
# few int64 / float64 arrays of this many elements).
_CHUNK_ELEMENTS = 1 << 21


# ---------------------------------------------------------------------------
# Metrics of weighted (repeated) trials
# ---------------------------------------------------------------------------


def _as_weights(weights, n_trials, name):
    """Checks integer weights ``[n]`` or ``[B, n]``; returns ``[B, n]``."""
    array = np.asarray(weights)
    if array.ndim not in (1, 2) or array.shape[-1] != n_trials:
        raise ValueError(
            f"{name} must have shape [{n_trials}] or [replicates, "
            f"{n_trials}], got {list(array.shape)}"
        )
    if not np.issubdtype(array.dtype, np.integer):
        if not np.array_equal(array, np.round(array)):
            raise ValueError(f"{name} must be whole numbers (counts)")
    array = array.astype(np.int64)
    if array.size and array.min() < 0:
        raise ValueError(f"{name} must not be negative")
    return array.reshape(-1, n_trials)


class _SortedTrials:
    """The trials of one score set in DET order, for weighted metrics.

    The order is that of :func:`~speechbrain_fica.metrics.det.raw_det_curve`:
    a stable sort of ``concat(bonafide, spoof)``, so tied trials keep bona
    fide first.
    """

    def __init__(self, bonafide, spoof):
        self.n_bonafide = bonafide.size
        order = np.argsort(np.concatenate((bonafide, spoof)), kind="stable")
        self.order = order
        self.is_bonafide = order < self.n_bonafide

    def cumulative(self, bonafide_weights, spoof_weights):
        """Rejected bona fide and spoof weight after each sorted trial."""
        weights = np.concatenate((bonafide_weights, spoof_weights), axis=1)
        # np.take keeps the rows contiguous (fancy indexing may not), which
        # makes the cumulative sums along them several times faster.
        weights = np.take(weights, self.order, axis=1)
        rejected_bonafide = np.cumsum(weights * self.is_bonafide, axis=1)
        rejected_spoof = np.cumsum(weights, axis=1)
        rejected_spoof -= rejected_bonafide
        return rejected_bonafide, rejected_spoof

    def eer(self, rejected_bonafide, rejected_spoof):
        """EER of each replicate from the cumulative weights."""
        rows = np.arange(rejected_bonafide.shape[0])
        total_bonafide = rejected_bonafide[:, -1]
        total_spoof = rejected_spoof[:, -1]
        # FRR - FAR at each trial boundary, times (bona fide x spoof
        # weight): exact integers, increasing along the curve.
        balance = rejected_bonafide * total_spoof[:, None]
        balance -= (total_spoof[:, None] - rejected_spoof) * total_bonafide[
            :, None
        ]
        # The first trial after which FRR >= FAR; the crossing is inside
        # its run of copies (it has a positive weight).
        crossing = np.count_nonzero(balance < 0, axis=1)
        previous = np.maximum(crossing - 1, 0)
        has_previous = crossing > 0
        before_bonafide = np.where(
            has_previous, rejected_bonafide[rows, previous], 0
        )
        before_spoof = np.where(has_previous, rejected_spoof[rows, previous], 0)
        before_balance = (
            before_bonafide * total_spoof
            - (total_spoof - before_spoof) * total_bonafide
        )
        is_bonafide = self.is_bonafide[crossing]
        # Each copy moves the balance by the other class's total weight.
        step = np.where(is_bonafide, total_spoof, total_bonafide)
        copies = (-before_balance + step - 1) // step
        # Point "after": the first point with FRR >= FAR; "before": the one
        # just before it. The EER point is whichever has the smaller
        # |FRR - FAR| (the earlier one on a tie), as in eer_from_det.
        after_bonafide = before_bonafide + copies * is_bonafide
        after_spoof = before_spoof + copies * ~is_bonafide
        frr_after = after_bonafide / total_bonafide
        far_after = (total_spoof - after_spoof) / total_spoof
        frr_before = (after_bonafide - is_bonafide) / total_bonafide
        far_before = (total_spoof - after_spoof + ~is_bonafide) / total_spoof
        use_before = np.abs(frr_before - far_before) <= np.abs(
            frr_after - far_after
        )
        return np.where(
            use_before,
            (frr_before + far_before) / 2,
            (frr_after + far_after) / 2,
        )

    @staticmethod
    def min_tdcf(rejected_bonafide, rejected_spoof, c0, c1, c2):
        """Min normalised t-DCF of each replicate (DET points + point 0)."""
        total_bonafide = rejected_bonafide[:, -1:]
        total_spoof = rejected_spoof[:, -1:]
        frr = rejected_bonafide / total_bonafide
        far = (total_spoof - rejected_spoof) / total_spoof
        normaliser = c0 + min(c1, c2)
        cost = (c0 + c1 * frr + c2 * far) / normaliser
        accept_all = (c0 + c1 * 0.0 + c2 * 1.0) / normaliser
        return np.minimum(cost.min(axis=1), accept_all)


def _check_tdcf_coefficients(coefficients):
    """``(c0, c1, c2)`` as floats; non-negative with a positive normaliser."""
    c0, c1, c2 = (float(value) for value in coefficients)
    if min(c0, c1, c2) < 0 or not np.isfinite([c0, c1, c2]).all():
        raise ValueError(
            f"t-DCF coefficients must be finite and non-negative, got "
            f"C0={c0!r}, C1={c1!r}, C2={c2!r}"
        )
    if c0 + min(c1, c2) == 0:
        raise ValueError("t-DCF normaliser C0 + min(C1, C2) is zero")
    return c0, c1, c2


def _weighted_inputs(bonafide_scores, spoof_scores, bonafide_w, spoof_w):
    """Validated scores and ``[B, n]`` weights with both classes present."""
    bonafide, spoof = validate_cm_scores(
        bonafide_scores, spoof_scores, check_direction=False
    )
    single = np.ndim(bonafide_w) == 1 and np.ndim(spoof_w) == 1
    bonafide_w = _as_weights(bonafide_w, bonafide.size, "bonafide_weights")
    spoof_w = _as_weights(spoof_w, spoof.size, "spoof_weights")
    if bonafide_w.shape[0] != spoof_w.shape[0]:
        raise ValueError(
            f"got {bonafide_w.shape[0]} bona fide and {spoof_w.shape[0]} "
            "spoof weight vectors (must match)"
        )
    if (bonafide_w.sum(axis=1) == 0).any() or (spoof_w.sum(axis=1) == 0).any():
        raise ValueError("every replicate needs a positive weight per class")
    return bonafide, spoof, bonafide_w, spoof_w, single


def weighted_eer(
    bonafide_scores, spoof_scores, bonafide_weights, spoof_weights
):
    """EER of trials repeated by integer weights, without repeating them.

    The result equals :func:`~speechbrain_fica.metrics.det.compute_eer` of
    ``np.repeat(bonafide_scores, bonafide_weights)`` and
    ``np.repeat(spoof_scores, spoof_weights)`` (same DET points, same
    first-minimum rule, same floating-point operations), computed from one
    sort of the scores; with ``[B, n]`` weights, for ``B`` weightings at
    once (e.g. bootstrap replicates).

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide trials; higher = more bona fide.
    spoof_scores : array_like
        Scores of the spoof trials.
    bonafide_weights : array_like
        Non-negative integer weight of each bona fide trial, ``[n_bonafide]``
        or ``[B, n_bonafide]``; each weighting needs a positive total.
    spoof_weights : array_like
        Weights of the spoof trials, ``[n_spoof]`` or ``[B, n_spoof]``.

    Returns
    -------
    float or numpy.ndarray
        The EER (fraction), or ``[B]`` EERs for 2-D weights.

    Example
    -------
    >>> weighted_eer([2.0, 3.0, 4.0], [1.0, 2.0], [1, 1, 1], [1, 1])
    0.41666666666666663
    >>> weighted_eer([2.0, 3.0, 4.0], [1.0, 2.0], [[1, 2, 1]], [[2, 1]])
    array([0.29166667])
    >>> compute_eer([2.0, 3.0, 3.0, 4.0], [1.0, 1.0, 2.0])[0]
    0.29166666666666663
    """
    bonafide, spoof, bonafide_w, spoof_w, single = _weighted_inputs(
        bonafide_scores, spoof_scores, bonafide_weights, spoof_weights
    )
    trials = _SortedTrials(bonafide, spoof)
    eers = trials.eer(*trials.cumulative(bonafide_w, spoof_w))
    return float(eers[0]) if single else eers


def weighted_min_tdcf(
    bonafide_scores,
    spoof_scores,
    bonafide_weights,
    spoof_weights,
    c1,
    c2,
    c0=0.0,
):
    """Min normalised t-DCF of trials repeated by integer weights.

    ``(c0 + c1 Pmiss_cm + c2 Pfa_cm) / (c0 + min(c1, c2))`` minimised over
    the DET points of the repeated trials; ``c0 = 0`` is the legacy 2019
    t-DCF (:func:`~speechbrain_fica.metrics.tdcf.min_tdcf_2019`), a
    positive ``c0`` the revised 2021 one. Along a run of copies of one
    trial the cost is linear, so its minimum is at a trial boundary or at
    the "accept everything" point: the result equals the min t-DCF of the
    explicitly repeated scores.

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide trials; higher = more bona fide.
    spoof_scores : array_like
        Scores of the spoof trials.
    bonafide_weights : array_like
        Integer weights, ``[n_bonafide]`` or ``[B, n_bonafide]``.
    spoof_weights : array_like
        Integer weights, ``[n_spoof]`` or ``[B, n_spoof]``.
    c1 : float
        Weight of the CM miss rate.
    c2 : float
        Weight of the CM false alarm rate.
    c0 : float
        Constant term (0 for the 2019 t-DCF).

    Returns
    -------
    float or numpy.ndarray
        The min t-DCF, or ``[B]`` values for 2-D weights.

    Example
    -------
    >>> weighted_min_tdcf(
    ...     [2.0, 3.0, 4.0], [1.0, 2.0], [1, 1, 1], [1, 1], c1=1.0, c2=0.5
    ... )
    0.5
    """
    bonafide, spoof, bonafide_w, spoof_w, single = _weighted_inputs(
        bonafide_scores, spoof_scores, bonafide_weights, spoof_weights
    )
    c0, c1, c2 = _check_tdcf_coefficients((c0, c1, c2))
    trials = _SortedTrials(bonafide, spoof)
    values = trials.min_tdcf(
        *trials.cumulative(bonafide_w, spoof_w), c0, c1, c2
    )
    return float(values[0]) if single else values


# ---------------------------------------------------------------------------
# Resampling
# ---------------------------------------------------------------------------


def resampling_counts(n_items, n_replicates, rng):
    """How often each item is drawn in resamplings with replacement.

    Each replicate draws ``n_items`` items uniformly with replacement; the
    counts of a replicate follow a multinomial law and sum to ``n_items``.

    Arguments
    ---------
    n_items : int
        Number of items (trials of one class, or seeds).
    n_replicates : int
        Number of resamplings.
    rng : numpy.random.Generator
        The random generator.

    Returns
    -------
    numpy.ndarray
        ``[n_replicates, n_items]`` int64 counts.

    Example
    -------
    >>> counts = resampling_counts(4, 3, np.random.default_rng(0))
    >>> counts.shape, counts.sum(axis=1).tolist()
    ((3, 4), [4, 4, 4])
    """
    draws = rng.integers(0, n_items, size=(n_replicates, n_items))
    draws += (np.arange(n_replicates) * n_items)[:, None]
    counts = np.bincount(draws.ravel(), minlength=n_replicates * n_items)
    return counts.reshape(n_replicates, n_items).astype(np.int64)


@dataclass(frozen=True)
class BootstrapInterval:
    """A point estimate with its bootstrap percentile interval.

    Arguments
    ---------
    estimate : float
        The statistic on the original data (no resampling).
    low : float
        Lower percentile of the replicates (2.5 % for 95 %).
    high : float
        Upper percentile of the replicates.
    confidence : float
        Coverage of ``[low, high]``, e.g. 0.95.
    n_replicates : int
        Number of bootstrap replicates.
    p_better : float
        For a difference ``system - reference``: the fraction of
        replicates where it is negative (the system has the lower, i.e.
        better, metric), ties counting one half. NaN for a single system.

    Example
    -------
    >>> BootstrapInterval(0.02, 0.01, 0.03, 0.95, 1000).contains(0.0)
    False
    """

    estimate: float
    low: float
    high: float
    confidence: float
    n_replicates: int
    p_better: float = float("nan")

    def contains(self, value):
        """Whether ``low <= value <= high``."""
        return bool(self.low <= value <= self.high)


def _interval(estimate, replicates, confidence, difference):
    """BootstrapInterval from the replicate statistics."""
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(replicates, [tail, 100 - tail])
    p_better = float("nan")
    if difference:
        p_better = float(
            np.mean(replicates < 0) + 0.5 * np.mean(replicates == 0)
        )
    return BootstrapInterval(
        estimate=float(estimate),
        low=float(low),
        high=float(high),
        confidence=float(confidence),
        n_replicates=int(len(replicates)),
        p_better=p_better,
    )


def _check_confidence(confidence):
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")


def _as_system_scores(scores, n_trials, name):
    """``[seeds, trials]`` float64 scores of one system, checked."""
    shape = np.shape(scores)
    if len(shape) not in (1, 2) or shape[-1] != n_trials:
        raise ValueError(
            f"{name} must have shape [{n_trials}] or [seeds, {n_trials}], "
            f"got {list(shape)}"
        )
    return as_float64(scores, name).reshape(-1, n_trials)


def bootstrap_replicates(
    scores,
    is_bonafide,
    n_replicates=1000,
    seed=0,
    tdcf_coefficients=None,
):
    """Bootstrap replicates of the mean-over-seeds EER (and min t-DCF).

    Every system is given as ``[seeds, trials]`` scores on the same trials
    (same order) and the same seeds (same order). Each replicate draws
    trials (stratified by class) and seeds with replacement; the same
    draws are used for every system (paired). See the module docstring.

    Arguments
    ---------
    scores : dict
        System name -> ``[n_seeds, n_trials]`` (or ``[n_trials]`` for one
        seed) CM scores; higher = more bona fide.
    is_bonafide : array_like
        ``[n_trials]`` labels, 1 = bona fide, 0 = spoof.
    n_replicates : int
        Number of bootstrap replicates.
    seed : int
        Seed of the resampling (same seed, same replicates).
    tdcf_coefficients : tuple of float, optional
        ``(c0, c1, c2)`` of the min t-DCF (``c0 = 0`` for the 2019
        t-DCF); without it only the EER is computed.

    Returns
    -------
    estimates : dict
        System -> metric (``"EER"``, ``"min_tDCF"``) -> ``[n_seeds]``
        values on the original data (EER as a fraction).
    replicates : dict
        System -> metric -> ``[n_replicates]`` mean over the drawn seeds.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> labels = np.repeat([1, 0], [50, 150])
    >>> good = rng.normal(size=(2, 200)) + 2 * labels
    >>> estimates, replicates = bootstrap_replicates(
    ...     {"good": good}, labels, n_replicates=200
    ... )
    >>> estimates["good"]["EER"].shape, replicates["good"]["EER"].shape
    ((2,), (200,))
    """
    if int(n_replicates) < 1:
        raise ValueError(f"n_replicates must be positive, got {n_replicates}")
    labels = np.asarray(is_bonafide).reshape(-1)
    mask = as_bonafide_mask(labels, labels.size)
    n_trials = mask.size
    systems = {
        name: _as_system_scores(values, n_trials, f"scores of {name!r}")
        for name, values in scores.items()
    }
    if not systems:
        raise ValueError("no systems were given")
    n_seeds = {array.shape[0] for array in systems.values()}
    if len(n_seeds) != 1:
        raise ValueError(
            "every system needs the same number of seeds, got "
            + ", ".join(f"{k}: {v.shape[0]}" for k, v in systems.items())
        )
    n_seeds = n_seeds.pop()
    coefficients = None
    if tdcf_coefficients is not None:
        coefficients = _check_tdcf_coefficients(tdcf_coefficients)
    metrics = ["EER"] + (["min_tDCF"] if coefficients else [])

    sorted_trials = {}
    estimates = {}
    for name, array in systems.items():
        estimates[name] = {metric: np.empty(n_seeds) for metric in metrics}
        sorted_trials[name] = []
        for s, seed_scores in enumerate(array):
            bonafide, spoof = seed_scores[mask], seed_scores[~mask]
            estimates[name]["EER"][s] = compute_eer(bonafide, spoof)[0]
            if coefficients:
                c0, c1, c2 = coefficients
                estimates[name]["min_tDCF"][s] = min_tdcf_2021(
                    bonafide, spoof, c0=c0, c1=c1, c2=c2
                )[0]
            sorted_trials[name].append(_SortedTrials(bonafide, spoof))

    n_bonafide = int(mask.sum())
    n_spoof = n_trials - n_bonafide
    trial_rng, seed_rng = (
        np.random.default_rng(child)
        for child in np.random.SeedSequence(seed).spawn(2)
    )
    seed_counts = resampling_counts(n_seeds, n_replicates, seed_rng)
    per_seed = {
        name: {m: np.empty((n_replicates, n_seeds)) for m in metrics}
        for name in systems
    }
    chunk = max(1, _CHUNK_ELEMENTS // n_trials)
    for start in range(0, n_replicates, chunk):
        size = min(chunk, n_replicates - start)
        bonafide_w = resampling_counts(n_bonafide, size, trial_rng)
        spoof_w = resampling_counts(n_spoof, size, trial_rng)
        for name in systems:
            for s, trials in enumerate(sorted_trials[name]):
                cumulative = trials.cumulative(bonafide_w, spoof_w)
                rows = slice(start, start + size)
                per_seed[name]["EER"][rows, s] = trials.eer(*cumulative)
                if coefficients:
                    per_seed[name]["min_tDCF"][rows, s] = trials.min_tdcf(
                        *cumulative, *coefficients
                    )
    replicates = {
        name: {
            metric: (values * seed_counts).sum(axis=1) / n_seeds
            for metric, values in per_seed[name].items()
        }
        for name in systems
    }
    return estimates, replicates


def bootstrap_eer_ci(
    bonafide_scores,
    spoof_scores,
    n_replicates=1000,
    confidence=0.95,
    seed=0,
):
    """Bootstrap percentile interval of one system's EER.

    The bona fide and the spoof trials are each resampled with replacement
    (stratified by class, see the module docstring).

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide trials; higher = more bona fide.
    spoof_scores : array_like
        Scores of the spoof trials.
    n_replicates : int
        Number of bootstrap replicates.
    confidence : float
        Coverage of the interval (0.95: the 2.5 and 97.5 percentiles).
    seed : int
        Seed of the resampling.

    Returns
    -------
    BootstrapInterval
        EER (fraction) on the given trials and its interval.

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> bonafide, spoof = rng.normal(2, 1, 300), rng.normal(0, 1, 900)
    >>> ci = bootstrap_eer_ci(bonafide, spoof, n_replicates=500)
    >>> ci.low < ci.estimate < ci.high
    True
    >>> ci.estimate == compute_eer(bonafide, spoof)[0]
    True
    """
    _check_confidence(confidence)
    bonafide, spoof = validate_cm_scores(bonafide_scores, spoof_scores)
    scores = np.concatenate((bonafide, spoof))
    labels = np.repeat([1, 0], [bonafide.size, spoof.size])
    estimates, replicates = bootstrap_replicates(
        {"system": scores}, labels, n_replicates, seed
    )
    return _interval(
        estimates["system"]["EER"][0],
        replicates["system"]["EER"],
        confidence,
        difference=False,
    )


def paired_bootstrap(
    scores,
    is_bonafide,
    reference,
    n_replicates=1000,
    confidence=0.95,
    seed=0,
    tdcf_coefficients=None,
):
    """Paired bootstrap of systems against a reference system.

    For each system, the difference ``mean_seeds(metric(system)) -
    mean_seeds(metric(reference))`` with its percentile interval and
    ``p_better``, and each system's own mean with its interval. Trials
    (stratified by class) and seeds are resampled with replacement, the
    same draws for every system (see the module docstring).

    Arguments
    ---------
    scores : dict
        System name -> ``[n_seeds, n_trials]`` scores; all systems on the
        same trials (same order) and seeds (same order: seed ``s`` of a
        system is paired with seed ``s`` of the reference).
    is_bonafide : array_like
        ``[n_trials]`` labels, 1 = bona fide, 0 = spoof.
    reference : str
        The system the others are compared with (a key of ``scores``).
    n_replicates : int
        Number of bootstrap replicates.
    confidence : float
        Coverage of the intervals.
    seed : int
        Seed of the resampling.
    tdcf_coefficients : tuple of float, optional
        ``(c0, c1, c2)``: also compare the min t-DCF (held-fixed ASV
        operating point).

    Returns
    -------
    dict
        System -> metric (``"EER"`` as a fraction, ``"min_tDCF"``) ->
        ``{"mean": BootstrapInterval, "difference": BootstrapInterval}``
        (no ``"difference"`` for the reference itself).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> labels = np.repeat([1, 0], [100, 300])
    >>> noise = rng.normal(size=(3, 400))
    >>> result = paired_bootstrap(
    ...     {"base": noise + labels, "better": noise + 3 * labels},
    ...     labels,
    ...     reference="base",
    ...     n_replicates=300,
    ... )
    >>> difference = result["better"]["EER"]["difference"]
    >>> difference.high < 0, difference.p_better
    (True, 1.0)
    """
    _check_confidence(confidence)
    if reference not in scores:
        raise ValueError(
            f"reference system {reference!r} is not among the systems "
            f"{sorted(scores)}"
        )
    estimates, replicates = bootstrap_replicates(
        scores, is_bonafide, n_replicates, seed, tdcf_coefficients
    )
    results = {}
    for name in scores:
        results[name] = {}
        for metric, values in replicates[name].items():
            entry = {
                "mean": _interval(
                    estimates[name][metric].mean(),
                    values,
                    confidence,
                    difference=False,
                )
            }
            if name != reference:
                entry["difference"] = _interval(
                    np.mean(
                        estimates[name][metric] - estimates[reference][metric]
                    ),
                    values - replicates[reference][metric],
                    confidence,
                    difference=True,
                )
            results[name][metric] = entry
    return results
