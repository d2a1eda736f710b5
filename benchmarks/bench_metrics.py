#!/usr/bin/env python3
"""Timing of the CM metrics (EER, min t-DCF, 2021 DF breakdown).

Measures, on synthetic continuous scores:

* ``compute_eer``, ``min_tdcf_2021`` + ``min_tdcf_2019`` on 611,829 trials
  (the size of the ASVspoof 2021 DF key; target < 1 s each);
* the ASV operating point on ASV scores of the 2019 LA eval size;
* reading a 611,829-line DF key and the DF breakdown table;
* ``speechbrain.utils.metric_stats.EER`` (quadratic) vs ``compute_eer``
  on smaller sets, in the same run, with the speed ratio.

Each timing is the median of a few repeats. Prints a table and writes
JSON.

Usage::

    python benchmarks/bench_metrics.py [--out benchmarks/results/metrics.json]

Authors
 * speechbrain-fica contributors 2026
"""

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import torch
from speechbrain.utils.metric_stats import EER as speechbrain_eer

from speechbrain_fica.metrics.asvspoof2021.breakdowns import df_breakdown
from speechbrain_fica.metrics.asvspoof2021.keys import DF_CODECS, DF_VOCODERS
from speechbrain_fica.metrics.det import compute_eer
from speechbrain_fica.metrics.score_files import read_cm_key
from speechbrain_fica.metrics.tdcf import (
    asv_operating_point,
    min_tdcf_2019,
    min_tdcf_2021,
)

DF_TRIALS = 611_829
BONAFIDE_FRACTION = 0.05
# ASV trial counts of the 2019 LA eval ASV score file.
ASV_SIZES = {"target": 5_370, "nontarget": 33_327, "spoof": 63_882}


def median_time(function, repeats):
    """Median wall time (s) of ``function()`` and the individual times."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def synthetic_cm_scores(n_trials, rng):
    """Continuous bona fide / spoof scores (no ties)."""
    n_bonafide = int(round(n_trials * BONAFIDE_FRACTION))
    bonafide = rng.normal(2.0, 1.0, n_bonafide)
    spoof = rng.normal(-2.0, 1.5, n_trials - n_bonafide)
    return bonafide, spoof


def synthetic_asv_point(rng):
    """ASV operating point from ASV scores of the 2019 LA eval size."""
    target = rng.normal(5.0, 2.0, ASV_SIZES["target"])
    nontarget = rng.normal(-5.0, 2.0, ASV_SIZES["nontarget"])
    spoof = rng.normal(1.0, 3.0, ASV_SIZES["spoof"])
    return (target, nontarget, spoof), asv_operating_point(
        target, nontarget, spoof
    )


def synthetic_df_key(bonafide, spoof, rng):
    """An in-memory DF key + score table with the official factor values."""
    n_trials = bonafide.size + spoof.size
    trials = np.array([f"DF_E_{index:07d}" for index in range(n_trials)])
    is_bonafide = np.arange(n_trials) < bonafide.size
    vocoder = rng.choice(DF_VOCODERS, n_trials).astype(object)
    vocoder[is_bonafide] = "-"
    key = pd.DataFrame(
        {
            "speaker": "LA_0023",
            "trial": trials,
            "compr": rng.choice(DF_CODECS, n_trials),
            "source": "asvspoof",
            "attack": np.where(is_bonafide, "bonafide", "A14"),
            "label": np.where(is_bonafide, "bonafide", "spoof"),
            "trim": "notrim",
            "subset": rng.choice(["eval", "progress"], n_trials, p=[0.9, 0.1]),
            "vocoder": vocoder,
            "task": "-",
            "team": "-",
            "gender-pair": "-",
            "language": "-",
        }
    )
    order = rng.permutation(n_trials)  # score files need not follow the key
    scores = pd.DataFrame(
        {
            "trial": trials[order],
            "score": np.concatenate((bonafide, spoof))[order],
        }
    )
    return key, scores


def run(args):
    """Runs all timings; returns the JSON-serialisable results."""
    rng = np.random.default_rng(args.seed)
    results = []

    def record(name, n_trials, function, repeats=args.repeats):
        median, times = median_time(function, repeats)
        results.append(
            {
                "name": name,
                "n_trials": n_trials,
                "median_s": median,
                "times_s": times,
            }
        )
        print(f"{name:<44} {n_trials:>9,} {median:>10.4f} s")
        return median

    print(f"{'measurement':<44} {'trials':>9} {'median':>12}")
    bonafide, spoof = synthetic_cm_scores(DF_TRIALS, rng)
    asv_arrays, point = synthetic_asv_point(rng)
    record("compute_eer", DF_TRIALS, lambda: compute_eer(bonafide, spoof))
    record(
        "min_tdcf_2021 (ASV operating point given)",
        DF_TRIALS,
        lambda: min_tdcf_2021(bonafide, spoof, asv=point),
    )
    record(
        "min_tdcf_2019 (ASV operating point given)",
        DF_TRIALS,
        lambda: min_tdcf_2019(bonafide, spoof, asv=point),
    )
    record(
        "min_tdcf_2021 + min_tdcf_2019",
        DF_TRIALS,
        lambda: (
            min_tdcf_2021(bonafide, spoof, asv=point),
            min_tdcf_2019(bonafide, spoof, asv=point),
        ),
    )
    record(
        "asv_operating_point (2019 LA eval size)",
        sum(ASV_SIZES.values()),
        lambda: asv_operating_point(*asv_arrays),
    )

    key, scores = synthetic_df_key(bonafide, spoof, rng)
    with tempfile.TemporaryDirectory() as folder:
        key_path = os.path.join(folder, "trial_metadata.txt")
        key.to_csv(key_path, sep=" ", header=False, index=False)
        record(
            "read_cm_key (DF, 13 columns)",
            DF_TRIALS,
            lambda: read_cm_key(key_path, "DF"),
            repeats=max(1, args.repeats // 2),
        )
    record(
        "df_breakdown (checks + 6 x 10 table)",
        DF_TRIALS,
        lambda: df_breakdown(key, scores),
        repeats=max(1, args.repeats // 2),
    )

    comparison = []
    print(
        f"\n{'speechbrain EER vs compute_eer':<32} {'trials':>7} "
        f"{'speechbrain':>12} {'ours':>10} {'ratio':>8}"
    )
    for n_trials in args.sb_sizes:
        small_bonafide, small_spoof = synthetic_cm_scores(n_trials, rng)
        positive = torch.from_numpy(small_bonafide)
        negative = torch.from_numpy(small_spoof)
        sb_median, sb_times = median_time(
            lambda p=positive, n=negative: speechbrain_eer(p, n),
            args.sb_repeats,
        )
        our_median, our_times = median_time(
            lambda b=small_bonafide, s=small_spoof: compute_eer(b, s),
            args.repeats,
        )
        sb_value = speechbrain_eer(positive, negative)[0]
        our_value = compute_eer(small_bonafide, small_spoof)[0]
        ratio = sb_median / our_median
        comparison.append(
            {
                "n_trials": n_trials,
                "speechbrain_median_s": sb_median,
                "speechbrain_times_s": sb_times,
                "ours_median_s": our_median,
                "ours_times_s": our_times,
                "ratio_speechbrain_over_ours": ratio,
                "speechbrain_eer": sb_value,
                "our_eer": our_value,
            }
        )
        print(
            f"{'':<32} {n_trials:>7,} {sb_median:>10.3f} s "
            f"{our_median:>8.4f} s {ratio:>7.0f}x  (EER {100 * sb_value:.4f} "
            f"% vs {100 * our_value:.4f} %)"
        )
    return {
        "description": __doc__.split("\n\n")[0],
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor(),
            "cpu_count": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
        },
        "settings": {
            "seed": args.seed,
            "repeats": args.repeats,
            "speechbrain_repeats": args.sb_repeats,
            "bonafide_fraction": BONAFIDE_FRACTION,
        },
        "results": results,
        "speechbrain_eer_vs_compute_eer": comparison,
    }


def main():
    """Parses the arguments, runs the benchmark and writes the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out",
        default=os.path.join("benchmarks", "results", "metrics.json"),
        help="output JSON path",
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sb-repeats", type=int, default=3)
    parser.add_argument(
        "--sb-sizes", type=int, nargs="+", default=[10_000, 30_000]
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with warnings.catch_warnings():
        # The synthetic scores must never trigger the direction warning.
        warnings.filterwarnings("error", message=".*negated scores")
        report = run(args)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as stream:
        json.dump(report, stream, indent=1)
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
