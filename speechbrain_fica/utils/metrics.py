"""Spoofing countermeasure (CM) metrics: EER, DET curves and min t-DCF.

The definitions follow the official ASVspoof scoring semantics, written
from their mathematical description (not from the official code):

* **DET curve / EER.** Bona fide and spoof scores are concatenated (bona
  fide first) and sorted with a *stable* sort, so within a group of tied
  scores bona fide trials come first. Operating point ``k`` (``k = 0..N``)
  rejects exactly the ``k`` lowest trials of that order, giving ``N + 1``
  points, including points inside tie groups. The EER is
  ``(FRR + FAR) / 2`` at the first point minimising ``|FRR - FAR|`` (no
  interpolation); it is returned as a fraction (multiply by 100 for %).
* **ASV operating point.** The ASV threshold is the EER threshold of the
  ASV target vs non-target scores; a trial is accepted when its ASV score
  is ``>=`` that threshold.
* **t-DCF.** The legacy ASVspoof 2019 min t-DCF
  (``(C1 Pmiss_cm + C2 Pfa_cm) / min(C1, C2)``) and the revised ASVspoof
  2021 min t-DCF (``(C0 + C1 Pmiss_cm + C2 Pfa_cm) / (C0 + min(C1, C2))``,
  Kinnunen et al., IEEE/ACM TASLP 2020), both minimised over the DET
  points above.

Scores are "higher = more bona fide" everywhere; labels are 1 = bona fide,
0 = spoof. All computations are vectorised numpy in float64.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip
import io
import os
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import torch  # noqa: F401  (doctests)
from speechbrain.utils.metric_stats import MetricStats

# Cost models of the official ASVspoof evaluations (priors sum to one:
# Ptar = 0.95 * 0.99, Pnon = 0.95 * 0.01).
COST_MODEL_2019 = {
    "Pspoof": 0.05,
    "Ptar": 0.9405,
    "Pnon": 0.0095,
    "Cmiss_asv": 1,
    "Cfa_asv": 10,
    "Cmiss_cm": 1,
    "Cfa_cm": 10,
}
COST_MODEL_2021 = {
    "Pspoof": 0.05,
    "Ptar": 0.9405,
    "Pnon": 0.0095,
    "Cmiss": 1,
    "Cfa": 10,
    "Cfa_spoof": 10,
}

# Fewer distinct CM scores than this are hard decisions, not soft scores.
MIN_DISTINCT_CM_SCORES = 3
# Label of the breakdown row / column over all attacks or conditions.
POOLED = "Pooled"
# The negated-score check only runs for EERs from this value on.
_NEGATED_CHECK_MIN_EER = 0.45
# Offset below the lowest score for the "accept everything" DET point.
_FIRST_THRESHOLD_OFFSET = 0.001
_PRIOR_SUM_TOLERANCE = 1e-10
_BONAFIDE_CLASS = "bona fide"
_SPOOF_CLASS = "spoof"


# ---------------------------------------------------------------------------
# Input conversion and validation
# ---------------------------------------------------------------------------


def _to_float64(values, name):
    """Flattens list / numpy / torch input into a float64 numpy vector."""
    if hasattr(values, "detach"):  # torch tensor (GPU, half precision...)
        values = values.detach().cpu().double().numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from error
    return array.reshape(-1)


def finite_or_none(value):
    """A metric for a JSON file: a float, or None when it is missing or
    not finite (standard JSON has no NaN or infinity).

    Arguments
    ---------
    value : float or None
        The metric, e.g. a min t-DCF that is NaN without ASV information.

    Returns
    -------
    float or None
        ``float(value)``, or None.

    Example
    -------
    >>> finite_or_none(np.float64(0.25)), finite_or_none(float("nan"))
    (0.25, None)
    """
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def _describe_non_finite(scores, class_name):
    """Error text for NaN/inf scores of one class, or None if all finite."""
    n_nan = int(np.count_nonzero(np.isnan(scores)))
    n_inf = int(np.count_nonzero(np.isinf(scores)))
    if n_nan == 0 and n_inf == 0:
        return None
    return (
        f"{class_name} scores contain {n_nan} NaN and {n_inf} infinite "
        f"value(s) (out of {scores.size})"
    )


def _check_finite_and_non_empty(bonafide, spoof, kind="CM"):
    """Raises ValueError for an empty class or non-finite scores."""
    problems = []
    for scores, class_name in (
        (bonafide, _BONAFIDE_CLASS),
        (spoof, _SPOOF_CLASS),
    ):
        if scores.size == 0:
            problems.append(f"no {class_name} scores were given")
        else:
            message = _describe_non_finite(scores, class_name)
            if message is not None:
                problems.append(message)
    if problems:
        raise ValueError(f"Invalid {kind} scores: " + "; ".join(problems))


def _count_distinct_sorted(sorted_scores):
    """Number of distinct values of an already sorted vector."""
    if sorted_scores.size == 0:
        return 0
    return 1 + int(np.count_nonzero(np.diff(sorted_scores)))


def _check_distinct(thresholds):
    """Raises ValueError when the CM gave hard decisions, not soft scores."""
    n_distinct = _count_distinct_sorted(thresholds[1:])
    if n_distinct < MIN_DISTINCT_CM_SCORES:
        raise ValueError(
            f"CM scores have only {n_distinct} distinct value(s); at least "
            f"{MIN_DISTINCT_CM_SCORES} are needed (soft scores, not binary "
            "decisions)"
        )


def _warn_if_negated_scores_better(bonafide, spoof, eer, stacklevel=3):
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
    negated_eer = _eer_from_det(*_det_curve(-bonafide, -spoof))[0]
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
    bonafide, spoof, _ = _validated_det(
        bonafide_scores, spoof_scores, check_direction
    )
    return bonafide, spoof


def _validated_det(bonafide_scores, spoof_scores, check_direction=True):
    """Converts and validates CM scores; returns them and their DET curve.

    The negated-score warning is attributed to the caller of the public
    entry point that called this helper.
    """
    bonafide = _to_float64(bonafide_scores, "bonafide_scores")
    spoof = _to_float64(spoof_scores, "spoof_scores")
    _check_finite_and_non_empty(bonafide, spoof)
    det = _det_curve(bonafide, spoof)
    _check_distinct(det[2])
    if check_direction:
        eer = _eer_from_det(*det)[0]
        _warn_if_negated_scores_better(bonafide, spoof, eer, stacklevel=4)
    return bonafide, spoof, det


# ---------------------------------------------------------------------------
# DET curve and EER
# ---------------------------------------------------------------------------


def _det_curve(bonafide, spoof):
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


def _eer_from_det(frr, far, thresholds):
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
    return _validated_det(bonafide_scores, spoof_scores)[2]


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
    return _eer_from_det(*_validated_det(bonafide_scores, spoof_scores)[2])


def det_points(bonafide_scores, spoof_scores):
    """Miss and false-alarm probabilities to draw a DET curve.

    The DET curve of :func:`compute_det_curve` is a staircase; only its
    corners (plus both ends) are returned, which draws the identical
    curve with far fewer points. The probit (normal deviate) axes are
    applied by the plotting code (``speechbrain_fica.utils.plots``).

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
    frr, far, _ = _validated_det(bonafide_scores, spoof_scores)[2]
    return _det_corners(frr, far)


def _det_corners(frr, far):
    """Corners (and ends) of the DET staircase."""
    # Step k moves along FRR if trial k is bona fide, along FAR otherwise;
    # a point is a corner when the step direction changes there.
    frr_steps = np.diff(frr) > 0
    is_corner = np.ones(frr.size, dtype=bool)
    is_corner[1:-1] = frr_steps[:-1] != frr_steps[1:]
    return frr[is_corner], far[is_corner]


# ---------------------------------------------------------------------------
# ASV scores and operating point
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AsvOperatingPoint:
    """Error rates of an ASV system at its EER threshold.

    Arguments
    ---------
    threshold : float
        ASV threshold (the EER threshold of target vs non-target scores);
        a trial is accepted when its score is ``>=`` the threshold.
    eer : float
        ASV EER (fraction) of target vs non-target trials.
    pfa : float
        ``Pfa_asv``: fraction of non-target trials accepted.
    pmiss : float
        ``Pmiss_asv``: fraction of target trials rejected.
    pmiss_spoof : float
        ``Pmiss_spoof_asv``: fraction of spoof trials rejected (NaN when
        no spoof ASV scores were given).
    pfa_spoof : float
        ``Pfa_spoof_asv``: fraction of spoof trials accepted (NaN when no
        spoof ASV scores were given).

    Example
    -------
    >>> point = asv_operating_point([3.0, 4.0, 5.0], [0.0, 1.0, 3.5], [2.0])
    >>> point.threshold, point.pmiss, point.pfa, point.pfa_spoof
    (3.0, 0.0, 0.3333333333333333, 0.0)
    """

    threshold: float
    eer: float
    pfa: float
    pmiss: float
    pmiss_spoof: float
    pfa_spoof: float


def _operating_point(target, nontarget, spoof):
    """ASV operating point of validated float64 vectors (spoof may be None)."""
    eer, threshold = _eer_from_det(*_det_curve(target, nontarget))
    if spoof is None or spoof.size == 0:
        pmiss_spoof = pfa_spoof = float("nan")
    else:
        pmiss_spoof = float(np.mean(spoof < threshold))
        pfa_spoof = float(np.mean(spoof >= threshold))
    return AsvOperatingPoint(
        threshold=threshold,
        eer=eer,
        pfa=float(np.mean(nontarget >= threshold)),
        pmiss=float(np.mean(target < threshold)),
        pmiss_spoof=pmiss_spoof,
        pfa_spoof=pfa_spoof,
    )


def asv_operating_point(target, nontarget, spoof=None):
    """ASV error rates at the official ASV threshold.

    The threshold is the EER threshold (see :func:`compute_eer`) of the
    target vs non-target ASV scores. Then ``Pfa = mean(nontarget >= thr)``,
    ``Pmiss = mean(target < thr)``, ``Pmiss_spoof = mean(spoof < thr)``
    and ``Pfa_spoof = mean(spoof >= thr)``.

    Arguments
    ---------
    target : array_like
        ASV scores of target (genuine, same speaker) trials.
    nontarget : array_like
        ASV scores of non-target (zero-effort impostor) trials.
    spoof : array_like, optional
        ASV scores of spoof trials. Without them ``pmiss_spoof`` and
        ``pfa_spoof`` are NaN.

    Returns
    -------
    AsvOperatingPoint
        Threshold, EER and the four error rates.

    Example
    -------
    >>> point = asv_operating_point(
    ...     [3.0, 4.0, 5.0], [0.0, 1.0, 3.5], [2.0, 4.5]
    ... )
    >>> point.pmiss_spoof, point.pfa_spoof
    (0.5, 0.5)
    """
    target = _to_float64(target, "target")
    nontarget = _to_float64(nontarget, "nontarget")
    problems = []
    for scores, name in ((target, "target"), (nontarget, "nontarget")):
        if scores.size == 0:
            problems.append(f"no {name} scores were given")
        elif _describe_non_finite(scores, name) is not None:
            problems.append(_describe_non_finite(scores, name))
    if spoof is not None:
        spoof = _to_float64(spoof, "spoof")
        if _describe_non_finite(spoof, "spoof") is not None:
            problems.append(_describe_non_finite(spoof, "spoof"))
    if problems:
        raise ValueError("Invalid ASV scores: " + "; ".join(problems))
    return _operating_point(target, nontarget, spoof)


@dataclass(frozen=True, eq=False)
class AsvScores:
    """ASV scores of the three trial types, as in the ASVspoof 2019 files.

    Arguments
    ---------
    target : numpy.ndarray
        Scores of target trials (float64).
    nontarget : numpy.ndarray
        Scores of non-target trials (float64).
    spoof : numpy.ndarray
        Scores of spoof trials (float64).
    spoof_attacks : numpy.ndarray
        Attack id (the ``SOURCE`` column) of each spoof trial, aligned with
        ``spoof``.
    source : str
        Where the scores came from (file path), for messages.

    Example
    -------
    >>> scores = AsvScores(
    ...     target=np.array([3.0, 4.0, 5.0]),
    ...     nontarget=np.array([0.0, 1.0, 3.5]),
    ...     spoof=np.array([2.0, 4.5]),
    ...     spoof_attacks=np.array(["A01", "A02"]),
    ... )
    >>> scores.operating_point().pfa_spoof
    0.5
    >>> scores.operating_point("A02").pfa_spoof
    1.0
    """

    target: np.ndarray
    nontarget: np.ndarray
    spoof: np.ndarray
    spoof_attacks: np.ndarray
    source: str = "<memory>"

    @property
    def attacks(self):
        """Sorted list of the attack ids with spoof ASV scores."""
        return sorted(set(self.spoof_attacks.tolist()))

    @cached_property
    def _pooled_operating_point(self):
        """Operating point with all spoof scores, computed once."""
        return asv_operating_point(self.target, self.nontarget, self.spoof)

    def operating_point(self, attack=None):
        """ASV operating point, optionally with the spoof trials of one attack.

        Arguments
        ---------
        attack : str, optional
            Attack id; if given, ``pmiss_spoof`` / ``pfa_spoof`` use only
            the spoof trials of that attack (the threshold, from target
            and non-target trials, is unchanged).

        Returns
        -------
        AsvOperatingPoint
            The operating point.
        """
        pooled = self._pooled_operating_point
        if attack is None:
            return pooled
        attack_spoof = self.spoof[self.spoof_attacks == attack]
        if attack_spoof.size == 0:
            raise ValueError(
                f"no spoof ASV scores for attack {attack!r} in {self.source}"
            )
        return AsvOperatingPoint(
            threshold=pooled.threshold,
            eer=pooled.eer,
            pfa=pooled.pfa,
            pmiss=pooled.pmiss,
            pmiss_spoof=float(np.mean(attack_spoof < pooled.threshold)),
            pfa_spoof=float(np.mean(attack_spoof >= pooled.threshold)),
        )


def _open_text(path):
    """Opens a text file for reading, transparently for ``.gz`` files."""
    if str(path).endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")


_ASV_KEYS = ("target", "nontarget", "spoof")


def read_asv_scores_2019(path):
    """Reads an official ASVspoof 2019 ASV score file.

    Each line is ``SOURCE KEY SCORE`` with ``SOURCE`` = ``bonafide`` or an
    attack id and ``KEY`` = ``target``, ``nontarget`` or ``spoof`` (e.g.
    ``ASVspoof2019.LA.asv.eval.gi.trl.scores.txt``). Gzipped files
    (``.gz``) are read transparently; blank lines are skipped.

    Arguments
    ---------
    path : str
        The ASV score file (plain text or ``.gz``).

    Returns
    -------
    AsvScores
        The target, non-target and spoof scores (float64) and the attack id
        of each spoof trial.

    Raises
    ------
    ValueError
        A malformed line (wrong column count, unknown key, bad number),
        naming the file and the line number.

    Example
    -------
    >>> path = getfixture("tmpdir").join("asv.txt.gz").strpath
    >>> with gzip.open(path, "wt") as stream:
    ...     _ = stream.write(
    ...         "bonafide target 3.0\\nbonafide target 4.0\\n"
    ...         "bonafide nontarget 0.5\\nbonafide nontarget 3.5\\n"
    ...         "A01 spoof 2.0\\nA02 spoof 4.5\\n"
    ...     )
    >>> scores = read_asv_scores_2019(path)
    >>> scores.target.tolist(), scores.spoof_attacks.tolist()
    ([3.0, 4.0], ['A01', 'A02'])
    """
    values = {key: [] for key in _ASV_KEYS}
    spoof_attacks = []
    with _open_text(path) as stream:
        for line_number, line in enumerate(stream, start=1):
            fields = line.split()
            if not fields:
                continue
            where = f"{path}, line {line_number}"
            if len(fields) != 3:
                raise ValueError(
                    f"{where}: expected 3 columns 'SOURCE KEY SCORE', got "
                    f"{len(fields)}: {line.rstrip()!r}"
                )
            source, key, score_text = fields
            if key not in values:
                raise ValueError(
                    f"{where}: unknown key {key!r} (expected one of "
                    f"{', '.join(_ASV_KEYS)}): {line.rstrip()!r}"
                )
            try:
                score = float(score_text)
            except ValueError:
                raise ValueError(
                    f"{where}: score {score_text!r} is not a number"
                ) from None
            values[key].append(score)
            if key == "spoof":
                spoof_attacks.append(source)
    return AsvScores(
        target=np.asarray(values["target"], dtype=np.float64),
        nontarget=np.asarray(values["nontarget"], dtype=np.float64),
        spoof=np.asarray(values["spoof"], dtype=np.float64),
        spoof_attacks=np.asarray(spoof_attacks, dtype=str),
        source=str(path),
    )


# ---------------------------------------------------------------------------
# t-DCF
# ---------------------------------------------------------------------------


def _check_cost_model(cost_model, required):
    """Checks keys, non-negative costs and priors summing to one."""
    missing = [key for key in required if key not in cost_model]
    if missing:
        raise ValueError(f"cost model lacks {', '.join(missing)}")
    negative = [key for key in required if cost_model[key] < 0]
    if negative:
        raise ValueError(
            "cost model values must be non-negative; negative: "
            + ", ".join(f"{key}={cost_model[key]}" for key in negative)
        )
    prior_sum = cost_model["Ptar"] + cost_model["Pnon"] + cost_model["Pspoof"]
    if abs(prior_sum - 1) > _PRIOR_SUM_TOLERANCE:
        raise ValueError(
            f"priors Ptar + Pnon + Pspoof must sum to 1, got {prior_sum!r}"
        )


def _as_operating_point(asv):
    """Accepts AsvScores or AsvOperatingPoint; returns the operating point."""
    if isinstance(asv, AsvOperatingPoint):
        return asv
    if isinstance(asv, AsvScores):
        return asv.operating_point()
    raise TypeError(
        "asv must be AsvScores (read_asv_scores_2019) or AsvOperatingPoint, "
        f"got {type(asv).__name__}"
    )


def _check_coefficients(**coefficients):
    """Raises ValueError for non-finite or negative t-DCF coefficients."""
    for name, value in coefficients.items():
        if not np.isfinite(value):
            raise ValueError(f"t-DCF coefficient {name} is {value!r}")
        if value < 0:
            raise ValueError(
                f"t-DCF coefficient {name} = {value!r} is negative: the ASV "
                "error rates are too high for this cost model"
            )


def tdcf_2019_coefficients(operating_point, cost_model=COST_MODEL_2019):
    """C1 and C2 of the legacy ASVspoof 2019 t-DCF.

    ``C1 = Ptar (Cmiss_cm - Cmiss_asv Pmiss_asv) - Pnon Cfa_asv Pfa_asv``
    and ``C2 = Cfa_cm Pspoof (1 - Pmiss_spoof_asv)``.

    Arguments
    ---------
    operating_point : AsvOperatingPoint or AsvScores
        ASV error rates (with spoof trials).
    cost_model : dict
        Keys ``Pspoof, Ptar, Pnon, Cmiss_asv, Cfa_asv, Cmiss_cm, Cfa_cm``
        (default: the official 2019 values).

    Returns
    -------
    C1 : float
        Weight of the CM miss rate (bona fide trials rejected).
    C2 : float
        Weight of the CM false alarm rate (spoof trials accepted).

    Raises
    ------
    ValueError
        Priors not summing to one, negative costs, no Pmiss_spoof_asv, or
        a negative C1 / C2.

    Example
    -------
    >>> point = AsvOperatingPoint(0.0, 0.02, 0.02, 0.02, 0.25, 0.75)
    >>> c1, c2 = tdcf_2019_coefficients(point)
    >>> round(c1, 6), round(c2, 6)
    (0.91979, 0.375)
    """
    _check_cost_model(
        cost_model,
        (
            "Pspoof",
            "Ptar",
            "Pnon",
            "Cmiss_asv",
            "Cfa_asv",
            "Cmiss_cm",
            "Cfa_cm",
        ),
    )
    point = _as_operating_point(operating_point)
    if np.isnan(point.pmiss_spoof):
        raise ValueError(
            "the ASV operating point has no spoof error rate (Pmiss_spoof_asv)"
        )
    c1 = cost_model["Ptar"] * (
        cost_model["Cmiss_cm"] - cost_model["Cmiss_asv"] * point.pmiss
    ) - (cost_model["Pnon"] * cost_model["Cfa_asv"] * point.pfa)
    c2 = cost_model["Cfa_cm"] * cost_model["Pspoof"] * (1 - point.pmiss_spoof)
    _check_coefficients(C1=c1, C2=c2)
    return float(c1), float(c2)


def _c012_2021(point, cost_model):
    """C0, C1, C2 of the revised t-DCF, without sign checks."""
    c0 = (
        cost_model["Ptar"] * cost_model["Cmiss"] * point.pmiss
        + cost_model["Pnon"] * cost_model["Cfa"] * point.pfa
    )
    c1 = cost_model["Ptar"] * cost_model["Cmiss"] - c0
    c2 = cost_model["Pspoof"] * cost_model["Cfa_spoof"] * point.pfa_spoof
    return float(c0), float(c1), float(c2)


def tdcf_2021_coefficients(operating_point, cost_model=COST_MODEL_2021):
    """C0, C1 and C2 of the revised (ASVspoof 2021) t-DCF.

    ``C0 = Ptar Cmiss Pmiss_asv + Pnon Cfa Pfa_asv``,
    ``C1 = Ptar Cmiss - C0`` and ``C2 = Pspoof Cfa_spoof Pfa_spoof_asv``.

    Arguments
    ---------
    operating_point : AsvOperatingPoint or AsvScores
        ASV error rates (with spoof trials).
    cost_model : dict
        Keys ``Pspoof, Ptar, Pnon, Cmiss, Cfa, Cfa_spoof`` (default: the
        official 2021 values).

    Returns
    -------
    C0 : float
        Constant term (ASV errors on bona fide trials).
    C1 : float
        Weight of the CM miss rate; ``C1 + C0`` is ``Ptar Cmiss``.
    C2 : float
        Weight of the CM false alarm rate, through the spoof trials that
        the ASV accepts.

    Raises
    ------
    ValueError
        Priors not summing to one, negative costs, no Pfa_spoof_asv, or a
        negative coefficient.

    Example
    -------
    >>> point = AsvOperatingPoint(0.0, 0.02, 0.02, 0.02, 0.25, 0.75)
    >>> c0, c1, c2 = tdcf_2021_coefficients(point)
    >>> round(c0, 6), round(c1, 6), round(c2, 6)
    (0.02071, 0.91979, 0.375)
    """
    _check_cost_model(
        cost_model, ("Pspoof", "Ptar", "Pnon", "Cmiss", "Cfa", "Cfa_spoof")
    )
    point = _as_operating_point(operating_point)
    if np.isnan(point.pfa_spoof):
        raise ValueError(
            "the ASV operating point has no spoof error rate (Pfa_spoof_asv)"
        )
    c0, c1, c2 = _c012_2021(point, cost_model)
    _check_coefficients(C0=c0, C1=c1, C2=c2)
    return c0, c1, c2


def _min_tdcf(frr, far, thresholds, c0, c1, c2):
    """min over DET points of (c0 + c1 frr + c2 far) / (c0 + min(c1, c2))."""
    normalised = (c0 + c1 * frr + c2 * far) / (c0 + min(c1, c2))
    index = int(np.argmin(normalised))
    return float(normalised[index]), float(thresholds[index])


def _resolve_coefficients(asv, given, from_asv, function_name):
    """Coefficients from ``asv`` or from the explicitly given values."""
    names = list(given)
    n_given = sum(value is not None for value in given.values())
    if asv is not None and n_given:
        raise ValueError(
            f"{function_name}: give either asv or {'/'.join(names)}, not both"
        )
    if asv is not None:
        return from_asv(_as_operating_point(asv))
    if n_given != len(names):
        raise ValueError(
            f"{function_name}: either asv (ASV scores or operating point) "
            f"or all of {', '.join(names)} must be given"
        )
    values = tuple(float(value) for value in given.values())
    _check_coefficients(**dict(zip(names, values)))
    return values


def min_tdcf_2019(bonafide_scores, spoof_scores, asv=None, c1=None, c2=None):
    """Minimum normalised legacy (ASVspoof 2019) t-DCF.

    ``tDCF(k) = (C1 Pmiss_cm(k) + C2 Pfa_cm(k)) / min(C1, C2)`` over all
    DET points of :func:`compute_det_curve` (including the first one).

    Arguments
    ---------
    bonafide_scores : array_like
        CM scores of the bona fide trials; higher = more bona fide.
    spoof_scores : array_like
        CM scores of the spoof trials (of all attacks, or of one attack
        for a per-attack value).
    asv : AsvScores or AsvOperatingPoint, optional
        ASV scores (:func:`read_asv_scores_2019`) or their operating
        point, from which C1 and C2 are computed with ``COST_MODEL_2019``.
    c1 : float, optional
        C1 (:func:`tdcf_2019_coefficients`), when ``asv`` is not given.
    c2 : float, optional
        C2, when ``asv`` is not given; ``min(C1, C2)`` must be positive.

    Returns
    -------
    min_tdcf : float
        The minimum normalised legacy t-DCF (0 for a perfect CM).
    threshold : float
        The CM threshold where the minimum is reached (first minimum).

    Example
    -------
    >>> min_tdcf_2019([2.0, 3.0, 4.0], [1.0, 2.0], c1=1.0, c2=0.5)
    (0.5, 1.0)
    """
    c1, c2 = _resolve_coefficients(
        asv,
        {"C1": c1, "C2": c2},
        tdcf_2019_coefficients,
        "min_tdcf_2019",
    )
    if min(c1, c2) == 0:
        raise ValueError("t-DCF normaliser min(C1, C2) is zero")
    det = _validated_det(bonafide_scores, spoof_scores)[2]
    return _min_tdcf(*det, 0.0, c1, c2)


def min_tdcf_2021(
    bonafide_scores, spoof_scores, asv=None, c0=None, c1=None, c2=None
):
    """Minimum normalised revised (ASVspoof 2021) t-DCF.

    ``tDCF(k) = (C0 + C1 Pmiss_cm(k) + C2 Pfa_cm(k)) / (C0 + min(C1, C2))``
    over all DET points of :func:`compute_det_curve`. An error-free CM
    reaches the floor ``C0 / (C0 + min(C1, C2))``.

    Arguments
    ---------
    bonafide_scores : array_like
        CM scores of the bona fide trials; higher = more bona fide.
    spoof_scores : array_like
        CM scores of the spoof trials (e.g. of one attack and codec, as
        in the 2021 breakdown tables).
    asv : AsvScores or AsvOperatingPoint, optional
        ASV scores or operating point, from which C0, C1 and C2 are
        computed with ``COST_MODEL_2021``.
    c0 : float, optional
        C0, when ``asv`` is not given (e.g. from a published C012 table).
    c1 : float, optional
        C1, when ``asv`` is not given.
    c2 : float, optional
        C2, when ``asv`` is not given.

    Returns
    -------
    min_tdcf : float
        The minimum normalised revised t-DCF (at least the floor above).
    threshold : float
        The CM threshold where the minimum is reached (first minimum).

    Example
    -------
    >>> value, threshold = min_tdcf_2021(
    ...     [2.0, 3.0, 4.0], [1.0, 2.0], c0=0.1, c1=1.0, c2=0.5
    ... )
    >>> round(value, 12), threshold
    (0.583333333333, 1.0)
    """
    c0, c1, c2 = _resolve_coefficients(
        asv,
        {"C0": c0, "C1": c1, "C2": c2},
        tdcf_2021_coefficients,
        "min_tdcf_2021",
    )
    if c0 + min(c1, c2) == 0:
        raise ValueError("t-DCF normaliser C0 + min(C1, C2) is zero")
    det = _validated_det(bonafide_scores, spoof_scores)[2]
    return _min_tdcf(*det, c0, c1, c2)


# ---------------------------------------------------------------------------
# Breakdown per attack
# ---------------------------------------------------------------------------


def _to_labels(labels, n_expected):
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


def per_attack_metrics(scores, labels, attacks, asv=None, tdcf="2019"):
    """EER (and min t-DCF) of each spoof attack against all bona fide trials.

    Per-attack rows use all bona fide trials and the spoof trials of that
    attack; the ``Pooled`` row uses all trials. With ``asv`` as
    :class:`AsvScores`, an attack's t-DCF uses that attack's spoof ASV
    scores (``Pmiss_spoof_asv`` / ``Pfa_spoof_asv``) if the ASV file has
    rows for it, otherwise all spoof ASV scores (reported in the column
    ``asv_spoof``); the ASV threshold is always the pooled one. With an
    :class:`AsvOperatingPoint`, that point is used for every row.
    Individual attacks may legitimately have EERs above 50 %, so the
    negated-score warning only concerns the pooled row.

    Arguments
    ---------
    scores : array_like
        CM scores of all trials; higher = more bona fide.
    labels : array_like
        1 = bona fide, 0 = spoof, aligned with ``scores``.
    attacks : sequence of str
        Attack id per trial (ignored for bona fide trials).
    asv : AsvScores or AsvOperatingPoint, optional
        When given, a ``min_tDCF`` column is added.
    tdcf : str
        ``"2019"`` (legacy, default) or ``"2021"`` (revised) t-DCF.

    Returns
    -------
    pandas.DataFrame
        Index ``attack`` (sorted attack ids, then ``Pooled``); columns
        ``n_bonafide``, ``n_spoof``, ``EER`` (in %), ``EER_threshold`` and,
        with ``asv``, ``min_tDCF``, ``min_tDCF_threshold``, ``asv_spoof``.

    Example
    -------
    >>> table = per_attack_metrics(
    ...     [2.0, 3.0, 4.0, 1.0, 2.5, 3.5],
    ...     [1, 1, 1, 0, 0, 0],
    ...     ["-", "-", "-", "A01", "A01", "A02"],
    ... )
    >>> table["EER"].round(4).tolist()
    [41.6667, 83.3333, 33.3333]
    >>> table.index.tolist()
    ['A01', 'A02', 'Pooled']
    """
    if tdcf not in ("2019", "2021"):
        raise ValueError(f"tdcf must be '2019' or '2021', got {tdcf!r}")
    scores = _to_float64(scores, "scores")
    is_bonafide = _to_labels(labels, scores.size)
    attacks = np.asarray(attacks, dtype=str).reshape(-1)
    if attacks.size != scores.size:
        raise ValueError(
            f"got {attacks.size} attack ids for {scores.size} scores"
        )
    bonafide = scores[is_bonafide]
    spoof = scores[~is_bonafide]
    validate_cm_scores(bonafide, spoof)
    spoof_attacks = attacks[~is_bonafide]

    rows = {}
    for attack in sorted(set(spoof_attacks.tolist())) + [POOLED]:
        if attack == POOLED:
            attack_spoof = spoof
        else:
            attack_spoof = spoof[spoof_attacks == attack]
        det = _det_curve(bonafide, attack_spoof)
        eer, eer_threshold = _eer_from_det(*det)
        row = {
            "n_bonafide": int(bonafide.size),
            "n_spoof": int(attack_spoof.size),
            "EER": 100 * eer,
            "EER_threshold": eer_threshold,
        }
        if asv is not None:
            point, asv_spoof = _attack_operating_point(asv, attack)
            if tdcf == "2019":
                c1, c2 = tdcf_2019_coefficients(point)
                c0 = 0.0
            else:
                c0, c1, c2 = tdcf_2021_coefficients(point)
            value, threshold = _min_tdcf(*det, c0, c1, c2)
            row.update(
                min_tDCF=value,
                min_tDCF_threshold=threshold,
                asv_spoof=asv_spoof,
            )
        rows[attack] = row
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "attack"
    return table


def _attack_operating_point(asv, attack):
    """ASV operating point for one attack row and which spoofs it used."""
    if isinstance(asv, AsvScores):
        if attack != POOLED and attack in set(asv.spoof_attacks.tolist()):
            return asv.operating_point(attack), attack
        return asv.operating_point(), POOLED
    return _as_operating_point(asv), POOLED


# ---------------------------------------------------------------------------
# SpeechBrain MetricStats
# ---------------------------------------------------------------------------


class SpoofMetricStats(MetricStats):
    """Accumulates CM scores over batches and computes EER / min t-DCF.

    Use it like SpeechBrain's ``BinaryMetricStats``: call :meth:`append`
    for every batch, then :meth:`summarize` at the end of the stage.
    When a class is missing or there are fewer than 3 distinct scores
    (e.g. a 2-batch debug run), ``summarize`` warns and returns NaN for
    the metrics instead of failing; NaN/inf scores still raise.

    Arguments
    ---------
    asv : AsvScores, AsvOperatingPoint or str, optional
        ASV scores for the t-DCF (a path is read with
        :func:`read_asv_scores_2019`). Without it only the EER is reported.
    tdcf : str
        ``"2019"`` (legacy, as AASIST reports) or ``"2021"`` (revised).

    Example
    -------
    >>> stats = SpoofMetricStats()
    >>> stats.append(
    ...     ["u1", "u2"], torch.tensor([2.0, -1.0]), torch.tensor([1, 0])
    ... )
    >>> stats.append(
    ...     ["u3", "u4"], torch.tensor([[0.5], [1.5]]), [0, 1], ["A01", "-"]
    ... )
    >>> stats.summarize()
    {'EER': 0.0, 'EER_threshold': 0.5, 'n_bonafide': 2, 'n_spoof': 2}
    >>> stats.summarize("EER")
    0.0
    """

    def __init__(self, asv=None, tdcf="2019"):
        if tdcf not in ("2019", "2021"):
            raise ValueError(f"tdcf must be '2019' or '2021', got {tdcf!r}")
        if isinstance(asv, (str, os.PathLike)):
            asv = read_asv_scores_2019(asv)
        self.asv = asv
        self.tdcf = tdcf
        super().__init__(metric=None)

    def clear(self):
        """Removes all stored trials and the last summary."""
        self.ids = []
        self.scores = []
        self.labels = []
        self.attacks = []
        self.summary = {}
        self._seen_ids = set()
        self._attacks_given = False

    def append(self, ids, scores, labels, attacks=None):
        """Stores the CM scores of one batch.

        Arguments
        ---------
        ids : list of str
            Utterance ids (must be unique over all appended batches).
        scores : torch.Tensor or array_like
            CM scores, ``[B]`` or ``[B, 1]``; higher = more bona fide.
        labels : torch.Tensor or array_like
            1 = bona fide, 0 = spoof, ``[B]`` or ``[B, 1]``.
        attacks : list of str, optional
            Attack id per utterance (``-`` is used when not given).
        """
        ids = [str(utt_id) for utt_id in ids]
        batch_scores = _to_float64(scores, "scores")
        if batch_scores.size != len(ids):
            raise ValueError(
                f"got {batch_scores.size} scores for {len(ids)} ids"
            )
        batch_labels = _to_labels(labels, len(ids))
        if attacks is None:
            attacks = ["-"] * len(ids)
        else:
            self._attacks_given = True
        attacks = [str(attack) for attack in attacks]
        if len(attacks) != len(ids):
            raise ValueError(f"got {len(attacks)} attacks for {len(ids)} ids")
        batch_seen = set()
        for utt_id in ids:
            if utt_id in self._seen_ids or utt_id in batch_seen:
                raise ValueError(f"duplicate utterance id {utt_id!r}")
            batch_seen.add(utt_id)
        self._seen_ids.update(batch_seen)
        self.ids.extend(ids)
        self.scores.append(batch_scores)
        self.labels.append(batch_labels)
        self.attacks.extend(attacks)

    def _arrays(self):
        """All stored scores and labels as flat numpy arrays."""
        if not self.scores:
            return np.zeros(0), np.zeros(0, dtype=bool)
        return np.concatenate(self.scores), np.concatenate(self.labels)

    def arrays(self):
        """The stored trials as numpy arrays, in append order.

        Returns
        -------
        scores : numpy.ndarray
            CM scores, float64.
        labels : numpy.ndarray
            1 = bona fide, 0 = spoof (int64).
        attacks : numpy.ndarray or None
            Attack id per trial (``-`` where not given), or None when no
            batch came with attack ids.

        Example
        -------
        >>> stats = SpoofMetricStats()
        >>> stats.append(["a", "b"], [0.25, -1.5], [1, 0])
        >>> scores, labels, attacks = stats.arrays()
        >>> scores.tolist(), labels.tolist(), attacks
        ([0.25, -1.5], [1, 0], None)
        """
        scores, is_bonafide = self._arrays()
        attacks = None
        if self._attacks_given:
            attacks = np.asarray(self.attacks, dtype=str)
        return scores, is_bonafide.astype(np.int64), attacks

    def summarize(self, field=None):
        """Computes EER (in %), its threshold and, with ASV, the min t-DCF.

        Arguments
        ---------
        field : str, optional
            If given, only that entry is returned.

        Returns
        -------
        dict or float or int
            ``EER`` (percent), ``EER_threshold``, ``n_bonafide``,
            ``n_spoof`` and, when ``asv`` was given, ``min_tDCF``; or the
            single value of ``field``.
        """
        scores, is_bonafide = self._arrays()
        bonafide = scores[is_bonafide]
        spoof = scores[~is_bonafide]
        summary = {"EER": float("nan"), "EER_threshold": float("nan")}
        if self.asv is not None:
            summary["min_tDCF"] = float("nan")
        problem = None
        if bonafide.size == 0 or spoof.size == 0:
            problem = f"{bonafide.size} bona fide and {spoof.size} spoof trials"
        else:
            _check_finite_and_non_empty(bonafide, spoof)
            n_distinct = _count_distinct_sorted(np.sort(scores))
            if n_distinct < MIN_DISTINCT_CM_SCORES:
                problem = f"only {n_distinct} distinct score value(s)"
        if problem is not None:
            warnings.warn(
                f"SpoofMetricStats: {problem}; metrics are NaN",
                UserWarning,
                stacklevel=2,
            )
        else:
            eer, threshold = compute_eer(bonafide, spoof)
            summary["EER"] = 100 * eer
            summary["EER_threshold"] = threshold
            if self.asv is not None:
                compute_min_tdcf = (
                    min_tdcf_2019 if self.tdcf == "2019" else min_tdcf_2021
                )
                summary["min_tDCF"] = compute_min_tdcf(
                    bonafide, spoof, asv=self.asv
                )[0]
        summary["n_bonafide"] = int(bonafide.size)
        summary["n_spoof"] = int(spoof.size)
        self.summary = summary
        if field is not None:
            return summary[field]
        return summary

    def write_stats(self, filestream, verbose=False):
        """Writes the summary (one ``name: value`` line each) to a stream.

        Arguments
        ---------
        filestream : file-like
            Stream to write to.
        verbose : bool
            Also print the summary.
        """
        if not self.summary:
            self.summarize()
        message = "".join(
            f"{name}: {value}\n" for name, value in self.summary.items()
        )
        filestream.write(message)
        if verbose:
            print(message)

    def write_scores(self, path_or_stream, fmt="2019"):
        """Writes the stored scores in append order.

        Arguments
        ---------
        path_or_stream : str or file-like
            Output file path (overwritten) or a text stream.
        fmt : str
            ``"2019"``: ``utt attack key score`` (attack ``-`` for bona
            fide, key ``bonafide`` or ``spoof``; the CM score format read
            by the AASIST scorer). ``"2021"``: ``utt score`` (the ASVspoof
            2021 submission format). Scores use Python's ``repr`` of the
            float64 value (exact round trip).

        Example
        -------
        >>> stats = SpoofMetricStats()
        >>> stats.append(["a", "b"], [0.25, -1.5], [1, 0], ["-", "A07"])
        >>> stream = io.StringIO()
        >>> stats.write_scores(stream)
        >>> print(stream.getvalue(), end="")
        a - bonafide 0.25
        b A07 spoof -1.5
        """
        if fmt not in ("2019", "2021"):
            raise ValueError(f"fmt must be '2019' or '2021', got {fmt!r}")
        scores, is_bonafide = self._arrays()
        lines = []
        for utt_id, attack, score, bonafide in zip(
            self.ids, self.attacks, scores.tolist(), is_bonafide.tolist()
        ):
            if fmt == "2021":
                lines.append(f"{utt_id} {score!r}\n")
            elif bonafide:
                lines.append(f"{utt_id} - bonafide {score!r}\n")
            else:
                lines.append(f"{utt_id} {attack} spoof {score!r}\n")
        text = "".join(lines)
        if hasattr(path_or_stream, "write"):
            path_or_stream.write(text)
        else:
            with open(path_or_stream, "w", encoding="utf-8") as stream:
                stream.write(text)

    def per_attack(self):
        """Per-attack EER (and min t-DCF with ASV) of the stored trials.

        Returns
        -------
        pandas.DataFrame
            See :func:`per_attack_metrics`.
        """
        scores, is_bonafide = self._arrays()
        return per_attack_metrics(
            scores,
            is_bonafide.astype(np.int64),
            self.attacks,
            asv=self.asv,
            tdcf=self.tdcf,
        )
