"""Tests of the weighted EER / min t-DCF and of the bootstrap intervals.

The weighted metrics are checked against the unweighted ones on explicitly
repeated scores (ties included); the bootstrap against cases whose answer
is known: identical and exchangeable systems, clearly better systems,
seed-to-seed variation and paired versus unpaired comparisons.

Authors
 * speechbrain-fica contributors 2026
"""

import warnings

import numpy as np
import pytest

from speechbrain_fica.metrics.det import compute_eer
from speechbrain_fica.metrics.significance import (
    BootstrapInterval,
    bootstrap_eer_ci,
    bootstrap_replicates,
    paired_bootstrap,
    resampling_counts,
    weighted_eer,
    weighted_min_tdcf,
)
from speechbrain_fica.metrics.tdcf import min_tdcf_2019, min_tdcf_2021


def _tied_case(rng):
    """Scores on a coarse grid (many ties within and across classes),
    random integer weights including zeros."""
    n_bonafide, n_spoof = rng.integers(1, 15, size=2)
    levels = int(rng.integers(3, 9))
    bonafide = rng.integers(0, levels, n_bonafide) + rng.integers(0, 2)
    spoof = rng.integers(0, levels, n_spoof).astype(float)
    bonafide_w = rng.integers(0, 4, n_bonafide)
    spoof_w = rng.integers(0, 4, n_spoof)
    bonafide_w[rng.integers(n_bonafide)] += 1  # a positive total per class
    spoof_w[rng.integers(n_spoof)] += 1
    return bonafide.astype(float), spoof, bonafide_w, spoof_w


def _distinct(*arrays):
    return np.unique(np.concatenate(arrays)).size


def test_weighted_eer_equals_eer_of_repeated_scores():
    rng = np.random.default_rng(0)
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # EERs above 45 %
        while checked < 400:
            bonafide, spoof, bonafide_w, spoof_w = _tied_case(rng)
            repeated = (
                np.repeat(bonafide, bonafide_w),
                np.repeat(spoof, spoof_w),
            )
            if _distinct(*repeated) < 3:
                continue
            assert (
                weighted_eer(bonafide, spoof, bonafide_w, spoof_w)
                == (compute_eer(*repeated)[0])
            )
            checked += 1


def test_weighted_min_tdcf_equals_min_tdcf_of_repeated_scores():
    rng = np.random.default_rng(1)
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        while checked < 300:
            bonafide, spoof, bonafide_w, spoof_w = _tied_case(rng)
            repeated = (
                np.repeat(bonafide, bonafide_w),
                np.repeat(spoof, spoof_w),
            )
            if _distinct(*repeated) < 3:
                continue
            legacy = weighted_min_tdcf(
                bonafide, spoof, bonafide_w, spoof_w, c1=0.92, c2=0.375
            )
            assert legacy == min_tdcf_2019(*repeated, c1=0.92, c2=0.375)[0]
            revised = weighted_min_tdcf(
                bonafide, spoof, bonafide_w, spoof_w, 0.9, 0.4, c0=0.02
            )
            assert revised == pytest.approx(
                min_tdcf_2021(*repeated, c0=0.02, c1=0.9, c2=0.4)[0],
                abs=1e-15,
            )
            checked += 1


def test_weighted_metrics_batch_equals_one_by_one_and_unit_weights():
    rng = np.random.default_rng(2)
    bonafide = rng.normal(1.0, 1.0, 40)
    spoof = rng.normal(-1.0, 1.0, 60)
    bonafide_w = resampling_counts(40, 25, rng)
    spoof_w = resampling_counts(60, 25, rng)
    batch = weighted_eer(bonafide, spoof, bonafide_w, spoof_w)
    assert batch.shape == (25,)
    for b in range(25):
        assert batch[b] == weighted_eer(
            bonafide, spoof, bonafide_w[b], spoof_w[b]
        )
    assert (
        weighted_eer(bonafide, spoof, np.ones(40), np.ones(60))
        == (compute_eer(bonafide, spoof)[0])
    )
    tdcf = weighted_min_tdcf(bonafide, spoof, bonafide_w, spoof_w, 1.0, 0.5)
    assert tdcf.shape == (25,)
    assert tdcf[3] == weighted_min_tdcf(
        bonafide, spoof, bonafide_w[3], spoof_w[3], 1.0, 0.5
    )


@pytest.mark.parametrize(
    "bonafide_w, spoof_w, message",
    [
        ([1, -1, 1], [1, 1], "must not be negative"),
        ([1, 0.5, 1], [1, 1], "whole numbers"),
        ([1, 1], [1, 1], "shape"),
        ([0, 0, 0], [1, 1], "positive weight per class"),
        ([[1, 1, 1]], [[1, 1], [1, 1]], "must match"),
    ],
)
def test_weighted_eer_rejects_bad_weights(bonafide_w, spoof_w, message):
    with pytest.raises(ValueError, match=message):
        weighted_eer([2.0, 3.0, 4.0], [1.0, 2.0], bonafide_w, spoof_w)


def test_weighted_min_tdcf_rejects_bad_coefficients():
    with pytest.raises(ValueError, match="non-negative"):
        weighted_min_tdcf([2.0, 3.0, 4.0], [1.0, 2.0], [1] * 3, [1] * 2, -1, 1)
    with pytest.raises(ValueError, match="normaliser"):
        weighted_min_tdcf([2.0, 3.0, 4.0], [1.0, 2.0], [1] * 3, [1] * 2, 0, 1)


def test_resampling_counts_are_multinomial_draws():
    counts = resampling_counts(50, 4000, np.random.default_rng(3))
    assert counts.shape == (4000, 50)
    assert (counts.sum(axis=1) == 50).all()
    # Each count is Binomial(50, 1/50): mean 1, variance 0.98.
    assert np.abs(counts.mean(axis=0) - 1).max() < 0.1
    assert counts.var() == pytest.approx(0.98, abs=0.05)


# ---------------------------------------------------------------------------
# Bootstrap
# ---------------------------------------------------------------------------


def _labels(n_bonafide=150, n_spoof=450):
    return np.repeat([1, 0], [n_bonafide, n_spoof])


def test_identical_systems_differ_by_exactly_zero():
    rng = np.random.default_rng(4)
    labels = _labels()
    scores = rng.normal(size=(3, labels.size)) + 1.5 * labels
    result = paired_bootstrap(
        {"a": scores, "b": scores.copy()}, labels, "a", n_replicates=300
    )
    difference = result["b"]["EER"]["difference"]
    assert (difference.estimate, difference.low, difference.high) == (0, 0, 0)
    assert difference.contains(0.0)
    assert difference.p_better == 0.5  # every replicate is a tie
    assert "difference" not in result["a"]["EER"]


def test_exchangeable_systems_give_no_preference():
    """System b has the scores of system a, shuffled within each class:
    every resampling of a has an equally likely mirror image for b, so the
    difference is symmetric about 0."""
    rng = np.random.default_rng(5)
    labels = _labels(300, 900)
    scores_a = rng.normal(size=(3, labels.size)) + 1.5 * labels
    scores_b = scores_a.copy()
    for seed_scores in scores_b:
        for cls in (0, 1):
            where = np.flatnonzero(labels == cls)
            seed_scores[where] = seed_scores[rng.permutation(where)]
    result = paired_bootstrap(
        {"a": scores_a, "b": scores_b}, labels, "a", n_replicates=2000
    )
    difference = result["b"]["EER"]["difference"]
    assert difference.estimate == 0.0
    assert difference.low < 0 < difference.high
    assert abs(difference.p_better - 0.5) < 0.05


def test_separated_system_is_better_than_random_one():
    rng = np.random.default_rng(6)
    labels = _labels()
    random_scores = rng.normal(size=(3, labels.size))
    separated = random_scores + 6.0 * labels
    result = paired_bootstrap(
        {"random": random_scores, "separated": separated},
        labels,
        "random",
        n_replicates=500,
        tdcf_coefficients=(0.0, 0.92, 0.375),
    )
    eer = result["separated"]["EER"]["difference"]
    assert eer.high < 0 and not eer.contains(0.0)
    assert eer.p_better == 1.0
    tdcf = result["separated"]["min_tDCF"]["difference"]
    assert tdcf.high < 0 and tdcf.p_better == 1.0
    # The point estimates are the mean over seeds of the plain metrics.
    expected = np.mean(
        [
            compute_eer(s[labels == 1], s[labels == 0])[0]
            - compute_eer(r[labels == 1], r[labels == 0])[0]
            for s, r in zip(separated, random_scores)
        ]
    )
    assert eer.estimate == pytest.approx(expected, abs=1e-15)
    expected_tdcf = np.mean(
        [
            min_tdcf_2019(s[labels == 1], s[labels == 0], c1=0.92, c2=0.375)[0]
            for s in separated
        ]
    ) - np.mean(
        [
            min_tdcf_2019(r[labels == 1], r[labels == 0], c1=0.92, c2=0.375)[0]
            for r in random_scores
        ]
    )
    assert tdcf.estimate == pytest.approx(expected_tdcf, abs=1e-12)
    # Seen from the other side, the random system is worse.
    reverse = paired_bootstrap(
        {"random": random_scores, "separated": separated},
        labels,
        "separated",
        n_replicates=500,
    )["random"]["EER"]["difference"]
    assert reverse.low > 0 and reverse.p_better == 0.0


def test_pairing_detects_a_small_consistent_improvement():
    """Two systems sharing most of their noise: b is slightly but
    consistently better. Their own intervals overlap; the paired
    difference excludes 0."""
    rng = np.random.default_rng(7)
    labels = _labels(400, 1200)
    shared = rng.normal(size=(3, labels.size))
    scores_a = shared + 1.0 * labels
    scores_b = shared + 1.2 * labels
    result = paired_bootstrap(
        {"a": scores_a, "b": scores_b}, labels, "a", n_replicates=1000
    )
    mean_a, mean_b = result["a"]["EER"]["mean"], result["b"]["EER"]["mean"]
    assert mean_b.high > mean_a.low  # the separate intervals overlap
    difference = result["b"]["EER"]["difference"]
    assert difference.high < 0 and difference.p_better > 0.99


def test_seed_resampling_covers_seed_to_seed_variation():
    """Seed 1 separates the classes perfectly, seed 2 not at all: the
    mean-over-seeds interval must reach from about 0 to about 0.5."""
    rng = np.random.default_rng(8)
    labels = _labels()
    perfect = rng.normal(size=labels.size) + 20.0 * labels
    useless = rng.normal(size=labels.size)
    _, replicates = bootstrap_replicates(
        {"system": np.stack([perfect, useless])}, labels, n_replicates=400
    )
    values = replicates["system"]["EER"]
    assert values.min() == 0.0  # both draws took the perfect seed
    assert values.max() > 0.4  # both draws took the useless seed
    assert 0.2 < np.median(values) < 0.3


def test_bootstrap_is_deterministic_under_its_seed():
    rng = np.random.default_rng(9)
    labels = _labels()
    systems = {
        "a": rng.normal(size=(2, labels.size)) + labels,
        "b": rng.normal(size=(2, labels.size)) + 1.3 * labels,
    }
    first = paired_bootstrap(systems, labels, "a", n_replicates=200, seed=3)
    again = paired_bootstrap(systems, labels, "a", n_replicates=200, seed=3)
    other = paired_bootstrap(systems, labels, "a", n_replicates=200, seed=4)
    for name in ("a", "b"):  # (p_better of a mean is NaN, never equal)
        assert (
            first[name]["EER"]["mean"].high == again[name]["EER"]["mean"].high
        )
        assert first[name]["EER"]["mean"].low == again[name]["EER"]["mean"].low
    assert first["b"]["EER"]["difference"] == again["b"]["EER"]["difference"]
    assert first["b"]["EER"]["difference"] != other["b"]["EER"]["difference"]
    # Same estimate whatever the seed; only the interval moves.
    assert (
        first["b"]["EER"]["difference"].estimate
        == other["b"]["EER"]["difference"].estimate
    )


def test_single_system_interval():
    rng = np.random.default_rng(10)
    small = rng.normal(2, 1, 100), rng.normal(0, 1, 300)
    large = rng.normal(2, 1, 2000), rng.normal(0, 1, 6000)
    ci_small = bootstrap_eer_ci(*small, n_replicates=500)
    ci_large = bootstrap_eer_ci(*large, n_replicates=500)
    for ci, (bonafide, spoof) in ((ci_small, small), (ci_large, large)):
        assert isinstance(ci, BootstrapInterval)
        assert ci.estimate == compute_eer(bonafide, spoof)[0]
        assert ci.low < ci.estimate < ci.high
        assert np.isnan(ci.p_better)
        # Normal scores 2 standard deviations apart: EER = Phi(-1).
        assert ci.contains(0.1587) or ci is ci_small
    # 20 times the trials: an interval about sqrt(20) times narrower.
    ratio = (ci_small.high - ci_small.low) / (ci_large.high - ci_large.low)
    assert 2.5 < ratio < 7
    # A single bona fide trial still appears in every replicate.
    lonely = bootstrap_eer_ci([5.0], rng.normal(size=50), n_replicates=50)
    assert lonely.estimate == lonely.low == lonely.high == 0.0


def test_bootstrap_rejects_inconsistent_input():
    labels = _labels(5, 10)
    scores = np.random.default_rng(11).normal(size=(2, 15)) + labels
    with pytest.raises(ValueError, match="reference system 'c'"):
        paired_bootstrap({"a": scores}, labels, "c")
    with pytest.raises(ValueError, match="same number of seeds"):
        paired_bootstrap({"a": scores, "b": scores[:1]}, labels, "a")
    with pytest.raises(ValueError, match=r"shape \[15\] or \[seeds, 15\]"):
        paired_bootstrap({"a": scores[:, :14]}, labels, "a")
    with pytest.raises(ValueError, match="confidence"):
        paired_bootstrap({"a": scores}, labels, "a", confidence=95)
    with pytest.raises(ValueError, match="n_replicates"):
        bootstrap_eer_ci([1.0, 2.0], [0.0, -1.0], n_replicates=0)
