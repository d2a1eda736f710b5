"""The report of an ablation study: rows (systems) trained with several seeds.

The runs are laid out as ``<root>/<row>/<seed>/`` (one recipe output
folder each), and a run is finished when its test summary
``<row>/<seed>/<test>/summary_<test>.json`` exists; its scores are in
``scores_<test>.txt`` (``utt attack key score``). The report, in the style
of Table 1 of the FICA paper, has

* per row: EER (%) and min t-DCF, mean and sample standard deviation
  (``ddof=1``) over the seeds, and the value of every seed;
* per row and attack: the EER (%) averaged over the seeds;
* per row other than the baseline: the difference to the baseline,
  ``mean over seeds of metric(row) - metric(baseline)``, with a
  confidence interval and ``P(row better)`` from the paired bootstrap of
  :mod:`speechbrain_fica.metrics.significance` (trials resampled per
  class, and seeds, with replacement; the same draws for the row and the
  baseline). Only seeds finished for both the row and the baseline are
  paired. The min t-DCF difference needs the ASV scores (C1 and C2 of the
  2019 t-DCF are computed from them and held fixed); without them only
  the EER is compared.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import os
import statistics

import numpy as np
import pandas as pd

from speechbrain_fica.metrics.plots import plot_ablation
from speechbrain_fica.metrics.score_files import (
    check_scores_against_key,
    read_asv_scores_2019,
    read_cm_scores_2019,
)
from speechbrain_fica.metrics.significance import paired_bootstrap
from speechbrain_fica.metrics.tables import POOLED
from speechbrain_fica.metrics.tdcf import AsvScores, tdcf_2019_coefficients

METRICS = ("EER", "min_tDCF")
_METRIC_NAMES = {"EER": "EER (%)", "min_tDCF": "min t-DCF"}
# EER in % and min t-DCF: digits in the Markdown tables.
_DIGITS = {"EER": 2, "min_tDCF": 4}


def mean_std(values):
    """Mean and sample standard deviation (``ddof=1``; 0 for one value).

    Arguments
    ---------
    values : list of float
        The values (e.g. one per seed).

    Returns
    -------
    tuple of float
        ``(mean, std)``.

    Example
    -------
    >>> mean_std([0.5, 0.7, 0.9])
    (0.7, 0.2)
    >>> mean_std([4.0])
    (4.0, 0.0)
    """
    values = [float(value) for value in values]
    if not values:
        raise ValueError("mean_std needs at least one value")
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return round(mean, 12), round(std, 12)


def run_folder(root, row, seed):
    """The output folder of one run: ``<root>/<row>/<seed>``.

    Example
    -------
    >>> run_folder("results/ablation", "+InF", 100)
    'results/ablation/+InF/100'
    """
    return os.path.join(str(root), str(row), str(seed))


def summary_path(folder, test_name="eval"):
    """``<folder>/<test_name>/summary_<test_name>.json``: a finished run.

    Example
    -------
    >>> summary_path("runs/baseline/1")
    'runs/baseline/1/eval/summary_eval.json'
    """
    return os.path.join(folder, test_name, f"summary_{test_name}.json")


def is_finished(folder, test_name="eval"):
    """Whether the run in ``folder`` wrote its test summary."""
    return os.path.isfile(summary_path(folder, test_name))


def discover_runs(root, test_name="eval"):
    """Rows and seeds of the finished runs found under ``root``.

    Arguments
    ---------
    root : str
        The ablation folder (``<root>/<row>/<seed>/``).
    test_name : str
        Test set whose summary marks a finished run.

    Returns
    -------
    rows : list of str
        Row folders with at least one finished run, sorted by name.
    seeds : list of int
        Seeds (numeric folder names) finished in any row, ascending.

    Example
    -------
    >>> root = getfixture("tmpdir")
    >>> root.join("baseline", "1", "eval", "summary_eval.json").write(
    ...     "{}", ensure=True
    ... )
    >>> discover_runs(str(root))
    (['baseline'], [1])
    """
    rows, seeds = [], set()
    if not os.path.isdir(root):
        raise FileNotFoundError(f"no ablation folder {root}")
    for row in sorted(os.listdir(root)):
        row_folder = os.path.join(root, row)
        if not os.path.isdir(row_folder):
            continue
        found = [
            int(name)
            for name in os.listdir(row_folder)
            if name.isdigit() and is_finished(run_folder(root, row, name))
        ]
        if found:
            rows.append(row)
            seeds.update(found)
    return rows, sorted(seeds)


def read_summaries(root, rows, seeds, test_name="eval"):
    """Test summaries of the finished runs.

    Arguments
    ---------
    root : str
        The ablation folder.
    rows : list of str
        Rows to read.
    seeds : list of int
        Seeds to read.
    test_name : str
        Test set.

    Returns
    -------
    summaries : dict
        ``{row: {seed: summary dict}}`` for the finished runs only.
    missing : list of tuple
        ``(row, seed)`` of the runs without a summary.

    Example
    -------
    >>> root = getfixture("tmpdir")
    >>> root.join("a", "1", "eval", "summary_eval.json").write(
    ...     '{"EER": 1.5}', ensure=True
    ... )
    >>> read_summaries(str(root), ["a"], [1, 2])
    ({'a': {1: {'EER': 1.5}}}, [('a', 2)])
    """
    summaries, missing = {}, []
    for row in rows:
        summaries[row] = {}
        for seed in seeds:
            path = summary_path(run_folder(root, row, seed), test_name)
            if not os.path.isfile(path):
                missing.append((row, seed))
                continue
            with open(path, encoding="utf-8") as stream:
                try:
                    summaries[row][seed] = json.load(stream)
                except json.JSONDecodeError as error:
                    raise ValueError(
                        f"{path}: not valid JSON: {error}"
                    ) from None
    return summaries, missing


def _metric_value(summary, metric):
    """A metric of a summary as a float: NaN when it is absent or null
    (strict JSON summaries write a metric that could not be computed as
    null)."""
    value = summary.get(metric)
    return np.nan if value is None else float(value)


def seed_table(summaries, seeds):
    """Mean ± std over seeds and the per-seed values of every row.

    Arguments
    ---------
    summaries : dict
        ``{row: {seed: summary}}`` (:func:`read_summaries`).
    seeds : list of int
        Seeds, in column order.

    Returns
    -------
    pandas.DataFrame
        Index ``row``; columns ``n_seeds``, ``<metric>_mean``,
        ``<metric>_std`` and ``<metric>_seed<s>`` for ``EER`` (%) and
        ``min_tDCF`` (NaN where a run or a metric is missing).

    Example
    -------
    >>> table = seed_table(
    ...     {"a": {1: {"EER": 1.0}, 2: {"EER": 2.0}}, "b": {1: {"EER": 4.0}}},
    ...     [1, 2],
    ... )
    >>> table[["n_seeds", "EER_mean", "EER_std", "EER_seed2"]].values.tolist()
    [[2.0, 1.5, 0.707106781187, 2.0], [1.0, 4.0, 0.0, nan]]
    >>> seed_table({"a": {1: {"EER": None}, 2: {"EER": 2.0}}}, [1, 2])[
    ...     ["EER_mean", "EER_seed1"]
    ... ].values.tolist()
    [[nan, nan]]
    """
    records = {}
    for row, by_seed in summaries.items():
        record = {"n_seeds": float(len(by_seed))}
        for metric in METRICS:
            # null in a summary (not computable) is NaN and makes the
            # mean NaN; a run without the metric is left out.
            per_seed = {
                seed: _metric_value(by_seed.get(seed, {}), metric)
                for seed in seeds
            }
            values = [
                per_seed[seed]
                for seed in seeds
                if seed in by_seed and metric in by_seed[seed]
            ]
            mean, std = np.nan, np.nan
            if values and not np.isnan(values).any():
                mean, std = mean_std(values)
            record[f"{metric}_mean"] = mean
            record[f"{metric}_std"] = std
            for seed, value in per_seed.items():
                record[f"{metric}_seed{seed}"] = value
        records[row] = record
    table = pd.DataFrame.from_dict(records, orient="index")
    table.index.name = "row"
    return table


def per_attack_table(summaries):
    """EER (%) per attack, averaged over each row's finished seeds.

    Arguments
    ---------
    summaries : dict
        ``{row: {seed: summary}}``; the summaries' ``per_attack`` records.

    Returns
    -------
    pandas.DataFrame
        Index ``row``; one column per attack (sorted), ``Pooled`` last.

    Example
    -------
    >>> summary = {
    ...     "per_attack": [
    ...         {"attack": "A07", "EER": 1.0},
    ...         {"attack": "Pooled", "EER": 0.5},
    ...     ]
    ... }
    >>> per_attack_table({"a": {1: summary}}).values.tolist()
    [[1.0, 0.5]]
    """
    records = {}
    for row, by_seed in summaries.items():
        values = {}
        for summary in by_seed.values():
            for record in summary.get("per_attack", []):
                values.setdefault(record["attack"], []).append(
                    _metric_value(record, "EER")
                )
        records[row] = {
            attack: float(np.mean(eers)) for attack, eers in values.items()
        }
    table = pd.DataFrame.from_dict(records, orient="index")
    attacks = sorted(c for c in table.columns if c != POOLED)
    table = table[attacks + ([POOLED] if POOLED in table.columns else [])]
    table.index.name = "row"
    return table


def _aligned_scores(root, rows, seeds, test_name):
    """``{row: [seeds, trials]}`` scores aligned to one trial order."""
    reference = None
    scores = {}
    for row in rows:
        per_seed = []
        for seed in seeds:
            folder = os.path.join(run_folder(root, row, seed), test_name)
            path = os.path.join(folder, f"scores_{test_name}.txt")
            if not os.path.isfile(path):
                raise FileNotFoundError(
                    f"run {row}/{seed} has a summary but no score file {path}"
                )
            table = read_cm_scores_2019(path)
            if reference is None:
                reference, reference_path = table, path
            try:
                aligned = check_scores_against_key(table, reference[["trial"]])
            except ValueError as error:
                raise ValueError(
                    f"{path} and {reference_path} do not score the same "
                    f"trials: {error}"
                ) from None
            keys = pd.Series(table["key"].to_numpy(), index=table["trial"])
            if (
                keys.loc[reference["trial"]].to_numpy()
                != reference["key"].to_numpy()
            ).any():
                raise ValueError(
                    f"{path} and {reference_path} give different keys "
                    "(bonafide / spoof) to the same trials"
                )
            per_seed.append(aligned["score"].to_numpy())
        scores[row] = np.stack(per_seed)
    labels = (reference["key"] == "bonafide").to_numpy().astype(np.int64)
    return scores, labels


def tdcf_2019_coefficients_of(asv_scores):
    """``(0, C1, C2)`` of the legacy t-DCF from ASV scores (or a path)."""
    if not isinstance(asv_scores, AsvScores):
        asv_scores = read_asv_scores_2019(asv_scores)
    c1, c2 = tdcf_2019_coefficients(asv_scores)
    return 0.0, c1, c2


def difference_table(
    root,
    summaries,
    baseline,
    test_name="eval",
    n_replicates=1000,
    confidence=0.95,
    bootstrap_seed=0,
    asv_scores=None,
):
    """Each row minus the baseline, with paired bootstrap intervals.

    Arguments
    ---------
    root : str
        The ablation folder (score files are read from the runs).
    summaries : dict
        ``{row: {seed: summary}}`` of the finished runs.
    baseline : str
        The reference row.
    test_name : str
        Test set.
    n_replicates : int
        Bootstrap replicates.
    confidence : float
        Coverage of the intervals.
    bootstrap_seed : int
        Seed of the resampling.
    asv_scores : str or AsvScores, optional
        ASV scores for the min t-DCF difference (2019 t-DCF).

    Returns
    -------
    pandas.DataFrame
        Index ``row`` (rows other than the baseline with a paired seed);
        columns ``paired_seeds`` and, for ``EER`` (percentage points) and
        with ASV scores ``min_tDCF``: ``d<metric>``, ``d<metric>_low``,
        ``d<metric>_high``, ``P_better_<metric>``.
    """
    coefficients = None
    if asv_scores is not None:
        coefficients = tdcf_2019_coefficients_of(asv_scores)
    baseline_seeds = set(summaries.get(baseline, {}))
    groups = {}
    for row, by_seed in summaries.items():
        paired = tuple(sorted(baseline_seeds & set(by_seed)))
        if row != baseline and paired:
            groups.setdefault(paired, []).append(row)
    records = {}
    for paired, rows in groups.items():
        scores, labels = _aligned_scores(
            root, [baseline] + rows, list(paired), test_name
        )
        results = paired_bootstrap(
            scores,
            labels,
            baseline,
            n_replicates=n_replicates,
            confidence=confidence,
            seed=bootstrap_seed,
            tdcf_coefficients=coefficients,
        )
        for row in rows:
            record = {"paired_seeds": " ".join(str(s) for s in paired)}
            for metric, entry in results[row].items():
                scale = 100.0 if metric == "EER" else 1.0
                interval = entry["difference"]
                record[f"d{metric}"] = scale * interval.estimate
                record[f"d{metric}_low"] = scale * interval.low
                record[f"d{metric}_high"] = scale * interval.high
                record[f"P_better_{metric}"] = interval.p_better
            records[row] = record
    order = [row for row in summaries if row in records]
    table = pd.DataFrame.from_dict(records, orient="index").reindex(order)
    table.index.name = "row"
    return table


def _number(value, digits):
    return "-" if value != value else f"{value:.{digits}f}"


def _signed(value, digits):
    return "-" if value != value else f"{value:+.{digits}f}"


def format_markdown(
    seeds_table,
    attacks_table,
    differences,
    seeds,
    baseline,
    title="Ablation",
    notes=(),
    confidence=0.95,
    n_replicates=1000,
):
    """The Markdown report of :func:`ablation_report`'s tables."""
    percent = f"{100 * confidence:g} %"
    lines = [f"# {title}", ""]
    lines += [
        "## EER and min t-DCF over seeds",
        "",
        "Mean ± sample standard deviation over the finished seeds "
        f"({', '.join(str(s) for s in seeds)}).",
        "",
        "| row | seeds | EER (%) | min t-DCF | EER per seed | "
        "min t-DCF per seed |",
        "|---|---:|---:|---:|---|---|",
    ]
    for row, record in seeds_table.iterrows():
        cells = [row, str(int(record["n_seeds"]))]
        for metric in METRICS:
            digits = _DIGITS[metric]
            cells.append(
                f"{_number(record[f'{metric}_mean'], digits)} ± "
                f"{_number(record[f'{metric}_std'], digits)}"
            )
        for metric in METRICS:
            cells.append(
                ", ".join(
                    _number(record[f"{metric}_seed{seed}"], _DIGITS[metric])
                    for seed in seeds
                )
            )
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"## Difference to {baseline}", ""]
    if differences is None or differences.empty:
        lines.append(
            f"No difference computed: the row {baseline!r} has no finished "
            "run paired with another row."
        )
    else:
        metrics = [m for m in METRICS if f"d{m}" in differences.columns]
        lines += [
            f"Mean over paired seeds of row - {baseline} (negative: the row "
            f"is better); {percent} paired bootstrap interval over eval "
            f"trials (bona fide and spoof resampled separately) and seeds, "
            f"{n_replicates} replicates; P(row better) = share of "
            "replicates where the row's metric is lower.",
            "",
        ]
        header = ["row", "paired seeds"]
        for metric in metrics:
            name = "EER (pp)" if metric == "EER" else _METRIC_NAMES[metric]
            header += [f"d{name}", f"{percent} CI", "P(row better)"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|---|---|" + "---:|---|---:|" * len(metrics))
        for row, record in differences.iterrows():
            cells = [row, str(record["paired_seeds"])]
            for metric in metrics:
                digits = _DIGITS[metric]
                cells += [
                    _signed(record[f"d{metric}"], digits),
                    f"[{_signed(record[f'd{metric}_low'], digits)}, "
                    f"{_signed(record[f'd{metric}_high'], digits)}]",
                    f"{record[f'P_better_{metric}']:.3f}",
                ]
            lines.append("| " + " | ".join(cells) + " |")
        if "dmin_tDCF" not in differences.columns:
            lines += [
                "",
                "min t-DCF differences need the ASV scores (not found): "
                "EER only.",
            ]
    if attacks_table is not None and not attacks_table.empty:
        lines += [
            "",
            "## EER (%) per attack, mean over seeds",
            "",
            "| row | " + " | ".join(attacks_table.columns) + " |",
            "|---|" + "---:|" * len(attacks_table.columns),
        ]
        for row, record in attacks_table.iterrows():
            cells = [_number(value, 2) for value in record.tolist()]
            lines.append(f"| {row} | " + " | ".join(cells) + " |")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def ablation_report(
    root,
    rows=None,
    seeds=None,
    baseline="baseline",
    test_name="eval",
    n_replicates=1000,
    confidence=0.95,
    bootstrap_seed=0,
    asv_scores=None,
    title=None,
    notes=(),
):
    """Reads an ablation folder and builds its report.

    Arguments
    ---------
    root : str
        The ablation folder (``<root>/<row>/<seed>/``).
    rows : list of str, optional
        Rows in report order (default: the row folders found).
    seeds : list of int, optional
        Seeds (default: the seeds found).
    baseline : str
        The row the others are compared with.
    test_name : str
        Test set.
    n_replicates : int
        Bootstrap replicates of the differences.
    confidence : float
        Coverage of the intervals.
    bootstrap_seed : int
        Seed of the resampling.
    asv_scores : str or AsvScores, optional
        ASV scores for the min t-DCF difference.
    title : str, optional
        Title of the Markdown report (default: from the folder's name).
    notes : sequence of str
        Extra lines for the report's notes (e.g. failed runs).

    Returns
    -------
    dict
        ``table`` (one row per system: :func:`seed_table`, the differences
        and the per-attack EERs as ``EER_<attack>`` columns), ``seeds``,
        ``per_attack``, ``differences``, ``missing`` (``(row, seed)``
        without a finished run), ``markdown`` and its ``title``.
    """
    if rows is None or seeds is None:
        found_rows, found_seeds = discover_runs(root, test_name)
        rows = found_rows if rows is None else rows
        seeds = found_seeds if seeds is None else seeds
    seeds = [int(seed) for seed in seeds]
    summaries, missing = read_summaries(root, rows, seeds, test_name)
    finished = {row: runs for row, runs in summaries.items() if runs}
    notes = list(notes)
    for row in rows:
        if not summaries[row]:
            notes.append(f"row {row}: no finished run")
    # a started run without a summary may be running or have failed; one
    # never started is only a gap in the rows x seeds grid
    started = [
        (row, seed)
        for row, seed in missing
        if os.path.isdir(run_folder(root, row, seed))
    ]
    never = [run for run in missing if run not in started]
    for runs, what in ((started, "started, no summary"), (never, "not run")):
        if runs:
            notes.append(
                f"runs {what} (not in the table): "
                + ", ".join(f"{row}/{seed}" for row, seed in runs)
            )
    seeds_table = seed_table(finished, seeds)
    attacks = per_attack_table(finished)
    differences = None
    if baseline in finished:
        differences = difference_table(
            root,
            finished,
            baseline,
            test_name=test_name,
            n_replicates=n_replicates,
            confidence=confidence,
            bootstrap_seed=bootstrap_seed,
            asv_scores=asv_scores,
        )
    table = seeds_table
    if differences is not None and not differences.empty:
        table = table.join(differences)
    table = table.join(attacks.add_prefix("EER_"))
    title = title or f"Ablation: {os.path.basename(os.path.normpath(root))}"
    markdown = format_markdown(
        seeds_table,
        attacks,
        differences,
        seeds,
        baseline,
        title=title,
        notes=notes,
        confidence=confidence,
        n_replicates=n_replicates,
    )
    return {
        "table": table,
        "seeds": seeds_table,
        "per_attack": attacks,
        "differences": differences,
        "missing": missing,
        "markdown": markdown,
        "title": title,
    }


def write_ablation_report(report, root, name="ablation", baseline="baseline"):
    """Writes ``<root>/<name>.md``, ``<root>/<name>.csv`` and the figure
    ``<root>/<name>.png`` (:func:`.plots.plot_ablation`).

    Arguments
    ---------
    report : dict
        As returned by :func:`ablation_report`.
    root : str
        The ablation folder.
    name : str
        File name stem.
    baseline : str
        The row the differences are taken to (dashed in the figure).

    Returns
    -------
    tuple of str
        Paths of the Markdown, the CSV and the PNG file.
    """
    markdown_path = os.path.join(root, f"{name}.md")
    csv_path = os.path.join(root, f"{name}.csv")
    with open(markdown_path, "w", encoding="utf-8") as stream:
        stream.write(report["markdown"])
    report["table"].to_csv(csv_path)
    figure_path = os.path.join(root, f"{name}.png")
    plot_ablation(
        report["table"],
        figure_path,
        baseline=baseline,
        title=report.get("title"),
    )
    return markdown_path, csv_path, figure_path
