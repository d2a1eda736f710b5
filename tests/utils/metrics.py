"""Reference implementations of the CM metrics, written from their
definitions with plain loops, to check the vectorised ones against.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
import pytest

# Absolute tolerance of the metric comparisons.
TOL = 1e-12


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


def tie_heavy_scores(seed):
    """Integer-valued bona fide and spoof scores with many ties (at least
    3 distinct values), and the random generator that drew them."""
    rng = np.random.default_rng(seed)
    n_bonafide, n_spoof = rng.integers(3, 40, size=2)
    high = int(rng.integers(3, 7))
    bonafide = rng.integers(1, high + 1, n_bonafide).astype(float)
    spoof = rng.integers(0, high, n_spoof).astype(float)
    spoof[:3] = [0, 1, 2]  # at least 3 distinct values overall
    return bonafide, spoof, rng


def check_invalid_cm_scores(entry_point):
    """``entry_point(bonafide, spoof)`` names NaN / inf / empty / constant
    score sets and accepts valid ones."""
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
