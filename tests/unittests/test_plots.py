"""Tests of the DET and score-histogram plots.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pytest

from speechbrain_fica.metrics.plots import plot_det, plot_score_histograms

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    """The file exists, is non-empty and starts with the PNG signature."""
    assert path.is_file()
    assert path.stat().st_size > 1000
    assert path.read_bytes()[:8] == PNG_SIGNATURE


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
