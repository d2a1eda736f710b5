"""Audio reading and fixed-length cropping shared by recipes and inference.

Training crops a random window of ``n_samples`` (tile-repeating shorter
signals); evaluation and inference take the first ``n_samples`` (also
tile-repeated when shorter), as the official AASIST pipeline does. The same
functions serve the recipes' data pipelines and ``SpoofDetector``, so
their scores agree.

Authors
 * speechbrain-fica contributors 2026
"""

import torch  # noqa: F401  (doctests)
from speechbrain.dataio import audio_io

from speechbrain_fica.utils.reproducibility import keyed_uniform


class AudioError(ValueError):
    """An audio file that cannot be used as it is (named in the message).

    Example
    -------
    >>> raise AudioError("a.wav: the file holds no samples")
    Traceback (most recent call last):
    ...
    speechbrain_fica.dataio.audio.AudioError: a.wav: the file holds no samples
    """


def load_waveform(path, sample_rate=16000):
    """Reads a mono audio file as a float32 ``[T]`` tensor, checking it.

    Arguments
    ---------
    path : str
        Audio file (any format soundfile reads: FLAC, WAV, ...).
    sample_rate : int
        Expected sampling rate in Hz. Files at another rate are an error
        (resample the corpus once, e.g. with sox, rather than on the fly).

    Returns
    -------
    torch.Tensor
        The samples, ``[T]``, float32 in [-1, 1].

    Raises
    ------
    AudioError
        The file is unreadable, empty, not mono or at another rate.

    Example
    -------
    >>> path = getfixture("tmpdir").join("tone.wav").strpath
    >>> audio_io.save(path, torch.zeros(1, 800), 16000)
    >>> load_waveform(path).shape
    torch.Size([800])
    >>> load_waveform(path, sample_rate=8000)
    Traceback (most recent call last):
    ...
    speechbrain_fica.dataio.audio.AudioError: .../tone.wav: sample rate 16000 Hz, expected 8000 Hz
    """
    try:
        wav, rate = audio_io.load(str(path), channels_first=True)
    except Exception as error:
        raise AudioError(f"{path}: cannot read audio ({error})") from error
    if rate != sample_rate:
        raise AudioError(
            f"{path}: sample rate {rate} Hz, expected {sample_rate} Hz"
        )
    if wav.shape[0] != 1:
        raise AudioError(f"{path}: {wav.shape[0]} channels, expected mono")
    if wav.shape[1] == 0:
        raise AudioError(f"{path}: the file holds no samples")
    return wav[0].float()


def crop_or_tile(wav, n_samples, offset=0):
    """Cuts ``n_samples`` from ``wav`` at ``offset``, tiling short signals.

    A signal shorter than ``n_samples`` is repeated ``n_samples // T + 1``
    times and cut (``offset`` is then ignored).

    Arguments
    ---------
    wav : torch.Tensor
        Samples ``[T]``.
    n_samples : int
        Output length.
    offset : int
        Start of the window in a long enough signal.

    Returns
    -------
    torch.Tensor
        ``[n_samples]``.

    Example
    -------
    >>> crop_or_tile(torch.arange(5.0), 7).tolist()
    [0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 1.0]
    >>> crop_or_tile(torch.arange(5.0), 3, offset=2).tolist()
    [2.0, 3.0, 4.0]
    """
    length = wav.shape[0]
    if length < n_samples:
        return wav.repeat(n_samples // length + 1)[:n_samples]
    return wav[offset : offset + n_samples]


def random_offset(length, n_samples, *keys):
    """A reproducible random crop start in ``[0, length - n_samples)``.

    The start is a hash of ``keys`` (e.g. seed, epoch and utterance id), so
    it does not depend on data-loader workers, their order, the DDP rank or
    a resumed run: the same epoch sees the same crops. As in the official
    AASIST pipeline the last possible start is excluded (except when
    ``length == n_samples``, where the only start is 0).

    Arguments
    ---------
    length : int
        Signal length.
    n_samples : int
        Crop length.
    *keys : object
        Values that determine the draw.

    Returns
    -------
    int
        The crop start.

    Example
    -------
    >>> random_offset(100, 40, 1234, 3, "utt1") == random_offset(
    ...     100, 40, 1234, 3, "utt1"
    ... )
    True
    >>> 0 <= random_offset(100, 40, 1234, 4, "utt1") < 60
    True
    """
    span = length - n_samples
    if span <= 0:
        return 0
    return int(keyed_uniform("crop", *keys) * span)
