"""Tests of the ASVspoof 2019 preparation and of the recipe's tools.

Bad inputs (missing, corrupt, empty, too short, stereo, wrong-rate files;
malformed protocol lines) must give an error naming the file or line, or a
logged, counted skip.

Authors
 * speechbrain-fica contributors 2026
"""

import logging
import os

import numpy as np
import pandas as pd
import pytest
import soundfile

from speechbrain_fica.dataio.protocols import read_protocol_2019
from tests.utils.recipes import recipe_module
from tests.utils.samples import protocol_path

prepare = recipe_module("ASVspoof2019", "asvspoof2019_prepare")


def _speech(seconds=0.5, rate=16000, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    wave = 0.1 * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(
        t.size
    )
    return wave if channels == 1 else np.stack([wave] * channels, axis=1)


def make_corpus(root, n=4):
    """A small LA tree: n bona fide + n spoof lines per split."""
    protocols = os.path.join(root, "ASVspoof2019_LA_cm_protocols")
    os.makedirs(protocols)
    names = {"train": "train.trn", "dev": "dev.trl", "eval": "eval.trl"}
    for split, name in names.items():
        flac = os.path.join(root, f"ASVspoof2019_LA_{split}", "flac")
        os.makedirs(flac)
        lines = []
        for i in range(2 * n):
            utt = f"LA_{split[0].upper()}_{i:07d}"
            key = "bonafide" if i % 2 == 0 else "spoof"
            attack = "-" if key == "bonafide" else "A01"
            lines.append(f"LA_0001 {utt} - {attack} {key}")
            soundfile.write(
                os.path.join(flac, f"{utt}.flac"), _speech(seed=i), 16000
            )
        path = os.path.join(protocols, f"ASVspoof2019.LA.cm.{name}.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
    return root


def test_prepare_writes_manifests_in_protocol_order(tmp_path):
    data = make_corpus(str(tmp_path / "LA"))
    out = str(tmp_path / "out")
    paths = prepare.prepare_asvspoof2019(data, out)
    train = pd.read_csv(paths["train"])
    columns = ["ID", "duration", "wav", "label", "attack", "speaker"]
    assert list(train.columns) == columns
    protocol = read_protocol_2019(
        os.path.join(
            data,
            "ASVspoof2019_LA_cm_protocols",
            "ASVspoof2019.LA.cm.train.trn.txt",
        )
    )
    assert train["ID"].tolist() == protocol["utt"].tolist()
    assert train["duration"].tolist() == pytest.approx([0.5] * 8)
    assert set(train["label"]) == {"bonafide", "spoof"}


def test_prepare_skips_work_already_done(tmp_path, caplog):
    data = make_corpus(str(tmp_path / "LA"))
    out = str(tmp_path / "out")
    prepare.prepare_asvspoof2019(data, out)
    stamp = os.path.getmtime(os.path.join(out, "train.csv"))
    with caplog.at_level(logging.INFO):
        prepare.prepare_asvspoof2019(data, out)
    assert "skipping" in caplog.text
    assert os.path.getmtime(os.path.join(out, "train.csv")) == stamp
    # Other options: prepared again.
    prepare.prepare_asvspoof2019(data, out, min_samples=10)
    assert os.path.getmtime(os.path.join(out, "train.csv")) >= stamp


def test_missing_files_are_named_or_skipped_and_counted(tmp_path, caplog):
    data = make_corpus(str(tmp_path / "LA"))
    os.remove(
        os.path.join(data, "ASVspoof2019_LA_dev", "flac", "LA_D_0000003.flac")
    )
    with pytest.raises(FileNotFoundError, match="LA_D_0000003.flac"):
        prepare.prepare_asvspoof2019(data, str(tmp_path / "a"))
    out = str(tmp_path / "b")
    with caplog.at_level(logging.WARNING):
        paths = prepare.prepare_asvspoof2019(data, out, on_missing="skip")
    assert "1 of 8 protocol lines skipped" in caplog.text
    assert len(pd.read_csv(paths["dev"])) == 7
    skipped = pd.read_csv(os.path.join(out, "skipped_dev.csv"))
    assert skipped["utt"].tolist() == ["LA_D_0000003"]


@pytest.mark.parametrize(
    "defect, message",
    [
        ("corrupt", "cannot read audio"),
        ("empty", "0 samples"),
        ("stereo", "2 channels"),
        ("rate", "sample rate 8000 Hz"),
        ("short", "fewer than the 1600 required"),
    ],
)
def test_bad_audio_is_named_or_skipped(tmp_path, defect, message):
    data = make_corpus(str(tmp_path / "LA"))
    path = os.path.join(
        data, "ASVspoof2019_LA_eval", "flac", "LA_E_0000002.flac"
    )
    if defect == "corrupt":
        with open(path, "wb") as f:
            f.write(b"not a flac file at all")
    elif defect == "empty":
        # A valid header with no samples (an empty FLAC is not decodable).
        soundfile.write(path, np.zeros(0), 16000, format="WAV")
    elif defect == "stereo":
        soundfile.write(path, _speech(channels=2), 16000)
    elif defect == "rate":
        soundfile.write(path, _speech(rate=8000), 8000)
    else:
        soundfile.write(path, _speech(seconds=0.05), 16000)
    with pytest.raises(ValueError, match=message) as error:
        prepare.prepare_asvspoof2019(
            data, str(tmp_path / "a"), min_samples=1600
        )
    assert "LA_E_0000002.flac" in str(error.value)
    out = str(tmp_path / "b")
    paths = prepare.prepare_asvspoof2019(
        data, out, min_samples=1600, on_bad_audio="skip"
    )
    assert "LA_E_0000002" not in set(pd.read_csv(paths["eval"])["ID"])
    skipped = pd.read_csv(os.path.join(out, "skipped_eval.csv"))
    assert skipped["utt"].tolist() == ["LA_E_0000002"]
    assert message in skipped["reason"][0]


def test_protocol_errors_name_the_line(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("LA_1 LA_T_1 - - bonafide\nLA_T_2 A01 spoof\n")
    with pytest.raises(ValueError, match=r"p.txt:2: expected 5 columns"):
        read_protocol_2019(str(path))
    path.write_text("LA_1 LA_T_1 - - bonafide\nLA_1 LA_T_1 - A01 spoof\n")
    with pytest.raises(ValueError, match=r"p.txt:2: utterance LA_T_1 already"):
        read_protocol_2019(str(path))
    path.write_text("LA_1 LA_T_1 - - genuine\n")
    with pytest.raises(ValueError, match=r"p.txt:1: key 'genuine'"):
        read_protocol_2019(str(path))


def test_real_protocols_parse_with_official_counts():
    expected = {
        "train": (2580, 22800, 20),
        "dev": (2548, 22296, 20),
        "eval": (7355, 63882, 1),
    }
    for split, (bonafide, spoof, speakers) in expected.items():
        table = read_protocol_2019(protocol_path(split))
        counts = table["key"].value_counts()
        assert (counts["bonafide"], counts["spoof"]) == (bonafide, spoof)
        assert table["speaker"].nunique() == speakers
        assert set(table.loc[table.key == "bonafide", "attack"]) == {"-"}
