"""The outputs of a scored test set: score file, summary, tables, plots.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import math
import os

import numpy as np  # noqa: F401  (doctests)

from speechbrain_fica.metrics.plots import plot_det, plot_score_histograms
from speechbrain_fica.metrics.tables import write_tables
from speechbrain_fica.utils.strict_json import dump_json

logger = logging.getLogger(__name__)


def write_test_outputs(metrics, stats, folder, name, score_format="2019"):
    """Writes what a test set's evaluation leaves behind.

    * ``scores_<name>.txt``: the score file (``score_format``);
    * ``summary_<name>.json``: ``stats``, the absolute path of the score
      file and, when the EER is computable, the per-attack rows; strict
      JSON, a metric that could not be computed is ``null`` and
      ``null_reasons`` says why;
    * when the EER is computable: ``<name>_per_attack.{csv,md}`` (if the
      trials have attack ids), ``det_<name>.png`` and ``hist_<name>.png``.
      Those of an earlier evaluation into the same folder are removed
      when this one does not write them, so no table or plot outlives
      the scores it was drawn from.

    Arguments
    ---------
    metrics : speechbrain_fica.metrics.stats.SpoofMetricStats
        The scored trials.
    stats : dict
        Their summary (``EER``, ``min_tDCF``, counts, ...).
    folder : str
        Output folder (created).
    name : str
        The test set's name (``eval``, ``LA2021``, ...).
    score_format : str
        ``"2019"`` (``utt attack key score``) or ``"2021"`` (``utt score``).

    Returns
    -------
    dict
        The summary as written.

    Example
    -------
    >>> from speechbrain_fica.metrics.stats import SpoofMetricStats
    >>> stats = SpoofMetricStats()
    >>> stats.append(["a", "b"], [0.5, 0.5], [1, 0])
    >>> folder = getfixture("tmpdir").strpath
    >>> summary = write_test_outputs(
    ...     stats, {"EER": float("nan")}, folder, "eval"
    ... )
    >>> summary["EER"], summary["null_reasons"]["EER"]
    (None, 'value was nan')
    """
    folder = os.path.abspath(folder)
    os.makedirs(folder, exist_ok=True)
    scores_path = os.path.join(folder, f"scores_{name}.txt")
    metrics.write_scores(scores_path, fmt=score_format)
    summary = {"set": name, "scores": scores_path, **stats}
    derived = [
        os.path.join(folder, f"{name}_per_attack.csv"),
        os.path.join(folder, f"{name}_per_attack.md"),
        os.path.join(folder, f"det_{name}.png"),
        os.path.join(folder, f"hist_{name}.png"),
    ]
    for path in derived:
        if os.path.lexists(path):
            os.remove(path)
    eer = stats.get("EER")
    if eer is not None and math.isfinite(eer):
        scores, labels, attacks = metrics.arrays()
        if attacks is not None:
            table = metrics.per_attack()
            write_tables({"per_attack": table}, folder, prefix=name)
            records = table.reset_index().to_dict(orient="records")
            summary["per_attack"] = records
        bonafide, spoof = scores[labels == 1], scores[labels == 0]
        plot_det(
            {name: (bonafide, spoof)},
            os.path.join(folder, f"det_{name}.png"),
            title=f"DET: {name}",
        )
        plot_score_histograms(
            scores,
            labels,
            os.path.join(folder, f"hist_{name}.png"),
            attacks=attacks,
            title=f"Scores: {name}",
        )
    reasons = dict(stats.get("reasons", {}))
    summary.pop("reasons", None)
    written = dump_json(
        summary, os.path.join(folder, f"summary_{name}.json"), reasons
    )
    logger.info("test outputs for %s written to %s", name, folder)
    return written
