"""Tests of the figure tools (speechbrain_fica.analysis) on MiniSpoof-LA.

A tiny MiniSpoof-LA corpus is built and an LCNN + FICA experiment is
trained on it for one epoch with the demo recipe; the t-SNE (Fig. 2) and
mask (Fig. 3) tools then run on that experiment through the command line.

Authors
 * speechbrain-fica contributors 2026
"""

import os
import subprocess
import sys

import matplotlib.image
import numpy as np
import pandas as pd
import pytest

import speechbrain_fica
from speechbrain_fica import minispoof
from speechbrain_fica.analysis.__main__ import main
from speechbrain_fica.analysis.masks import VIEWS, feature_mask_maps
from speechbrain_fica.dataio.audio import load_waveform

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019")
SPEECH = os.path.join(
    os.path.dirname(speechbrain_fica.__file__),
    "data",
    "minispoof",
    "librispeech",
    "audio",
    "103-1240-0000.flac",
)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    """One epoch of the demo recipe on a tiny MiniSpoof-LA."""
    root = tmp_path_factory.mktemp("analysis")
    minispoof.build_minispoof_la(
        str(root / "corpus"),
        n_bonafide=(4, 2, 3),
        n_spoof_per_attack=(2, 1, 1),
        num_workers=0,
        compute_cues=False,
        progress=False,
    )
    output = root / "experiment"
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(
        [RECIPE, REPO_ROOT, env.get("PYTHONPATH", "")]
    )
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(RECIPE, "train.py"),
            os.path.join(RECIPE, "hparams", "minispoof_lcnn_fica.yaml"),
            f"--data_folder={root / 'corpus' / 'LA'}",
            f"--output_folder={output}",
            "--number_of_epochs=1",
            "--batch_size=4",
            "--segment_samples=12000",
            "--bank_size=32",
            "--grad_norm_every=1",
            "--device=cpu",
            "--noprogressbar",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return output


def _eval_ids(experiment):
    table = pd.read_csv(experiment / "save" / "manifests" / "eval.csv")
    return table


def test_train_log_reports_the_gradient_ratios(experiment):
    with open(experiment / "train_log.txt") as f:
        line = next(row for row in f if row.startswith("epoch: 1"))
    for key in ("gnorm_ce", "gnorm_ce_masked/ce", "gnorm_inf/ce"):
        value = float(line.split(f"train {key}: ")[1].split(",")[0])
        assert 0 < value < float("inf"), key
    # Bank of 32 filled 4 keys per step: InI measured from step 2 on.
    assert "train gnorm_ini/ce: " in line


def test_tsne_command_writes_the_map_and_its_coordinates(experiment, tmp_path):
    table = _eval_ids(experiment)
    chosen = table[table["label"] == "spoof"]["ID"].iloc[0]
    main(
        [
            "tsne",
            str(experiment),
            "--utterance",
            chosen,
            "--n_copies",
            "6",
            "--output_folder",
            str(tmp_path),
        ]
    )
    points = pd.read_csv(tmp_path / f"tsne_{chosen}.csv")
    assert list(points["kind"].value_counts().sort_index().items()) == [
        ("chosen", 1),
        ("masked", 6),
        ("utterance", len(table) - 1),
    ]
    assert set(points[points["kind"] != "utterance"]["ID"]) == {chosen}
    edges = points[points["kind"] == "masked"]["low_edge_hz"]
    assert edges.between(160, 5840).all() and edges.nunique() > 1
    coords = points[["x", "y"]].to_numpy()
    assert np.isfinite(coords).all()
    assert len(np.unique(coords.round(3), axis=0)) == len(points)
    image = matplotlib.image.imread(tmp_path / f"tsne_{chosen}.png")
    assert image.shape[0] > 300 and image.shape[1] > 300


def test_masks_command_on_the_experiment(experiment, tmp_path):
    chosen = _eval_ids(experiment)["ID"].iloc[0]
    output = tmp_path / "fig3.png"
    main(
        [
            "masks",
            "--experiment",
            str(experiment),
            "--utterance",
            chosen,
            "--output",
            str(output),
            "--low_edge",
            "1500",
        ]
    )
    image = matplotlib.image.imread(output)
    assert image.shape[0] > 500 and image.shape[1] > 800


def test_mask_maps_keep_the_band_on_all_maps_and_zero_a_block():
    wav = load_waveform(SPEECH)[:32000]
    maps, low = feature_mask_maps(wav, low_edge=3000.0, seed=1)
    assert low == 3000.0 and set(maps) == set(VIEWS)
    clean, band = maps["clean"], maps["band-pass (InF)"]
    assert clean.shape == band.shape == (251, 180)
    # Mel bins with centres well inside / outside 3000-5000 Hz (60 bins,
    # 0-8 kHz): the static map keeps the band and loses 30+ dB outside.
    hz = 700 * (10 ** (np.linspace(0, 2840.0, 62)[1:-1] / 2595) - 1)
    inside = (hz > 3300) & (hz < 4700)
    outside = (hz < 2500) | (hz > 5600)
    drop = (clean[:, :60] - band[:, :60]).mean(0)
    assert np.abs(drop[inside]).max() < 1.0
    assert drop[outside].min() > 30.0
    spec = maps["SpecAugment"]
    zeroed = spec == 0
    assert zeroed.all(1).sum() == 60  # one time block of 60 frames
    assert zeroed.all(0).sum() == 20  # one band of 20 of the 180 bins
    assert np.array_equal(spec[~zeroed], clean[~zeroed])
    # The same seed gives the same figure data.
    again, _ = feature_mask_maps(wav, low_edge=3000.0, seed=1)
    assert np.array_equal(again["SpecAugment"], spec)
