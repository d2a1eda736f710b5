"""Synthetic test signals for the generators' examples and tests.

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np
from scipy import signal

from speechbrain_fica.minispoof.generators.postprocess import apply_fades


def synthetic_vowel(duration=0.5, fs=16000, f0=120.0, seed=0):
    """Makes a vowel-like test signal.

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
