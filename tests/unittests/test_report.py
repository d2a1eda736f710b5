"""Tests of ``speechbrain_fica.metrics.report.write_test_outputs``: the
files a scored test set leaves, a strict-JSON summary with absolute paths,
and ``null`` with a reason (and no plots) when the EER is not computable.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import os
import warnings

import numpy as np
import pandas as pd
import pytest

from speechbrain_fica.metrics.report import write_test_outputs
from speechbrain_fica.metrics.score_files import read_cm_scores_2019
from speechbrain_fica.metrics.stats import SpoofMetricStats


def strict_json(path):
    """The JSON document, refusing NaN / Infinity."""

    def refuse(name):
        raise ValueError(f"{path}: non-standard JSON constant {name}")

    with open(path, encoding="utf-8") as stream:
        return json.load(stream, parse_constant=refuse)


@pytest.fixture
def scored(synthetic, asv_scores):
    """Every 7th synthetic trial (bona fide and A01-A06), with the eval ASV
    scores."""
    stats = SpoofMetricStats(asv=asv_scores["eval"])
    rows = slice(0, None, 7)
    stats.append(
        synthetic["ids"][rows],
        synthetic["scores"][rows],
        synthetic["labels"][rows],
        synthetic["attacks"][rows],
    )
    return stats


def test_outputs_of_a_scored_set(scored, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stats = scored.summarize()
    summary = write_test_outputs(scored, stats, "results/eval", "eval")
    folder = tmp_path / "results" / "eval"
    assert sorted(os.listdir(folder)) == [
        "det_eval.png",
        "eval_per_attack.csv",
        "eval_per_attack.md",
        "hist_eval.png",
        "scores_eval.txt",
        "summary_eval.json",
    ]
    for plot in ("det_eval.png", "hist_eval.png"):
        with open(folder / plot, "rb") as stream:
            assert stream.read(8) == b"\x89PNG\r\n\x1a\n"
    written = strict_json(folder / "summary_eval.json")
    assert written == summary
    # Absolute path of the score file, though the folder was relative.
    assert written["scores"] == str(folder / "scores_eval.txt")
    assert os.path.isabs(written["scores"])
    assert written["set"] == "eval"
    for key in ("EER", "EER_threshold", "min_tDCF", "n_bonafide", "n_spoof"):
        assert written[key] == pytest.approx(stats[key], abs=1e-12), key
    assert "null_reasons" not in written
    # The per-attack rows are those of the table on disk.
    table = pd.read_csv(folder / "eval_per_attack.csv")
    assert [row["attack"] for row in written["per_attack"]] == table[
        "attack"
    ].tolist()
    assert [row["EER"] for row in written["per_attack"]] == pytest.approx(
        table["EER"].tolist(), abs=1e-12
    )
    assert len(written["per_attack"]) == 7  # A01-A06 and Pooled
    assert written["per_attack"][-1]["attack"] == "Pooled"
    # The score file holds every trial in the 2019 format.
    scores = read_cm_scores_2019(str(folder / "scores_eval.txt"))
    assert scores["trial"].tolist() == scored.ids
    np.testing.assert_array_equal(scores["score"], scored.arrays()[0])


def test_2021_score_format_and_no_attacks(synthetic, tmp_path):
    stats = SpoofMetricStats()
    rows = slice(0, None, 50)
    stats.append(
        synthetic["ids"][rows],
        synthetic["scores"][rows],
        synthetic["labels"][rows],
    )
    summary = write_test_outputs(
        stats, stats.summarize(), str(tmp_path), "LA2021", score_format="2021"
    )
    assert "per_attack" not in summary and "min_tDCF" not in summary
    assert not os.path.exists(tmp_path / "LA2021_per_attack.csv")
    assert os.path.isfile(tmp_path / "det_LA2021.png")
    with open(tmp_path / "scores_LA2021.txt") as stream:
        rows = [line.split() for line in stream]
    assert [row[0] for row in rows] == stats.ids
    assert np.isfinite(summary["EER"])
    assert all(len(row) == 2 for row in rows)


def test_eer_not_computable_gives_null_and_reason(tmp_path):
    # Bona fide trials only (e.g. a debug run): no EER, no plots.
    stats = SpoofMetricStats()
    stats.append(["LA_E_1", "LA_E_2", "LA_E_3"], [0.5, 1.5, -0.2], [1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        summary_stats = stats.summarize()
    summary = write_test_outputs(stats, summary_stats, str(tmp_path), "eval")
    written = strict_json(tmp_path / "summary_eval.json")
    assert written == summary
    assert written["EER"] is None and written["EER_threshold"] is None
    assert written["null_reasons"] == {
        "EER": "value was nan",
        "EER_threshold": "value was nan",
    }
    assert written["n_bonafide"] == 3 and written["n_spoof"] == 0
    assert sorted(os.listdir(tmp_path)) == [
        "scores_eval.txt",
        "summary_eval.json",
    ]
    # A reason given with the statistics is written instead.
    given = dict(summary_stats, reasons={"EER": "no spoof trial in the set"})
    summary = write_test_outputs(stats, given, str(tmp_path / "b"), "eval")
    assert summary["null_reasons"]["EER"] == "no spoof trial in the set"
    assert "reasons" not in strict_json(tmp_path / "b" / "summary_eval.json")


def test_a_new_evaluation_removes_tables_and_plots_it_does_not_redraw(
    scored, tmp_path
):
    # A first evaluation into the folder draws its tables and plots ...
    write_test_outputs(scored, scored.summarize(), str(tmp_path), "eval")
    assert os.path.isfile(tmp_path / "det_eval.png")
    # ... a second one on bona fide trials only cannot: nothing of the
    # first may remain beside its scores.
    bonafide_only = SpoofMetricStats()
    bonafide_only.append(["LA_E_1", "LA_E_2"], [0.5, 1.5], [1, 1], ["-", "-"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        stats = bonafide_only.summarize()
    summary = write_test_outputs(bonafide_only, stats, str(tmp_path), "eval")
    assert summary["EER"] is None
    assert sorted(os.listdir(tmp_path)) == [
        "scores_eval.txt",
        "summary_eval.json",
    ]
    # Other sets in the same folder are left alone.
    write_test_outputs(scored, scored.summarize(), str(tmp_path), "dev")
    write_test_outputs(bonafide_only, stats, str(tmp_path), "eval")
    assert os.path.isfile(tmp_path / "det_dev.png")
    assert os.path.isfile(tmp_path / "dev_per_attack.csv")
