"""STFT-domain generators: Griffin-Lim and phase vocoder (torchaudio).

* :func:`griffin_lim`: 80-band mel magnitude inverted with Griffin-Lim.
* :func:`phase_vocoder_shift`: STFT phase-vocoder time stretch followed by
  resampling (pitch and formants shifted together, phasiness).

Authors
 * speechbrain-fica contributors 2026
"""

import functools
import math

import numpy as np
import torch
import torchaudio

from speechbrain_fica.minispoof.generators.dsp import (
    fit_length,
    torch_single_thread,
)


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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
    >>> rng = np.random.default_rng(0)
    >>> griffin_lim(synthetic_vowel(0.5), 16000, rng, n_iter=8).dtype.name
    'float64'
    """
    mel, inv = _gl_transforms(fs, n_fft, hop, n_mels)
    xt = torch.from_numpy(np.asarray(x, dtype=np.float32))
    with torch.no_grad(), torch_single_thread():
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


#: Pitch factors of :func:`phase_vocoder_shift`, as fractions (num, den).
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
    >>> from speechbrain_fica.minispoof.generators import synthetic_vowel
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
    with torch.no_grad(), torch_single_thread():
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
    return fit_length(y.numpy(), int(round(len(x) * time_ratio)))
