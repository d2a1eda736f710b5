"""Codec augmentation: lossy encode / decode round trips of training audio.

Built on SpeechBrain's :class:`speechbrain.augment.codec.CodecAugment`,
which (in SpeechBrain 1.1.2) encodes into an in-memory file with
soundfile / libsndfile and decodes it back; no ffmpeg is involved
(``torchaudio.functional.apply_codec``, which older SpeechBrain versions
used, is gone from torchaudio 2.9 on). What it adds here: a choice of
codecs by name, an optional narrowband transmission (resampling to e.g.
8 kHz around the codec, as in telephony), a per-utterance random codec
that is reproducible from keys, and training-only behaviour.

Codec names and their soundfile (format, subtype):
``ulaw`` (WAV, ULAW: G.711 mu-law), ``alaw`` (WAV, ALAW: G.711 A-law),
``g721`` (WAV, G721_32: 32 kbit/s ADPCM), ``ima_adpcm`` (WAV, IMA_ADPCM),
``gsm`` (WAV, GSM610: GSM full rate, meant for 8 kHz), ``mp3`` (MP3,
MPEG_LAYER_III), ``vorbis`` (OGG, VORBIS), ``opus`` (OGG, OPUS). A name
may end with ``@<rate>`` (e.g. ``alaw@8000``): the waveform is then
resampled to ``rate`` Hz before the codec and back afterwards. Which
codecs work depends on the libsndfile that soundfile loads (MP3 needs
libsndfile >= 1.1); an unsupported one is refused when the module is
built.

Authors
 * speechbrain-fica contributors 2026
"""

import soundfile
import torch
import torch.nn as nn
import torchaudio.functional as AF
from speechbrain.augment.codec import CodecAugment

from speechbrain_fica.augment.rawboost import keyed_seed, valid_samples

CODECS = {
    "ulaw": ("WAV", "ULAW"),
    "alaw": ("WAV", "ALAW"),
    "g721": ("WAV", "G721_32"),
    "ima_adpcm": ("WAV", "IMA_ADPCM"),
    "gsm": ("WAV", "GSM610"),
    "mp3": ("MP3", "MPEG_LAYER_III"),
    "vorbis": ("OGG", "VORBIS"),
    "opus": ("OGG", "OPUS"),
}


def parse_codec(spec, sample_rate):
    """``"name"`` or ``"name@rate"`` -> ``(name, format, subtype, rate)``.

    Arguments
    ---------
    spec : str
        A codec name of :data:`CODECS`, optionally with ``@<rate>``.
    sample_rate : int
        The rate of the audio (used when no rate is given).

    Returns
    -------
    tuple
        ``(name, format, subtype, codec_rate)``.

    Example
    -------
    >>> parse_codec("alaw@8000", 16000)
    ('alaw', 'WAV', 'ALAW', 8000)
    >>> parse_codec("mp3", 16000)
    ('mp3', 'MP3', 'MPEG_LAYER_III', 16000)
    """
    name, _, rate = str(spec).partition("@")
    if name not in CODECS:
        raise ValueError(
            f"unknown codec {spec!r}; choose among {sorted(CODECS)}, "
            "optionally with @<rate>"
        )
    codec_rate = int(rate) if rate else int(sample_rate)
    if codec_rate <= 0:
        raise ValueError(f"codec rate must be positive: {spec!r}")
    file_format, subtype = CODECS[name]
    if not soundfile.check_format(file_format, subtype):
        raise ValueError(
            f"codec {name!r} ({file_format}/{subtype}) is not supported by "
            f"the libsndfile {soundfile.__libsndfile_version__} that "
            "soundfile uses on this machine"
        )
    return name, file_format, subtype, codec_rate


class CodecAugmentation(nn.Module):
    """Passes each training utterance through a random lossy codec.

    In training mode, every utterance is, with probability ``prob``,
    encoded and decoded with one of ``codecs`` drawn at random (from its
    key when ``keys`` are given, e.g. ``(seed, epoch, utterance_id)``,
    else from torch's random state); the output keeps the input's length
    (trimmed or zero-padded, as SpeechBrain's ``CodecAugment`` does). In
    evaluation mode the batch is returned as it is. The work is done on
    the CPU, one utterance at a time.

    Arguments
    ---------
    codecs : list of str
        Codec names (see the module docstring), e.g. ``["ulaw", "mp3",
        "opus"]`` (SpeechBrain's choice, the default) or telephony-like
        ``["alaw@8000", "ulaw@8000", "gsm@8000", "opus"]``.
    sample_rate : int
        Sampling rate of the waveforms (Hz).
    prob : float
        Probability that an utterance is coded.

    Example
    -------
    >>> codec = CodecAugmentation(["ulaw"], sample_rate=16000)
    >>> wavs = 0.1 * torch.randn(2, 8000)
    >>> out = codec(wavs, keys=["a", "b"])
    >>> out.shape, bool((out != wavs).any())
    (torch.Size([2, 8000]), True)
    >>> len(torch.unique(out[0])) <= 256  # 8-bit mu-law levels
    True
    >>> bool(torch.equal(codec.eval()(wavs), wavs))
    True
    """

    def __init__(
        self, codecs=("ulaw", "mp3", "opus"), sample_rate=16000, prob=1.0
    ):
        super().__init__()
        if isinstance(codecs, str):
            codecs = [codecs]
        if not codecs:
            raise ValueError("give at least one codec")
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f"prob must be in [0, 1], got {prob}")
        self.sample_rate = int(sample_rate)
        self.codecs = [parse_codec(spec, sample_rate) for spec in codecs]
        self.prob = prob
        self._coders = {}

    def extra_repr(self):
        """The codecs and probability, shown when the module is printed."""
        names = [
            name if rate == self.sample_rate else f"{name}@{rate}"
            for name, _, _, rate in self.codecs
        ]
        return f"codecs={names}, prob={self.prob}"

    def _coder(self, rate):
        if rate not in self._coders:
            self._coders[rate] = CodecAugment(sample_rate=rate)
        return self._coders[rate]

    def code(self, wav, codec):
        """Encodes and decodes one waveform.

        Arguments
        ---------
        wav : torch.Tensor
            A 1-D float waveform (CPU).
        codec : tuple
            An entry of ``self.codecs``.

        Returns
        -------
        torch.Tensor
            The decoded waveform, as long as ``wav`` (float32).
        """
        _, file_format, subtype, rate = codec
        x = wav.float().unsqueeze(0)
        if rate != self.sample_rate:
            x = AF.resample(x, self.sample_rate, rate)
        x = self._coder(rate).apply_codec(x, file_format, subtype)
        if rate != self.sample_rate:
            x = AF.resample(x, rate, self.sample_rate)
        x = x[0, : len(wav)]
        return torch.nn.functional.pad(x, (0, len(wav) - len(x)))

    def _draws(self, batch_size, keys, generator):
        """Two uniform numbers per utterance: coding or not, which codec."""
        if keys is None:
            return torch.rand(batch_size, 2, generator=generator).tolist()
        if len(keys) != batch_size:
            raise ValueError(f"{len(keys)} keys for {batch_size} utterances")
        return [
            [
                keyed_seed("codec-prob", key) / 2.0**128,
                keyed_seed("codec-choice", key) / 2.0**128,
            ]
            for key in keys
        ]

    @torch.no_grad()
    def forward(self, wavs, lengths=None, keys=None, generator=None):
        """Codes a training batch (identity in evaluation mode).

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]``.
        lengths : torch.Tensor, optional
            Relative lengths ``[B]``; the padding is not coded.
        keys : list, optional
            One key per utterance for reproducible draws.
        generator : torch.Generator, optional
            Source of the draws when no keys are given.

        Returns
        -------
        torch.Tensor
            The coded batch, same shape, dtype and device.
        """
        if not self.training or self.prob == 0:
            return wavs
        if wavs.dim() != 2:
            raise ValueError(
                f"CodecAugmentation expects [B, T], got {list(wavs.shape)}"
            )
        batch_size, n_samples = wavs.shape
        draws = self._draws(batch_size, keys, generator)
        counts = valid_samples(lengths, batch_size, n_samples)
        source = wavs.detach().cpu()
        out = source.clone()
        for i, ((use, choice), n) in enumerate(zip(draws, counts)):
            if use < self.prob and n > 0:
                codec = self.codecs[int(choice * len(self.codecs))]
                out[i, :n] = self.code(source[i, :n], codec).to(out.dtype)
        return out.to(wavs.device)
