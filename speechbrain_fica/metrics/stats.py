"""Per-attack metrics and :class:`SpoofMetricStats`, the metric of the Brain.

Authors
 * speechbrain-fica contributors 2026
"""

import io  # noqa: F401  (doctests)
import os
import warnings

import numpy as np
import pandas as pd
import torch  # noqa: F401  (doctests)
from speechbrain.utils.metric_stats import MetricStats

from speechbrain_fica.metrics.det import (
    MIN_DISTINCT_CM_SCORES,
    as_bonafide_mask,
    as_float64,
    check_finite_and_non_empty,
    compute_eer,
    count_distinct_sorted,
    eer_from_det,
    raw_det_curve,
    validate_cm_scores,
)
from speechbrain_fica.metrics.score_files import read_asv_scores_2019
from speechbrain_fica.metrics.tables import POOLED
from speechbrain_fica.metrics.tdcf import (
    AsvScores,
    as_operating_point,
    min_tdcf_2019,
    min_tdcf_2021,
    min_tdcf_on_det,
    tdcf_2019_coefficients,
    tdcf_2021_coefficients,
)

# ---------------------------------------------------------------------------
# Breakdown per attack
# ---------------------------------------------------------------------------


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
    scores = as_float64(scores, "scores")
    is_bonafide = as_bonafide_mask(labels, scores.size)
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
        det = raw_det_curve(bonafide, attack_spoof)
        eer, eer_threshold = eer_from_det(*det)
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
            value, threshold = min_tdcf_on_det(*det, c0, c1, c2)
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
    return as_operating_point(asv), POOLED


# ---------------------------------------------------------------------------
# SpeechBrain MetricStats
# ---------------------------------------------------------------------------


class SpoofMetricStats(MetricStats):
    """Accumulates CM scores over batches and computes EER / min t-DCF.

    Use it like SpeechBrain's ``BinaryMetricStats``: call :meth:`append`
    for every batch, then :meth:`summarize` at the end of the stage.
    When a class is missing or there are fewer than 3 distinct scores
    (e.g. a 2-batch debug run), ``summarize`` warns and returns NaN for
    the metrics instead of failing (the attribute ``problem`` then says
    why; it is None after a computable summary); NaN/inf scores still
    raise.

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
        self.problem = None
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
        batch_scores = as_float64(scores, "scores")
        if batch_scores.size != len(ids):
            raise ValueError(
                f"got {batch_scores.size} scores for {len(ids)} ids"
            )
        batch_labels = as_bonafide_mask(labels, len(ids))
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
            check_finite_and_non_empty(bonafide, spoof)
            n_distinct = count_distinct_sorted(np.sort(scores))
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
        self.problem = problem
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
