"""Fixed front ends shared by the raw-waveform backbones.

The mel sinc filterbank below is the first layer of AASIST and RawNet2: a
bank of ideal band-pass filters (difference of two sinc low-passes) with
mel-spaced band edges, tapered by a Hamming window. Unlike SpeechBrain's
learnable ``SincConv`` (SincNet), it is fixed: the filters are computed once,
are not learnable and are not part of the ``state_dict``, which keeps the
backbones key-compatible with the official checkpoints.

Authors
 * speechbrain-fica contributors 2026
"""

import logging

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

logger = logging.getLogger(__name__)


def hz_to_mel(hz):
    """Converts Hz to mel (HTK formula, as in AASIST and RawNet2).

    Arguments
    ---------
    hz : float or numpy.ndarray
        Frequencies in Hz.

    Returns
    -------
    float or numpy.ndarray
        Frequencies in mel.

    Example
    -------
    >>> round(float(hz_to_mel(700.0)), 3)
    781.173
    """
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def mel_to_hz(mel):
    """Converts mel to Hz (inverse of :func:`hz_to_mel`).

    Arguments
    ---------
    mel : float or numpy.ndarray
        Frequencies in mel.

    Returns
    -------
    float or numpy.ndarray
        Frequencies in Hz.

    Example
    -------
    >>> round(float(mel_to_hz(hz_to_mel(1234.5))), 6)
    1234.5
    """
    return 700.0 * (10.0 ** (np.asarray(mel) / 2595.0) - 1.0)


def mel_band_edges(n_filters, sample_rate=16000, n_fft=512, unused_top_bands=0):
    """Mel-spaced band edges of the AASIST / RawNet2 sinc filterbank.

    The mel axis spans the mel values of an ``n_fft`` frequency grid from
    0 Hz to Nyquist, divided into ``n_filters`` equal mel bands.

    Arguments
    ---------
    n_filters : int
        Number of band-pass filters.
    sample_rate : int
        Sampling rate in Hz.
    n_fft : int
        Size of the frequency grid the mel range is read from (512 in both
        official implementations).
    unused_top_bands : int
        Divide the mel range into ``n_filters + unused_top_bands`` bands and
        keep the lowest ``n_filters``. The ICASSP 2021 RawNet2 release uses
        2 (its top edge is then 7669.16 Hz instead of 8000 Hz for 128
        filters); AASIST and the ASVspoof 2021 RawNet2 use 0.

    Returns
    -------
    numpy.ndarray
        ``n_filters + 1`` edges in Hz, float64.

    Example
    -------
    >>> edges = mel_band_edges(70)
    >>> edges.shape, round(float(edges[1]), 3), round(float(edges[-1]), 3)
    ((71,), 25.659, 8000.0)
    """
    grid = (sample_rate // 2) * np.linspace(0.0, 1.0, n_fft // 2 + 1)
    mel = hz_to_mel(grid)
    n_points = n_filters + unused_top_bands + 1
    edges = mel_to_hz(np.linspace(mel.min(), mel.max(), n_points))
    return edges[: n_filters + 1]


class MelSincFilterbank(nn.Module):
    """Fixed mel sinc band-pass filterbank (first layer of AASIST / RawNet2).

    Filter ``i`` is ``hamming(K)[n] * (2 f2/fs sinc(2 f2 n/fs) - 2 f1/fs
    sinc(2 f1 n/fs))`` with ``[f1, f2]`` the i-th mel band and
    ``n = -(K-1)/2 .. (K-1)/2``. The convolution is 'valid' (no padding,
    stride 1), so ``K - 1`` samples are lost.

    The filters are a non-persistent buffer: they follow ``.to(device)`` but
    stay out of the ``state_dict``.

    Arguments
    ---------
    n_filters : int
        Number of band-pass filters (70 for AASIST, 20 for RawNet2).
    kernel_size : int
        Filter length. The filters must be symmetric, so an even size is
        raised by one (128 -> 129, 1024 -> 1025), as the official code does.
    sample_rate : int
        Sampling rate in Hz.
    n_fft : int
        Frequency grid used for the mel range (see :func:`mel_band_edges`).
    unused_top_bands : int
        2 for the ICASSP 2021 RawNet2 band layout (see
        :func:`mel_band_edges`).

    Example
    -------
    >>> sinc = MelSincFilterbank(n_filters=70, kernel_size=128)
    >>> sinc.kernel_size
    129
    >>> sinc(torch.randn(2, 16000)).shape
    torch.Size([2, 70, 15872])
    >>> len(sinc.state_dict())
    0
    """

    def __init__(
        self,
        n_filters=70,
        kernel_size=129,
        sample_rate=16000,
        n_fft=512,
        unused_top_bands=0,
    ):
        super().__init__()
        if kernel_size % 2 == 0:
            logger.debug(
                "sinc kernel size %d is even; using %d (symmetric filters)",
                kernel_size,
                kernel_size + 1,
            )
            kernel_size += 1
        self.n_filters = n_filters
        self.kernel_size = kernel_size
        self.sample_rate = sample_rate
        self.band_edges = mel_band_edges(
            n_filters, sample_rate, n_fft, unused_top_bands
        )
        half = (kernel_size - 1) / 2
        support = np.arange(-half, half + 1)
        window = np.hamming(kernel_size)
        low, high = self.band_edges[:-1, None], self.band_edges[1:, None]
        ideal = 2 * high / sample_rate * np.sinc(
            2 * high * support / sample_rate
        ) - 2 * low / sample_rate * np.sinc(2 * low * support / sample_rate)
        filters = torch.tensor(window * ideal, dtype=torch.float32)
        self.register_buffer("filters", filters.unsqueeze(1), persistent=False)

    def forward(self, x):
        """Filters a waveform batch.

        Arguments
        ---------
        x : torch.Tensor
            Waveforms, ``[batch, time]`` or ``[batch, 1, time]``.

        Returns
        -------
        torch.Tensor
            Band outputs, ``[batch, n_filters, time - kernel_size + 1]``.
        """
        if x.dim() == 2:
            x = x.unsqueeze(1)
        return F.conv1d(x, self.filters.to(x.dtype))
