"""A SpeechBrain ``Pretrained`` interface that scores speech for spoofing.

``SpoofDetector`` loads a model folder (``hyperparams.yaml`` +
``model.ckpt``, see ``speechbrain_fica.inference.export``) from the local
disk only, and scores waveforms exactly as the recipes' evaluation does:
the first ``segment_samples`` samples of each signal, tile-repeated when the
signal is shorter, one backbone forward pass, then
:func:`~speechbrain_fica.metrics.cm_scores.cm_scores`. Higher scores mean
"more bona fide". Files are read only as far as that segment needs.

Decisions use the threshold stored with the model (``decision_threshold``,
for an exported recipe experiment the dev-set EER threshold): a score
``>=`` the threshold is bona fide. Without a stored threshold (the official
AASIST folders: no development scores were available to calibrate one) the
decision is the argmax of the two logits (bona fide iff
``logit[1] >= logit[0]``).

Security: a model folder's ``hyperparams.yaml`` is code (HyperPyYAML
builds the objects it names, and can call any function), so a folder from
someone else is checked first (:mod:`speechbrain_fica.inference.trust`)
and refused when it names anything outside an allow-list of network
modules, unless ``trust_remote_code=True``. Weights are loaded as tensors
only.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os
import pickle

import torch
from speechbrain.inference.interfaces import Pretrained
from speechbrain.utils.fetching import FetchConfig, FetchFrom, FetchSource

from speechbrain_fica.dataio.audio import (
    crop_or_tile,
    read_first_samples,
    signal_notes,
)
from speechbrain_fica.inference.trust import (
    check_hyperparams,
    find_untrusted_tags,
)
from speechbrain_fica.metrics.cm_scores import SCORE_TYPES, cm_scores
from speechbrain_fica.utils.checkpoints import CheckpointError

logger = logging.getLogger(__name__)

PRETRAINED_DIR = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pretrained"
)
PRETRAINED_MODELS = ("AASIST", "AASIST-L")
BONAFIDE, SPOOF = "bonafide", "spoof"


def pretrained_path(name):
    """The folder of a model bundled with the package.

    Arguments
    ---------
    name : str
        ``"AASIST"`` or ``"AASIST-L"`` (the official checkpoints of
        clovaai/aasist, MIT licence, converted to this plugin's format).

    Returns
    -------
    str
        Absolute path of the folder, a valid ``source`` for
        :meth:`SpoofDetector.from_hparams`.

    Raises
    ------
    ValueError
        ``name`` is not a bundled model.
    FileNotFoundError
        The folder is missing from this installation.

    Example
    -------
    >>> os.path.basename(pretrained_path("AASIST-L"))
    'AASIST-L'
    """
    if name not in PRETRAINED_MODELS:
        raise ValueError(
            f"no bundled model {name!r}; choose one of {PRETRAINED_MODELS}"
        )
    path = os.path.join(PRETRAINED_DIR, name)
    if not os.path.isfile(os.path.join(path, "hyperparams.yaml")):
        raise FileNotFoundError(
            f"bundled model folder {path} is missing from this installation"
        )
    return path


class SpoofDetector(Pretrained):
    """Scores and classifies speech as bona fide or spoofed.

    Load a model folder with :meth:`from_hparams`; the folder's
    ``hyperparams.yaml`` must define ``model`` (a backbone with the plugin's
    contract ``model(wavs, lengths) -> (logits [B, 2], embedding)``, class 1
    = bona fide), ``sample_rate``, ``segment_samples``, ``score_type``,
    optionally ``decision_threshold``, ``modules: {model: ...}`` and a
    ``pretrainer`` loading ``model.ckpt``.

    Loading a folder runs the code its ``hyperparams.yaml`` names: a
    folder that names anything outside
    :data:`speechbrain_fica.inference.trust.ALLOWED_MODULES` (the plugin's
    and SpeechBrain's network modules, ``torch.nn``, the weights-only
    loader) is
    refused before anything in it runs, unless ``from_hparams`` gets
    ``trust_remote_code=True``; pass it only for folders whose author you
    trust. ``model.ckpt`` is loaded as tensors only.

    Files are read only as far as the scored segment (the first
    ``segment_samples``). By default they must be mono at the model's
    ``sample_rate``, as in the recipes (other files raise
    :class:`~speechbrain_fica.dataio.audio.AudioError`); ``resample=True``
    on the file methods resamples and averages the channels instead, and
    says so in the ``note`` of :meth:`classify_file`. Files with NaN or
    infinite samples in the scored segment are refused (samples after it
    are neither read nor checked: they cannot change the score). Digitally silent inputs and inputs with
    less than 0.5 s of signal are scored, with a logged warning and a
    ``note`` (see :func:`~speechbrain_fica.dataio.audio.signal_notes`).

    Arguments
    ---------
    *args : tuple
        Passed to ``speechbrain.inference.interfaces.Pretrained``
        (``modules``, ``hparams``, ``run_opts``, ``freeze_params``).
    **kwargs : dict
        Passed to ``Pretrained``.

    Example
    -------
    >>> detector = SpoofDetector.from_hparams(
    ...     source=pretrained_path("AASIST-L"), savedir=getfixture("tmpdir")
    ... )
    >>> detector.segment_samples, detector.threshold
    (64600, None)
    >>> scores, is_bonafide = detector.classify_batch(
    ...     0.1 * torch.randn(1, 16000)
    ... )
    >>> scores.shape, scores.dtype, is_bonafide.dtype
    (torch.Size([1]), torch.float32, torch.bool)
    """

    HPARAMS_NEEDED = ["sample_rate", "segment_samples", "score_type"]
    MODULES_NEEDED = ["model"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "model" not in self.mods:
            raise ValueError("the hparams' modules must define 'model'")
        if self.hparams.score_type not in SCORE_TYPES:
            raise ValueError(
                f"unknown score_type {self.hparams.score_type!r}; "
                f"choose one of {SCORE_TYPES}"
            )
        threshold = getattr(self.hparams, "decision_threshold", None)
        self.hparams.decision_threshold = (
            None if threshold is None else float(threshold)
        )

    @classmethod
    def from_hparams(
        cls,
        source,
        hparams_file="hyperparams.yaml",
        savedir=None,
        trust_remote_code=False,
        **kwargs,
    ):
        """Loads a detector from a local model folder (never from a hub).

        The folder's yaml is checked before anything in it runs: tags
        naming code outside the allow-list (see
        :mod:`speechbrain_fica.inference.trust`) are refused unless
        ``trust_remote_code`` is True.

        Unlike ``Pretrained.from_hparams``, a ``source`` that is not an
        existing directory is an error, not a HuggingFace repository id.
        Files are used in place, or symlinked into ``savedir`` when given
        (links are refreshed on every call, so ``savedir`` never serves a
        stale copy). The weights are loaded strictly (see the folder's
        ``pretrainer``).

        Arguments
        ---------
        source : str or os.PathLike
            The model folder (e.g. ``pretrained_path("AASIST")`` or a
            folder written by ``speechbrain_fica.inference.export``).
        hparams_file : str
            Name of the hyperparameter file in ``source``.
        savedir : str, optional
            Folder in which to collect (symlink) the model files.
        trust_remote_code : bool
            Load a yaml that names code outside the allow-list (it can run
            anything: only for folders from a trusted author).
        **kwargs : dict
            Passed to ``Pretrained.from_hparams``, e.g. ``run_opts=
            {"device": "cuda"}`` or ``overrides={"decision_threshold": 0.5}``.

        Returns
        -------
        SpoofDetector
            The detector, in eval mode with frozen parameters.

        Raises
        ------
        FileNotFoundError
            ``source`` is not a directory or lacks ``hparams_file``.
        speechbrain_fica.inference.trust.UntrustedCodeError
            The yaml names code outside the allow-list (each tag and its
            line are listed).
        speechbrain_fica.utils.checkpoints.CheckpointError
            A checkpoint holds other Python objects than tensors or does
            not fit the model, or the yaml defines no ``pretrainer``.

        Example
        -------
        >>> SpoofDetector.from_hparams(source="no/such/model")
        Traceback (most recent call last):
        ...
        FileNotFoundError: SpoofDetector: model folder not found: 'no/such/model' ...
        """
        if isinstance(source, FetchSource):
            if source.FetchFrom != FetchFrom.LOCAL:
                raise ValueError(
                    "SpoofDetector loads local model folders only, "
                    f"got {source}"
                )
            source = source.path
        folder = os.fspath(source)
        if not os.path.isdir(folder):
            raise FileNotFoundError(
                f"SpoofDetector: model folder not found: {folder!r} (a "
                "local folder holding hyperparams.yaml and model.ckpt is "
                "expected; models are never looked up on a hub; bundled "
                f"models: pretrained_path(name) with name in "
                f"{PRETRAINED_MODELS})"
            )
        yaml_path = os.path.join(folder, hparams_file)
        if not os.path.isfile(yaml_path):
            raise FileNotFoundError(
                f"SpoofDetector: {hparams_file} not found in model folder "
                f"{folder!r}"
            )
        if not trust_remote_code:
            check_hyperparams(yaml_path)
        else:
            for problem in find_untrusted_tags(yaml_path):
                logger.warning("trusted (trust_remote_code): %s", problem)
        kwargs.setdefault(
            "fetch_config", FetchConfig(allow_network=False, overwrite=True)
        )
        local = FetchSource(FetchFrom.LOCAL, os.path.abspath(folder))
        try:
            detector = super().from_hparams(
                source=local,
                hparams_file=hparams_file,
                savedir=savedir,
                **kwargs,
            )
        except pickle.UnpicklingError:
            # A loader other than the folder's weights-only hook refused a
            # pickle: name the folder, not torch's workarounds.
            raise CheckpointError(
                f"{folder}: a checkpoint of this model folder holds Python "
                "objects besides tensors and was refused (only tensors are "
                "loaded)"
            ) from None
        except KeyError as error:
            if error.args != ("pretrainer",):
                raise
            raise CheckpointError(
                f"{yaml_path} defines no 'pretrainer' (the node that loads "
                "model.ckpt): without it the model would have no trained "
                "weights"
            ) from None
        return detector

    @property
    def sample_rate(self):
        """The sampling rate (Hz) the model expects."""
        return int(self.hparams.sample_rate)

    @property
    def segment_samples(self):
        """Samples scored per signal (first segment, tiled if shorter)."""
        return int(self.hparams.segment_samples)

    @property
    def threshold(self):
        """The stored decision threshold (score units), or None (argmax)."""
        return self.hparams.decision_threshold

    def load_audio(self, path, savedir=None, resample=False):
        """Reads the samples the model scores: the first
        ``segment_samples`` of a file (or all of a shorter one).

        Arguments
        ---------
        path : str
            Audio file (any format soundfile reads).
        savedir : None
            Unused; local files only (kept for ``Pretrained``'s signature).
        resample : bool
            Resample other rates and average several channels (opt-in;
            by default the file must be mono at ``sample_rate``).

        Returns
        -------
        torch.Tensor
            The samples ``[T]``, ``T <= segment_samples``, float32, on the
            CPU.

        Raises
        ------
        speechbrain_fica.dataio.audio.AudioError
            The file is unreadable or empty, has NaN or infinite samples,
            or is not mono at ``sample_rate`` (without ``resample``).
        """
        return self._read(path, resample)[0]

    def _read(self, path, resample):
        return read_first_samples(
            path, self.segment_samples, self.sample_rate, resample=resample
        )

    def load_segment(self, path, resample=False):
        """The segment the model scores for a file, and a note about it.

        Arguments
        ---------
        path : str
            Audio file.
        resample : bool
            As for :meth:`load_audio`.

        Returns
        -------
        segment : torch.Tensor
            ``[segment_samples]`` (see :meth:`prepare`).
        note : str
            ``""`` for a file scored as it is; otherwise ``"; "``-joined
            remarks: digital silence, less than 0.5 s of signal (both also
            logged as warnings), and the conversion (``"resampled from
            48000 Hz"``, ``"2 channels averaged"``).

        Raises
        ------
        speechbrain_fica.dataio.audio.AudioError
            As :meth:`load_audio`.

        Example
        -------
        >>> from speechbrain.dataio import audio_io
        >>> path = getfixture("tmpdir").join("silence.wav").strpath
        >>> audio_io.save(path, torch.zeros(1, 8000), 16000)
        >>> detector = SpoofDetector.from_hparams(pretrained_path("AASIST-L"))
        >>> segment, note = detector.load_segment(path)
        >>> segment.shape, note
        (torch.Size([64600]), 'digital silence (no sample above 2^-15 of full scale)')
        """
        wav, source = self._read(path, resample)
        notes = signal_notes(wav, self.sample_rate)
        for note in notes:
            logger.warning("%s: %s; scored anyway", path, note)
        if source["sample_rate"] != self.sample_rate:
            notes.append(f"resampled from {source['sample_rate']} Hz")
        if source["channels"] != 1:
            notes.append(f"{source['channels']} channels averaged")
        return self.prepare(wav), "; ".join(notes)

    def prepare(self, wav):
        """The segment the model scores: the first ``segment_samples``
        samples of ``wav``, tile-repeated when shorter.

        Arguments
        ---------
        wav : torch.Tensor
            Samples ``[T]``.

        Returns
        -------
        torch.Tensor
            ``[segment_samples]``.

        Raises
        ------
        ValueError
            An empty or not 1-D waveform, or NaN / infinite samples in the
            segment.
        """
        if wav.dim() != 1 or wav.shape[0] == 0:
            raise ValueError(
                f"expected a non-empty 1-D waveform, got {tuple(wav.shape)}"
            )
        segment = crop_or_tile(wav, self.segment_samples)
        n_bad = int((~torch.isfinite(segment)).sum())
        if n_bad:
            raise ValueError(
                f"the waveform holds {n_bad} NaN or infinite sample(s) in "
                "its scored segment"
            )
        return segment

    def _segments(self, wavs, wav_lens):
        wavs = torch.as_tensor(wavs)
        if wavs.dim() == 1:
            wavs = wavs.unsqueeze(0)
        if wavs.dim() != 2:
            raise ValueError(
                f"expected waveforms [B, T], got {tuple(wavs.shape)}"
            )
        n_samples = wavs.shape[1]
        if wav_lens is None:
            lengths = [n_samples] * wavs.shape[0]
        else:
            lengths = torch.round(torch.as_tensor(wav_lens) * n_samples)
            lengths = lengths.long().clamp(1, n_samples).tolist()
        segments = []
        for index, (wav, n) in enumerate(zip(wavs, lengths)):
            try:
                segments.append(self.prepare(wav[:n]))
            except ValueError as error:
                raise ValueError(
                    f"signal {index} of the batch: {error}"
                ) from None
        return torch.stack(segments)

    def _logits_and_scores(self, wavs, wav_lens):
        segments = self._segments(wavs, wav_lens)
        segments = segments.to(device=self.device, dtype=torch.float32)
        # All segments are complete: relative lengths of 1, as in the
        # recipes' evaluation batches.
        lengths = torch.ones(segments.shape[0], device=self.device)
        with torch.no_grad(), self.inference_ctx:
            logits, _ = self.mods.model(segments, lengths)
        logits = logits.detach().float()
        scores = cm_scores(logits, self.hparams.score_type)
        return logits.cpu(), scores.cpu()

    def score_batch(self, wavs, wav_lens=None):
        """Countermeasure scores of a batch (higher = more bona fide).

        Each signal (its first ``wav_lens * T`` samples) is cut to its first
        ``segment_samples`` samples, tile-repeated when shorter, so a padded
        batch scores like its files one by one.

        Arguments
        ---------
        wavs : torch.Tensor
            Waveforms ``[B, T]`` (or one ``[T]``) at ``sample_rate``.
        wav_lens : torch.Tensor, optional
            Relative lengths ``[B]`` of padded signals.

        Returns
        -------
        torch.Tensor
            ``[B]`` float32 scores, on the CPU.
        """
        return self._logits_and_scores(wavs, wav_lens)[1]

    def _decide(self, logits, scores, threshold):
        if threshold is None:
            return logits[:, 1] >= logits[:, 0]
        return scores >= threshold

    def classify_batch(self, wavs, wav_lens=None, threshold=None):
        """Scores and bona fide decisions of a batch.

        Arguments
        ---------
        wavs : torch.Tensor
            The batch, as for :meth:`score_batch`.
        wav_lens : torch.Tensor, optional
            Its relative lengths, as for :meth:`score_batch`.
        threshold : float, optional
            Replaces the stored ``decision_threshold``.

        Returns
        -------
        scores : torch.Tensor
            ``[B]`` float32 scores, on the CPU.
        is_bonafide : torch.Tensor
            ``[B]`` booleans: ``score >= threshold``, or the argmax of the
            logits when no threshold is stored nor given.
        """
        logits, scores = self._logits_and_scores(wavs, wav_lens)
        if threshold is None:
            threshold = self.threshold
        return scores, self._decide(logits, scores, threshold)

    def score_file(self, path, resample=False):
        """Score of one audio file.

        Arguments
        ---------
        path : str
            A mono file at ``sample_rate`` (see ``resample``).
        resample : bool
            Resample other rates and average channels (opt-in).

        Returns
        -------
        float
            The score (higher = more bona fide).

        Example
        -------
        >>> from speechbrain.dataio import audio_io
        >>> path = getfixture("tmpdir").join("noise.wav").strpath
        >>> audio_io.save(path, 0.1 * torch.randn(1, 8000), 16000)
        >>> detector = SpoofDetector.from_hparams(
        ...     pretrained_path("AASIST-L"),
        ...     overrides={"segment_samples": 16000},  # a fast example
        ... )
        >>> isinstance(detector.score_file(path), float)
        True
        """
        segment, _ = self.load_segment(path, resample=resample)
        return float(self.score_batch(segment.unsqueeze(0))[0])

    def classify_file(self, path, threshold=None, resample=False):
        """Score and decision for one audio file.

        Arguments
        ---------
        path : str
            A mono file at ``sample_rate`` (see ``resample``).
        threshold : float, optional
            Replaces the stored ``decision_threshold``.
        resample : bool
            Resample other rates and average channels (opt-in).

        Returns
        -------
        dict
            ``score`` (float), ``decision`` (``"bonafide"`` or ``"spoof"``),
            ``threshold`` (the threshold used, None for the argmax of the
            logits) and ``note`` (``""``, or what to know about the input:
            silence, little signal, conversion; see :meth:`load_segment`).

        Example
        -------
        >>> from speechbrain.dataio import audio_io
        >>> path = getfixture("tmpdir").join("tone.wav").strpath
        >>> tone = 0.1 * torch.sin(torch.arange(16000.0) / 3.0)
        >>> audio_io.save(path, tone.unsqueeze(0), 16000)
        >>> detector = SpoofDetector.from_hparams(
        ...     pretrained_path("AASIST-L"),
        ...     overrides={"segment_samples": 16000},  # a fast example
        ... )
        >>> result = detector.classify_file(path, threshold=1e9)
        >>> result["decision"], result["threshold"], result["note"]
        ('spoof', 1000000000.0, '')
        """
        if threshold is None:
            threshold = self.threshold
        else:
            threshold = float(threshold)
        segment, note = self.load_segment(path, resample=resample)
        scores, is_bonafide = self.classify_batch(
            segment.unsqueeze(0), threshold=threshold
        )
        return {
            "score": float(scores[0]),
            "decision": BONAFIDE if bool(is_bonafide[0]) else SPOOF,
            "threshold": threshold,
            "note": note,
        }

    def forward(self, wavs, wav_lens=None):
        """Same as :meth:`score_batch`.

        Arguments
        ---------
        wavs : torch.Tensor
            The batch to score (see :meth:`score_batch`).
        wav_lens : torch.Tensor, optional
            Its relative lengths.

        Returns
        -------
        torch.Tensor
            ``[B]`` float32 scores.
        """
        return self.score_batch(wavs, wav_lens)
