"""The breakdown tables of the ASVspoof 2021 evaluation package.

Written from the metric definitions (not from the official code):

* **LA:** min t-DCF (revised 2021 formula) and EER per attack
  (``A07``..``A19`` + ``Pooled``; the attack filters spoof trials only)
  and per codec (``none, alaw, pstn, g722, ulaw, gsm, opus`` + ``Pooled``;
  the codec filters all trials). Each cell uses the C0/C1/C2 coefficients
  of the same cell (:mod:`.c012`).
* **DF:** EER only, per vocoder family (spoof only) and compression codec.

The headline numbers are the ``(Pooled, Pooled)`` cells on the ``eval``
subset. A cell without bona fide or spoof trials (or without C012) is NaN.
As in the official package, the score file must contain exactly the
trials of the whole key (all subsets), without duplicates.

Authors
 * speechbrain-fica contributors 2026
"""

import os

import numpy as np
import pandas as pd

from speechbrain_fica.metrics.asvspoof2021.c012 import lookup_c012
from speechbrain_fica.metrics.asvspoof2021.keys import (
    BONAFIDE,
    DF_CODECS,
    DF_VOCODERS,
    LA_ATTACKS,
    LA_CODECS,
    SPOOF,
    select_subset,
    value_masks,
)
from speechbrain_fica.metrics.det import (
    MIN_DISTINCT_CM_SCORES,
    check_finite_and_non_empty,
    count_distinct_sorted,
    eer_from_det,
    raw_det_curve,
    warn_if_negated_scores_better,
)
from speechbrain_fica.metrics.score_files import (
    check_scores_against_key,
    read_cm_key,
    read_score_file,
)
from speechbrain_fica.metrics.tables import POOLED
from speechbrain_fica.metrics.tdcf import min_tdcf_on_det


def _scored_trials(key, scores, track, subset):
    """Key (read if a path) joined with the scores, restricted to a subset."""
    if isinstance(key, (str, os.PathLike)):
        key = read_cm_key(key, track)
    if isinstance(scores, (str, os.PathLike)):
        scores = read_score_file(scores)
    joined = check_scores_against_key(scores, key)
    return select_subset(joined, subset, "CM")


def _breakdown(trials, row_column, rows, col_column, cols, c012=None):
    """EER and min t-DCF per cell; rows filter spoof, columns filter both."""
    scores = trials["score"].to_numpy(dtype=np.float64)
    labels = trials["label"].to_numpy()
    is_bonafide = labels == BONAFIDE
    is_spoof = labels == SPOOF
    # Whole-set checks, as the official scorer (cells may be tiny).
    check_finite_and_non_empty(scores[is_bonafide], scores[is_spoof])
    n_distinct = count_distinct_sorted(np.sort(scores))
    if n_distinct < MIN_DISTINCT_CM_SCORES:
        raise ValueError(
            f"CM scores have only {n_distinct} distinct value(s); at least "
            f"{MIN_DISTINCT_CM_SCORES} are needed (soft scores)"
        )
    row_values = trials[row_column].to_numpy()
    col_values = trials[col_column].to_numpy()

    row_labels = list(rows) + [POOLED]
    col_labels = list(cols) + [POOLED]
    row_masks = value_masks(row_values, rows)
    col_masks = value_masks(col_values, cols)
    eer_table = np.full((len(row_labels), len(col_labels)), np.nan)
    tdcf_table = np.full_like(eer_table, np.nan)
    for col_index, col in enumerate(col_labels):
        in_col = col_masks[col]
        bonafide = scores[is_bonafide & in_col]
        for row_index, row in enumerate(row_labels):
            spoof = scores[is_spoof & in_col & row_masks[row]]
            if bonafide.size == 0 or spoof.size == 0:
                continue
            det = raw_det_curve(bonafide, spoof)
            eer = eer_from_det(*det)[0]
            eer_table[row_index, col_index] = 100 * eer
            if row == POOLED and col == POOLED:
                warn_if_negated_scores_better(bonafide, spoof, eer, 4)
            if c012 is not None:
                c0, c1, c2 = lookup_c012(c012, row, col)
                if not np.isnan([c0, c1, c2]).any():
                    tdcf_table[row_index, col_index] = min_tdcf_on_det(
                        *det, c0, c1, c2
                    )[0]
    index = pd.Index(row_labels, name=row_column)
    columns = pd.Index(col_labels, name=col_column)
    return (
        pd.DataFrame(eer_table, index=index, columns=columns),
        pd.DataFrame(tdcf_table, index=index, columns=columns),
    )


def la_breakdown(key, scores, c012, subset="eval", attacks=None, codecs=None):
    """ASVspoof 2021 LA results: pooled and per attack x codec tables.

    Arguments
    ---------
    key : pandas.DataFrame or str
        LA CM key (:func:`read_cm_key`) or its path.
    scores : pandas.DataFrame or str
        CM scores (:func:`read_score_file`) or their path; one score per
        key trial (all subsets).
    c012 : dict
        Per-cell coefficients (:func:`load_c012` or :func:`compute_c012`).
    subset : str or None
        ``"eval"`` (official ranking, default), ``"progress"``,
        ``"hidden"``, or None for all trials.
    attacks : list of str, optional
        Row values (default ``A07``..``A19``); ``Pooled`` is appended.
        Spoof trials of other attacks only count in ``Pooled``.
    codecs : list of str, optional
        Column values (default the 7 LA codecs); ``Pooled`` is appended.

    Returns
    -------
    pooled : dict
        ``{"min_tDCF": ..., "EER": ...}`` of cell (Pooled, Pooled), EER
        in %.
    min_tdcf_table : pandas.DataFrame
        Min t-DCF per (attack, codec); NaN for empty cells.
    eer_table : pandas.DataFrame
        EER (%) per (attack, codec); NaN for empty cells.

    Example
    -------
    >>> key = pd.DataFrame(
    ...     {
    ...         "trial": ["t1", "t2", "t3", "t4"],
    ...         "codec": ["none"] * 4,
    ...         "attack": ["bonafide", "bonafide", "A07", "A08"],
    ...         "label": ["bonafide", "bonafide", "spoof", "spoof"],
    ...         "subset": ["eval"] * 4,
    ...     }
    ... )
    >>> scores = pd.DataFrame(
    ...     {"trial": ["t1", "t2", "t3", "t4"], "score": [2.0, 3.0, 1.0, 2.5]}
    ... )
    >>> c012 = {"Pooled": {"Pooled": {"C0": 0.0, "C1": 1.0, "C2": 1.0}}}
    >>> pooled, tdcf, eer = la_breakdown(key, scores, c012)
    >>> pooled
    {'min_tDCF': 0.5, 'EER': 50.0}
    >>> float(eer.loc["A08", "none"]), float(tdcf.loc["A08", "none"]), eer.shape
    (75.0, nan, (14, 8))
    """
    trials = _scored_trials(key, scores, "LA", subset)
    eer_table, tdcf_table = _breakdown(
        trials,
        "attack",
        LA_ATTACKS if attacks is None else attacks,
        "codec",
        LA_CODECS if codecs is None else codecs,
        c012=c012,
    )
    pooled = {
        "min_tDCF": float(tdcf_table.loc[POOLED, POOLED]),
        "EER": float(eer_table.loc[POOLED, POOLED]),
    }
    return pooled, tdcf_table, eer_table


def df_breakdown(key, scores, subset="eval"):
    """ASVspoof 2021 DF results: pooled EER and vocoder x codec EER table.

    Arguments
    ---------
    key : pandas.DataFrame or str
        DF CM key (:func:`read_cm_key` with ``track="DF"``) or its path.
    scores : pandas.DataFrame or str
        CM scores or their path; one score per key trial.
    subset : str or None
        ``"eval"`` (default), ``"progress"``, ``"hidden"`` or None (all).

    Returns
    -------
    pooled_eer : float
        EER (%) of cell (Pooled, Pooled).
    eer_table : pandas.DataFrame
        EER (%) with rows = vocoder families + ``Pooled`` (spoof only) and
        columns = compression conditions + ``Pooled``; NaN when empty.

    Example
    -------
    >>> key = pd.DataFrame(
    ...     {
    ...         "trial": ["t1", "t2", "t3", "t4"],
    ...         "compr": ["nocodec", "low_mp3", "nocodec", "low_mp3"],
    ...         "label": ["bonafide", "bonafide", "spoof", "spoof"],
    ...         "vocoder": ["-", "-", "unknown", "unknown"],
    ...         "subset": ["eval"] * 4,
    ...     }
    ... )
    >>> scores = pd.DataFrame(
    ...     {"trial": ["t1", "t2", "t3", "t4"], "score": [2.0, 3.0, 1.0, 2.5]}
    ... )
    >>> pooled_eer, table = df_breakdown(key, scores)
    >>> pooled_eer, table.shape, float(table.loc["unknown", "low_mp3"])
    (50.0, (6, 10), 0.0)
    """
    trials = _scored_trials(key, scores, "DF", subset)
    eer_table, _ = _breakdown(
        trials, "vocoder", DF_VOCODERS, "compr", DF_CODECS
    )
    return float(eer_table.loc[POOLED, POOLED]), eer_table
