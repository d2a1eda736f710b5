"""Adapters that give other models the countermeasure backbone contract.

The FICA strategy needs a waveform-in, ``(logits, embedding)``-out module.
:class:`WaveformAdapter` wraps any feature-based SpeechBrain embedding lobe
(``ECAPA_TDNN``, ``Xvector``, ``ResNet``, ...) so that it trains with FICA
by a yaml change only.

Authors
 * speechbrain-fica contributors 2026
"""

import torch
import torch.nn as nn
from speechbrain.lobes.features import Fbank


class WaveformAdapter(nn.Module):
    """Waveform -> features -> embedding lobe -> linear 2-class head.

    Arguments
    ---------
    embedding_model : torch.nn.Module
        A SpeechBrain embedding lobe called as ``model(feats, lengths)`` on
        ``[B, frames, n_feats]`` features and returning ``[B, 1, D]`` or
        ``[B, D]``.
    embedding_dim : int
        ``D``.
    features : torch.nn.Module, optional
        Waveform ``[B, T]`` -> ``[B, frames, n_feats]``; SpeechBrain's
        ``Fbank(n_mels=40)`` by default.
    mean_norm : bool
        Subtract each utterance's mean feature vector (sentence-level mean
        normalisation, as SpeechBrain's speaker recipes do).
    n_classes : int
        Output classes (class 1 = bona fide).

    Example
    -------
    >>> from speechbrain.lobes.models.Xvector import Xvector
    >>> adapter = WaveformAdapter(
    ...     Xvector(in_channels=40, lin_neurons=64), embedding_dim=64
    ... )
    >>> logits, embedding = adapter(torch.randn(2, 16000))
    >>> logits.shape, embedding.shape
    (torch.Size([2, 2]), torch.Size([2, 64]))
    """

    def __init__(
        self,
        embedding_model,
        embedding_dim,
        features=None,
        mean_norm=True,
        n_classes=2,
    ):
        super().__init__()
        self.features = features if features is not None else Fbank(n_mels=40)
        self.embedding_model = embedding_model
        self.mean_norm = mean_norm
        self.embedding_dim = embedding_dim
        self.classifier = nn.Linear(embedding_dim, n_classes)

    def forward(self, wavs, lengths=None):
        """Scores ``wavs`` ``[B, T]`` (relative ``lengths`` ``[B]``).

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``, turned into ``features``.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]``, passed to the embedding model (all
            ones when not given).

        Returns
        -------
        logits : torch.Tensor
            ``[B, n_classes]``.
        embedding : torch.Tensor
            ``[B, embedding_dim]``.
        """
        if lengths is None:
            lengths = torch.ones(wavs.shape[0], device=wavs.device)
        with torch.no_grad():
            feats = self.features(wavs)
            if self.mean_norm:
                feats = feats - feats.mean(dim=1, keepdim=True)
        embedding = self.embedding_model(feats, lengths)
        embedding = embedding.reshape(wavs.shape[0], -1)
        return self.classifier(embedding), embedding
