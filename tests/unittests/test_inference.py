"""Tests of SpoofDetector, the bundled and exported model folders and the
scoring command line.

Authors
 * speechbrain-fica contributors 2026
"""

import csv
import glob
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile
import torch
import yaml

import speechbrain_fica.inference.cli as score_cli
from speechbrain_fica.inference import (
    PRETRAINED_MODELS,
    SpoofDetector,
    export,
    pretrained_path,
)
from speechbrain_fica.utils.checkpoints import CheckpointError
from tests.utils.corpora import make_tiny_asvspoof2019
from tests.utils.samples import (
    expected_outputs,
    official_weights,
    real_asvspoof_files,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
RECIPE = os.path.join(REPO_ROOT, "recipes", "ASVspoof2019")
CPU = {"device": "cpu"}


def load(source, **kwargs):
    """A detector on the CPU."""
    return SpoofDetector.from_hparams(source=source, run_opts=CPU, **kwargs)


# ---------------------------------------------------------------------------
# Bundled official models
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", PRETRAINED_MODELS)
def test_bundled_model_ranks_real_asvspoof_files(name):
    files, keys = real_asvspoof_files()
    assert sorted(keys) == ["bonafide", "spoof", "spoof", "spoof"]

    detector = load(pretrained_path(name))
    assert detector.threshold is None
    segments = torch.stack(
        [detector.prepare(detector.load_audio(f)) for f in files]
    )
    scores, is_bonafide = detector.classify_batch(segments)
    bonafide = [s for s, k in zip(scores.tolist(), keys) if k == "bonafide"]
    spoof = [s for s, k in zip(scores.tolist(), keys) if k == "spoof"]
    assert min(bonafide) > max(spoof), dict(zip(files, scores.tolist()))
    # argmax decisions (no stored threshold) agree with the labels too
    assert is_bonafide.tolist() == [k == "bonafide" for k in keys]


@pytest.mark.parametrize("name", PRETRAINED_MODELS)
def test_bundled_checkpoint_equals_official(name):
    official = torch.load(
        official_weights(name),
        map_location="cpu",
        weights_only=True,
    )
    folder = pretrained_path(name)
    bundled = torch.load(
        os.path.join(folder, "model.ckpt"),
        map_location="cpu",
        weights_only=True,
    )
    assert list(bundled) == list(official)
    for key, tensor in official.items():
        assert bundled[key].dtype == tensor.dtype, key
        assert torch.equal(bundled[key], tensor), key
    with open(os.path.join(folder, "LICENSE.aasist")) as f:
        licence = f.read()
    assert "MIT" in licence and "NAVER" in licence
    with open(os.path.join(folder, "hyperparams.yaml")) as f:
        hparams = yaml.load(f, Loader=yaml.BaseLoader)  # tags as plain text
    assert hparams["segment_samples"] == "64600"
    assert hparams["score_type"] == "bonafide_logit"
    assert hparams["decision_threshold"] == "null"


def test_bundled_aasist_reproduces_reference_logits(reference_waveforms):
    reference = expected_outputs()["aasist_pretrained_reference_logits"]
    logits = torch.tensor(reference["AASIST"]["logits"])
    detector = load(pretrained_path("AASIST"))
    scores, is_bonafide = detector.classify_batch(reference_waveforms)
    assert scores.dtype == torch.float32
    assert torch.allclose(scores, logits[:, 1], atol=1e-4, rtol=0)
    assert is_bonafide.tolist() == (logits[:, 1] >= logits[:, 0]).tolist()


# ---------------------------------------------------------------------------
# Offline loading
# ---------------------------------------------------------------------------
@pytest.fixture
def no_network(monkeypatch):
    """Fails the test on any download attempt of SpeechBrain's fetcher."""
    import huggingface_hub
    import speechbrain.utils.fetching as fetching

    def forbidden(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", forbidden)
    monkeypatch.setattr(fetching, "download_file_hf", forbidden)
    monkeypatch.setattr(fetching, "download_file", forbidden)


def test_wrong_path_is_a_clear_error_without_network(tmp_path, no_network):
    missing = str(tmp_path / "no_such_model")
    for source in (missing, "speechbrain/not-a-local-model"):
        with pytest.raises(FileNotFoundError) as error:
            load(source)
        assert "model folder not found" in str(error.value)
        assert repr(source) in str(error.value)
    with pytest.raises(FileNotFoundError, match="hyperparams.yaml"):
        load(str(tmp_path))


def test_checkpoint_keys_are_checked_strictly(tmp_path, no_network):
    folder = tmp_path / "broken"
    shutil.copytree(pretrained_path("AASIST-L"), folder)
    state = torch.load(folder / "model.ckpt", weights_only=True)
    state.pop("out_layer.bias")
    torch.save(state, folder / "model.ckpt")
    with pytest.raises(CheckpointError, match="missing keys out_layer.bias"):
        load(str(folder))
    # savedir gets links to the folder's files, refreshed on every load
    savedir = tmp_path / "savedir"
    shutil.copy(pretrained_path("AASIST-L") + "/model.ckpt", folder)
    detector = load(str(folder), savedir=str(savedir))
    assert detector.segment_samples == 64600
    assert os.path.islink(savedir / "model.ckpt")


# ---------------------------------------------------------------------------
# A trained recipe experiment, exported with one command
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def experiment(tmp_path_factory):
    """A 1-epoch LCNN + FICA experiment on tiny data, and its export."""
    root = tmp_path_factory.mktemp("inference_experiment")
    data = make_tiny_asvspoof2019(str(root))
    output = os.path.join(root, "exp")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([RECIPE, env.get("PYTHONPATH", "")])
    command = [
        sys.executable,
        os.path.join(RECIPE, "train.py"),
        os.path.join(RECIPE, "hparams", "lcnn_fica.yaml"),
        f"--data_folder={data}",
        f"--output_folder={output}",
        "--number_of_epochs=1",
        "--batch_size=4",
        "--segment_samples=8000",
        "--num_workers=0",
        "--bank_size=32",
        "--device=cpu",
        "--noprogressbar",
    ]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-4000:]
    exported = os.path.join(root, "exported")
    assert export.main(["--experiment", output, "--output", exported]) == 0
    return {"data": data, "output": output, "exported": exported}


def recipe_scores(output):
    """``{utt: score}`` of the recipe's eval score file."""
    with open(os.path.join(output, "eval", "scores_eval.txt")) as f:
        return {line.split()[0]: float(line.split()[-1]) for line in f}


def eval_files(data):
    """The eval flac files of the tiny corpus."""
    pattern = os.path.join(data, "ASVspoof2019_LA_eval", "flac", "*.flac")
    return sorted(glob.glob(pattern))


def utt(path):
    """Utterance id of an audio path."""
    return os.path.splitext(os.path.basename(path))[0]


def test_interface_scores_equal_recipe_scores(experiment, tmp_path):
    expected = recipe_scores(experiment["output"])
    files = eval_files(experiment["data"])
    assert len(files) == len(expected) == 12
    detector = load(experiment["exported"])
    for path in files[::2]:  # the command line below scores all of them
        assert detector.score_file(path) == pytest.approx(
            expected[utt(path)], abs=1e-5, rel=0
        )

    csv_path = str(tmp_path / "scores.csv")
    folder = os.path.dirname(files[0])
    argv = [folder, "--model", experiment["exported"], "--output", csv_path]
    argv += ["--batch_size", "5", "--device", "cpu", "--noprogressbar"]
    assert score_cli.main(argv) == 0
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["path"] for r in rows] == files
    threshold = detector.threshold
    for row in rows:
        score = float(row["score"])
        assert score == pytest.approx(expected[utt(row["path"])], abs=1e-5)
        decision = "bonafide" if score >= threshold else "spoof"
        assert row["decision"] == decision


def test_exported_folder_holds_the_backbone_only(experiment):
    output, exported = experiment["output"], experiment["exported"]
    (ckpt,) = glob.glob(os.path.join(output, "save", "CKPT+*"))
    with open(os.path.join(ckpt, "CKPT.yaml")) as f:
        meta = yaml.safe_load(f)
    recipe = torch.load(os.path.join(ckpt, "model.ckpt"), weights_only=True)
    state = torch.load(os.path.join(exported, "model.ckpt"), weights_only=True)

    detector = load(exported)
    backbone = detector.mods.model
    assert type(backbone).__name__ == "LCNN"
    assert set(state) == set(backbone.state_dict()) == set(recipe)
    assert not [k for k in state if k.split(".")[0] in ("momentum", "memory")]
    for key, tensor in recipe.items():
        assert torch.equal(state[key], tensor), key
    # the FICA training-only modules were checkpointed, but not exported
    assert os.path.isfile(os.path.join(ckpt, "momentum_encoder.ckpt"))
    assert sorted(os.listdir(exported)) == [
        "README.md",
        "hyperparams.yaml",
        "model.ckpt",
    ]

    assert detector.threshold == meta["EER_threshold"]
    assert detector.segment_samples == 8000
    with open(os.path.join(exported, "hyperparams.yaml")) as f:
        text = f.read()
    # self-contained: no data paths, no other experiment keys
    for word in ("data_folder", experiment["data"], output, "momentum"):
        assert word not in text
    with open(os.path.join(exported, "README.md")) as f:
        assert "dev-set EER threshold" in f.read()


def test_padded_batch_scores_like_single_files(experiment):
    detector = load(experiment["exported"])
    torch.manual_seed(0)
    short, long = 0.1 * torch.randn(3000), 0.1 * torch.randn(12000)
    batch = torch.zeros(2, 12000)
    batch[0, :3000], batch[1] = short, long
    scores = detector.score_batch(batch, torch.tensor([0.25, 1.0]))
    single = torch.cat([detector.score_batch(short), detector(long)])
    assert torch.allclose(scores, single, atol=1e-6)


# ---------------------------------------------------------------------------
# Command line: unreadable files
# ---------------------------------------------------------------------------
def _write_bad_files(folder):
    """Corrupt, empty, stereo and 8 kHz files; returns their paths."""
    os.makedirs(folder, exist_ok=True)
    noise = 0.1 * np.random.RandomState(1).randn(8000)
    bad = {
        "corrupt.wav": None,
        "empty.flac": None,
        "stereo.wav": (np.stack([noise, noise], axis=1), 16000),
        "rate8k.wav": (noise, 8000),
        "no_samples.wav": (np.zeros(0), 16000),
    }
    for name, content in bad.items():
        path = os.path.join(folder, name)
        if name == "corrupt.wav":
            with open(path, "wb") as f:
                f.write(b"RIFF\x00\x01garbage" * 10)
        elif name == "empty.flac":
            open(path, "wb").close()
        else:
            soundfile.write(path, content[0], content[1])
    return sorted(os.path.join(folder, name) for name in bad)


def test_cli_skips_and_counts_unreadable_files(experiment, tmp_path, capsys):
    folder = str(tmp_path / "audio")
    bad = _write_bad_files(folder)
    good = []
    for i, source in enumerate(eval_files(experiment["data"])[:3]):
        good.append(os.path.join(folder, f"good{i}.flac"))
        shutil.copy(source, good[-1])
    csv_path = str(tmp_path / "out" / "scores.csv")
    argv = [folder, "--model", experiment["exported"], "--output", csv_path]
    argv += ["--batch_size", "2", "--device", "cpu"]
    assert score_cli.main(argv) == 0
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["path"] for r in rows] == good
    assert all(r["decision"] in ("bonafide", "spoof") for r in rows)
    err = capsys.readouterr().err
    for path in bad:
        assert f"skipped {path}" in err
    summary = [line for line in err.splitlines() if line.startswith("scored")]
    assert summary == [f"scored 3 files, skipped {len(bad)}: " + ", ".join(bad)]
    assert "channels" in err and "8000 Hz" in err


def test_cli_fails_when_nothing_is_scored(experiment, tmp_path, capsys):
    folder = str(tmp_path / "audio")
    bad = _write_bad_files(folder)
    missing = str(tmp_path / "missing.flac")
    csv_path = str(tmp_path / "scores.csv")
    argv = [folder, missing, "--model", experiment["exported"]]
    argv += ["--output", csv_path, "--device", "cpu", "--noprogressbar"]
    assert score_cli.main(argv) == 1
    err = capsys.readouterr().err
    assert f"scored 0 files, skipped {len(bad) + 1}" in err
    assert f"skipped {missing}: no such file or folder" in err
