"""Fig. 2 of the FICA paper: t-SNE of embeddings with band-masked copies.

A trained experiment's backbone embeds N utterances of a manifest and K
band-pass-masked copies (InF masks, :class:`BandPassMasker`) of one chosen
utterance; t-SNE (scikit-learn) maps the embeddings to 2-D. The paper
(Wang et al., ACML 2024, Fig. 2) shows that the baseline scatters the
masked copies, InF clusters them and InI moves them towards the other
utterances of their class.

The embedding is the backbone's (the vector InI uses and the classifier
reads), computed in evaluation mode on the segment the recipes score (the
first ``segment_samples`` samples, tile-repeated when shorter); each masked
copy is that segment filtered by one filter of the InF bank.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os
import tempfile

import numpy as np
import pandas as pd
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from speechbrain_fica.inference.export import export_experiment
from speechbrain_fica.inference.spoof_detector import SpoofDetector
from speechbrain_fica.lobes.fica import BandPassMasker

logger = logging.getLogger(__name__)

CSV_COLUMNS = [
    "point",
    "ID",
    "kind",
    "label",
    "attack",
    "low_edge_hz",
    "x",
    "y",
]


def load_experiment_model(experiment, device="cpu"):
    """Loads a recipe experiment's backbone (checkpoint of lowest dev EER).

    Arguments
    ---------
    experiment : str
        The recipe's ``output_folder`` (``hyperparams.yaml``, ``save/``).
    device : str
        Torch device.

    Returns
    -------
    SpoofDetector
        The detector: ``mods.model`` is the backbone (evaluation mode),
        ``prepare`` cuts the scored segment, ``load_audio`` reads a file.
    """
    with tempfile.TemporaryDirectory() as folder:
        export_experiment(experiment, os.path.join(folder, "model"))
        detector = SpoofDetector.from_hparams(
            source=os.path.join(folder, "model"), run_opts={"device": device}
        )
    return detector


def _embed(model, segments, device, batch_size):
    """Backbone embeddings ``[N, D]`` of segments ``[N, T]`` (eval mode)."""
    out = []
    with torch.no_grad():
        for start in range(0, len(segments), batch_size):
            batch = segments[start : start + batch_size].to(device)
            lengths = torch.ones(batch.shape[0], device=device)
            _, embedding = model(batch, lengths)
            out.append(embedding.float().cpu())
    return torch.cat(out).numpy()


def embed_with_masked_copies(
    detector,
    manifest,
    utterance,
    n_utterances=500,
    n_copies=20,
    seed=1,
    batch_size=16,
    masker=None,
):
    """Embeds N manifest utterances plus K band-masked copies of one.

    Arguments
    ---------
    detector : SpoofDetector
        From :func:`load_experiment_model`.
    manifest : str
        A recipe manifest (``ID, duration, wav, label, attack, ...``).
    utterance : str
        ID of the utterance to mask (must be in the manifest).
    n_utterances : int
        Other utterances to embed (a random sample, without ``utterance``;
        all of them if the manifest has fewer).
    n_copies : int
        Band-masked copies of ``utterance``.
    seed : int
        Seed of the sample and of the band draws.
    batch_size : int
        Utterances per forward.
    masker : BandPassMasker, optional
        The InF masks; the paper's (default arguments) if not given.

    Returns
    -------
    embeddings : numpy.ndarray
        ``[n + 1 + n_copies, D]``: the sampled utterances, the chosen
        one, then its masked copies.
    points : pandas.DataFrame
        One row per embedding: ``ID``, ``kind`` (``utterance``,
        ``chosen``, ``masked``), ``label``, ``attack``, ``low_edge_hz``.
    """
    table = pd.read_csv(manifest, dtype=str, keep_default_na=False)
    missing = {"ID", "wav", "label"} - set(table.columns)
    if missing:
        raise ValueError(f"{manifest}: no column(s) {sorted(missing)}")
    chosen = table[table["ID"] == utterance]
    if len(chosen) == 0:
        raise ValueError(f"utterance {utterance!r} is not in {manifest}")
    others = table[table["ID"] != utterance]
    rng = np.random.default_rng(seed)
    if len(others) > n_utterances:
        picked = np.sort(rng.choice(len(others), n_utterances, replace=False))
        others = others.iloc[picked]
    rows = pd.concat([others, chosen.iloc[:1]], ignore_index=True)
    segments = torch.stack(
        [detector.prepare(detector.load_audio(path)) for path in rows["wav"]]
    )
    if masker is None:
        masker = BandPassMasker(sample_rate=detector.sample_rate)
    generator = torch.Generator().manual_seed(seed)
    index = torch.randint(len(masker.filters), (n_copies,), generator=generator)
    copies = masker.filter_with(segments[-1:].expand(n_copies, -1), index)
    model = detector.mods.model.eval()
    device = detector.device
    embeddings = np.concatenate(
        [
            _embed(model, segments, device, batch_size),
            _embed(model, copies, device, batch_size),
        ]
    )
    if "attack" not in rows:
        rows["attack"] = ""

    def with_copies(column):
        return list(rows[column]) + [rows[column].iloc[-1]] * n_copies

    points = pd.DataFrame(
        {
            "ID": with_copies("ID"),
            "kind": ["utterance"] * len(others)
            + ["chosen"]
            + ["masked"] * n_copies,
            "label": with_copies("label"),
            "attack": with_copies("attack"),
            "low_edge_hz": [float("nan")] * len(rows)
            + masker.low_edges[index].tolist(),
        }
    )
    return embeddings, points


def run_tsne(embeddings, seed=1, perplexity=30.0):
    """2-D t-SNE of embeddings (scikit-learn, PCA initialisation).

    Arguments
    ---------
    embeddings : numpy.ndarray
        ``[N, D]``.
    seed : int
        ``random_state`` of t-SNE.
    perplexity : float
        t-SNE perplexity; lowered to ``(N - 1) / 3`` for small N.

    Returns
    -------
    numpy.ndarray
        ``[N, 2]`` coordinates.
    """
    try:
        from sklearn.manifold import TSNE
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError(
            "the t-SNE figure needs scikit-learn: "
            "pip install speechbrain-fica[analysis]"
        ) from error
    perplexity = min(float(perplexity), (len(embeddings) - 1) / 3.0)
    tsne = TSNE(
        n_components=2, perplexity=perplexity, init="pca", random_state=seed
    )
    return tsne.fit_transform(np.asarray(embeddings, dtype=np.float64))


def plot_tsne(points, path, title=None):
    """Draws the t-SNE map (PNG): bona fide, spoof, the chosen utterance and
    its masked copies.

    Arguments
    ---------
    points : pandas.DataFrame
        With ``kind``, ``label``, ``x``, ``y`` (see
        :func:`embed_with_masked_copies`).
    path : str
        PNG file to write.
    title : str, optional
        Figure title.
    """
    figure = Figure(figsize=(7, 6))
    axes = figure.add_subplot(1, 1, 1)
    plain = points[points["kind"] == "utterance"]
    for label, colour in (("bonafide", "tab:blue"), ("spoof", "tab:orange")):
        part = plain[plain["label"] == label]
        axes.scatter(
            part["x"],
            part["y"],
            s=12,
            c=colour,
            alpha=0.6,
            label=f"{label} ({len(part)})",
        )
    copies = points[points["kind"] == "masked"]
    axes.scatter(
        copies["x"],
        copies["y"],
        s=60,
        marker="*",
        c="black",
        label=f"band-masked copies ({len(copies)})",
    )
    chosen = points[points["kind"] == "chosen"]
    axes.scatter(
        chosen["x"],
        chosen["y"],
        s=120,
        marker="X",
        c="tab:red",
        edgecolors="black",
        label=f"{chosen['ID'].iloc[0]} (clean)",
    )
    axes.set_xticks([])
    axes.set_yticks([])
    axes.legend(loc="best", fontsize=8)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=100)
    figure.clear()


def tsne_figure(
    experiment,
    utterance,
    output_folder,
    manifest=None,
    n_utterances=500,
    n_copies=20,
    seed=1,
    perplexity=30.0,
    device="cpu",
    batch_size=16,
):
    """Fig. 2 for a trained experiment: PNG and CSV of the t-SNE map.

    Arguments
    ---------
    experiment : str
        The recipe's ``output_folder``.
    utterance : str
        ID of the utterance whose band-masked copies are shown.
    output_folder : str
        Folder receiving ``tsne_<utterance>.png`` and ``.csv``.
    manifest : str, optional
        Manifest of the utterances; ``<experiment>/save/manifests/eval.csv``
        by default.
    n_utterances : int
        Other utterances shown.
    n_copies : int
        Band-masked copies.
    seed : int
        Seed of the sample, the bands and t-SNE.
    perplexity : float
        t-SNE perplexity.
    device : str
        Torch device.
    batch_size : int
        Utterances per forward.

    Returns
    -------
    tuple
        Paths of the PNG and of the CSV.
    """
    if manifest is None:
        manifest = os.path.join(experiment, "save", "manifests", "eval.csv")
    if not os.path.isfile(manifest):
        raise FileNotFoundError(f"manifest not found: {manifest}")
    detector = load_experiment_model(experiment, device)
    embeddings, points = embed_with_masked_copies(
        detector, manifest, utterance, n_utterances, n_copies, seed, batch_size
    )
    coordinates = run_tsne(embeddings, seed, perplexity)
    points["x"], points["y"] = coordinates[:, 0], coordinates[:, 1]
    points.insert(0, "point", range(len(points)))
    os.makedirs(output_folder, exist_ok=True)
    stem = os.path.join(output_folder, f"tsne_{utterance}")
    points[CSV_COLUMNS].to_csv(f"{stem}.csv", index=False)
    parts = os.path.abspath(experiment).split(os.sep)
    name = "/".join(parts[-2:])
    plot_tsne(
        points,
        f"{stem}.png",
        title=f"t-SNE of the {name} embeddings\n{utterance} and "
        f"{n_copies} band-masked copies",
    )
    logger.info("t-SNE figure written to %s.png / .csv", stem)
    return f"{stem}.png", f"{stem}.csv"
