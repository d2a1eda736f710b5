"""Source-filter generators: LPC vocoder and harmonic-plus-noise model.

* :func:`lpc_vocoder`: LPC-10 style vocoder: all-pole envelope, impulse
  train or white-noise excitation, own autocorrelation pitch tracker
  (:func:`estimate_f0_autocorr`); numpy / scipy only.
* :func:`harmonic_plus_noise`: random-phase sinusoidal (harmonic) model plus
  filtered noise, driven by WORLD parameters (``pyworld``).

Authors
 * speechbrain-fica contributors 2026
"""

import math

import numpy as np
from scipy import linalg, signal

from speechbrain_fica.minispoof.generators.dsp import fit_length, lowpass_sos
from speechbrain_fica.minispoof.generators.world import world_analyze


def estimate_f0_autocorr(
    x,
    fs,
    hop,
    frame_length=None,
    f0_min=60.0,
    f0_max=400.0,
    threshold=0.45,
    silence_db=35.0,
):
    """Simple normalised-autocorrelation F0 tracker.

    Arguments
    ---------
    x : numpy.ndarray
        1-D speech, low-passed at 1 kHz before the analysis.
    fs : int
        Its sampling rate; lags are converted to Hz with it.
    hop : int
        Frame shift in samples (frame ``i`` is centred at ``i * hop``).
    frame_length : int, optional
        Analysis frame length; default 40 ms.
    f0_min : float
        Lowest F0, Hz.
    f0_max : float
        Highest F0, Hz.
    threshold : float
        Minimum normalised autocorrelation peak for a voiced frame.
    silence_db : float
        Frames more than this many dB below the loudest frame are unvoiced.

    Returns
    -------
    numpy.ndarray
        F0 per frame in Hz, 0 for unvoiced frames.

    Example
    -------
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> f0 = estimate_f0_autocorr(synthetic_vowel(0.5), 16000, 80)
    >>> bool(abs(np.median(f0[f0 > 0]) - 120) < 10)
    True
    """
    if frame_length is None:
        frame_length = int(0.04 * fs)
    lp = np.asarray(x, dtype=np.float64)
    if len(lp) > 30:
        lp = signal.sosfiltfilt(lowpass_sos(fs, 1000.0), lp)
    n_frames = len(x) // hop + 1
    padded = np.pad(lp, (frame_length // 2, frame_length))
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame_length)
    frames = frames[::hop][:n_frames]
    frames = frames - frames.mean(axis=1, keepdims=True)
    frames = frames * np.hanning(frame_length)
    nfft = 1 << int(math.ceil(math.log2(2 * frame_length)))
    spec = np.fft.rfft(frames, nfft, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, nfft, axis=1)[:, :frame_length]
    win_ac = np.fft.irfft(
        np.abs(np.fft.rfft(np.hanning(frame_length), nfft)) ** 2, nfft
    )[:frame_length]
    energy = ac[:, 0]
    norm = ac / np.maximum(energy[:, None], 1e-12) / (win_ac / win_ac[0])
    lag_min = int(fs / f0_max)
    lag_max = min(int(fs / f0_min), frame_length - 1)
    search = norm[:, lag_min : lag_max + 1]
    best = np.argmax(search, axis=1)
    peak = search[np.arange(len(best)), best]
    lag = (best + lag_min).astype(np.float64)
    # parabolic refinement
    ok = (best > 0) & (best < search.shape[1] - 1)
    rows = np.flatnonzero(ok)
    a = search[rows, best[rows] - 1]
    b = search[rows, best[rows]]
    c = search[rows, best[rows] + 1]
    den = a - 2 * b + c
    lag[rows] += np.where(np.abs(den) > 1e-12, 0.5 * (a - c) / den, 0.0)
    loud = energy > energy.max() * 10 ** (-silence_db / 10)
    f0 = np.where((peak > threshold) & loud, fs / lag, 0.0)
    if len(f0) >= 5:
        f0 = signal.medfilt(f0, 5)
    return f0


def lpc_vocoder(
    x, fs, rng, order=18, hop=80, frame_length=400, preemphasis=0.97
):
    """LPC-10 style vocoder with impulse-train / white-noise excitation.

    Autocorrelation-method LPC (Levinson via ``solve_toeplitz``, small lag
    window) on pre-emphasised Hann frames; F0 and voicing from
    :func:`estimate_f0_autocorr`; unit-power impulse train (voiced) or
    Gaussian noise (unvoiced) scaled by the prediction-error gain and fed
    through the frame's all-pole filter with carried state; de-emphasis.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64), analysed frame by frame.
    fs : int
        Its sampling rate (pitch range and LPC lag window).
    rng : numpy.random.Generator
        Random generator (noise excitation).
    order : int
        LPC order.
    hop : int
        Frame shift in samples.
    frame_length : int
        Analysis window in samples.
    preemphasis : float
        Pre-emphasis coefficient.

    Returns
    -------
    numpy.ndarray
        The de-emphasised synthesis, sample for sample as long as ``x``.

    Raises
    ------
    FloatingPointError
        The all-pole synthesis diverged.

    Example
    -------
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> lpc_vocoder(synthetic_vowel(0.5), 16000, np.random.default_rng(0)).shape
    (8000,)
    """
    n = len(x)
    xe = signal.lfilter([1.0, -preemphasis], [1.0], x)
    f0 = estimate_f0_autocorr(x, fs, hop)
    n_frames = len(f0)
    padded = np.pad(xe, (frame_length // 2, frame_length))
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame_length)
    frames = frames[::hop][:n_frames] * np.hanning(frame_length)
    nfft = 1 << int(math.ceil(math.log2(2 * frame_length)))
    ac = np.fft.irfft(np.abs(np.fft.rfft(frames, nfft, axis=1)) ** 2, nfft)
    ac = ac[:, : order + 1]
    lag_window = np.exp(
        -0.5 * (2 * np.pi * 60.0 * np.arange(order + 1) / fs) ** 2
    )
    ac = ac * lag_window
    ac[:, 0] = ac[:, 0] * (1.0 + 1e-4) + 1e-12

    # excitation: impulse train with unit power (voiced) or white noise
    f0_s = np.interp(np.arange(n), np.arange(n_frames) * hop, f0)
    voiced_s = f0_s > 0
    phase = np.cumsum(np.where(voiced_s, f0_s / fs, 0.0))
    pulses = np.zeros(n)
    pulse_idx = np.flatnonzero(np.diff(np.floor(phase), prepend=0.0) > 0)
    pulses[pulse_idx] = np.sqrt(fs / np.maximum(f0_s[pulse_idx], 1.0))
    noise = rng.standard_normal(n)
    excitation = np.where(voiced_s, pulses, noise)

    y = np.zeros(n)
    zi = np.zeros(order)
    for i in range(n_frames):
        start = i * hop - hop // 2
        stop = min(n, start + hop)
        start = max(0, start)
        if start >= stop:
            continue
        a = np.r_[1.0, -linalg.solve_toeplitz(ac[i, :order], ac[i, 1:])]
        err = max(float(ac[i] @ a), 1e-12)
        gain = np.sqrt(err / np.sum(np.hanning(frame_length) ** 2))
        y[start:stop], zi = signal.lfilter(
            [gain], a, excitation[start:stop], zi=zi
        )
    y = signal.lfilter([1.0], [1.0, -preemphasis], y)
    if not np.isfinite(y).all():
        raise FloatingPointError("LPC synthesis diverged")
    return y


def harmonic_plus_noise(
    x, fs, rng, frame_period=5.0, max_freq_ratio=0.95, noise_nfft=512
):
    """Random-phase harmonic-plus-noise resynthesis from WORLD parameters.

    The periodic part is a sum of sinusoids at multiples of the
    (sample-interpolated) F0 with random initial phases and amplitudes
    ``2 sqrt(sp (1 - ap) f0 / fs)`` read from the WORLD envelope at each
    harmonic; the aperiodic part is white noise shaped by ``sqrt(sp ap)``
    in the STFT domain. Unlike WORLD's minimum-phase pulses, the harmonics
    have no phase coherence across frequency.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64) whose WORLD parameters drive the
        model.
    fs : int
        Its sampling rate in Hz.
    rng : numpy.random.Generator
        Random generator (initial phases and noise).
    frame_period : float
        WORLD frame period in ms.
    max_freq_ratio : float
        Harmonics above ``max_freq_ratio * fs / 2`` are dropped.
    noise_nfft : int
        STFT size for the noise shaping.

    Returns
    -------
    numpy.ndarray
        Harmonics plus shaped noise, as long as ``x``.

    Example
    -------
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> y = harmonic_plus_noise(
    ...     synthetic_vowel(0.5), 16000, np.random.default_rng(0)
    ... )
    >>> y.shape
    (8000,)
    """
    n = len(x)
    f0, sp, ap = world_analyze(x, fs, frame_period)
    n_frames, n_bins = sp.shape
    fft_size = (n_bins - 1) * 2
    frame_t = np.arange(n_frames) * frame_period / 1000.0
    sample_t = np.arange(n) / fs
    voiced = f0 > 0

    # periodic part
    y = np.zeros(n)
    if voiced.any():
        idx = np.flatnonzero(voiced)
        f0_filled = np.interp(np.arange(n_frames), idx, f0[idx])
        f0_s = np.interp(sample_t, frame_t, f0_filled)
        phase = 2 * np.pi * np.cumsum(f0_s) / fs
        max_freq = max_freq_ratio * fs / 2
        n_harm = int(max_freq // f0[idx].min())
        k = np.arange(1, n_harm + 1)
        freqs = f0_filled[:, None] * k[None, :]
        bins = np.clip(freqs * fft_size / fs, 0, n_bins - 1)
        lo = np.floor(bins).astype(int)
        hi = np.minimum(lo + 1, n_bins - 1)
        frac = bins - lo
        rows = np.arange(n_frames)[:, None]
        periodic = sp * (1.0 - ap)
        power = periodic[rows, lo] * (1 - frac) + periodic[rows, hi] * frac
        amp = 2.0 * np.sqrt(np.maximum(power, 0.0) * f0_filled[:, None] / fs)
        amp *= (freqs < max_freq) & voiced[:, None]
        theta = rng.uniform(0, 2 * np.pi, n_harm)
        for j in range(n_harm):
            if not amp[:, j].any():
                continue
            a_s = np.interp(sample_t, frame_t, amp[:, j])
            y += a_s * np.cos((j + 1) * phase + theta[j])

    # aperiodic part
    hop = noise_nfft // 4
    noise = rng.standard_normal(n + noise_nfft)
    _, seg_t, spec = signal.stft(
        noise, fs, nperseg=noise_nfft, noverlap=noise_nfft - hop
    )
    seg_t = seg_t - (noise_nfft // 2) / fs
    gain = np.sqrt(np.maximum(sp * ap, 0.0))
    src_bins = np.linspace(0, n_bins - 1, noise_nfft // 2 + 1)
    gain = np.stack(
        [np.interp(src_bins, np.arange(n_bins), g) for g in gain], axis=0
    )
    frame_idx = np.clip(
        np.round(seg_t / (frame_period / 1000.0)), 0, n_frames - 1
    ).astype(int)
    # istft inverts stft's scaling, so this is white noise filtered by
    # sqrt(sp * ap) (frame-wise).
    _, noise_y = signal.istft(
        spec * gain[frame_idx].T,
        fs,
        nperseg=noise_nfft,
        noverlap=noise_nfft - hop,
    )
    noise_y = noise_y[noise_nfft // 2 : noise_nfft // 2 + n]
    return y + fit_length(noise_y, n)
