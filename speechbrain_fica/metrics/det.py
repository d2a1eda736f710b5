"""DET curves and the equal error rate (EER) of countermeasure scores.

The definitions follow the official ASVspoof scoring semantics, written
from their mathematical description (not from the official code): bona
fide and spoof scores are concatenated (bona fide first) and sorted with a
*stable* sort, so within a group of tied scores bona fide trials come
first. Operating point ``k`` (``k = 0..N``) rejects exactly the ``k``
lowest trials of that order, giving ``N + 1`` points, including points
inside tie groups. The EER is ``(FRR + FAR) / 2`` at the first point
minimising ``|FRR - FAR|`` (no interpolation); it is returned as a
fraction (multiply by 100 for %).

Scores are "higher = more bona fide" everywhere; labels are 1 = bona fide,
0 = spoof. All computations are vectorised numpy in float64. The helpers
that work on already checked float64 vectors (:func:`raw_det_curve`,
:func:`eer_from_det`, :func:`det_corners`) are shared with the t-DCF,
breakdown and plotting modules.

Authors
 * speechbrain-fica contributors 2026
"""

import warnings

import numpy as np
import torch  # noqa: F401  (doctests)

# Fewer distinct CM scores than this are hard decisions, not soft scores.
MIN_DISTINCT_CM_SCORES = 3
# The negated-score check only runs for EERs from this value on.
_NEGATED_CHECK_MIN_EER = 0.45
# Offset below the lowest score for the "accept everything" DET point.
_FIRST_THRESHOLD_OFFSET = 0.001
_BONAFIDE_CLASS = "bona fide"
_SPOOF_CLASS = "spoof"


# ---------------------------------------------------------------------------
# Input conversion and validation
# ---------------------------------------------------------------------------


def as_float64(values, name):
    """Flattens list / numpy / torch input into a float64 numpy vector.

    Missing values (``None``) are an error of their own: numpy would
    turn them into NaN, reported as if a model had produced NaN scores.

    Example
    -------
    >>> as_float64([1, 2.5], "scores")
    array([1. , 2.5])
    >>> as_float64([1.0, None, None], "scores")
    Traceback (most recent call last):
      ...
    ValueError: scores has 2 missing value(s) (None) out of 3
    """
    if hasattr(values, "detach"):  # torch tensor (GPU, half precision...)
        values = values.detach().cpu().double().numpy()
    try:
        array = np.asarray(values)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from error
    if array.dtype == object:
        n_missing = sum(value is None for value in array.reshape(-1))
        if n_missing:
            raise ValueError(
                f"{name} has {n_missing} missing value(s) (None) out of "
                f"{array.size}"
            )
    try:
        array = array.astype(np.float64, copy=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from error
    return array.reshape(-1)


def as_bonafide_mask(labels, n_expected):
    """Converts labels to a boolean 'is bona fide' vector, checking values."""
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu()
        if labels.is_floating_point():  # bfloat16 has no numpy dtype
            labels = labels.double()
        labels = labels.numpy()
    array = np.asarray(labels).reshape(-1)
    if array.size != n_expected:
        raise ValueError(
            f"got {array.size} labels for {n_expected} scores (must match)"
        )
    if array.size and not np.isin(array, (0, 1)).all():
        bad = array[~np.isin(array, (0, 1))][0]
        raise ValueError(
            f"labels must be 1 (bona fide) or 0 (spoof), got {bad!r}"
        )
    return array.astype(bool)


def describe_non_finite(scores, class_name):
    """Error text for NaN/inf scores of one class, or None if all finite."""
    n_nan = int(np.count_nonzero(np.isnan(scores)))
    n_inf = int(np.count_nonzero(np.isinf(scores)))
    if n_nan == 0 and n_inf == 0:
        return None
    return (
        f"{class_name} scores contain {n_nan} NaN and {n_inf} infinite "
        f"value(s) (out of {scores.size})"
    )


def check_finite_and_non_empty(bonafide, spoof, kind="CM"):
    """Raises ValueError for an empty class or non-finite scores."""
    problems = []
    for scores, class_name in (
        (bonafide, _BONAFIDE_CLASS),
        (spoof, _SPOOF_CLASS),
    ):
        if scores.size == 0:
            problems.append(f"no {class_name} scores were given")
        else:
            message = describe_non_finite(scores, class_name)
            if message is not None:
                problems.append(message)
    if problems:
        raise ValueError(f"Invalid {kind} scores: " + "; ".join(problems))


def count_distinct_sorted(sorted_scores):
    """Number of distinct values of an already sorted vector."""
    if sorted_scores.size == 0:
        return 0
    return 1 + int(np.count_nonzero(np.diff(sorted_scores)))


def _check_distinct(thresholds):
    """Raises ValueError when the CM gave hard decisions, not soft scores."""
    n_distinct = count_distinct_sorted(thresholds[1:])
    if n_distinct < MIN_DISTINCT_CM_SCORES:
        raise ValueError(
            f"CM scores have only {n_distinct} distinct value(s); at least "
            f"{MIN_DISTINCT_CM_SCORES} are needed (soft scores, not binary "
            "decisions)"
        )


def warn_if_negated_scores_better(bonafide, spoof, eer, stacklevel=3):
    """Warns when negating all scores would give a lower EER.

    Negating the scores mirrors the DET curve, so for tie-free scores the
    EER of the negated scores is (up to the choice among equally good
    points) ``1 - EER``: it can only be lower when the EER is about 50 %
    or more. The negated EER (one more sort) is therefore only computed
    when ``EER >= 0.45``; the margin covers ties, which break the mirror
    symmetry slightly.
    """
    if not eer >= _NEGATED_CHECK_MIN_EER:
        return
    negated_eer = eer_from_det(*raw_det_curve(-bonafide, -spoof))[0]
    if negated_eer < eer:
        warnings.warn(
            f"EER is {100 * eer:.2f} % but the negated scores give "
            f"{100 * negated_eer:.2f} %: the labels may be swapped or the "
            "scores may be 'higher = spoof' (expected: higher = bona fide)",
            UserWarning,
            stacklevel=stacklevel,
        )


def validate_cm_scores(bonafide_scores, spoof_scores, check_direction=True):
    """Converts and checks CM scores as all metric entry points do.

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide trials (list, numpy array or torch tensor;
        flattened).
    spoof_scores : array_like
        Scores of the spoof trials.
    check_direction : bool
        If True, warn (``UserWarning``) when the negated scores would give
        a lower EER than the scores as given (swapped labels, or scores
        where higher means spoof). Only computed when the EER is at least
        45 %, since well below 50 % negation cannot help.

    Returns
    -------
    bonafide : numpy.ndarray
        Bona fide scores, float64, 1-D.
    spoof : numpy.ndarray
        Spoof scores, float64, 1-D.

    Raises
    ------
    ValueError
        An empty class, NaN or infinite scores (with counts per class), or
        fewer than 3 distinct scores.

    Example
    -------
    >>> bonafide, spoof = validate_cm_scores([1, 2, 3], [0.5, -1.0])
    >>> bonafide.dtype, spoof.shape
    (dtype('float64'), (2,))
    >>> validate_cm_scores([1.0, float("nan")], [0.0])
    Traceback (most recent call last):
      ...
    ValueError: Invalid CM scores: bona fide scores contain 1 NaN and 0 infinite value(s) (out of 2)
    """
    bonafide, spoof, _ = validated_det_curve(
        bonafide_scores, spoof_scores, check_direction
    )
    return bonafide, spoof


def validated_det_curve(bonafide_scores, spoof_scores, check_direction=True):
    """Converts and validates CM scores; returns them and their DET curve.

    The negated-score warning is attributed to the caller of the public
    entry point that called this helper.
    """
    bonafide = as_float64(bonafide_scores, "bonafide_scores")
    spoof = as_float64(spoof_scores, "spoof_scores")
    check_finite_and_non_empty(bonafide, spoof)
    det = raw_det_curve(bonafide, spoof)
    _check_distinct(det[2])
    if check_direction:
        eer = eer_from_det(*det)[0]
        warn_if_negated_scores_better(bonafide, spoof, eer, stacklevel=4)
    return bonafide, spoof, det


# ---------------------------------------------------------------------------
# DET curve and EER
# ---------------------------------------------------------------------------


def raw_det_curve(bonafide, spoof):
    """DET curve of validated float64 vectors (see compute_det_curve)."""
    n_bonafide = bonafide.size
    n_spoof = spoof.size
    n_trials = n_bonafide + n_spoof
    all_scores = np.concatenate((bonafide, spoof))
    # Stable sort: tied scores keep the input order, bona fide first.
    order = np.argsort(all_scores, kind="stable")
    # Positions below n_bonafide in the concatenation are bona fide.
    bonafide_rejected = np.cumsum(order < n_bonafide)
    trials_rejected = np.arange(1, n_trials + 1)
    spoof_accepted = n_spoof - (trials_rejected - bonafide_rejected)

    frr = np.empty(n_trials + 1, dtype=np.float64)
    far = np.empty(n_trials + 1, dtype=np.float64)
    thresholds = np.empty(n_trials + 1, dtype=np.float64)
    frr[0] = 0.0
    far[0] = 1.0
    frr[1:] = bonafide_rejected / n_bonafide
    far[1:] = spoof_accepted / n_spoof
    thresholds[1:] = all_scores[order]
    thresholds[0] = thresholds[1] - _FIRST_THRESHOLD_OFFSET
    return frr, far, thresholds


def eer_from_det(frr, far, thresholds):
    """EER at the first minimum of ``|frr - far|``, and its threshold."""
    index = int(np.argmin(np.abs(frr - far)))
    eer = (frr[index] + far[index]) / 2
    return float(eer), float(thresholds[index])


def compute_det_curve(bonafide_scores, spoof_scores):
    """Official-style DET curve: one operating point per trial.

    With ``N = Nb + Ns`` trials sorted by a stable sort of
    ``concat(bonafide, spoof)``, point ``k`` (``k = 0..N``) rejects exactly
    the ``k`` lowest trials (tie groups are split in that order, bona fide
    first). ``thresholds = [min - 0.001, sorted scores...]``.

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide (target) trials; higher = more bona fide.
    spoof_scores : array_like
        Scores of the spoof trials.

    Returns
    -------
    frr : numpy.ndarray
        False rejection (bona fide miss) rate per point, ``N + 1`` values
        from 0 to 1.
    far : numpy.ndarray
        False acceptance (spoof accepted) rate per point, from 1 to 0.
    thresholds : numpy.ndarray
        Score of the last rejected trial per point (the first point uses
        the lowest score minus 0.001).

    Example
    -------
    >>> frr, far, thresholds = compute_det_curve([2.0, 3.0, 4.0], [1.0, 2.0])
    >>> frr.tolist()
    [0.0, 0.0, 0.3333333333333333, 0.3333333333333333, 0.6666666666666666, 1.0]
    >>> far.tolist()
    [1.0, 0.5, 0.5, 0.0, 0.0, 0.0]
    >>> thresholds.tolist()
    [0.999, 1.0, 2.0, 2.0, 3.0, 4.0]
    """
    return validated_det_curve(bonafide_scores, spoof_scores)[2]


def compute_eer(bonafide_scores, spoof_scores):
    """Equal error rate with the official (stable sort, no interpolation) rule.

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide trials (list, numpy or torch); higher =
        more bona fide.
    spoof_scores : array_like
        Scores of the spoof trials; NaN or infinite scores are an error.

    Returns
    -------
    eer : float
        The EER as a fraction (``(FRR + FAR) / 2`` at the first DET point
        minimising ``|FRR - FAR|``).
    threshold : float
        The threshold of that DET point (a score value, or the lowest
        score minus 0.001).

    Example
    -------
    >>> compute_eer([2.0, 3.0, 4.0], [1.0, 2.0])
    (0.41666666666666663, 2.0)
    >>> compute_eer([0.6, 0.7, 0.8, 0.5], [0.4, 0.3, 0.2, 0.1])
    (0.0, 0.4)
    """
    return eer_from_det(*validated_det_curve(bonafide_scores, spoof_scores)[2])


def det_points(bonafide_scores, spoof_scores):
    """Miss and false-alarm probabilities to draw a DET curve.

    The DET curve of :func:`compute_det_curve` is a staircase; only its
    corners (plus both ends) are returned, which draws the identical
    curve with far fewer points. The probit (normal deviate) axes are
    applied by the plotting code (:mod:`speechbrain_fica.metrics.plots`).

    Arguments
    ---------
    bonafide_scores : array_like
        Scores of the bona fide trials (the miss axis); higher = more
        bona fide.
    spoof_scores : array_like
        Scores of the spoof trials (the false-alarm axis).

    Returns
    -------
    miss : numpy.ndarray
        Probability of rejecting a bona fide trial (FRR), increasing.
    false_alarm : numpy.ndarray
        Probability of accepting a spoof trial (FAR), decreasing.

    Example
    -------
    >>> miss, false_alarm = det_points([2.0, 3.0, 4.0], [1.0, 2.0])
    >>> miss.tolist()
    [0.0, 0.0, 0.3333333333333333, 0.3333333333333333, 1.0]
    >>> false_alarm.tolist()
    [1.0, 0.5, 0.5, 0.0, 0.0]
    """
    frr, far, _ = validated_det_curve(bonafide_scores, spoof_scores)[2]
    return det_corners(frr, far)


def det_corners(frr, far):
    """Corners (and ends) of the DET staircase."""
    # Step k moves along FRR if trial k is bona fide, along FAR otherwise;
    # a point is a corner when the step direction changes there.
    frr_steps = np.diff(frr) > 0
    is_corner = np.ones(frr.size, dtype=bool)
    is_corner[1:-1] = frr_steps[:-1] != frr_steps[1:]
    return frr[is_corner], far[is_corner]
