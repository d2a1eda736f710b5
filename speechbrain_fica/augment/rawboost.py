"""RawBoost: raw-waveform data augmentation for spoofing detection.

Tak, Kamble, Patino, Todisco and Evans, "RawBoost: A Raw Data Boosting and
Augmentation Method applied to Automatic Speaker Verification
Anti-Spoofing", ICASSP 2022 (official code: TakHemlata/RawBoost-antispoofing
and TakHemlata/SSL_Anti-spoofing, ``RawBoost.py``, the same algorithms).
Three distortions, written here from the paper's and the code's
description:

1. linear and non-linear convolutive noise: the sum, over the powers
   ``x, x**2, ..., x**N_f`` of the waveform, of each power filtered by a
   random cascade of FIR band-stop (notch) filters; the linear term at a
   random gain in ``[minG, maxG]`` dB, the non-linear ones lowered by a
   random bias in ``[minBiasLinNonLin, maxBiasLinNonLin]`` dB; then the
   mean is removed;
2. impulsive signal-dependent additive noise: at most ``P`` % of the
   samples, chosen at random, get ``g_sd * x[n] * r`` added, with ``r``
   the product of two uniform numbers in ``[-1, 1]``;
3. stationary signal-independent additive noise: white noise coloured by
   a random notch cascade, added at a random SNR in ``[SNRmin, SNRmax]``
   dB.

The official ``--algo`` numbers select a distortion or a combination:
0 none, 1, 2, 3 alone, 4 = 1 then 2 then 3, 5 = 1 then 2, 6 = 1 then 3,
7 = 2 then 3 (in series), 8 = 1 and 2 in parallel (the two distorted
copies of the input summed and peak-normalised). As in the official code,
the outputs of 1, 2 and 8 are divided by their peak when it exceeds 1
(8: always); 3 is not normalised.

Parameters (official name: default), all the official defaults:
``n_bands`` (nBands: 5), ``min_center_freq`` / ``max_center_freq``
(minF / maxF: 20 / 8000 Hz), ``min_bandwidth`` / ``max_bandwidth``
(minBW / maxBW: 100 / 1000 Hz), ``min_taps`` / ``max_taps`` (minCoeff /
maxCoeff: 10 / 100), ``min_gain_db`` / ``max_gain_db`` (minG / maxG:
0 / 0), ``min_nonlinear_bias_db`` / ``max_nonlinear_bias_db``
(minBiasLinNonLin / maxBiasLinNonLin: 5 / 20), ``nonlinearity_order``
(N_f: 5), ``max_impulse_percent`` (P: 10), ``impulse_gain`` (g_sd: 2),
``min_snr_db`` / ``max_snr_db`` (SNRmin / SNRmax: 10 / 40). The official
SSL-AASIST recipes use ``algo`` 5 for LA and 3 for DF.

Differences from the official code: the randomness is per utterance (a
generator seeded from a key such as ``(seed, epoch, utterance id)``, or
from torch's random state), so a batch is reproducible whatever the
worker, process or resume; an all-zero signal stays zero instead of
becoming NaN in the peak normalisation; the filtering is
``scipy.signal.convolve`` (FFT for long filters) with the
official alignment instead of ``lfilter`` (same output up to float
rounding); draws come from numpy's ``Generator``, not its global state.

Authors
 * speechbrain-fica contributors 2026
"""

import hashlib

import numpy as np
import torch
import torch.nn as nn
from scipy import signal

CONVOLUTIVE, IMPULSIVE, STATIONARY = "convolutive", "impulsive", "stationary"
# Official algorithm numbers -> distortions applied in series; 8 runs
# convolutive and impulsive noise in parallel.
ALGORITHMS = {
    0: (),
    1: (CONVOLUTIVE,),
    2: (IMPULSIVE,),
    3: (STATIONARY,),
    4: (CONVOLUTIVE, IMPULSIVE, STATIONARY),
    5: (CONVOLUTIVE, IMPULSIVE),
    6: (CONVOLUTIVE, STATIONARY),
    7: (IMPULSIVE, STATIONARY),
    8: (CONVOLUTIVE, IMPULSIVE),
}
PARALLEL_ALGORITHM = 8


def keyed_seed(salt, key):
    """A 128-bit seed from a hash of ``salt`` and ``key``.

    Arguments
    ---------
    salt : str
        Separates the streams of different users of the same key.
    key : object
        E.g. ``(seed, epoch, utterance_id)``; hashed through ``str``.

    Returns
    -------
    int
        The seed.

    Example
    -------
    >>> keyed_seed("rawboost", (1, 0, "utt")) == keyed_seed(
    ...     "rawboost", (1, 0, "utt")
    ... )
    True
    >>> keyed_seed("rawboost", "a") == keyed_seed("codec", "a")
    False
    """
    text = f"{salt}\x1f{key}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:16], "little")


def utterance_generators(batch_size, salt, keys=None, generator=None):
    """One numpy generator per utterance: from the keys when given, else
    from seeds drawn with torch (``generator`` or the global state).

    Arguments
    ---------
    batch_size : int
        Number of utterances.
    salt : str
        Salt of the keyed seeds (see :func:`keyed_seed`).
    keys : list, optional
        One key per utterance.
    generator : torch.Generator, optional
        Source of the seeds when no keys are given.

    Returns
    -------
    list of numpy.random.Generator
        The generators.

    Example
    -------
    >>> a = utterance_generators(2, "x", keys=["u1", "u2"])
    >>> b = utterance_generators(2, "x", keys=["u1", "u2"])
    >>> a[1].random() == b[1].random()
    True
    """
    if keys is not None:
        if len(keys) != batch_size:
            raise ValueError(f"{len(keys)} keys for {batch_size} utterances")
        return [np.random.default_rng(keyed_seed(salt, k)) for k in keys]
    seeds = torch.randint(0, 2**62, (batch_size,), generator=generator)
    return [np.random.default_rng(int(s)) for s in seeds]


def valid_samples(lengths, batch_size, n_samples):
    """Number of real (non-padding) samples of each waveform of a batch.

    Arguments
    ---------
    lengths : torch.Tensor or None
        Relative lengths ``[B]`` (None: all full).
    batch_size : int
        ``B``.
    n_samples : int
        ``T``, the padded length.

    Returns
    -------
    list of int
        The counts.

    Example
    -------
    >>> valid_samples(torch.tensor([1.0, 0.5]), 2, 100)
    [100, 50]
    """
    if lengths is None:
        return [n_samples] * batch_size
    counts = torch.round(lengths.detach().float().cpu() * n_samples)
    return [int(c) for c in counts.clamp(0, n_samples)]


def uniform(rng, a, b):
    """A uniform draw between ``a`` and ``b``, in either order (as the
    official code's draws: the non-linear gain range has ``a > b``).

    Arguments
    ---------
    rng : numpy.random.Generator
        Source of the draw.
    a, b : float
        The ends.

    Returns
    -------
    float
        ``a + (b - a) * u`` with ``u`` uniform in ``[0, 1)``.

    Example
    -------
    >>> -20 < uniform(np.random.default_rng(0), -5, -20) <= -5
    True
    """
    return a + (b - a) * rng.random()


def peak_normalize(x, always):
    """Divides ``x`` by its peak (``always``, or when the peak exceeds 1).

    Arguments
    ---------
    x : numpy.ndarray
        A waveform.
    always : bool
        Normalise even when the peak is at most 1.

    Returns
    -------
    numpy.ndarray
        The waveform (unchanged when silent).

    Example
    -------
    >>> peak_normalize(np.array([0.5, -2.0]), always=False).tolist()
    [0.25, -1.0]
    >>> peak_normalize(np.array([0.5, -0.25]), always=False).tolist()
    [0.5, -0.25]
    """
    peak = np.max(np.abs(x)) if x.size else 0.0
    if peak > 0 and (always or peak > 1):
        return x / peak
    return x


def notch_filter(
    rng,
    sample_rate,
    n_bands,
    min_center_freq,
    max_center_freq,
    min_bandwidth,
    max_bandwidth,
    min_taps,
    max_taps,
    min_gain_db,
    max_gain_db,
):
    """FIR coefficients of a random cascade of ``n_bands`` band-stop
    filters, scaled to a peak gain drawn in ``[min_gain_db, max_gain_db]``.

    Each band: centre and width uniform in their ranges, a Hamming-window
    FIR of an odd number of taps (a band-stop FIR needs a gain at Nyquist)
    drawn in ``[min_taps, max_taps)``, band edges kept inside
    ``(0, sample_rate / 2)``.

    Arguments
    ---------
    rng : numpy.random.Generator
        Source of the draws.
    sample_rate : int
        In Hz.
    n_bands : int
        Filters in the cascade.
    min_center_freq, max_center_freq : float
        Range of the centre frequencies (Hz).
    min_bandwidth, max_bandwidth : float
        Range of the stop-band widths (Hz).
    min_taps, max_taps : int
        Range of the filter lengths.
    min_gain_db, max_gain_db : float
        Range of the peak gain of the cascade (dB).

    Returns
    -------
    numpy.ndarray
        The coefficients.

    Example
    -------
    >>> b = notch_filter(
    ...     np.random.default_rng(0),
    ...     16000,
    ...     1,
    ...     4000,
    ...     4000,
    ...     1000,
    ...     1000,
    ...     51,
    ...     51,
    ...     0,
    ...     0,
    ... )
    >>> _, h = signal.freqz(b, worN=[1000, 4000], fs=16000)
    >>> bool(abs(h[1]) < 0.02 < 0.99 < abs(h[0]) < 1.01)
    True
    """
    nyquist = sample_rate / 2
    coefficients = np.ones(1)
    for _ in range(n_bands):
        center = uniform(rng, min_center_freq, max_center_freq)
        width = uniform(rng, min_bandwidth, max_bandwidth)
        taps = int(uniform(rng, min_taps, max_taps))
        taps += 1 - taps % 2
        low, high = center - width / 2, center + width / 2
        if low <= 0:
            low = 1e-3
        if high >= nyquist:
            high = nyquist - 1e-3
        band_stop = signal.firwin(
            taps, [low, high], window="hamming", fs=sample_rate
        )
        coefficients = np.convolve(band_stop, coefficients)
    gain_db = uniform(rng, min_gain_db, max_gain_db)
    _, response = signal.freqz(coefficients, 1, fs=sample_rate)
    return 10 ** (gain_db / 20) * coefficients / np.max(np.abs(response))


def fir_filter(x, coefficients):
    """Filters ``x`` with an FIR, keeping its length; the output is the
    full convolution advanced by ``(len(coefficients) + 1) // 2`` samples
    (the official alignment: one sample more than the delay of an
    odd-length linear-phase filter).

    Arguments
    ---------
    x : numpy.ndarray
        A waveform.
    coefficients : numpy.ndarray
        FIR coefficients.

    Returns
    -------
    numpy.ndarray
        The filtered waveform, as long as ``x``.

    Example
    -------
    >>> fir_filter(np.array([1.0, 2.0, 3.0, 4.0]), np.array([0, 1.0, 0]))
    array([2., 3., 4., 0.])
    """
    start = (len(coefficients) + 1) // 2
    # FFT (overlap-add) for long filters: several times faster than the
    # direct sum, equal up to float rounding.
    method = "fft" if len(coefficients) > 64 else "direct"
    full = signal.convolve(x, coefficients, method=method)
    if len(full) < start + len(x):
        full = np.pad(full, (0, start + len(x) - len(full)))
    return full[start : start + len(x)]


class RawBoost(nn.Module):
    """RawBoost augmentation of a training batch (Tak et al., ICASSP 2022).

    ``forward(wavs [B, T], lengths, keys)`` returns a distorted copy of
    the batch in training mode and the batch itself in evaluation mode.
    Each utterance has its own random draws, from ``keys`` (one per
    utterance, e.g. ``(seed, epoch, utterance_id)``: reproducible across
    workers, processes and resumes) or else from torch's random state (or
    ``generator``). Padding (beyond the relative ``lengths``) is left as
    it is. The computation is numpy / scipy on the CPU, in float64.

    See the module docstring for the distortions, the algorithm numbers
    and the official names and defaults of the parameters.

    Arguments
    ---------
    algo : int
        Official algorithm number, 0 to 8 (5: convolutive then impulsive
        noise, the official LA setting; 3: stationary noise, the DF one).
    sample_rate : int
        Sampling rate of the waveforms (Hz).
    n_bands : int
        Notch filters per cascade (nBands).
    min_center_freq, max_center_freq : float
        Range of their centre frequencies in Hz (minF, maxF); at most
        ``sample_rate / 2``.
    min_bandwidth, max_bandwidth : float
        Range of their widths in Hz (minBW, maxBW).
    min_taps, max_taps : int
        Range of their lengths (minCoeff, maxCoeff).
    min_gain_db, max_gain_db : float
        Range of the gain of a cascade in dB (minG, maxG).
    min_nonlinear_bias_db, max_nonlinear_bias_db : float
        Gain reduction of the non-linear terms in dB (minBiasLinNonLin,
        maxBiasLinNonLin).
    nonlinearity_order : int
        Highest power of the convolutive noise; 1 = linear only (N_f).
    max_impulse_percent : float
        Most samples touched by the impulsive noise, in % (P).
    impulse_gain : float
        Gain of the impulsive noise (g_sd).
    min_snr_db, max_snr_db : float
        Range of the SNR of the stationary noise in dB (SNRmin, SNRmax).
    prob : float
        Probability that an utterance is augmented (1 in the official
        code).

    Example
    -------
    >>> rawboost = RawBoost(algo=5)
    >>> wavs = 0.1 * torch.randn(2, 16000)
    >>> out = rawboost(wavs, keys=[(1, 0, "a"), (1, 0, "b")])
    >>> out.shape, bool((out != wavs).any())
    (torch.Size([2, 16000]), True)
    >>> again = rawboost(wavs, keys=[(1, 0, "a"), (1, 0, "b")])
    >>> bool(torch.equal(out, again))
    True
    >>> bool(torch.equal(rawboost.eval()(wavs), wavs))
    True
    """

    def __init__(
        self,
        algo=5,
        sample_rate=16000,
        n_bands=5,
        min_center_freq=20,
        max_center_freq=8000,
        min_bandwidth=100,
        max_bandwidth=1000,
        min_taps=10,
        max_taps=100,
        min_gain_db=0,
        max_gain_db=0,
        min_nonlinear_bias_db=5,
        max_nonlinear_bias_db=20,
        nonlinearity_order=5,
        max_impulse_percent=10,
        impulse_gain=2,
        min_snr_db=10,
        max_snr_db=40,
        prob=1.0,
    ):
        super().__init__()
        if algo not in ALGORITHMS:
            raise ValueError(f"algo must be one of 0..8 (official), got {algo}")
        if max_center_freq > sample_rate / 2:
            raise ValueError(
                f"max_center_freq {max_center_freq} Hz is above the Nyquist "
                f"frequency of {sample_rate} Hz audio"
            )
        if n_bands < 1 or nonlinearity_order < 1 or min_taps < 1:
            raise ValueError(
                "n_bands, nonlinearity_order and min_taps must be >= 1"
            )
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"prob must be in [0, 1], got {prob}")
        self.algo = algo
        self.sample_rate = sample_rate
        self.notch = {
            "n_bands": n_bands,
            "min_center_freq": min_center_freq,
            "max_center_freq": max_center_freq,
            "min_bandwidth": min_bandwidth,
            "max_bandwidth": max_bandwidth,
            "min_taps": min_taps,
            "max_taps": max_taps,
        }
        self.gain_db = (min_gain_db, max_gain_db)
        self.nonlinear_bias_db = (min_nonlinear_bias_db, max_nonlinear_bias_db)
        self.nonlinearity_order = nonlinearity_order
        self.max_impulse_percent = max_impulse_percent
        self.impulse_gain = impulse_gain
        self.snr_db = (min_snr_db, max_snr_db)
        self.prob = prob

    def extra_repr(self):
        """The algorithm and rate, shown when the module is printed."""
        return f"algo={self.algo}, sample_rate={self.sample_rate}"

    def _notch(self, rng, gain_db):
        return notch_filter(
            rng, self.sample_rate, **self.notch, min_gain_db=gain_db[0],
            max_gain_db=gain_db[1],
        )  # fmt: skip

    def convolutive_noise(self, x, rng):
        """Linear and non-linear convolutive noise (distortion 1).

        Arguments
        ---------
        x : numpy.ndarray
            A waveform.
        rng : numpy.random.Generator
            Source of the draws.

        Returns
        -------
        numpy.ndarray
            The distorted waveform.
        """
        nonlinear_gain_db = (
            self.gain_db[0] - self.nonlinear_bias_db[0],
            self.gain_db[1] - self.nonlinear_bias_db[1],
        )
        y = np.zeros_like(x)
        x_power = x.copy()
        for power in range(1, self.nonlinearity_order + 1):
            if power > 1:
                x_power *= x  # x ** power, faster than np.power
            gain_db = self.gain_db if power == 1 else nonlinear_gain_db
            y += fir_filter(x_power, self._notch(rng, gain_db))
        return peak_normalize(y - y.mean(), always=False)

    def impulsive_noise(self, x, rng):
        """Impulsive signal-dependent additive noise (distortion 2).

        Arguments
        ---------
        x : numpy.ndarray
            A waveform.
        rng : numpy.random.Generator
            Source of the draws.

        Returns
        -------
        numpy.ndarray
            The distorted waveform.
        """
        percent = uniform(rng, 0, self.max_impulse_percent)
        n_touched = int(len(x) * percent / 100)
        positions = rng.choice(len(x), size=n_touched, replace=False)
        factors = (2 * rng.random(n_touched) - 1) * (
            2 * rng.random(n_touched) - 1
        )
        y = x.copy()
        y[positions] += self.impulse_gain * x[positions] * factors
        return peak_normalize(y, always=False)

    def stationary_noise(self, x, rng):
        """Stationary signal-independent additive noise (distortion 3).

        Arguments
        ---------
        x : numpy.ndarray
            A waveform.
        rng : numpy.random.Generator
            Source of the draws.

        Returns
        -------
        numpy.ndarray
            The waveform plus coloured noise at a random SNR.
        """
        noise = fir_filter(
            rng.standard_normal(len(x)), self._notch(rng, self.gain_db)
        )
        noise = peak_normalize(noise, always=True)
        snr_db = uniform(rng, *self.snr_db)
        noise_norm = np.linalg.norm(noise)
        if noise_norm > 0:
            noise *= np.linalg.norm(x) / (noise_norm * 10 ** (snr_db / 20))
        return x + noise

    def augment_array(self, x, rng):
        """Applies the configured algorithm to one waveform (whatever the
        training mode), e.g. in a data-loading worker.

        Arguments
        ---------
        x : numpy.ndarray
            A 1-D waveform.
        rng : numpy.random.Generator
            Source of the draws.

        Returns
        -------
        numpy.ndarray
            The augmented waveform (float64, same length).

        Example
        -------
        >>> x = np.sin(np.arange(8000) / 5)
        >>> y = RawBoost(algo=3).augment_array(x, np.random.default_rng(0))
        >>> y.shape, y.dtype.name
        ((8000,), 'float64')
        """
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0:
            return x.copy()
        steps = {
            CONVOLUTIVE: self.convolutive_noise,
            IMPULSIVE: self.impulsive_noise,
            STATIONARY: self.stationary_noise,
        }
        if self.algo == PARALLEL_ALGORITHM:
            both = self.convolutive_noise(x, rng) + self.impulsive_noise(x, rng)
            return peak_normalize(both, always=True)
        for name in ALGORITHMS[self.algo]:
            x = steps[name](x, rng)
        return x

    @torch.no_grad()
    def forward(self, wavs, lengths=None, keys=None, generator=None):
        """Augments a training batch (identity in evaluation mode).

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]``; the padding is not touched.
        keys : list, optional
            One key per utterance for reproducible draws.
        generator : torch.Generator, optional
            Source of the per-utterance seeds when no keys are given.

        Returns
        -------
        torch.Tensor
            The augmented batch, same shape, dtype and device.
        """
        if not self.training or self.algo == 0 or self.prob == 0:
            return wavs
        if wavs.dim() != 2:
            raise ValueError(f"RawBoost expects [B, T], got {list(wavs.shape)}")
        batch_size, n_samples = wavs.shape
        rngs = utterance_generators(batch_size, "rawboost", keys, generator)
        counts = valid_samples(lengths, batch_size, n_samples)
        source = wavs.detach().cpu().double().numpy()
        out = source.copy()
        for i, (rng, n) in enumerate(zip(rngs, counts)):
            if rng.random() < self.prob:
                out[i, :n] = self.augment_array(source[i, :n], rng)
        return torch.from_numpy(out).to(device=wavs.device, dtype=wavs.dtype)
