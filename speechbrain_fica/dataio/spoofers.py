"""Offline spoofed-speech generators and shared post-processing.

Every generator turns one bona fide waveform (float64, mono, in [-1, 1])
into a spoofed copy of the same content and speaker. They all run offline
and need only pip packages: numpy, scipy, torch/torchaudio, ``pyworld`` and
``pysptk`` (the last two build from source with a C compiler; both are
imported lazily, so this module imports without them).

Generators (the MiniSpoof-LA attack ids are assigned in
:mod:`speechbrain_fica.dataio.minispoof`):

* :func:`world_resynthesis`: WORLD analysis-synthesis (DIO + StoneMask F0,
  CheapTrick envelope, D4C aperiodicity).
* :func:`world_voice_conversion`: WORLD with F0 scaling and a linear
  frequency warp of the spectral envelope (formant shift).
* :func:`mlsa_vocoder`: SPTK mel-cepstrum + pulse/noise excitation + MLSA
  filter.
* :func:`griffin_lim`: 80-band mel magnitude inverted with Griffin-Lim.
* :func:`lpc_vocoder`: LPC-10 style vocoder: all-pole envelope, impulse
  train or white-noise excitation, own autocorrelation pitch tracker.
* :func:`phase_vocoder_shift`: STFT phase-vocoder time stretch followed by
  resampling (pitch and formants shifted together, phasiness).
* :func:`harmonic_plus_noise`: random-phase sinusoidal (harmonic) model plus
  filtered noise, driven by WORLD parameters.
* :func:`world_coded`: statistical-parametric style WORLD vocoding from
  low-dimensional coded features (mel-cepstral envelope, band aperiodicity)
  with temporal smoothing and variance shrinkage (over-smoothing).

The post-processing helpers (:func:`trim_silence`, :func:`band_limit`,
:func:`highpass`, :func:`apply_fades`, :func:`normalize_rms`,
:func:`dither_and_quantize`) are applied identically to bona fide and
spoofed audio by the MiniSpoof-LA builder, so that trivial cues (bandwidth,
level, digital silence, duration) do not separate the classes.

Authors
 * speechbrain-fica contributors 2026
"""

import contextlib
import functools
import importlib
import importlib.metadata
import logging
import math
import os
import sys
import types

import numpy as np
import torch
import torchaudio
from scipy import linalg, signal

logger = logging.getLogger(__name__)

INT16_SCALE = 32768.0


# ---------------------------------------------------------------------------
# Optional dependencies
# ---------------------------------------------------------------------------
def _pkg_resources_shim():
    """Builds a minimal stand-in for the removed ``pkg_resources`` module.

    ``pyworld`` 0.3.5 and ``pysptk`` 1.0.1 import ``pkg_resources`` at import
    time (only for their version string and an example-file path), which
    setuptools >= 81 no longer provides. The shim provides these two calls.

    Returns
    -------
    types.ModuleType
        Module with ``get_distribution`` and ``resource_filename``.
    """
    shim = types.ModuleType("pkg_resources")

    class _Distribution:
        def __init__(self, name):
            self.project_name = name
            self.version = importlib.metadata.version(name)

    def resource_filename(package, name):
        module = sys.modules.get(package) or importlib.import_module(package)
        return os.path.join(os.path.dirname(module.__file__), name)

    shim.get_distribution = _Distribution
    shim.resource_filename = resource_filename
    return shim


def _import_optional(name):
    """Imports ``pyworld`` or ``pysptk`` with a clear error if missing.

    Arguments
    ---------
    name : str
        Module (and pip package) name.

    Returns
    -------
    module
        The imported module.
    """
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != "pkg_resources":
            raise ImportError(
                f"The MiniSpoof spoof generators need the pip package "
                f"'{name}' (pip install pyworld pysptk; it builds from "
                f"source with gcc/g++)."
            ) from err
    shim = _pkg_resources_shim()
    sys.modules["pkg_resources"] = shim
    try:
        return importlib.import_module(name)
    finally:
        if sys.modules.get("pkg_resources") is shim:
            del sys.modules["pkg_resources"]


def import_pyworld():
    """Imports ``pyworld`` (WORLD vocoder bindings).

    Returns
    -------
    module
        ``pyworld``, whose ``synthesize`` the WORLD generators call.

    Example
    -------
    >>> hasattr(import_pyworld(), "synthesize")
    True
    """
    return _import_optional("pyworld")


def import_pysptk():
    """Imports ``pysptk`` (SPTK bindings).

    Returns
    -------
    module
        The ``pysptk`` module.

    Example
    -------
    >>> hasattr(import_pysptk(), "mcep")
    True
    """
    return _import_optional("pysptk")


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------
def synthetic_vowel(duration=0.5, fs=16000, f0=120.0, seed=0):
    """Makes a vowel-like test signal (for examples and tests).

    A glottal-like harmonic series with a slow vibrato, shaped by three
    formant resonances, with a little aspiration noise and 50 ms fades.

    Arguments
    ---------
    duration : float
        Length in seconds.
    fs : int
        Sampling rate in Hz.
    f0 : float
        Mean fundamental frequency in Hz.
    seed : int
        Seed of the aspiration noise.

    Returns
    -------
    numpy.ndarray
        Float64 signal with peak 0.5.

    Example
    -------
    >>> x = synthetic_vowel(0.5)
    >>> x.shape, round(float(np.abs(x).max()), 3)
    ((8000,), 0.5)
    """
    rng = np.random.default_rng(seed)
    n = int(round(duration * fs))
    t = np.arange(n) / fs
    f0_t = f0 * (1.0 + 0.03 * np.sin(2 * np.pi * 5.0 * t))
    phase = 2 * np.pi * np.cumsum(f0_t) / fs
    x = np.zeros(n)
    for k in range(1, int(0.45 * fs / f0)):
        x += np.cos(k * phase) / k
    x += 0.02 * rng.standard_normal(n)
    for fc, bw in ((700.0, 90.0), (1200.0, 110.0), (2600.0, 160.0)):
        r = np.exp(-np.pi * bw / fs)
        a = [1.0, -2 * r * np.cos(2 * np.pi * fc / fs), r * r]
        x = signal.lfilter([1.0 - r], a, x)
    x = apply_fades(x, fs, 0.05)
    return 0.5 * x / np.max(np.abs(x))


def resample(x, orig_fs, new_fs):
    """Resamples with torchaudio's windowed-sinc resampler (float64).

    Arguments
    ---------
    x : numpy.ndarray
        1-D signal.
    orig_fs : int
        Input rate (any positive integer; keep the ratio simple).
    new_fs : int
        Output rate.

    Returns
    -------
    numpy.ndarray
        Resampled 1-D float64 signal.

    Example
    -------
    >>> resample(np.ones(800), 8000, 16000).shape
    (1600,)
    """
    if orig_fs == new_fs:
        return np.asarray(x, dtype=np.float64).copy()
    with _torch_single_thread():
        y = torchaudio.functional.resample(
            torch.from_numpy(np.array(x, dtype=np.float64)),
            int(orig_fs),
            int(new_fs),
        )
    return y.numpy()


@contextlib.contextmanager
def _torch_single_thread():
    """Runs torch ops on one thread, restoring the setting afterwards.

    The generators apply many tiny torch ops (short STFTs, Griffin-Lim
    iterations); with several OpenMP threads on a busy CPU each op can wait
    milliseconds for a descheduled thread (measured: 0.015 s -> 2.4 s for
    :func:`griffin_lim` on a loaded 2-core machine). One thread is faster
    and the results do not depend on the thread count.
    """
    n_threads = torch.get_num_threads()
    if n_threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n_threads)


def _fit_length(y, n):
    """Cuts or zero-pads ``y`` to ``n`` samples."""
    if len(y) >= n:
        return y[:n]
    return np.concatenate([y, np.zeros(n - len(y))])


# ---------------------------------------------------------------------------
# Shared post-processing (applied identically to both classes)
# ---------------------------------------------------------------------------
def trim_silence(x, fs, threshold_db=40.0, frame_s=0.01):
    """Removes leading and trailing frames quieter than peak - threshold.

    Arguments
    ---------
    x : numpy.ndarray
        The 1-D signal to trim.
    fs : int
        Its sampling rate (sets the frame length in samples).
    threshold_db : float
        Frames whose energy is more than this many dB below the loudest
        frame are trimmed from both ends.
    frame_s : float
        Frame length in seconds (non-overlapping frames).

    Returns
    -------
    numpy.ndarray
        The trimmed signal (unchanged if it is silent).

    Example
    -------
    >>> x = np.concatenate([np.zeros(800), synthetic_vowel(0.2), np.zeros(800)])
    >>> trim_silence(x, 16000).shape[0] < x.shape[0]
    True
    """
    hop = max(1, int(round(frame_s * fs)))
    n_frames = int(math.ceil(len(x) / hop))
    padded = _fit_length(x, n_frames * hop).reshape(n_frames, hop)
    energy = np.mean(padded**2, axis=1)
    if energy.max() <= 0.0:
        return x
    keep = np.flatnonzero(energy >= energy.max() * 10 ** (-threshold_db / 10))
    return x[keep[0] * hop : min(len(x), (keep[-1] + 1) * hop)]


def band_limit(x, fs=16000, low_fs=8000):
    """Band-limits by resampling down to ``low_fs`` and back to ``fs``.

    This is the chain that FSDD's 8 kHz recordings go through, so applying
    it to every FSDD-derived clip gives both classes the same 0-4 kHz band
    and the same resampler fingerprint.

    Arguments
    ---------
    x : numpy.ndarray
        1-D signal at ``fs``.
    fs : int
        Sampling rate of ``x``.
    low_fs : int
        Intermediate rate.

    Returns
    -------
    numpy.ndarray
        Signal at ``fs`` with the same length as ``x``.

    Example
    -------
    >>> band_limit(np.random.default_rng(0).standard_normal(1600)).shape
    (1600,)
    """
    y = resample(resample(x, fs, low_fs), low_fs, fs)
    return _fit_length(y, len(x))


@functools.lru_cache(maxsize=8)
def _highpass_sos(fs, cutoff):
    return signal.butter(4, cutoff, btype="highpass", fs=fs, output="sos")


@functools.lru_cache(maxsize=8)
def _lowpass_sos(fs, cutoff):
    return signal.butter(4, cutoff, btype="lowpass", fs=fs, output="sos")


def highpass(x, fs, cutoff=50.0):
    """Removes DC and rumble (4th-order Butterworth, zero phase).

    Arguments
    ---------
    x : numpy.ndarray
        The 1-D signal; shorter than 64 samples, only its mean is removed.
    fs : int
        Its sampling rate in Hz.
    cutoff : float
        Cut-off frequency in Hz.

    Returns
    -------
    numpy.ndarray
        Filtered signal.

    Example
    -------
    >>> y = highpass(np.ones(4000) + synthetic_vowel(0.25), 16000)
    >>> abs(float(y[1000:3000].mean())) < 0.01
    True
    """
    if len(x) < 64:
        return x - np.mean(x)
    return signal.sosfiltfilt(_highpass_sos(fs, cutoff), x)


def apply_fades(x, fs, fade_s=0.01):
    """Applies raised-cosine fade-in and fade-out.

    Arguments
    ---------
    x : numpy.ndarray
        The 1-D signal to fade (not modified).
    fs : int
        Its sampling rate, to convert ``fade_s`` to samples.
    fade_s : float
        Fade length in seconds (shortened for very short signals).

    Returns
    -------
    numpy.ndarray
        Faded copy.

    Example
    -------
    >>> y = apply_fades(np.ones(1000), 16000, 0.005)
    >>> float(y[0]), float(y[500])
    (0.0, 1.0)
    """
    y = np.array(x, dtype=np.float64, copy=True)
    n = min(int(round(fade_s * fs)), len(y) // 2)
    if n > 1:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
        y[:n] *= ramp
        y[len(y) - n :] *= ramp[::-1]
    return y


def normalize_rms(x, target_db, peak_limit=0.97):
    """Scales a signal to an RMS level in dBFS, with a peak guard.

    Arguments
    ---------
    x : numpy.ndarray
        A 1-D signal; an all-zero one is returned unchanged.
    target_db : float
        Target RMS level in dB relative to full scale (1.0).
    peak_limit : float
        If the scaled peak would exceed this, the gain is reduced so that
        the peak equals it (the RMS is then below the target).

    Returns
    -------
    numpy.ndarray
        Scaled signal.

    Example
    -------
    >>> y = normalize_rms(synthetic_vowel(0.5), -26.0)
    >>> round(float(20 * np.log10(np.sqrt(np.mean(y**2)))), 2)
    -26.0
    """
    rms = np.sqrt(np.mean(np.square(x)))
    if rms <= 0.0:
        return np.array(x, dtype=np.float64, copy=True)
    gain = 10 ** (target_db / 20) / rms
    peak = np.max(np.abs(x)) * gain
    if peak > peak_limit:
        gain *= peak_limit / peak
    return x * gain


def dither_and_quantize(x, rng, dither_db=-66.0):
    """Adds white Gaussian dither and quantises to 16-bit integers.

    Arguments
    ---------
    x : numpy.ndarray
        1-D float signal in [-1, 1].
    rng : numpy.random.Generator
        Random generator for the dither.
    dither_db : float
        Dither RMS level in dBFS (-66 dBFS is about 16 LSB).

    Returns
    -------
    numpy.ndarray
        int16 samples.

    Example
    -------
    >>> q = dither_and_quantize(np.zeros(16000), np.random.default_rng(0))
    >>> q.dtype.name, bool(np.mean(q == 0) < 0.05)
    ('int16', True)
    """
    noise = rng.standard_normal(len(x)) * 10 ** (dither_db / 20)
    y = np.round((np.asarray(x) + noise) * INT16_SCALE)
    return np.clip(y, -32768, 32767).astype(np.int16)


# ---------------------------------------------------------------------------
# WORLD based generators
# ---------------------------------------------------------------------------
def world_analyze(x, fs, frame_period=5.0, f0_floor=60.0, f0_ceil=500.0):
    """WORLD analysis: DIO + StoneMask F0, CheapTrick, D4C.

    Arguments
    ---------
    x : numpy.ndarray
        1-D float64 signal.
    fs : int
        Sampling rate.
    frame_period : float
        Frame period in ms.
    f0_floor : float
        Lowest F0 searched, Hz.
    f0_ceil : float
        Highest F0 searched, Hz.

    Returns
    -------
    f0 : numpy.ndarray
        F0 per frame (0 when unvoiced).
    sp : numpy.ndarray
        Spectral envelope, (frames, fft_size // 2 + 1).
    ap : numpy.ndarray
        Aperiodicity, same shape as ``sp``.

    Example
    -------
    >>> f0, sp, ap = world_analyze(synthetic_vowel(0.5), 16000)
    >>> sp.shape[1], bool(np.median(f0[f0 > 0]) > 100)
    (513, True)
    """
    pw = import_pyworld()
    x = np.ascontiguousarray(x, dtype=np.float64)
    f0, t = pw.dio(
        x, fs, f0_floor=f0_floor, f0_ceil=f0_ceil, frame_period=frame_period
    )
    f0 = pw.stonemask(x, f0, t, fs)
    sp = pw.cheaptrick(x, f0, t, fs, f0_floor=f0_floor)
    ap = pw.d4c(x, f0, t, fs)
    return f0, sp, ap


def _world_synthesize(f0, sp, ap, fs, frame_period, n_samples):
    pw = import_pyworld()
    y = pw.synthesize(
        np.ascontiguousarray(f0, dtype=np.float64),
        np.ascontiguousarray(sp, dtype=np.float64),
        np.ascontiguousarray(ap, dtype=np.float64),
        fs,
        frame_period,
    )
    return _fit_length(y, n_samples)


def world_resynthesis(x, fs, rng=None, frame_period=5.0):
    """WORLD analysis-synthesis (copy synthesis).

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64) to copy-synthesise.
    fs : int
        Its sampling rate, for the WORLD analysis and synthesis.
    rng : numpy.random.Generator, optional
        Unused (WORLD is deterministic); kept for a uniform interface.
    frame_period : float
        Frame period in ms.

    Returns
    -------
    numpy.ndarray
        The copy synthesis, cut or padded to ``len(x)``.

    Example
    -------
    >>> world_resynthesis(synthetic_vowel(0.5), 16000).shape
    (8000,)
    """
    f0, sp, ap = world_analyze(x, fs, frame_period)
    return _world_synthesize(f0, sp, ap, fs, frame_period, len(x))


def warp_envelope(sp, warp):
    """Linear frequency warp of a spectral envelope.

    Bin ``k`` of the output takes the (linearly interpolated) value at bin
    ``k / warp`` of the input, clipped to the last bin, so ``warp > 1``
    moves formants up.

    Arguments
    ---------
    sp : numpy.ndarray
        Envelope, (frames, bins).
    warp : float
        Warp factor.

    Returns
    -------
    numpy.ndarray
        Warped envelope, same shape.

    Example
    -------
    >>> sp = np.tile(np.arange(5.0), (2, 1))
    >>> warp_envelope(sp, 2.0)[0].tolist()
    [0.0, 0.5, 1.0, 1.5, 2.0]
    """
    n_bins = sp.shape[1]
    src = np.clip(np.arange(n_bins) / warp, 0, n_bins - 1)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, n_bins - 1)
    frac = src - lo
    return sp[:, lo] * (1.0 - frac) + sp[:, hi] * frac


def sample_voice_conversion_params(rng):
    """Draws one voice-conversion setting (per utterance).

    Either up (F0 x 1.35-1.6, formants x 1.10-1.16) or down (F0 x
    0.70-0.82, formants x 0.86-0.92), with equal probability.

    Arguments
    ---------
    rng : numpy.random.Generator
        Draws the direction, then the two factors.

    Returns
    -------
    dict
        ``f0_ratio`` and ``warp``.

    Example
    -------
    >>> p = sample_voice_conversion_params(np.random.default_rng(0))
    >>> sorted(p)
    ['f0_ratio', 'warp']
    """
    if rng.random() < 0.5:
        return {
            "f0_ratio": float(rng.uniform(1.35, 1.6)),
            "warp": float(rng.uniform(1.10, 1.16)),
        }
    return {
        "f0_ratio": float(rng.uniform(0.70, 0.82)),
        "warp": float(rng.uniform(0.86, 0.92)),
    }


def world_voice_conversion(
    x, fs, rng=None, f0_ratio=1.5, warp=1.12, frame_period=5.0
):
    """WORLD 'voice conversion': F0 scaling plus envelope frequency warp.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64) to convert.
    fs : int
        Its sampling rate; the scaled F0 is capped at ``0.45 * fs``.
    rng : numpy.random.Generator, optional
        Unused: draw the setting with
        :func:`sample_voice_conversion_params`.
    f0_ratio : float
        F0 multiplier.
    warp : float
        Spectral-envelope frequency warp (see :func:`warp_envelope`).
    frame_period : float
        Frame period in ms.

    Returns
    -------
    numpy.ndarray
        The converted speech; it keeps the length of ``x``.

    Example
    -------
    >>> y = world_voice_conversion(synthetic_vowel(0.5), 16000, f0_ratio=1.5)
    >>> len(y)
    8000
    """
    f0, sp, ap = world_analyze(x, fs, frame_period)
    f0 = np.minimum(f0 * f0_ratio, 0.45 * fs)
    return _world_synthesize(
        f0, warp_envelope(sp, warp), ap, fs, frame_period, len(x)
    )


def _moving_average(a, width, axis=0):
    """Centered moving average with edge replication."""
    if width <= 1:
        return a
    pad = [(0, 0)] * a.ndim
    pad[axis] = (width // 2, width - 1 - width // 2)
    padded = np.pad(a, pad, mode="edge")
    kernel_shape = [1] * a.ndim
    kernel_shape[axis] = width
    kernel = np.ones(kernel_shape) / width
    return signal.convolve(padded, kernel, mode="valid")


def world_coded(
    x,
    fs,
    rng=None,
    n_coded=24,
    frame_period=10.0,
    smooth_frames=5,
    variance_scale=0.75,
):
    """Statistical-parametric style WORLD vocoding from coded features.

    The envelope is coded to ``n_coded`` mel-cepstrum-like coefficients
    (``pyworld.code_spectral_envelope``) and the aperiodicity to band
    aperiodicities, as acoustic models of SPSS TTS do; the coded tracks are
    then smoothed over time and their deviations from the utterance mean are
    shrunk (the 'over-smoothing' of statistical models), log F0 is
    smoothed within voiced runs, and WORLD resynthesises at 10 ms frames.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64) to vocode.
    fs : int
        Its sampling rate (WORLD's coding bands depend on it).
    rng : numpy.random.Generator, optional
        Unused: the coding and smoothing are deterministic.
    n_coded : int
        Number of coded envelope coefficients.
    frame_period : float
        Frame period in ms.
    smooth_frames : int
        Width of the temporal moving average over coded features.
    variance_scale : float
        Scale of the deviations of coded features from their mean.

    Returns
    -------
    numpy.ndarray
        Over-smoothed speech of ``len(x)`` samples.

    Example
    -------
    >>> y = world_coded(synthetic_vowel(0.5), 16000, n_coded=16)
    >>> y.shape == (8000,)
    True
    """
    pw = import_pyworld()
    f0, sp, ap = world_analyze(x, fs, frame_period)
    fft_size = (sp.shape[1] - 1) * 2
    coded = pw.code_spectral_envelope(sp, fs, n_coded)
    coded = _moving_average(coded, smooth_frames)
    # shrink the spectral-shape coefficients only (index 0 carries the
    # frame energy, which is left alone so that pauses stay quiet)
    mean = coded[:, 1:].mean(axis=0, keepdims=True)
    coded[:, 1:] = mean + variance_scale * (coded[:, 1:] - mean)
    sp_hat = pw.decode_spectral_envelope(
        np.ascontiguousarray(coded), fs, fft_size
    )
    bap = pw.code_aperiodicity(ap, fs)
    bap = _moving_average(bap, smooth_frames)
    ap_hat = pw.decode_aperiodicity(np.ascontiguousarray(bap), fs, fft_size)
    voiced = f0 > 0
    if voiced.any():
        lf0 = np.log(np.where(voiced, f0, 1.0))
        # smooth inside voiced runs only
        edges = np.flatnonzero(np.diff(np.r_[0, voiced.astype(int), 0]))
        for start, stop in zip(edges[::2], edges[1::2]):
            lf0[start:stop] = _moving_average(lf0[start:stop], smooth_frames)
        f0 = np.where(voiced, np.exp(lf0), 0.0)
    return _world_synthesize(f0, sp_hat, ap_hat, fs, frame_period, len(x))


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
    return y + _fit_length(noise_y, n)


# ---------------------------------------------------------------------------
# SPTK MLSA vocoder
# ---------------------------------------------------------------------------
def mlsa_vocoder(
    x,
    fs,
    rng,
    order=24,
    alpha=0.42,
    hop=160,
    frame_length=512,
    f0_min=60.0,
    f0_max=400.0,
    dither=1e-4,
):
    """SPTK mel-cepstral analysis and MLSA-filter synthesis (pysptk).

    The signal is first dithered (white noise of RMS ``dither``) because
    runs of exact zeros make ``mcep`` fail (log of 0); -80 dBFS with
    ``eps=1e-4`` was enough on all 96 FSDD words tried, while -60 dBFS
    leaves an audible noise floor in pauses after resynthesis. Then SWIPE'
    F0, Blackman-windowed mel-cepstrum (``etype=1``, ``eps=1e-4``), a pulse
    (voiced) / Gaussian-noise (unvoiced) excitation and the MLSA filter
    (Pade order 5) driven by ``mc2b`` coefficients.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64) in [-1, 1].
    fs : int
        Its sampling rate, for SWIPE' (the mel warping is ``alpha``).
    rng : numpy.random.Generator
        Random generator (dither and excitation-noise seed).
    order : int
        Mel-cepstrum order.
    alpha : float
        All-pass constant (0.42 suits 16 kHz).
    hop : int
        Frame shift in samples.
    frame_length : int
        Analysis window length in samples.
    f0_min : float
        Lowest F0 searched, Hz.
    f0_max : float
        Highest F0 searched, Hz.
    dither : float
        RMS of the analysis dither relative to full scale (1e-4 = -80
        dBFS).

    Returns
    -------
    numpy.ndarray
        MLSA-filtered excitation, cut or padded to ``len(x)``.

    Raises
    ------
    FloatingPointError
        The MLSA filter diverged.

    Example
    -------
    >>> y = mlsa_vocoder(synthetic_vowel(0.5), 16000, np.random.default_rng(0))
    >>> y.shape, bool(np.isfinite(y).all())
    ((8000,), True)
    """
    pysptk = import_pysptk()
    from pysptk.synthesis import MLSADF, Synthesizer

    n = len(x)
    xi = np.asarray(x, dtype=np.float64) + dither * rng.standard_normal(n)
    xi = np.ascontiguousarray(xi * INT16_SCALE)
    f0 = pysptk.swipe(
        xi, fs=fs, hopsize=hop, min=f0_min, max=f0_max, otype="f0"
    )
    padded = np.pad(xi, (frame_length // 2, frame_length // 2))
    frames = np.lib.stride_tricks.sliding_window_view(padded, frame_length)
    frames = frames[::hop][: len(f0)] * np.blackman(frame_length)
    mc = pysptk.mcep(
        np.ascontiguousarray(frames), order, alpha, etype=1, eps=1e-4
    )
    mc = np.atleast_2d(mc)
    pitch = np.where(f0 > 0, fs / np.maximum(f0, 1e-3), 0.0)
    excitation = pysptk.excite(
        np.ascontiguousarray(pitch[: len(mc)]),
        hop,
        gaussian=True,
        seed=int(rng.integers(1, 2**31 - 1)),
    )
    b = pysptk.mc2b(mc, alpha)
    synth = Synthesizer(MLSADF(order=order, alpha=alpha, pd=5), hop)
    y = synth.synthesis(excitation, b) / INT16_SCALE
    if not np.isfinite(y).all():
        raise FloatingPointError("MLSA synthesis diverged")
    return _fit_length(y, n)


# ---------------------------------------------------------------------------
# Griffin-Lim
# ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def _gl_transforms(fs, n_fft, hop, n_mels):
    mel = torchaudio.transforms.MelSpectrogram(
        sample_rate=fs, n_fft=n_fft, hop_length=hop, n_mels=n_mels, power=1.0
    )
    inv = torchaudio.transforms.InverseMelScale(
        n_stft=n_fft // 2 + 1, n_mels=n_mels, sample_rate=fs
    )
    return mel, inv


def griffin_lim(x, fs, rng, n_fft=1024, hop=256, n_mels=80, n_iter=32):
    """Mel-magnitude inversion with Griffin-Lim (torchaudio).

    ``MelSpectrogram`` (power 1) -> ``InverseMelScale`` -> fast Griffin-Lim
    (momentum 0.99) from random initial phases.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech whose mel magnitude is inverted.
    fs : int
        Its sampling rate, for the mel filterbank.
    rng : numpy.random.Generator
        Random generator (seeds the initial phases).
    n_fft : int
        FFT size.
    hop : int
        Hop size.
    n_mels : int
        Number of mel bands.
    n_iter : int
        Griffin-Lim iterations.

    Returns
    -------
    numpy.ndarray
        The float64 reconstruction (``length=len(x)``).

    Example
    -------
    >>> rng = np.random.default_rng(0)
    >>> griffin_lim(synthetic_vowel(0.5), 16000, rng, n_iter=8).dtype.name
    'float64'
    """
    mel, inv = _gl_transforms(fs, n_fft, hop, n_mels)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float32))
    with torch.no_grad(), _torch_single_thread():
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(rng.integers(0, 2**62)))
            spec = inv(mel(xt))
            y = torchaudio.functional.griffinlim(
                spec,
                window=torch.hann_window(n_fft),
                n_fft=n_fft,
                hop_length=hop,
                win_length=n_fft,
                power=1.0,
                n_iter=n_iter,
                momentum=0.99,
                length=len(x),
                rand_init=True,
            )
    return y.double().numpy()


# ---------------------------------------------------------------------------
# LPC vocoder
# ---------------------------------------------------------------------------
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
    >>> f0 = estimate_f0_autocorr(synthetic_vowel(0.5), 16000, 80)
    >>> bool(abs(np.median(f0[f0 > 0]) - 120) < 10)
    True
    """
    if frame_length is None:
        frame_length = int(0.04 * fs)
    lp = np.asarray(x, dtype=np.float64)
    if len(lp) > 30:
        lp = signal.sosfiltfilt(_lowpass_sos(fs, 1000.0), lp)
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


# ---------------------------------------------------------------------------
# Phase vocoder
# ---------------------------------------------------------------------------
PITCH_RATIOS = ((16, 20), (17, 20), (18, 20), (22, 20), (23, 20), (24, 20))


def sample_phase_vocoder_params(rng):
    """Draws one pitch/tempo setting (per utterance).

    Arguments
    ---------
    rng : numpy.random.Generator
        Draws the pitch fraction, then the time ratio.

    Returns
    -------
    dict
        ``pitch_ratio`` (a fraction ``(num, den)`` from
        ``PITCH_RATIOS``: 0.8-0.9 or 1.1-1.2) and ``time_ratio``
        (output/input duration, 0.88-1.12).

    Example
    -------
    >>> p = sample_phase_vocoder_params(np.random.default_rng(0))
    >>> sorted(p)
    ['pitch_ratio', 'time_ratio']
    """
    num, den = PITCH_RATIOS[int(rng.integers(len(PITCH_RATIOS)))]
    return {
        "pitch_ratio": (num, den),
        "time_ratio": float(rng.uniform(0.88, 1.12)),
    }


def phase_vocoder_shift(
    x, fs, rng=None, pitch_ratio=(22, 20), time_ratio=1.0, n_fft=512, hop=128
):
    """Pitch shift and time stretch with an STFT phase vocoder.

    ``torchaudio.functional.phase_vocoder`` stretches the STFT by
    ``1 / (time_ratio * p)``; resampling by ``p = num / den`` then raises
    the pitch (and the formants) by ``p``. The output lasts about
    ``time_ratio * len(x)`` samples.

    Arguments
    ---------
    x : numpy.ndarray
        Bona fide speech (1-D float64) to shift and stretch.
    fs : int
        Its sampling rate (unused: both ratios are relative).
    rng : numpy.random.Generator, optional
        Unused: draw the setting with :func:`sample_phase_vocoder_params`.
    pitch_ratio : tuple of int
        Pitch factor as a fraction ``(num, den)``.
    time_ratio : float
        Output duration / input duration.
    n_fft : int
        STFT size.
    hop : int
        STFT hop.

    Returns
    -------
    numpy.ndarray
        Modified signal of about ``time_ratio * len(x)`` samples.

    Example
    -------
    >>> y = phase_vocoder_shift(
    ...     synthetic_vowel(0.5), 16000, pitch_ratio=(22, 20), time_ratio=1.1
    ... )
    >>> y.shape
    (8800,)
    """
    num, den = pitch_ratio
    p = num / den
    rate = 1.0 / (time_ratio * p)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float64))
    window = torch.hann_window(n_fft, dtype=torch.float64)
    with torch.no_grad(), _torch_single_thread():
        spec = torch.stft(
            xt, n_fft, hop, window=window, center=True, return_complex=True
        )
        advance = torch.linspace(
            0, math.pi * hop, n_fft // 2 + 1, dtype=torch.float64
        )[:, None]
        stretched = torchaudio.functional.phase_vocoder(spec, rate, advance)
        n_stretched = int(round(len(x) / rate))
        y = torch.istft(
            stretched, n_fft, hop, window=window, length=n_stretched
        )
        y = torchaudio.functional.resample(y, num, den)
    return _fit_length(y.numpy(), int(round(len(x) * time_ratio)))


def identity(x, fs, rng=None):
    """The bona fide 'generator': returns a copy of the input.

    Arguments
    ---------
    x : numpy.ndarray
        1-D signal.
    fs : int
        Sampling rate (unused).
    rng : numpy.random.Generator, optional
        Unused.

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``x``.

    Example
    -------
    >>> identity(np.ones(3), 16000).tolist()
    [1.0, 1.0, 1.0]
    """
    return np.array(x, dtype=np.float64, copy=True)
