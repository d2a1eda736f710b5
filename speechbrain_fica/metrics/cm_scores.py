"""Countermeasure scores from backbone logits.

Higher scores always mean "more bona fide" (the ASVspoof convention).

Authors
 * speechbrain-fica contributors 2026
"""

import torch

SCORE_TYPES = ("bonafide_logit", "log_ratio", "bonafide_log_prob")


def cm_scores(logits, score_type="bonafide_logit"):
    """Turns ``[B, 2]`` logits (class 1 = bona fide) into ``[B]`` scores.

    * ``"bonafide_logit"``: ``logits[:, 1]``, the official AASIST score;
      for LCNN (logits ``[0, z]``) it is the baseline's raw logit ``z``.
    * ``"log_ratio"``: ``logits[:, 1] - logits[:, 0]``, the log-odds.
    * ``"bonafide_log_prob"``: ``log_softmax(logits)[:, 1]``, the official
      RawNet2 score.

    Scores are computed in float32 whatever the autocast precision.

    Arguments
    ---------
    logits : torch.Tensor
        ``[B, 2]`` logits.
    score_type : str
        One of ``SCORE_TYPES``.

    Returns
    -------
    torch.Tensor
        ``[B]`` float32 scores.

    Example
    -------
    >>> logits = torch.tensor([[1.0, 3.0]])
    >>> [cm_scores(logits, t).item() for t in SCORE_TYPES[:2]]
    [3.0, 2.0]
    """
    logits = logits.float()
    if score_type == "bonafide_logit":
        return logits[:, 1]
    if score_type == "log_ratio":
        return logits[:, 1] - logits[:, 0]
    if score_type == "bonafide_log_prob":
        return torch.log_softmax(logits, dim=-1)[:, 1]
    raise ValueError(
        f"unknown score_type {score_type!r}; choose one of {SCORE_TYPES}"
    )
