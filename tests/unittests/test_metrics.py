"""Tests of the EER / DET / t-DCF metrics and SpoofMetricStats.

Reference values come from ``reference/expected_outputs.json`` (outputs of
the official ASVspoof metric code on ``reference/synthetic_cm_scores.txt``
with the real 2019 LA ASV scores). Tie handling is checked against a
brute-force implementation written here from the definition.

Authors
 * speechbrain-fica contributors 2026
"""

import gzip
import io
import shutil
import warnings

import numpy as np
import pytest
import torch

from speechbrain_fica.metrics.det import (
    compute_det_curve,
    compute_eer,
    det_points,
    validate_cm_scores,
)
from speechbrain_fica.metrics.score_files import (
    read_asv_scores_2019,
    read_cm_scores_2019,
)
from speechbrain_fica.metrics.stats import SpoofMetricStats, per_attack_metrics
from speechbrain_fica.metrics.tdcf import (
    COST_MODEL_2019,
    COST_MODEL_2021,
    AsvOperatingPoint,
    asv_operating_point,
    min_tdcf_2019,
    min_tdcf_2021,
    tdcf_2019_coefficients,
    tdcf_2021_coefficients,
)
from speechbrain_fica.utils.text_files import open_text
from tests.utils.samples import (
    asv_scores_path,
    expected_outputs,
    synthetic_scores_path,
)

TOL = 1e-12


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def expected():
    """``results.synthetic`` of expected_outputs.json."""
    return expected_outputs()["results"]["synthetic"]


@pytest.fixture(scope="module")
def synthetic():
    """The synthetic CM scores: dict with ids, attacks, labels, scores."""
    with open_text(synthetic_scores_path()) as stream:
        rows = [line.split() for line in stream if line.strip()]
    labels = np.array([int(row[2] == "bonafide") for row in rows])
    scores = np.array([float(row[3]) for row in rows])
    return {
        "ids": [row[0] for row in rows],
        "attacks": [row[1] for row in rows],
        "labels": labels,
        "scores": scores,
        "bonafide": scores[labels == 1],
        "spoof": scores[labels == 0],
    }


@pytest.fixture(scope="module")
def asv_scores():
    """Both 2019 LA ASV score files, read once."""
    return {
        split: read_asv_scores_2019(asv_scores_path(split))
        for split in ("dev", "eval")
    }


# ---------------------------------------------------------------------------
# Reference values (official code outputs)
# ---------------------------------------------------------------------------


def test_eer_and_det_reference(synthetic, expected):
    eer, threshold = compute_eer(synthetic["bonafide"], synthetic["spoof"])
    assert eer == pytest.approx(expected["eer"], abs=TOL)
    assert 100 * eer == pytest.approx(expected["eer_pct"], abs=TOL)
    assert threshold == pytest.approx(expected["eer_threshold"], abs=TOL)
    frr, far, thresholds = compute_det_curve(
        synthetic["bonafide"], synthetic["spoof"]
    )
    assert len(frr) == len(far) == len(thresholds)
    assert len(frr) == expected["det_curve_len"]
    assert synthetic["bonafide"].size == expected["n_bonafide"]
    assert synthetic["spoof"].size == expected["n_spoof"]


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


@pytest.mark.parametrize("split", ["dev", "eval"])
def test_tdcf_2019_reference(synthetic, expected, asv_scores, split):
    reference = expected[f"tdcf2019_with_asv2019_{split}"]
    asv = asv_scores[split]
    point = asv.operating_point()
    assert point.eer == pytest.approx(reference["asv_eer"], abs=TOL)
    assert point.threshold == pytest.approx(reference["asv_threshold"], abs=TOL)
    assert point.pfa == pytest.approx(reference["Pfa_asv"], abs=TOL)
    assert point.pmiss == pytest.approx(reference["Pmiss_asv"], abs=TOL)
    assert point.pmiss_spoof == pytest.approx(
        reference["Pmiss_spoof_asv"], abs=TOL
    )
    # The same point from the public function on the raw arrays.
    assert asv_operating_point(asv.target, asv.nontarget, asv.spoof) == point
    c1, c2 = tdcf_2019_coefficients(point)
    assert c1 == pytest.approx(reference["C1"], abs=TOL)
    assert c2 == pytest.approx(reference["C2"], abs=TOL)
    for given in ({"asv": asv}, {"asv": point}, {"c1": c1, "c2": c2}):
        value, threshold = min_tdcf_2019(
            synthetic["bonafide"], synthetic["spoof"], **given
        )
        assert value == pytest.approx(reference["min_tdcf"], abs=TOL)
        assert threshold == pytest.approx(
            reference["argmin_cm_threshold"], abs=TOL
        )


@pytest.mark.parametrize("split", ["dev", "eval"])
def test_tdcf_2021_reference(synthetic, expected, asv_scores, split):
    reference = expected[f"tdcf2021formula_with_asv2019_{split}"]
    point = asv_scores[split].operating_point()
    assert point.pfa_spoof == pytest.approx(reference["Pfa_spoof_asv"], abs=TOL)
    c0, c1, c2 = tdcf_2021_coefficients(point)
    assert c0 == pytest.approx(reference["C0"], abs=TOL)
    assert c1 == pytest.approx(reference["C1"], abs=TOL)
    assert c2 == pytest.approx(reference["C2"], abs=TOL)
    floor = c0 / (c0 + min(c1, c2))
    assert floor == pytest.approx(
        reference["error_free_cm_floor_C0_over_default"], abs=TOL
    )
    for given in ({"asv": asv_scores[split]}, {"c0": c0, "c1": c1, "c2": c2}):
        value, _ = min_tdcf_2021(
            synthetic["bonafide"], synthetic["spoof"], **given
        )
        assert value == pytest.approx(reference["min_tdcf"], abs=TOL)
        assert value == pytest.approx(
            reference["min_tdcf_via_compute_tDCF"], abs=TOL
        )
    eer, _ = compute_eer(synthetic["bonafide"], synthetic["spoof"])
    assert eer == pytest.approx(reference["eer"], abs=TOL)
    # An error-free CM reaches exactly the floor.
    perfect, _ = min_tdcf_2021(
        [1.0, 2.0, 3.0], [-1.0, 0.0], c0=c0, c1=c1, c2=c2
    )
    assert perfect == pytest.approx(floor, abs=TOL)


def test_tdcf_2021_published_c012(synthetic, expected):
    reference = expected["tdcf2021_with_published_C012_A07_none"]
    value, _ = min_tdcf_2021(
        synthetic["bonafide"],
        synthetic["spoof"],
        c0=reference["C0"],
        c1=reference["C1"],
        c2=reference["C2"],
    )
    assert value == pytest.approx(reference["min_tdcf"], abs=TOL)
    assert value == pytest.approx(0.1828322356489561, abs=TOL)
    eer, _ = compute_eer(synthetic["bonafide"], synthetic["spoof"])
    assert eer == pytest.approx(reference["eer"], abs=TOL)


def test_aasist_style_summary_reference(synthetic, expected, asv_scores):
    reference = expected["aasist_calculate_tDCF_EER_eval"]
    eer, _ = compute_eer(synthetic["bonafide"], synthetic["spoof"])
    value, _ = min_tdcf_2019(
        synthetic["bonafide"], synthetic["spoof"], asv=asv_scores["eval"]
    )
    assert 100 * eer == pytest.approx(reference["eer_pct"], abs=TOL)
    assert value == pytest.approx(reference["min_tdcf"], abs=TOL)


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


# ---------------------------------------------------------------------------
# ASV score file reader
# ---------------------------------------------------------------------------


def test_read_asv_scores_plain_and_gz(tmp_path, asv_scores):
    source = asv_scores_path("dev")
    with open_text(source) as stream:
        rows = [line.split() for line in stream if line.strip()]
    plain = asv_scores["dev"]
    for key, values in (
        ("target", plain.target),
        ("nontarget", plain.nontarget),
        ("spoof", plain.spoof),
    ):
        expected = [float(row[2]) for row in rows if row[1] == key]
        assert values.dtype == np.float64
        np.testing.assert_array_equal(values, expected)
    attacks = [row[0] for row in rows if row[1] == "spoof"]
    assert plain.spoof_attacks.tolist() == attacks
    assert plain.attacks == sorted(set(attacks))

    # The shipped file is gzipped: a plain copy reads the same.
    plain_path = tmp_path / "asv.txt"
    with gzip.open(source, "rb") as packed, open(plain_path, "wb") as raw:
        shutil.copyfileobj(packed, raw)
    unpacked = read_asv_scores_2019(str(plain_path))
    np.testing.assert_array_equal(unpacked.spoof, plain.spoof)
    np.testing.assert_array_equal(unpacked.target, plain.target)
    assert unpacked.operating_point() == plain.operating_point()


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("bonafide target", "expected 3 columns"),
        ("bonafide friend 1.0", "unknown key"),
        ("A07 spoof high", "not a number"),
    ],
)
def test_read_asv_scores_malformed(tmp_path, bad_line, message):
    path = tmp_path / "asv.txt"
    path.write_text(f"bonafide target 1.0\n{bad_line}\nA07 spoof 0.5\n")
    with pytest.raises(ValueError, match=message) as error:
        read_asv_scores_2019(str(path))
    assert str(path) in str(error.value)
    assert "line 2" in str(error.value)


# ---------------------------------------------------------------------------
# Tie semantics: brute force from the definition
# ---------------------------------------------------------------------------


def brute_force_det(bonafide, spoof):
    """Point k rejects the k lowest trials of a stable order (bona fide
    first among equal scores); plain loops over k."""
    trials = [(float(s), True) for s in bonafide]
    trials += [(float(s), False) for s in spoof]
    positions = sorted(range(len(trials)), key=lambda i: (trials[i][0], i))
    n_bonafide, n_spoof = len(bonafide), len(spoof)
    points = []
    for k in range(len(trials) + 1):
        rejected = [trials[i] for i in positions[:k]]
        bonafide_rejected = sum(1 for _, is_bona in rejected if is_bona)
        spoof_rejected = k - bonafide_rejected
        frr = bonafide_rejected / n_bonafide
        far = (n_spoof - spoof_rejected) / n_spoof
        if k == 0:
            threshold = trials[positions[0]][0] - 0.001
        else:
            threshold = rejected[-1][0]
        points.append((frr, far, threshold))
    return points


def brute_force_eer(points):
    """First point with the smallest |FRR - FAR|."""
    best = None
    for frr, far, threshold in points:
        gap = abs(frr - far)
        if best is None or gap < best[0]:
            best = (gap, (frr + far) / 2, threshold)
    return best[1], best[2]


def brute_force_min_tdcf(points, c0, c1, c2):
    """First minimum of the normalised t-DCF over the points."""
    best = None
    for frr, far, threshold in points:
        value = (c0 + c1 * frr + c2 * far) / (c0 + min(c1, c2))
        if best is None or value < best[0]:
            best = (value, threshold)
    return best


@pytest.mark.parametrize("seed", range(12))
def test_ties_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_bonafide, n_spoof = rng.integers(3, 40, size=2)
    high = int(rng.integers(3, 7))
    bonafide = rng.integers(1, high + 1, n_bonafide).astype(float)
    spoof = rng.integers(0, high, n_spoof).astype(float)
    spoof[:3] = [0, 1, 2]  # at least 3 distinct values overall
    points = brute_force_det(bonafide, spoof)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        frr, far, thresholds = compute_det_curve(bonafide, spoof)
        eer, threshold = compute_eer(bonafide, spoof)
        c0, c1, c2 = rng.uniform(0.01, 1.0, size=3)
        tdcf_2019 = min_tdcf_2019(bonafide, spoof, c1=c1, c2=c2)
        tdcf_2021 = min_tdcf_2021(bonafide, spoof, c0=c0, c1=c1, c2=c2)
    np.testing.assert_allclose(frr, [p[0] for p in points], rtol=0, atol=TOL)
    np.testing.assert_allclose(far, [p[1] for p in points], rtol=0, atol=TOL)
    np.testing.assert_array_equal(thresholds, [p[2] for p in points])
    expected_eer, expected_threshold = brute_force_eer(points)
    assert eer == pytest.approx(expected_eer, abs=TOL)
    assert threshold == expected_threshold
    for value, expected_value in (
        (tdcf_2019, brute_force_min_tdcf(points, 0.0, c1, c2)),
        (tdcf_2021, brute_force_min_tdcf(points, c0, c1, c2)),
    ):
        assert value[0] == pytest.approx(expected_value[0], abs=TOL)
        assert value[1] == expected_value[1]


def test_tie_sets_split_tie_groups():
    # The random tie-heavy sets above are only a meaningful check if the
    # EER often falls inside a tie group, i.e. differs from the EER over
    # the points at the ends of tie groups (distinct thresholds).
    n_differ = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        n_bonafide, n_spoof = rng.integers(3, 40, size=2)
        high = int(rng.integers(3, 7))
        bonafide = rng.integers(1, high + 1, n_bonafide).astype(float)
        spoof = rng.integers(0, high, n_spoof).astype(float)
        spoof[:3] = [0, 1, 2]
        points = brute_force_det(bonafide, spoof)
        group_ends = [
            point
            for point, following in zip(points, points[1:] + [None])
            if following is None or following[2] != point[2]
        ]
        n_differ += brute_force_eer(points) != brute_force_eer(group_ends)
    assert n_differ >= 6


def test_hand_computed_small_case():
    # Stable order: 1(s) 2(b) 2(s) 3(b) 4(b); Nb = 3, Ns = 2.
    # k:   0    1    2    3    4    5
    # FRR: 0    0   1/3  1/3  2/3   1
    # FAR: 1   1/2  1/2   0    0    0
    # |FRR - FAR| is smallest (1/6) at k = 2: EER = (1/3 + 1/2) / 2.
    bonafide, spoof = [2.0, 3.0, 4.0], [1.0, 2.0]
    frr, far, thresholds = compute_det_curve(bonafide, spoof)
    np.testing.assert_allclose(frr, [0, 0, 1 / 3, 1 / 3, 2 / 3, 1], atol=TOL)
    np.testing.assert_allclose(far, [1, 0.5, 0.5, 0, 0, 0], atol=TOL)
    np.testing.assert_allclose(thresholds, [0.999, 1, 2, 2, 3, 4], atol=TOL)
    eer, threshold = compute_eer(bonafide, spoof)
    assert eer == pytest.approx(5 / 12, abs=TOL)
    assert threshold == 2.0
    # t-DCF with C1 = 1, C2 = 0.5: (FRR + FAR / 2) / 0.5 is smallest at
    # k = 1: (0 + 0.25) / 0.5 = 0.5, threshold 1.
    assert min_tdcf_2019(bonafide, spoof, c1=1.0, c2=0.5) == (0.5, 1.0)
    # Revised with C0 = 0.1: (0.1 + 0.25) / 0.6 = 7 / 12 at k = 1.
    value, threshold = min_tdcf_2021(bonafide, spoof, c0=0.1, c1=1.0, c2=0.5)
    assert value == pytest.approx(7 / 12, abs=TOL)
    assert threshold == 1.0
    # DET corners for plotting: the straight runs are merged.
    miss, false_alarm = det_points(bonafide, spoof)
    np.testing.assert_allclose(miss, [0, 0, 1 / 3, 1 / 3, 1], atol=TOL)
    np.testing.assert_allclose(false_alarm, [1, 0.5, 0.5, 0, 0], atol=TOL)


def test_hand_computed_eer_inside_tie_group():
    # Stable order: 0(b) 1(s) 2(b) 2(b) 2(s) 2(s); Nb = Ns = 3.
    # k = 3 rejects one of the two tied bona fide trials:
    # FRR = 2/3, FAR = 2/3, so EER = 2/3 at threshold 2 -- a point that a
    # distinct-threshold implementation never evaluates.
    bonafide, spoof = [0.0, 2.0, 2.0], [2.0, 2.0, 1.0]
    eer, threshold = compute_eer(bonafide, spoof)
    assert eer == pytest.approx(2 / 3, abs=TOL)
    assert threshold == 2.0


# ---------------------------------------------------------------------------
# Errors and warnings
# ---------------------------------------------------------------------------

CM_ENTRY_POINTS = [
    compute_eer,
    compute_det_curve,
    det_points,
    validate_cm_scores,
    lambda b, s: min_tdcf_2019(b, s, c1=1.0, c2=0.5),
    lambda b, s: min_tdcf_2021(b, s, c0=0.1, c1=1.0, c2=0.5),
]


@pytest.mark.parametrize("entry_point", CM_ENTRY_POINTS)
def test_invalid_cm_scores(entry_point):
    good_bonafide, good_spoof = [1.0, 2.0, 3.0], [0.0, 0.5]
    with pytest.raises(ValueError, match=r"bona fide scores contain 2 NaN"):
        entry_point([1.0, np.nan, np.nan], good_spoof)
    with pytest.raises(
        ValueError, match=r"spoof scores contain 0 NaN and 1 inf"
    ):
        entry_point(good_bonafide, [0.0, np.inf])
    with pytest.raises(ValueError, match="no spoof scores"):
        entry_point(good_bonafide, [])
    with pytest.raises(ValueError, match="no bona fide scores"):
        entry_point([], good_spoof)
    with pytest.raises(ValueError, match="2 distinct"):
        entry_point([1.0, 1.0, 1.0], [0.0, 0.0])
    entry_point(good_bonafide, good_spoof)  # valid input passes


def test_tdcf_argument_errors():
    bonafide, spoof = [1.0, 2.0, 3.0], [0.0, 0.5]
    point = AsvOperatingPoint(0.0, 0.02, 0.02, 0.02, 0.25, 0.75)
    with pytest.raises(ValueError, match="either asv"):
        min_tdcf_2019(bonafide, spoof)
    with pytest.raises(ValueError, match="either asv"):
        min_tdcf_2019(bonafide, spoof, c1=1.0)
    with pytest.raises(ValueError, match="not both"):
        min_tdcf_2019(bonafide, spoof, asv=point, c1=1.0, c2=1.0)
    with pytest.raises(ValueError, match="either asv"):
        min_tdcf_2021(bonafide, spoof, c0=0.1, c1=1.0)
    with pytest.raises(ValueError, match="C1 = -1.0 is negative"):
        min_tdcf_2019(bonafide, spoof, c1=-1.0, c2=0.5)
    with pytest.raises(ValueError, match="C2 = -0.5 is negative"):
        min_tdcf_2021(bonafide, spoof, c0=0.1, c1=1.0, c2=-0.5)
    with pytest.raises(TypeError, match="asv must be"):
        min_tdcf_2019(bonafide, spoof, asv="not scores")


def test_coefficient_sanity_checks():
    point = AsvOperatingPoint(0.0, 0.02, 0.02, 0.02, 0.25, 0.75)
    bad_priors = dict(COST_MODEL_2019, Ptar=0.95)
    with pytest.raises(ValueError, match="sum to 1"):
        tdcf_2019_coefficients(point, bad_priors)
    with pytest.raises(ValueError, match="sum to 1"):
        tdcf_2021_coefficients(point, dict(COST_MODEL_2021, Pnon=0.1))
    with pytest.raises(ValueError, match="non-negative"):
        tdcf_2021_coefficients(point, dict(COST_MODEL_2021, Cfa=-10))
    # An ASV that misses every target makes C1 negative.
    useless_asv = AsvOperatingPoint(0.0, 0.5, 0.5, 1.0, 0.25, 0.75)
    with pytest.raises(ValueError, match="C1 = .* is negative"):
        tdcf_2019_coefficients(useless_asv)
    with pytest.raises(ValueError, match="C1 = .* is negative"):
        tdcf_2021_coefficients(useless_asv)
    no_spoof = asv_operating_point([3.0, 4.0, 5.0], [0.0, 1.0, 3.5])
    assert np.isnan(no_spoof.pfa_spoof)
    with pytest.raises(ValueError, match="no spoof error rate"):
        tdcf_2021_coefficients(no_spoof)


def test_negated_score_warning(synthetic):
    with pytest.warns(UserWarning, match="negated scores give"):
        eer, _ = compute_eer(synthetic["spoof"], synthetic["bonafide"])
    assert eer > 0.5
    with pytest.warns(UserWarning, match="labels may be swapped"):
        min_tdcf_2019(synthetic["spoof"], synthetic["bonafide"], c1=1, c2=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_eer(synthetic["bonafide"], synthetic["spoof"])
        # Per-attack rows may exceed 50 % without any warning.
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


def test_read_cm_scores_2019_round_trip_and_errors(tmp_path):
    stats = SpoofMetricStats()
    stats.append(
        ["LA_E_2", "LA_E_1", "LA_E_3"],
        [0.1 + 0.2, -1.5, 1e-9],
        [1, 0, 0],
        ["-", "A07", "A19"],
    )
    path = tmp_path / "scores_eval.txt"
    stats.write_scores(str(path), fmt="2019")
    table = read_cm_scores_2019(str(path))
    assert table["trial"].tolist() == ["LA_E_2", "LA_E_1", "LA_E_3"]
    assert table["attack"].tolist() == ["-", "A07", "A19"]
    assert table["key"].tolist() == ["bonafide", "spoof", "spoof"]
    assert table["score"].tolist() == [0.1 + 0.2, -1.5, 1e-9]  # exact
    for text, message in (
        ("u1 - bonafide 1.0\nu2 A07 spoof\n", "line 2: expected 4 columns"),
        ("u1 - bonafide 1.0\nu2 A07 spoof x\n", "line 2: score 'x'"),
        ("u1 - bonafide 1.0\nu2 A07 fake 0.5\n", "unknown key.*'fake'"),
        ("u1 - bonafide 1.0\nu1 A07 spoof 0.5\n", "listed twice: 'u1'"),
    ):
        path.write_text(text)
        with pytest.raises(ValueError, match=message):
            read_cm_scores_2019(str(path))
