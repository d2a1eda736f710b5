"""RawNet2 spoofing countermeasure (ASVspoof 2021 baseline B04).

A port of Tak et al., "End-to-end anti-spoofing with RawNet2", ICASSP 2021,
in the configuration of the ASVspoof 2021 baseline
(asvspoof-challenge/2021, LA/Baseline-RawNet2, MIT). Module names follow
that implementation, so its state_dict keys are reproduced.

Authors
 * speechbrain-fica contributors 2026
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from speechbrain_fica.lobes.frontends import MelSincFilterbank


class ResidualBlock1d(nn.Module):
    """Residual block of RawNet2.

    ``conv1 (k3) -> BN -> LeakyReLU(0.3) -> conv2 (k3)``, plus the identity
    (through a 1x1 convolution when the channel count changes), then
    max-pooling by 3. As in the official code, the ``bn1`` of non-first
    blocks is computed on nothing (``conv1`` reads the raw input); it is kept
    frozen for ``state_dict`` compatibility and not evaluated.

    Arguments
    ---------
    in_channels : int
        Channels of the input sequence.
    out_channels : int
        Channels of the output sequence.
    first : bool
        Whether this is the first block of the stack (it has no ``bn1``).

    Example
    -------
    >>> block = ResidualBlock1d(20, 128)
    >>> block(torch.randn(2, 20, 300)).shape
    torch.Size([2, 128, 100])
    """

    def __init__(self, in_channels, out_channels, first=False):
        super().__init__()
        if not first:
            self.bn1 = nn.BatchNorm1d(in_channels).requires_grad_(False)
        self.conv1 = nn.Conv1d(in_channels, out_channels, 3, padding=1)
        self.bn2 = nn.BatchNorm1d(out_channels)
        self.conv2 = nn.Conv1d(out_channels, out_channels, 3, padding=1)
        if in_channels != out_channels:
            self.conv_downsample = nn.Conv1d(in_channels, out_channels, 1)
        self.pool = nn.MaxPool1d(3)

    def forward(self, x):
        """``[B, C_in, T] -> [B, C_out, T // 3]``."""
        out = self.bn2(self.conv1(x))
        out = self.conv2(F.leaky_relu(out, negative_slope=0.3))
        if hasattr(self, "conv_downsample"):
            x = self.conv_downsample(x)
        return self.pool(out + x)


class RawNet2(nn.Module):
    """RawNet2 (waveform in, logits and embedding out).

    Pipeline: fixed mel sinc filterbank -> ``|.|`` -> max-pool 3 -> BN ->
    SELU -> six residual blocks, each followed by filter-wise feature map
    scaling ``x * s + s`` with ``s = sigmoid(Linear(avgpool(x)))`` -> BN ->
    SELU -> 3-layer GRU (last step) -> ``fc1_gru`` -> ``fc2_gru``.

    The defaults are the ASVspoof 2021 baseline (20 sinc filters of 1025
    taps, 17,621,410 parameters). The ICASSP 2021 configuration is
    ``RawNet2(n_sinc_filters=128, sinc_kernel_size=129,
    block_channels=[128, 128, 512, 512, 512, 512], unused_top_bands=2)``
    (25,433,602 parameters).

    The official model ends in a log-softmax and scores trials with the bona
    fide log-probability; this lobe returns the logits before it (training
    with cross-entropy is unchanged, since log-softmax is idempotent).

    Designed for 64,600 samples (about 4 s at 16 kHz); any input longer than
    the sinc kernel plus 729 samples works.

    Arguments
    ---------
    n_sinc_filters : int
        Filters of the sinc front end.
    sinc_kernel_size : int
        Sinc filter length (even values are raised by one).
    block_channels : list of int
        Output channels of the six residual blocks.
    gru_hidden : int
        Hidden size of the GRU.
    gru_layers : int
        Number of GRU layers.
    fc_hidden : int
        Size of ``fc1_gru``, the embedding.
    n_classes : int
        Output classes (class 0 = spoof, class 1 = bona fide).
    unused_top_bands : int
        2 for the ICASSP 2021 sinc band layout (see ``mel_band_edges``).
    sample_rate : int
        Sampling rate of the input in Hz.

    Example
    -------
    >>> model = RawNet2(gru_hidden=64, fc_hidden=32).eval()
    >>> logits, embedding = model(torch.randn(2, 8000))
    >>> logits.shape, embedding.shape
    (torch.Size([2, 2]), torch.Size([2, 32]))
    >>> sum(p.numel() for p in RawNet2().parameters())
    17621410
    """

    def __init__(
        self,
        n_sinc_filters=20,
        sinc_kernel_size=1025,
        block_channels=[20, 20, 128, 128, 128, 128],
        gru_hidden=1024,
        gru_layers=3,
        fc_hidden=1024,
        n_classes=2,
        unused_top_bands=0,
        sample_rate=16000,
    ):
        super().__init__()
        self.Sinc_conv = MelSincFilterbank(
            n_sinc_filters,
            sinc_kernel_size,
            sample_rate,
            unused_top_bands=unused_top_bands,
        )
        self.first_bn = nn.BatchNorm1d(n_sinc_filters)
        channels = [n_sinc_filters] + list(block_channels)
        for i, (c_in, c_out) in enumerate(zip(channels, channels[1:])):
            block = ResidualBlock1d(c_in, c_out, first=i == 0)
            self.add_module(f"block{i}", nn.Sequential(block))
            scale = nn.Sequential(nn.Linear(c_out, c_out))
            self.add_module(f"fc_attention{i}", scale)
        self.n_blocks = len(block_channels)
        self.bn_before_gru = nn.BatchNorm1d(channels[-1])
        self.gru = nn.GRU(
            channels[-1], gru_hidden, num_layers=gru_layers, batch_first=True
        )
        self.fc1_gru = nn.Linear(gru_hidden, fc_hidden)
        self.fc2_gru = nn.Linear(fc_hidden, n_classes)
        self.embedding_dim = fc_hidden

    def forward(self, wavs, lengths=None):
        """Scores a waveform batch.

        Arguments
        ---------
        wavs : torch.Tensor
            Raw waveforms ``[B, T]`` at ``sample_rate``, the input of the
            sinc filters.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]``; unused (the GRU reads the last step of
            a fixed-length crop, as in the official model).

        Returns
        -------
        logits : torch.Tensor
            ``[B, n_classes]``; class 1 is bona fide.
        embedding : torch.Tensor
            ``[B, fc_hidden]``, the ``fc1_gru`` output.
        """
        x = F.max_pool1d(self.Sinc_conv(wavs).abs(), 3)
        x = F.selu(self.first_bn(x))
        for i in range(self.n_blocks):
            x = getattr(self, f"block{i}")(x)
            scale = torch.sigmoid(getattr(self, f"fc_attention{i}")(x.mean(2)))
            x = x * scale.unsqueeze(-1) + scale.unsqueeze(-1)
        x = F.selu(self.bn_before_gru(x)).transpose(1, 2)
        self.gru.flatten_parameters()
        x, _ = self.gru(x)
        embedding = self.fc1_gru(x[:, -1])
        return self.fc2_gru(embedding), embedding
