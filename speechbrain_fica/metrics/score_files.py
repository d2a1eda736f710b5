"""Readers of the score and key files that ASVspoof scoring needs.

* ASVspoof 2019 ASV score files (``SOURCE KEY SCORE``):
  :func:`read_asv_scores_2019`; the 2019 recipe's CM score files
  (``UTT ATTACK KEY SCORE``): :func:`read_cm_scores_2019`.
* ASVspoof 2021 CM keys (``trial_metadata.txt``), submission score files
  (``trial score``), and the LA ASV key with its scores:
  :func:`read_cm_key`, :func:`read_score_file`,
  :func:`read_asv_key_and_scores`; :func:`check_scores_against_key` aligns
  a score file with its key.

Every reader names the file and line of a malformed line. Files are
split by :func:`speechbrain_fica.utils.text_files.read_columns`;
``.gz`` files are read transparently. The 2021 keys are not
redistributable with this package; download ``LA-keys-full.tar.gz`` /
``DF-keys-full.tar.gz`` from asvspoof.org.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip  # noqa: F401  (doctests)

import numpy as np
import pandas as pd

from speechbrain_fica.metrics.asvspoof2021.keys import KEY_COLUMNS
from speechbrain_fica.metrics.tdcf import AsvScores
from speechbrain_fica.utils.text_files import numbered_fields, read_columns

# How many offending trial ids an error message names.
_MAX_NAMED = 5


# ---------------------------------------------------------------------------
# ASVspoof 2019
# ---------------------------------------------------------------------------


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
    for line_number, fields, line in numbered_fields(path):
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


_CM_KEYS = ("bonafide", "spoof")


def read_cm_scores_2019(path):
    """Reads a 2019 CM score file as the recipe writes it.

    Each line is ``UTT ATTACK KEY SCORE`` (``scores_eval.txt`` of the
    ASVspoof 2019 recipe: ``KEY`` = ``bonafide`` or ``spoof``, ``ATTACK``
    = ``-`` for bona fide trials, higher scores = more bona fide).

    Arguments
    ---------
    path : str
        The score file (plain text or ``.gz``).

    Returns
    -------
    pandas.DataFrame
        Columns ``trial``, ``attack``, ``key`` (str) and ``score``
        (float64), in file order.

    Raises
    ------
    ValueError
        A line without four columns, an unknown key, a score that is not
        a number, or a trial listed twice; naming the file.

    Example
    -------
    >>> path = getfixture("tmpdir").join("scores_eval.txt")
    >>> _ = path.write("LA_E_1 - bonafide 1.5\\nLA_E_2 A07 spoof -0.25\\n")
    >>> read_cm_scores_2019(str(path)).values.tolist()
    [['LA_E_1', '-', 'bonafide', 1.5], ['LA_E_2', 'A07', 'spoof', -0.25]]
    """
    trials, attacks, keys, texts = read_columns(path, 4, "utt attack key score")
    table = pd.DataFrame(
        {
            "trial": trials,
            "attack": attacks,
            "key": keys,
            "score": _parse_scores(texts, path, 3),
        }
    )
    bad_keys = sorted(set(table["key"]) - set(_CM_KEYS))
    if bad_keys:
        line = int(np.flatnonzero(~table["key"].isin(_CM_KEYS))[0]) + 1
        raise ValueError(
            f"{path}: unknown key(s) {_name_some(bad_keys)} (expected "
            f"bonafide or spoof), first at data line {line}"
        )
    duplicated = table["trial"][table["trial"].duplicated()]
    if len(duplicated):
        raise ValueError(
            f"{path}: {len(duplicated)} trial(s) listed twice: "
            f"{_name_some(duplicated.unique())}"
        )
    return table


# ---------------------------------------------------------------------------
# ASVspoof 2021
# ---------------------------------------------------------------------------


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
    columns = read_columns(path, len(names), f"{track} key: {' '.join(names)}")
    return pd.DataFrame(dict(zip(names, columns)))


def _parse_scores(texts, path, column):
    """Converts score strings to float64, naming the line of a bad value."""
    try:
        return np.asarray(texts, dtype=np.float64)
    except ValueError:
        pass
    for line_number, fields, _ in numbered_fields(path):
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
    trials, texts = read_columns(path, 2, "trial score")
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
    speakers, _, texts = read_columns(
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
