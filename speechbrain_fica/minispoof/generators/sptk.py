"""SPTK mel-cepstral vocoder with an MLSA filter (``pysptk``).

``pysptk`` is imported when the generator runs (see
:mod:`speechbrain_fica.minispoof.generators.optional`).

Authors
 * speechbrain-fica contributors 2026
"""

import numpy as np

from speechbrain_fica.minispoof.generators.dsp import INT16_SCALE, fit_length
from speechbrain_fica.minispoof.generators.optional import import_pysptk


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
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
    return fit_length(y, n)
