"""The ASV operating point and the tandem detection cost function (t-DCF).

* **ASV operating point.** The ASV threshold is the EER threshold of the
  ASV target vs non-target scores; a trial is accepted when its ASV score
  is ``>=`` that threshold.
* **t-DCF.** The legacy ASVspoof 2019 min t-DCF
  (``(C1 Pmiss_cm + C2 Pfa_cm) / min(C1, C2)``) and the revised ASVspoof
  2021 min t-DCF (``(C0 + C1 Pmiss_cm + C2 Pfa_cm) / (C0 + min(C1, C2))``,
  Kinnunen et al., IEEE/ACM TASLP 2020), both minimised over the DET
  points of :mod:`speechbrain_fica.metrics.det`.

Written from the metric definitions, not from the official code.

Authors
 * speechbrain-fica contributors 2026
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from speechbrain_fica.metrics.det import (
    as_float64,
    describe_non_finite,
    eer_from_det,
    raw_det_curve,
    validated_det_curve,
)

# Cost models of the official ASVspoof evaluations (priors sum to one:
# Ptar = 0.95 * 0.99, Pnon = 0.95 * 0.01).


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


_PRIOR_SUM_TOLERANCE = 1e-10


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
    eer, threshold = eer_from_det(*raw_det_curve(target, nontarget))
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
    target = as_float64(target, "target")
    nontarget = as_float64(nontarget, "nontarget")
    problems = []
    for scores, name in ((target, "target"), (nontarget, "nontarget")):
        if scores.size == 0:
            problems.append(f"no {name} scores were given")
        elif describe_non_finite(scores, name) is not None:
            problems.append(describe_non_finite(scores, name))
    if spoof is not None:
        spoof = as_float64(spoof, "spoof")
        if describe_non_finite(spoof, "spoof") is not None:
            problems.append(describe_non_finite(spoof, "spoof"))
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


def as_operating_point(asv):
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
    point = as_operating_point(operating_point)
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


def tdcf_2021_coefficients(
    operating_point, cost_model=COST_MODEL_2021, check=True
):
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
    check : bool
        Raise for a negative coefficient (False: return them as they are,
        e.g. for a cell of a breakdown table that is then reported as
        computed).

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
    point = as_operating_point(operating_point)
    if np.isnan(point.pfa_spoof):
        raise ValueError(
            "the ASV operating point has no spoof error rate (Pfa_spoof_asv)"
        )
    c0 = (
        cost_model["Ptar"] * cost_model["Cmiss"] * point.pmiss
        + cost_model["Pnon"] * cost_model["Cfa"] * point.pfa
    )
    c1 = cost_model["Ptar"] * cost_model["Cmiss"] - c0
    c2 = cost_model["Pspoof"] * cost_model["Cfa_spoof"] * point.pfa_spoof
    if check:
        _check_coefficients(C0=c0, C1=c1, C2=c2)
    return float(c0), float(c1), float(c2)


def min_tdcf_on_det(frr, far, thresholds, c0, c1, c2):
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
        return from_asv(as_operating_point(asv))
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
    det = validated_det_curve(bonafide_scores, spoof_scores)[2]
    return min_tdcf_on_det(*det, 0.0, c1, c2)


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
    det = validated_det_curve(bonafide_scores, spoof_scores)[2]
    return min_tdcf_on_det(*det, c0, c1, c2)
