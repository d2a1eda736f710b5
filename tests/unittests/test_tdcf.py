"""Tests of the t-DCF (``speechbrain_fica.metrics.tdcf``): ASV operating
points, the 2019 and revised 2021 coefficients and minimum t-DCF.

Reference values come from ``reference/expected_outputs.json`` (outputs of
the official ASVspoof metric code on ``reference/synthetic_cm_scores.txt``
with the real 2019 LA ASV scores). Tie handling is checked against a
brute-force implementation (``tests/utils/metrics.py``).

Authors
 * speechbrain-fica contributors 2026
"""

import warnings

import numpy as np
import pytest

from speechbrain_fica.metrics.det import compute_eer
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
from tests.utils.metrics import (
    TOL,
    brute_force_det,
    brute_force_min_tdcf,
    check_invalid_cm_scores,
    tie_heavy_scores,
)

# ---------------------------------------------------------------------------
# Reference values (official code outputs)
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Tie semantics and a hand-computed case
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_ties_match_brute_force(seed):
    bonafide, spoof, rng = tie_heavy_scores(seed)
    points = brute_force_det(bonafide, spoof)
    c0, c1, c2 = rng.uniform(0.01, 1.0, size=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tdcf_2019 = min_tdcf_2019(bonafide, spoof, c1=c1, c2=c2)
        tdcf_2021 = min_tdcf_2021(bonafide, spoof, c0=c0, c1=c1, c2=c2)
    for value, expected_value in (
        (tdcf_2019, brute_force_min_tdcf(points, 0.0, c1, c2)),
        (tdcf_2021, brute_force_min_tdcf(points, c0, c1, c2)),
    ):
        assert value[0] == pytest.approx(expected_value[0], abs=TOL)
        assert value[1] == expected_value[1]


def test_hand_computed_small_case():
    # Stable order: 1(s) 2(b) 2(s) 3(b) 4(b); Nb = 3, Ns = 2.
    # k:   0    1    2    3    4    5
    # FRR: 0    0   1/3  1/3  2/3   1
    # FAR: 1   1/2  1/2   0    0    0
    bonafide, spoof = [2.0, 3.0, 4.0], [1.0, 2.0]
    # t-DCF with C1 = 1, C2 = 0.5: (FRR + FAR / 2) / 0.5 is smallest at
    # k = 1: (0 + 0.25) / 0.5 = 0.5, threshold 1.
    assert min_tdcf_2019(bonafide, spoof, c1=1.0, c2=0.5) == (0.5, 1.0)
    # Revised with C0 = 0.1: (0.1 + 0.25) / 0.6 = 7 / 12 at k = 1.
    value, threshold = min_tdcf_2021(bonafide, spoof, c0=0.1, c1=1.0, c2=0.5)
    assert value == pytest.approx(7 / 12, abs=TOL)
    assert threshold == 1.0


# ---------------------------------------------------------------------------
# Errors and warnings
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry_point",
    [
        lambda b, s: min_tdcf_2019(b, s, c1=1.0, c2=0.5),
        lambda b, s: min_tdcf_2021(b, s, c0=0.1, c1=1.0, c2=0.5),
    ],
    ids=["2019", "2021"],
)
def test_invalid_cm_scores(entry_point):
    check_invalid_cm_scores(entry_point)


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
    with pytest.warns(UserWarning, match="labels may be swapped"):
        min_tdcf_2019(synthetic["spoof"], synthetic["bonafide"], c1=1, c2=1)
