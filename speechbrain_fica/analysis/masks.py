"""Fig. 3 of the FICA paper: InF band-pass masking next to SpecAugment.

The LCNN's three feature maps (log-mel Fbank, delta, delta-delta) of one
utterance are drawn clean, after InF masking (a band-pass filter on the
waveform, before the features are computed, so the same band is kept on
all three maps) and after SpecAugment (a zero-filled time block and
frequency band on the features, as the LCNN's ``spec_augment`` option
applies them in training). Wang et al., ACML 2024, Fig. 3.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os

import numpy as np
import pandas as pd
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from speechbrain.augment.freq_domain import SpectrogramDrop

from speechbrain_fica.dataio.audio import load_waveform
from speechbrain_fica.lobes.fica import BandPassMasker
from speechbrain_fica.lobes.models.LCNN import LCNN

logger = logging.getLogger(__name__)

VIEWS = ("clean", "band-pass (InF)", "SpecAugment")
MAPS = ("Fbank", "delta", "delta-delta")


def _fixed_spec_masks(time_mask, freq_mask):
    """One time block of ``time_mask`` frames and one band of ``freq_mask``
    feature bins (SpeechBrain's ``SpectrogramDrop``, zero-filled)."""
    masks = []
    for width, dim in ((time_mask, 1), (freq_mask, 2)):
        masks.append(
            SpectrogramDrop(
                drop_length_low=width,
                drop_length_high=width + 1,
                drop_count_low=1,
                drop_count_high=1,
                replace="zeros",
                dim=dim,
            )
        )
    return masks


def feature_mask_maps(
    wav,
    lcnn=None,
    low_edge=None,
    seed=1,
    time_mask=60,
    freq_mask=20,
    sample_rate=16000,
):
    """The LCNN feature maps of a waveform: clean, InF- and SpecAugment-masked.

    Arguments
    ---------
    wav : torch.Tensor
        Waveform ``[T]``.
    lcnn : LCNN, optional
        Whose front end computes the features (its ``feature_maps``, in
        evaluation mode); ``LCNN(n_mels=60)`` by default.
    low_edge : float, optional
        Lower pass-band edge (Hz) of the InF filter; drawn uniformly from
        the paper's range with ``seed`` if not given.
    seed : int
        Seed of the random band and of the SpecAugment positions.
    time_mask : int, optional
        SpecAugment time block in frames; None: the LCNN's own training
        masks (random widths).
    freq_mask : int, optional
        SpecAugment band in feature bins (on the three concatenated maps);
        None: the LCNN's own training masks.
    sample_rate : int
        Sampling rate of ``wav`` in Hz.

    Returns
    -------
    maps : dict
        ``{view: [frames, 3 * n_mels] numpy array}`` for the views of
        ``VIEWS``.
    low_edge : float
        The InF filter's lower pass-band edge in Hz.

    Example
    -------
    >>> maps, low = feature_mask_maps(torch.randn(16000), low_edge=1000.0)
    >>> sorted(maps), maps["clean"].shape, low
    (['SpecAugment', 'band-pass (InF)', 'clean'], (126, 180), 1000.0)
    >>> bool((maps["SpecAugment"] == 0).any())
    True
    """
    if lcnn is None:
        lcnn = LCNN(n_mels=60, sample_rate=sample_rate)
    generator = torch.Generator().manual_seed(seed)
    # The paper's range of lower edges (160-5840 Hz at 16 kHz).
    lowest, highest = 160.0, sample_rate / 2 - 2160.0
    if low_edge is None:
        draw = torch.rand(1, generator=generator).item()
        low_edge = lowest + draw * (highest - lowest)
    masker = BandPassMasker(
        sample_rate=sample_rate,
        bank_size=1,
        min_low_edge=low_edge,
        max_low_edge=low_edge,
    )
    was_training = lcnn.training
    lcnn.eval()
    with torch.no_grad():
        wavs = wav.reshape(1, -1).float()
        clean = lcnn.feature_maps(wavs)
        band = lcnn.feature_maps(
            masker.filter_with(wavs, torch.zeros(1, dtype=torch.long))
        )
        if time_mask is None or freq_mask is None:
            spec_masks = list(lcnn.spec_augment_masks)
        else:
            spec_masks = _fixed_spec_masks(time_mask, freq_mask)
        spec = clean.clone()
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            for mask in spec_masks:
                spec = mask(spec)
    lcnn.train(was_training)
    maps = {
        view: feats[0].cpu().numpy()
        for view, feats in zip(VIEWS, (clean, band, spec))
    }
    return maps, float(low_edge)


def plot_mask_maps(maps, path, n_mels, hop_seconds=0.008, title=None):
    """Draws the 3 x 3 grid of feature maps (views x maps) as a PNG.

    Arguments
    ---------
    maps : dict
        Output of :func:`feature_mask_maps`.
    path : str
        PNG file to write.
    n_mels : int
        Bins per map (the features hold three maps side by side).
    hop_seconds : float
        Frame shift, for the time axis.
    title : str, optional
        Figure title.
    """
    figure = Figure(figsize=(12, 8))
    grid = figure.subplots(len(VIEWS), len(MAPS), squeeze=False)
    for column, name in enumerate(MAPS):
        part = slice(column * n_mels, (column + 1) * n_mels)
        clean = maps[VIEWS[0]][:, part]
        # One colour scale per map, from the clean view (robust limits).
        low, high = np.percentile(clean, [1, 99])
        for row, view in enumerate(VIEWS):
            values = maps[view][:, part]
            axes = grid[row][column]
            duration = values.shape[0] * hop_seconds
            image = axes.imshow(
                values.T,
                origin="lower",
                aspect="auto",
                cmap="magma",
                vmin=low,
                vmax=high,
                extent=(0.0, duration, 0, n_mels),
            )
            if row == 0:
                axes.set_title(name)
            if column == 0:
                axes.set_ylabel(f"{view}\nmel bin")
            if row == len(VIEWS) - 1:
                axes.set_xlabel("time (s)")
        figure.colorbar(image, ax=[grid[r][column] for r in range(len(VIEWS))])
    if title:
        figure.suptitle(title)
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=100)
    figure.clear()


def mask_figure(
    output,
    audio=None,
    experiment=None,
    utterance=None,
    manifest=None,
    low_edge=None,
    seed=1,
    time_mask=60,
    freq_mask=20,
):
    """Fig. 3 for an audio file, or for an utterance of an LCNN experiment.

    With ``experiment`` (an LCNN recipe experiment) the features are those
    of its model (its ``n_mels``, ``mean_norm``, ...) on the segment its
    evaluation scores; with ``audio`` they are those of ``LCNN(n_mels=60)``
    on the whole file.

    Arguments
    ---------
    output : str
        PNG file to write.
    audio : str, optional
        A mono 16 kHz audio file.
    experiment : str, optional
        The recipe's ``output_folder`` (with ``utterance``).
    utterance : str, optional
        ID of an utterance of ``manifest``.
    manifest : str, optional
        Manifest holding ``utterance``; ``<experiment>/save/manifests/
        eval.csv`` by default.
    low_edge : float, optional
        Lower pass-band edge (Hz) of the InF filter; random if not given.
    seed : int
        Seed of the random band and of the SpecAugment positions.
    time_mask : int, optional
        SpecAugment time block (frames); None: the LCNN's training masks.
    freq_mask : int, optional
        SpecAugment band (feature bins); None: the LCNN's training masks.

    Returns
    -------
    str
        ``output``.
    """
    if (audio is None) == (experiment is None):
        raise ValueError("give either an audio file or an experiment")
    if experiment is not None:
        from speechbrain_fica.analysis.tsne import load_experiment_model

        if utterance is None:
            raise ValueError("an experiment needs an utterance ID")
        if manifest is None:
            manifest = os.path.join(experiment, "save", "manifests", "eval.csv")
        table = pd.read_csv(manifest, dtype=str, keep_default_na=False)
        rows = table[table["ID"] == utterance]
        if len(rows) == 0:
            raise ValueError(f"utterance {utterance!r} is not in {manifest}")
        detector = load_experiment_model(experiment)
        lcnn = detector.mods.model
        if not hasattr(lcnn, "feature_maps"):
            raise ValueError(
                f"{experiment} is not an LCNN experiment: the feature maps "
                "are those of the LCNN front end"
            )
        wav = detector.prepare(detector.load_audio(rows["wav"].iloc[0]))
        sample_rate, name = detector.sample_rate, utterance
    else:
        lcnn, sample_rate = None, 16000
        wav = load_waveform(audio, sample_rate)
        name = os.path.basename(audio)
    maps, low_edge = feature_mask_maps(
        wav, lcnn, low_edge, seed, time_mask, freq_mask, sample_rate
    )
    n_mels = maps[VIEWS[0]].shape[1] // 3
    hop = 0.008
    if lcnn is not None:
        stft = lcnn.fbank.compute_STFT
        hop = stft.hop_length / stft.sample_rate
    folder = os.path.dirname(os.path.abspath(output))
    os.makedirs(folder, exist_ok=True)
    plot_mask_maps(
        maps,
        output,
        n_mels,
        hop,
        title=f"{name}: InF band {low_edge:.0f}-{low_edge + 2000:.0f} Hz vs "
        "SpecAugment",
    )
    logger.info("mask figure written to %s", output)
    return output
