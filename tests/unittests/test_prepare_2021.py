"""Tests of the ASVspoof 2021 LA / DF data preparation
(``recipes/ASVspoof2021/asvspoof2021_prepare.py``) on the tiny 2021 corpus
in the official layout: manifests in trial-list order with the key's
labels and conditions, preparation redone only when an input changed, the
trial list checked against the key, and missing or bad audio named or
skipped and counted.

Authors
 * speechbrain-fica contributors 2026
"""

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest
import soundfile

from speechbrain_fica.metrics.score_files import read_cm_key
from tests.utils.corpora import cm_key_path_2021
from tests.utils.recipes import recipe_module

prep = recipe_module("ASVspoof2021", "asvspoof2021_prepare")


def _trial_list(root, track):
    return prep.trial_list_path(root, track)


def _copy_corpus(tiny, tmp_path):
    """A private, modifiable copy of the tiny 2021 corpus."""
    root = str(tmp_path / "ASVspoof2021")
    shutil.copytree(tiny, root)
    return root


def test_prepare_writes_manifests(tiny_asvspoof2021, tmp_path):
    save = str(tmp_path / "manifests")
    csvs = prep.prepare_asvspoof2021(tiny_asvspoof2021, save)
    assert sorted(csvs) == ["DF", "LA"]
    expected_columns = {
        "LA": ["codec", "transmission", "trim", "subset"],
        "DF": [
            "compression",
            "source",
            "vocoder",
            "trim",
            "subset",
            "task",
            "team",
            "gender_pair",
            "language",
        ],
    }
    for track in ("LA", "DF"):
        manifest = pd.read_csv(csvs[track], dtype=str, keep_default_na=False)
        assert (
            list(manifest.columns)
            == [
                "ID",
                "duration",
                "wav",
                "label",
                "attack",
                "speaker",
            ]
            + expected_columns[track]
        )
        # Trial-list order, every trial once.
        trials = prep.read_trial_list(_trial_list(tiny_asvspoof2021, track))
        assert manifest["ID"].tolist() == trials
        key = read_cm_key(cm_key_path_2021(tiny_asvspoof2021, track), track)
        key = key.set_index("trial").loc[trials]
        assert manifest["label"].tolist() == key["label"].tolist()
        is_spoof = (key["label"] == "spoof").to_numpy()
        assert (manifest["attack"][~is_spoof] == "-").all()
        assert (
            manifest["attack"][is_spoof].tolist()
            == key["attack"][is_spoof].tolist()
        )
        first_condition = "codec" if track == "LA" else "compr"
        second = expected_columns[track][0]
        assert manifest[second].tolist() == key[first_condition].tolist()
        assert manifest["subset"].tolist() == key["subset"].tolist()
        assert all(os.path.isfile(path) for path in manifest["wav"])
        assert (manifest["duration"].astype(float) > 0).all()
    with open(os.path.join(save, "prepare_summary_2021.json")) as f:
        summary = json.load(f)
    assert summary["LA"]["subsets"] == {"eval": 12, "progress": 4}
    assert summary["DF"]["skipped"] == 0

    # Same options: nothing is rewritten; a changed key is prepared again.
    stamp = os.stat(csvs["LA"]).st_mtime_ns
    prep.prepare_asvspoof2021(tiny_asvspoof2021, save)
    assert os.stat(csvs["LA"]).st_mtime_ns == stamp
    prep.prepare_asvspoof2021(tiny_asvspoof2021, save, tracks=["LA"])
    assert os.stat(csvs["LA"]).st_mtime_ns != stamp


def test_prepare_key_changes_are_noticed(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    save = str(tmp_path / "manifests")
    prep.prepare_asvspoof2021(root, save, tracks=["LA"])
    key_file = cm_key_path_2021(root, "LA")
    with open(key_file) as f:
        lines = f.read().splitlines()
    changed = lines[0].replace(" eval", " progress")
    assert changed != lines[0]
    with open(key_file, "w") as f:
        f.write("\n".join([changed] + lines[1:]) + "\n")
    prep.prepare_asvspoof2021(root, save, tracks=["LA"])
    manifest = pd.read_csv(os.path.join(save, "LA2021.csv"))
    trial = lines[0].split()[1]
    assert manifest.set_index("ID").loc[trial, "subset"] == "progress"


def test_prepare_keys_folder_elsewhere(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    keys = str(tmp_path / "downloaded_keys")
    shutil.move(os.path.join(root, "keys"), keys)
    with pytest.raises(FileNotFoundError, match="CM key not found"):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"))
    csvs = prep.prepare_asvspoof2021(
        root, str(tmp_path / "m2"), keys_folder=keys
    )
    assert os.path.isfile(csvs["DF"])


@pytest.mark.parametrize("track", ["LA", "DF"])
def test_prepare_trial_list_must_match_key(tiny_asvspoof2021, tmp_path, track):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    trial_list = _trial_list(root, track)
    trials = prep.read_trial_list(trial_list)
    # A key trial missing from the trial list is named.
    with open(trial_list, "w") as f:
        f.write("\n".join(trials[1:]) + "\n")
    with pytest.raises(ValueError) as error:
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"), tracks=[track])
    message = str(error.value)
    assert trials[0] in message
    assert "1 trial(s) of the key are not in the trial list" in message
    assert "(15 trials)" in message and "(16 trials)" in message
    # So is a listed trial that the key does not have.
    extra = f"{track}_E_9999999"
    with open(trial_list, "w") as f:
        f.write("\n".join(trials + [extra]) + "\n")
    with pytest.raises(ValueError, match=extra):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m2"), tracks=[track])
    # And a repeated trial, with its line numbers.
    with open(trial_list, "w") as f:
        f.write("\n".join(trials + [trials[3]]) + "\n")
    with pytest.raises(ValueError, match=f"{trials[3]} already listed"):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m3"), tracks=[track])


def test_prepare_missing_audio(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    trials = prep.read_trial_list(_trial_list(root, "LA"))
    missing = os.path.join(
        prep.eval_folder(root, "LA"), "flac", f"{trials[5]}.flac"
    )
    os.remove(missing)
    with pytest.raises(FileNotFoundError) as error:
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"), tracks=["LA"])
    assert missing in str(error.value)
    assert "1 of 16" in str(error.value)

    # Skip mode: left out, counted and listed.
    save = str(tmp_path / "m2")
    csvs = prep.prepare_asvspoof2021(root, save, on_missing="skip")
    manifest = pd.read_csv(csvs["LA"])
    assert len(manifest) == 15 and trials[5] not in set(manifest["ID"])
    skipped = pd.read_csv(os.path.join(save, "skipped_LA2021.csv"))
    assert skipped[["utt", "reason"]].values.tolist() == [
        [trials[5], "missing file"]
    ]
    with open(os.path.join(save, "prepare_summary_2021.json")) as f:
        summary = json.load(f)
    assert summary["LA"]["skipped"] == 1
    assert summary["LA"]["manifest_rows"] == 15
    assert summary["DF"]["skipped"] == 0
    assert not os.path.exists(os.path.join(save, "skipped_DF2021.csv"))
    assert prep.read_skipped_trials(save, "LA") == [trials[5]]
    assert prep.read_skipped_trials(save, "DF") == []


def test_prepare_bad_audio(tiny_asvspoof2021, tmp_path):
    root = _copy_corpus(tiny_asvspoof2021, tmp_path)
    trials = prep.read_trial_list(_trial_list(root, "DF"))
    bad = os.path.join(
        prep.eval_folder(root, "DF"), "flac", f"{trials[2]}.flac"
    )
    soundfile.write(bad, np.zeros(800), 8000)
    with pytest.raises(ValueError, match="8000 Hz"):
        prep.prepare_asvspoof2021(root, str(tmp_path / "m1"), tracks=["DF"])
    save = str(tmp_path / "m2")
    prep.prepare_asvspoof2021(
        root, save, tracks=["DF"], on_bad_audio="skip", on_missing="error"
    )
    skipped = pd.read_csv(os.path.join(save, "skipped_DF2021.csv"))
    assert skipped["utt"].tolist() == [trials[2]]
    assert "8000 Hz" in skipped["reason"][0]
