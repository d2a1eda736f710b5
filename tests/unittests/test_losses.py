"""Tests of the FICA losses (``speechbrain_fica.nnet.losses``).

* JS consistency: symmetric, zero for equal predictive distributions,
  within ``[0, log 2]``, equal to the divergence computed by hand;
* InI: equal to the pairwise sigmoid-cosine BCE computed by hand with
  loops, pulls an anchor towards its class and away from the other one,
  and handles empty, one-class and partly filled banks as documented;
* the module forms equal the functions.

Authors
 * speechbrain-fica contributors 2026
"""

import math

import pytest
import torch
import torch.nn.functional as F

from speechbrain_fica.nnet.losses import (
    REDUCTIONS,
    InstanceCorrelationLoss,
    JSConsistencyLoss,
    instance_correlation_loss,
    js_consistency_loss,
)

LOG_2 = math.log(2.0)


def hand_js(logits, masked_logits):
    """JS divergence of two rows of logits, with plain Python floats."""
    p = [math.exp(v) for v in logits]
    q = [math.exp(v) for v in masked_logits]
    p = [v / sum(p) for v in p]
    q = [v / sum(q) for v in q]
    m = [(a + b) / 2 for a, b in zip(p, q)]
    kl_p = sum(a * math.log(a / c) for a, c in zip(p, m) if a > 0)
    kl_q = sum(b * math.log(b / c) for b, c in zip(q, m) if b > 0)
    return (kl_p + kl_q) / 2


def hand_ini(embedding, label, keys, key_labels):
    """InI loss of one anchor (Eq. 4), with loops over the bank."""

    def cosine(a, b):
        dot = sum(x * y for x, y in zip(a, b))
        norm_a = math.sqrt(sum(x * x for x in a))
        norm_b = math.sqrt(sum(y * y for y in b))
        return dot / (norm_a * norm_b)

    def sigmoid(x):
        return 1.0 / (1.0 + math.exp(-x))

    positive, negative = [], []
    for key, key_label in zip(keys, key_labels):
        if key_label < 0:  # empty slot
            continue
        similarity = sigmoid(cosine(embedding, key))
        if key_label == label:
            positive.append(math.log(similarity))
        else:
            negative.append(math.log(1.0 - similarity))
    loss = 0.0
    if positive:
        loss -= sum(positive) / len(positive)
    if negative:
        loss -= sum(negative) / len(negative)
    return loss


# ---------------------------------------------------------------------------
# JS consistency
# ---------------------------------------------------------------------------


def test_js_equals_hand_computation():
    logits = torch.tensor([[1.0, -0.5], [0.2, 2.0], [3.0, 0.0]])
    masked = torch.tensor([[-0.3, 0.4], [0.2, 2.0], [-1.0, 1.5]])
    per_utterance = js_consistency_loss(logits, masked, reduction="batch")
    expected = [hand_js(a, b) for a, b in zip(logits.tolist(), masked.tolist())]
    assert per_utterance.tolist() == pytest.approx(expected, abs=1e-6)
    assert per_utterance[1].item() == 0.0  # identical rows
    mean = js_consistency_loss(logits, masked)
    assert mean.item() == pytest.approx(sum(expected) / 3, abs=1e-6)
    total = js_consistency_loss(logits, masked, reduction="sum")
    assert total.item() == pytest.approx(sum(expected), abs=1e-6)
    # Three classes as well.
    three = torch.tensor([[0.5, -1.0, 2.0]])
    three_masked = torch.tensor([[1.5, 0.0, -0.5]])
    value = js_consistency_loss(three, three_masked).item()
    assert value == pytest.approx(hand_js([0.5, -1.0, 2.0], [1.5, 0.0, -0.5]))


def test_js_is_symmetric_and_bounded():
    generator = torch.Generator().manual_seed(0)
    logits = 6 * torch.randn(64, 2, generator=generator)
    masked = 6 * torch.randn(64, 2, generator=generator)
    forward = js_consistency_loss(logits, masked, reduction="batch")
    backward = js_consistency_loss(masked, logits, reduction="batch")
    torch.testing.assert_close(forward, backward)
    assert (forward >= 0).all() and (forward <= LOG_2 + 1e-6).all()
    assert forward.max() > 0.3  # the random pairs are far from equal
    # Opposite confident predictions reach the bound.
    far = js_consistency_loss(
        torch.tensor([[30.0, -30.0]]), torch.tensor([[-30.0, 30.0]])
    )
    assert far.item() == pytest.approx(LOG_2, abs=1e-6)


def test_js_is_zero_for_equal_predictions():
    logits = torch.tensor([[2.0, -1.0], [0.0, 0.0], [-4.0, 5.0]])
    # A constant shift of the logits leaves the softmax unchanged.
    for other in (logits.clone(), logits + 3.7):
        loss = js_consistency_loss(logits, other, reduction="batch")
        assert loss.abs().max().item() < 1e-6
        assert (loss >= 0).all()


def test_js_gradient_brings_the_views_together():
    logits = torch.tensor([[2.0, -1.0]], requires_grad=True)
    masked = torch.tensor([[-0.5, 1.0]], requires_grad=True)
    js_consistency_loss(logits, masked).backward()
    # Both views receive a gradient, and a descent step moves each towards
    # the other: the clean view (spoof-leaning) towards bona fide, the
    # masked view (bona-fide-leaning) towards spoof.
    assert logits.grad[0, 1] < 0 < logits.grad[0, 0]
    assert masked.grad[0, 1] > 0 > masked.grad[0, 0]
    with torch.no_grad():
        before = js_consistency_loss(logits, masked)
        after = js_consistency_loss(
            logits - 0.1 * logits.grad, masked - 0.1 * masked.grad
        )
    assert after < before


def test_js_low_precision_input_and_bad_reduction():
    logits = torch.tensor([[1.0, -1.0], [0.5, 0.25]])
    masked = torch.tensor([[-1.0, 1.0], [0.0, 1.0]])
    low = js_consistency_loss(logits.bfloat16(), masked.bfloat16())
    assert low.dtype == torch.float32
    assert low.item() == pytest.approx(
        js_consistency_loss(logits, masked).item(), abs=1e-6
    )
    with pytest.raises(ValueError, match="reduction must be one of"):
        js_consistency_loss(logits, masked, reduction="none")


# ---------------------------------------------------------------------------
# InI
# ---------------------------------------------------------------------------


@pytest.fixture
def tiny_bank():
    """Six 4-d keys: three of each class, plus two empty slots."""
    generator = torch.Generator().manual_seed(1)
    keys = torch.randn(8, 4, generator=generator)
    labels = torch.tensor([1, 0, 1, -1, 0, 0, 1, -1])
    return keys, labels


def test_ini_equals_hand_computation(tiny_bank):
    keys, key_labels = tiny_bank
    generator = torch.Generator().manual_seed(2)
    anchors = 3 * torch.randn(3, 4, generator=generator)
    labels = torch.tensor([1, 0, 1])
    loss = instance_correlation_loss(
        anchors, labels, keys, key_labels, reduction="batch"
    )
    expected = [
        hand_ini(a, label, keys.tolist(), key_labels.tolist())
        for a, label in zip(anchors.tolist(), labels.tolist())
    ]
    assert loss.tolist() == pytest.approx(expected, abs=1e-5)
    mean = instance_correlation_loss(anchors, labels, keys, key_labels)
    assert mean.item() == pytest.approx(sum(expected) / 3, abs=1e-5)
    # Labels as a [B, 1] column (batch.target) give the same.
    column = instance_correlation_loss(
        anchors, labels.unsqueeze(1), keys, key_labels, reduction="sum"
    )
    assert column.item() == pytest.approx(sum(expected), abs=1e-5)


def test_ini_ignores_empty_slots_and_scale(tiny_bank):
    keys, key_labels = tiny_bank
    anchors = torch.tensor([[1.0, 2.0, -1.0, 0.5], [0.3, -0.2, 0.9, 1.0]])
    labels = torch.tensor([0, 1])
    filled = key_labels >= 0
    with_slots = instance_correlation_loss(anchors, labels, keys, key_labels)
    without = instance_correlation_loss(
        anchors, labels, keys[filled], key_labels[filled]
    )
    assert with_slots.item() == pytest.approx(without.item(), abs=1e-6)
    # Cosine similarity: the scale of anchors and keys does not matter.
    scaled = instance_correlation_loss(
        7.5 * anchors, labels, 0.01 * keys, key_labels
    )
    assert scaled.item() == pytest.approx(with_slots.item(), abs=1e-5)


def test_ini_gradient_pulls_same_class_and_pushes_other_class():
    # Bona fide keys around +x, spoof keys around +y.
    keys = torch.tensor(
        [[1.0, 0.1, 0.0], [0.9, -0.1, 0.1], [0.1, 1.0, 0.0], [-0.1, 0.9, 0.1]]
    )
    key_labels = torch.tensor([1, 1, 0, 0])
    anchor = torch.tensor([[0.5, 0.5, 0.7]], requires_grad=True)
    for label, towards, away in ((1, 0, 2), (0, 2, 0)):
        anchor.grad = None
        loss = instance_correlation_loss(
            anchor, torch.tensor([label]), keys, key_labels
        )
        loss.backward()
        stepped = (anchor - 0.05 * anchor.grad).detach()
        cos_before = F.cosine_similarity(anchor.detach(), keys)
        cos_after = F.cosine_similarity(stepped, keys)
        same = key_labels == label
        # Closer to every key of its class, farther from every other key.
        assert (cos_after[same] > cos_before[same]).all(), label
        assert (cos_after[~same] < cos_before[~same]).all(), label
        assert cos_after[towards] > cos_after[away]
        after = instance_correlation_loss(
            stepped, torch.tensor([label]), keys, key_labels
        )
        assert after < loss


def test_ini_empty_bank_gives_zero_and_no_nan():
    anchors = torch.randn(3, 5, requires_grad=True)
    labels = torch.tensor([0, 1, 1])
    empty_keys = torch.zeros(0, 5)
    empty_labels = torch.zeros(0, dtype=torch.long)
    loss = instance_correlation_loss(anchors, labels, empty_keys, empty_labels)
    assert loss.item() == 0.0
    loss.backward()
    assert torch.equal(anchors.grad, torch.zeros_like(anchors))
    # A bank of empty slots only (a fresh MemoryBank) is the same.
    slots = instance_correlation_loss(
        anchors, labels, torch.zeros(4, 5), torch.full((4,), -1)
    )
    assert slots.item() == 0.0


def test_ini_one_class_bank():
    # Only bona fide keys: a bona fide anchor gets the positive term only,
    # a spoof anchor the negative term only.
    keys = torch.tensor([[1.0, 0.0], [0.6, 0.8], [0.0, 1.0]])
    key_labels = torch.tensor([1, 1, 1])
    anchors = torch.tensor([[1.0, 1.0], [-1.0, 0.5]])
    loss = instance_correlation_loss(
        anchors, torch.tensor([1, 0]), keys, key_labels, reduction="batch"
    )
    cos = F.cosine_similarity(anchors.unsqueeze(1), keys.unsqueeze(0), dim=-1)
    positive_only = -F.logsigmoid(cos[0]).mean()
    negative_only = -F.logsigmoid(-cos[1]).mean()
    assert loss[0].item() == pytest.approx(positive_only.item(), abs=1e-6)
    assert loss[1].item() == pytest.approx(negative_only.item(), abs=1e-6)
    assert torch.isfinite(loss).all()


# ---------------------------------------------------------------------------
# Module forms
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_modules_equal_the_functions(reduction, tiny_bank):
    generator = torch.Generator().manual_seed(3)
    logits = torch.randn(5, 2, generator=generator)
    masked = torch.randn(5, 2, generator=generator)
    torch.testing.assert_close(
        JSConsistencyLoss(reduction)(logits, masked),
        js_consistency_loss(logits, masked, reduction),
        rtol=0,
        atol=0,
    )
    keys, key_labels = tiny_bank
    anchors = torch.randn(5, 4, generator=generator)
    labels = torch.tensor([0, 1, 1, 0, 1])
    torch.testing.assert_close(
        InstanceCorrelationLoss(reduction)(anchors, labels, keys, key_labels),
        instance_correlation_loss(anchors, labels, keys, key_labels, reduction),
        rtol=0,
        atol=0,
    )
    with pytest.raises(ValueError, match="reduction"):
        InstanceCorrelationLoss("max")(anchors, labels, keys, key_labels)
