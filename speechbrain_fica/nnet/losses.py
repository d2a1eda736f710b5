"""Losses of the FICA training strategy.

* InF consistency: the Jensen-Shannon divergence between the predictive
  distributions on the clean and the band-pass-masked view (Eq. 1-2 of
  Wang et al., ACML 2024).
* InI: a pairwise binary cross-entropy on sigmoid(cosine similarity)
  between each embedding and the keys of a class-labelled memory bank
  (Eq. 4).

As in ``speechbrain.nnet.losses``, each loss is a function with a
``reduction`` argument plus an ``nn.Module`` wrapper for yaml files.
Reductions: ``"mean"`` (over utterances), ``"sum"``, or ``"batch"`` (one
value per utterance).

Authors
 * speechbrain-fica contributors 2026
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

REDUCTIONS = ("mean", "sum", "batch")


def _reduce(per_utterance, reduction):
    """Applies a SpeechBrain-style reduction to a ``[B]`` loss."""
    if reduction == "mean":
        return per_utterance.mean()
    if reduction == "sum":
        return per_utterance.sum()
    if reduction == "batch":
        return per_utterance
    raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction}")


def js_consistency_loss(logits, masked_logits, reduction="mean"):
    """Jensen-Shannon divergence between two views' class distributions.

    With ``q = softmax(logits)``, ``q' = softmax(masked_logits)`` and
    ``m = (q + q') / 2``: ``JS = (KL(q || m) + KL(q' || m)) / 2`` per
    utterance, in nats, in ``[0, log 2]``.

    The paper prints Eq. 2 with a leading minus sign. That is a typo:
    minimising ``-JS`` would push the two views apart, against the stated
    aim (consistent predictions) and the paper's own t-SNE evidence. This
    loss is ``+JS`` and is minimised. Gradients flow into both views.

    Arguments
    ---------
    logits : torch.Tensor
        Clean-view logits ``[B, C]``.
    masked_logits : torch.Tensor
        Masked-view logits ``[B, C]``.
    reduction : str
        One of ``REDUCTIONS``: ``"mean"`` over the utterances, ``"sum"``,
        or ``"batch"``.

    Returns
    -------
    torch.Tensor
        The divergence (scalar, or ``[B]`` for ``"batch"``).

    Example
    -------
    >>> logits = torch.tensor([[2.0, -1.0], [0.0, 0.0]])
    >>> js_consistency_loss(logits, logits).item()
    0.0
    >>> far = js_consistency_loss(
    ...     torch.tensor([[50.0, -50.0]]), torch.tensor([[-50.0, 50.0]])
    ... )
    >>> round(far.item(), 6) == round(math.log(2), 6)
    True
    """
    log_q = F.log_softmax(logits.float(), dim=-1)
    log_q_masked = F.log_softmax(masked_logits.float(), dim=-1)
    log_m = torch.logsumexp(torch.stack([log_q, log_q_masked]), 0)
    log_m = log_m - math.log(2.0)
    kl_clean = (log_q.exp() * (log_q - log_m)).sum(-1)
    kl_masked = (log_q_masked.exp() * (log_q_masked - log_m)).sum(-1)
    # JS >= 0; clamp the float rounding of identical distributions.
    return _reduce((0.5 * (kl_clean + kl_masked)).clamp(min=0.0), reduction)


PAIR_REDUCTIONS = ("mean", "sum")


def instance_correlation_loss(
    embeddings,
    labels,
    bank_keys,
    bank_labels,
    reduction="mean",
    pair_reduction="mean",
):
    """InI loss: sigmoid-cosine pairwise BCE against a labelled memory bank.

    For anchor ``i`` with embedding ``f_i``, ``F+`` are the bank keys with
    the same label and ``F-`` the keys with another label. With
    ``pair_reduction="mean"`` (Eq. 4 as printed: one average over positives
    and one over negatives per anchor, no temperature)::

        L_i = -( mean_{k in F+} log sigmoid(cos(f_i, k))
               + mean_{k in F-} log(1 - sigmoid(cos(f_i, k))) )

    so ``L_i`` lies in ``[0.63, 2.63]`` whatever the bank size. With
    ``pair_reduction="sum"`` the two averages are sums over the pairs
    (``1 / N_pos`` and ``1 / N_neg`` dropped): ``L_i`` then grows with the
    number of keys in the bank. An anchor without positives (or negatives)
    in the bank gets no term for them. Bank entries with a negative label
    are empty slots and are ignored. ``reduction`` then combines the
    anchors (Eq. 4's ``1 / N`` is ``"mean"``).

    Arguments
    ---------
    embeddings : torch.Tensor
        Anchors ``[B, D]`` (any scale; cosine similarity is used).
    labels : torch.Tensor
        Anchor labels ``[B]`` (or ``[B, 1]``).
    bank_keys : torch.Tensor
        Memory-bank keys ``[K, D]``.
    bank_labels : torch.Tensor
        Memory-bank labels ``[K]``.
    reduction : str
        Over the anchors: ``"mean"``, ``"sum"`` or ``"batch"``.
    pair_reduction : str
        Over each anchor's positive and negative pairs: ``"mean"`` or
        ``"sum"``.

    Returns
    -------
    torch.Tensor
        The loss (scalar, or ``[B]`` for ``"batch"``).

    Example
    -------
    >>> anchors = torch.tensor([[1.0, 0.0]])
    >>> keys = torch.tensor([[1.0, 0.0], [-1.0, 0.0]])
    >>> loss = instance_correlation_loss(
    ...     anchors, torch.tensor([1]), keys, torch.tensor([1, 0])
    ... )
    >>> # cos = +1 with the positive, -1 with the negative
    >>> expected = -2 * math.log(torch.sigmoid(torch.tensor(1.0)).item())
    >>> round(loss.item(), 6) == round(expected, 6)
    True
    >>> doubled = instance_correlation_loss(
    ...     anchors,
    ...     torch.tensor([1]),
    ...     keys.repeat(2, 1),
    ...     torch.tensor([1, 0, 1, 0]),
    ...     pair_reduction="sum",
    ... )
    >>> round(doubled.item(), 6) == round(2 * expected, 6)
    True
    """
    if pair_reduction not in PAIR_REDUCTIONS:
        raise ValueError(
            f"pair_reduction must be one of {PAIR_REDUCTIONS}, "
            f"got {pair_reduction}"
        )
    labels = labels.reshape(-1)
    cosine = (
        F.normalize(embeddings.float(), dim=-1)
        @ F.normalize(bank_keys.float(), dim=-1).T
    )
    valid = (bank_labels >= 0).unsqueeze(0)
    positive = (labels.unsqueeze(1) == bank_labels.unsqueeze(0)) & valid
    negative = ~positive & valid

    def pooled(values, mask):
        mask = mask.to(values.dtype)
        total = (values * mask).sum(1)
        if pair_reduction == "sum":
            return total
        return total / mask.sum(1).clamp(min=1.0)

    per_anchor = -(
        pooled(F.logsigmoid(cosine), positive)
        + pooled(F.logsigmoid(-cosine), negative)
    )
    return _reduce(per_anchor, reduction)


class _ReducedLoss(nn.Module):
    """Base of the module forms: holds the ``reduction`` for ``forward``."""

    def __init__(self, reduction="mean"):
        super().__init__()
        self.reduction = reduction


class JSConsistencyLoss(_ReducedLoss):
    """Module form of :func:`js_consistency_loss` (InF consistency term).

    Arguments
    ---------
    reduction : str
        ``"mean"`` or ``"sum"`` over utterances, or ``"batch"`` for one
        divergence per utterance.

    Example
    -------
    >>> loss = JSConsistencyLoss()
    >>> loss(torch.zeros(3, 2), torch.zeros(3, 2)).item()
    0.0
    """

    def forward(self, logits, masked_logits):
        """Computes the loss (see :func:`js_consistency_loss`)."""
        return js_consistency_loss(logits, masked_logits, self.reduction)


class InstanceCorrelationLoss(_ReducedLoss):
    """Module form of :func:`instance_correlation_loss` (InI term).

    Arguments
    ---------
    reduction : str
        How the per-anchor losses are combined: ``"mean"``, ``"sum"`` or
        ``"batch"`` (none).
    pair_reduction : str
        How each anchor's pairs are combined: ``"mean"`` (Eq. 4 as printed)
        or ``"sum"``.

    Example
    -------
    >>> loss = InstanceCorrelationLoss(reduction="batch")
    >>> keys, labels = torch.randn(8, 4), torch.tensor([0, 1] * 4)
    >>> loss(torch.randn(2, 4), torch.tensor([0, 1]), keys, labels).shape
    torch.Size([2])
    """

    def __init__(self, reduction="mean", pair_reduction="mean"):
        super().__init__(reduction)
        self.pair_reduction = pair_reduction

    def forward(self, embeddings, labels, bank_keys, bank_labels):
        """Computes the loss (see :func:`instance_correlation_loss`)."""
        return instance_correlation_loss(
            embeddings,
            labels,
            bank_keys,
            bank_labels,
            self.reduction,
            self.pair_reduction,
        )
