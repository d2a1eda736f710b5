"""LCNN spoofing countermeasure with a log-mel filterbank front end.

The network body is the ASVspoof 2021 LFCC-LCNN baseline (B03; Wang and
Yamagishi, "A comparative study on recent neural spoofing
countermeasures for synthetic speech detection", Interspeech 2021;
asvspoof-challenge/2021, BSD-3-Clause): max-feature-map (MFM) convolutions,
two bidirectional LSTM layers with a skip connection, average pooling over
time and one output logit. As in the FICA paper, the front end is a log-mel
filterbank with first- and second-order deltas, computed inside the lobe
from the waveform with SpeechBrain's ``Fbank`` (32 ms frames, 8 ms hop).

Authors
 * speechbrain-fica contributors 2026
"""

import torch
import torch.nn as nn
from speechbrain.augment.freq_domain import SpectrogramDrop
from speechbrain.dataio.dataio import length_to_mask
from speechbrain.lobes.features import Fbank


def default_spec_augment_masks():
    """SpecAugment masks for the LCNN features (the paper gives none).

    One time mask of up to 100 frames (0.8 s at an 8 ms hop) and one
    frequency mask of up to 20 of the feature bins, both zero-filled, as
    in Fig. 3 of the FICA paper ("a frequency band and a time block"). The
    features are the three maps concatenated on the feature axis
    (``[B, frames, 3 * n_mels]``), so a frequency mask lands in one map.

    Returns
    -------
    list
        SpeechBrain ``SpectrogramDrop`` modules (time, then frequency).

    Example
    -------
    >>> [mask.dim for mask in default_spec_augment_masks()]
    [1, 2]
    """
    return [
        SpectrogramDrop(
            drop_length_low=0,
            drop_length_high=101,
            drop_count_low=1,
            drop_count_high=1,
            replace="zeros",
            dim=1,
        ),
        SpectrogramDrop(
            drop_length_low=0,
            drop_length_high=21,
            drop_count_low=1,
            drop_count_high=1,
            replace="zeros",
            dim=2,
        ),
    ]


class MaxFeatureMap2d(nn.Module):
    """Max-feature-map activation: element-wise max of the channel halves.

    Example
    -------
    >>> MaxFeatureMap2d()(torch.randn(2, 64, 10, 10)).shape
    torch.Size([2, 32, 10, 10])
    """

    def forward(self, x):
        """``[B, 2C, H, W] -> [B, C, H, W]``."""
        first, second = x.chunk(2, dim=1)
        return torch.maximum(first, second)


def _mfm_conv(in_channels, out_channels, kernel_size):
    """A 'same'-padded convolution with ``2 * out`` channels followed by MFM."""
    return [
        nn.Conv2d(
            in_channels,
            2 * out_channels,
            kernel_size,
            padding=kernel_size // 2,
        ),
        MaxFeatureMap2d(),
    ]


def _mfm_pair(in_channels, mid_channels, out_channels):
    """The LCNN 'network-in-network' pair: 1x1 MFM, BN, 3x3 MFM."""
    return [
        *_mfm_conv(in_channels, mid_channels, 1),
        nn.BatchNorm2d(mid_channels, affine=False),
        *_mfm_conv(mid_channels, out_channels, 3),
    ]


class LCNN(nn.Module):
    """LCNN (waveform in, logits and embedding out).

    Front end: log-mel filterbank + delta + delta-delta (SpeechBrain
    ``Fbank``), not normalised by default (``mean_norm=True`` subtracts
    each utterance's mean feature vector, which neither the LCNN baseline
    nor the FICA paper does). The three maps are concatenated on the
    feature axis (``stacking="features"``, as the baseline concatenates
    LFCC and its deltas) or stacked as three input channels
    (``stacking="channels"``); the paper says "concatenated" but not on
    which axis, so both are guesses.

    With ``spec_augment=True`` the features of every training forward
    (``self.training``) are masked by ``spec_augment_masks``, SpeechBrain
    ``SpectrogramDrop`` modules applied in turn to ``[B, frames, 3 *
    n_mels]`` (default: :func:`default_spec_augment_masks`); evaluation is
    never masked.

    Body (all BatchNorms without affine parameters)::

        conv 5x5 (64) MFM, maxpool 2
        1x1 (64) MFM, BN, 3x3 (96) MFM, maxpool 2, BN
        1x1 (96) MFM, BN, 3x3 (128) MFM, maxpool 2
        1x1 (128) MFM, BN, 3x3 (64) MFM, BN
        1x1 (64) MFM, BN, 3x3 (64) MFM, maxpool 2, dropout 0.7
        2 x BLSTM, mean over time of (BLSTM output + input), linear -> 1

    The single output logit ``z`` is returned as two-class logits
    ``[0, z]``: their softmax is ``[1 - sigmoid(z), sigmoid(z)]``, so
    cross-entropy on them equals the baseline's BCE on ``z``, and
    ``logits[:, 1]`` is the baseline's score.

    Parameters with the defaults (60 mel bins, feature-axis stacking):
    1,650,337; with ``stacking="channels"``: 272,929.

    Designed for 96,000 samples (6 s at 16 kHz, the FICA paper's setting);
    any length of at least 16 frames (about 0.14 s) works.

    Arguments
    ---------
    n_mels : int
        Mel bins of the filterbank.
    sample_rate : int
        Sampling rate in Hz.
    win_length : float
        Frame length in ms (32 ms = 512 samples at 16 kHz).
    hop_length : float
        Frame shift in ms (8 ms = 128 samples at 16 kHz).
    n_fft : int
        FFT size.
    stacking : str
        ``"features"`` or ``"channels"`` (see above).
    mean_norm : bool
        Subtract each utterance's mean over time from every feature.
    dropout : float
        Dropout after the convolutional body.
    spec_augment : bool
        Mask the features of training forwards (SpecAugment).
    spec_augment_masks : list, optional
        Modules ``[B, frames, F] -> [B, frames, F]`` applied in turn when
        ``spec_augment`` is on; :func:`default_spec_augment_masks` by
        default.

    Example
    -------
    >>> model = LCNN().eval()
    >>> logits, embedding = model(torch.randn(2, 16000))
    >>> logits.shape, embedding.shape
    (torch.Size([2, 2]), torch.Size([2, 352]))
    >>> bool((logits[:, 0] == 0).all())
    True
    >>> sum(p.numel() for p in model.parameters())
    1650337
    """

    def __init__(
        self,
        n_mels=60,
        sample_rate=16000,
        win_length=32,
        hop_length=8,
        n_fft=512,
        stacking="features",
        mean_norm=False,
        dropout=0.7,
        spec_augment=False,
        spec_augment_masks=None,
    ):
        super().__init__()
        if stacking not in ("features", "channels"):
            raise ValueError(
                f"stacking must be 'features' or 'channels', got {stacking!r}"
            )
        self.stacking = stacking
        self.mean_norm = mean_norm
        self.spec_augment = spec_augment
        if spec_augment_masks is None:
            spec_augment_masks = default_spec_augment_masks()
        self.spec_augment_masks = nn.ModuleList(spec_augment_masks)
        self.fbank = Fbank(
            deltas=True,
            sample_rate=sample_rate,
            n_fft=n_fft,
            n_mels=n_mels,
            win_length=win_length,
            hop_length=hop_length,
        )
        in_channels = 3 if stacking == "channels" else 1
        feature_dim = n_mels if stacking == "channels" else 3 * n_mels
        self.cnn = nn.Sequential(
            *_mfm_conv(in_channels, 32, 5),
            nn.MaxPool2d(2),
            *_mfm_pair(32, 32, 48),
            nn.MaxPool2d(2),
            nn.BatchNorm2d(48, affine=False),
            *_mfm_pair(48, 48, 64),
            nn.MaxPool2d(2),
            *_mfm_pair(64, 64, 32),
            nn.BatchNorm2d(32, affine=False),
            *_mfm_pair(32, 32, 32),
            nn.MaxPool2d(2),
            nn.Dropout(dropout),
        )
        self.embedding_dim = 32 * (feature_dim // 16)
        self.blstm = nn.ModuleList(
            nn.LSTM(
                self.embedding_dim,
                self.embedding_dim // 2,
                bidirectional=True,
                batch_first=True,
            )
            for _ in range(2)
        )
        self.out = nn.Linear(self.embedding_dim, 1)

    def feature_maps(self, wavs, lengths=None):
        """Log-mel filterbank with deltas, ``[B, T] -> [B, frames, 3 F]``.

        The three maps (static, delta, delta-delta, ``n_mels`` bins each)
        are concatenated on the last axis, as SpeechBrain's ``Fbank``
        returns them; mean-normalised when ``mean_norm``, SpecAugment-masked
        in training when ``spec_augment``.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]`` for the mean normalisation.

        Returns
        -------
        torch.Tensor
            Features ``[B, frames, 3 * n_mels]`` (no gradient).

        Example
        -------
        >>> LCNN(n_mels=60).feature_maps(torch.randn(1, 16000)).shape
        torch.Size([1, 126, 180])
        """
        with torch.no_grad():
            feats = self.fbank(wavs)
            if self.mean_norm:
                mask = self._frame_mask(feats.shape[1], wavs, lengths)
                mean = (feats * mask).sum(1, keepdim=True) / mask.sum(
                    1, keepdim=True
                )
                feats = feats - mean
            if self.spec_augment and self.training:
                for mask in self.spec_augment_masks:
                    feats = mask(feats)
        return feats

    def compute_features(self, wavs, lengths=None):
        """The network input, ``[B, T] -> [B, C, frames, F]``.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]`` for the mean normalisation.

        Returns
        -------
        torch.Tensor
            :meth:`feature_maps`, channels first for the 2-D convolutions.
        """
        feats = self.feature_maps(wavs, lengths)
        if self.stacking == "channels":
            return feats.unflatten(2, (3, -1)).permute(0, 2, 1, 3)
        return feats.unsqueeze(1)

    @staticmethod
    def _frame_mask(n_frames, wavs, lengths):
        """``[B, n_frames, 1]`` mask of the frames inside each utterance."""
        if lengths is None:
            return torch.ones(wavs.shape[0], n_frames, 1, device=wavs.device)
        valid = torch.clamp(torch.round(lengths * n_frames), min=1)
        return length_to_mask(valid, n_frames).unsqueeze(-1).to(wavs.dtype)

    def forward(self, wavs, lengths=None):
        """Scores a waveform batch.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]`` at ``sample_rate``, scored through their
            log-mel features (:meth:`compute_features`).
        lengths : torch.Tensor, optional
            Relative lengths ``[B]``; padded frames are left out of the
            mean normalisation and of the temporal average.

        Returns
        -------
        logits : torch.Tensor
            ``[B, 2]`` = ``[0, z]``; class 1 is bona fide.
        embedding : torch.Tensor
            ``[B, embedding_dim]``, the pooled BLSTM output.
        """
        x = self.cnn(self.compute_features(wavs, lengths))
        x = x.permute(0, 2, 1, 3).flatten(2)
        hidden = x
        for lstm in self.blstm:
            hidden, _ = lstm(hidden)
        mask = self._frame_mask(x.shape[1], wavs, lengths)
        embedding = ((hidden + x) * mask).sum(1) / mask.sum(1)
        z = self.out(embedding)
        return torch.cat([torch.zeros_like(z), z], dim=1), embedding
