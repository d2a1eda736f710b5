"""Tests of the DET curve and the EER (``speechbrain_fica.metrics.det``).

Reference values come from ``reference/expected_outputs.json`` (outputs of
the official ASVspoof metric code on ``reference/synthetic_cm_scores.txt``).
Tie handling is checked against a brute-force implementation written from
the definition (``tests/utils/metrics.py``).

Authors
 * speechbrain-fica contributors 2026
"""

import warnings

import numpy as np
import pytest

from speechbrain_fica.metrics.det import (
    compute_det_curve,
    compute_eer,
    det_points,
    validate_cm_scores,
)
from tests.utils.metrics import (
    TOL,
    brute_force_det,
    brute_force_eer,
    check_invalid_cm_scores,
    tie_heavy_scores,
)


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


# ---------------------------------------------------------------------------
# Tie semantics: brute force from the definition
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(12))
def test_ties_match_brute_force(seed):
    bonafide, spoof, _ = tie_heavy_scores(seed)
    points = brute_force_det(bonafide, spoof)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        frr, far, thresholds = compute_det_curve(bonafide, spoof)
        eer, threshold = compute_eer(bonafide, spoof)
    np.testing.assert_allclose(frr, [p[0] for p in points], rtol=0, atol=TOL)
    np.testing.assert_allclose(far, [p[1] for p in points], rtol=0, atol=TOL)
    np.testing.assert_array_equal(thresholds, [p[2] for p in points])
    expected_eer, expected_threshold = brute_force_eer(points)
    assert eer == pytest.approx(expected_eer, abs=TOL)
    assert threshold == expected_threshold


def test_tie_sets_split_tie_groups():
    # The random tie-heavy sets above are only a meaningful check if the
    # EER often falls inside a tie group, i.e. differs from the EER over
    # the points at the ends of tie groups (distinct thresholds).
    n_differ = 0
    for seed in range(12):
        bonafide, spoof, _ = tie_heavy_scores(seed)
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


@pytest.mark.parametrize(
    "entry_point",
    [compute_eer, compute_det_curve, det_points, validate_cm_scores],
)
def test_invalid_cm_scores(entry_point):
    check_invalid_cm_scores(entry_point)


def test_negated_score_warning(synthetic):
    with pytest.warns(UserWarning, match="negated scores give"):
        eer, _ = compute_eer(synthetic["spoof"], synthetic["bonafide"])
    assert eer > 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_eer(synthetic["bonafide"], synthetic["spoof"])
