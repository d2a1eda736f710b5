"""ASVspoof 2021 LA / DF scoring with the official breakdown tables.

Reads the 2021 CM keys (``trial_metadata.txt``), a submission score file
(``trial score``), the LA ASV key and scores, and computes the tables of
the official evaluation package, written from the metric definitions
(not from its code):

* **LA:** min t-DCF (revised 2021 formula) and EER per attack
  (``A07``..``A19`` + ``Pooled``; the attack filters spoof trials only)
  and per codec (``none, alaw, pstn, g722, ulaw, gsm, opus`` + ``Pooled``;
  the codec filters all trials). Each cell uses the C0/C1/C2 coefficients
  of the same cell, computed from the ASV trials (the attack restricts
  only the spoof ASV trials) or loaded from the official ``LA-C012-*.npy``.
* **DF:** EER only, per vocoder family (spoof only) and compression codec.

The headline numbers are the ``(Pooled, Pooled)`` cells on the ``eval``
subset. A cell without bona fide or spoof trials (or without C012) is NaN.
As in the official package, the score file must contain exactly the
trials of the whole key (all subsets), without duplicates.

The recipe's entry points are :func:`load_la_c012` (the ASV information
of the LA t-DCF, from the official C012 files or from ASV scores),
:func:`score_2021` (a submission file against its key: pooled results and
the tables of each subset) and :func:`write_summary_2021`.

The 2021 keys are not redistributable with this package; download
``LA-keys-full.tar.gz`` / ``DF-keys-full.tar.gz`` from asvspoof.org.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import logging
import os

import numpy as np
import pandas as pd

from speechbrain_fica.utils.metrics import (
    COST_MODEL_2021,
    MIN_DISTINCT_CM_SCORES,
    POOLED,
    AsvOperatingPoint,
    _c012_2021,
    _check_finite_and_non_empty,
    _count_distinct_sorted,
    _det_curve,
    _eer_from_det,
    _min_tdcf,
    _open_text,
    _warn_if_negated_scores_better,
    finite_or_none,
)

logger = logging.getLogger(__name__)

TRACKS = ("LA", "DF")
SUBSETS = ("eval", "progress", "hidden")

LA_KEY_COLUMNS = [
    "spk",
    "trial",
    "codec",
    "trans",
    "attack",
    "label",
    "trim",
    "subset",
]
DF_KEY_COLUMNS = [
    "speaker",
    "trial",
    "compr",
    "source",
    "attack",
    "label",
    "trim",
    "subset",
    "vocoder",
    "task",
    "team",
    "gender-pair",
    "language",
]
KEY_COLUMNS = {"LA": LA_KEY_COLUMNS, "DF": DF_KEY_COLUMNS}

LA_ATTACKS = [f"A{number:02d}" for number in range(7, 20)]
LA_CODECS = ["none", "alaw", "pstn", "g722", "ulaw", "gsm", "opus"]
DF_VOCODERS = [
    "traditional_vocoder",
    "waveform_concatenation",
    "neural_vocoder_autoregressive",
    "neural_vocoder_nonautoregressive",
    "unknown",
]
DF_CODECS = [
    "nocodec",
    "low_mp3",
    "high_mp3",
    "low_m4a",
    "high_m4a",
    "low_ogg",
    "high_ogg",
    "mp3m4a",
    "oggm4a",
]

# File name tags of the official pre-computed C012 (keys/LA/LA-C012-*.npy).
C012_FILE_TAGS = {"eval": "eval", "progress": "prog", "hidden": "hidden"}
LA_ASV_SOURCES = ("auto", "c012", "asv", "none")
# Condition tags of the official printout (eval-package config.py).
OFFICIAL_TAGS = {
    "LA": {
        "columns": {c: f"C{i}" for i, c in enumerate(LA_CODECS, start=1)},
        "rows": {},
    },
    "DF": {
        "columns": {c: f"C{i}" for i, c in enumerate(DF_CODECS, start=1)},
        "rows": dict(
            zip(
                DF_VOCODERS,
                [
                    "Traditional",
                    "Wav.Concat.",
                    "Neural AR",
                    "Neural non-AR",
                    "Unknown",
                ],
            )
        ),
    },
}

_BONAFIDE = "bonafide"
_SPOOF = "spoof"
_TARGET = "target"
_NONTARGET = "nontarget"
# How many offending trial ids an error message names.
_MAX_NAMED = 5


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------


def _read_columns(path, n_columns, layout):
    """Splits a whitespace-separated file into string columns.

    The fast path is pandas' C parser; if it fails or finds a line with
    fewer fields, the file is scanned line by line to report the first
    malformed line (file and line number).

    Returns a list of ``n_columns`` numpy object arrays.
    """
    try:
        table = pd.read_csv(
            path,
            sep=r"\s+",
            header=None,
            dtype=str,
            keep_default_na=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return [np.array([], dtype=object) for _ in range(n_columns)]
    except (pd.errors.ParserError, ValueError):
        table = None
    # Missing trailing fields come back as empty strings.
    if (
        table is None
        or table.shape[1] != n_columns
        or (table.iloc[:, -1] == "").any()
    ):
        _raise_first_malformed_line(path, n_columns, layout)
        raise ValueError(f"{path}: could not parse as {layout}")
    return [table[column].to_numpy(dtype=object) for column in table.columns]


def _raise_first_malformed_line(path, n_columns, layout):
    """Raises ValueError naming the first line without n_columns fields."""
    with _open_text(path) as stream:
        for line_number, line in enumerate(stream, start=1):
            fields = line.split()
            if fields and len(fields) != n_columns:
                raise ValueError(
                    f"{path}, line {line_number}: expected {n_columns} "
                    f"columns ({layout}), got {len(fields)}: "
                    f"{line.rstrip()!r}"
                )


def read_cm_key(path, track):
    """Reads an ASVspoof 2021 CM key (``trial_metadata.txt``).

    LA keys have 8 columns ``spk trial codec trans attack label trim
    subset``; DF keys 13 columns ``speaker trial compr source attack label
    trim subset vocoder task team gender-pair language``. The 2021 LA ASV
    key (``LA/ASV/trial_metadata.txt``) has the LA layout too.

    Arguments
    ---------
    path : str
        Path of the key file (``.gz`` is read transparently).
    track : str
        ``"LA"`` or ``"DF"``.

    Returns
    -------
    pandas.DataFrame
        One row per trial, string columns named as above.

    Raises
    ------
    ValueError
        A line with the wrong column count (naming file and line).

    Example
    -------
    >>> path = getfixture("tmpdir").join("key.txt")
    >>> _ = path.write(
    ...     "LA_0009 LA_E_9332881 alaw ita_tx A07 spoof notrim eval\\n"
    ...     "LA_0009 LA_E_1000001 none - bonafide bonafide notrim eval\\n"
    ... )
    >>> key = read_cm_key(str(path), "LA")
    >>> key[["trial", "codec", "attack", "label"]].values.tolist()[0]
    ['LA_E_9332881', 'alaw', 'A07', 'spoof']
    """
    if track not in KEY_COLUMNS:
        raise ValueError(f"track must be 'LA' or 'DF', got {track!r}")
    names = KEY_COLUMNS[track]
    columns = _read_columns(path, len(names), f"{track} key: {' '.join(names)}")
    return pd.DataFrame(dict(zip(names, columns)))


def _parse_scores(texts, path, column):
    """Converts score strings to float64, naming the line of a bad value."""
    try:
        return np.asarray(texts, dtype=np.float64)
    except ValueError:
        pass
    with _open_text(path) as stream:
        for line_number, line in enumerate(stream, start=1):
            fields = line.split()
            if not fields:
                continue
            try:
                float(fields[column])
            except ValueError:
                raise ValueError(
                    f"{path}, line {line_number}: score {fields[column]!r} "
                    "is not a number"
                ) from None
    raise ValueError(f"{path}: scores could not be parsed")


def read_score_file(path):
    """Reads a 2021 submission score file (``trial score`` per line).

    Arguments
    ---------
    path : str
        The submission file, e.g. ``scores_LA2021.txt`` of the recipe.

    Returns
    -------
    pandas.DataFrame
        Columns ``trial`` (str) and ``score`` (float64), in file order.

    Raises
    ------
    ValueError
        A line without exactly two columns, or a score that is not a
        number.

    Example
    -------
    >>> path = getfixture("tmpdir").join("scores.txt")
    >>> _ = path.write("LA_E_1 1.5\\nLA_E_2 -0.25\\n")
    >>> read_score_file(str(path))["score"].tolist()
    [1.5, -0.25]
    """
    trials, texts = _read_columns(path, 2, "trial score")
    return pd.DataFrame(
        {
            "trial": trials,
            "score": _parse_scores(texts, path, 1),
        }
    )


def _name_some(values):
    """First few values, quoted, for an error message."""
    values = list(values)
    named = ", ".join(repr(value) for value in values[:_MAX_NAMED])
    if len(values) > _MAX_NAMED:
        named += ", ..."
    return named


def check_scores_against_key(scores, key):
    """Checks that a score file has exactly one score per key trial.

    Arguments
    ---------
    scores : pandas.DataFrame
        Columns ``trial`` and ``score`` (see :func:`read_score_file`).
    key : pandas.DataFrame
        CM key with a ``trial`` column (see :func:`read_cm_key`).

    Returns
    -------
    pandas.DataFrame
        The key (same row order) with a ``score`` column added.

    Raises
    ------
    ValueError
        Duplicate trials in the scores or the key, trials of the key
        missing from the scores, or extra trials; the message gives the
        counts and names some of them.

    Example
    -------
    >>> key = pd.DataFrame(
    ...     {"trial": ["t1", "t2"], "label": ["bonafide", "spoof"]}
    ... )
    >>> scores = pd.DataFrame({"trial": ["t2", "t1"], "score": [0.5, 2.0]})
    >>> check_scores_against_key(scores, key)["score"].tolist()
    [2.0, 0.5]
    >>> check_scores_against_key(scores.iloc[:1], key)
    Traceback (most recent call last):
      ...
    ValueError: score file has 1 trials, key has 2: 1 trial(s) of the key have no score: 't1'
    """
    key_trials = pd.Index(key["trial"])
    score_trials = pd.Index(scores["trial"])
    problems = []
    for trials, what in ((score_trials, "score file"), (key_trials, "key")):
        if not trials.is_unique:
            duplicated = trials[trials.duplicated()]
            problems.append(
                f"{len(duplicated)} duplicate trial(s) in the {what}: "
                f"{_name_some(duplicated.unique())}"
            )
    if not problems:
        positions = _positions_in_key(key_trials, score_trials)
        is_extra = positions < 0
        has_score = np.zeros(len(key_trials), dtype=bool)
        has_score[positions[~is_extra]] = True
        missing = key_trials[~has_score]
        extra = score_trials[is_extra]
        if len(missing):
            problems.append(
                f"{len(missing)} trial(s) of the key have no score: "
                f"{_name_some(missing)}"
            )
        if len(extra):
            problems.append(
                f"{len(extra)} trial(s) of the score file are not in the "
                f"key: {_name_some(extra)}"
            )
    if problems:
        raise ValueError(
            f"score file has {len(scores)} trials, key has {len(key)}: "
            + "; ".join(problems)
        )
    aligned_scores = np.empty(len(key_trials), dtype=np.float64)
    aligned_scores[positions] = scores["score"].to_numpy(dtype=np.float64)
    joined = key.copy()
    joined["score"] = aligned_scores
    return joined


def _positions_in_key(key_trials, score_trials):
    """Row of each scored trial in the key (-1 if absent); unique inputs."""
    # Score files are usually written in key order: skip the hash join.
    if len(key_trials) == len(score_trials) and np.array_equal(
        key_trials.to_numpy(), score_trials.to_numpy()
    ):
        return np.arange(len(key_trials))
    return key_trials.get_indexer(score_trials)


def read_asv_key_and_scores(asv_key_path, asv_score_path):
    """Reads the 2021 LA ASV key and ASV score file, aligned by row.

    The ASV key has the 8 LA key columns with ``label`` =
    ``target|nontarget|spoof``; the score file has ``asv_spk trial score``
    lines. As in the official pipeline, line ``i`` of the score file
    belongs to line ``i`` of the key (no join on trial names).

    Arguments
    ---------
    asv_key_path : str
        ``LA/ASV/trial_metadata.txt``.
    asv_score_path : str
        ``LA/ASV/ASVTorch_Kaldi/score.txt`` (or your own ASV scores).

    Returns
    -------
    pandas.DataFrame
        The key columns plus ``asv_spk`` and ``score`` (float64).

    Raises
    ------
    ValueError
        Malformed lines, or a different number of rows in the two files.

    Example
    -------
    >>> tmpdir = getfixture("tmpdir")
    >>> key_path, score_path = (
    ...     tmpdir.join("asv_key.txt"),
    ...     tmpdir.join("asv.txt"),
    ... )
    >>> _ = key_path.write(
    ...     "LA_0007 LA_E_1-none-x none - bonafide target notrim eval\\n"
    ...     "LA_0007 LA_E_2-none-x none - A07 spoof notrim eval\\n"
    ... )
    >>> _ = score_path.write(
    ...     "LA_0007 LA_E_1-none-x 5.0\\nLA_0007 LA_E_2-none-x 1.0\\n"
    ... )
    >>> asv = read_asv_key_and_scores(str(key_path), str(score_path))
    >>> asv[["label", "score"]].values.tolist()
    [['target', 5.0], ['spoof', 1.0]]
    """
    key = read_cm_key(asv_key_path, "LA")
    speakers, _, texts = _read_columns(
        asv_score_path, 3, "ASV score: asv_spk trial score"
    )
    if len(texts) != len(key):
        raise ValueError(
            f"ASV key {asv_key_path} has {len(key)} trials but ASV score "
            f"file {asv_score_path} has {len(texts)}: they are aligned by "
            "row position and must have the same length"
        )
    key["asv_spk"] = speakers
    key["score"] = _parse_scores(texts, asv_score_path, 2)
    return key


# ---------------------------------------------------------------------------
# C012 coefficients
# ---------------------------------------------------------------------------


def load_c012(npy_path):
    """Loads a C012 dictionary saved by numpy (e.g. ``LA-C012-eval.npy``).

    The file holds a pickled dict ``C012[attack][codec] = {"C0", "C1",
    "C2"}`` (keys including ``"Pooled"``). Loading a pickle can run code:
    only load files from a trusted source (the official key package or
    :func:`save_c012`).

    Arguments
    ---------
    npy_path : str
        Path of the ``.npy`` file.

    Returns
    -------
    dict
        The nested C012 dictionary.

    Example
    -------
    >>> path = str(getfixture("tmpdir").join("c012.npy"))
    >>> save_c012(
    ...     {"Pooled": {"Pooled": {"C0": 0.1, "C1": 0.8, "C2": 0.4}}}, path
    ... )
    >>> load_c012(path)["Pooled"]["Pooled"]["C2"]
    0.4
    """
    loaded = np.load(npy_path, allow_pickle=True)
    c012 = loaded.item() if isinstance(loaded, np.ndarray) else loaded
    if not isinstance(c012, dict):
        raise ValueError(
            f"{npy_path} does not hold a C012 dictionary "
            f"(got {type(c012).__name__})"
        )
    return c012


def save_c012(c012, npy_path):
    """Saves a C012 dictionary in the format read by :func:`load_c012`.

    Arguments
    ---------
    c012 : dict
        ``C012[attack][codec] = {"C0", "C1", "C2"}``.
    npy_path : str
        Output path (written as is, no extension is added).
    """
    with open(npy_path, "wb") as stream:
        np.save(stream, np.array(c012, dtype=object), allow_pickle=True)


def _lookup_c012(c012, attack, codec):
    """C0, C1, C2 of one cell, NaN where the dictionary has no entry."""
    try:
        cell = c012[attack][codec]
        return float(cell["C0"]), float(cell["C1"]), float(cell["C2"])
    except (KeyError, TypeError):
        return (float("nan"),) * 3


def _select_subset(table, subset, what):
    """Rows of ``table`` in ``subset`` (all rows when subset is None)."""
    if subset is None:
        return table
    selected = table[table["subset"].to_numpy() == subset]
    if len(selected) == 0:
        present = sorted(set(table["subset"].tolist()))
        raise ValueError(
            f"no {what} trials with subset == {subset!r} "
            f"(subsets present: {', '.join(present) or 'none'})"
        )
    return selected


def _value_masks(values, wanted):
    """Boolean mask per wanted value, plus an all-True mask for Pooled."""
    masks = {value: values == value for value in wanted}
    masks[POOLED] = np.ones(len(values), dtype=bool)
    return masks


def compute_c012(asv_df, subset="eval", attacks=None, codecs=None):
    """Computes the per-cell C0/C1/C2 of the LA breakdown from ASV scores.

    For each (attack, codec) cell, the ASV threshold is the EER threshold
    of the target vs non-target ASV trials of that codec (``Pooled``: all
    codecs), and ``Pfa_spoof_asv`` uses the spoof ASV trials of that codec
    and attack (``Pooled``: all attacks). The coefficients follow the
    revised t-DCF with ``COST_MODEL_2021``; cells lacking target,
    non-target or spoof ASV trials get NaN.

    Arguments
    ---------
    asv_df : pandas.DataFrame
        ASV key with scores (:func:`read_asv_key_and_scores`).
    subset : str or None
        Only ASV trials of this subset are used (None: all).
    attacks : list of str, optional
        Row values (default: ``A07``..``A19``); ``Pooled`` is added.
    codecs : list of str, optional
        Column values (default: the 7 LA codecs); ``Pooled`` is added.

    Returns
    -------
    dict
        ``C012[attack][codec] = {"C0": ..., "C1": ..., "C2": ...}``.

    Example
    -------
    >>> asv = pd.DataFrame(
    ...     {
    ...         "attack": ["bonafide"] * 4 + ["A07", "A08"],
    ...         "label": ["target", "target", "nontarget", "nontarget"]
    ...         + ["spoof"] * 2,
    ...         "codec": ["none"] * 6,
    ...         "subset": ["eval"] * 6,
    ...         "score": [3.0, 4.0, 0.5, 3.5, 2.0, 4.5],
    ...     }
    ... )
    >>> c012 = compute_c012(asv)
    >>> c012["A08"]["none"]["C2"], c012["Pooled"]["Pooled"]["C2"]
    (0.5, 0.25)
    >>> c012["A09"]["none"]["C0"]
    nan
    """
    attacks = list(LA_ATTACKS if attacks is None else attacks)
    codecs = list(LA_CODECS if codecs is None else codecs)
    table = _select_subset(asv_df, subset, "ASV")
    scores = table["score"].to_numpy(dtype=np.float64)
    if not np.isfinite(scores).all():
        raise ValueError(
            f"ASV scores contain {np.count_nonzero(~np.isfinite(scores))} "
            "NaN or infinite value(s)"
        )
    labels = table["label"].to_numpy()
    codec_values = table["codec"].to_numpy()
    attack_values = table["attack"].to_numpy()
    is_target = labels == _TARGET
    is_nontarget = labels == _NONTARGET
    is_spoof = labels == _SPOOF

    c012 = {attack: {} for attack in attacks + [POOLED]}
    attack_masks = _value_masks(attack_values, attacks)
    codec_masks = _value_masks(codec_values, codecs)
    for codec in codecs + [POOLED]:
        in_codec = codec_masks[codec]
        target = scores[is_target & in_codec]
        nontarget = scores[is_nontarget & in_codec]
        threshold = None
        if target.size and nontarget.size:
            threshold = _eer_from_det(*_det_curve(target, nontarget))[1]
        for attack in attacks + [POOLED]:
            spoof = scores[is_spoof & in_codec & attack_masks[attack]]
            if threshold is None or spoof.size == 0:
                c0 = c1 = c2 = float("nan")
            else:
                c0, c1, c2 = _cell_c012(target, nontarget, spoof, threshold)
            c012[attack][codec] = {"C0": c0, "C1": c1, "C2": c2}
    return c012


def _cell_c012(target, nontarget, spoof, threshold):
    """C0, C1, C2 of one cell at a given ASV threshold (``>=`` accepts)."""
    point = AsvOperatingPoint(
        threshold=threshold,
        eer=float("nan"),  # not needed by the coefficients
        pfa=float(np.mean(nontarget >= threshold)),
        pmiss=float(np.mean(target < threshold)),
        pmiss_spoof=float(np.mean(spoof < threshold)),
        pfa_spoof=float(np.mean(spoof >= threshold)),
    )
    return _c012_2021(point, COST_MODEL_2021)


# ---------------------------------------------------------------------------
# Breakdown tables
# ---------------------------------------------------------------------------


def _scored_trials(key, scores, track, subset):
    """Key (read if a path) joined with the scores, restricted to a subset."""
    if isinstance(key, (str, os.PathLike)):
        key = read_cm_key(key, track)
    if isinstance(scores, (str, os.PathLike)):
        scores = read_score_file(scores)
    joined = check_scores_against_key(scores, key)
    return _select_subset(joined, subset, "CM")


def _breakdown(trials, row_column, rows, col_column, cols, c012=None):
    """EER and min t-DCF per cell; rows filter spoof, columns filter both."""
    scores = trials["score"].to_numpy(dtype=np.float64)
    labels = trials["label"].to_numpy()
    is_bonafide = labels == _BONAFIDE
    is_spoof = labels == _SPOOF
    # Whole-set checks, as the official scorer (cells may be tiny).
    _check_finite_and_non_empty(scores[is_bonafide], scores[is_spoof])
    n_distinct = _count_distinct_sorted(np.sort(scores))
    if n_distinct < MIN_DISTINCT_CM_SCORES:
        raise ValueError(
            f"CM scores have only {n_distinct} distinct value(s); at least "
            f"{MIN_DISTINCT_CM_SCORES} are needed (soft scores)"
        )
    row_values = trials[row_column].to_numpy()
    col_values = trials[col_column].to_numpy()

    row_labels = list(rows) + [POOLED]
    col_labels = list(cols) + [POOLED]
    row_masks = _value_masks(row_values, rows)
    col_masks = _value_masks(col_values, cols)
    eer_table = np.full((len(row_labels), len(col_labels)), np.nan)
    tdcf_table = np.full_like(eer_table, np.nan)
    for col_index, col in enumerate(col_labels):
        in_col = col_masks[col]
        bonafide = scores[is_bonafide & in_col]
        for row_index, row in enumerate(row_labels):
            spoof = scores[is_spoof & in_col & row_masks[row]]
            if bonafide.size == 0 or spoof.size == 0:
                continue
            det = _det_curve(bonafide, spoof)
            eer = _eer_from_det(*det)[0]
            eer_table[row_index, col_index] = 100 * eer
            if row == POOLED and col == POOLED:
                _warn_if_negated_scores_better(bonafide, spoof, eer, 4)
            if c012 is not None:
                c0, c1, c2 = _lookup_c012(c012, row, col)
                if not np.isnan([c0, c1, c2]).any():
                    tdcf_table[row_index, col_index] = _min_tdcf(
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


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------


def _markdown_table(table, float_format):
    """A pipe (GitHub) Markdown table of a DataFrame, index included."""

    def cell(value):
        if isinstance(value, (float, np.floating)):
            return "-" if np.isnan(value) else float_format.format(value)
        return str(value)

    header = [str(table.index.name or "")] + [str(c) for c in table.columns]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * len(table.columns)) + "|",
    ]
    for index, row in table.iterrows():
        cells = [str(index)] + [cell(value) for value in row.tolist()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_tables(tables, out_dir, prefix, float_format="{:.4f}"):
    """Writes each table as CSV (full precision) and Markdown.

    Arguments
    ---------
    tables : dict
        Name -> pandas.DataFrame.
    out_dir : str
        Output folder (created if needed).
    prefix : str
        File name prefix: files are ``<prefix>_<name>.csv`` / ``.md``.
    float_format : str
        ``str.format`` pattern for numbers in the Markdown tables; NaN is
        written as ``-``.

    Returns
    -------
    list of str
        Paths of the written files.

    Example
    -------
    >>> table = pd.DataFrame(
    ...     {"none": [1.0, float("nan")]}, index=["A07", "Pooled"]
    ... )
    >>> paths = write_tables({"eer": table}, str(getfixture("tmpdir")), "LA")
    >>> [os.path.basename(path) for path in paths]
    ['LA_eer.csv', 'LA_eer.md']
    >>> print(open(paths[1]).read(), end="")
    |  | none |
    |---|---:|
    | A07 | 1.0000 |
    | Pooled | - |
    """
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name, table in tables.items():
        stem = os.path.join(out_dir, f"{prefix}_{name}" if prefix else name)
        table.to_csv(stem + ".csv")
        with open(stem + ".md", "w", encoding="utf-8") as stream:
            stream.write(_markdown_table(table, float_format))
        paths.extend([stem + ".csv", stem + ".md"])
    return paths


# ---------------------------------------------------------------------------
# Scoring a submission (the recipe's entry points)
# ---------------------------------------------------------------------------


def check_tracks_and_subsets(tracks, subsets):
    """Checks the ``tracks`` and ``subsets`` of a recipe yaml.

    Arguments
    ---------
    tracks : list of str
        Non-empty, among ``LA``, ``DF``.
    subsets : list of str
        Non-empty, among ``eval``, ``progress``, ``hidden``.

    Raises
    ------
    ValueError
        An empty list or an unknown value.

    Example
    -------
    >>> check_tracks_and_subsets(["LA"], ["eval", "dev"])
    Traceback (most recent call last):
      ...
    ValueError: subsets must be a non-empty list among ('eval', 'progress', 'hidden'), got ['eval', 'dev']
    """
    for name, values, allowed in (
        ("tracks", tracks, TRACKS),
        ("subsets", subsets, SUBSETS),
    ):
        if not values or any(value not in allowed for value in values):
            raise ValueError(
                f"{name} must be a non-empty list among {allowed}, got {values}"
            )


def load_la_c012(
    source,
    subsets,
    keys_folder,
    c012_file=None,
    asv_key=None,
    asv_scores=None,
    save_folder=None,
):
    """The per-cell C0/C1/C2 of the 2021 LA t-DCF, for each subset.

    The official evaluation package ships them for its ASV system
    (``LA-C012-*.npy`` in the LA keys) and can recompute them from ASV
    scores: both ways are offered, the files first.

    Arguments
    ---------
    source : str
        ``"c012"``: pre-computed C012 files (``c012_file``, or the official
        ``<keys_folder>/LA/LA-C012-{eval,prog,hidden}.npy``);
        ``"asv"``: computed from an ASV key and ASV score file (aligned by
        row, as the official ``--recompute-c012``); ``"auto"``: ``c012`` if
        its files exist, else ``asv`` if its files exist, else no t-DCF;
        ``"none"``: no t-DCF.
    subsets : sequence of str
        Subsets to score (``eval``, ``progress``, ``hidden``).
    keys_folder : str
        The ``keys`` folder (for the official C012 files).
    c012_file : str, optional
        A C012 ``.npy`` to use instead of the official one (one subset).
    asv_key : str, optional
        ASV key (``LA/ASV/trial_metadata.txt`` layout).
    asv_scores : str, optional
        ASV scores (``asv_spk trial score``), line ``i`` for key line ``i``.
    save_folder : str, optional
        Where computed C012 are saved as ``LA-C012-<subset tag>.npy``.

    Returns
    -------
    c012 : dict or None
        ``{subset: C012 dictionary}``, None without ASV information.
    description : str
        Where the coefficients come from (for logs and summaries).

    Raises
    ------
    FileNotFoundError
        ``source`` is ``c012`` or ``asv`` and a file is missing.
    ValueError
        An unknown source or subset, or ``c012_file`` with several subsets.

    Example
    -------
    >>> load_la_c012("auto", ["eval"], "/no/keys")
    (None, 'none (no C012 file and no ASV key + scores found)')
    """
    if source not in LA_ASV_SOURCES:
        raise ValueError(
            f"la_asv_source must be one of {LA_ASV_SOURCES}: {source!r}"
        )
    for subset in subsets:
        if subset not in SUBSETS:
            raise ValueError(f"subsets must be among {SUBSETS}: {subset!r}")
    if c012_file and len(subsets) > 1:
        raise ValueError(
            "la_c012_file holds the C012 of one subset but several subsets "
            f"are requested ({list(subsets)}); request one subset, or leave "
            "la_c012_file empty to use the official per-subset files"
        )
    if source == "none":
        return None, "none (la_asv_source: none)"
    c012_files = {
        subset: c012_file
        or os.path.join(
            keys_folder, "LA", f"LA-C012-{C012_FILE_TAGS[subset]}.npy"
        )
        for subset in subsets
    }
    have_c012 = all(os.path.isfile(p) for p in c012_files.values())
    have_asv = bool(asv_key and asv_scores) and all(
        os.path.isfile(p) for p in (asv_key, asv_scores)
    )
    if source == "auto":
        if have_c012:
            source = "c012"
        elif have_asv:
            source = "asv"
        else:
            return None, "none (no C012 file and no ASV key + scores found)"
    if source == "c012":
        for path in c012_files.values():
            if not os.path.isfile(path):
                raise FileNotFoundError(f"C012 file not found: {path}")
        c012 = {s: load_c012(path) for s, path in c012_files.items()}
        return c012, "C012 files " + ", ".join(sorted(set(c012_files.values())))
    for path, what in ((asv_key, "ASV key"), (asv_scores, "ASV scores")):
        if not path or not os.path.isfile(path):
            raise FileNotFoundError(f"{what} not found: {path}")
    asv = read_asv_key_and_scores(asv_key, asv_scores)
    c012 = {}
    for subset in subsets:
        c012[subset] = compute_c012(asv, subset=subset)
        if save_folder:
            os.makedirs(save_folder, exist_ok=True)
            name = f"LA-C012-{C012_FILE_TAGS[subset]}.npy"
            save_c012(c012[subset], os.path.join(save_folder, name))
    return c012, f"computed from ASV key {asv_key} and scores {asv_scores}"


def score_2021(
    track,
    key_file,
    score_file,
    out_dir,
    subsets=("eval",),
    c012=None,
    skipped_trials=(),
):
    """Scores a 2021 submission file: pooled results and breakdown tables.

    The score file must hold one score per trial of the key (all subsets),
    as the official evaluation package requires; trials that the data
    preparation skipped may be named in ``skipped_trials`` and are then
    left out of the key (the results are then not official).

    Arguments
    ---------
    track : str
        ``"LA"`` or ``"DF"``.
    key_file : str
        The CM key (``keys/<track>/CM/trial_metadata.txt``).
    score_file : str
        The score file (``trial score``, higher = bona fide).
    out_dir : str
        Where the tables are written (``<track>2021_<subset>_EER.csv``
        / ``.md``, and for LA with C012 ``..._min_tDCF.csv`` / ``.md``).
    subsets : sequence of str
        Subsets to score; each gets its own tables.
    c012 : dict, optional
        LA only: ``{subset: C012 dictionary}`` (:func:`load_la_c012`);
        without it no min t-DCF is computed.
    skipped_trials : sequence of str
        Key trials without audio, left out of the check and the metrics.

    Returns
    -------
    dict
        ``{subset: {"EER": %, "min_tDCF": (LA) value or None,
        "n_bonafide": int, "n_spoof": int, "tables": [paths]}}``.

    Raises
    ------
    ValueError
        The score file misses trials of the key, has extra or repeated
        trials (the message names them), or a subset has no trials.

    Example
    -------
    >>> folder = getfixture("tmpdir")
    >>> key = folder.join("key.txt")
    >>> _ = key.write(
    ...     "LA_0001 t1 none - bonafide bonafide notrim eval\\n"
    ...     "LA_0001 t2 none - bonafide bonafide notrim eval\\n"
    ...     "LA_0001 t3 none - A07 spoof notrim eval\\n"
    ...     "LA_0001 t4 none - A08 spoof notrim eval\\n"
    ... )
    >>> scores = folder.join("scores.txt")
    >>> _ = scores.write("t1 2.0\\nt2 3.0\\nt3 1.0\\nt4 2.5\\n")
    >>> result = score_2021("LA", str(key), str(scores), str(folder))
    >>> result["eval"]["EER"], result["eval"]["min_tDCF"]
    (50.0, None)
    """
    if track not in TRACKS:
        raise ValueError(f"track must be 'LA' or 'DF': {track!r}")
    key = read_cm_key(key_file, track)
    if len(skipped_trials):
        kept = ~key["trial"].isin(set(skipped_trials))
        logger.warning(
            "%s 2021: %d of %d key trials have no audio and are left out: "
            "these results are not comparable with official ones",
            track,
            int((~kept).sum()),
            len(key),
        )
        key = key[kept].reset_index(drop=True)
    scores = read_score_file(score_file)
    try:
        trials = check_scores_against_key(scores, key)
    except ValueError as error:
        raise ValueError(f"{score_file} vs {key_file}: {error}") from None
    results = {}
    for subset in subsets:
        in_subset = trials[trials["subset"] == subset]
        prefix = f"{track}2021_{subset}"
        if track == "LA":
            subset_c012 = None if c012 is None else c012[subset]
            pooled, tdcf_table, eer_table = la_breakdown(
                key, scores, subset_c012, subset=subset
            )
            tables = {"EER": eer_table}
            if subset_c012 is not None:
                tables["min_tDCF"] = tdcf_table
            result = {
                "min_tDCF": finite_or_none(pooled["min_tDCF"]),
                "EER": pooled["EER"],
            }
        else:
            pooled_eer, eer_table = df_breakdown(key, scores, subset=subset)
            tables = {"EER": eer_table}
            result = {"EER": pooled_eer}
        paths = write_tables(tables, out_dir, prefix)
        for name in tables:
            _append_legend(os.path.join(out_dir, f"{prefix}_{name}.md"), track)
        labels = in_subset["label"]
        result.update(
            n_bonafide=int((labels == "bonafide").sum()),
            n_spoof=int((labels == "spoof").sum()),
            tables=paths,
        )
        results[subset] = result
    return results


def _append_legend(md_path, track):
    """Adds the condition tags of the official printout under a table."""
    tags = OFFICIAL_TAGS[track]
    lines = [
        "Codec tags of the official printout: "
        + ", ".join(f"{t} = {c}" for c, t in tags["columns"].items())
    ]
    if tags["rows"]:
        lines.append(
            "Vocoder tags: "
            + ", ".join(f"{t} = {v}" for v, t in tags["rows"].items())
        )
    if md_path.endswith("_EER.md"):
        lines.append("EER in %; '-': no trials in the cell.")
    else:
        lines.append("'-': no trials or no C012 in the cell.")
    with open(md_path, "a", encoding="utf-8") as f:
        f.write("\n" + "\n\n".join(lines) + "\n")


def write_summary_2021(results, path, subset):
    """Writes ``summary_2021.json`` and logs the headline numbers.

    Arguments
    ---------
    results : dict
        ``{track: {"results": output of score_2021, ...}}``.
    path : str
        The JSON file.
    subset : str
        The headline subset.

    Returns
    -------
    dict
        The summary written.

    Example
    -------
    >>> pooled = {"EER": 5.0, "min_tDCF": None, "n_bonafide": 2, "n_spoof": 2}
    >>> path = getfixture("tmpdir").join("summary_2021.json").strpath
    >>> write_summary_2021({"DF": {"results": {"eval": pooled}}}, path, "eval")[
    ...     "headline"
    ... ]
    {'DF': {'EER': 5.0, 'min_tDCF': None}}
    """
    headline = {}
    for track, track_results in results.items():
        pooled = track_results["results"][subset]
        headline[track] = {
            k: v for k, v in pooled.items() if k in ("EER", "min_tDCF")
        }
        tdcf = pooled.get("min_tDCF")
        logger.info(
            "ASVspoof 2021 %s, %s subset (%d bona fide, %d spoof): %sEER "
            "%.2f %%",
            track,
            subset,
            pooled["n_bonafide"],
            pooled["n_spoof"],
            "" if tdcf is None else f"min t-DCF {tdcf:.4f}, ",
            pooled["EER"],
        )
    summary = {"headline_subset": subset, "headline": headline, **results}
    with open(path, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    return summary
