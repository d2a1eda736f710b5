"""A 2021 submission scored against its key, as the recipe runs it.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os

from speechbrain_fica.metrics.asvspoof2021.breakdowns import (
    df_breakdown,
    la_breakdown,
)
from speechbrain_fica.metrics.asvspoof2021.keys import (
    OFFICIAL_TAGS,
    SUBSETS,
    TRACKS,
)
from speechbrain_fica.metrics.score_files import (
    check_scores_against_key,
    read_cm_key,
    read_score_file,
)
from speechbrain_fica.metrics.tables import write_tables
from speechbrain_fica.utils.strict_json import dump_json, finite_or_none

logger = logging.getLogger(__name__)


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


def evaluate_2021(
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
    >>> result = evaluate_2021("LA", str(key), str(scores), str(folder))
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

    The file is strict JSON: a value that is not finite (an EER that could
    not be computed) is null, with the reason under ``null_reasons``.

    Arguments
    ---------
    results : dict
        ``{track: {"results": output of evaluate_2021, ...}}``.
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
    return dump_json(summary, path)
