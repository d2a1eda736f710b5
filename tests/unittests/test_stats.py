"""Tests of ``speechbrain_fica.metrics.stats``: per-attack metrics and
``SpoofMetricStats`` (accumulation over batches, summary, score files).

Reference values come from ``reference/expected_outputs.json`` (outputs of
the official ASVspoof metric code on ``reference/synthetic_cm_scores.txt``
with the real 2019 LA ASV scores).

Authors
 * speechbrain-fica contributors 2026
"""

import io
import warnings

import numpy as np
import pytest
import torch

from speechbrain_fica.metrics.det import compute_eer
from speechbrain_fica.metrics.stats import SpoofMetricStats, per_attack_metrics
from speechbrain_fica.metrics.tdcf import min_tdcf_2019, min_tdcf_2021
from tests.utils.metrics import TOL
from tests.utils.samples import asv_scores_path

# ---------------------------------------------------------------------------
# Per-attack metrics
# ---------------------------------------------------------------------------


def test_per_attack_eer_reference(synthetic, expected):
    table = per_attack_metrics(
        synthetic["scores"], synthetic["labels"], synthetic["attacks"]
    )
    reference = expected["eer_per_attack"]
    assert table.index.tolist() == sorted(reference) + ["Pooled"]
    for attack, value in reference.items():
        assert table.loc[attack, "EER"] / 100 == pytest.approx(value, abs=TOL)
        spoof = synthetic["scores"][np.array(synthetic["attacks"]) == attack]
        eer, _ = compute_eer(synthetic["bonafide"], spoof)
        assert eer == pytest.approx(value, abs=TOL)
    assert table.loc["Pooled", "EER"] == pytest.approx(
        expected["eer_pct"], abs=TOL
    )
    assert "min_tDCF" not in table.columns


def test_per_attack_tdcf_uses_attack_asv_scores(synthetic, asv_scores):
    bonafide = synthetic["bonafide"]
    attacks = np.array(synthetic["attacks"])
    # Dev ASV has A01..A06 spoof rows: each attack uses its own.
    dev = asv_scores["dev"]
    table = per_attack_metrics(
        synthetic["scores"], synthetic["labels"], attacks, asv=dev
    )
    for attack in ["A01", "A04", "A06"]:
        spoof = synthetic["scores"][attacks == attack]
        point = dev.operating_point(attack)
        direct, _ = min_tdcf_2019(bonafide, spoof, asv=point)
        assert table.loc[attack, "min_tDCF"] == pytest.approx(direct, abs=TOL)
        assert table.loc[attack, "asv_spoof"] == attack
        assert point.threshold == dev.operating_point().threshold
    pooled, _ = min_tdcf_2019(bonafide, synthetic["spoof"], asv=dev)
    assert table.loc["Pooled", "min_tDCF"] == pytest.approx(pooled, abs=TOL)
    # Eval ASV has no A01..A06 rows: all spoof ASV scores are used.
    evaluation = asv_scores["eval"]
    table = per_attack_metrics(
        synthetic["scores"], synthetic["labels"], attacks, asv=evaluation
    )
    spoof = synthetic["scores"][attacks == "A02"]
    direct, _ = min_tdcf_2019(bonafide, spoof, asv=evaluation)
    assert table.loc["A02", "min_tDCF"] == pytest.approx(direct, abs=TOL)
    assert table.loc["A02", "asv_spoof"] == "Pooled"
    # Revised t-DCF per attack.
    table = per_attack_metrics(
        synthetic["scores"], synthetic["labels"], attacks, asv=dev, tdcf="2021"
    )
    spoof = synthetic["scores"][attacks == "A03"]
    direct, _ = min_tdcf_2021(bonafide, spoof, asv=dev.operating_point("A03"))
    assert table.loc["A03", "min_tDCF"] == pytest.approx(direct, abs=TOL)


def test_per_attack_rows_above_half_do_not_warn():
    # Per-attack rows may exceed 50 % without any warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        per_attack_metrics(
            [2.0, 3.0, 4.0, 1.0, 2.5, 3.5],
            [1, 1, 1, 0, 0, 0],
            ["-", "-", "-", "A01", "A01", "A02"],
        )


# ---------------------------------------------------------------------------
# SpoofMetricStats
# ---------------------------------------------------------------------------


def fill_stats(stats, synthetic, batch_size=997):
    """Appends the synthetic trials in batches of mixed input types."""
    n_trials = len(synthetic["ids"])
    for batch_index, start in enumerate(range(0, n_trials, batch_size)):
        stop = min(start + batch_size, n_trials)
        scores = synthetic["scores"][start:stop]
        labels = synthetic["labels"][start:stop]
        if batch_index % 2:
            scores = torch.tensor(scores).unsqueeze(1)  # [B, 1] float64
            labels = torch.tensor(labels).unsqueeze(1)
        else:
            scores, labels = scores.tolist(), labels.tolist()
        stats.append(
            synthetic["ids"][start:stop],
            scores,
            labels,
            synthetic["attacks"][start:stop],
        )


def test_stats_summarize_reference(synthetic, expected, asv_scores):
    stats = SpoofMetricStats(asv=asv_scores["eval"])
    fill_stats(stats, synthetic)
    summary = stats.summarize()
    assert set(summary) == {
        "EER",
        "EER_threshold",
        "min_tDCF",
        "n_bonafide",
        "n_spoof",
    }
    assert summary["EER"] == pytest.approx(expected["eer_pct"], abs=TOL)
    assert summary["EER_threshold"] == pytest.approx(
        expected["eer_threshold"], abs=TOL
    )
    reference = expected["tdcf2019_with_asv2019_eval"]["min_tdcf"]
    assert summary["min_tDCF"] == pytest.approx(reference, abs=TOL)
    assert summary["n_bonafide"] == expected["n_bonafide"]
    assert summary["n_spoof"] == expected["n_spoof"]
    assert all(type(value) in (float, int) for value in summary.values())
    assert stats.summarize("EER") == summary["EER"]

    path = asv_scores_path("eval")
    revised = SpoofMetricStats(asv=path, tdcf="2021")
    fill_stats(revised, synthetic, batch_size=4096)
    reference = expected["tdcf2021formula_with_asv2019_eval"]["min_tdcf"]
    assert revised.summarize("min_tDCF") == pytest.approx(reference, abs=TOL)

    table = stats.per_attack()
    direct = per_attack_metrics(
        synthetic["scores"],
        synthetic["labels"],
        synthetic["attacks"],
        asv=asv_scores["eval"],
    )
    assert table.equals(direct)

    stream = io.StringIO()
    stats.write_stats(stream)
    assert "min_tDCF: " in stream.getvalue()
    stats.clear()
    assert stats.ids == [] and stats.summary == {}


@pytest.mark.parametrize("fmt", ["2019", "2021"])
def test_stats_write_scores_round_trip(tmp_path, fmt):
    rng = np.random.default_rng(0)
    scores = torch.from_numpy(rng.normal(size=64).astype(np.float32))
    labels = torch.from_numpy((rng.random(64) < 0.4).astype(np.int64))
    attacks = [f"A{i % 3 + 1:02d}" for i in range(64)]
    ids = [f"utt_{i:03d}" for i in range(64)]
    stats = SpoofMetricStats()
    stats.append(ids[:40], scores[:40], labels[:40], attacks[:40])
    stats.append(ids[40:], scores[40:].unsqueeze(1), labels[40:], attacks[40:])
    half = SpoofMetricStats()  # low-precision tensors are accepted too
    half.append(ids[:2], scores[:2].to(torch.bfloat16), labels[:2].float())
    assert half.arrays()[1].tolist() == labels[:2].tolist()
    path = tmp_path / "scores.txt"
    stats.write_scores(str(path), fmt=fmt)
    rows = [line.split() for line in path.read_text().splitlines()]
    assert [row[0] for row in rows] == ids
    read_scores = np.array([float(row[-1]) for row in rows])
    # float32 values are written exactly (float64 repr round trip).
    np.testing.assert_array_equal(read_scores, scores.double().numpy())
    if fmt == "2019":
        assert all(len(row) == 4 for row in rows)
        for row, label, attack in zip(rows, labels.tolist(), attacks):
            if label == 1:
                assert row[1:3] == ["-", "bonafide"]
            else:
                assert row[1:3] == [attack, "spoof"]
        keys = np.array([row[2] for row in rows])
        bonafide = read_scores[keys == "bonafide"]
        spoof = read_scores[keys == "spoof"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert compute_eer(bonafide, spoof)[0] * 100 == pytest.approx(
                stats.summarize("EER"), abs=TOL
            )
    else:
        assert all(len(row) == 2 for row in rows)
    # A stream works as well.
    stream = io.StringIO()
    stats.write_scores(stream, fmt=fmt)
    assert stream.getvalue() == path.read_text()


def test_stats_duplicate_ids_and_degenerate_sets():
    stats = SpoofMetricStats()
    stats.append(["a", "b"], [1.0, 0.0], [1, 0])
    with pytest.raises(ValueError, match="duplicate utterance id 'b'"):
        stats.append(["c", "b"], [1.0, 0.0], [1, 0])
    with pytest.raises(ValueError, match="duplicate utterance id 'd'"):
        stats.append(["d", "d"], [1.0, 0.0], [1, 0])
    assert stats.ids == ["a", "b"]  # failed batches are not stored
    with pytest.raises(ValueError, match="labels must be 1"):
        stats.append(["e"], [1.0], [2])
    # Two trials only: metrics are NaN with a warning (debug runs).
    with pytest.warns(UserWarning, match="distinct"):
        summary = stats.summarize()
    assert np.isnan(summary["EER"]) and summary["n_bonafide"] == 1
    only_bonafide = SpoofMetricStats()
    only_bonafide.append(["x", "y", "z"], [1.0, 2.0, 3.0], [1, 1, 1])
    with pytest.warns(UserWarning, match="0 spoof trials"):
        assert np.isnan(only_bonafide.summarize("EER"))
    with pytest.raises(ValueError, match="tdcf must be"):
        SpoofMetricStats(tdcf="2020")
