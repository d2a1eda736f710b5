"""Tests of the DET, score-histogram and ablation plots.

Authors
 * speechbrain-fica contributors 2026
"""

import struct

import numpy as np
import pandas as pd
import pytest

from speechbrain_fica.metrics.plots import (
    plot_ablation,
    plot_det,
    plot_score_histograms,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    """The file exists, is non-empty and starts with the PNG signature."""
    assert path.is_file()
    assert path.stat().st_size > 1000
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def png_size(path):
    """Width and height in pixels, from the PNG header."""
    return struct.unpack(">II", path.read_bytes()[16:24])


def test_plot_det_writes_png(tmp_path):
    rng = np.random.default_rng(0)
    curves = {
        "good": (rng.normal(3, 1, 400), rng.normal(-3, 1, 2000)),
        "weak": (rng.normal(0.5, 1, 400), rng.normal(-0.5, 1, 2000)),
        # Integer scores with many ties and a perfect separation.
        "perfect": (rng.integers(5, 9, 50), rng.integers(0, 4, 50)),
    }
    path = tmp_path / "det.png"
    eers = plot_det(curves, str(path), title="DET")
    assert_png(path)
    assert set(eers) == set(curves)
    assert eers["perfect"] == 0.0
    assert eers["good"] < eers["weak"] < 50
    # A near-chance curve widens the axes; still written.
    bad = tmp_path / "det_bad.png"
    plot_det(
        {"chance": (rng.normal(0, 1, 300), rng.normal(0, 1, 300))}, str(bad)
    )
    assert_png(bad)
    with pytest.raises(ValueError, match="at least one curve"):
        plot_det({}, str(tmp_path / "none.png"))


def test_plot_score_histograms_writes_png(tmp_path):
    rng = np.random.default_rng(1)
    scores = np.concatenate([rng.normal(2, 1, 300), rng.normal(-2, 1, 900)])
    labels = np.array([1] * 300 + [0] * 900)
    attacks = ["-"] * 300 + ["A01"] * 300 + ["A02"] * 300 + ["A03"] * 300
    pooled = tmp_path / "hist.png"
    plot_score_histograms(scores, labels, str(pooled), title="Scores")
    assert_png(pooled)
    per_attack = tmp_path / "hist_attacks.png"
    plot_score_histograms(scores, labels, str(per_attack), attacks=attacks)
    assert_png(per_attack)
    with pytest.raises(ValueError, match="attack ids"):
        plot_score_histograms(scores, labels, str(pooled), attacks=["-"])


def ablation_table(with_tdcf):
    """A report table as metrics.ablation builds it: 3 rows x 3 seeds, one
    seed of one row unfinished (NaN)."""
    nan = float("nan")
    columns = {
        "EER_seed1": [25.0, 22.0, 26.8],
        "EER_seed100": [26.3, 28.1, nan],
        "EER_seed1000": [26.4, 24.0, 29.0],
        "dEER": [nan, -1.1, 2.2],
        "dEER_low": [nan, -4.4, -2.3],
        "dEER_high": [nan, 3.3, 7.6],
    }
    if with_tdcf:
        columns.update(
            {
                "min_tDCF_seed1": [0.55, 0.50, 0.59],
                "min_tDCF_seed100": [0.59, 0.62, nan],
                "min_tDCF_seed1000": [0.56, 0.55, 0.51],
                "dmin_tDCF": [nan, -0.01, 0.02],
                "dmin_tDCF_low": [nan, -0.09, -0.07],
                "dmin_tDCF_high": [nan, 0.11, 0.15],
            }
        )
    return pd.DataFrame(
        columns, index=pd.Index(["baseline", "+InF", "+InI"], name="row")
    )


def test_plot_ablation_one_panel_per_metric_and_difference(tmp_path):
    full, eer_only = tmp_path / "full.png", tmp_path / "eer.png"
    plot_ablation(ablation_table(with_tdcf=True), str(full), title="LCNN")
    plot_ablation(ablation_table(with_tdcf=False), str(eer_only))
    assert_png(full)
    assert_png(eer_only)
    # EER, min t-DCF and both differences; EER and dEER only
    (full_width, full_height), (eer_width, eer_height) = (
        png_size(full),
        png_size(eer_only),
    )
    assert full_width == 2 * eer_width
    assert full_height == eer_height
    with pytest.raises(ValueError, match="at least one row"):
        plot_ablation(ablation_table(True).iloc[:0], str(tmp_path / "x.png"))
