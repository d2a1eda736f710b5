"""Tests of ``speechbrain_fica.metrics.cm_scores``: the three score types
on known logits, float32 scores from low-precision logits, and a clear
error for an unknown type.

Authors
 * speechbrain-fica contributors 2026
"""

import math

import pytest
import torch

from speechbrain_fica.metrics.cm_scores import SCORE_TYPES, cm_scores

# Rows: confident spoof, undecided, confident bona fide, LCNN-style [0, z].
LOGITS = torch.tensor(
    [[3.0, -1.0], [0.5, 0.5], [-2.0, 4.0], [0.0, 1.25], [40.0, -60.0]]
)


def test_score_types_on_known_logits():
    assert cm_scores(LOGITS).tolist() == [-1.0, 0.5, 4.0, 1.25, -60.0]
    assert cm_scores(LOGITS, "bonafide_logit").tolist() == [
        -1.0,
        0.5,
        4.0,
        1.25,
        -60.0,
    ]
    assert cm_scores(LOGITS, "log_ratio").tolist() == [
        -4.0,
        0.0,
        6.0,
        1.25,
        -100.0,
    ]
    log_prob = cm_scores(LOGITS, "bonafide_log_prob").tolist()
    by_hand = [
        b - math.log(math.exp(a) + math.exp(b)) for a, b in LOGITS.tolist()
    ]
    assert log_prob == pytest.approx(by_hand, abs=1e-6)
    assert log_prob[1] == pytest.approx(math.log(0.5), abs=1e-7)
    assert all(value <= 0 for value in log_prob)
    # Very confident logits stay finite (no log(0)).
    assert log_prob[4] == pytest.approx(-100.0, abs=1e-4)


def test_score_types_rank_trials_alike():
    # log_ratio and bonafide_log_prob order trials identically
    # (log_prob = logsigmoid(log_ratio)); the raw logit may not.
    generator = torch.Generator().manual_seed(0)
    logits = 3 * torch.randn(50, 2, generator=generator)
    ratio = cm_scores(logits, "log_ratio")
    log_prob = cm_scores(logits, "bonafide_log_prob")
    torch.testing.assert_close(log_prob, torch.nn.functional.logsigmoid(ratio))
    assert torch.equal(ratio.argsort(), log_prob.argsort())


@pytest.mark.parametrize("score_type", SCORE_TYPES)
def test_low_precision_logits_give_float32(score_type):
    low = LOGITS[:4].to(torch.bfloat16)
    scores = cm_scores(low, score_type)
    assert scores.dtype == torch.float32 and scores.shape == (4,)
    torch.testing.assert_close(scores, cm_scores(low.float(), score_type))
    half = cm_scores(LOGITS[:4].half(), score_type)
    assert half.dtype == torch.float32


def test_unknown_score_type():
    with pytest.raises(ValueError, match="unknown score_type 'softmax'") as e:
        cm_scores(LOGITS, "softmax")
    for name in SCORE_TYPES:
        assert name in str(e.value)
