#!/usr/bin/env python3
"""Mean and standard deviation of a system's results over seeds.

The FICA paper reports every system as the mean over seeds 1, 100 and
1000. Run the recipe once per seed (``--seed N``; the output folder ends in
the seed), then::

    python aggregate_seeds.py results/aasist_fica/*/

reads each ``eval/summary_eval.json`` and prints one Markdown row with the
per-seed values and their mean +- standard deviation (sample std, ddof=1).

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import json
import os
import statistics
import sys


def read_summaries(folders, test_name="eval"):
    """Reads ``<folder>/<test_name>/summary_<test_name>.json`` of each run.

    Arguments
    ---------
    folders : list of str
        Experiment folders, one per seed.
    test_name : str
        Test set whose summary is read.

    Returns
    -------
    dict
        ``{folder: summary dict}``.

    Example
    -------
    >>> import os, json
    >>> tmp = getfixture("tmpdir").strpath
    >>> os.makedirs(os.path.join(tmp, "1", "eval"))
    >>> with open(
    ...     os.path.join(tmp, "1", "eval", "summary_eval.json"), "w"
    ... ) as f:
    ...     json.dump({"EER": 1.0, "min_tDCF": 0.03}, f)
    >>> read_summaries([os.path.join(tmp, "1")])[os.path.join(tmp, "1")]["EER"]
    1.0
    """
    summaries = {}
    for folder in folders:
        path = os.path.join(folder, test_name, f"summary_{test_name}.json")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"no test summary in {folder}: {path}")
        with open(path, encoding="utf-8") as f:
            summaries[folder] = json.load(f)
    return summaries


def mean_std(values):
    """Mean and sample standard deviation (0 for a single value).

    Arguments
    ---------
    values : list of float
        The values.

    Returns
    -------
    tuple of float
        ``(mean, std)``.

    Example
    -------
    >>> mean_std([0.5, 0.7, 0.9])
    (0.7, 0.2)
    """
    mean = statistics.fmean(values)
    std = statistics.stdev(values) if len(values) > 1 else 0.0
    return round(mean, 12), round(std, 12)


def format_row(summaries, metrics=("EER", "min_tDCF")):
    """A Markdown table row: per-run values, then mean +- std per metric.

    Arguments
    ---------
    summaries : dict
        ``{folder: summary}`` as returned by :func:`read_summaries`.
    metrics : sequence of str
        Summary keys to aggregate.

    Returns
    -------
    str
        The row.

    Example
    -------
    >>> format_row({"a": {"EER": 1.0}, "b": {"EER": 2.0}}, metrics=["EER"])
    '| 2 runs | EER 1.0000, 2.0000 -> 1.5000 +- 0.7071 |'
    """
    cells = [f"{len(summaries)} runs"]
    for metric in metrics:
        values = [s[metric] for s in summaries.values() if metric in s]
        if not values:
            cells.append(f"{metric} -")
            continue
        mean, std = mean_std(values)
        listed = ", ".join(f"{v:.4f}" for v in values)
        cells.append(f"{metric} {listed} -> {mean:.4f} +- {std:.4f}")
    return "| " + " | ".join(cells) + " |"


def main(argv=None):
    """Command line entry point.

    Arguments
    ---------
    argv : list of str, optional
        Arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", help="experiment folders")
    parser.add_argument("--test_name", default="eval")
    args = parser.parse_args(argv)
    print(format_row(read_summaries(args.folders, args.test_name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
