"""Post-processing applied identically to bona fide and spoofed audio.

The MiniSpoof-LA builder runs every utterance, whatever its class, through
these steps (:func:`trim_silence` and :func:`apply_fades` per word,
:func:`band_limit` for FSDD-derived clips, then :func:`highpass`,
:func:`apply_fades`, :func:`normalize_rms` and :func:`dither_and_quantize`),
so that trivial cues (bandwidth, level, digital silence, duration) do not
separate the classes.

Authors
 * speechbrain-fica contributors 2026
"""

import math

import numpy as np
from scipy import signal

from speechbrain_fica.minispoof.generators.dsp import (
    INT16_SCALE,
    fit_length,
    highpass_sos,
    resample,
)


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> x = np.concatenate([np.zeros(800), synthetic_vowel(0.2), np.zeros(800)])
    >>> trim_silence(x, 16000).shape[0] < x.shape[0]
    True
    """
    hop = max(1, int(round(frame_s * fs)))
    n_frames = int(math.ceil(len(x) / hop))
    padded = fit_length(x, n_frames * hop).reshape(n_frames, hop)
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
    return fit_length(y, len(x))


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> y = highpass(np.ones(4000) + synthetic_vowel(0.25), 16000)
    >>> abs(float(y[1000:3000].mean())) < 0.01
    True
    """
    if len(x) < 64:
        return x - np.mean(x)
    return signal.sosfiltfilt(highpass_sos(fs, cutoff), x)


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
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
