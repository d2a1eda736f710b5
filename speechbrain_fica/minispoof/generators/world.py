"""WORLD vocoder generators (``pyworld``).

* :func:`world_resynthesis`: WORLD analysis-synthesis (DIO + StoneMask F0,
  CheapTrick envelope, D4C aperiodicity).
* :func:`world_voice_conversion`: WORLD with F0 scaling and a linear
  frequency warp of the spectral envelope (formant shift).
* :func:`world_coded`: statistical-parametric style WORLD vocoding from
  low-dimensional coded features (mel-cepstral envelope, band aperiodicity)
  with temporal smoothing and variance shrinkage (over-smoothing).

``pyworld`` is imported when a generator runs (see
:mod:`speechbrain_fica.minispoof.generators.optional`).

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np

from speechbrain_fica.minispoof.generators.dsp import (
    fit_length,
    moving_average,
)
from speechbrain_fica.minispoof.generators.optional import import_pyworld


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
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
    return fit_length(y, n_samples)


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> y = world_voice_conversion(synthetic_vowel(0.5), 16000, f0_ratio=1.5)
    >>> len(y)
    8000
    """
    f0, sp, ap = world_analyze(x, fs, frame_period)
    f0 = np.minimum(f0 * f0_ratio, 0.45 * fs)
    return _world_synthesize(
        f0, warp_envelope(sp, warp), ap, fs, frame_period, len(x)
    )


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> y = world_coded(synthetic_vowel(0.5), 16000, n_coded=16)
    >>> y.shape == (8000,)
    True
    """
    pw = import_pyworld()
    f0, sp, ap = world_analyze(x, fs, frame_period)
    fft_size = (sp.shape[1] - 1) * 2
    coded = pw.code_spectral_envelope(sp, fs, n_coded)
    coded = moving_average(coded, smooth_frames)
    # shrink the spectral-shape coefficients only (index 0 carries the
    # frame energy, which is left alone so that pauses stay quiet)
    mean = coded[:, 1:].mean(axis=0, keepdims=True)
    coded[:, 1:] = mean + variance_scale * (coded[:, 1:] - mean)
    sp_hat = pw.decode_spectral_envelope(
        np.ascontiguousarray(coded), fs, fft_size
    )
    bap = pw.code_aperiodicity(ap, fs)
    bap = moving_average(bap, smooth_frames)
    ap_hat = pw.decode_aperiodicity(np.ascontiguousarray(bap), fs, fft_size)
    voiced = f0 > 0
    if voiced.any():
        lf0 = np.log(np.where(voiced, f0, 1.0))
        # smooth inside voiced runs only
        edges = np.flatnonzero(np.diff(np.r_[0, voiced.astype(int), 0]))
        for start, stop in zip(edges[::2], edges[1::2]):
            lf0[start:stop] = moving_average(lf0[start:stop], smooth_frames)
        f0 = np.where(voiced, np.exp(lf0), 0.0)
    return _world_synthesize(f0, sp_hat, ap_hat, fs, frame_period, len(x))
