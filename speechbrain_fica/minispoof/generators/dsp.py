"""Small signal-processing helpers shared by the generators.

Authors
 * speechbrain-fica contributors 2026
"""

import contextlib
import functools

import numpy as np
import torch
import torchaudio
from scipy import signal

#: Full scale of 16-bit samples.
INT16_SCALE = 32768.0


@contextlib.contextmanager
def torch_single_thread():
    """Runs torch ops on one thread, restoring the setting afterwards.

    The generators apply many tiny torch ops (short STFTs, Griffin-Lim
    iterations); with several OpenMP threads on a busy CPU each op can wait
    milliseconds for a descheduled thread. One thread is faster and the
    results do not depend on the thread count.

    Example
    -------
    >>> with torch_single_thread():
    ...     torch.get_num_threads()
    1
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
    with torch_single_thread():
        y = torchaudio.functional.resample(
            torch.from_numpy(np.array(x, dtype=np.float64)),
            int(orig_fs),
            int(new_fs),
        )
    return y.numpy()


def fit_length(y, n):
    """Cuts or zero-pads a signal to a given length.

    Arguments
    ---------
    y : numpy.ndarray
        1-D signal.
    n : int
        Wanted number of samples.

    Returns
    -------
    numpy.ndarray
        The first ``n`` samples of ``y``, zero-padded if it is shorter.

    Example
    -------
    >>> fit_length(np.ones(2), 3).tolist(), fit_length(np.ones(4), 3).shape
    ([1.0, 1.0, 0.0], (3,))
    """
    if len(y) >= n:
        return y[:n]
    return np.concatenate([y, np.zeros(n - len(y))])


@functools.lru_cache(maxsize=8)
def highpass_sos(fs, cutoff):
    """4th-order Butterworth high-pass in second-order sections (cached).

    Arguments
    ---------
    fs : int
        Sampling rate in Hz.
    cutoff : float
        Cut-off frequency in Hz.

    Returns
    -------
    numpy.ndarray
        Second-order sections for ``scipy.signal.sosfiltfilt``.

    Example
    -------
    >>> highpass_sos(16000, 50.0).shape
    (2, 6)
    """
    return signal.butter(4, cutoff, btype="highpass", fs=fs, output="sos")


@functools.lru_cache(maxsize=8)
def lowpass_sos(fs, cutoff):
    """4th-order Butterworth low-pass in second-order sections (cached).

    Arguments
    ---------
    fs : int
        Sampling rate in Hz.
    cutoff : float
        Cut-off frequency in Hz.

    Returns
    -------
    numpy.ndarray
        Second-order sections for ``scipy.signal.sosfiltfilt``.

    Example
    -------
    >>> lowpass_sos(16000, 1000.0).shape
    (2, 6)
    """
    return signal.butter(4, cutoff, btype="lowpass", fs=fs, output="sos")


def moving_average(a, width, axis=0):
    """Centred moving average with edge replication.

    Arguments
    ---------
    a : numpy.ndarray
        Array to smooth.
    width : int
        Window length in samples (1 or less: ``a`` is returned as is).
    axis : int
        Axis to smooth along.

    Returns
    -------
    numpy.ndarray
        Smoothed array of the shape of ``a``.

    Example
    -------
    >>> moving_average(np.array([0.0, 3.0, 0.0]), 3).tolist()
    [1.0, 1.0, 1.0]
    """
    if width <= 1:
        return a
    pad = [(0, 0)] * a.ndim
    pad[axis] = (width // 2, width - 1 - width // 2)
    padded = np.pad(a, pad, mode="edge")
    kernel_shape = [1] * a.ndim
    kernel_shape[axis] = width
    kernel = np.ones(kernel_shape) / width
    return signal.convolve(padded, kernel, mode="valid")
