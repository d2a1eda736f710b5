"""Audio reading and fixed-length cropping shared by recipes and inference.

Training crops a random window of ``n_samples`` (tile-repeating shorter
signals); evaluation and inference take the first ``n_samples`` (also
tile-repeated when shorter), as the official AASIST pipeline does. The same
functions serve the recipes' data pipelines and ``SpoofDetector``, so
their scores agree.

Authors
 * speechbrain-fica contributors 2026
"""

import math

import soundfile
import torch
import torchaudio
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


# ---------------------------------------------------------------------------
# Inference: read only the scored samples, opt-in conversion, input notes
# ---------------------------------------------------------------------------

# Samples with a magnitude up to one step of 16-bit PCM count as silence.
SILENCE_LEVEL = 2.0**-15
# Less signal than this (seconds, from the first to the last sample above
# SILENCE_LEVEL) is flagged as short.
MIN_SIGNAL_SECONDS = 0.5
# torchaudio.functional.resample's defaults, which set its kernel's reach.
_LOWPASS_FILTER_WIDTH = 6
_ROLLOFF = 0.99


def resample_input_length(n_samples, from_rate, to_rate):
    """Input samples needed for the first ``n_samples`` resampled samples
    to equal those of the whole signal resampled.

    ``torchaudio.functional.resample`` (default filter) computes output
    blocks of ``to_rate / g`` samples from input blocks of
    ``from_rate / g`` samples (``g`` their greatest common divisor) with a
    kernel reaching ``ceil(6 * (from_rate / g) / (0.99 * min(from_rate,
    to_rate) / g))`` samples past a block: reading that much more than the
    blocks the output needs makes the result exact.

    Arguments
    ---------
    n_samples : int
        Output samples wanted, at ``to_rate``.
    from_rate : int
        The file's rate (Hz).
    to_rate : int
        The model's rate (Hz).

    Returns
    -------
    int
        Samples to read at ``from_rate``.

    Example
    -------
    >>> resample_input_length(16000, 16000, 16000)
    16000
    >>> resample_input_length(16000, 48000, 16000)
    48022
    """
    if from_rate == to_rate:
        return n_samples
    gcd = math.gcd(from_rate, to_rate)
    block_in, block_out = from_rate // gcd, to_rate // gcd
    reach = math.ceil(
        _LOWPASS_FILTER_WIDTH * block_in / (_ROLLOFF * min(block_in, block_out))
    )
    return -(-n_samples // block_out) * block_in + block_in + reach


def read_first_samples(path, n_samples, sample_rate, resample=False):
    """Reads the first ``n_samples`` of a file (at most), mono at
    ``sample_rate``, decoding no more of the file than that.

    Without ``resample`` the file must be mono at ``sample_rate``, as in
    the recipes. With it, other rates are resampled
    (``torchaudio.functional.resample``, reading just enough more for the
    first ``n_samples`` to be exact) and channels are averaged. The
    samples read must be finite.

    Arguments
    ---------
    path : str
        Audio file (any format soundfile reads).
    n_samples : int
        Samples wanted at ``sample_rate``.
    sample_rate : int
        Rate (Hz) of the returned samples.
    resample : bool
        Convert other rates and down-mix several channels (opt-in).

    Returns
    -------
    wav : torch.Tensor
        ``[T]`` float32 samples, ``1 <= T <= n_samples``.
    source : dict
        The file's ``sample_rate`` and ``channels``.

    Raises
    ------
    AudioError
        Unreadable, empty, another rate or several channels (without
        ``resample``), or NaN / infinite samples among those read.

    Example
    -------
    >>> import soundfile
    >>> path = getfixture("tmpdir").join("long.wav").strpath
    >>> soundfile.write(path, 0.1 * torch.ones(48000, 2).numpy(), 48000)
    >>> read_first_samples(path, 800, 16000)
    Traceback (most recent call last):
    ...
    speechbrain_fica.dataio.audio.AudioError: .../long.wav: sample rate 48000 Hz, expected 16000 Hz (...)
    >>> wav, source = read_first_samples(path, 800, 16000, resample=True)
    >>> wav.shape, source
    (torch.Size([800]), {'sample_rate': 48000, 'channels': 2})
    """
    hint = "conversion is opt-in: resample=True, or --resample"
    try:
        with soundfile.SoundFile(str(path)) as audio:
            rate, channels = audio.samplerate, audio.channels
            if rate != sample_rate and not resample:
                raise AudioError(
                    f"{path}: sample rate {rate} Hz, expected {sample_rate} "
                    f"Hz ({hint})"
                )
            if channels != 1 and not resample:
                raise AudioError(
                    f"{path}: {channels} channels, expected mono ({hint})"
                )
            n_read = resample_input_length(n_samples, rate, sample_rate)
            data = audio.read(frames=n_read, dtype="float32", always_2d=True)
    except AudioError:
        raise
    except Exception as error:
        raise AudioError(f"{path}: cannot read audio ({error})") from error
    if data.shape[0] == 0:
        raise AudioError(f"{path}: the file holds no samples")
    wav = torch.from_numpy(data.T.copy())
    finite = torch.isfinite(wav)
    if not bool(finite.all()):
        n_nan = int(torch.isnan(wav).sum())
        raise AudioError(
            f"{path}: {n_nan} NaN and {int((~finite).sum()) - n_nan} "
            f"infinite sample value(s) among the {wav.numel()} samples read"
        )
    wav = wav.mean(dim=0)
    if rate != sample_rate:
        wav = torchaudio.functional.resample(wav, rate, sample_rate)
    return wav[:n_samples], {"sample_rate": rate, "channels": channels}


def signal_notes(wav, sample_rate):
    """Warnings about a waveform that is scored but questionable.

    The signal is the span from the first to the last sample whose
    magnitude exceeds :data:`SILENCE_LEVEL` (one step of 16-bit PCM):
    no such sample is digital silence, a span shorter than
    :data:`MIN_SIGNAL_SECONDS` is short (the model then scores mostly
    tile-repeated or silent samples).

    Arguments
    ---------
    wav : torch.Tensor
        Samples ``[T]``.
    sample_rate : int
        Their rate (Hz).

    Returns
    -------
    list of str
        Empty when the waveform is fine.

    Example
    -------
    >>> signal_notes(torch.zeros(16000), 16000)
    ['digital silence (no sample above 2^-15 of full scale)']
    >>> wav = torch.zeros(16000)
    >>> wav[100:1700] = 0.5
    >>> signal_notes(wav, 16000)
    ['short: 0.10 s of signal (less than 0.5 s)']
    >>> signal_notes(0.1 * torch.ones(8000), 16000)
    []
    """
    above = torch.nonzero(wav.abs() > SILENCE_LEVEL)
    if above.numel() == 0:
        return ["digital silence (no sample above 2^-15 of full scale)"]
    seconds = (int(above[-1]) - int(above[0]) + 1) / sample_rate
    if seconds < MIN_SIGNAL_SECONDS:
        shown = math.floor(seconds * 100) / 100  # never "0.50 s < 0.5 s"
        return [
            f"short: {shown:.2f} s of signal (less than "
            f"{MIN_SIGNAL_SECONDS:g} s)"
        ]
    return []
